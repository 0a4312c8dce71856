//! What the built binary asks of the dynamic loader (each shared object it needs is one more to
//! open, map and relocate at every start), and the `pow` it has of its own instead of libm's.

#![cfg(all(target_os = "linux", target_env = "gnu"))]

mod common;

use common::Case;
use object::{Object, ObjectSymbol};

#[test]
fn the_binary_needs_no_libm() {
    let path = env!("CARGO_BIN_EXE_drvpolicy");
    let bytes = std::fs::read(path).unwrap();
    let elf = object::File::parse(&*bytes).unwrap();
    let needed = match &elf {
        object::File::Elf64(elf) => elf_needed(elf),
        other => panic!("{path}: not a 64-bit ELF file ({:?})", other.format()),
    };
    assert!(needed.iter().any(|n| n.starts_with("libc.so")), "{path} needs {needed:?}");
    assert!(!needed.iter().any(|n| n.starts_with("libm.so")), "{path} needs {needed:?}");
    // `pow` is the binary's own (src/pow.rs), not an import.
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
