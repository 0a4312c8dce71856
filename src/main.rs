//! The `drvpolicy` command: argument parsing, printing and exit codes. The work is in the library.

// On glibc Linux the process starts at our own `main` (start.rs says why).
#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]

// Only where thread-locals are native statics: elsewhere the allocator's thread check would
// allocate.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod arena;
mod cli;
// glibc's libm is a shared object of its own; elsewhere pow comes with the C library.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod pow;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod start;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[global_allocator]
static ALLOCATOR: arena::Arena<{ 1 << 20 }> = arena::Arena::new();

#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    start::prepare();
    ALLOCATOR.claim();
    start::run(cli::main)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu", not(test))))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(cli::main())
}
