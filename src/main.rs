//! The `nrscreen` command: parse arguments, run the library, exit.

fn main() -> nrscreen::cli::Exit {
    nrscreen::cli::run()
}
