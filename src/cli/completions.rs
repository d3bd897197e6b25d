//! `nrscreen completions SHELL`: the shell's completion script, from the
//! command line's own definition (clap_complete).

use clap::CommandFactory;

use super::{Cli, Exit};

/// The exit codes and examples shown by `nrscreen completions --help`.
pub(crate) const AFTER_HELP: &str = "\
Exit codes: 0 the script was written; 2 usage or I/O errors.

Examples:
  source <(nrscreen completions bash)                # this bash session
  nrscreen completions zsh > ~/.zfunc/_nrscreen      # zsh, with ~/.zfunc in fpath
  nrscreen completions fish > ~/.config/fish/completions/nrscreen.fish";

#[derive(clap::Args, Debug)]
pub(crate) struct CompletionsArgs {
    /// The shell to write the completion script for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub(crate) fn run(args: &CompletionsArgs) -> Exit {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "nrscreen", &mut script);
    super::write_stdout(&script)
}
