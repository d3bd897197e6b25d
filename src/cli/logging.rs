//! `tracing` set-up: `-v` flags or `RUST_LOG`, always to stderr.
//!
//! Privacy: nrscreen logs counts, file names and rule ids at every level;
//! values from case records appear only in `trace` events.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber. `verbosity` counts `-v` flags; `colour` is the
/// `--color` choice for stderr (so logs piped to a file carry no ANSI codes).
pub(crate) fn init(verbosity: u8, colour: bool) {
    let default = match verbosity {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = if verbosity == 0 {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default))
    } else {
        EnvFilter::new(default)
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .without_time()
        .with_target(false)
        .try_init();
}
