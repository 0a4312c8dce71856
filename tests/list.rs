//! `list` and the profile search path: the shipped profiles, DRVPOLICY_PROFILES (PATH-style,
//! an earlier directory wins) and --profiles (a later one wins), and the mark of a profile
//! that replaces a shipped one.

mod common;
use common::Case;

fn profile(release: &str, version: &str) -> String {
    format!(
        "[profile]\nproduct = \"t\"\nrelease = \"{release}\"\narches = [\"x86_64\"]\n[qemu]\npackage = \"qemu\"\nversion = \"{version}\"\n"
    )
}

#[test]
fn drvpolicy_profiles_is_a_path_style_list_and_profiles_win_over_it() {
    let case = Case::new(["list", "--format", "json"])
        .file("a/t-1.toml", &profile("1", "2.12.0"))
        .file("b/t-1.toml", &profile("1", "3.1.0"))
        .file("b/t-2.toml", &profile("2", "4.2.0"))
        .env("DRVPOLICY_PROFILES", "{dir}/a::{dir}/b");
    let run = case.run();
    run.exits(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let qemu = |name: &str| {
        json["profiles"].as_array().unwrap().iter().find(|p| p["name"] == name).map(|p| p["qemu"]["version"].clone())
    };
    // The earlier directory wins, as in PATH; the empty entry is skipped.
    assert_eq!(qemu("t-1").unwrap(), "2.12.0");
    assert_eq!(qemu("t-2").unwrap(), "4.2.0");
    assert!(qemu("rhel-7.3").is_some(), "the shipped profiles stay");

    let run = Case::new(["--profiles", "{dir}/b", "list", "--format", "json"])
        .file("a/t-1.toml", &profile("1", "2.12.0"))
        .file("b/t-1.toml", &profile("1", "3.1.0"))
        .env("DRVPOLICY_PROFILES", "{dir}/a")
        .run();
    run.exits(0).stdout_has("\"version\": \"3.1.0\"");
}

#[test]
fn a_missing_directory_in_drvpolicy_profiles_is_an_error() {
    let run = Case::new(["list"]).env("DRVPOLICY_PROFILES", "{dir}/nowhere").run();
    run.exits(2).stderr_has("error[io]: DRVPOLICY_PROFILES names ").stderr_has("nowhere, which is not a directory");
}

#[test]
fn list_marks_a_profile_that_replaces_a_shipped_one() {
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/rhel-7.0.toml")).unwrap();
    let run = Case::new(["list"]).profile("rhel-7.0", &shipped).run();
    run.exits(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "PROFILE         RELEASE  QEMU                  PARENT          ARCHES");
    let at = lines.iter().position(|l| l.starts_with("rhel-7.0")).unwrap();
    assert_eq!(lines[at], "rhel-7.0*       7.0      qemu-kvm 1.5.3        -               x86_64");
    assert_eq!(lines[at + 1], "rhel-7.1        7.1      qemu-kvm 1.5.3        rhel-7.0        x86_64");
    let note = format!("* rhel-7.0: {}/profiles/rhel-7.0.toml replaces the shipped profile", run.dir.display());
    assert_eq!(lines[lines.len() - 1], note);
    assert_eq!(lines[lines.len() - 2], "");

    let run = Case::new(["list", "--format", "json"])
        .profile("rhel-7.0", &shipped)
        .profile("mine-1", &profile("1", "2.12.0"))
        .run();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let entry = |name: &str| json["profiles"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap().clone();
    assert!(entry("rhel-7.0")["shadows_shipped"].as_str().unwrap().ends_with("/profiles/rhel-7.0.toml"));
    assert_eq!(entry("mine-1")["shadows_shipped"], serde_json::Value::Null);
    assert_eq!(entry("rhel-7.1")["shadows_shipped"], serde_json::Value::Null);

    // Without a replacement, nothing is marked.
    let plain = Case::new(["list"]).run();
    assert!(!plain.stdout.contains('*'), "{}", plain.stdout);
    assert!(plain.stdout.starts_with("PROFILE        RELEASE "));
}
