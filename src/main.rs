//! The `drvpolicy` command: argument parsing, printing and exit codes. The work is in the library.

mod cli;

// glibc's malloc is a third of `check --all`'s instructions, and slower still across threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
