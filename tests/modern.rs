//! RHEL 8.9 to 10.2 and Fedora 43: the block-driver flags, modules and subpackages, libvirt's
//! storage backends, libguestfs and virt-v2v, checked against the facts of
//! shared/domain/modern.md as re-read in the specs (each profile cites its lines).

mod common;

use common::Case;
use serde_json::Value;
use std::collections::BTreeSet;

fn arguments(profile: &str, arch: &str) -> BTreeSet<String> {
    let run = Case::new(["generate", "configure", profile, "--arch", arch]).run();
    run.exits(0);
    run.stdout.lines().map(|l| l.trim_end_matches(" \\").to_string()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The formats and filters RHEL compiles out from 8.9 on (modern.md 1: "compiled out").
const RHEL_OFF: [&str; 13] = [
    "--disable-libnfs",
    "--disable-bochs",
    "--disable-cloop",
    "--disable-dmg",
    "--disable-qcow1",
    "--disable-qed",
    "--disable-vvfat",
    "--disable-parallels",
    "--disable-replication",
    "--disable-bzip2",
    "--disable-lzfse",
    "--disable-virtfs",
    "--enable-linux-aio",
];

const RW_89: &str = "qcow2,raw,file,host_device,nbd,iscsi,rbd,blkdebug,luks,null-co,nvme,copy-on-read,throttle";
const BLKIO: &str = "virtio-blk-vhost-vdpa,virtio-blk-vfio-pci,virtio-blk-vhost-user,io_uring,nvme-io_uring";

/// modern.md 1, RHEL 8.9: curl, iscsi, rbd, ssh on every arch, gluster on x86_64 only, its rw
/// list with gluster appended on x86_64 and the ro list vmdk,vhdx,vpc,https,ssh; no
/// whitelist-in-tools flag. Exactly these block-driver arguments, nothing else.
#[test]
fn rhel_8_9_passes_exactly_the_block_flags_of_its_spec() {
    for arch in ["x86_64", "ppc64le", "aarch64", "s390x"] {
        let (gluster, rw) = if arch == "x86_64" {
            ("--enable-glusterfs", format!("--block-drv-rw-whitelist={RW_89},gluster"))
        } else {
            ("--disable-glusterfs", format!("--block-drv-rw-whitelist={RW_89}"))
        };
        let mut expected = set(&RHEL_OFF);
        expected.extend(set(&[
            "--enable-curl",
            gluster,
            "--enable-libiscsi",
            "--enable-libssh",
            "--enable-rbd",
            "--disable-vdi",
            "--disable-linux-io-uring",
            "--enable-modules",
            "--enable-tools",
            "--disable-live-block-migration",
            &rw,
            "--block-drv-ro-whitelist=vmdk,vhdx,vpc,https,ssh",
        ]));
        assert_eq!(arguments("rhel-8.9", arch), expected, "rhel-8.9 {arch}");
    }
}

/// modern.md 1, RHEL 9.2 to 10.2: libiscsi, libssh and glusterfs compiled out, vdi on, curl
/// and rbd (and blkio from 9.3) modules, `--disable-block-drv-whitelist-in-tools`; the same
/// configure on the tools-only ppc64le; live block migration's flag gone with qemu 9.1.
#[test]
fn rhel_9_and_10_pass_exactly_the_block_flags_of_their_specs() {
    let rw_92 = format!("--block-drv-rw-whitelist={RW_89},compress");
    let rw_93 = format!("--block-drv-rw-whitelist={RW_89},compress,{BLKIO}");
    let cases: [(&str, &[&str], &str); 8] = [
        ("rhel-9.2", &["--disable-blkio", "--disable-linux-io-uring", "--disable-live-block-migration"], &rw_92),
        ("rhel-9.3", &["--enable-blkio", "--enable-linux-io-uring", "--disable-live-block-migration"], &rw_93),
        ("rhel-9.4", &["--enable-blkio", "--enable-linux-io-uring", "--disable-live-block-migration"], &rw_93),
        ("rhel-9.6", &["--enable-blkio", "--enable-linux-io-uring"], &rw_93),
        ("rhel-10.0", &["--enable-blkio", "--enable-linux-io-uring"], &rw_93),
        ("rhel-10.1", &["--enable-blkio", "--enable-linux-io-uring"], &rw_93),
        ("rhel-10.2", &["--enable-blkio", "--enable-linux-io-uring"], &rw_93),
        ("rhel-10.2", &["--enable-blkio", "--enable-linux-io-uring"], &rw_93),
    ];
    for (profile, own, rw) in cases {
        let mut arches = vec!["x86_64", "ppc64le", "aarch64", "s390x"];
        if profile == "rhel-10.1" || profile == "rhel-10.2" {
            arches.push("riscv64");
        }
        for arch in arches {
            let mut expected = set(&RHEL_OFF);
            expected.extend(set(own));
            expected.extend(set(&[
                "--enable-curl",
                "--disable-glusterfs",
                "--disable-libiscsi",
                "--disable-libssh",
                "--enable-rbd",
                "--enable-vdi",
                "--enable-modules",
                "--enable-tools",
                rw,
                "--block-drv-ro-whitelist=vdi,vmdk,vhdx,vpc,https",
                "--disable-block-drv-whitelist-in-tools",
            ]));
            assert_eq!(arguments(profile, arch), expected, "{profile} {arch}");
        }
    }
}

/// modern.md 2, Fedora qemu.spec 10.1.0: no whitelists, every format on, block drivers as
/// modules, and `--disable-block-drv-whitelist-in-tools` from its disable_everything.
#[test]
fn fedora_43_passes_exactly_the_block_flags_of_its_spec() {
    let expected = set(&[
        "--enable-blkio",
        "--enable-curl",
        "--enable-libiscsi",
        "--enable-libssh",
        "--enable-modules",
        "--enable-rbd",
        "--enable-bochs",
        "--enable-bzip2",
        "--enable-cloop",
        "--enable-dmg",
        "--enable-glusterfs",
        "--enable-libnfs",
        "--enable-parallels",
        "--enable-qcow1",
        "--enable-qed",
        "--enable-replication",
        "--enable-vdi",
        "--enable-vhdx",
        "--enable-virtfs",
        "--enable-vpc",
        "--enable-vvfat",
        "--disable-lzfse",
        "--enable-tools",
        "--enable-linux-aio",
        "--enable-linux-io-uring",
        "--disable-block-drv-whitelist-in-tools",
    ]);
    for arch in ["x86_64", "aarch64", "ppc64le", "s390x"] {
        assert_eq!(arguments("fedora-43", arch), expected, "fedora-43 {arch}");
    }
}

fn explain_json(args: &[&str]) -> Value {
    let run = Case::new(args.iter().copied().chain(["--format", "json"])).run();
    run.exits(0);
    serde_json::from_str(&run.stdout).unwrap()
}

fn program<'v>(view: &'v Value, program: &str) -> &'v Value {
    view["driver"]["blocks"][0]["access"].as_array().unwrap().iter().find(|p| p["program"] == program).unwrap()
}

fn layer<'v>(view: &'v Value, layer: &str) -> &'v Value {
    view["driver"]["blocks"][0]["layers"].as_array().unwrap().iter().find(|l| l["layer"] == layer).unwrap()
}

/// modern.md 1: rbd is a module in qemu-kvm-block-rbd, which the qemu-kvm metapackage requires;
/// block-curl is optional, so https needs it installed.
#[test]
fn module_drivers_say_which_subpackage_they_need() {
    let rbd = explain_json(&["explain", "rhel-9.3", "rbd", "--arch", "x86_64"]);
    let module = layer(&rbd, "module");
    assert_eq!(module["outcome"], "pass");
    assert!(
        module["detail"]
            .as_str()
            .unwrap()
            .starts_with("module %{_libdir}/qemu-kvm/block-rbd.so in qemu-kvm-block-rbd, which qemu-kvm requires"),
        "{module}"
    );
    let https = explain_json(&["explain", "rhel-9.3", "https", "--arch", "x86_64", "--installed", "default"]);
    let module = layer(&https, "module");
    assert_eq!(module["outcome"], "refuse");
    assert!(module["detail"].as_str().unwrap().contains("in qemu-kvm-block-curl, which qemu-kvm does not require"));
    assert_eq!(
        (program(&https, "emulator")["access"].as_str(), program(&https, "emulator")["layer"].as_str()),
        (Some("none"), Some("module"))
    );
    // With the subpackage installed, the emulator's ro whitelist decides again.
    let installed = explain_json(&[
        "explain",
        "rhel-9.3",
        "https",
        "--arch",
        "x86_64",
        "--installed",
        "default,qemu-kvm-block-curl",
    ]);
    assert_eq!(program(&installed, "emulator")["access"], "ro");
    assert_eq!(
        installed["installed"],
        serde_json::json!({"kind": "packages", "defaults": true, "names": ["qemu-kvm-block-curl"]})
    );
    // An unknown subpackage name is an error with a suggestion.
    Case::new(["explain", "rhel-9.3", "https", "--installed", "qemu-kvm-block-crul"])
        .run()
        .exits(2)
        .stderr_has("did you mean `qemu-kvm-block-curl`?");
}

/// modern.md 1: RHEL 9's tools-only ppc64le ships no block-* package (all their %files sit in
/// `%if !%{tools_only}`), so its tools cannot load curl or rbd.
#[test]
fn rhel_9_ppc64le_ships_no_block_modules() {
    let rbd = explain_json(&["explain", "rhel-9.2", "rbd", "--arch", "ppc64le"]);
    assert_eq!(program(&rbd, "tools")["access"], "none");
    assert_eq!(program(&rbd, "tools")["layer"], "module");
    assert_eq!(program(&rbd, "tools")["message"], "Unknown protocol 'rbd'");
    let qcow2 = explain_json(&["explain", "rhel-9.2", "qcow2", "--arch", "ppc64le"]);
    assert_eq!(program(&qcow2, "tools")["access"], "rw", "what is built in works");
    assert_eq!(program(&qcow2, "emulator")["access"], "none", "tools-only: no emulator");
}

/// modern.md 4: RHEL 9.2's libvirt has no gluster pool backend; 8.9's has one.
#[test]
fn libvirt_says_which_storage_pools_exist() {
    let gluster = explain_json(&["explain", "rhel-9.2", "gluster", "--arch", "x86_64"]);
    let libvirt = layer(&gluster, "libvirt");
    assert!(libvirt["detail"].as_str().unwrap().ends_with("storage pool backend: gluster not built"), "{libvirt}");
    let gluster = explain_json(&["explain", "rhel-8.9", "gluster", "--arch", "x86_64"]);
    assert!(layer(&gluster, "libvirt")["detail"].as_str().unwrap().ends_with("storage pool backend: gluster built"));
    // The matrix of every RHEL profile from 8.9 has libvirt's columns.
    for profile in ["rhel-8.9", "rhel-9.2", "rhel-9.3", "rhel-9.4", "rhel-9.6", "rhel-10.0", "rhel-10.1", "rhel-10.2"] {
        let run = Case::new(["matrix", profile, "--format", "json"]).run();
        run.exits(0);
        let view: Value = serde_json::from_str(&run.stdout).unwrap();
        let columns: Vec<&str> =
            view["columns"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(columns, ["emulator", "tools", "libvirt", "libguestfs", "libvirt-pool"], "{profile}");
        let pool = |driver: &str| {
            let row = view["rows"].as_array().unwrap().iter().find(|r| r["driver"] == driver).unwrap();
            row["groups"][0][4]["access"].as_str().unwrap().to_string()
        };
        assert_eq!(pool("rbd"), "yes", "{profile}: rbd pools on 64-bit arches");
        assert_eq!(pool("qcow2"), "n/a");
    }
}

/// modern.md 3: the RHEL patch removes nine protocols up to 9.5; from libguestfs 1.54 gluster,
/// sheepdog and tftp are gone upstream, and the patch removes the other six.
#[test]
fn libguestfs_tells_upstream_removals_from_the_patch() {
    let on_92 = explain_json(&["explain", "rhel-9.2", "gluster", "--arch", "x86_64"]);
    assert_eq!(
        layer(&on_92, "libguestfs")["detail"],
        "add_drive's gluster protocol is removed by the downstream patch"
    );
    let on_96 = explain_json(&["explain", "rhel-9.6", "gluster", "--arch", "x86_64"]);
    assert_eq!(
        layer(&on_96, "libguestfs")["detail"],
        "removed upstream in libguestfs 1.54.0: add_drive has no gluster protocol"
    );
    assert_eq!(program(&on_96, "libguestfs")["message"], "unknown protocol 'gluster'");
    let run = Case::new(["generate", "libguestfs", "rhel-10.2"]).run();
    run.exits(0).stdout_has("disabled (6):").stdout_has("allowed (3):").stdout_has("removed upstream (3):");
    // A patch list naming a protocol the version no longer has is a warning.
    let toml = "[profile]\nproduct = \"t\"\nrelease = \"1\"\ninherits = \"rhel-9.6\"\n[libguestfs]\ndisabled-protocols = { add = [\"gluster\"] }\n";
    Case::new(["check", "t"])
        .profile("t", toml)
        .run()
        .exits(0)
        .stdout_has("warning[protocol-removed-upstream]: libguestfs 1.54.0 has no `gluster` protocol");
}

/// modern.md 5: virt-v2v 2.x hands the appliance NBD sockets and qemu-nbd opens the source
/// formats; RHEL 9 keeps nbd and raw in the emulator and ignores the whitelists in the tools.
#[test]
fn virt_v2v_needs_are_met_on_rhel_9_and_10() {
    for profile in ["rhel-8.9", "rhel-9.2", "rhel-9.3", "rhel-10.2"] {
        let view = explain_json(&["explain", profile, "virt-v2v"]);
        assert_eq!(view["kind"], "consumer");
        let block = &view["consumer"]["blocks"][0];
        assert_eq!(block["arches"], serde_json::json!(["x86_64"]), "{profile}: virt-v2v is x86_64 only");
        for need in block["needs"].as_array().unwrap() {
            assert_eq!(need["met"], true, "{profile}: {need}");
        }
        let requires: Vec<&str> =
            block["requires"].as_array().unwrap().iter().map(|r| r["package"].as_str().unwrap()).collect();
        assert!(requires.contains(&"nbdkit-curl-plugin"), "{profile}: {requires:?}");
    }
}

/// The iscsi of RHEL 9's rw whitelist names a driver the spec compiles out; the profile says so
/// on purpose, and without that line check reports it.
#[test]
fn rhel_9_acknowledges_its_whitelisted_iscsi() {
    Case::new(["check", "rhel-9.2", "--deny-warnings"]).run().exits(0);
    let toml =
        "[profile]\nproduct = \"t\"\nrelease = \"1\"\ninherits = \"rhel-9.2\"\n[qemu]\nacknowledge-compiled-out = []\n";
    Case::new(["check", "t"]).profile("t", toml).run().exits(0).stdout_has(
        "warning[whitelisted-compiled-out]: `iscsi` is whitelisted but compiled out on x86_64, ppc64le, aarch64, s390x",
    );
}

/// modern.md 1: 8.9 to 9.2 drops block-gluster, block-iscsi and block-ssh, obsoleting them.
#[test]
fn diff_shows_the_subpackages_that_go() {
    let run = Case::new(["diff", "rhel-8.9", "rhel-9.2", "--layer", "subpackages", "--arch", "x86_64"]).run();
    run.exits(1)
        .stdout_has("  -block-gluster qemu-kvm-block-gluster required")
        .stdout_has("  -block-iscsi qemu-kvm-block-iscsi required")
        .stdout_has("  -block-ssh qemu-kvm-block-ssh required")
        .stdout_has("   block-curl qemu-kvm-block-curl required -> qemu-kvm-block-curl optional");
    let run = Case::new(["diff", "rhel-8.9", "rhel-9.2", "--layer", "qemu"]).run();
    run.exits(1).stdout_has("  +obsoletes qemu-kvm-block-gluster").stdout_has("   version 6.2.0 -> 7.2.0");
    let run = Case::new(["diff", "rhel-7.3", "rhel-9.2"]).run();
    run.exits(1).stdout_has("--- rhel-7.3 (qemu-kvm 1.5.3)").stdout_has("+++ rhel-9.2 (qemu-kvm 7.2.0)");
}

const SPEC_HEAD: &str = "Name: qemu-kvm\nVersion: 8.0.0\nRelease: 1\nEpoch: 17\nSummary: t\nLicense: GPLv2\n%{drvpolicy_requires_block_modules}\n%{drvpolicy_obsoletes_block_modules}\n\n%description\nt\n\n";

fn rpmspec_query(dir: &std::path::Path, spec: &str, arch: &str, format: &str) -> Vec<String> {
    let path = dir.join("q.spec");
    std::fs::write(&path, spec).unwrap();
    let out = std::process::Command::new("rpmspec")
        .args(["-q", &format!("--target={arch}"), "--qf", format])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "rpmspec on {arch}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

/// The subpackage stanzas, Requires and Obsoletes inside a spec, read by the real rpmspec:
/// modern.md 1, RHEL 9.3: block-blkio, block-curl, block-rbd on every arch but the tools-only
/// ppc64le; the metapackage requires blkio and rbd; gluster, iscsi and ssh are obsoleted.
#[test]
fn generated_subpackages_are_what_rpm_reads() {
    if !common::require_tool("rpmspec") {
        return;
    }
    let spec_of = |profile: &str| {
        let macros = Case::new(["generate", "subpackages", profile, "--macros"]).run();
        let packages = Case::new(["generate", "subpackages", profile]).run();
        format!("{}{SPEC_HEAD}{}", macros.exits(0).stdout, packages.exits(0).stdout)
    };
    let spec = spec_of("rhel-9.3");
    let dir = tempfile::tempdir().unwrap();
    let names = rpmspec_query(dir.path(), &spec, "x86_64", "%{NAME}\\n");
    assert_eq!(names, ["qemu-kvm", "qemu-kvm-block-blkio", "qemu-kvm-block-curl", "qemu-kvm-block-rbd"]);
    let names = rpmspec_query(dir.path(), &spec, "ppc64le", "%{NAME}\\n");
    assert_eq!(names, ["qemu-kvm"], "no block package on the tools-only ppc64le");
    let requires =
        rpmspec_query(dir.path(), &spec, "x86_64", "[%{REQUIRENAME} %{REQUIREFLAGS:deptype} %{REQUIREVERSION}\\n]");
    let main: Vec<&String> = requires.iter().filter(|r| r.starts_with("qemu-kvm-block-")).collect();
    assert_eq!(
        main,
        ["qemu-kvm-block-blkio manual 17:8.0.0-1", "qemu-kvm-block-rbd manual 17:8.0.0-1"],
        "the metapackage requires blkio and rbd, not curl"
    );
    let obsoletes = rpmspec_query(dir.path(), &spec, "x86_64", "[%{OBSOLETENAME}\\n]");
    assert!(
        obsoletes.starts_with(&[
            "qemu-kvm-block-gluster".to_string(),
            "qemu-kvm-block-iscsi".to_string(),
            "qemu-kvm-block-ssh".to_string()
        ]),
        "{obsoletes:?}"
    );
    // The %files of a module, as rpm expands them for x86_64's %{_libdir}.
    let path = dir.path().join("p.spec");
    std::fs::write(&path, &spec).unwrap();
    let parsed = std::process::Command::new("rpmspec").args(["-P", "--target=x86_64"]).arg(&path).output().unwrap();
    let parsed = String::from_utf8(parsed.stdout).unwrap();
    assert!(parsed.contains("%files block-rbd\n/usr/lib64/qemu-kvm/block-rbd.so\n"), "{parsed}");
    // RHEL 8.9: block-gluster only on x86_64.
    let spec = spec_of("rhel-8.9");
    assert!(rpmspec_query(dir.path(), &spec, "x86_64", "%{NAME}\\n").contains(&"qemu-kvm-block-gluster".to_string()));
    assert!(!rpmspec_query(dir.path(), &spec, "aarch64", "%{NAME}\\n").contains(&"qemu-kvm-block-gluster".to_string()));
}

/// modern.md 4: libvirt's meson options per release (RHEL 8.9: iscsi-direct on; 9.2: off, and
/// gluster off), and the spec's %define form with the same values.
#[test]
fn generate_libvirt_gives_the_storage_backend_options() {
    let run = Case::new(["generate", "libvirt", "rhel-8.9", "--arch", "x86_64"]).run();
    run.exits(0);
    let args: Vec<&str> = run.stdout.lines().map(|l| l.trim_end_matches(" \\")).collect();
    assert_eq!(
        args,
        [
            "-Dstorage_rbd=enabled",
            "-Dstorage_gluster=enabled",
            "-Dglusterfs=enabled",
            "-Dstorage_iscsi=enabled",
            "-Dstorage_iscsi_direct=enabled",
            "-Dlibiscsi=enabled",
            "-Dstorage_sheepdog=disabled",
            "-Dstorage_zfs=disabled",
            "-Dstorage_vstorage=disabled",
        ]
    );
    let run = Case::new(["generate", "libvirt", "rhel-9.2", "--arch", "x86_64"]).run();
    run.exits(0).stdout_has("-Dstorage_gluster=disabled \\\n").stdout_has("-Dstorage_iscsi_direct=disabled \\\n");
    // libvirt removed its sheepdog backend in 8.8.0 (9.2's libvirt.spec L647): 9.0 has no such option.
    assert!(!run.stdout.contains("sheepdog"), "{}", run.stdout);
    let run = Case::new(["generate", "libvirt", "rhel-9.2", "--format", "spec"]).run();
    run.exits(0).stdout_has("%define with_storage_gluster 0\n").stdout_has("%define with_storage_rbd 1\n");
    // libvirt 1.2.17 (RHEL 7.2's spec) builds with autotools; rbd and gluster only on x86_64
    // (its L182-194), sheepdog Fedora only; no vstorage or iscsi-direct backend exists yet.
    let arguments = |arch: &str| {
        let run = Case::new(["generate", "libvirt", "rhel-7.2", "--arch", arch]).run();
        run.exits(0);
        run.stdout.lines().map(|l| l.trim_end_matches(" \\").to_string()).collect::<Vec<_>>()
    };
    assert_eq!(
        arguments("x86_64"),
        [
            "--with-storage-rbd",
            "--with-storage-iscsi",
            "--without-storage-sheepdog",
            "--with-storage-gluster",
            "--without-storage-zfs"
        ]
    );
    assert_eq!(
        arguments("ppc64le"),
        [
            "--without-storage-rbd",
            "--with-storage-iscsi",
            "--without-storage-sheepdog",
            "--without-storage-gluster",
            "--without-storage-zfs"
        ]
    );
    Case::new(["generate", "libvirt", "debian-13"]).run().exits(2).stderr_has("describes no libvirt");
}

/// qemu-img 2.8+ lists module drivers whether or not the module file is installed, so verify
/// looks in the module directory and names the package to install (the real qemu-img here).
#[test]
fn verify_reports_uninstalled_modules_by_package() {
    if !common::require_tool("qemu-img") {
        return;
    }
    let case = Case::new([
        "verify",
        "debian-13",
        "--arch",
        "x86_64",
        "--qemu-img",
        "/usr/bin/qemu-img",
        "--module-dir",
        "{dir}/modules",
        "--format",
        "json",
    ])
    .file("modules/block-rbd.so", "");
    let run = case.run();
    run.exits(0);
    let view: Value = serde_json::from_str(&run.stdout).unwrap();
    let modules: Vec<(String, bool, String)> = view["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["module"].as_str().unwrap().to_string(),
                m["installed"].as_bool().unwrap(),
                m["subpackage"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(modules.contains(&("block-rbd".to_string(), true, "qemu-block-extra".to_string())), "{modules:?}");
    assert!(modules.contains(&("block-curl".to_string(), false, "qemu-block-extra".to_string())), "{modules:?}");
    assert!(
        modules.contains(&("block-gluster".to_string(), false, "qemu-block-supplemental".to_string())),
        "{modules:?}"
    );
    assert_eq!(view["ok"], true, "a module not installed is not a mismatch");
}

/// modern.md 5: what a consumer requires outside qemu's drivers is shown by check, not checked.
#[test]
fn check_lists_what_consumers_require_outside_the_model() {
    Case::new(["check", "rhel-9.3"]).run().exits(0).stdout_has(
        "  virt-v2v also requires (outside qemu's drivers, not checked): qemu-img, nbdkit-server, nbdkit-curl-plugin",
    );
}

/// modern.md 6: no whitelist makes the curl driver writable, so a need of https read-write is
/// unmet even in the tools, which ignore the whitelists; the capability layer says why.
#[test]
fn a_need_to_write_https_is_never_met() {
    let toml = r#"
[profile]
product = "t"
release = "1"
arches = ["x86_64"]

[qemu]
package = "qemu"
version = "10.0.2"

[consumers.uploader]
needs = [{ driver = "https", access = "rw", program = "tools", why = "writes the disk back" }]
"#;
    Case::new(["check", "t"])
        .profile("t", toml)
        .run()
        .exits(1)
        .stdout_has("error[need-not-met]: uploader needs read-write `https` in the tools (qemu-img, qemu-io, qemu-nbd) on x86_64, but the capability layer gives only read-only access")
        .stdout_has("= note: what the user sees: curl driver does not support writes");
}
