//! The `drvpolicy` command: argument parsing, printing and exit codes. The work is in the library.

mod cli;
mod pow;

fn main() -> std::process::ExitCode {
    cli::main()
}
