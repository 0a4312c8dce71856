//! `import spec`: the round trip over every shipped profile, the fixtures written in the
//! style of RHEL 7's specs and qemu-kvm-ev's build script (shared/domain/rhel7.md sections 1
//! and 2), a cross-check of the rpm layer against the real `rpmspec`, and the errors.

mod common;

use common::Case;
use drvpolicy::resolve::resolve;
use drvpolicy::store::Store;
use serde_json::Value;

const EL7: &str = include_str!("fixtures/import/qemu-kvm-el7.spec");
const RHEV: &str = include_str!("fixtures/import/qemu-kvm-rhev.spec");
const SCRIPT: &str = include_str!("fixtures/import/build_configure.sh");

/// `import spec` of a build script `b.sh` of qemu 2.12.0 for x86_64, named t-1, with `more` arguments.
fn import_script(script: &str, more: &[&str]) -> common::Run {
    let args = ["import", "spec", "b.sh", "--qemu-version", "2.12.0", "--arches", "x86_64", "--name", "t-1"];
    Case::new(args.iter().chain(more)).file("b.sh", script).run()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn build<'a>(view: &'a Value, arch: &str) -> &'a Value {
    view["builds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["arch"] == arch)
        .unwrap_or_else(|| panic!("no build of {arch}"))
}

/// `name=state` for every feature of a build, in order.
fn features(build: &Value) -> Vec<String> {
    build["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}={}", f["name"].as_str().unwrap(), f["state"].as_str().unwrap()))
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

/// A line of the JSON (`{"file", "line"}`) as `file:line`, `-` for none.
fn line(value: &Value) -> String {
    match (value["file"].as_str(), value["line"].as_u64()) {
        (Some(file), Some(line)) => format!("{file}:{line}"),
        _ => "-".to_string(),
    }
}

fn lines(value: &Value) -> Vec<String> {
    value.as_array().unwrap().iter().map(line).collect()
}

/// A provenance of the JSON as the profile's comment says it: `from F:34 ($x of F:29)`.
fn provenance(value: &Value) -> String {
    let file = value["file"].as_str().unwrap();
    let at: Vec<String> = value["lines"].as_array().unwrap().iter().map(|l| format!("{file}:{l}")).collect();
    let uses: Vec<String> = value["uses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| format!("{} of {file}:{}", u["what"].as_str().unwrap(), u["line"]))
        .collect();
    let uses = if uses.is_empty() { String::new() } else { format!(" ({})", uses.join(", ")) };
    format!("from {}{uses}", at.join(", "))
}

/// `(text, from)` of every extra arg of a build, in order.
fn extra_args(build: &Value) -> Vec<(String, String)> {
    build["extra_args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["text"].as_str().unwrap().to_string(), provenance(&e["from"])))
        .collect()
}

fn not_interpreted(view: &Value) -> Vec<(String, String)> {
    view["not_interpreted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (line(&f["location"]), f["text"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn every_shipped_profile_round_trips_through_its_generated_spec_in_both_styles() {
    let mut checked = 0;
    for name in common::shipped_profiles() {
        let policy = resolve(&mut Store::new(&[]).unwrap(), &name).unwrap().policy;
        let arches = policy.arch_names().join(",");
        for style in ["inline", "globals"] {
            let generated = Case::new(["generate", "spec", &name, "--style", style]).run();
            generated.exits(0);
            // The snippet says nothing of the arches that only an `%else` branch covers.
            let imported = Case::new(["import", "spec", "snippet.spec", "--arches", &arches])
                .file("snippet.spec", &generated.stdout)
                .run();
            // A warning makes the exit status 1. A generated spec shows neither a driver's
            // backport (rhel-7.6-rhev's copy-on-read, 6c6f24fd) nor the profile's acknowledgement
            // of a driver whitelisted but compiled out (RHEL 9's iscsi): those two warnings only.
            let acknowledged: Vec<String> = policy
                .arches
                .iter()
                .flat_map(|a| a.acknowledged_compiled_out.iter())
                .map(|v| format!("warning[whitelisted-compiled-out]: `{}`", v.value))
                .collect();
            let warnings: Vec<&str> = imported.stderr.lines().filter(|l| l.starts_with("warning[")).collect();
            assert!(
                warnings.iter().all(|w| w.starts_with("warning[driver-not-in-version]")
                    || acknowledged.iter().any(|a| w.starts_with(a.as_str()))),
                "{name}: {warnings:?}"
            );
            imported.exits(if warnings.is_empty() { 0 } else { 1 });
            assert!(
                imported.stdout.contains("# from snippet.spec:"),
                "{name} {style}: no provenance\n{}",
                imported.stdout
            );
            let again = Case::new(["generate", "spec", &name, "--style", style]).profile(&name, &imported.stdout).run();
            again.exits(0);
            assert_eq!(
                again.stdout, generated.stdout,
                "{name} --style {style}: the imported profile generates another spec\n--- imported profile\n{}",
                imported.stdout
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 2 * common::shipped_profiles().len());
}

/// Extra args shared by every arch, one more on the tools-only arch, rpm macros and a quoted
/// value: the generated spec passes them as written, and import reads them back so.
const WITH_EXTRA_ARGS: &str = r#"
[profile]
product = "t"
release = "1"
arches = ["x86_64", "ppc64le", "aarch64", "s390x"]

[qemu]
package = "qemu-kvm"
version = "2.12.0"
extra-args = ["--prefix=%{_prefix}", '--extra-cflags="%{optflags} -fPIE"', "--with-pkgversion=%{name}-%{release}"]
rw-whitelist = ["qcow2", "raw"]
ro-whitelist = ["vmdk"]
features = { curl = "enable" }

# What most full-build arches pass is in [qemu], as the importer lays it out: the generated
# conditionals follow the profile's selectors, so only that layout comes back byte for byte.
[arch.x86_64.qemu]
ro-whitelist = []

[arch.aarch64.qemu]
build = "tools-only"
extra-args = { add = ["--target-list="] }
"#;

#[test]
fn extra_args_round_trip_through_the_generated_spec_in_both_styles() {
    for style in ["inline", "globals"] {
        let generated = Case::new(["generate", "spec", "t-1", "--style", style]).profile("t-1", WITH_EXTRA_ARGS).run();
        generated.exits(0).stdout_has("    --extra-cflags=\"%{optflags} -fPIE\" \\\n");
        let imported = Case::new(["import", "spec", "snippet.spec", "--arches", "x86_64,ppc64le,aarch64,s390x"])
            .file("snippet.spec", &generated.stdout)
            .run();
        imported.exits(0);
        let again = Case::new(["generate", "spec", "t-1", "--style", style]).profile("t-1", &imported.stdout).run();
        again.exits(0);
        assert_eq!(again.stdout, generated.stdout, "--style {style}\n--- imported profile\n{}", imported.stdout);
        // Shared in [qemu], the tools-only arch's own one added.
        assert!(imported.stdout.contains("extra-args = [\n    \"--prefix=%{_prefix}\",  # from snippet.spec:"));
        assert!(imported.stdout.contains("extra-args = { add = [\"--target-list=\"] }  # from snippet.spec:"));
    }
}

#[test]
fn rhel7_style_spec_with_nested_conditionals_and_global_whitelists() {
    let run = Case::new(["import", "spec", "qemu-kvm.spec", "--name", "my-7.7", "--format", "json"])
        .file("qemu-kvm.spec", EL7)
        .run();
    // A `%if` on a macro the spec never defines is not interpreted: exit 1.
    run.exits(1);
    let view = json(&run.stdout);
    assert_eq!(view["profile"], "my-7.7");
    assert_eq!(view["package"]["value"], "qemu-kvm");
    assert_eq!(view["version"]["value"], "1.5.3");
    assert_eq!(strings(&view["arches"]), ["x86_64", "ppc64le", "aarch64"], "from ExclusiveArch");

    let x86 = build(&view, "x86_64");
    assert_eq!(x86["build"], "full");
    // rhev is 0 and guest_agent a %bcond_with; rbd only under %ifarch x86_64; seccomp sits
    // under `%if 0%{?rhel} >= 7` and is left out.
    assert_eq!(
        features(x86),
        [
            "xen=disable",
            "virtfs=disable",
            "kvm=enable",
            "curl=enable",
            "libssh2=enable",
            "guest-agent=disable",
            "live-block-ops=disable",
            "rbd=enable",
            "glusterfs=enable"
        ]
    );
    // The whitelists of RHEL 7's qemu-kvm (rhel7.md section 1), through %global macros.
    assert_eq!(
        strings(&x86["rw_whitelist"]),
        ["qcow2", "raw", "file", "host_device", "blkdebug", "nbd", "iscsi", "gluster", "rbd"]
    );
    assert_eq!(strings(&x86["ro_whitelist"]), ["vmdk", "vhdx", "vpc", "ssh", "https"]);
    for arch in ["ppc64le", "aarch64"] {
        let b = build(&view, arch);
        assert_eq!(b["build"], "tools-only", "{arch}: the bare configure of the %else branch");
        assert_eq!(features(b), ["guest-agent=disable"]);
        assert!(b["rw_whitelist"].is_null());
    }
    // "$@" passes what `dobuild --target-list="$buildarch"` (line 75) gives the function.
    assert_eq!(not_interpreted(&view), [("qemu-kvm.spec:55".to_string(), "--enable-seccomp".to_string())]);
    let seccomp = &view["not_interpreted"][0];
    assert_eq!(strings(&seccomp["arches"]), ["x86_64"], "the nested %if is only reached on x86_64");
    assert!(seccomp["reason"].as_str().unwrap().contains("%{rhel}"), "{seccomp}");
    assert_eq!(seccomp["help"], "pass --set rhel=VALUE, or --undefine rhel if the build does not define it");
    // The arguments outside the block-driver policy, as lines 34-36 and 65 write them: rpm's
    // own macros stay for rpm to expand, the quotes stay with --extra-cflags.
    assert_eq!(
        extra_args(x86),
        [
            ("--prefix=%{_prefix}".to_string(), "from qemu-kvm.spec:34".to_string()),
            ("--libdir=%{_libdir}".into(), "from qemu-kvm.spec:35".into()),
            ("--extra-cflags=\"%{optflags} -fPIE -DPIE\"".into(), "from qemu-kvm.spec:36".into()),
            ("--target-list=x86_64-softmmu".into(), "from qemu-kvm.spec:75 ($buildarch of qemu-kvm.spec:29)".into()),
        ]
    );
    assert_eq!(
        (line(&x86["configure"]), line(&x86["called_at"])),
        ("qemu-kvm.spec:33".to_string(), "qemu-kvm.spec:75".to_string())
    );
    for arch in ["ppc64le", "aarch64"] {
        assert_eq!(
            extra_args(build(&view, arch)),
            [
                ("--prefix=%{_prefix}".to_string(), "from qemu-kvm.spec:65".to_string()),
                (
                    "--target-list=x86_64-softmmu".into(),
                    "from qemu-kvm.spec:75 ($buildarch of qemu-kvm.spec:29)".into()
                ),
            ],
            "{arch}: the tools-only configure passes --prefix too, and the call's \"$@\""
        );
    }
    // "$@" comes after the build options: generated lines pass extra-args first.
    assert_eq!(lines(&view["reordered"]), ["qemu-kvm.spec:75"]);
    assert!(view["resolves"].as_bool().unwrap());

    // The profile says what it could not read, in comments, and where each value came from.
    let toml = view["toml"].as_str().unwrap();
    assert!(toml.contains("# - qemu-kvm.spec:55: --enable-seccomp (on x86_64)"), "{toml}");
    assert!(toml.contains("#   `%if 0%{?rhel} >= 7` (line 54): it depends on `%{rhel}`"), "{toml}");
    assert!(toml.contains("(%{block_drivers_rw_list} of qemu-kvm.spec:12)"), "{toml}");
    // Shared by every arch in [qemu], tools-only ones too; the rest added for x86_64.
    assert!(
        toml.contains("extra-args = [\n    \"--prefix=%{_prefix}\",  # from qemu-kvm.spec:34, qemu-kvm.spec:65\n    \"--target-list=x86_64-softmmu\",  # from qemu-kvm.spec:75 ($buildarch of qemu-kvm.spec:29)\n]\n"),
        "{toml}"
    );
    // x86_64 passes its own between the two: an `add` would put them after, so the whole list.
    assert!(
        toml.contains("[arch.x86_64.qemu]\nextra-args = [\n    \"--prefix=%{_prefix}\",  # from qemu-kvm.spec:34\n    \"--libdir=%{_libdir}\","),
        "{toml}"
    );
    assert!(!toml.contains("does not describe"), "{toml}");
    // 1.5.3's configure takes the rw/ro options only with RHEL's backport (qemu.md 2d).
    assert!(
        toml.contains("backports = [\"b64ec4e4\"]  # inferred: qemu-kvm.spec:59 passes --block-drv-rw-whitelist"),
        "{toml}"
    );
    // Every line not interpreted is also a warning that points at it.
    assert!(run.stderr.contains("warning[not-interpreted]: not interpreted: `--enable-seccomp`"), "{}", run.stderr);
    assert!(run.stderr.contains("--> qemu-kvm.spec:55:9"), "{}", run.stderr);
}

#[test]
fn sets_answer_what_the_spec_leaves_open() {
    let run = Case::new(["import", "spec", "qemu-kvm.spec", "--name", "my-7.7", "--set", "rhel=7", "--format", "json"])
        .file("qemu-kvm.spec", EL7)
        .run();
    run.exits(0);
    let view = json(&run.stdout);
    assert!(view["not_interpreted"].as_array().unwrap().is_empty());
    assert!(features(build(&view, "x86_64")).contains(&"seccomp=enable".to_string()));
    assert!(!features(build(&view, "ppc64le")).contains(&"seccomp=enable".to_string()));

    // `--set rhev=1` takes the other branch; a misspelt name is reported, with the near one.
    let run = Case::new([
        "import",
        "spec",
        "qemu-kvm.spec",
        "--name",
        "my-7.7",
        "--set",
        "rhev=1",
        "--set",
        "rhve=1",
        "--format",
        "json",
    ])
    .file("qemu-kvm.spec", EL7)
    .run();
    let view = json(&run.stdout);
    assert!(features(build(&view, "x86_64")).contains(&"live-block-ops=enable".to_string()));
    run.stderr_has("--set rhve: qemu-kvm.spec never uses `rhve`").stderr_has("did you mean `rhev`?");
}

#[test]
fn rhev_style_spec_with_ifnarch_else_and_conditional_global_macros() {
    let run = Case::new([
        "import",
        "spec",
        "qemu-kvm-rhev.spec",
        "--name",
        "rhev-7.3",
        "--output",
        "rhev-7.3.toml",
        "--format",
        "json",
    ])
    .file("qemu-kvm-rhev.spec", RHEV)
    .run();
    run.exits(0);
    let view = json(&run.stdout);
    assert_eq!(view["version"]["value"], "2.6.0");
    // `ExclusiveArch: x86_64 %{power64} aarch64`, with rpm's power64 group.
    assert_eq!(strings(&view["arches"]), ["x86_64", "ppc64", "ppc64le", "ppc64p7", "aarch64"]);
    let x86 = build(&view, "x86_64");
    assert!(features(x86).ends_with(&["glusterfs=enable".into(), "rbd=enable".into()]));
    // rhel7.md section 2: `qcow2,raw,file,host_device,nbd,iscsi,[gluster,][rbd,]blkdebug` + luks in 7.3.
    assert_eq!(
        strings(&x86["rw_whitelist"]),
        ["qcow2", "raw", "file", "host_device", "nbd", "iscsi", "gluster", "rbd", "blkdebug", "luks"]
    );
    for arch in ["ppc64", "ppc64le", "ppc64p7", "aarch64"] {
        let b = build(&view, arch);
        assert_eq!(b["build"], "full");
        assert!(features(b).ends_with(&["glusterfs=disable".into(), "rbd=disable".into()]), "{arch}");
        assert_eq!(
            strings(&b["rw_whitelist"]),
            ["qcow2", "raw", "file", "host_device", "nbd", "iscsi", "blkdebug", "luks"]
        );
        assert_eq!(strings(&b["ro_whitelist"]), ["vmdk", "vhdx", "vpc", "https", "ssh"]);
    }
    // Four arches share [qemu]; x86_64 is the override.
    let toml = run.file("rhev-7.3.toml");
    assert!(toml.contains("[arch.x86_64.qemu]\n"), "{toml}");
    assert!(!toml.contains("[arch.\"!x86_64\""), "{toml}");

    // The profile generates the configure arguments the spec passes, --prefix as written.
    let configure = Case::new(["generate", "configure", "rhev-7.3", "--arch", "ppc64le", "--one-line"])
        .profile("rhev-7.3", &toml)
        .run();
    configure.exits(0);
    assert_eq!(
        configure.stdout,
        "--prefix=%{_prefix} --enable-curl --enable-libiscsi --disable-libnfs --enable-libssh2 --disable-archipelago --disable-virtfs --disable-bzip2 --enable-vhdx --disable-glusterfs --disable-rbd --block-drv-rw-whitelist=qcow2,raw,file,host_device,nbd,iscsi,blkdebug,luks --block-drv-ro-whitelist=vmdk,vhdx,vpc,https,ssh\n"
    );
}

#[test]
fn build_script_positional_words_are_not_interpreted_until_set() {
    let run = Case::new([
        "import",
        "spec",
        "build_configure.sh",
        "--qemu-version",
        "2.3.0",
        "--arches",
        "x86_64",
        "--name",
        "ev-7.2",
        "--format",
        "json",
    ])
    .file("build_configure.sh", SCRIPT)
    .run();
    run.exits(1);
    let view = json(&run.stdout);
    assert_eq!(view["kind"], "script");
    let texts: Vec<String> = not_interpreted(&view).into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        texts,
        [
            "--prefix=${prefix}",
            "--libdir=${libdir}",
            "--with-pkgversion=${nvr}",
            "--${have_gluster}-glusterfs",
            "--${have_rbd}-rbd",
            "--${have_spice}-spice",
            "--block-drv-rw-whitelist=qcow2,raw,file,host_device,nbd,iscsi,${gluster_driver}${rbd_driver}blkdebug",
            "\"$@\"",
        ]
    );
    // An option outside the policy whose value is a script argument is not guessed either.
    let prefix = &view["not_interpreted"][0];
    assert!(prefix["reason"].as_str().unwrap().contains("the script's 1st argument"), "{prefix}");
    assert_eq!(prefix["help"], "pass --set prefix=VALUE");
    assert!(build(&view, "x86_64")["extra_args"].as_array().unwrap().is_empty());
    let rbd = &view["not_interpreted"][4];
    assert!(rbd["reason"].as_str().unwrap().contains("the script's 5th argument"), "{rbd}");
    assert_eq!(rbd["help"], "pass --set have_rbd=VALUE");
    let whitelist = view["not_interpreted"][6]["reason"].as_str().unwrap();
    assert!(whitelist.contains("gluster_driver") && whitelist.contains("cannot be evaluated"), "{whitelist}");
    let x86 = build(&view, "x86_64");
    assert!(x86["rw_whitelist"].is_null(), "an rw list with unknown parts is left out, not guessed");
    assert_eq!(strings(&x86["ro_whitelist"]), ["vmdk", "vhdx", "vpc", "https", "ssh"]);
    assert!(!features(x86).iter().any(|f| f.starts_with("rbd=")));
    assert!(view["toml"].as_str().unwrap().contains("# - build_configure.sh:41: --${have_rbd}-rbd\n"));
}

#[test]
fn build_script_with_its_words_set() {
    let args = |rbd: &str| {
        vec![
            "import",
            "spec",
            "build_configure.sh",
            "--qemu-version",
            "2.3.0",
            "--arches",
            "x86_64",
            "--name",
            "ev-7.2",
            "--set",
            "have_gluster=enable",
            "--set",
            rbd,
            "--set",
            "have_spice=enable",
            // The spec passes the script rpm's macros: given as macros, they stay macros.
            "--set",
            "prefix=%{_prefix}",
            "--set",
            "libdir=%{_libdir}",
            "--set",
            "nvr=%{name}-%{version}-%{release}",
            "--set",
            "@=",
            "--format",
            "json",
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>()
    };
    let run = Case::new(args("have_rbd=enable")).file("build_configure.sh", SCRIPT).run();
    run.exits(0);
    let view = json(&run.stdout);
    let x86 = build(&view, "x86_64");
    // qemu.md 2d, qemu-kvm-ev 2.3.0 on x86_64: gluster and rbd spliced in before blkdebug.
    assert_eq!(
        strings(&x86["rw_whitelist"]),
        ["qcow2", "raw", "file", "host_device", "nbd", "iscsi", "gluster", "rbd", "blkdebug"]
    );
    assert!(features(x86).ends_with(&["glusterfs=enable".into(), "rbd=enable".into(), "spice=enable".into()]));
    assert_eq!(strings(&view["custom_features"]), ["spice"]);
    let extra: Vec<String> = extra_args(x86).into_iter().map(|(t, _)| t).collect();
    assert_eq!(
        extra,
        ["--prefix=%{_prefix}", "--libdir=%{_libdir}", "--with-pkgversion=%{name}-%{version}-%{release}"]
    );

    let run = Case::new(args("have_rbd=disable")).file("build_configure.sh", SCRIPT).run();
    run.exits(0);
    let x86 = build(&json(&run.stdout), "x86_64").clone();
    assert!(features(&x86).contains(&"rbd=disable".to_string()));
    assert_eq!(
        strings(&x86["rw_whitelist"]),
        ["qcow2", "raw", "file", "host_device", "nbd", "iscsi", "gluster", "blkdebug"]
    );
}

#[test]
fn extra_args_are_kept_as_written_unless_that_would_guess() {
    let script = "#!/bin/sh\n./configure --prefix=/usr \\\n  --enable-rbd \\\n  \"--with-pkgversion=ev 2.3\" \\\n  --cc=$CC \\\n  --enable-rbd=yes \\\n  --block-drv-rw-whitelist \\\n  \"$@\"\n";
    let run = Case::new([
        "import",
        "spec",
        "build.sh",
        "--qemu-version",
        "2.3.0",
        "--arches",
        "x86_64",
        "--name",
        "ev-7.2",
        "--set",
        "@=--target-list=x86_64-softmmu --disable-werror",
        "--format",
        "json",
    ])
    .file("build.sh", script)
    .run();
    run.exits(1);
    let view = json(&run.stdout);
    let x86 = build(&view, "x86_64");
    // The quotes stay with the word that has a blank; "$@" gives words of --set's value,
    // and --disable-werror, a flag the catalogue does not know, is a custom feature.
    let extra: Vec<String> = extra_args(x86).into_iter().map(|(t, _)| t).collect();
    assert_eq!(extra, ["--prefix=/usr", "\"--with-pkgversion=ev 2.3\"", "--target-list=x86_64-softmmu"]);
    assert_eq!(features(x86), ["rbd=enable", "werror=disable"]);
    // An environment variable is not guessed; what the model describes is not an extra arg.
    assert_eq!(
        not_interpreted(&view),
        [
            ("build.sh:5".to_string(), "--cc=$CC".to_string()),
            ("build.sh:6".into(), "--enable-rbd=yes".into()),
            ("build.sh:7".into(), "--block-drv-rw-whitelist".into()),
        ]
    );
    assert_eq!(view["not_interpreted"][0]["help"], "pass --set CC=VALUE");
    let rbd = view["not_interpreted"][1]["reason"].as_str().unwrap();
    assert!(rbd.contains("[qemu.features] as `rbd = \"enable\"`"), "{rbd}");
    // --with-pkgversion follows --enable-rbd: generated lines pass it first.
    assert_eq!(lines(&view["reordered"]), ["build.sh:2"]);
    run.stderr_has("warning[import-note]: this argument outside the block-driver policy follows build options");
}

#[test]
fn arches_read_only_from_conditionals_are_flagged() {
    let spec = Case::new(["generate", "spec", "rhel-7.3"]).run().stdout;
    let run = Case::new(["import", "spec", "snippet.spec", "--format", "json"]).file("snippet.spec", &spec).run();
    run.exits(1);
    let view = json(&run.stdout);
    assert_eq!(strings(&view["arches"]), ["x86_64"]);
    let finding = &view["not_interpreted"][0];
    assert_eq!(finding["what"], "the arches");
    assert!(finding["reason"].as_str().unwrap().contains("`%else`"), "{finding}");
}

#[test]
fn the_catalogue_checks_the_imported_options() {
    // libssh2 became libssh in 4.1 (qemu.md 1e): a 5.0 configure rejects --enable-libssh2.
    let script = "#!/bin/sh\n./configure --enable-libssh2 --enable-rbd\n";
    let run = Case::new([
        "import",
        "spec",
        "build.sh",
        "--qemu-version",
        "5.0",
        "--arches",
        "x86_64",
        "--name",
        "new-1",
        "--output",
        "new-1.toml",
    ])
    .file("build.sh", script)
    .run();
    run.exits(1);
    run.stderr_has("error[unsupported-option]: qemu 5.0.0's configure does not accept --enable-libssh2");
    run.stderr_has("in 5.0.0 use `libssh`");
    // The profile is written all the same, for the packager to fix.
    assert!(run.file("new-1.toml").contains("libssh2 = \"enable\""));
    run.stdout_has("the profile does not resolve yet");
}

#[test]
fn the_summary_and_the_written_profile() {
    let run = Case::new(["import", "spec", "qemu-kvm.spec", "--name", "my-7.7", "--output", "profiles/my-7.7.toml"])
        .file("qemu-kvm.spec", EL7)
        .file("profiles/.keep", "")
        .run();
    run.exits(1);
    insta::assert_snapshot!("import-summary-el7", run.stdout);
    insta::assert_snapshot!("import-profile-el7", run.file("profiles/my-7.7.toml"));
}

#[test]
fn bad_input_is_an_error() {
    let script = "#!/bin/sh\n./configure --enable-rbd\n";
    Case::new(["import", "spec", "build.sh", "--arches", "x86_64", "--name", "x-1"])
        .file("build.sh", script)
        .run()
        .exits(2)
        .stderr_has("build.sh does not say which qemu version it builds")
        .stderr_has("pass --qemu-version");
    Case::new(["import", "spec", "build.sh", "--qemu-version", "2.3.0", "--name", "x-1"])
        .file("build.sh", script)
        .run()
        .exits(2)
        .stderr_has("does not say which arches it builds");
    Case::new(["import", "spec", "build.sh", "--qemu-version", "2.3.0", "--arches", "x86-64", "--name", "x-1"])
        .file("build.sh", script)
        .run()
        .exits(2)
        .stderr_has("did you mean `x86_64`?");
    Case::new(["import", "spec", "build.sh", "--qemu-version", "two", "--arches", "x86_64", "--name", "x-1"])
        .file("build.sh", script)
        .run()
        .exits(2)
        .stderr_has("`two` is not a qemu version");
    Case::new(["import", "spec", "build.sh", "--qemu-version", "2.3.0", "--arches", "x86_64", "--set", "have_rbd"])
        .file("build.sh", script)
        .run()
        .exits(2)
        .stderr_has("expected NAME=VALUE");
    // A release that is given but is no version is bad input (a missing one is a placeholder).
    Case::new(["import", "spec", "build.sh", "--qemu-version", "2.3.0", "--arches", "x86_64", "--release", "seven"])
        .file("build.sh", script)
        .run()
        .exits(2)
        .stderr_has("`seven` is not a release version (--release)");
    Case::new([
        "import",
        "spec",
        "build.sh",
        "--qemu-version",
        "2.3.0",
        "--arches",
        "x86_64",
        "--name",
        "a-1",
        "--output",
        "b-1.toml",
    ])
    .file("build.sh", script)
    .run()
    .exits(2)
    .stderr_has("drvpolicy knows a profile by its file name");
    Case::new(["import", "spec", "no-such.spec"]).run().exits(2).stderr_has("cannot read no-such.spec");
    Case::new(["import", "spec", "empty.spec", "--arches", "x86_64", "--qemu-version", "1.5.3", "--name", "e-1"])
        .file("empty.spec", "Name: x\n%build\nmake\n")
        .run()
        .exits(2)
        .stderr_has("found no `./configure` run");
}

/// A complete spec (rpmspec wants Release, Summary, License, %description) whose `%if` at
/// line 10 is never closed.
const UNCLOSED_IF: &str = "Name: qemu-kvm\nVersion: 2.12.0\nRelease: 1\nSummary: s\nLicense: GPLv2\nExclusiveArch: x86_64\n%description\nd\n%build\n%if 1\n./configure --enable-curl\n";

#[test]
fn an_unclosed_if_is_reported_at_its_line_not_read_silently() {
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1"]).file("q.spec", UNCLOSED_IF).run();
    run.exits(1);
    run.stderr_has("warning[not-interpreted]: not interpreted: `%if 1`\n   --> q.spec:10:1\n");
    run.stderr_has("an unclosed `%if`: no `%endif` closes it, so every line after it was read as inside it (rpmbuild stops at such a file)");
    run.stderr_has("= help: add the `%endif` where it ends");
    // Listed at the top of the profile; what the branch holds is read, with the warning.
    run.stdout_has("# Not interpreted (edit the profile by hand where these matter):\n# - q.spec:10: %if 1\n#   an unclosed `%if`: no `%endif` closes it");
    run.stdout_has("curl = \"enable\"  # from q.spec:11\n");

    // rpm refuses the same spec at the same line.
    if common::require_tool("rpmspec") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.spec");
        std::fs::write(&path, UNCLOSED_IF).unwrap();
        let out = std::process::Command::new("rpmspec").arg("-P").arg(&path).output().unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("line 10: Unclosed %if"), "{stderr}");
    }
}

#[test]
fn stray_and_unclosed_keywords_of_rpm_and_the_shell_are_each_reported() {
    let spec = "\
Name: qemu-kvm
Version: 2.12.0
ExclusiveArch: x86_64 aarch64
%endif
%build
%ifarch x86_64
if [ a = a ]; then
%endif
./configure --enable-curl
fi
%else
cd build; if [ a = a ]; then
while read line; do
";
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1", "--format", "json"]).file("q.spec", spec).run();
    run.exits(1);
    let view = json(&run.stdout);
    let found: Vec<(String, String, String, Vec<String>)> = view["not_interpreted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap().to_string();
            (line(&f["location"]), text("text"), text("what"), strings(&f["arches"]))
        })
        .collect();
    let at = |l: &str, t: &str, w: &str, a: &[&str]| {
        (l.to_string(), t.to_string(), w.to_string(), a.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    };
    assert_eq!(
        found,
        [
            at("q.spec:4", "%endif", "a stray `%endif`", &[]),
            // On aarch64 rpm drops line 7: its shell sees a `fi` with no `if`, as sh would.
            at("q.spec:10", "fi", "a shell syntax error", &["aarch64"]),
            at("q.spec:11", "%else", "a stray `%else`", &[]),
            // The `if` of line 12 and the loop of line 13 never end.
            at("q.spec:13", "while read line; do", "a shell command that does not end", &["x86_64"]),
        ]
    );
    // sh runs what comes before the command it cannot parse: the configure of line 9.
    for arch in ["x86_64", "aarch64"] {
        assert_eq!(features(build(&view, arch)), ["curl=enable"], "{arch}");
    }
    run.stderr_has("not interpreted: `fi`\n   --> q.spec:10:1\n");
    run.stderr_has(
        "a shell syntax error: sh cannot parse the text here, and stops: what q.spec runs from here on is not read",
    );
    run.stderr_has("not interpreted: `%endif`\n  --> q.spec:4:1\n");
    run.stderr_has(
        "a stray `%endif`: nothing is open here for it to continue or close, so it was ignored (rpmbuild stops at it)",
    );
}

#[test]
fn an_unclosed_shell_if_in_a_build_script_stops_the_script_as_sh_does() {
    let script = "#!/bin/sh\ncd build; if [ a = a ]; then\n./configure --enable-curl\n";
    let run =
        Case::new(["import", "spec", "build.sh", "--qemu-version", "2.12.0", "--arches", "x86_64", "--name", "t-1"])
            .file("build.sh", script)
            .run();
    // sh never runs the configure inside an `if` that does not end: nothing is read.
    run.exits(2);
    run.stderr_has("error[no-configure]: found no `./configure` run in build.sh that can be read");
    run.stderr_has("note: build.sh:3: a shell command that does not end: sh cannot parse the text here (an `if`, loop, `case`, `{`, `(` or quote still open at the end)");
    // sh refuses it too.
    if common::require_tool("sh") {
        let out = std::process::Command::new("sh").arg("-n").arg(run.path("build.sh")).output().unwrap();
        assert!(!out.status.success(), "sh -n accepted an unclosed if");
    }
    // Closed, nothing is reported.
    Case::new(["import", "spec", "build.sh", "--qemu-version", "2.12.0", "--arches", "x86_64", "--name", "t-1"])
        .file("build.sh", &format!("{script}fi\n"))
        .run()
        .exits(0);
}

#[test]
fn a_name_without_a_release_gets_a_marked_placeholder() {
    // `import spec FILE` alone: the name is the file's stem, which ends in no release.
    let run = Case::new(["import", "spec", "qemu-kvm-el7.spec"]).file("qemu-kvm-el7.spec", EL7).run();
    run.exits(1);
    run.stdout_has(
        "[profile]\nproduct = \"qemu-kvm-el7\"\nrelease = \"0\"  # set the product release: this is a placeholder\n",
    );
    run.stdout_has("# [profile] release = \"0\" is a placeholder: set the product release.\n");
    run.stderr_has(
        "warning[no-release]: cannot tell the release of the profile `qemu-kvm-el7`: it says release = \"0\", a placeholder\n   --> qemu-kvm-el7.toml (imported):13:1\n",
    );
    run.stderr_has("= help: set `release` in [profile], or import again with --release 7.9 or with a name that ends in the release, such as --name my-7.9");
    // The profile as written is one drvpolicy reads.
    Case::new(["show", "qemu-kvm-el7"])
        .profile("qemu-kvm-el7", &run.stdout)
        .run()
        .exits(0)
        .stdout_has("product:    qemu-kvm-el7 0\n");

    // `--name el7 --output`: the summary says so too, and the warning points into the file.
    let run = Case::new(["import", "spec", "qemu-kvm-el7.spec", "--name", "el7", "--output", "el7.toml"])
        .file("qemu-kvm-el7.spec", EL7)
        .run();
    run.exits(1);
    run.stdout_has("  release: \"0\" is a placeholder: set the product release in el7.toml (or import with --release, or a name such as my-7.9)\n");
    run.stderr_has("warning[no-release]: cannot tell the release of the profile `el7`: it says release = \"0\", a placeholder\n   --> el7.toml:13:1\n");
    assert!(run.file("el7.toml").contains("product = \"el7\"\nrelease = \"0\"  # set the product release"));
    let view = json(
        &Case::new(["import", "spec", "qemu-kvm-el7.spec", "--name", "el7", "--format", "json"])
            .file("qemu-kvm-el7.spec", EL7)
            .run()
            .stdout,
    );
    assert_eq!(view["release_placeholder"], true);
    assert_eq!(view["release"]["value"], "0");

    // With --release and the rest answered, nothing is left to review: exit 0.
    let run = Case::new(["import", "spec", "qemu-kvm-el7.spec", "--release", "7.9", "--set", "rhel=7"])
        .file("qemu-kvm-el7.spec", EL7)
        .run();
    run.exits(0);
    run.stdout_has("product = \"qemu-kvm-el7\"\nrelease = \"7.9\"\n");
    assert!(!run.stderr.contains("no-release"), "{}", run.stderr);
}

#[test]
fn warnings_on_a_one_line_configure_point_at_the_argument() {
    let script = "#!/bin/sh\n./configure --a --enable-curl --enable-rbd=yes --cc=$CC --with-x=1 --disable-curl\n";
    let run =
        Case::new(["import", "spec", "build.sh", "--qemu-version", "2.12.0", "--arches", "x86_64", "--name", "t-1"])
            .file("build.sh", script)
            .run();
    run.exits(1);
    run.stderr_has("warning[not-interpreted]: not interpreted: `--enable-rbd=yes`\n  --> build.sh:2:31\n");
    run.stderr_has(
        "2 | ./configure --a --enable-curl --enable-rbd=yes --cc=$CC --with-x=1 --disable-curl\n  |                               ^^^^^^^^^^^^^^^^ `--enable-rbd=yes`: it sets what the profile describes",
    );
    run.stderr_has("warning[not-interpreted]: not interpreted: `--cc=$CC`\n  --> build.sh:2:48\n");
    run.stderr_has("follows build options; generated configure lines pass extra-args first, so this configure run comes back in another order (configure does not mind)\n  --> build.sh:2:57\n");
    run.stderr_has(
        "`--disable-curl` follows `--enable-curl` of line 2; configure uses the last\n  --> build.sh:2:68\n",
    );
    // The profile lists each argument, not the line.
    run.stdout_has("# - build.sh:2: --enable-rbd=yes\n");
    run.stdout_has("# - build.sh:2: --cc=$CC\n");

    // In a spec, columns are the file's, before rpm expands `%{opts}` (two words) and `é`
    // (two bytes, one column).
    let spec = "Name: qemu-kvm\nVersion: 2.12.0\nExclusiveArch: x86_64\n%global opts --enable-curl --enable-vhdx\n%build\n./configure %{opts} --with-pkgversion=\"qé\" --enable-rbd=yes --prefix=%{_prefix}\n";
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1"]).file("q.spec", spec).run();
    run.exits(1);
    run.stderr_has("warning[not-interpreted]: not interpreted: `--enable-rbd=yes`\n  --> q.spec:6:44\n");
    run.stderr_has("follows build options; generated configure lines pass extra-args first, so this configure run comes back in another order (configure does not mind)\n  --> q.spec:6:21\n");
}

#[test]
fn the_import_group_help_has_an_example() {
    Case::new(["import", "--help"])
        .run()
        .exits(0)
        .stdout_has("Example:\n  drvpolicy import spec qemu-kvm.spec --name my-7.9 --output profiles/my-7.9.toml\n");
}

/// The configure flags `rpmspec -P --target=ARCH` leaves in a spec's %build, read by the
/// importer as a plain script: the real rpm decides the conditionals and macros.
fn expanded_by_rpmspec(dir: &std::path::Path, spec: &str, arch: &str, start: &str) -> String {
    format!("#!/bin/sh\n{}", common::rpm::expanded_build(dir, spec, arch, start, &[]))
}

#[test]
fn the_rpm_layer_agrees_with_rpmspec() {
    if !common::require_tool("rpmspec") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (spec, start, arches, version) in [
        (EL7, "buildarch=", ["x86_64", "ppc64le", "aarch64"].as_slice(), "1.5.3"),
        (RHEV, "./configure", ["x86_64", "ppc64le", "aarch64"].as_slice(), "2.6.0"),
    ] {
        let ours = json(
            &Case::new(["import", "spec", "fixture.spec", "--name", "f-1", "--format", "json"])
                .file("fixture.spec", spec)
                .run()
                .stdout,
        );
        for arch in arches {
            let script = expanded_by_rpmspec(dir.path(), spec, arch, start);
            let theirs = Case::new([
                "import",
                "spec",
                "build.sh",
                "--name",
                "f-1",
                "--arches",
                arch,
                "--qemu-version",
                version,
                "--format",
                "json",
            ])
            .file("build.sh", &script)
            .run();
            let theirs = json(&theirs.stdout);
            let (a, b) = (build(&ours, arch), build(&theirs, arch));
            // Debian's rpm leaves %{rhel} undefined, so its `%if 0%{?rhel} >= 7` is false and
            // --enable-seccomp goes, as the importer leaves it out (not interpreted).
            assert_eq!(features(a), features(b), "{arch}: features\n{script}");
            if a["build"] == "full" {
                assert_eq!(a["rw_whitelist"], b["rw_whitelist"], "{arch}");
                assert_eq!(a["ro_whitelist"], b["ro_whitelist"], "{arch}");
            }
        }
    }
}

const EL9: &str = include_str!("fixtures/import/qemu-kvm-el9.spec");
const FEDORA: &str = include_str!("fixtures/import/qemu-fedora.spec");

/// The block-driver build options of a build, `name=state`, in order.
fn block_features(build: &Value) -> Vec<String> {
    let block = [
        "blkio",
        "bochs",
        "cloop",
        "curl",
        "dmg",
        "glusterfs",
        "libiscsi",
        "libnfs",
        "libssh",
        "parallels",
        "qcow1",
        "qed",
        "rbd",
        "replication",
        "vdi",
        "vvfat",
    ];
    features(build).into_iter().filter(|f| block.iter().any(|b| f.split('=').next() == Some(b))).collect()
}

#[test]
fn a_rhel9_style_spec_with_run_configure_and_disable_everything() {
    let run = Case::new([
        "import",
        "spec",
        "qemu-kvm.spec",
        "--name",
        "rhel-9.2",
        "--undefine",
        "target_list",
        "--format",
        "json",
    ])
    .file("qemu-kvm.spec", EL9)
    .run();
    // modern.md section 1 keeps `iscsi` in the rw list with libiscsi off: the catalogue says so.
    run.exits(1);
    run.stderr_has("warning[whitelisted-compiled-out]: `iscsi` is whitelisted but compiled out");
    let view = json(&run.stdout);
    assert!(view["not_interpreted"].as_array().unwrap().is_empty(), "{}", view["not_interpreted"]);
    assert_eq!(strings(&view["arches"]), ["x86_64", "ppc64", "ppc64le", "ppc64p7", "aarch64", "s390x"]);
    for arch in ["x86_64", "ppc64le", "aarch64", "s390x"] {
        let b = build(&view, arch);
        // The whitelists of RHEL 9.2 (modern.md section 1), from the call's `%if %{defined ...}`.
        assert_eq!(
            strings(&b["rw_whitelist"]),
            "qcow2,raw,file,host_device,nbd,iscsi,rbd,blkdebug,luks,null-co,nvme,copy-on-read,throttle,compress"
                .split(',')
                .collect::<Vec<_>>(),
            "{arch}"
        );
        assert_eq!(strings(&b["ro_whitelist"]), ["vdi", "vmdk", "vhdx", "vpc", "https"], "{arch}");
        assert!(!b["whitelist_in_tools"].as_bool().unwrap(), "{arch}");
        // disable_everything, then curl, rbd and vdi switched back on at the call.
        assert_eq!(
            block_features(b),
            [
                "blkio=disable",
                "bochs=disable",
                "cloop=disable",
                "curl=enable",
                "dmg=disable",
                "glusterfs=disable",
                "libiscsi=disable",
                "libnfs=disable",
                "libssh=disable",
                "parallels=disable",
                "qcow1=disable",
                "qed=disable",
                "rbd=enable",
                "replication=disable",
                "vdi=enable",
                "vvfat=disable"
            ],
            "{arch}"
        );
        assert_eq!(
            (line(&b["configure"]), line(&b["called_at"])),
            ("qemu-kvm.spec:57".to_string(), "qemu-kvm.spec:73".to_string())
        );
    }
    // `%global tools_only 1` under `%ifarch %{power64}`: the same configure, only the tools built.
    for arch in ["ppc64", "ppc64le", "ppc64p7"] {
        assert_eq!(build(&view, arch)["build"], "tools-only", "{arch}");
        assert_eq!(build(&view, arch)["tools_only_configure"], "shared", "{arch}");
    }
    for arch in ["x86_64", "aarch64", "s390x"] {
        assert_eq!(build(&view, arch)["build"], "full", "{arch}");
        assert_eq!(build(&view, arch)["tools_only_configure"], Value::Null, "{arch}");
    }
    let toml = view["toml"].as_str().unwrap();
    assert!(
        toml.contains(
            "[arch.\"ppc64,ppc64le,ppc64p7\".qemu]\nbuild = \"tools-only\"  # %{tools_only} is 1 here (defined at qemu-kvm.spec:10); it runs the same configure as the full build\ntools-only-configure = \"shared\""
        ),
        "{toml}"
    );
    // `%ifarch x86_64 aarch64` around `have_fdt`.
    assert!(features(build(&view, "aarch64")).contains(&"fdt=enable".to_string()));
    assert!(!features(build(&view, "s390x")).iter().any(|f| f.starts_with("fdt=")));
    // The configure in the here-document is text, and the redirections are not arguments.
    assert!(!view["toml"].as_str().unwrap().contains("here-document"));
    assert!(!view["toml"].as_str().unwrap().contains("config.log"));
    run.stderr_has("warning[import-note]: `--enable-curl`, `--enable-rbd`, `--enable-vdi` override what line 62 passes first (3 options); configure uses the last");

    // Without --undefine, the macro the build system may define is not guessed.
    let run = Case::new(["import", "spec", "qemu-kvm.spec", "--name", "rhel-9.2", "--format", "json"])
        .file("qemu-kvm.spec", EL9)
        .run();
    run.exits(1);
    assert_eq!(
        not_interpreted(&json(&run.stdout)),
        [("qemu-kvm.spec:75".to_string(), "--target-list=\"%{target_list}\"".to_string())]
    );
    run.stderr_has("= help: pass --set target_list=VALUE, or --undefine target_list if the build does not define it");
}

#[test]
fn a_fedora_style_spec_without_whitelists_and_two_runs() {
    let args = [
        "import",
        "spec",
        "qemu.spec",
        "--name",
        "fedora-43",
        "--set",
        "fedora=43",
        "--undefine",
        "rhel",
        "--undefine",
        "flatpak",
        "--undefine",
        "block_drivers_rw_list",
        "--undefine",
        "block_drivers_ro_list",
        "--format",
        "json",
    ];
    let run = Case::new(args).file("qemu.spec", FEDORA).run();
    // The second, static user-mode run is not imported, and says so.
    run.exits(1);
    let view = json(&run.stdout);
    assert_eq!(not_interpreted(&view), [("qemu.spec:87".to_string(), "run_configure".to_string())]);
    assert_eq!(view["not_interpreted"][0]["what"], "another configure run");
    for arch in ["x86_64", "aarch64", "s390x"] {
        let b = build(&view, arch);
        // modern.md section 2: no whitelists; blkio, curl, iscsi, nfs, ssh, rbd, dmg as modules.
        assert!(b["rw_whitelist"].is_null() && b["ro_whitelist"].is_null(), "{arch}");
        assert_eq!(
            block_features(b),
            [
                "blkio=enable",
                "curl=enable",
                "dmg=enable",
                "libiscsi=enable",
                "libnfs=enable",
                "libssh=enable",
                "rbd=enable",
                "vdi=enable"
            ],
            "{arch}"
        );
        assert!(features(b).contains(&"modules=enable".to_string()));
    }
    // A flatpak build turns the modules off; RHEL 10 drops iscsi and nfs.
    let mut args = args.to_vec();
    args.retain(|a| *a != "flatpak");
    let position = args.iter().position(|a| *a == "--undefine").unwrap();
    args.remove(position + 2);
    args.extend(["--set", "flatpak=1"]);
    let run = Case::new(&args).file("qemu.spec", FEDORA).run();
    let view = json(&run.stdout);
    assert_eq!(
        block_features(build(&view, "x86_64")),
        [
            "blkio=disable",
            "curl=enable",
            "dmg=enable",
            "libiscsi=disable",
            "libnfs=disable",
            "libssh=enable",
            "rbd=disable",
            "vdi=enable"
        ]
    );
    let run = Case::new([
        "import",
        "spec",
        "qemu.spec",
        "--name",
        "el-10",
        "--set",
        "rhel=10",
        "--undefine",
        "fedora",
        "--undefine",
        "flatpak",
        "--undefine",
        "block_drivers_rw_list",
        "--undefine",
        "block_drivers_ro_list",
        "--format",
        "json",
    ])
    .file("qemu.spec", FEDORA)
    .run();
    let view = json(&run.stdout);
    assert_eq!(
        block_features(build(&view, "x86_64")),
        [
            "blkio=disable",
            "curl=enable",
            "dmg=enable",
            "libiscsi=disable",
            "libnfs=disable",
            "libssh=enable",
            "rbd=enable",
            "vdi=enable"
        ]
    );
}

/// A complete spec around one `%build` line.
fn spec_with(build: &str) -> String {
    format!("Name: qemu-kvm\nVersion: 2.12.0\nExclusiveArch: x86_64\n%build\n{build}\n")
}

#[test]
fn hostile_conditions_end_in_a_warning_at_their_line() {
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1"])
        .file("q.spec", &spec_with("./configure --enable-rbd\n%if (0 - 9223372036854775807 - 1) / (0 - 1)\n./configure --enable-curl\n%endif"))
        .run();
    run.exits(1);
    run.stderr_has("not interpreted: `./configure --enable-curl`\n  --> q.spec:7:1\n");
    run.stderr_has("`(0 - 9223372036854775807 - 1) / (0 - 1)` cannot be evaluated: a number beyond 64 bits");
    for opener in ["(", "!"] {
        let condition =
            format!("./configure --enable-rbd\n%if {}1\n./configure --enable-curl\n%endif", opener.repeat(200_000));
        let run = Case::new(["import", "spec", "q.spec", "--name", "t-1"]).file("q.spec", &spec_with(&condition)).run();
        run.exits(1);
        run.stderr_has("an expression nested deeper than 256 levels");
        run.stderr_has("--> q.spec:7:1");
        assert!(run.stderr.len() < 2_000, "the 200,000 chars are not printed: {} bytes", run.stderr.len());
    }
}

#[test]
fn hostile_shell_text_ends_in_a_warning_or_an_error_at_its_place() {
    // 30,000 `then` words: beyond the parser's bound, said so; a few hundred: a syntax error
    // where sh sees one, the long line not printed again.
    let thens = format!("./configure --enable-curl\nx {}\n", "then ".repeat(30_000));
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1"]).file("q.spec", &spec_with(&thens)).run();
    run.exits(2);
    run.stderr_has("q.spec:6: the shell text: it has more than 10000 brackets and compound-command keywords");
    let thens = format!("./configure --enable-curl\n{}\n", "then ".repeat(300));
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1"]).file("q.spec", &spec_with(&thens)).run();
    run.exits(1);
    run.stderr_has("warning[not-interpreted]: not interpreted: `then then then");
    run.stderr_has("= note: at q.spec:6:6 (a line of 1500 bytes, not quoted): a shell syntax error");
    assert!(run.stderr.len() < 4_000, "the long line is not printed: {} bytes", run.stderr.len());
    // 200,000 nested `(`: beyond the parser's bound, said so.
    let deep = format!("{}./configure --enable-curl", "(".repeat(200_000));
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1"]).file("q.spec", &spec_with(&deep)).run();
    run.exits(2);
    run.stderr_has("q.spec:5: the shell text: it has more than 10000 brackets and compound-command keywords");
    assert!(run.stderr.len() < 4_000, "{} bytes", run.stderr.len());
    // Unclosed `(` after `(`: each doubled the parser's time (31 of them, found by fuzzing,
    // ran for minutes); beyond 10 the text is not parsed, said so at once.
    let opens = format!("./configure --enable-curl || {}./configure", "(".repeat(31));
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1"]).file("q.spec", &spec_with(&opens)).run();
    run.exits(2);
    run.stderr_has("q.spec:5: the shell text: it has more than 10 `(` directly followed by another `(`");
    // Ten are parsed, and `$((` arithmetic does not count.
    let opens = format!("./configure --enable-curl --x=$((1+$((2))))\nx || {}./configure", "( ".repeat(11));
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1"]).file("q.spec", &spec_with(&opens)).run();
    run.exits(1);
    run.stderr_has("the importer does not evaluate arithmetic");
    run.stderr_has(
        "warning[not-interpreted]: not interpreted: `x || ( ( ( ( ( ( ( ( ( ( ( ./configure`\n  --> q.spec:6:1",
    );
    // A redirection's descriptor beyond i32 (brush-parser panicked on it; found by fuzzing
    // import_script), said so at its line; ordinary descriptors are redirections.
    let script = "#!/bin/sh\n./configure --a 2>/dev/null\n./configure --b 6666666666666666666666>x\n";
    let run = import_script(script, &[]);
    run.exits(2);
    run.stderr_has("b.sh:3: the shell text: it redirects a file descriptor beyond 2147483647");
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    // shift by the largest count, then again.
    let script = "#!/bin/sh\nshift 18446744073709551615\nshift\n./configure --enable-curl \"$@\"\n";
    let run = import_script(script, &["--set", "@=a b"]);
    run.exits(0);
    run.stdout_has("extra-args = [\"b\"]");
}

#[test]
fn a_set_value_cannot_forge_an_unknown_and_is_read_as_the_shell_reads_it() {
    let script = "#!/bin/sh\n./configure --with-pkgversion=\"$nvr\" \"$@\"\n";
    let run = import_script(
        script,
        &["--set", "nvr=a\u{E000}0\u{E001}b", "--set", "@=--target-list=\"x86_64-softmmu\" '--with-x=a b'"],
    );
    run.exits(0);
    run.stdout_has("'--with-pkgversion=a\u{FFFD}0\u{FFFD}b'");
    // Quotes group as in the shell: two words, none of them quoted literally.
    run.stdout_has("\"--target-list=x86_64-softmmu\",");
    run.stdout_has("'--with-x=a b'");
    let run =
        Case::new(["import", "spec", "b.sh", "--qemu-version", "2.12.0", "--arches", "x86_64", "--set", "nvr=\"a"])
            .file("b.sh", script)
            .run();
    run.exits(2).stderr_has("error[bad-set]: --set nvr=\"a: a quote is not closed");
}

#[test]
fn an_elif_after_else_is_an_error_as_rpm_says() {
    let spec = spec_with("%if 0\n./configure --a\n%else\n./configure --b\n%elif 1\n./configure --c\n%endif");
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1"]).file("q.spec", &spec).run();
    run.exits(2);
    run.stderr_has("error[elif-after-else]: `%elif` after `%else` in q.spec\n  --> q.spec:9:1\n");
    if common::require_tool("rpmspec") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.spec");
        let full = spec.replace("%build", "Release: 1\nSummary: s\nLicense: l\n%description\nd\n%build");
        std::fs::write(&path, full).unwrap();
        let out = std::process::Command::new("rpmspec").arg("-P").arg(&path).output().unwrap();
        assert!(!out.status.success(), "rpmspec accepted %elif after %else");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("%elif after %else"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn doubling_macros_stop_at_a_limit_with_their_line() {
    let mut spec = "Name: q\nVersion: 1.0\nExclusiveArch: x86_64\n%global a0 0123456789abcdef\n".to_string();
    for n in 1..=33 {
        spec.push_str(&format!("%global a{n} %{{a{}}}%{{a{}}}\n", n - 1, n - 1));
    }
    spec.push_str("%build\n./configure --x=%{a33}\n");
    assert!(spec.len() < 1000, "{}", spec.len());
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1"]).file("q.spec", &spec).run();
    run.exits(2);
    run.stderr_has("error[expansion-too-large]: the macros of q.spec expand to more than 16 MiB\n   --> q.spec:24:1\n");
}

#[test]
fn many_repeated_flags_on_one_long_line_give_one_short_note() {
    let line = format!("./configure {}", "--enable-rbd --disable-rbd ".repeat(2_500));
    assert!(line.len() > 65_000);
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1"]).file("q.spec", &spec_with(&line)).run();
    run.exits(0);
    let notes: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("warning[")).collect();
    assert_eq!(
        notes,
        [
            "warning[import-note]: `--enable-rbd` is passed 4999 more times after line 5 (the last as `--disable-rbd`); configure uses the last"
        ]
    );
    assert!(run.stderr.len() < 1_000, "{}", run.stderr);
    run.stderr_has("= note: at q.spec:5:26 (a line of 67512 bytes, not quoted): here");
}

#[test]
fn a_spec_with_a_nul_byte_or_too_large_or_not_a_file_is_refused_naming_it() {
    let run =
        Case::new(["import", "spec", "q.spec", "--name", "t-1"]).file("q.spec", &spec_with("./configure --a\0b")).run();
    run.exits(2);
    run.stderr_has("error[not-text]: q.spec holds a NUL byte: it is not a spec or a build script\n  --> q.spec:5:16\n");
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1", "--max-size", "1k"])
        .file("q.spec", &spec_with(&"x".repeat(2_000)))
        .run();
    run.exits(2);
    run.stderr_has("error[io]: cannot read q.spec: 2.0 KiB (2061 bytes) is over the limit of 1.0 KiB (1024 bytes)");
    Case::new(["import", "spec", "/dev/zero"])
        .run()
        .exits(2)
        .stderr_has("cannot read /dev/zero: not a regular file (it is a character device)");
    if common::require_tool("mkfifo") {
        let case = Case::new(["import", "spec", "fifo.spec"]);
        let status = std::process::Command::new("mkfifo").arg(case.path("fifo.spec")).status().unwrap();
        assert!(status.success());
        case.run().exits(2).stderr_has("cannot read fifo.spec: not a regular file (it is a FIFO)");
    }
}

#[test]
fn redirections_and_here_documents_are_not_configure_arguments() {
    let script = "#!/bin/sh\ncat > x.sh <<'EOF'\n./configure --in-the-here-document\nEOF\n./configure --enable-rbd > config.log 2>&1 | tee -a log && make\n";
    let run = import_script(script, &["--format", "json"]);
    run.exits(0);
    let view = json(&run.stdout);
    let x86 = build(&view, "x86_64");
    assert_eq!(features(x86), ["rbd=enable"]);
    assert!(extra_args(x86).is_empty(), "{x86}");
    assert_eq!(
        x86["configure"],
        serde_json::json!({"file": "b.sh", "line": 5}),
        "the here-document's configure is text"
    );
}

/// An extra-arg the profile could not hold is listed, not written; one passed twice is kept
/// once; RHEL 9's `--interp-prefix=%{_prefix}/qemu-%M` (a `%M` rpm leaves as it is) is kept.
#[test]
fn extra_args_a_profile_cannot_hold_are_listed_and_repeats_kept_once() {
    let spec = "Name: qemu-kvm\nVersion: 7.2.0\nExclusiveArch: x86_64\n%build\n./configure --interp-prefix=%{_prefix}/qemu-%M --x=%(reboot) --a --a\n";
    let run = Case::new(["import", "spec", "q.spec", "--name", "t-1", "--format", "json"]).file("q.spec", spec).run();
    run.exits(1);
    let view = json(&run.stdout);
    assert_eq!(not_interpreted(&view), [("q.spec:5".to_string(), "--x=%(reboot)".to_string())], "{}", run.stderr);
    run.stderr_has("a profile cannot hold it as an extra-arg: rpm expands `%` everywhere in a spec");
    run.stderr_has("warning[import-note]: `--a` is passed twice; the profile lists it once (configure does not mind)");
    let toml = view["toml"].as_str().unwrap();
    assert!(toml.contains("extra-args = [\n    \"--interp-prefix=%{_prefix}/qemu-%M\",  # from q.spec:5\n    \"--a\",  # from q.spec:5\n]"), "{toml}");
    // The imported profile loads and generates the argument as the spec wrote it.
    Case::new(["generate", "configure", "t-1"])
        .profile("t-1", toml)
        .run()
        .exits(0)
        .stdout_has("--interp-prefix=%{_prefix}/qemu-%M");
}
