//! The generated spec snippet, expanded by the real `rpmspec -P --target=ARCH` and run by a
//! real shell, passes exactly the arguments of `generate configure --arch ARCH`, for every
//! arch of every shipped profile and every spec style (inline, globals, macros).

mod common;

/// `common::rpm::check_spec_styles` for each of `names`; returns how many expansions it checked.
fn check_profiles(profile_dirs: &[std::path::PathBuf], names: &[String]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    names.iter().map(|name| common::rpm::check_spec_styles(dir.path(), profile_dirs, name)).sum()
}

#[test]
fn spec_snippets_expand_to_the_configure_arguments_of_every_arch() {
    if !common::require_tool("rpmspec") {
        return;
    }
    let checked = check_profiles(&[], &common::shipped_profiles());
    // 13 shipped profiles with 1 to 5 arches each, in three styles.
    assert!(checked >= 3 * 13, "only {checked} expansions checked");
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
    assert_eq!(checked, 12);
}
