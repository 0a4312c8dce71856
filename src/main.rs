//! The `drvpolicy` command: argument parsing, printing and exit codes. The work is in the library.

mod arena;
mod cli;
// glibc's libm is a shared object of its own; elsewhere pow comes with the C library.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod pow;

#[global_allocator]
static ALLOCATOR: arena::Arena<{ 1 << 20 }> = arena::Arena::new();

fn main() -> std::process::ExitCode {
    ALLOCATOR.claim();
    cli::main()
}
