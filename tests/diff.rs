//! `drvpolicy diff`: declared and effective changes between profiles, checked against the
//! RHEL 7 facts of shared/domain/rhel7.md.

mod common;
use common::Case;
use drvpolicy::diff::{self, Changes, DiffLayer, Filter, Kind};
use drvpolicy::policy::Policy;
use drvpolicy::store::Store;
use serde_json::Value;

fn policy(store: &mut Store, name: &str) -> Policy {
    drvpolicy::resolve::resolve(store, name).unwrap_or_else(|_| panic!("{name} resolves")).policy
}

fn shipped(names: &[&str]) -> Vec<Policy> {
    let mut store = Store::new(&[]).expect("store");
    names.iter().map(|n| policy(&mut store, n)).collect()
}

fn json(args: &[&str]) -> (i32, Value) {
    let run = Case::new(args.iter().copied().chain(["--format", "json"])).run();
    assert!(run.code == 0 || run.code == 1, "exit {}\n{}", run.code, run.stderr);
    (run.code, serde_json::from_str(&run.stdout).expect("diff --format json is JSON"))
}

/// (kind, field, item) of every change of `layer` on `arch` (or profile-wide with `None`).
fn facts(changes: &Value, arch: Option<&str>, layer: &str) -> Vec<(String, String, String)> {
    let layers: Vec<&Value> = match arch {
        None => changes["profile"].as_array().unwrap().iter().collect(),
        Some(arch) => changes["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["arches"].as_array().unwrap().iter().any(|a| a == arch))
            .flat_map(|g| g["layers"].as_array().unwrap())
            .collect(),
    };
    layers
        .into_iter()
        .filter(|l| l["layer"] == layer)
        .flat_map(|l| l["changes"].as_array().unwrap())
        .map(|c| {
            let text = |v: &Value| v.as_str().unwrap_or("").to_string();
            let what = match (c["old"].as_str(), c["new"].as_str()) {
                (Some(o), Some(n)) => format!("{o} -> {n}"),
                (Some(o), None) => o.to_string(),
                (None, Some(n)) => n.to_string(),
                (None, None) => String::new(),
            };
            // A single value (no item) is named by its field: `version 1.28.1 -> 1.32.7`.
            let name = if c["item"].is_null() { text(&c["field"]) } else { text(&c["item"]) };
            let item = match c["program"].as_str() {
                Some(p) => format!("{name} {p}"),
                None => name,
            };
            (text(&c["kind"]), if what.is_empty() { item.clone() } else { format!("{item} {what}") }, text(&c["field"]))
        })
        .map(|(kind, what, field)| (kind, field, what))
        .collect()
}

fn has(list: &[(String, String, String)], kind: &str, field: &str, what: &str) -> bool {
    list.iter().any(|(k, f, w)| k == kind && f == field && w.trim() == what)
}

#[test]
fn a_profile_against_itself_is_empty_with_exit_0() {
    for name in common::shipped_profiles() {
        let run = Case::new(["diff", &name, &name]).run();
        run.exits(0);
        assert_eq!(run.stdout, "", "diff {name} {name} prints nothing");
        let (code, value) = json(&["diff", &name, &name]);
        assert_eq!(code, 0);
        assert_eq!(value["profile"], serde_json::json!([]));
        assert_eq!(value["groups"], serde_json::json!([]));
    }
}

#[test]
fn every_shipped_pair_mirrors_in_the_library() {
    let names = common::shipped_profiles();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let policies = shipped(&refs);
    for a in &policies {
        for b in &policies {
            let ab = diff::compare(a, b);
            let ba = diff::compare(b, a);
            assert_eq!(ba, ab.mirrored(), "compare({}, {}) mirrors compare({}, {})", b.name, a.name, a.name, b.name);
            assert_eq!(ab.is_empty(), a.name == b.name || ba.is_empty());
        }
    }
}

/// The JSON of `diff B A` is that of `diff A B` with added/removed and old/new swapped.
#[test]
fn diff_a_b_and_b_a_mirror_each_other_on_the_command_line() {
    fn mirror(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    let key = match k.as_str() {
                        "old" => "new",
                        "new" => "old",
                        other => other,
                    };
                    let v = match (k.as_str(), v.as_str()) {
                        ("kind", Some("added")) => Value::from("removed"),
                        ("kind", Some("removed")) => Value::from("added"),
                        _ => mirror(v),
                    };
                    out.insert(key.to_string(), v);
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(mirror).collect()),
            other => other.clone(),
        }
    }
    // Mirroring moves removed entries after added ones; the library re-sorts them, so compare
    // each layer's changes as sets of JSON texts.
    fn normalized(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter().map(|(k, v)| (k.clone(), if k == "changes" { sorted(v) } else { normalized(v) })).collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
            other => other.clone(),
        }
    }
    fn sorted(value: &Value) -> Value {
        let mut items: Vec<String> = value.as_array().unwrap().iter().map(|v| v.to_string()).collect();
        items.sort();
        Value::from(items)
    }
    for (a, b) in [("rhel-7.1", "rhel-7.2"), ("rhel-7.3", "rhel-7.3-rhev"), ("rhel-7.5-rhev", "rhel-7.6-rhev")] {
        let (code_ab, ab) = json(&["diff", a, b]);
        let (code_ba, ba) = json(&["diff", b, a]);
        assert_eq!((code_ab, code_ba), (1, 1));
        assert_eq!(normalized(&ba), normalized(&mirror(&ab)), "diff {b} {a}");
        // And removed entries still come before added ones in each direction.
        for changes in [&ab, &ba] {
            for group in changes["groups"].as_array().unwrap() {
                for layer in group["layers"].as_array().unwrap() {
                    let kinds: Vec<&str> =
                        layer["changes"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
                    let rank = |k: &&str| ["removed", "added", "changed"].iter().position(|r| r == k);
                    assert!(kinds.is_sorted_by_key(rank), "{kinds:?}");
                }
            }
        }
    }
}

/// rhel7.md section 1 (1.5.3-87, -90, -91) and section 3 (libguestfs 7.2 re-enables rbd).
#[test]
fn rhel_7_1_to_7_2_shows_what_really_changed() {
    let (code, changes) = json(&["diff", "rhel-7.1", "rhel-7.2"]);
    assert_eq!(code, 1);
    let arches = facts(&changes, None, "arches");
    assert!(has(&arches, "added", "arch", "ppc64le tools-only"), "{arches:?}");
    assert!(has(&arches, "added", "arch", "aarch64 tools-only"), "{arches:?}");
    assert_eq!(arches.len(), 2);
    // Nothing about the qemu package changed (qemu-kvm 1.5.3 throughout).
    assert!(facts(&changes, None, "qemu").is_empty());

    let x86 = Some("x86_64");
    let ro = facts(&changes, x86, "ro-whitelist");
    assert_eq!(ro.len(), 2, "{ro:?}");
    assert!(has(&ro, "added", "driver", "ssh") && has(&ro, "added", "driver", "https"), "{ro:?}");
    assert!(facts(&changes, x86, "rw-whitelist").is_empty());
    let features = facts(&changes, x86, "features");
    assert!(has(&features, "changed", "feature", "curl disable -> enable"), "{features:?}");
    assert!(has(&features, "changed", "feature", "libssh2 disable -> enable"), "{features:?}");
    assert_eq!(features.len(), 2);
    let libguestfs = facts(&changes, x86, "libguestfs");
    assert_eq!(libguestfs, [("removed".into(), "disabled-protocol".into(), "rbd".into())]);

    // What users feel: virt-v2v's https and ssh read-only in the emulator, rbd through libguestfs.
    let access = facts(&changes, x86, "access");
    for row in
        ["https emulator none -> ro", "ssh emulator none -> ro", "rbd libguestfs none -> rw", "https tools none -> ro"]
    {
        assert!(has(&access, "changed", "access", row), "{row} in {access:?}");
    }
    // http is compiled in now, but on neither whitelist: the emulator still refuses it.
    assert!(!access.iter().any(|(_, _, w)| w.starts_with("http emulator")), "{access:?}");
    // The new tools-only arches are reported as added, not compared.
    assert_eq!(changes["unchanged"], serde_json::json!([]));
    assert_eq!(changes["groups"].as_array().unwrap().len(), 1);
}

/// rhel7.md section 1: the 7.3 configure line equals 7.2's; only libguestfs (1.28.1 -> 1.32.7)
/// and libvirt (1.2.17 -> 2.0.0, profiles/rhel-7.3.toml) moved.
#[test]
fn rhel_7_2_to_7_3_changes_only_the_libguestfs_and_libvirt_versions() {
    let (code, changes) = json(&["diff", "rhel-7.2", "rhel-7.3"]);
    assert_eq!(code, 1);
    assert_eq!(changes["groups"], serde_json::json!([]));
    assert_eq!(changes["unchanged"], serde_json::json!(["x86_64", "ppc64le", "aarch64"]));
    let libguestfs = facts(&changes, None, "libguestfs");
    assert_eq!(libguestfs, [("changed".into(), "version".into(), "version 1.28.1 -> 1.32.7".into())]);
    let libvirt = facts(&changes, None, "libvirt");
    assert_eq!(libvirt, [("changed".into(), "version".into(), "version 1.2.17 -> 2.0.0".into())]);
    assert_eq!(changes["profile"].as_array().unwrap().len(), 2);
    // Every qemu-kvm layer on its own: no differences, exit 0.
    for layer in [
        "arches",
        "qemu",
        "build",
        "features",
        "rw-whitelist",
        "ro-whitelist",
        "whitelist-in-tools",
        "consumers",
        "access",
    ] {
        let run = Case::new(["diff", "rhel-7.2", "rhel-7.3", "--layer", layer]).run();
        run.exits(0);
        assert_eq!(run.stdout, "", "--layer {layer}");
    }
    Case::new(["diff", "rhel-7.2", "rhel-7.3", "--layer", "libguestfs"])
        .run()
        .exits(1)
        .stdout_has("version 1.28.1 -> 1.32.7");
}

#[test]
fn arches_with_identical_changes_fold_into_one_group() {
    let (_, changes) = json(&["diff", "rhel-7.3", "rhel-7.3-rhev"]);
    let groups: Vec<&Value> = changes["groups"].as_array().unwrap().iter().map(|g| &g["arches"]).collect();
    assert_eq!(groups, [&serde_json::json!(["x86_64"]), &serde_json::json!(["ppc64le", "aarch64"])]);
    // rhev builds the emulator on aarch64 (rhel7.md section 2): https becomes ro there.
    let access = facts(&changes, Some("aarch64"), "access");
    assert!(has(&access, "changed", "access", "https emulator none -> ro"), "{access:?}");
    let build = facts(&changes, Some("aarch64"), "build");
    assert!(has(&build, "changed", "mode", "mode tools-only -> full"), "{build:?}");
    let arches = facts(&changes, None, "arches");
    assert_eq!(arches, [("added".into(), "arch".into(), "ppc64 full".into())]);
}

#[test]
fn a_layer_filter_refolds_the_arches() {
    let mut policies = shipped(&["rhel-7.5-rhev", "rhel-7.6-rhev"]).into_iter();
    let (old, new) = (policies.next().unwrap(), policies.next().unwrap());
    let all = diff::compare(&old, &new);
    // x86_64 keeps glusterfs and differs from the other arches in rbd ...
    assert!(all.groups.len() > 1);
    // ... but their ro whitelists did not change, and the nvme row is the same everywhere.
    let ro = diff::compare_with(&old, &new, &Filter { layer: Some(DiffLayer::RoWhitelist), arch: None });
    assert!(ro.is_empty(), "{ro:?}");
    let rw = diff::compare_with(&old, &new, &Filter { layer: Some(DiffLayer::RwWhitelist), arch: None });
    let rows = |c: &Changes| -> Vec<(Vec<String>, Vec<String>)> {
        c.groups
            .iter()
            .map(|g| {
                (
                    g.arches.clone(),
                    g.layers[0]
                        .changes
                        .iter()
                        .map(|c| format!("{:?} {}", c.kind, c.item.as_deref().unwrap()))
                        .collect(),
                )
            })
            .collect()
    };
    // rhel7.md section 2: 7.6 adds nvme, copy-on-read and throttle; rbd joins the non-x86_64 list.
    assert_eq!(
        rows(&rw),
        [
            (
                vec!["x86_64".to_string()],
                vec!["Added nvme".into(), "Added copy-on-read".into(), "Added throttle".into()]
            ),
            (
                vec!["ppc64".into(), "ppc64le".into(), "aarch64".into(), "s390x".into()],
                vec!["Added rbd".into(), "Added nvme".into(), "Added copy-on-read".into(), "Added throttle".into()]
            ),
        ]
    );
    let one = diff::compare_with(&old, &new, &Filter { layer: None, arch: Some("s390x".into()) });
    assert_eq!(one.groups.len(), 1);
    assert_eq!(one.groups[0].arches, ["s390x"]);
    assert!(
        one.groups[0]
            .layers
            .iter()
            .all(|l| l.changes.iter().all(|c| c.kind != Kind::Removed || l.layer == DiffLayer::Build))
    );
}

const BASE: &str = r#"
[profile]
product = "test"
release = "1.0"
arches = ["x86_64"]

[qemu]
package = "qemu"
version = "2.12.0"
rw-whitelist = ["qcow2", "raw", "file"]
ro-whitelist = ["vmdk", "https", "ssh"]
"#;

#[test]
fn whitelists_compare_as_sets() {
    let reordered = BASE
        .replace(r#"["qcow2", "raw", "file"]"#, r#"["file", "qcow2", "raw"]"#)
        .replace(r#"["vmdk", "https", "ssh"]"#, r#"["ssh", "vmdk", "https"]"#);
    Case::new(["diff", "a", "b"]).profile("a", BASE).profile("b", &reordered).run().exits(0);
}

#[test]
fn list_members_show_in_each_sides_order() {
    let other = BASE.replace(r#"["vmdk", "https", "ssh"]"#, r#"["vpc", "vmdk", "dmg"]"#);
    let run = Case::new(["diff", "a", "b", "--layer", "ro-whitelist"]).profile("a", BASE).profile("b", &other).run();
    run.exits(1);
    assert_eq!(
        run.stdout,
        "--- a (qemu 2.12.0)\n+++ b (qemu 2.12.0)\n\n[x86_64]\nro-whitelist:\n  -https\n  -ssh\n  +vpc\n  +dmg\n"
    );
}

#[test]
fn bad_input_exits_2() {
    Case::new(["diff", "rhel-7.1", "rhel-7.2", "--layer", "whitelist"]).run().exits(2).stderr_has("possible values");
    Case::new(["diff", "rhel-7.1", "rhel-7.2", "--arch", "aarch65"])
        .run()
        .exits(2)
        .stderr_has("did you mean `aarch64`?");
    Case::new(["diff", "rhel-7.1", "rhel-7.22"]).run().exits(2).stderr_has("no profile named `rhel-7.22`");
    Case::new(["diff", "rhel-7.1", "rhel-7.2", "--generated", "configure", "--arch", "aarch64"])
        .run()
        .exits(2)
        .stderr_has("not built by both");
    Case::new(["diff", "rhel-7.1", "rhel-7.2", "--generated", "spec", "--format", "json"]).run().exits(2);
}

#[test]
fn generated_spec_diff_shows_the_configure_changes() {
    let run = Case::new(["diff", "rhel-7.1", "rhel-7.2", "--generated", "spec"]).run();
    run.exits(1);
    for line in [
        "-    --disable-curl \\",
        "+    --enable-curl \\",
        "+    --block-drv-ro-whitelist=vmdk,vhdx,vpc,ssh,https",
        "+%ifarch x86_64",
    ] {
        assert!(run.stdout.lines().any(|l| l == line), "{line:?} in\n{}", run.stdout);
    }
    insta::assert_snapshot!("generated_spec_7.1_7.2", run.stdout);
    let same = Case::new(["diff", "rhel-7.2", "rhel-7.3", "--generated", "spec"]).run();
    same.exits(0);
    assert_eq!(same.stdout, "");
}

#[test]
fn generated_configure_compares_every_common_arch() {
    let run = Case::new(["diff", "rhel-7.2", "rhel-7.2-rhev", "--generated", "configure"]).run();
    run.exits(1);
    for arch in ["x86_64", "ppc64le", "aarch64"] {
        run.stdout_has(&format!("+++ rhel-7.2-rhev (generate configure --arch {arch})"));
    }
    // ppc64 is built by rhev only: no side to compare with.
    assert!(!run.stdout.contains("--arch ppc64)"), "{}", run.stdout);
    let one = Case::new(["diff", "rhel-7.1", "rhel-7.2", "--generated", "configure", "--arch", "x86_64"]).run();
    one.exits(1).stdout_has("\n---disable-curl \\\n").stdout_has("\n+--enable-curl \\\n");
}

#[test]
fn generated_libguestfs_diff_shows_rbd_allowed_again() {
    let run = Case::new(["diff", "rhel-7.1", "rhel-7.2", "--generated", "libguestfs"]).run();
    run.exits(1).stdout_has("-disabled (10):").stdout_has("+disabled (9):").stdout_has("+allowed (3):");
}

#[test]
fn output_writes_the_file() {
    let run = Case::new(["diff", "rhel-7.2", "rhel-7.3", "--format", "markdown", "-o", "{dir}/changes.md"]).run();
    run.exits(1);
    assert_eq!(run.stdout, "");
    assert!(run.file("changes.md").contains("- version: 1.28.1 → 1.32.7"));
}

#[test]
fn snapshots_of_every_format() {
    for (old, new) in [("rhel-7.1", "rhel-7.2"), ("rhel-7.2", "rhel-7.3"), ("rhel-7.3", "rhel-7.3-rhev")] {
        for format in ["text", "markdown", "json", "rpm-changelog"] {
            let run = Case::new(["diff", old, new, "--format", format]).run();
            run.exits(1);
            insta::assert_snapshot!(format!("diff_{old}_{new}_{format}"), run.stdout);
        }
    }
    // Each release of the shipped series against the one before it.
    let series = [
        &["rhel-7.0", "rhel-7.1", "rhel-7.2", "rhel-7.3", "rhel-7.4", "rhel-7.5", "rhel-7.6", "rhel-7.7"][..],
        &["rhel-7.2-rhev", "rhel-7.3-rhev", "rhel-7.5-rhev", "rhel-7.6-rhev"][..],
    ];
    for pair in series.iter().flat_map(|s| s.windows(2)) {
        let (old, new) = (pair[0], pair[1]);
        for format in ["text", "markdown", "json", "rpm-changelog"] {
            let run = Case::new(["diff", old, new, "--format", format]).run();
            assert!(run.code <= 1, "{old} {new}: {}", run.stderr);
            insta::assert_snapshot!(format!("diff_series_{old}_{new}_{format}"), run.stdout);
        }
    }
    let markdown = Case::new(["diff", "rhel-7.3", "rhel-7.3", "--format", "markdown"]).run();
    markdown.exits(0);
    insta::assert_snapshot!("diff_same_markdown", markdown.stdout);
}

#[test]
fn arch_goes_with_generated_configure_only() {
    Case::new(["diff", "rhel-7.1", "rhel-7.2", "--generated", "libguestfs", "--arch", "x86_64"])
        .run()
        .exits(2)
        .stderr_has("--arch goes with --generated configure only");
    Case::new(["diff", "rhel-7.1", "rhel-7.2", "--generated", "configure", "--arch", "x86_64"]).run().exits(1);
}

/// The %changelog text rpm reads back from `spec` (its first entry), with the real rpmspec.
fn changelog_text(spec: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.spec");
    std::fs::write(&path, spec).unwrap();
    let out =
        std::process::Command::new("rpmspec").args(["-q", "--qf", "%{CHANGELOGTEXT}"]).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn spec_with_changelog(entry: &str) -> String {
    format!(
        "Name: c\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\n%description\nd\n\n%changelog\n* Mon Jan 01 2024 A Packager <a@example.com> - 1-1\n{entry}"
    )
}

#[test]
fn rpm_changelog_lines_are_what_rpm_keeps() {
    if !common::require_tool("rpmspec") {
        return;
    }
    for (old, new) in [("rhel-7.1", "rhel-7.2"), ("rhel-7.3", "rhel-7.3-rhev"), ("rhel-7.3", "rhel-7.3")] {
        let run = Case::new(["diff", old, new, "--format", "rpm-changelog"]).run();
        run.exits(if old == new { 0 } else { 1 });
        assert!(run.stdout.lines().all(|l| l.starts_with("- ")), "{}", run.stdout);
        assert_eq!(changelog_text(&spec_with_changelog(&run.stdout)), run.stdout.trim_end(), "{old} {new}");
    }
    let run = Case::new(["diff", "rhel-7.1", "rhel-7.2", "--format", "rpm-changelog", "--layer", "ro-whitelist"]).run();
    assert_eq!(
        run.stdout,
        "- qemu block drivers: rhel-7.1 (qemu-kvm 1.5.3) -> rhel-7.2 (qemu-kvm 1.5.3)\n- x86_64: ro-whitelist: added ssh\n- x86_64: ro-whitelist: added https\n"
    );
    // Today's markdown would lose its headings there.
    let markdown = Case::new(["diff", "rhel-7.1", "rhel-7.2", "--format", "markdown"]).run();
    assert_ne!(changelog_text(&spec_with_changelog(&markdown.stdout)), markdown.stdout.trim_end());
}

#[test]
fn rpm_changelog_doubles_percent_signs_that_profiles_bring() {
    if !common::require_tool("rpmspec") {
        return;
    }
    let profile = |patch: &str| {
        format!(
            "[profile]\nproduct = \"t\"\nrelease = \"1\"\narches = [\"x86_64\"]\n[qemu]\npackage = \"q\"\nversion = \"2.12.0\"\n[libguestfs]\nversion = \"1.40.2\"\npatch = \"{patch}\"\n"
        )
    };
    let run = Case::new(["diff", "t-1", "t-2", "--format", "rpm-changelog"])
        .profile("t-1", &profile("Disable protocols (%{name})"))
        .profile("t-2", &profile("Disable 100% of them * Mon Jan 01 2024 not an entry"))
        .run();
    run.exits(1).stdout_has("%%{name}").stdout_has("100%% of them");
    assert!(run.stdout.lines().all(|l| l.starts_with("- ")), "{}", run.stdout);
    let text = changelog_text(&spec_with_changelog(&run.stdout));
    assert!(
        text.contains("patch: Disable protocols (%{name}) -> Disable 100% of them * Mon Jan 01 2024 not an entry"),
        "{text}"
    );
    // A newline that would start a changelog entry of its own never loads (issue 10).
    Case::new(["diff", "t-1", "t-2", "--format", "rpm-changelog"])
        .profile("t-1", &profile("Disable protocols"))
        .profile("t-2", &profile("Disable them\\n* Mon Jan 01 2024 not an entry"))
        .run()
        .exits(2)
        .stderr_has("error[control-character]: the libguestfs patch contains the control character U+000A (line feed)");
}
