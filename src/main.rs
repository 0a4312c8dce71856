//! The `drvpolicy` command: argument parsing, printing and exit codes. The work is in the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}

// Resolving thousands of profiles is mostly small allocations; mimalloc does them in about
// half the time of glibc's malloc (benches/scale.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
