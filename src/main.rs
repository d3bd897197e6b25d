//! The `nrscreen` command: parse arguments, run the library, exit.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(nrscreen::cli::run())
}
