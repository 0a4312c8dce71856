//! `pow`, defined in the binary so that its dynamic link needs no `libm.so.6`.
//!
//! minijinja's `**` operator (`f64::powf`) is the one libm function the binary calls, and loading
//! the library for it costs about 0.1 ms of every start (a hello-world that calls `powf`, side by
//! side with one that does not: README, Performance). The linker finds `pow` here first, so
//! `--as-needed` drops libm, and the static build takes this one instead of libm.a's. The `libm`
//! crate's is FreeBSD's `e_pow.c`: nearly rounded, and exact for integer powers of integers that
//! fit. No shipped template uses `**`; `tests/binary.rs` holds the link to no libm and a user's
//! template to what glibc's `pow` printed.

#[unsafe(no_mangle)]
extern "C" fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}
