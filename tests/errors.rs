//! Bad input: exit status 2 and a diagnostic naming file:line:col with the source line, a
//! caret and, where a near name exists, "did you mean".

mod common;
use common::Case;

const GOOD_HEAD: &str = "[profile]\nproduct = \"test\"\nrelease = \"1.0\"\narches = [\"x86_64\"]\n\n[qemu]\npackage = \"qemu\"\nversion = \"10.0.2\"\n";

fn show(name: &str, toml: &str) -> common::Run {
    Case::new(["show", name]).profile(name, toml).run()
}

#[test]
fn toml_syntax_error_points_at_the_line() {
    let run = show("bad", "[profile\nrelease = \"1\"\n");
    run.exits(2).stderr_has("error[toml-syntax]").stderr_has("profiles/bad.toml:1:9").stderr_has("[profile");
}

#[test]
fn wrong_type_says_what_was_expected() {
    let run = show("bad", &format!("{GOOD_HEAD}rw-whitelist = \"qcow2\"\n"));
    run.exits(2)
        .stderr_has("error[wrong-type]: expected an array")
        .stderr_has("found a string")
        .stderr_has("profiles/bad.toml:9:16");
}

#[test]
fn unknown_key_suggests_the_near_key() {
    let run = show("bad", &format!("{GOOD_HEAD}rw-whitelsit = [\"qcow2\"]\n"));
    run.exits(2)
        .stderr_has("unknown key `rw-whitelsit` in [qemu]")
        .stderr_has("did you mean `rw-whitelist`?")
        .stderr_has("bad.toml:9:1");
}

#[test]
fn unknown_driver_suggests_rbd_for_rdb() {
    let run = show("bad", &format!("{GOOD_HEAD}rw-whitelist = [\"qcow2\", \"rdb\"]\n"));
    run.exits(2)
        .stderr_has("error[unknown-driver]: unknown qemu block driver `rdb`")
        .stderr_has("bad.toml:9:26")
        .stderr_has("9 | rw-whitelist = [\"qcow2\", \"rdb\"]")
        .stderr_has("^^^^^")
        .stderr_has("did you mean `rbd`?");
}

#[test]
fn unknown_arch_in_list_and_selector() {
    let toml = GOOD_HEAD.replace("[\"x86_64\"]", "[\"x86_64\", \"aarch46\"]")
        + "\n[arch.\"!x86_46\".qemu]\nbuild = \"tools-only\"\n";
    let run = show("bad", &toml);
    run.exits(2)
        .stderr_has("unknown architecture `aarch46`")
        .stderr_has("bad.toml:4:21")
        .stderr_has("did you mean `aarch64`?")
        .stderr_has("unknown architecture `x86_46` in the selector `!x86_46`")
        .stderr_has("bad.toml:10:7")
        .stderr_has("did you mean `x86_64`?");
}

#[test]
fn unknown_feature_suggests_the_catalogue_name() {
    let run = show("bad", &format!("{GOOD_HEAD}\n[qemu.features]\ngluster = \"disable\"\n"));
    run.exits(2)
        .stderr_has("unknown build option `gluster`")
        .stderr_has("bad.toml:11:1")
        .stderr_has("did you mean `glusterfs`?");
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let toml = format!("{GOOD_HEAD}colour = 1\nrw-whitelist = [\"rdb\"]\n\n[qemu.features]\ncurl = \"enabled\"\n");
    let run = show("bad", &toml);
    run.exits(2);
    let errors = run.stderr.matches("error[").count();
    assert_eq!(errors, 3, "{}", run.stderr);
    // In file order.
    let key = run.stderr.find("unknown-key").unwrap();
    let driver = run.stderr.find("unknown-driver").unwrap();
    let value = run.stderr.find("bad-value").unwrap();
    assert!(key < driver && driver < value, "{}", run.stderr);
}

#[test]
fn inheritance_cycle_names_the_chain() {
    let a = "[profile]\nproduct = \"t\"\nrelease = \"1\"\ninherits = \"b\"\n";
    let b = "[profile]\nproduct = \"t\"\nrelease = \"2\"\ninherits = \"a\"\n";
    let run = Case::new(["show", "a"]).profile("a", a).profile("b", b).run();
    run.exits(2)
        .stderr_has("error[inheritance-cycle]: profiles inherit in a cycle: a -> b -> a")
        .stderr_has("b.toml:4:12");
}

#[test]
fn missing_parent_names_the_chain_and_a_near_name() {
    let child = "[profile]\nproduct = \"t\"\nrelease = \"1\"\ninherits = \"rhel-7.33\"\n";
    let run = Case::new(["show", "child"]).profile("child", child).run();
    run.exits(2)
        .stderr_has("error[missing-parent]: profile `child` inherits `rhel-7.33`, which is not on the search path")
        .stderr_has("child.toml:4:12")
        .stderr_has("chain: child -> rhel-7.33")
        .stderr_has("did you mean `rhel-7.3`?");
}

#[test]
fn an_option_the_qemu_version_rejects_is_an_error() {
    // libssh2 is the ssh option of qemu 1.5 to 4.0 only (qemu.md 1e); 10.0.2's configure fails on it.
    let run = show("bad", &format!("{GOOD_HEAD}\n[qemu.features]\nlibssh2 = \"enable\"\n"));
    run.exits(2)
        .stderr_has("error[unsupported-option]: qemu 10.0.2's configure does not accept --enable-libssh2")
        .stderr_has("bad.toml:11:11")
        .stderr_has("in 10.0.2 use `libssh`");
}

#[test]
fn a_ro_whitelist_without_the_option_is_an_error() {
    // Upstream 1.5.3 only knows --block-drv-whitelist= (qemu.md 2a); RHEL has it through b64ec4e4.
    let toml = GOOD_HEAD.replace("10.0.2", "1.5.3") + "ro-whitelist = [\"vmdk\"]\n";
    let run = show("bad", &toml);
    run.exits(2)
        .stderr_has("qemu 1.5.3's configure has no --block-drv-ro-whitelist option")
        .stderr_has("bad.toml:9:17")
        .stderr_has("backport `b64ec4e4`");
}

#[test]
fn a_profile_name_suggests_the_same_name_in_another_case_then_the_nearest_release() {
    let run = Case::new(["show", "RHEL-7.3"]).run();
    run.exits(2);
    assert_eq!(
        run.stderr,
        "error[unknown-profile]: no profile named `RHEL-7.3`\n = help: did you mean `rhel-7.3`?\n\n"
    );
    let run = Case::new(["generate", "spec", "rhel-7.8"]).run();
    run.exits(2);
    assert_eq!(
        run.stderr,
        "error[unknown-profile]: no profile named `rhel-7.8`\n = help: did you mean `rhel-7.7`?\n\n"
    );
    Case::new(["diff", "rhel-7.3", "rhel-7.4-rhev"]).run().exits(2).stderr_has("did you mean `rhel-7.3-rhev`?");
    // The same rule for a parent.
    let child = "[profile]\nproduct = \"t\"\nrelease = \"1\"\ninherits = \"rhel-7.8\"\n";
    Case::new(["show", "child"]).profile("child", child).run().exits(2).stderr_has("did you mean `rhel-7.7`?");
}

#[test]
fn unknown_profile_and_arch_on_the_command_line() {
    Case::new(["show", "rhel-7.33"])
        .run()
        .exits(2)
        .stderr_has("no profile named `rhel-7.33`")
        .stderr_has("did you mean `rhel-7.3`?");
    Case::new(["generate", "configure", "rhel-7.3", "--arch", "aarch46"])
        .run()
        .exits(2)
        .stderr_has("profile `rhel-7.3` does not build `aarch46`")
        .stderr_has("did you mean `aarch64`?");
}

#[test]
fn unknown_command_line_values_are_usage_errors() {
    Case::new(["generate", "spec", "rhel-7.3", "--style", "fancy"]).run().exits(2).stderr_has("invalid value 'fancy'");
    Case::new(["frobnicate"]).run().exits(2).stderr_has("unrecognized subcommand");
}

#[test]
fn a_missing_profile_directory_is_an_error() {
    Case::new(["--profiles", "/nonexistent/drvpolicy", "list"])
        .run()
        .exits(2)
        .stderr_has("cannot read the profile directory");
}

#[test]
fn no_panic_on_odd_input() {
    for text in [
        "",
        "\u{0}",
        "[arch]\nx = 1\n",
        "[[qemu]]\n",
        "[profile]\nrelease = \"\"\n",
        "[qemu]\nversion = \"x\"\n",
        "[arch.\"\".qemu]\n",
    ] {
        let run = show("odd", text);
        assert_eq!(run.code, 2, "{text:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{text:?}: {}", run.stderr);
    }
}

#[test]
fn a_release_candidate_is_not_a_qemu_version() {
    let toml = GOOD_HEAD.replace("\"10.0.2\"", "\"10.0.2-rc1\"");
    show("bad", &toml)
        .exits(2)
        .stderr_has("error[bad-version]: `10.0.2-rc1` is not a qemu release version")
        .stderr_has("bad.toml:8:11")
        .stderr_has("9.2.91");
}

#[test]
fn a_version_past_the_catalogue_is_a_warning() {
    let toml = GOOD_HEAD.replace("\"10.0.2\"", "\"11.2.0\"");
    show("new", &toml)
        .exits(0)
        .stderr_has("warning[version-beyond-catalogue]: qemu 11.2.0 is newer than the catalogue, whose facts were read up to qemu 10.1.0")
        .stderr_has("new.toml:8:11");
}

#[test]
fn version_ranges_read_as_alternatives() {
    // qemu.md 1a: --disable-vhdx is real in 1.7-2.7, ignored 2.8-7.2, rejected by 8.0, real from 8.1.
    let toml = GOOD_HEAD.replace("\"10.0.2\"", "\"8.0.0\"") + "\n[qemu.features]\nvhdx = \"disable\"\n";
    show("bad", &toml)
        .exits(2)
        .stderr_has("qemu 8.0.0's configure does not accept --disable-vhdx")
        .stderr_has("configure accepts it in qemu >=1.7, <2.8 or >=8.1 (accepted and ignored in >=2.8, <8.0)");
}

#[test]
fn list_reports_every_broken_profile_and_lists_the_rest() {
    let broken = "[profile\n";
    let cycle_a = "[profile]\nproduct = \"t\"\nrelease = \"1\"\ninherits = \"cycle-b\"\n";
    let cycle_b = "[profile]\nproduct = \"t\"\nrelease = \"2\"\ninherits = \"cycle-a\"\n";
    let run =
        Case::new(["list"]).profile("broken", broken).profile("cycle-a", cycle_a).profile("cycle-b", cycle_b).run();
    run.exits(2).stdout_has("rhel-7.3").stderr_has("error[toml-syntax]").stderr_has("error[inheritance-cycle]");
}
