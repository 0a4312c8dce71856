//! The generated spec snippet, expanded by the real `rpmspec -P --target=ARCH` and run by a
//! real shell, passes exactly the arguments of `generate configure --arch ARCH`, for every
//! arch of every shipped profile and both spec styles.

mod common;

use drvpolicy::generate::{configure, spec};
use drvpolicy::options::Dialect;
use drvpolicy::render::Renderer;
use drvpolicy::resolve::resolve;
use drvpolicy::store::Store;

const SPEC_HEAD: &str = "Name: drvpolicy-check\nVersion: 1\nRelease: 1\nSummary: expands a drvpolicy snippet\nLicense: MIT\n\n%description\nChecks generated configure arguments.\n\n%build\n";

/// Expands both spec styles of each profile for each of its arches; returns how many it checked.
fn check_profiles(profile_dirs: &[std::path::PathBuf], names: &[String]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let renderer = Renderer::new(None).unwrap();
    let mut checked = 0;
    for name in names {
        let mut store = Store::new(profile_dirs).unwrap();
        let policy = resolve(&mut store, name).unwrap().policy;
        for style in [spec::SpecStyle::Inline, spec::SpecStyle::Globals] {
            let snippet = renderer.render("spec.j2", spec::view(&policy, style).unwrap()).unwrap();
            let spec = format!("{SPEC_HEAD}{snippet}\n%install\n");
            for arch in &policy.arches {
                let expected = configure::arguments(&policy, arch, Dialect::Configure).unwrap();
                let expected: Vec<String> = expected.into_iter().map(|a| a.text).collect();
                let got = common::rpm::configure_arguments(dir.path(), &spec, &arch.arch, "%build\n", &[]);
                assert_eq!(got, expected, "{name} {style:?} on {}:\n{snippet}", arch.arch);
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
