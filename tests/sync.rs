//! `sync`: the region between the markers is regenerated, nothing else changes (bytes,
//! line endings, a missing final newline), `--check` reports a stale region with a diff and
//! exit 1, and every error leaves the file as it was.

mod common;

use common::Case;
use serde_json::Value;

const SPEC: &str = include_str!("fixtures/sync/qemu-kvm.spec");
const EL7: &str = include_str!("fixtures/import/qemu-kvm-el7.spec");

fn generated(profile: &str, style: &str) -> String {
    let run = Case::new(["generate", "spec", profile, "--style", style]).run();
    run.exits(0);
    run.stdout.clone()
}

/// The fixture with `region` between its markers.
fn with_region(region: &str) -> String {
    let begin = SPEC.find("# drvpolicy:begin rhel-7.3\n").unwrap() + "# drvpolicy:begin rhel-7.3\n".len();
    let end = SPEC.find("# drvpolicy:end\n").unwrap();
    format!("{}{region}{}", &SPEC[..begin], &SPEC[end..])
}

#[test]
fn a_stale_region_is_regenerated_and_then_up_to_date() {
    let run = Case::new(["sync", "qemu-kvm.spec", "rhel-7.3"]).file("qemu-kvm.spec", SPEC).run();
    run.exits(0).stdout_has("qemu-kvm.spec:15-19: the rhel-7.3 region (inline) was regenerated");
    let synced = run.file("qemu-kvm.spec");
    assert_eq!(synced, with_region(&generated("rhel-7.3", "inline")));

    let again = Case::new(["sync", "qemu-kvm.spec", "rhel-7.3"]).file("qemu-kvm.spec", &synced).run();
    again.exits(0).stdout_has("is up to date");
    assert_eq!(again.file("qemu-kvm.spec"), synced);
}

#[test]
fn check_prints_a_diff_and_exits_1_when_stale_and_changes_nothing() {
    let run = Case::new(["sync", "qemu-kvm.spec", "rhel-7.3", "--check"]).file("qemu-kvm.spec", SPEC).run();
    run.exits(1);
    assert_eq!(run.file("qemu-kvm.spec"), SPEC, "--check must not write");
    assert!(run.stdout.starts_with("--- a/qemu-kvm.spec\n+++ b/qemu-kvm.spec\n@@ -13,9 +13,45 @@\n"), "{}", run.stdout);
    insta::assert_snapshot!("sync-check-diff", run.stdout);

    let fresh = with_region(&generated("rhel-7.3", "inline"));
    let run = Case::new(["sync", "qemu-kvm.spec", "rhel-7.3", "--check"]).file("qemu-kvm.spec", &fresh).run();
    run.exits(0).stdout_has("is up to date");
    assert_eq!(run.file("qemu-kvm.spec"), fresh);
}

#[test]
fn check_as_json() {
    let run = Case::new(["sync", "qemu-kvm.spec", "rhel-7.3", "--check", "--format", "json"])
        .file("qemu-kvm.spec", SPEC)
        .run();
    run.exits(1);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["check"], true);
    assert_eq!(json["stale"], true);
    let view = &json["files"][0];
    assert_eq!(view["file"], "qemu-kvm.spec");
    assert_eq!(view["stale"], true);
    assert_eq!(view["written"], false);
    assert_eq!(view["regions"][0]["profile"], "rhel-7.3");
    assert_eq!(view["regions"][0]["begin_line"], 15);
    assert_eq!(view["regions"][0]["end_line"], 19);
    assert_eq!(view["regions"][0]["style"], "inline");
    assert!(view["diff"].as_str().unwrap().contains("+    --enable-curl \\\n"));
}

#[test]
fn the_begin_marker_remembers_the_style() {
    let spec = SPEC.replace("# drvpolicy:begin rhel-7.3\n", "# drvpolicy:begin rhel-7.3 style=globals\n");
    let run = Case::new(["sync", "qemu-kvm.spec", "rhel-7.3"]).file("qemu-kvm.spec", &spec).run();
    run.exits(0).stdout_has("(globals) was regenerated");
    let synced = run.file("qemu-kvm.spec");
    assert!(synced.contains(&generated("rhel-7.3", "globals")));
    assert!(
        synced.contains("\n%global block_drivers_rw_list qcow2,raw,file,host_device,blkdebug,nbd,iscsi,gluster,rbd\n")
    );
}

/// Syncs `before` + `old` + `after` and checks the file became `before` + `region` + `after`.
fn assert_synced(before: &[u8], old: &[u8], after: &[u8], region: &str) {
    let case = Case::new(["sync", "q.spec", "rhel-7.3"]);
    std::fs::write(case.path("q.spec"), [before, old, after].concat()).unwrap();
    let run = case.run();
    run.exits(0);
    let synced = std::fs::read(run.path("q.spec")).unwrap();
    assert_eq!(synced, [before, region.as_bytes(), after].concat());
}

#[test]
fn bytes_outside_the_markers_stay_as_they_were() {
    let region = generated("rhel-7.3", "inline");
    // CRLF lines, a Latin-1 byte and no final newline outside; an LF region.
    assert_synced(
        b"Name: qemu-kvm\r\nVersion: 1.5.3\r\n%build\r\n# drvpolicy:begin rhel-7.3\n",
        b"old line\n",
        b"# drvpolicy:end\nmake\r\n\r\n%changelog\r\n- Ren\xe9 2015\r\n- no final newline",
        &region,
    );
    // A CRLF begin marker: the region gets CRLF line endings too.
    assert_synced(
        b"%build\r\n# drvpolicy:begin rhel-7.3\r\n",
        b"old\r\n",
        b"# drvpolicy:end\r\nmake",
        &region.replace('\n', "\r\n"),
    );
}

#[test]
fn errors_leave_the_file_byte_identical() {
    let cases: [(&str, String, &str); 8] = [
        ("rhel-7.3", "Name: q\n%build\n./configure\n".into(), "has no `# drvpolicy:begin rhel-7.3` marker"),
        ("rhel-7.3", SPEC.replace("# drvpolicy:end\n", ""), "this region has no `# drvpolicy:end`"),
        ("rhel-7.3", SPEC.replace("# drvpolicy:begin rhel-7.3\n", ""), "an end marker without a begin marker"),
        (
            "rhel-7.3",
            SPEC.replace("    --enable-rbd \\\n", "# drvpolicy:begin rhel-7.3\n"),
            "a second begin marker inside the region opened on line 15",
        ),
        (
            "rhel-7.3",
            SPEC.replace("begin rhel-7.3", "begin rhel-7.2"),
            "q.spec has no region of `rhel-7.3`: its regions are generated from `rhel-7.2`",
        ),
        ("rhel-7.3", SPEC.replace("begin rhel-7.3", "begin rhel-7.3 style=global"), "unknown style `global`"),
        ("rhel-7.33", SPEC.replace("begin rhel-7.3", "begin rhel-7.33"), "no profile named `rhel-7.33`"),
        // Without a profile argument, the marker's unknown name is the error, pointing at it.
        ("", SPEC.replace("begin rhel-7.3", "begin rhel-7.33"), "no profile named `rhel-7.33`"),
    ];
    for (profile, text, message) in cases {
        let mut bytes = text.replace('\n', "\r\n").into_bytes();
        bytes.pop(); // no final newline either
        let args: Vec<&str> = ["sync", "q.spec", profile].into_iter().filter(|a| !a.is_empty()).collect();
        let case = Case::new(&args);
        std::fs::write(case.path("q.spec"), &bytes).unwrap();
        let run = case.run();
        run.exits(2).stderr_has(message);
        assert_eq!(std::fs::read(run.path("q.spec")).unwrap(), bytes, "{message}: the file changed");
        let check = Case::new(args.iter().copied().chain(["--check"]));
        std::fs::write(check.path("q.spec"), &bytes).unwrap();
        check.run().exits(2).stderr_has(message);
    }
    Case::new(["sync", "missing.spec", "rhel-7.3"]).run().exits(2).stderr_has("cannot read missing.spec");
}

#[test]
fn import_then_sync_is_a_workflow() {
    // 1. Bootstrap a profile from the spec the packager has.
    let import = Case::new([
        "import",
        "spec",
        "qemu-kvm.spec",
        "--name",
        "my-7.7",
        "--set",
        "rhel=7",
        "--output",
        "profiles/my-7.7.toml",
    ])
    .file("qemu-kvm.spec", EL7)
    .file("profiles/.keep", "")
    .run();
    import.exits(0);
    let profile = import.file("profiles/my-7.7.toml");

    // 2. Mark where the generated lines go, and sync.
    let spec = "Name: qemu-kvm\nVersion: 1.5.3\nRelease: 1\nSummary: q\nLicense: GPLv2+\nExclusiveArch: x86_64 ppc64le aarch64\n\n%description\nx\n\n%build\n# drvpolicy:begin my-7.7 style=globals\n# drvpolicy:end\nmake\n\n%install\n";
    let sync =
        Case::new(["sync", "qemu-kvm.spec", "my-7.7"]).profile("my-7.7", &profile).file("qemu-kvm.spec", spec).run();
    sync.exits(0).stdout_has("was regenerated");
    let synced = sync.file("qemu-kvm.spec");
    let expected = Case::new(["generate", "spec", "my-7.7", "--style", "globals"]).profile("my-7.7", &profile).run();
    assert!(synced.contains(&expected.stdout));
    Case::new(["sync", "qemu-kvm.spec", "my-7.7", "--check"])
        .profile("my-7.7", &profile)
        .file("qemu-kvm.spec", &synced)
        .run()
        .exits(0);

    // 3. The synced spec passes the original flags on x86_64, as the real rpm expands it.
    if common::require_tool("rpmspec") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qemu-kvm.spec");
        std::fs::write(&path, &synced).unwrap();
        let out = std::process::Command::new("rpmspec").args(["-P", "--target=x86_64"]).arg(&path).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let expanded = String::from_utf8(out.stdout).unwrap();
        for flag in [
            "--enable-rbd",
            "--enable-seccomp",
            "--disable-live-block-ops",
            "--block-drv-rw-whitelist=qcow2,raw,file,host_device,blkdebug,nbd,iscsi,gluster,rbd",
        ] {
            assert!(expanded.contains(flag), "{flag} missing from\n{expanded}");
        }
    }
}

/// The configure arguments the %build of `spec` (from its line `buildarch=`: rpmspec -P does not
/// print every section header) passes on `arch`, `%{rhel}` set to 7 as on RHEL 7.
fn configure_arguments(dir: &std::path::Path, spec: &str, arch: &str) -> Vec<String> {
    common::rpm::configure_arguments(dir, spec, arch, "buildarch=", &["rhel 7"])
}

#[test]
fn import_then_sync_keeps_the_arguments_outside_the_policy() {
    if !common::require_tool("rpmspec") {
        return;
    }
    // 1. Import the RHEL 7-style spec. The call `dobuild --target-list="$buildarch"` (line 75) gives
    //    the function's "$@" `--target-list=x86_64-softmmu` on every arch (`buildarch`, line 29).
    let import = Case::new([
        "import",
        "spec",
        "qemu-kvm.spec",
        "--name",
        "my-7.7",
        "--set",
        "rhel=7",
        "--output",
        "profiles/my-7.7.toml",
    ])
    .file("qemu-kvm.spec", EL7)
    .file("profiles/.keep", "")
    .run();
    import.exits(0);
    // "$@" comes after the build options in both runs: the synced spec passes it first.
    import.stdout_has("reordered: qemu-kvm.spec:75 passes extra args after build options");
    let profile = import.file("profiles/my-7.7.toml");

    // 2. The configure runs (lines 32-72, `%if 0%{!?build_only_sub:1}` to its `%endif`) give
    //    way to the markers; the rest of the spec stays.
    let begin = EL7.find("%if 0%{!?build_only_sub:1}\n").unwrap();
    let end = EL7.find("%endif\n}\n").unwrap() + "%endif\n".len();
    let marked = format!(
        "{}# drvpolicy:begin my-7.7\n# drvpolicy:end\n    make V=1 %{{?_smp_mflags}}\n{}",
        &EL7[..begin],
        &EL7[end..]
    );
    let sync =
        Case::new(["sync", "qemu-kvm.spec", "my-7.7"]).profile("my-7.7", &profile).file("qemu-kvm.spec", &marked).run();
    sync.exits(0).stdout_has("was regenerated");
    let synced = sync.file("qemu-kvm.spec");

    // 3. rpm expands both specs; the synced one passes the same arguments, extra args first.
    let dir = tempfile::tempdir().unwrap();
    for arch in ["x86_64", "ppc64le"] {
        let before = configure_arguments(dir.path(), EL7, arch);
        let after = configure_arguments(dir.path(), &synced, arch);
        let (mut a, mut b) = (before.clone(), after.clone());
        a.sort();
        b.sort();
        assert_eq!(a, b, "{arch}: other arguments\n--- original\n{before:#?}\n--- synced\n{after:#?}");
        assert!(after[0].starts_with("--prefix=/"), "{arch}: {after:?}");
        // The original passes "$@" last; the extra args (--target-list among them) now go first.
        assert_eq!(before.last().map(String::as_str), Some("--target-list=x86_64-softmmu"), "{arch}");
        let extra = if arch == "x86_64" { 4 } else { 2 };
        assert_eq!(after[extra - 1], "--target-list=x86_64-softmmu", "{arch}: {after:?}");
    }
    let x86 = configure_arguments(dir.path(), &synced, "x86_64");
    for wanted in [
        "--block-drv-rw-whitelist=qcow2,raw,file,host_device,blkdebug,nbd,iscsi,gluster,rbd",
        "--block-drv-ro-whitelist=vmdk,vhdx,vpc,ssh,https",
        "--enable-seccomp",
    ] {
        assert!(x86.iter().any(|a| a == wanted), "{wanted} missing from {x86:?}");
    }
    // rpm expanded %{_libdir} and %{optflags}; the quotes kept -fPIE -DPIE in the one argument.
    assert!(x86[1].starts_with("--libdir=/"), "{x86:?}");
    assert!(x86[2].starts_with("--extra-cflags=") && x86[2].ends_with(" -fPIE -DPIE"), "{x86:?}");
}

/// A qemu-kvm spec that builds qemu-kvm or qemu-kvm-rhev from one file, as RHEL 7's does with
/// `%define rhev`: a region for each, and the BuildRequires of each in the preamble.
const BOTH: &str = "Name: qemu-kvm\nVersion: 1.5.3\nRelease: 1\nSummary: q\nLicense: GPLv2+\n%define rhev 0\n\
%if %{rhev}\n# drvpolicy:begin rhel-7.3-rhev style=buildrequires\n# drvpolicy:end\n%else\n\
# drvpolicy:begin rhel-7.3 style=buildrequires\n# drvpolicy:end\n%endif\n\n%description\nx\n\n%build\n\
%if %{rhev}\n# drvpolicy:begin rhel-7.3-rhev\n# drvpolicy:end\n%else\n# drvpolicy:begin rhel-7.3\n# drvpolicy:end\n%endif\n\
make\n\n%install\n";

#[test]
fn one_spec_holds_the_regions_of_several_profiles_and_the_markers_name_them() {
    let run = Case::new(["sync", "qemu-kvm.spec"]).file("qemu-kvm.spec", BOTH).run();
    run.exits(0);
    assert_eq!(
        run.stdout,
        "qemu-kvm.spec:8-9: the rhel-7.3-rhev region (buildrequires) was regenerated\n\
         qemu-kvm.spec:11-12: the rhel-7.3 region (buildrequires) was regenerated\n\
         qemu-kvm.spec:20-21: the rhel-7.3-rhev region (inline) was regenerated\n\
         qemu-kvm.spec:23-24: the rhel-7.3 region (inline) was regenerated\n"
    );
    let synced = run.file("qemu-kvm.spec");
    for (profile, what) in [
        ("rhel-7.3", "spec"),
        ("rhel-7.3-rhev", "spec"),
        ("rhel-7.3", "buildrequires"),
        ("rhel-7.3-rhev", "buildrequires"),
    ] {
        let generated = Case::new(["generate", what, profile]).run();
        assert!(
            synced.contains(&format!(
                "# drvpolicy:begin {profile}{}\n{}# drvpolicy:end",
                if what == "spec" { "" } else { " style=buildrequires" },
                generated.stdout
            )),
            "{profile} {what}"
        );
    }
    // Each profile's build, as the real rpm chooses it with `--define 'rhev 1'`.
    if common::require_tool("rpmspec") {
        let dir = tempfile::tempdir().unwrap();
        for (rhev, profile) in [("0", "rhel-7.3"), ("1", "rhel-7.3-rhev")] {
            let define = format!("rhev {rhev}");
            let spec = synced.replace("%define rhev 0\n", "");
            let got = common::rpm::configure_arguments(dir.path(), &spec, "x86_64", "%build\n", &[&define]);
            let want = Case::new(["generate", "configure", profile, "--arch", "x86_64"]).run();
            let want: Vec<String> = want.stdout.lines().map(|l| l.trim_end_matches(" \\").to_string()).collect();
            assert_eq!(got, want, "{profile}");
        }
    }

    // With a profile, only its regions; again, nothing is stale.
    let run = Case::new(["sync", "qemu-kvm.spec", "rhel-7.3", "--check"]).file("qemu-kvm.spec", &synced).run();
    run.exits(0);
    assert_eq!(
        run.stdout,
        "qemu-kvm.spec:24-38: the rhel-7.3 region (buildrequires) is up to date\nqemu-kvm.spec:80-120: the rhel-7.3 region (inline) is up to date\n"
    );
}

#[test]
fn check_takes_several_files_and_reports_each() {
    let fresh = Case::new(["sync", "fresh.spec"]).file("fresh.spec", SPEC).run();
    let fresh = fresh.file("fresh.spec");
    let broken = "Name: q\n%build\n# drvpolicy:begin rhel-7.3\n";
    let run = Case::new(["sync", "--check", "fresh.spec", "stale.spec", "broken.spec", "missing.spec"])
        .file("fresh.spec", &fresh)
        .file("stale.spec", SPEC)
        .file("broken.spec", broken)
        .run();
    // An error in one file is exit 2; the others are still checked and reported.
    run.exits(2)
        .stdout_has("fresh.spec:15-55: the rhel-7.3 region (inline) is up to date\n")
        .stdout_has("--- a/stale.spec\n+++ b/stale.spec\n")
        .stderr_has("error[unbalanced-markers]: broken.spec:3: this region has no `# drvpolicy:end`")
        .stderr_has("error[io]: cannot read missing.spec");
    assert_eq!(run.file("stale.spec"), SPEC, "--check writes nothing");
    let run = Case::new(["sync", "--check", "fresh.spec", "stale.spec", "--format", "json"])
        .file("fresh.spec", &fresh)
        .file("stale.spec", SPEC)
        .run();
    run.exits(1);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let stale: Vec<(&str, bool)> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file"].as_str().unwrap(), f["stale"].as_bool().unwrap()))
        .collect();
    assert_eq!(stale, [("fresh.spec", false), ("stale.spec", true)]);
    // Without --check, each file is synced.
    let run = Case::new(["sync", "a.spec", "b.spec"]).file("a.spec", SPEC).file("b.spec", SPEC).run();
    run.exits(0).stdout_has("a.spec:15-19: the rhel-7.3 region (inline) was regenerated").stdout_has("b.spec:15-19: ");
    assert_eq!(run.file("a.spec"), fresh);
    assert_eq!(run.file("b.spec"), fresh);
}

#[test]
fn check_counts_a_warning_of_a_profile_as_a_finding() {
    // https whitelisted read-only while curl is disabled: whitelisted-compiled-out.
    let profile = "[profile]\nproduct = \"t\"\nrelease = \"1\"\narches = [\"x86_64\"]\n[qemu]\npackage = \"q\"\nversion = \"2.12.0\"\nro-whitelist = [\"https\"]\nfeatures = { curl = \"disable\" }\n";
    let spec = "%build\n# drvpolicy:begin t-1\n# drvpolicy:end\n";
    let synced = Case::new(["sync", "q.spec"]).profile("t-1", profile).file("q.spec", spec).run();
    synced.exits(0).stderr_has("warning[whitelisted-compiled-out]");
    let run =
        Case::new(["sync", "q.spec", "--check"]).profile("t-1", profile).file("q.spec", &synced.file("q.spec")).run();
    run.exits(1).stdout_has("is up to date").stderr_has("warning[whitelisted-compiled-out]");
}

#[test]
fn macros_regions_give_the_configure_of_the_spec_its_arguments() {
    if !common::require_tool("rpmspec") {
        return;
    }
    let spec = "Name: q\nVersion: 1\nRelease: 1\nSummary: q\nLicense: MIT\n# drvpolicy:begin rhel-7.6-rhev style=macros\n# drvpolicy:end\n\n%description\nx\n\n%build\n./configure --prefix=/usr %{drvpolicy_block_args}\n%if %{drvpolicy_tools_only}\necho tools only\n%endif\n%install\n";
    let run = Case::new(["sync", "q.spec"]).file("q.spec", spec).run();
    run.exits(0).stdout_has("q.spec:6-7: the rhel-7.6-rhev region (macros) was regenerated");
    let synced = run.file("q.spec");
    let dir = tempfile::tempdir().unwrap();
    for arch in ["x86_64", "s390x"] {
        let got = common::rpm::configure_arguments(dir.path(), &synced, arch, "%build\n", &[]);
        let want = Case::new(["generate", "configure", "rhel-7.6-rhev", "--arch", arch]).run();
        let mut want: Vec<String> = want.stdout.lines().map(|l| l.trim_end_matches(" \\").to_string()).collect();
        want.insert(0, "--prefix=/usr".to_string());
        assert_eq!(got, want, "{arch}");
    }
}
