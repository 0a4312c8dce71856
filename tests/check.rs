//! `drvpolicy check`: one fixture profile per diagnostic (tests/fixtures/check), each asserted
//! by code, severity and file:line:col in the text output and in the JSON; the shipped
//! profiles pass with --deny-warnings.

mod common;
use common::Case;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/check");

fn check(args: &[&str]) -> Case {
    Case::new(["--profiles", FIXTURES, "check"].iter().chain(args))
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

/// Checks `fixture` and asserts that it has the diagnostic `code` of `severity` at
/// `line:column` of the fixture, in the text output and in the JSON. Returns the JSON diagnostic.
fn finds(fixture: &str, exit: i32, code: &str, severity: &str, line: u64, column: u64) -> Value {
    let text = check(&[fixture]).run();
    text.exits(exit).stdout_has(&format!("{severity}[{code}]")).stdout_has(&format!("{fixture}.toml:{line}:{column}"));

    let run = check(&[fixture, "--format", "json"]).run();
    run.exits(exit);
    let value = json(&run.stdout);
    let profile = &value["profiles"][0];
    assert_eq!(profile["profile"], fixture);
    let found = profile["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == code);
    let d = found.unwrap_or_else(|| panic!("no {code} in\n{}", run.stdout)).clone();
    assert_eq!(d["severity"], severity);
    assert_eq!(d["location"]["line"], line);
    assert_eq!(d["location"]["column"], column);
    assert!(d["location"]["file"].as_str().unwrap().ends_with(&format!("tests/fixtures/check/{fixture}.toml")));
    d
}

// Errors.

#[test]
fn an_option_the_qemu_version_rejects_is_an_error() {
    // --enable-libssh exists from qemu 4.1 (qemu.md 1e); 1.5.3 builds ssh with libssh2.
    let d = finds("unsupported-option", 1, "unsupported-option", "error", 13, 10);
    assert!(d["message"].as_str().unwrap().contains("--enable-libssh"));
    assert!(d["help"].as_str().unwrap().contains("use `libssh2`"));
}

#[test]
fn a_need_of_a_compiled_out_driver_names_the_build_layer() {
    let d = finds("need-compiled-out", 1, "need-not-met", "error", 18, 3);
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("virt-v2v needs read-only `https` in the emulator on x86_64"), "{message}");
    assert!(message.contains("the build layer refuses it: compiled out: curl is disable"), "{message}");
    // The second label points at the setting that decides it.
    let labels = d["labels"].as_array().unwrap();
    assert!(labels.iter().any(|l| l["location"]["line"] == 14 && l["primary"] == false));
    assert!(d["help"].as_str().unwrap().contains("curl = \"enable\""));
}

#[test]
fn a_need_in_no_whitelist_names_the_ro_whitelist_and_the_error_users_see() {
    let d = finds("need-not-whitelisted", 1, "need-not-met", "error", 19, 3);
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("the ro whitelist layer refuses it: in neither whitelist"), "{message}");
    assert_eq!(d["help"], "add \"https\" to the ro whitelist for x86_64");
    // qemu 2.12's message (qemu.md 2c).
    let notes = d["notes"].as_array().unwrap();
    assert!(notes.iter().any(|n| n == "what the user sees: Driver 'https' is not whitelisted"));
}

#[test]
fn the_loader_rejects_an_unknown_driver_with_a_suggestion() {
    let d = finds("unknown-driver", 2, "unknown-driver", "error", 10, 33);
    assert_eq!(d["help"], "did you mean `rbd`?");
}

#[test]
fn invalid_toml_is_reported_and_an_error_of_the_run() {
    let run =
        Case::new(["check", "broken"]).profile("broken", "[profile]\nrelease = \"1\"\narches = [\"x86_64\"\n").run();
    run.exits(2).stdout_has("error[toml-syntax]").stdout_has("broken.toml:3:");
}

#[test]
fn a_missing_parent_is_reported_at_inherits() {
    let run =
        Case::new(["check", "child"]).profile("child", "[profile]\nrelease = \"1\"\ninherits = \"rhel-7.33\"\n").run();
    run.exits(2)
        .stdout_has("error[missing-parent]")
        .stdout_has("child.toml:3:12")
        .stdout_has("did you mean `rhel-7.3`?");
}

#[test]
fn every_problem_is_collected_even_when_resolution_fails() {
    let run = check(&["several", "--format", "json"]).run();
    run.exits(1);
    let value = json(&run.stdout);
    let codes: Vec<&str> =
        value["profiles"][0]["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    // Errors first, then in file order.
    assert_eq!(codes, ["unsupported-option", "need-not-met", "rw-and-ro", "whitelisted-compiled-out"]);
    assert_eq!(value["profiles"][0]["errors"], 2);
    assert_eq!(value["profiles"][0]["warnings"], 2);
    assert_eq!(value["status"], "findings");
}

// Warnings.

#[test]
fn a_whitelisted_driver_compiled_out_names_the_arches() {
    let d = finds("whitelisted-compiled-out", 0, "whitelisted-compiled-out", "warning", 10, 41);
    assert_eq!(d["message"], "`rbd` is whitelisted but compiled out on ppc64le, aarch64");
    assert!(d["help"].as_str().unwrap().contains("acknowledge-compiled-out"));
    check(&["whitelisted-compiled-out", "--deny-warnings"]).run().exits(1).stdout_has("(warnings denied)");
}

#[test]
fn an_acknowledged_compiled_out_driver_is_silent() {
    check(&["acknowledged-compiled-out", "--deny-warnings"]).run().exits(0).stdout_has("acknowledged-compiled-out: ok");
}

#[test]
fn a_driver_in_both_whitelists_is_a_warning() {
    let d = finds("rw-and-ro", 0, "rw-and-ro", "warning", 11, 25);
    assert_eq!(d["message"], "`vpc` is in both the rw and the ro whitelist on x86_64");
}

#[test]
fn a_whitelisted_name_the_qemu_version_lacks_is_a_warning() {
    // luks arrives in qemu 2.6 (qemu.md 1a).
    let d = finds("not-in-version", 0, "driver-not-in-version", "warning", 11, 41);
    assert!(d["message"].as_str().unwrap().starts_with("qemu 2.3.0 has no `luks` driver"));
    assert_eq!(d["help"], "it exists from qemu 2.6.0");
}

#[test]
fn a_libguestfs_protocol_whose_driver_is_compiled_out_is_a_warning() {
    let d = finds("protocol-without-driver", 0, "protocol-without-driver", "warning", 13, 7);
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("libguestfs leaves the `rbd` protocol enabled"), "{message}");
    assert!(message.contains("cannot open `rbd` on x86_64 (build layer: compiled out: rbd is disabled)"), "{message}");
    assert!(d["help"].as_str().unwrap().contains("unknown protocol 'rbd'"));
}

#[test]
fn a_libguestfs_protocol_the_whitelists_refuse_says_what_users_see() {
    let toml = "[profile]\nrelease = \"1\"\narches = [\"x86_64\"]\n[qemu]\npackage = \"q\"\nversion = \"2.12.0\"\n\
rw-whitelist = [\"qcow2\", \"file\"]\n[libguestfs]\nversion = \"1.36.3\"\n\
disabled-protocols = [\"ftp\", \"ftps\", \"http\", \"https\", \"tftp\", \"gluster\", \"iscsi\", \"rbd\", \"sheepdog\", \"ssh\"]\n";
    let run = Case::new(["check", "p", "--format", "json"]).profile("p", toml).run();
    run.exits(0);
    let value = json(&run.stdout);
    let diagnostics = value["profiles"][0]["diagnostics"].as_array().unwrap();
    // file is rw-whitelisted; nbd is left to libguestfs but in no whitelist.
    assert_eq!(diagnostics.len(), 1, "{}", run.stdout);
    assert!(diagnostics[0]["message"].as_str().unwrap().contains("`nbd` protocol"));
    assert!(
        diagnostics[0]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "what the user sees now: Driver 'nbd' is not whitelisted")
    );
}

#[test]
fn tools_only_arches_are_not_checked_for_libguestfs() {
    // No emulator: libguestfs there runs on another package's qemu (RHBZ#1177910).
    let toml = "[profile]\nrelease = \"1\"\narches = [\"aarch64\"]\n[qemu]\npackage = \"q\"\nversion = \"1.5.3\"\n\
build = \"tools-only\"\n[libguestfs]\nversion = \"1.28.1\"\ndisabled-protocols = [\"ssh\"]\n";
    Case::new(["check", "p", "--deny-warnings"]).profile("p", toml).run().exits(0).stdout_has("p: ok");
}

#[test]
fn the_shipped_acknowledgement_of_rbd_off_x86_64_is_needed() {
    // rhel-7.2-rhev builds rbd on x86_64 only, and the libguestfs patch leaves rbd enabled.
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/rhel-7.2-rhev.toml")).unwrap();
    let without: String =
        shipped.lines().filter(|l| !l.starts_with("acknowledge-compiled-out")).map(|l| format!("{l}\n")).collect();
    assert_ne!(shipped, without, "the acknowledgement is no longer in rhel-7.2-rhev.toml");
    // The warning points at the `rbd = "disable"` of the arch selector.
    let setting = r#"features = { glusterfs = "disable", rbd = "disable" }"#;
    let line = without.lines().position(|l| l == setting).expect("the selector's features") + 1;
    let column = setting.find(r#""disable" }"#).unwrap() + 1;
    let run = Case::new(["check", "rhel-7.2-rhev", "rhel-7.3-rhev"]).profile("rhel-7.2-rhev", &without).run();
    run.exits(0)
        .stdout_has("warning[protocol-without-driver]: libguestfs leaves the `rbd` protocol enabled, but the emulator cannot open `rbd` on ppc64, ppc64le, aarch64")
        .stdout_has(&format!("rhel-7.2-rhev.toml:{line}:{column}"))
        // The child inherits the same problem: shown once in full, then referred to.
        .stdout_has("(shown in full for rhel-7.2-rhev)");
}

#[test]
fn removing_what_the_parent_never_had_is_a_warning() {
    let d = finds("remove-absent", 0, "remove-absent", "warning", 8, 28);
    assert!(d["message"].as_str().unwrap().contains("removes `vpc` from the ro whitelist"));
}

#[test]
fn a_feature_enabled_and_disabled_for_one_arch_is_a_warning() {
    let d = finds("conflicting-feature", 0, "conflicting-feature", "warning", 15, 20);
    assert_eq!(d["message"], "`rbd` is set to `enable` and to `disable` for ppc64le by two arch selectors");
    let labels = d["labels"].as_array().unwrap();
    assert!(labels.iter().any(|l| l["location"]["line"] == 12 && l["message"] == "overridden"));
}

// The shipped profiles, the run and its exit statuses.

#[test]
fn shipped_profiles_pass_with_denied_warnings() {
    let count = common::shipped_profiles().len();
    Case::new(["check", "--all", "--deny-warnings"])
        .run()
        .exits(0)
        .stdout_has(&format!("checked {count} profiles: 0 errors, 0 warnings"));
    let run = Case::new(["check", "--all", "--format", "json"]).run();
    run.exits(0);
    let value = json(&run.stdout);
    assert_eq!(value["status"], "ok");
    assert_eq!(value["profiles"].as_array().unwrap().len(), count);
}

#[test]
fn json_shape() {
    let run = check(&["rw-and-ro", "base", "--format", "json", "--deny-warnings"]).run();
    run.exits(1);
    let value = json(&run.stdout);
    assert_eq!(value["status"], "findings");
    assert_eq!(value["deny_warnings"], true);
    assert_eq!(value["errors"], 0);
    assert_eq!(value["warnings"], 1);
    let profiles = value["profiles"].as_array().unwrap();
    assert_eq!(profiles[1]["profile"], "base");
    assert_eq!(profiles[1]["diagnostics"], Value::Array(vec![]));
    let d = &profiles[0]["diagnostics"][0];
    for key in ["code", "severity", "message", "location", "labels", "help", "notes"] {
        assert!(d.get(key).is_some(), "no {key} in {d}");
    }
}

#[test]
fn text_output_snapshot() {
    let run = check(&["need-compiled-out"]).run();
    run.exits(1);
    insta::assert_snapshot!("check_need_compiled_out", run.stdout.replace(FIXTURES, "tests/fixtures/check"));
}

#[test]
fn an_unknown_profile_name_is_bad_input() {
    Case::new(["check", "rhel-7.33"])
        .run()
        .exits(2)
        .stderr_has("no profile named `rhel-7.33`")
        .stderr_has("did you mean `rhel-7.3`?");
}

#[test]
fn an_unreadable_profile_file_is_an_error_of_the_run() {
    let case = Case::new(["--profiles", "{dir}/profiles", "check", "unreadable"]);
    std::fs::create_dir_all(case.path("profiles/unreadable.toml")).unwrap();
    case.run().exits(2).stdout_has("error[io]").stdout_has("cannot read");
}

#[test]
fn profiles_or_all_is_required() {
    Case::new(["check"]).run().exits(2).stderr_has("--all");
    Case::new(["check", "rhel-7.3", "--all"]).run().exits(2);
}
