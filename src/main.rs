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

/// The allocator's pool, for every thread but the main one and for the main thread after its
/// region: address space, of which a run touches what it uses (the benchmark's largest row
/// peaks at about 150 MiB in all).
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
const POOL: usize = if usize::BITS == 64 { 1 << 30 } else { 256 << 20 };

// Not in the unit tests, whose own arenas would share its thread-local lists.
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
#[global_allocator]
static ALLOCATOR: arena::Arena<{ 1 << 20 }, POOL> = arena::Arena::new();

#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    start::prepare();
    start::run(cli::main)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu", not(test))))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(cli::main())
}
