//! `drvpolicy history`: release series as timelines, checked against shared/domain/rhel7.md.

mod common;
use common::Case;
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let run = Case::new(args.iter().copied().chain(["--format", "json"])).run();
    run.exits(0);
    serde_json::from_str(&run.stdout).expect("history --format json is JSON")
}

fn profiles(timeline: &Value) -> Vec<&str> {
    timeline["releases"].as_array().unwrap().iter().map(|r| r["profile"].as_str().unwrap()).collect()
}

/// (profile, program, old -> new, arches) of a driver's events.
fn events(timeline: &Value, driver: &str) -> Vec<String> {
    let Some(d) = timeline["drivers"].as_array().unwrap().iter().find(|d| d["driver"] == driver) else {
        return Vec::new();
    };
    d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let arches: Vec<&str> = e["arches"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
            format!(
                "{} {} {} -> {} {}",
                e["profile"].as_str().unwrap(),
                e["program"].as_str().unwrap(),
                e["old"].as_str().unwrap(),
                e["new"].as_str().unwrap(),
                arches.join(",")
            )
        })
        .collect()
}

#[test]
fn a_product_is_every_release_of_it_in_release_order() {
    let timeline = json(&["history", "rhel"]);
    assert_eq!(timeline["product"], "rhel");
    // One timeline from RHEL 7.0 to 10.2, ordered by release as a version (10.0 after 9.6).
    assert_eq!(
        profiles(&timeline),
        [
            "rhel-7.0",
            "rhel-7.1",
            "rhel-7.2",
            "rhel-7.3",
            "rhel-7.4",
            "rhel-7.5",
            "rhel-7.6",
            "rhel-7.7",
            "rhel-8.9",
            "rhel-9.2",
            "rhel-9.3",
            "rhel-9.4",
            "rhel-9.6",
            "rhel-10.0",
            "rhel-10.1",
            "rhel-10.2"
        ]
    );
    let by_flag = json(&["history", "--product", "rhel"]);
    assert_eq!(by_flag, timeline);
    let rhev = json(&["history", "rhel-rhev"]);
    assert_eq!(profiles(&rhev), ["rhel-7.2-rhev", "rhel-7.3-rhev", "rhel-7.5-rhev", "rhel-7.6-rhev"]);
}

#[test]
fn each_release_carries_its_diff_from_the_one_before() {
    let timeline = json(&["history", "rhel"]);
    let releases = timeline["releases"].as_array().unwrap();
    assert_eq!(releases[0]["changes"], Value::Null);
    assert_eq!(releases[0]["previous"], Value::Null);
    for pair in releases.windows(2) {
        assert_eq!(pair[1]["previous"], pair[0]["profile"]);
        assert_eq!(pair[1]["changes"]["old"]["profile"], pair[0]["profile"]);
    }
    // The same data as `diff rhel-7.2 rhel-7.3`.
    let run = Case::new(["diff", "rhel-7.2", "rhel-7.3", "--format", "json"]).run();
    let mut diff: Value = serde_json::from_str(&run.stdout).unwrap();
    // The diff's document is versioned on its own; the history's changes are inside its own.
    let object = diff.as_object_mut().unwrap();
    assert_eq!((object.remove("schema"), object.remove("schema_version")), (Some("diff".into()), Some(1.into())));
    assert_eq!(releases[3]["changes"], diff);
    // rhel7.md section 1: 7.6 sets ExclusiveArch: x86_64, dropping the tools-only arches.
    let arches = &releases[6]["changes"]["profile"][0];
    assert_eq!(arches["layer"], "arches");
    let removed: Vec<&str> =
        arches["changes"].as_array().unwrap().iter().map(|c| c["item"].as_str().unwrap()).collect();
    assert_eq!(removed, ["ppc64le", "aarch64"]);
}

/// rhel7.md: rbd enabled natively in 7.1 (bz#1140742), re-allowed by libguestfs in 7.2;
/// ssh and https read-only from the 7.2 cycle (bz#1226683, bz#1226684).
#[test]
fn per_driver_the_release_in_which_its_access_changed() {
    let timeline = json(&["history", "rhel"]);
    let rhel7 = |driver: &str| -> Vec<String> {
        events(&timeline, driver).into_iter().filter(|e| e.starts_with("rhel-7.")).collect()
    };
    assert_eq!(
        rhel7("rbd"),
        [
            "rhel-7.1 emulator none -> rw x86_64",
            "rhel-7.1 tools none -> rw x86_64",
            "rhel-7.1 libvirt none -> rw x86_64",
            "rhel-7.2 libguestfs none -> rw x86_64"
        ]
    );
    // modern.md 6: the curl driver never writes, so the tools get https read-only too.
    // libvirt (described from 7.0) hands a network disk to the emulator: it follows the emulator.
    assert_eq!(
        rhel7("https"),
        [
            "rhel-7.2 emulator none -> ro x86_64",
            "rhel-7.2 tools none -> ro x86_64",
            "rhel-7.2 libvirt none -> ro x86_64"
        ]
    );
    assert_eq!(
        rhel7("ssh"),
        [
            "rhel-7.2 emulator none -> ro x86_64",
            "rhel-7.2 tools none -> rw x86_64",
            "rhel-7.2 libvirt none -> ro x86_64"
        ]
    );
    // Never changed in RHEL 7: the rw whitelist's core and the ro formats.
    for driver in ["qcow2", "vmdk", "gluster", "nbd"] {
        assert!(rhel7(driver).is_empty(), "{driver}");
    }
    // modern.md 1: RHEL 9.2 compiles out libssh (every arch) and glusterfs (8.9 built it on
    // x86_64 only), and libiscsi although iscsi stays in the rw whitelist.
    let rhel92 = |driver: &str| -> Vec<String> {
        events(&timeline, driver).into_iter().filter(|e| e.starts_with("rhel-9.2 ")).collect()
    };
    let every = "x86_64,ppc64le,aarch64,s390x";
    assert_eq!(
        rhel92("ssh"),
        [
            format!("rhel-9.2 emulator ro -> none {every}"),
            format!("rhel-9.2 tools rw -> none {every}"),
            format!("rhel-9.2 libvirt ro -> none {every}")
        ]
    );
    assert_eq!(
        rhel92("gluster"),
        [
            "rhel-9.2 emulator rw -> none x86_64",
            "rhel-9.2 tools rw -> none x86_64",
            "rhel-9.2 libvirt rw -> none x86_64"
        ]
    );
    assert!(rhel92("iscsi").iter().all(|e| e.ends_with(every)) && rhel92("iscsi").len() == 3);
    // rhel-rhev: rbd reaches the non-x86_64 arches in 7.6 (bz#1578664), every program.
    let rhev = json(&["history", "rhel-rhev", "--layer", "access"]);
    assert_eq!(
        events(&rhev, "rbd"),
        [
            "rhel-7.6-rhev emulator none -> rw ppc64,ppc64le,aarch64,s390x",
            "rhel-7.6-rhev tools none -> rw ppc64,ppc64le,aarch64,s390x",
            "rhel-7.6-rhev libvirt none -> rw ppc64,ppc64le,aarch64,s390x",
            "rhel-7.6-rhev libguestfs none -> rw ppc64,ppc64le,aarch64,s390x",
        ]
    );
}

#[test]
fn profiles_given_by_name_keep_their_order() {
    let timeline = json(&["history", "rhel-7.3", "rhel-7.1"]);
    assert_eq!(timeline["product"], Value::Null);
    assert_eq!(profiles(&timeline), ["rhel-7.3", "rhel-7.1"]);
    // Going back, rbd leaves libguestfs again.
    assert_eq!(events(&timeline, "rbd"), ["rhel-7.1 libguestfs rw -> none x86_64"]);
}

#[test]
fn a_product_orders_releases_as_versions() {
    let profile = |release: &str| {
        format!(
            "[profile]\nproduct = \"p\"\nrelease = \"{release}\"\narches = [\"x86_64\"]\n[qemu]\npackage = \"qemu\"\nversion = \"2.12.0\"\n"
        )
    };
    let run = Case::new(["history", "p", "--format", "json"])
        .profile("p-a", &profile("1.10"))
        .profile("p-b", &profile("1.9"))
        .profile("p-c", &profile("1.2"))
        .run();
    run.exits(0);
    let timeline: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(profiles(&timeline), ["p-c", "p-b", "p-a"]);
}

#[test]
fn bad_series_exit_2() {
    Case::new(["history", "rhel-7.3"]).run().exits(2).stderr_has("one profile has no history");
    Case::new(["history", "rehl"]).run().exits(2).stderr_has("did you mean `rhel`?");
    Case::new(["history", "--product", "rhel", "rhel-7.1"]).run().exits(2).stderr_has("cannot be used with");
    Case::new(["history"]).run().exits(2);
    Case::new(["history", "rhel-7.1", "rhel-7.22"]).run().exits(2).stderr_has("no profile named `rhel-7.22`");
    Case::new(["history", "rhel", "--arch", "i686"])
        .run()
        .exits(2)
        .stderr_has("no profile of the series builds `i686`");
}

#[test]
fn snapshots_of_every_format() {
    for format in ["text", "markdown", "json"] {
        let run = Case::new(["history", "rhel", "--format", format]).run();
        run.exits(0);
        insta::assert_snapshot!(format!("history_rhel_{format}"), run.stdout);
    }
    for product in ["rhel-rhev", "debian"] {
        for format in ["text", "markdown", "json"] {
            let run = Case::new(["history", product, "--format", format]).run();
            run.exits(0);
            insta::assert_snapshot!(format!("history_{product}_{format}"), run.stdout);
        }
    }
    let run = Case::new(["history", "rhel-rhev", "--layer", "access"]).run();
    run.exits(0);
    insta::assert_snapshot!("history_rhel-rhev_access_text", run.stdout);
}

#[test]
fn a_misspelt_profile_gets_a_suggestion() {
    Case::new(["history", "rhel-7.33"]).run().exits(2).stderr_has("did you mean `rhel-7.3`?");
}

#[test]
fn an_unrelated_broken_profile_does_not_stop_a_product_history() {
    let run = Case::new(["history", "rhel", "--layer", "ro-whitelist"]).profile("zz-1", "[profile\n").run();
    run.exits(0).stdout_has("History of rhel: rhel-7.0");
}
