//! The `nrscreen` command: parse arguments, run the library, exit.

fn main() -> nrscreen::Exit {
    nrscreen::run()
}
