//! `nrscreen man [--out DIR]`: the manual pages, from the command line's
//! own definition (clap_mangen): `nrscreen.1` on standard output, or it and
//! one page per subcommand (`nrscreen-fmt.1`, `nrscreen-map-check.1`, …)
//! written into a directory.

use std::path::PathBuf;

use clap::CommandFactory;

use super::{Cli, Exit};

/// The exit codes and examples shown by `nrscreen man --help`.
pub(crate) const AFTER_HELP: &str = "\
Exit codes: 0 the pages were written; 2 usage or I/O errors.

Examples:
  nrscreen man | man -l -            # read the main page now
  nrscreen man --out target/man      # nrscreen.1 and a page per subcommand";

#[derive(clap::Args, Debug)]
pub(crate) struct ManArgs {
    /// Write `nrscreen.1` and a page per subcommand into this directory
    /// (created if missing) instead of `nrscreen.1` to standard output.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub(crate) fn run(args: &ManArgs) -> Exit {
    let command = Cli::command();
    match &args.out {
        None => {
            let mut page = Vec::new();
            if let Err(error) = clap_mangen::Man::new(command).render(&mut page) {
                eprintln!("error: cannot render the manual page: {error}");
                return Exit::Usage;
            }
            super::write_stdout(&page)
        }
        Some(dir) => {
            let written =
                std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(command, dir));
            match written {
                Ok(()) => Exit::Success,
                Err(error) => {
                    let dir = dir.display().to_string();
                    eprintln!(
                        "error: cannot write the manual pages into `{}`: {error}",
                        crate::escape::terminal(&dir)
                    );
                    Exit::Usage
                }
            }
        }
    }
}
