//! `drvpolicy verify`: the real qemu-img of this machine against debian-13, and saved help
//! texts of each shape (tests/fixtures/verify, see its README.md) for matches and mismatches.

mod common;
use common::Case;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/verify");

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

/// A qemu 2.12.0 build with libnfs, replication and vxhs compiled out: with these settings
/// qemu.md 1d's computed 2.12.0 list loses nfs, replication and vxhs (sorted-2.12.txt).
const EV_2_12: &str = r#"
[profile]
release = "1"
arches = ["x86_64"]

[qemu]
package = "qemu-kvm-ev"
version = "2.12.0"

[qemu.features]
libnfs = "disable"
replication = "disable"
vxhs = "disable"
"#;

#[test]
fn the_installed_qemu_img_matches_debian_13() {
    if !common::require_tool("qemu-img") {
        return;
    }
    let run = Case::new(["verify", "debian-13", "--arch", "x86_64", "--qemu-img", "qemu-img"]).run();
    run.exits(0)
        .stdout_has("binary:      qemu-img 10.0.2\n")
        .stdout_has("a wrapped \"Supported image formats:\" block, sorted, no duplicates; 42 names")
        .stdout_has("missing:     none")
        .stdout_has("unexpected:  none")
        // No block-*.so is installed here, yet rbd is listed (qemu.md section 4).
        .stdout_has("block-rbd (rbd)")
        .stdout_has("result: ok");
}

#[test]
fn rhel_7_3_qemu_img_of_the_seed_post_matches_the_profile() {
    // One unsorted, deduplicated line without cow: RHEL's 1.5.3 with the e855e4fb and 550830f9
    // backports. The list is the real one of seed-post.txt.
    let run =
        Case::new(["verify", "rhel-7.3", "--arch", "x86_64", "--help-text", &fixture("rhel-7.3-x86_64.txt")]).run();
    run.exits(0)
        .stdout_has("one \"Supported formats:\" line, unsorted, no duplicates; 30 names")
        .stdout_has("expected:    30 drivers")
        .stdout_has("result: ok");
}

#[test]
fn upstream_1_5_3_has_cow_which_rhel_deletes() {
    let run =
        Case::new(["verify", "rhel-7.3", "--arch", "x86_64", "--help-text", &fixture("upstream-1.5.3.txt")]).run();
    run.exits(1)
        .stdout_has("unsorted, with duplicates; 31 names")
        .stdout_has("cow                  the profile's backport `550830f9` (block: delete cow block driver) removes it (profiles/rhel-7.0.toml:")
        .stdout_has("the list repeats sheepdog, nbd, gluster")
        .stdout_has("result: mismatch");
}

#[test]
fn the_seed_post_list_on_a_tools_only_arch_has_rbd_too_many() {
    // ppc64le builds only the tools, from a bare configure that does not find librbd.
    let run =
        Case::new(["verify", "rhel-7.3", "--arch", "ppc64le", "--help-text", &fixture("rhel-7.3-x86_64.txt")]).run();
    run.exits(1)
        .stdout_has("unexpected:  1")
        .stdout_has("rbd                  the profile compiles it out: `rbd` is `unavailable`");
}

#[test]
fn a_sorted_2x_line_matches_and_mismatches() {
    let args = ["verify", "ev", "--arch", "x86_64", "--help-text", &fixture("sorted-2.12.txt")];
    Case::new(args).profile("ev", EV_2_12).run().exits(0).stdout_has("sorted, no duplicates; 36 names");

    // Without `libnfs = "disable"` configure would build nfs, which this qemu-img does not list.
    let with_nfs = EV_2_12.replace("libnfs = \"disable\"\n", "");
    let run = Case::new(args).profile("ev", &with_nfs).run();
    run.exits(1).stdout_has("missing:     1").stdout_has("nfs                  `libnfs` is not set");
}

#[test]
fn a_wrapped_block_without_rbd_is_a_mismatch_even_though_modules_are_listed_uninstalled() {
    let run = Case::new([
        "verify",
        "debian-13",
        "--arch",
        "x86_64",
        "--help-text",
        &fixture("debian-10.0.2-without-rbd.txt"),
    ])
    .run();
    run.exits(1)
        .stdout_has("missing:     1")
        .stdout_has("rbd ")
        .stdout_has("qemu-img 2.8+ would list it even without its module block-rbd installed, so it was not built");
}

#[test]
fn another_qemu_version_is_a_mismatch() {
    let run = Case::new(["verify", "rhel-7.3", "--arch", "x86_64", "--help-text", &fixture("debian-10.0.2.txt")]).run();
    run.exits(1).stdout_has("qemu-img 10.0.2  (the profile is qemu-kvm 1.5.3: MISMATCH)");
}

#[test]
fn json_shape() {
    let run = Case::new([
        "verify",
        "rhel-7.3",
        "--arch",
        "x86_64",
        "--help-text",
        &fixture("upstream-1.5.3.txt"),
        "--format",
        "json",
    ])
    .run();
    run.exits(1);
    let value = json(&run.stdout);
    assert_eq!(value["profile"], "rhel-7.3");
    assert_eq!(value["arch"], "x86_64");
    assert_eq!(value["qemu"], serde_json::json!({"package": "qemu-kvm", "version": "1.5.3"}));
    assert_eq!(value["source"]["kind"], "help-text");
    assert_eq!(value["source"]["exit_status"], Value::Null);
    assert_eq!(value["binary_version"], "1.5.3");
    assert_eq!(value["version_matches"], true);
    assert_eq!(value["shape"], "one-line");
    assert_eq!(value["sorted"], false);
    assert_eq!(value["duplicates"], serde_json::json!(["sheepdog", "nbd", "gluster"]));
    assert_eq!(value["listed"].as_array().unwrap().len(), 31);
    assert_eq!(value["expected"].as_array().unwrap().len(), 30);
    assert_eq!(value["missing"], serde_json::json!([]));
    assert_eq!(value["unexpected"][0]["name"], "cow");
    // The why and the profile line behind it, apart.
    assert_eq!(
        value["unexpected"][0]["why"],
        "the profile's backport `550830f9` (block: delete cow block driver) removes it"
    );
    assert_eq!(
        value["unexpected"][0]["origin"],
        serde_json::json!({"kind": "profile", "file": "profiles/rhel-7.0.toml", "line": 23, "column": 50})
    );
    assert_eq!(value["ok"], false);
}

/// A stand-in qemu-img: prints `text` and exits with `status`, as qemu 1.x does with 1.
#[cfg(unix)]
fn fake_qemu_img(case: Case, text_file: &str, status: i32) -> Case {
    use std::os::unix::fs::PermissionsExt;
    let case = case.file("qemu-img", &format!("#!/bin/sh\ncat '{text_file}'\nexit {status}\n"));
    let path = case.path("qemu-img");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    case
}

#[cfg(unix)]
#[test]
fn qemu_1x_help_exits_1_and_is_still_read() {
    let case =
        Case::new(["verify", "rhel-7.3", "--arch", "x86_64", "--qemu-img", "{dir}/qemu-img", "--format", "json"]);
    let run = fake_qemu_img(case, &fixture("rhel-7.3-x86_64.txt"), 1).run();
    run.exits(0);
    let value = json(&run.stdout);
    assert_eq!(value["source"]["kind"], "qemu-img");
    assert_eq!(value["source"]["exit_status"], 1);
    assert!(value["notes"][0].as_str().unwrap().contains("exited with status 1"));
}

#[cfg(unix)]
#[test]
fn no_format_list_is_an_error() {
    let case = Case::new(["verify", "rhel-7.3", "--arch", "x86_64", "--qemu-img", "{dir}/qemu-img"]);
    let run = fake_qemu_img(case.file("nothing.txt", "qemu-img: unknown option\n"), "nothing.txt", 1);
    // The script runs in the case directory, so the relative name works.
    run.run()
        .exits(2)
        .stderr_has("error[no-format-list]")
        .stderr_has("exited with status 1")
        .stderr_has("qemu-img: unknown option");
}

#[test]
fn help_text_from_standard_input() {
    let text = std::fs::read_to_string(fixture("rhel-7.3-x86_64.txt")).unwrap();
    Case::new(["verify", "rhel-7.3", "--arch", "x86_64", "--help-text", "-"]).stdin(&text).run().exits(0);
}

#[test]
fn bad_input_exits_2() {
    let help = fixture("rhel-7.3-x86_64.txt");
    Case::new(["verify", "rhel-7.3", "--arch", "s390x", "--help-text", &help])
        .run()
        .exits(2)
        .stderr_has("does not build `s390x`");
    Case::new(["verify", "rhel-7.3", "--arch", "x86_64", "--help-text", "/nonexistent/help.txt"])
        .run()
        .exits(2)
        .stderr_has("cannot read /nonexistent/help.txt");
    Case::new(["verify", "rhel-7.3", "--arch", "x86_64", "--qemu-img", "/nonexistent/qemu-img"])
        .run()
        .exits(2)
        .stderr_has("cannot run `/nonexistent/qemu-img --help`");
    // One of --qemu-img and --help-text, not both, not neither.
    Case::new(["verify", "rhel-7.3", "--arch", "x86_64"]).run().exits(2);
    Case::new(["verify", "rhel-7.3", "--arch", "x86_64", "--help-text", &help, "--qemu-img", "qemu-img"])
        .run()
        .exits(2);
}

#[test]
fn text_output_snapshot() {
    let run =
        Case::new(["verify", "rhel-7.3", "--arch", "x86_64", "--help-text", &fixture("upstream-1.5.3.txt")]).run();
    insta::assert_snapshot!("verify_upstream_1_5_3", run.stdout.replace(FIXTURES, "tests/fixtures/verify"));
}

#[test]
fn arch_defaults_to_the_host_when_the_profile_builds_it() {
    let host = match std::env::consts::ARCH {
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        other => other,
    };
    let run = Case::new(["verify", "rhel-7.3", "--help-text", &fixture("rhel-7.3-x86_64.txt")]).run();
    if ["x86_64", "ppc64le", "aarch64"].contains(&host) {
        run.stdout_has(&format!("verify rhel-7.3 on {host} (qemu-kvm 1.5.3)"));
    } else {
        run.exits(2).stderr_has("error[arch-needed]");
    }
    // A one-arch profile that this host does not build defaults to its arch all the same.
    let run = Case::new(["verify", "debian-13", "--help-text", &fixture("debian-10.0.2.txt")]).run();
    run.exits(0).stdout_has("verify debian-13 on x86_64 (qemu 10.0.2)");
}
