//! The generated spec snippet, expanded by the real `rpmspec -P --target=ARCH` and run by a
//! real shell, passes exactly the arguments of `generate configure --arch ARCH`, for every
//! arch of every shipped profile and both spec styles.

mod common;

use drvpolicy::resolve::resolve;
use drvpolicy::store::Store;

const SPEC_HEAD: &str = "Name: drvpolicy-check\nVersion: 1\nRelease: 1\nSummary: expands a drvpolicy snippet\nLicense: MIT\n\n%description\nChecks generated configure arguments.\n\n%build\n";

/// What the drvpolicy command prints, with `--profiles DIR` for each of `profile_dirs`.
fn drvpolicy(profile_dirs: &[std::path::PathBuf], args: &[&str]) -> String {
    let mut command = assert_cmd::Command::cargo_bin("drvpolicy").unwrap();
    for dir in profile_dirs {
        command.arg("--profiles").arg(dir);
    }
    let output = command.args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Expands both spec styles of each profile for each of its arches, and compares what the stub
/// configure gets with what `generate configure --arch` prints; returns how many it checked.
fn check_profiles(profile_dirs: &[std::path::PathBuf], names: &[String]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for name in names {
        let mut store = Store::new(profile_dirs).unwrap();
        let arches: Vec<String> =
            resolve(&mut store, name).unwrap().policy.arches.iter().map(|a| a.arch.clone()).collect();
        let expected: Vec<Vec<String>> = arches
            .iter()
            .map(|arch| {
                let printed = drvpolicy(profile_dirs, &["generate", "configure", name, "--arch", arch]);
                printed.lines().map(|l| l.trim_end_matches(" \\").to_string()).collect()
            })
            .collect();
        for style in ["inline", "globals"] {
            let snippet = drvpolicy(profile_dirs, &["generate", "spec", name, "--style", style]);
            let spec = format!("{SPEC_HEAD}{snippet}\n%install\n");
            for (arch, expected) in arches.iter().zip(&expected) {
                let got = common::rpm::configure_arguments(dir.path(), &spec, arch, "%build\n", &[]);
                assert_eq!(&got, expected, "{name} {style} on {arch}:\n{snippet}");
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn spec_snippets_expand_to_the_configure_arguments_of_every_arch() {
    if !common::require_tool("rpmspec") {
        return;
    }
    let checked = check_profiles(&[], &common::shipped_profiles());
    // 13 shipped profiles with 1 to 5 arches each, in two styles.
    assert!(checked >= 2 * 13, "only {checked} expansions checked");
}

/// Extra arguments everywhere, a different one on the tools-only arch, a whitelist that differs
/// per full arch and ends the command on some arches only (the terminator line).
const MIXED: &str = r#"
[profile]
product = "t"
release = "1"
arches = ["x86_64", "ppc64le", "aarch64", "s390x"]

[qemu]
package = "qemu-kvm"
version = "2.12.0"
extra-args = ["--disable-werror", "--with-pkgversion=t-1"]
rw-whitelist = ["qcow2", "raw"]
features = { curl = "enable" }

[arch."ppc64le,s390x".qemu]
ro-whitelist = ["vmdk"]

[arch.aarch64.qemu]
build = "tools-only"
extra-args = { add = ["--target-list="] }
"#;

#[test]
fn extra_arguments_and_uneven_endings_expand_right() {
    if !common::require_tool("rpmspec") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mixed.toml"), MIXED).unwrap();
    let checked = check_profiles(&[dir.path().to_path_buf()], &["mixed".to_string()]);
    assert_eq!(checked, 8);
}
