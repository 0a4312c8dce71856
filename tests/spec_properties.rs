//! Spec and configure never disagree: for generated profiles (arch selectors named and
//! negated, tools-only arches, per-arch whitelists in other orders, extra-args that repeat or
//! change order per arch), the real `rpmspec -P --target=ARCH` expansion of every spec style
//! passes configure exactly what `generate configure --arch ARCH` prints, on every arch.

mod common;

use proptest::prelude::*;
use proptest::sample::{select, subsequence};

const ARCHES: &[&str] = &["x86_64", "ppc64le", "aarch64", "s390x"];
/// Options qemu 2.12's configure accepts (qemu.md 1e).
const FEATURES: &[&str] = &["curl", "rbd", "glusterfs", "libiscsi", "libnfs", "libssh2"];
const STATES: &[&str] = &["enable", "disable", "auto"];
const RW: &[&str] = &["qcow2", "raw", "file", "nbd", "rbd", "iscsi"];
const RO: &[&str] = &["vmdk", "vpc", "https", "ssh"];
/// Extra arguments as profiles write them: quoted, with rpm macros, some alike.
const EXTRA: &[&str] = &[
    "--disable-werror",
    "--prefix=%{_prefix}",
    "--extra-cflags=\"%{optflags} -fPIE\"",
    "--with-pkgversion='t 1'",
    "--disable-werror",
];

#[derive(Debug, Clone)]
struct Override {
    /// `x86_64`, `ppc64le,s390x` or `!aarch64`.
    selector: String,
    tools_only: bool,
    features: Vec<(&'static str, &'static str)>,
    rw: Option<Vec<&'static str>>,
    extra: Option<Vec<&'static str>>,
}

#[derive(Debug, Clone)]
struct Profile {
    arches: Vec<&'static str>,
    features: Vec<(&'static str, &'static str)>,
    rw: Vec<&'static str>,
    ro: Vec<&'static str>,
    extra: Vec<&'static str>,
    overrides: Vec<Override>,
}

fn list(items: &[&str]) -> String {
    let quoted: Vec<String> =
        items.iter().map(|i| format!("\"{}\"", i.replace('\\', "\\\\").replace('"', "\\\""))).collect();
    format!("[{}]", quoted.join(", "))
}

fn features(items: &[(&str, &str)]) -> String {
    let pairs: Vec<String> = items.iter().map(|(n, s)| format!("{n} = \"{s}\"")).collect();
    format!("{{ {} }}", pairs.join(", "))
}

impl Profile {
    fn toml(&self) -> String {
        let mut t = format!(
            "[profile]\nproduct = \"prop\"\nrelease = \"1\"\narches = {}\n\n[qemu]\npackage = \"qemu-kvm\"\nversion = \"2.12.0\"\nrw-whitelist = {}\nro-whitelist = {}\nextra-args = {}\nfeatures = {}\n",
            list(&self.arches),
            list(&self.rw),
            list(&self.ro),
            list(&self.extra),
            features(&self.features),
        );
        for o in &self.overrides {
            t.push_str(&format!("\n[arch.\"{}\".qemu]\n", o.selector));
            if o.tools_only {
                t.push_str("build = \"tools-only\"\n");
            }
            t.push_str(&format!("features = {}\n", features(&o.features)));
            if let Some(rw) = &o.rw {
                t.push_str(&format!("rw-whitelist = {}\n", list(rw)));
            }
            if let Some(extra) = &o.extra {
                t.push_str(&format!("extra-args = {}\n", list(extra)));
            }
        }
        t
    }
}

/// A subset of `items` in a random order.
fn shuffled(items: &'static [&'static str], min: usize) -> impl Strategy<Value = Vec<&'static str>> {
    subsequence(items, min..=items.len()).prop_shuffle()
}

fn feature_settings() -> impl Strategy<Value = Vec<(&'static str, &'static str)>> {
    shuffled(FEATURES, 0).prop_flat_map(|names| {
        let n = names.len();
        (Just(names), proptest::collection::vec(select(STATES), n))
            .prop_map(|(names, states)| names.into_iter().zip(states).collect())
    })
}

fn overrides(arches: Vec<&'static str>) -> impl Strategy<Value = Vec<Override>> {
    let selector = (subsequence(arches.clone(), 1..=arches.len()), any::<bool>())
        .prop_map(|(chosen, negated)| if negated { format!("!{}", chosen[0]) } else { chosen.join(",") });
    let one = (
        selector,
        any::<bool>(),
        feature_settings(),
        proptest::option::of(shuffled(RW, 1)),
        proptest::option::of(shuffled(EXTRA, 0)),
    )
        .prop_map(|(selector, tools_only, features, rw, extra)| Override {
            selector,
            tools_only,
            features,
            rw,
            extra,
        });
    // One table per selector: TOML has no two tables of one name.
    proptest::collection::vec(one, 0..=3).prop_map(|mut overrides| {
        let mut seen = Vec::new();
        overrides.retain(|o| {
            let new = !seen.contains(&o.selector);
            seen.push(o.selector.clone());
            new
        });
        overrides
    })
}

fn profiles() -> impl Strategy<Value = Profile> {
    shuffled(ARCHES, 1).prop_flat_map(|arches| {
        (
            Just(arches.clone()),
            feature_settings(),
            shuffled(RW, 1),
            shuffled(RO, 0),
            shuffled(EXTRA, 0),
            overrides(arches),
        )
            .prop_map(|(arches, features, rw, ro, extra, overrides)| Profile {
                arches,
                features,
                rw,
                ro,
                extra,
                overrides,
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_spec_style_expands_to_what_configure_prints(profile in profiles()) {
        if !common::require_tool("rpmspec") {
            return Ok(());
        }
        let dir = tempfile::tempdir().unwrap();
        let profiles = dir.path().join("profiles");
        std::fs::create_dir_all(&profiles).unwrap();
        std::fs::write(profiles.join("gen.toml"), profile.toml()).unwrap();
        let checked = common::rpm::check_spec_styles(dir.path(), &[profiles], "gen");
        prop_assert_eq!(checked, 3 * profile.arches.len());
    }
}
