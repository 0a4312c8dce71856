//! How the built binary is linked: with no libm and no libgcc_s (each shared object it needs is one
//! more to open, map and relocate at every start), or statically when built with `+crt-static`; the
//! `pow` it has of its own instead of libm's, and the unwinder it has from libgcc_eh.a (build.rs).

#![cfg(all(target_os = "linux", target_env = "gnu"))]

mod common;

use common::Case;
use object::{Object, ObjectSymbol};

fn binary() -> (&'static str, Vec<u8>) {
    let path = env!("CARGO_BIN_EXE_drvpolicy");
    (path, std::fs::read(path).unwrap())
}

/// A static build (`RUSTFLAGS='-C target-feature=+crt-static' cargo test --target HOST`; the tests
/// are built with the binary's flags).
#[cfg(target_feature = "crt-static")]
#[test]
fn the_binary_is_static_and_position_independent() {
    use object::read::elf::{FileHeader, ProgramHeader};
    let (path, bytes) = binary();
    let elf = object::read::elf::ElfFile64::<object::Endianness>::parse(&*bytes).unwrap();
    let (endian, header) = (elf.endian(), elf.elf_header());
    // ET_DYN: loaded at a random address, as a PIE is.
    assert_eq!(header.e_type(endian), object::elf::ET_DYN, "{path}");
    let segments = header.program_headers(endian, elf.data()).unwrap();
    assert!(!segments.iter().any(|s| s.p_type(endian) == object::elf::PT_INTERP), "{path} asks for a loader");
    assert_eq!(elf_needed(&elf), Vec::<String>::new(), "{path} needs shared objects");
    assert_pow_is_defined(path, &elf);
}

/// A dynamic build, as `cargo build` makes it, needs libc and neither libm nor libgcc_s.
#[cfg(not(target_feature = "crt-static"))]
#[test]
fn a_dynamic_binary_needs_libc_alone() {
    let (path, bytes) = binary();
    let elf = object::read::elf::ElfFile64::<object::Endianness>::parse(&*bytes).unwrap();
    let needed = elf_needed(&elf);
    assert!(needed.iter().any(|n| n.starts_with("libc.so")), "{path} needs {needed:?}");
    for library in ["libm.so", "libgcc_s.so"] {
        assert!(!needed.iter().any(|n| n.starts_with(library)), "{path} needs {needed:?}");
    }
    assert_pow_is_defined(path, &elf);
}

/// This test binary is linked as the binary is, its unwinder from libgcc_eh.a: a panic still
/// unwinds to where it is caught, running the destructors on its way, and a backtrace has frames.
#[cfg(not(target_feature = "crt-static"))]
#[test]
fn the_static_unwinder_unwinds() {
    let this = std::env::current_exe().unwrap();
    let bytes = std::fs::read(&this).unwrap();
    let elf = object::read::elf::ElfFile64::<object::Endianness>::parse(&*bytes).unwrap();
    let needed = elf_needed(&elf);
    assert!(!needed.iter().any(|n| n.starts_with("libgcc_s.so")), "{} needs {needed:?}", this.display());

    struct Dropped<'a>(&'a std::cell::Cell<bool>);
    impl Drop for Dropped<'_> {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let dropped = std::cell::Cell::new(false);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _guard = Dropped(&dropped);
        std::panic::panic_any(7_u32);
    }));
    assert_eq!(caught.unwrap_err().downcast_ref::<u32>(), Some(&7));
    assert!(dropped.get(), "the destructor did not run");
    let backtrace = std::backtrace::Backtrace::force_capture();
    assert_eq!(backtrace.status(), std::backtrace::BacktraceStatus::Captured);
    let frames = backtrace.to_string();
    assert!(frames.contains("the_static_unwinder_unwinds"), "{frames}");
}

/// `pow` is the binary's own (src/pow.rs), not an import.
fn assert_pow_is_defined(path: &str, elf: &object::read::elf::ElfFile64) {
    let pow = elf.symbols().find(|s| s.name() == Ok("pow")).expect("a symbol pow");
    assert!(pow.is_definition(), "{path}: pow is {pow:?}");
}

/// A user's template can raise to a power (`--templates`): the binary's own `pow` gives what glibc's
/// did (these values are what the build linked with libm printed).
#[test]
fn a_power_in_a_users_template_is_what_glibc_gave() {
    let template =
        "{{ 2 ** 0.5 }} {{ 10.0 ** -2 }} {{ 2 ** 10 }} {{ 0.0 ** 0 }} {{ 1.1 ** 300 }} {{ (-8.0) ** (1/3) }}\n";
    let run = Case::new(["--templates", "mine", "generate", "spec", "rhel-7.3"]).file("mine/spec.j2", template).run();
    run.exits(0);
    assert_eq!(run.stdout, "1.4142135623730951 0.01 1024 1.0 2617010996188.4634 NaN\n");
}

fn elf_needed(elf: &object::read::elf::ElfFile64) -> Vec<String> {
    use object::read::elf::{Dyn, FileHeader};
    let endian = elf.endian();
    let header = elf.elf_header();
    let data = elf.data();
    let sections = header.sections(endian, data).unwrap();
    let (dynamic, index) = sections.dynamic(endian, data).unwrap().expect("a dynamic section");
    let strings = sections.strings(endian, data, index).unwrap();
    dynamic
        .iter()
        .filter(|d| d.tag(endian) == object::elf::DT_NEEDED)
        .map(|d| String::from_utf8(d.string(endian, strings).unwrap().to_vec()).unwrap())
        .collect()
}

/// `list` and `check --all` of 300 profiles (read, parsed and resolved on every core, so on
/// threads whose blocks come from the allocator's pool) print the same under a limit on address
/// space (`ulimit -v`) too small for the whole pool as without one.
#[test]
fn worker_threads_run_alike_under_a_limit_on_address_space() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    for i in 0..300 {
        let profile = format!(
            "[profile]\nproduct = \"synthetic\"\nrelease = \"1.{i}\"\ndescription = \"root {i}\"\narches = [\"x86_64\", \"aarch64\"]\n\n[qemu]\npackage = \"qemu-kvm\"\nversion = \"2.12.0\"\nrw-whitelist = [\"qcow2\", \"raw\", \"file\"]\nro-whitelist = [\"vmdk\"]\n"
        );
        std::fs::write(dir.path().join(format!("p{i:03}.toml")), profile).unwrap();
    }
    let run = |args: &[&str], limit: Option<u64>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_drvpolicy"));
        command.arg("--profiles").arg(dir.path()).args(args).env_remove("DRVPOLICY_PROFILES");
        if let Some(limit) = limit {
            // SAFETY: setrlimit(2) is async-signal-safe, as pre_exec requires.
            unsafe {
                command.pre_exec(move || {
                    let limit = libc::rlimit { rlim_cur: limit, rlim_max: limit };
                    if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        command.output().unwrap()
    };
    for args in [&["list"][..], &["check", "--all"][..]] {
        let free = run(args, None);
        let limited = run(args, Some(1 << 30));
        assert_eq!(free.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&free.stderr));
        if args == ["list"] {
            // Every profile is listed: the header, then a row each.
            assert_eq!(String::from_utf8_lossy(&free.stdout).lines().filter(|l| l.starts_with('p')).count(), 300);
        }
        assert_eq!(
            (limited.status.code(), &limited.stdout, &limited.stderr),
            (free.status.code(), &free.stdout, &free.stderr),
            "{args:?}"
        );
    }
}
