//! `generate`: snapshots of every generator on every shipped profile, and facts checked by
//! parsing the output against shared/domain/rhel7.md.

mod common;
use common::Case;

fn arches(profile: &str) -> Vec<String> {
    let run = Case::new(["show", profile, "--format", "json"]).run();
    run.exits(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    json["arches"].as_array().unwrap().iter().map(|a| a["arch"].as_str().unwrap().to_string()).collect()
}

#[test]
fn snapshots_of_every_generator_for_every_shipped_profile() {
    for profile in common::shipped_profiles() {
        for arch in arches(&profile) {
            let run = Case::new(["generate", "configure", &profile, "--arch", &arch]).run();
            run.exits(0);
            insta::assert_snapshot!(format!("configure-{profile}-{arch}"), run.stdout);
        }
        for style in ["inline", "globals", "macros"] {
            let run = Case::new(["generate", "spec", &profile, "--style", style]).run();
            run.exits(0);
            insta::assert_snapshot!(format!("spec-{style}-{profile}"), run.stdout);
        }
        for format in ["text", "markdown", "json"] {
            let run = Case::new(["generate", "libguestfs", &profile, "--format", format]).run();
            run.exits(0);
            insta::assert_snapshot!(format!("libguestfs-{format}-{profile}"), run.stdout);
        }
    }
}

/// Splits configure output (one argument a line, ` \` continuations) into arguments.
fn arguments(output: &str) -> Vec<String> {
    output.lines().map(|l| l.trim_end_matches(" \\").trim().to_string()).filter(|l| !l.is_empty()).collect()
}

fn list_of(arguments: &[String], flag: &str) -> Vec<String> {
    let prefix = format!("{flag}=");
    let found: Vec<&String> = arguments.iter().filter(|a| a.starts_with(&prefix)).collect();
    assert_eq!(found.len(), 1, "{flag} given {} times", found.len());
    found[0][prefix.len()..].split(',').map(str::to_string).collect()
}

#[test]
fn rhel_7_3_x86_64_configure_carries_the_real_whitelists_and_block_flags() {
    let run = Case::new(["generate", "configure", "rhel-7.3", "--arch", "x86_64"]).run();
    run.exits(0);
    let args = arguments(&run.stdout);
    // rhel7.md section 1: the 7.2-7.7 configure line of qemu-kvm 1.5.3.
    let rw = list_of(&args, "--block-drv-rw-whitelist");
    assert_eq!(rw, ["qcow2", "raw", "file", "host_device", "blkdebug", "nbd", "iscsi", "gluster", "rbd"]);
    let mut ro = list_of(&args, "--block-drv-ro-whitelist");
    ro.sort();
    assert_eq!(ro, ["https", "ssh", "vhdx", "vmdk", "vpc"]);
    for flag in ["--disable-virtfs", "--enable-curl", "--enable-libssh2", "--enable-glusterfs", "--enable-rbd"] {
        assert!(args.iter().any(|a| a == flag), "{flag} missing: {args:?}");
    }
    // Nothing else about block drivers: no other whitelist spelling, no rbd/curl disable.
    assert!(!args.iter().any(|a| a.starts_with("--block-drv-whitelist=")));
    for flag in ["--disable-rbd", "--disable-curl", "--disable-libssh2", "--disable-glusterfs", "--enable-virtfs"] {
        assert!(!args.iter().any(|a| a == flag), "{flag} present");
    }
    // The non-block flags of the same line (rhel7.md section 1).
    for flag in [
        "--disable-xen",
        "--enable-kvm",
        "--enable-spice",
        "--enable-seccomp",
        "--disable-live-block-migration",
        "--disable-live-block-ops",
    ] {
        assert!(args.iter().any(|a| a == flag), "{flag} missing");
    }
}

#[test]
fn rhel_7_3_tools_only_arches_get_a_bare_configure() {
    // rhel7.md section 1: every other arch gets a bare configure, no whitelists, no --enable-rbd.
    for arch in ["ppc64le", "aarch64"] {
        let run = Case::new(["generate", "configure", "rhel-7.3", "--arch", arch]).run();
        run.exits(0);
        assert_eq!(run.stdout, "", "{arch}");
    }
}

#[test]
fn rhev_whitelists_splice_gluster_and_rbd_only_where_built() {
    // rhel7.md section 2: 7.2 rw `qcow2,raw,file,host_device,nbd,iscsi,[gluster,][rbd,]blkdebug`.
    let x86 = arguments(&Case::new(["generate", "configure", "rhel-7.2-rhev", "--arch", "x86_64"]).run().stdout);
    assert_eq!(
        list_of(&x86, "--block-drv-rw-whitelist").join(","),
        "qcow2,raw,file,host_device,nbd,iscsi,gluster,rbd,blkdebug"
    );
    let power = arguments(&Case::new(["generate", "configure", "rhel-7.2-rhev", "--arch", "ppc64le"]).run().stdout);
    assert_eq!(list_of(&power, "--block-drv-rw-whitelist").join(","), "qcow2,raw,file,host_device,nbd,iscsi,blkdebug");
    assert!(power.contains(&"--disable-rbd".to_string()));
    // 7.6: 7.5 + nvme, copy-on-read, throttle; rbd on every arch from 2.12.0-3.
    let s390 = arguments(&Case::new(["generate", "configure", "rhel-7.6-rhev", "--arch", "s390x"]).run().stdout);
    assert_eq!(
        list_of(&s390, "--block-drv-rw-whitelist").join(","),
        "qcow2,raw,file,host_device,nbd,iscsi,rbd,blkdebug,luks,null-co,nvme,copy-on-read,throttle"
    );
    assert_eq!(list_of(&s390, "--block-drv-ro-whitelist").join(","), "vmdk,vhdx,vpc,https,ssh");
}

#[test]
fn libguestfs_list_is_the_rhel_7_2_patch() {
    // rhel7.md section 3: 7.2 onward disable ftp, ftps, http, https, tftp, gluster, iscsi, sheepdog, ssh.
    let run = Case::new(["generate", "libguestfs", "rhel-7.3", "--format", "list"]).run();
    run.exits(0);
    assert_eq!(run.stdout, "ftp\nftps\nhttp\nhttps\ntftp\ngluster\niscsi\nsheepdog\nssh\n");
    let run = Case::new(["generate", "libguestfs", "rhel-7.1", "--format", "list"]).run();
    assert!(run.stdout.lines().any(|l| l == "rbd"), "7.0 and 7.1 also disable rbd");
    let json: serde_json::Value =
        serde_json::from_str(&Case::new(["generate", "libguestfs", "rhel-7.3", "--format", "json"]).run().stdout)
            .unwrap();
    let allowed: Vec<&str> =
        json["groups"][0]["allowed"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(allowed, ["file", "nbd", "rbd"]);
}

#[test]
fn meson_dialect_for_meson_built_qemu_only() {
    let run = Case::new(["generate", "configure", "debian-13", "--arch", "x86_64", "--dialect", "meson"]).run();
    run.exits(0);
    // blkio is `unavailable`: no flag; Debian sets no whitelist; debian/rules:163 --enable-modules.
    assert_eq!(run.stdout, "-Dmodules=enabled\n");
    let toml = "[profile]\nproduct = \"t\"\nrelease = \"1\"\narches = [\"x86_64\"]\n[qemu]\npackage = \"qemu\"\nversion = \"8.2.0\"\nrw-whitelist = [\"qcow2\", \"raw\"]\nro-whitelist = [\"vmdk\"]\nwhitelist-in-tools = true\n[qemu.features]\nrbd = \"disable\"\nlibssh = \"enable\"\n";
    let run = Case::new(["generate", "configure", "m", "--arch", "x86_64", "--dialect", "meson", "--one-line"])
        .profile("m", toml)
        .run();
    run.exits(0);
    assert_eq!(
        run.stdout,
        "-Drbd=disabled -Dlibssh=enabled -Dblock_drv_rw_whitelist=qcow2,raw -Dblock_drv_ro_whitelist=vmdk -Dblock_drv_whitelist_in_tools=true\n"
    );
    let run = Case::new(["generate", "configure", "rhel-7.3", "--arch", "x86_64", "--dialect", "meson"]).run();
    run.exits(2).stderr_has("qemu 1.5.3 is built with configure only");
}

#[test]
fn configure_one_line_and_continuations() {
    let run = Case::new(["generate", "configure", "rhel-7.2-rhev", "--arch", "ppc64", "--one-line"]).run();
    run.exits(0);
    assert_eq!(run.stdout.lines().count(), 1);
    assert!(run.stdout.starts_with("--enable-curl --enable-libiscsi "));
    let run = Case::new(["generate", "configure", "rhel-7.2-rhev", "--arch", "ppc64"]).run();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[..lines.len() - 1].iter().all(|l| l.ends_with(" \\")));
    assert!(!lines.last().unwrap().ends_with('\\'));
}

#[test]
fn output_is_byte_identical_from_run_to_run() {
    let first = Case::new(["generate", "spec", "rhel-7.6-rhev", "--style", "globals"]).run().stdout;
    for _ in 0..3 {
        assert_eq!(Case::new(["generate", "spec", "rhel-7.6-rhev", "--style", "globals"]).run().stdout, first);
    }
}

#[test]
fn output_file_is_written_whole_or_not_at_all() {
    let run = Case::new(["generate", "spec", "rhel-7.3", "--output", "{dir}/qemu.inc"]).run();
    run.exits(0);
    assert_eq!(run.stdout, "");
    assert_eq!(run.file("qemu.inc"), Case::new(["generate", "spec", "rhel-7.3"]).run().stdout);
    let leftovers: Vec<_> = std::fs::read_dir(&run.dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".drvpolicy-"))
        .collect();
    assert!(leftovers.is_empty());
    // A failing generation leaves an existing file as it was.
    let run = Case::new([
        "generate",
        "configure",
        "rhel-7.3",
        "--arch",
        "x86_64",
        "--dialect",
        "meson",
        "--output",
        "{dir}/keep",
    ])
    .file("keep", "old\n")
    .run();
    run.exits(2);
    assert_eq!(run.file("keep"), "old\n");
    Case::new(["generate", "spec", "rhel-7.3", "--output", "/nonexistent/dir/x.inc"])
        .run()
        .exits(2)
        .stderr_has("cannot write");
}

#[test]
fn templates_can_be_overridden_and_unknown_variables_are_errors() {
    let run = Case::new(["--templates", "{dir}/t", "generate", "configure", "rhel-7.3", "--arch", "x86_64"])
        .file("t/configure.j2", "{{ profile }}/{{ arch }}: {{ arguments|length }} arguments\n")
        .run();
    run.exits(0);
    assert_eq!(run.stdout, "rhel-7.3/x86_64: 25 arguments\n");
    let run = Case::new(["--templates", "{dir}/t", "generate", "configure", "rhel-7.3", "--arch", "x86_64"])
        .file("t/configure.j2", "{{ no_such_variable }}\n")
        .run();
    run.exits(2).stderr_has("error[template]").stderr_has("configure.j2").stderr_has("undefined");
    // Other templates still come from the binary.
    Case::new(["--templates", "{dir}/t", "generate", "spec", "rhel-7.3"])
        .file("t/configure.j2", "x")
        .run()
        .exits(0)
        .stdout_has("%ifarch x86_64");
}

#[test]
fn list_and_show() {
    let run = Case::new(["list"]).run();
    run.exits(0);
    insta::assert_snapshot!("list", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&Case::new(["list", "--format", "json"]).run().stdout).unwrap();
    let names: Vec<&str> = json["profiles"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), common::shipped_profiles().len());
    // Ordered by product, then release as a version.
    let rhel: Vec<&str> = names.iter().copied().filter(|n| n.starts_with("rhel-7.") && !n.ends_with("rhev")).collect();
    assert_eq!(rhel, ["rhel-7.0", "rhel-7.1", "rhel-7.2", "rhel-7.3", "rhel-7.4", "rhel-7.5", "rhel-7.6", "rhel-7.7"]);

    let run = Case::new(["show", "rhel-7.3", "--arch", "x86_64"]).run();
    run.exits(0);
    insta::assert_snapshot!("show-rhel-7.3-x86_64", run.stdout);
    let run = Case::new(["show", "rhel-7.3", "--format", "json"]).run();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["parents"], serde_json::json!(["rhel-7.2", "rhel-7.1", "rhel-7.0"]));
    let aarch64 = &json["arches"][2];
    assert_eq!(aarch64["arch"], "aarch64");
    assert_eq!(aarch64["build"]["value"], "tools-only");
    assert!(aarch64["compiled_out"].as_array().unwrap().iter().any(|d| d["name"] == "rbd"));
    // Provenance: the ro whitelist's ssh came from rhel-7.2's `add`.
    let x86 = &json["arches"][0];
    let ssh = x86["ro_whitelist"].as_array().unwrap().iter().find(|d| d["value"] == "ssh").unwrap();
    assert_eq!(
        ssh["origin"],
        serde_json::json!({"kind": "profile", "file": "profiles/rhel-7.2.toml", "line": 20, "column": 25})
    );
}

#[test]
fn inherit_false_starts_the_qemu_section_afresh() {
    let parent = "[profile]\nproduct = \"t\"\nrelease = \"1\"\narches = [\"x86_64\", \"aarch64\"]\n[qemu]\npackage = \"qemu-kvm\"\nversion = \"1.5.3\"\nbackports = [\"b64ec4e4\"]\nextra-args = [\"--prefix=/usr\"]\nrw-whitelist = [\"qcow2\"]\nro-whitelist = [\"vmdk\"]\n[qemu.features]\ncurl = \"enable\"\n[arch.aarch64.qemu]\nbuild = \"tools-only\"\n";
    let child = "[profile]\nproduct = \"t\"\nrelease = \"2\"\ninherits = \"parent\"\n[qemu]\ninherit = false\npackage = \"qemu-kvm-rhev\"\nversion = \"2.3.0\"\nrw-whitelist = [\"raw\"]\n";
    let case = || {
        Case::new(["generate", "configure", "child", "--arch", "aarch64"])
            .profile("parent", parent)
            .profile("child", child)
    };
    // Nothing of the parent's [qemu]: no extra args, no features, and aarch64 is a full build again.
    case().run().exits(0);
    assert_eq!(case().run().stdout, "--block-drv-rw-whitelist=raw\n");
    let run = Case::new(["generate", "configure", "parent", "--arch", "x86_64", "--one-line"])
        .profile("parent", parent)
        .run();
    assert_eq!(
        run.stdout,
        "--prefix=/usr --enable-curl --block-drv-rw-whitelist=qcow2 --block-drv-ro-whitelist=vmdk\n"
    );
}

/// Extra arguments with shell quoting, on one arch.
const QUOTED: &str = r#"
[profile]
product = "t"
release = "1"
arches = ["x86_64"]

[qemu]
package = "qemu-kvm"
version = "2.12.0"
extra-args = ["--extra-cflags=\"-O2 -g\"", "--with-pkgversion='t 1'", "--prefix=/usr"]
rw-whitelist = ["qcow2", "raw"]
features = { curl = "enable" }
"#;

#[test]
fn configure_as_json_and_nul_separated_words_are_what_a_shell_passes() {
    let one_line = Case::new(["generate", "configure", "quoted", "--one-line"]).profile("quoted", QUOTED).run();
    one_line.exits(0);
    // The real shell's words for the one-line text, each ended by NUL.
    let shell = std::process::Command::new("sh")
        .args(["-c", &format!("printf '%s\\0' {}", one_line.stdout.trim_end())])
        .output()
        .unwrap();
    let shell_words = String::from_utf8(shell.stdout).unwrap();
    assert_eq!(shell_words.split_terminator('\0').count(), 5, "{shell_words:?}");

    let null = Case::new(["generate", "configure", "quoted", "-0"]).profile("quoted", QUOTED).run();
    null.exits(0);
    assert_eq!(null.stdout, shell_words);
    assert!(null.stdout.starts_with("--extra-cflags=-O2 -g\0--with-pkgversion=t 1\0--prefix=/usr\0"));

    let run = Case::new(["generate", "configure", "quoted", "--format", "json"]).profile("quoted", QUOTED).run();
    run.exits(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["arch"], "x86_64");
    assert_eq!(json["dialect"], "configure");
    let words: Vec<&str> = json["arguments"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    assert_eq!(words, shell_words.split_terminator('\0').collect::<Vec<_>>());
    assert!(json.get("one_line").is_none(), "no rendering choice in JSON: {json}");

    Case::new(["generate", "configure", "quoted", "-0", "--format", "json"]).profile("quoted", QUOTED).run().exits(2);
    Case::new(["generate", "configure", "quoted", "-0", "--one-line"]).profile("quoted", QUOTED).run().exits(2);
}

#[test]
fn arch_defaults_to_the_only_arch_and_is_needed_otherwise() {
    let with = Case::new(["generate", "configure", "debian-13", "--arch", "x86_64", "--dialect", "meson"]).run();
    let without = Case::new(["generate", "configure", "debian-13", "--dialect", "meson"]).run();
    without.exits(0);
    assert_eq!(without.stdout, with.stdout);
    let run = Case::new(["generate", "configure", "rhel-7.3"]).run();
    run.exits(2);
    assert_eq!(
        run.stderr,
        "error[arch-needed]: `rhel-7.3` builds several arches: pass --arch\n = help: the arches: x86_64, ppc64le, aarch64\n\n"
    );
}
