//! The `drvpolicy` command: argument parsing, printing and exit codes. The work is in the library.

mod cli;
// glibc's libm is a shared object of its own; elsewhere pow comes with the C library.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod pow;

fn main() -> std::process::ExitCode {
    cli::main()
}
