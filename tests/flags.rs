//! The block-driver flags of every shipped profile and arch, against the facts of
//! shared/domain/rhel7.md (sections 1 and 2) read as tables here, and against qemu.md 1e for
//! what each qemu version's configure takes.

mod common;
use common::Case;

fn arguments(profile: &str, arch: &str) -> Vec<String> {
    let run = Case::new(["generate", "configure", profile, "--arch", arch]).run();
    run.exits(0);
    run.stdout.lines().map(|l| l.trim_end_matches(" \\").to_string()).collect()
}

fn assert_flags(profile: &str, arch: &str, present: &[&str], absent: &[&str]) {
    let args = arguments(profile, arch);
    for flag in present {
        assert!(args.iter().any(|a| a == flag), "{profile}/{arch}: {flag} missing from {args:?}");
    }
    for flag in absent {
        assert!(!args.iter().any(|a| a == flag), "{profile}/{arch}: {flag} present in {args:?}");
    }
}

/// rhel7.md 1: the qemu-kvm 1.5.3 full build of 7.2 to 7.7 (x86_64), and a bare configure on
/// the tools-only arches of 7.2 to 7.5.
#[test]
fn qemu_kvm_block_flags_of_7_2_to_7_7() {
    let block = ["--enable-curl", "--enable-libssh2", "--enable-glusterfs", "--enable-rbd", "--disable-virtfs"];
    for profile in ["rhel-7.2", "rhel-7.3", "rhel-7.4", "rhel-7.5", "rhel-7.6", "rhel-7.7"] {
        assert_flags(profile, "x86_64", &block, &["--disable-rbd", "--disable-curl"]);
    }
    for profile in ["rhel-7.2", "rhel-7.3", "rhel-7.4", "rhel-7.5"] {
        for arch in ["ppc64le", "aarch64"] {
            assert_eq!(arguments(profile, arch), Vec::<String>::new(), "{profile}/{arch}: a bare configure");
        }
    }
    // 7.3.z and 7.4 add --iasl=/bin/false.
    assert_flags("rhel-7.4", "x86_64", &["--iasl=/bin/false"], &[]);
    assert_flags("rhel-7.3", "x86_64", &[], &["--iasl=/bin/false"]);
}

/// rhel7.md 2: qemu-kvm-rhev's build script, per version and arch.
#[test]
fn qemu_kvm_rhev_block_flags_per_version() {
    let always = [
        "--enable-curl",
        "--enable-libiscsi",
        "--disable-libnfs",
        "--enable-libssh2",
        "--disable-virtfs",
        "--disable-bzip2",
    ];
    // --enable-vhdx on 2.3 and 2.6; --enable-quorum on 2.3 only; glusterfs and rbd x86_64 only.
    for arch in ["x86_64", "ppc64", "ppc64le", "aarch64"] {
        let (gluster, rbd) = if arch == "x86_64" {
            ("--enable-glusterfs", "--enable-rbd")
        } else {
            ("--disable-glusterfs", "--disable-rbd")
        };
        let flags: Vec<&str> = always
            .iter()
            .copied()
            .chain(["--enable-vhdx", "--enable-quorum", "--disable-archipelago", gluster, rbd])
            .collect();
        assert_flags("rhel-7.2-rhev", arch, &flags, &[]);
        let flags: Vec<&str> = always.iter().copied().chain(["--enable-vhdx", gluster, rbd]).collect();
        assert_flags("rhel-7.3-rhev", arch, &flags, &["--enable-quorum"]);
    }
    // 2.10 adds s390x; vhdx's flag is obsolete from 2.8 and archipelago's is gone from 2.9 (qemu.md 1e).
    for arch in ["x86_64", "ppc64", "ppc64le", "aarch64", "s390x"] {
        assert_flags("rhel-7.5-rhev", arch, &always, &["--enable-vhdx", "--enable-quorum", "--disable-archipelago"]);
        // 2.12: --disable-replication; rbd on every arch (bz#1578664), glusterfs still x86_64 only.
        let gluster = if arch == "x86_64" { "--enable-glusterfs" } else { "--disable-glusterfs" };
        let flags: Vec<&str> =
            always.iter().copied().chain(["--disable-replication", "--enable-rbd", gluster]).collect();
        assert_flags("rhel-7.6-rhev", arch, &flags, &["--disable-rbd"]);
    }
}

/// qemu.md 1e: a flag the version's configure does not know fails the build, so no shipped
/// profile may carry one; `check` says the same for every profile.
#[test]
fn no_shipped_profile_has_an_option_its_qemu_rejects() {
    let run = Case::new(["check", "--all", "--deny-warnings", "--format", "json"]).run();
    run.exits(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["errors"], 0);
    assert_eq!(json["warnings"], 0);
    assert_eq!(json["profiles"].as_array().unwrap().len(), common::shipped_profiles().len());
}
