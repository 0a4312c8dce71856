//! `can`: a pipeline gate on the access model. Facts from shared/domain/rhel7.md: RHEL 7.2+
//! whitelists https read-only on x86_64 (1.5.3-91), the other arches build the tools only,
//! and libguestfs 7.0/7.1 patch rbd out of add_drive (7.2 lets it back in).

mod common;
use common::Case;

#[test]
fn granted_is_exit_0_with_the_deciding_layer() {
    let run =
        Case::new(["can", "rhel-7.3", "https", "--access", "ro", "--program", "emulator", "--arch", "x86_64"]).run();
    run.exits(0);
    assert_eq!(
        run.stdout,
        "x86_64: emulator ro https: granted by ro whitelist: in the ro whitelist only: read-only opens (e.g. as a backing file) (profiles/rhel-7.2.toml:20:32)\n"
    );
    // The tools ignore the whitelists: ssh is in neither list, yet qemu-img may write it.
    let run = Case::new(["can", "rhel-7.3", "ssh", "--access", "rw", "--program", "tools", "--arch", "x86_64"]).run();
    run.exits(0);
    assert_eq!(
        run.stdout,
        "x86_64: tools rw ssh: granted by whitelist in tools: off: qemu-img, qemu-io and qemu-nbd ignore the whitelists (default)\n"
    );
}

#[test]
fn refused_is_exit_1_with_what_the_program_gets_and_why() {
    let run =
        Case::new(["can", "rhel-7.3", "https", "--access", "rw", "--program", "emulator", "--arch", "x86_64"]).run();
    run.exits(1);
    assert_eq!(
        run.stdout,
        "x86_64: emulator rw https: refused (ro) by ro whitelist: in the ro whitelist only: read-only opens (e.g. as a backing file) (profiles/rhel-7.2.toml:20:32)\n"
    );
    // Ignoring the whitelists does not give the tools a write path the driver lacks.
    let run = Case::new(["can", "rhel-7.3", "https", "--access", "rw", "--program", "tools", "--arch", "x86_64"]).run();
    run.exits(1);
    assert_eq!(
        run.stdout,
        "x86_64: tools rw https: refused (ro) by capability: the https driver can never be opened read-write: the open does not check; the driver has no write support (catalogue: qemu 1.5.3: https)\n"
    );
    let run = Case::new(["can", "rhel-7.1", "rbd", "--access", "rw", "--program", "libguestfs"]).run();
    run.exits(1);
    assert_eq!(
        run.stdout,
        "x86_64: libguestfs rw rbd: refused (none) by libguestfs: add_drive's rbd protocol is removed by the downstream patch (profiles/rhel-7.0.toml:85:83)\n"
    );
}

#[test]
fn without_arch_every_arch_must_grant() {
    let run = Case::new(["can", "rhel-7.3", "rbd", "--access", "rw", "--program", "libguestfs"]).run();
    run.exits(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("x86_64: libguestfs rw rbd: granted by rw whitelist"), "{}", lines[0]);
    assert_eq!(
        lines[1],
        "ppc64le: libguestfs rw rbd: refused (none) by build: compiled out: rbd is unavailable (profiles/rhel-7.2.toml:32:20)"
    );
    assert!(lines[2].starts_with("aarch64: libguestfs rw rbd: refused"));
    // A one-arch profile that grants.
    Case::new(["can", "debian-13", "rbd", "--access", "rw", "--program", "emulator"]).run().exits(0);
}

#[test]
fn bad_input_is_exit_2() {
    Case::new(["can", "rhel-7.3", "rdb", "--access", "ro", "--program", "tools"])
        .run()
        .exits(2)
        .stderr_has("error[unknown-driver]: `rdb` is not a qemu block driver")
        .stderr_has("did you mean `rbd`?");
    Case::new(["can", "rhel-7.3", "rbd", "--access", "ro", "--program", "tools", "--arch", "s390x"])
        .run()
        .exits(2)
        .stderr_has("error[unknown-arch]");
    Case::new(["can", "rhel-7.3", "rbd", "--access", "none", "--program", "tools"]).run().exits(2);
    Case::new(["can", "rhel-7.3", "rbd", "--access", "ro", "--program", "qemu"]).run().exits(2);
}
