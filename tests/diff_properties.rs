//! The laws of `diff::compare` over generated profile pairs: a profile against itself is
//! empty, `compare(b, a)` mirrors `compare(a, b)`, list order means nothing, and a layer
//! filter keeps exactly that layer's changes.

use drvpolicy::diff::{self, Changes, DiffLayer, Filter};
use drvpolicy::policy::Policy;
use drvpolicy::store::Store;
use proptest::prelude::*;
use proptest::sample::subsequence;

const ARCHES: &[&str] = &["x86_64", "ppc64le", "aarch64", "s390x"];
const VERSIONS: &[&str] = &["2.6.0", "2.12.0", "6.2.0"];
/// Options every version above accepts (qemu.md 1e).
const FEATURES: &[&str] = &["curl", "rbd", "glusterfs", "libiscsi", "libnfs"];
const STATES: &[&str] = &["enable", "disable", "auto", "unavailable"];
const DRIVERS: &[&str] =
    &["qcow2", "raw", "file", "host_device", "nbd", "iscsi", "gluster", "rbd", "ssh", "https", "vmdk", "vpc", "luks"];
const PROTOCOLS: &[&str] = &["ftp", "ftps", "http", "https", "gluster", "iscsi", "nbd", "rbd", "ssh"];
const PROGRAMS: &[&str] = &["emulator", "tools", "libguestfs"];

/// A small random profile, written as TOML.
#[derive(Debug, Clone)]
struct Spec {
    version: &'static str,
    arches: Vec<&'static str>,
    tools_only: Vec<&'static str>,
    features: Vec<(&'static str, &'static str)>,
    /// Per-arch feature overrides.
    arch_features: Vec<(&'static str, &'static str, &'static str)>,
    rw: Vec<&'static str>,
    ro: Vec<&'static str>,
    in_tools: bool,
    disabled: Vec<&'static str>,
    libvirt: Option<Vec<&'static str>>,
    needs: Vec<(&'static str, &'static str, &'static str)>,
    libguestfs_version: &'static str,
}

fn list(items: &[&str]) -> String {
    format!("[{}]", items.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", "))
}

impl Spec {
    fn toml(&self) -> String {
        let mut t = format!(
            "[profile]\nproduct = \"prop\"\nrelease = \"1.0\"\narches = {}\n\n[qemu]\npackage = \"qemu\"\nversion = \"{}\"\nrw-whitelist = {}\nro-whitelist = {}\n",
            list(&self.arches),
            self.version,
            list(&self.rw),
            list(&self.ro)
        );
        // whitelist-in-tools exists from 6.1 (qemu.md); older configure would refuse it.
        if self.version == "6.2.0" {
            t.push_str(&format!("whitelist-in-tools = {}\n", self.in_tools));
        }
        t.push_str("\n[qemu.features]\n");
        for (name, state) in &self.features {
            t.push_str(&format!("{name} = \"{state}\"\n"));
        }
        t.push_str(&format!(
            "\n[libguestfs]\nversion = \"{}\"\ndisabled-protocols = {}\n",
            self.libguestfs_version,
            list(&self.disabled)
        ));
        if let Some(libvirt) = &self.libvirt {
            t.push_str(&format!("\n[libvirt]\ndisabled-protocols = {}\n", list(libvirt)));
        }
        if !self.needs.is_empty() {
            t.push_str("\n[consumers.v2v]\nneeds = [\n");
            for (driver, access, program) in &self.needs {
                t.push_str(&format!(
                    "  {{ driver = \"{driver}\", access = \"{access}\", program = \"{program}\", why = \"test\" }},\n"
                ));
            }
            t.push_str("]\n");
        }
        for arch in &self.tools_only {
            t.push_str(&format!("\n[arch.\"{arch}\".qemu]\nbuild = \"tools-only\"\n"));
        }
        for (arch, name, state) in &self.arch_features {
            t.push_str(&format!("\n[arch.\"{arch}\".qemu.features]\n{name} = \"{state}\"\n"));
        }
        t
    }

    /// The same profile with every list written in reverse.
    fn reversed(&self) -> Spec {
        let mut s = self.clone();
        s.rw.reverse();
        s.ro.reverse();
        s.disabled.reverse();
        if let Some(l) = &mut s.libvirt {
            l.reverse();
        }
        s
    }
}

fn subset(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    subsequence(pool, 0..=pool.len()).prop_shuffle()
}

fn spec() -> impl Strategy<Value = Spec> {
    let arches = subsequence(ARCHES, 1..=ARCHES.len()).prop_shuffle();
    let features = subsequence(FEATURES, 0..=FEATURES.len())
        .prop_flat_map(|names| {
            let n = names.len();
            (Just(names), proptest::collection::vec(proptest::sample::select(STATES), n))
        })
        .prop_map(|(names, states)| names.into_iter().zip(states).collect::<Vec<_>>());
    let needs = proptest::collection::vec(
        (
            proptest::sample::select(DRIVERS),
            proptest::sample::select(&["ro", "rw"][..]),
            proptest::sample::select(PROGRAMS),
        ),
        0..3,
    );
    (
        proptest::sample::select(VERSIONS),
        arches,
        features,
        subset(DRIVERS),
        subset(DRIVERS),
        any::<bool>(),
        subset(PROTOCOLS),
        proptest::option::of(subset(PROTOCOLS)),
        needs,
        proptest::sample::select(&["1.32.7", "1.36.10"][..]),
        any::<u8>(),
        (proptest::sample::select(FEATURES), proptest::sample::select(STATES)),
    )
        .prop_map(
            |(version, arches, features, rw, ro, in_tools, disabled, libvirt, needs, lg, bits, (fname, fstate))| {
                // Some arches (by bits) are tools-only; the last arch gets one feature override.
                let tools_only =
                    arches.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, a)| *a).collect();
                let arch_features =
                    if bits & 0x80 != 0 { vec![(arches[arches.len() - 1], fname, fstate)] } else { vec![] };
                let mut needs = needs;
                needs.sort();
                needs.dedup_by(|a, b| a.0 == b.0 && a.2 == b.2);
                Spec {
                    version,
                    arches,
                    tools_only,
                    features,
                    arch_features,
                    rw,
                    ro,
                    in_tools,
                    disabled,
                    libvirt,
                    needs,
                    libguestfs_version: lg,
                }
            },
        )
}

/// Writes the profiles to a temporary search path and resolves them through the library.
fn resolve(profiles: &[(&str, &Spec)]) -> Vec<Policy> {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, spec) in profiles {
        std::fs::write(dir.path().join(format!("{name}.toml")), spec.toml()).expect("write profile");
    }
    let mut store = Store::new(&[dir.path().to_path_buf()]).expect("store");
    profiles
        .iter()
        .map(|(name, spec)| match drvpolicy::resolve::resolve(&mut store, name) {
            Ok(resolved) => resolved.policy,
            Err(failure) => panic!("{name} does not resolve: {:?}\n{}", failure.diagnostics, spec.toml()),
        })
        .collect()
}

/// Every (arch or profile-wide, layer, change) of a comparison, in a fixed order.
fn flat(changes: &Changes) -> Vec<String> {
    let mut out: Vec<String> =
        changes.profile.iter().flat_map(|l| l.changes.iter().map(move |c| format!("* {:?} {c:?}", l.layer))).collect();
    for group in &changes.groups {
        for arch in &group.arches {
            for layer in &group.layers {
                out.extend(layer.changes.iter().map(|c| format!("{arch} {:?} {c:?}", layer.layer)));
            }
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn laws_of_compare(a in spec(), b in spec()) {
        let reversed = a.reversed();
        let policies = resolve(&[("pa", &a), ("pb", &b), ("pr", &reversed)]);
        let (pa, pb, pr) = (&policies[0], &policies[1], &policies[2]);

        // Identity.
        prop_assert!(diff::compare(pa, pa).is_empty());
        prop_assert!(diff::compare(pb, pb).is_empty());
        // Lists compare as sets: the same profile with its lists reversed differs in nothing.
        prop_assert!(diff::compare(pa, pr).is_empty(), "{:?}", diff::compare(pa, pr));

        // Mirror, and mirroring twice is the identity.
        let ab = diff::compare(pa, pb);
        let ba = diff::compare(pb, pa);
        prop_assert_eq!(&ba, &ab.mirrored());
        prop_assert_eq!(&ab.mirrored().mirrored(), &ab);
        prop_assert_eq!(ab.is_empty(), ba.is_empty());

        // Every common arch is in exactly one group or in `unchanged`.
        let mut seen: Vec<&String> = ab.groups.iter().flat_map(|g| &g.arches).chain(&ab.unchanged).collect();
        seen.sort();
        let mut common: Vec<&String> = ab.old.arches.iter().filter(|a| ab.new.arches.contains(a)).collect();
        common.sort();
        prop_assert_eq!(seen, common);
        // Groups hold distinct, non-empty differences.
        for (i, g) in ab.groups.iter().enumerate() {
            prop_assert!(!g.layers.is_empty());
            prop_assert!(ab.groups[..i].iter().all(|h| h.layers != g.layers));
        }

        // A layer filter keeps exactly that layer's changes, and still mirrors.
        let all = flat(&ab);
        for layer in DiffLayer::ALL {
            let filter = Filter { layer: Some(layer), arch: None };
            let only = diff::compare_with(pa, pb, &filter);
            let expected: Vec<String> = all.iter().filter(|l| l.split(' ').nth(1) == Some(&format!("{layer:?}"))).cloned().collect();
            prop_assert_eq!(flat(&only), expected, "layer {:?}", layer);
            prop_assert_eq!(diff::compare_with(pb, pa, &filter), only.mirrored());
        }
    }
}
