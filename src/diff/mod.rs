//! `diff`: what changed between two profiles, per layer and per arch: the declared settings
//! and the effective access that users feel (from `access`). Plain data, `Serialize`, with
//! the mirror law `compare(b, a) == compare(a, b).mirrored()`.

mod declared;
mod effective;
mod fold;
pub mod generated;
mod lists;

use crate::policy::{ArchPolicy, Policy};
use serde::Serialize;

/// What a diff reports, as `--layer` names it, bottom of the output to top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiffLayer {
    /// Arches added or removed.
    Arches,
    /// qemu package, version and backports.
    Qemu,
    /// Build mode (full or tools-only) and which drivers are compiled in or built as modules.
    Build,
    /// The block subpackages that ship the modules, and whether the main package requires them.
    Subpackages,
    /// Build options: `--enable-X` / `--disable-X` and their meson spellings.
    Features,
    /// `--block-drv-rw-whitelist` (compared as a set).
    RwWhitelist,
    /// `--block-drv-ro-whitelist` (compared as a set).
    RoWhitelist,
    /// Whether qemu-img, qemu-io and qemu-nbd apply the whitelists (qemu 6.1+).
    WhitelistInTools,
    /// libvirt's version and the drivers it disables.
    Libvirt,
    /// libguestfs package, version, patch and the protocols it removes from add_drive.
    Libguestfs,
    /// Consumer needs (virt-v2v's https and ssh, ...).
    Consumers,
    /// Effective access per driver and program: what users feel.
    Access,
}

impl DiffLayer {
    pub const ALL: [DiffLayer; 12] = [
        DiffLayer::Arches,
        DiffLayer::Qemu,
        DiffLayer::Build,
        DiffLayer::Subpackages,
        DiffLayer::Features,
        DiffLayer::RwWhitelist,
        DiffLayer::RoWhitelist,
        DiffLayer::WhitelistInTools,
        DiffLayer::Libvirt,
        DiffLayer::Libguestfs,
        DiffLayer::Consumers,
        DiffLayer::Access,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DiffLayer::Arches => "arches",
            DiffLayer::Qemu => "qemu",
            DiffLayer::Build => "build",
            DiffLayer::Subpackages => "subpackages",
            DiffLayer::Features => "features",
            DiffLayer::RwWhitelist => "rw-whitelist",
            DiffLayer::RoWhitelist => "ro-whitelist",
            DiffLayer::WhitelistInTools => "whitelist-in-tools",
            DiffLayer::Libvirt => "libvirt",
            DiffLayer::Libguestfs => "libguestfs",
            DiffLayer::Consumers => "consumers",
            DiffLayer::Access => "access",
        }
    }
}

/// Removed entries come first, then added, then changed (as Linux's `scripts/diffconfig` prints them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Removed,
    Added,
    Changed,
}

impl Kind {
    fn mirrored(self) -> Kind {
        match self {
            Kind::Removed => Kind::Added,
            Kind::Added => Kind::Removed,
            Kind::Changed => Kind::Changed,
        }
    }
}

/// One difference. `field` says what within the layer (`version`, `feature`, `driver`, ...);
/// `item` names the entry of a list or map (a driver, a feature, a protocol).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: Kind,
    pub field: String,
    pub item: Option<String>,
    /// `consumers`: the consumer the need belongs to.
    pub consumer: Option<String>,
    /// `consumers` and `access`: the program (emulator, tools, libvirt, libguestfs).
    pub program: Option<String>,
    /// The old value; `null` for an added entry or a list member.
    pub old: Option<String>,
    /// The new value; `null` for a removed entry or a list member.
    pub new: Option<String>,
    /// `access`: the layer that decides each side's access (`drvpolicy explain` says why).
    pub decided_by: Option<Decided>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decided {
    pub old: crate::access::Layer,
    pub new: crate::access::Layer,
}

impl Change {
    pub(crate) fn new(kind: Kind, field: &str) -> Change {
        Change {
            kind,
            field: field.to_string(),
            item: None,
            consumer: None,
            program: None,
            old: None,
            new: None,
            decided_by: None,
        }
    }

    pub fn mirrored(&self) -> Change {
        Change {
            kind: self.kind.mirrored(),
            field: self.field.clone(),
            item: self.item.clone(),
            consumer: self.consumer.clone(),
            program: self.program.clone(),
            old: self.new.clone(),
            new: self.old.clone(),
            decided_by: self.decided_by.as_ref().map(|d| Decided { old: d.new, new: d.old }),
        }
    }
}

/// The changes of one layer, removed first, then added, then changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerChanges {
    pub layer: DiffLayer,
    pub changes: Vec<Change>,
}

impl LayerChanges {
    /// Puts removed before added before changed, keeping the order within each kind.
    pub(crate) fn new(layer: DiffLayer, mut changes: Vec<Change>) -> LayerChanges {
        changes.sort_by_key(|c| c.kind);
        LayerChanges { layer, changes }
    }

    fn mirrored(&self) -> LayerChanges {
        LayerChanges::new(self.layer, self.changes.iter().map(Change::mirrored).collect())
    }
}

/// Arches whose differences are identical, folded into one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchGroup {
    pub arches: Vec<String>,
    pub layers: Vec<LayerChanges>,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    pub profile: String,
    pub product: String,
    pub release: String,
    pub qemu: crate::policy::QemuName,
    pub arches: Vec<String>,
}

impl Side {
    fn of(policy: &Policy) -> Side {
        Side {
            profile: policy.name.clone(),
            product: policy.product.clone(),
            release: policy.release_text.clone(),
            qemu: policy.qemu_name(),
            arches: policy.arch_names().iter().map(|a| a.to_string()).collect(),
        }
    }
}

/// Everything that differs between two profiles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub old: Side,
    pub new: Side,
    /// Layers that concern the whole profile: arches added or removed, the qemu package,
    /// version and backports, the libguestfs and libvirt packages.
    pub profile: Vec<LayerChanges>,
    /// Per-arch differences of the arches both profiles build, identical ones folded.
    pub groups: Vec<ArchGroup>,
    /// Arches both profiles build that do not differ.
    pub unchanged: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.profile.is_empty() && self.groups.is_empty()
    }

    /// The same differences seen from the other side: added and removed swap, old and new swap.
    pub fn mirrored(&self) -> Changes {
        Changes {
            old: self.new.clone(),
            new: self.old.clone(),
            profile: self.profile.iter().map(LayerChanges::mirrored).collect(),
            groups: self
                .groups
                .iter()
                .map(|g| ArchGroup {
                    arches: g.arches.clone(),
                    layers: g.layers.iter().map(LayerChanges::mirrored).collect(),
                })
                .collect(),
            unchanged: self.unchanged.clone(),
        }
    }

    /// Every change of `layer`, wherever it is (profile-wide or in a group), with its arches.
    pub fn of_layer(&self, layer: DiffLayer) -> Vec<(Option<&[String]>, &Change)> {
        let profile =
            self.profile.iter().filter(|l| l.layer == layer).flat_map(|l| l.changes.iter().map(|c| (None, c)));
        let groups = self.groups.iter().flat_map(|g| {
            g.layers
                .iter()
                .filter(|l| l.layer == layer)
                .flat_map(move |l| l.changes.iter().map(move |c| (Some(g.arches.as_slice()), c)))
        });
        profile.chain(groups).collect()
    }
}

/// What to compare: every layer and arch, or one of each.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub layer: Option<DiffLayer>,
    pub arch: Option<String>,
}

impl Filter {
    fn keeps(&self, layer: DiffLayer) -> bool {
        self.layer.is_none_or(|l| l == layer)
    }

    fn keeps_arch(&self, arch: &str) -> bool {
        self.arch.as_deref().is_none_or(|a| a == arch)
    }
}

/// Every difference between `old` and `new`.
pub fn compare(old: &Policy, new: &Policy) -> Changes {
    compare_with(old, new, &Filter::default())
}

/// The differences between `old` and `new` that `filter` keeps. Arches are folded after
/// filtering, so arches that differ only in a layer left out share a group.
pub fn compare_with(old: &Policy, new: &Policy, filter: &Filter) -> Changes {
    let mut profile = Vec::new();
    for (layer, changes) in declared::profile_wide(old, new, filter) {
        if filter.keeps(layer) && !changes.is_empty() {
            profile.push(LayerChanges::new(layer, changes));
        }
    }
    // An arch whose settings on both sides equal an earlier arch's has that arch's changes
    // (RHEL 7's two tools-only arches): access is most of a diff's work.
    let mut per_arch: Vec<(String, Vec<LayerChanges>)> = Vec::new();
    // The sides of each arch in `per_arch`, in its order.
    let mut compared: Vec<(&ArchPolicy, &ArchPolicy)> = Vec::new();
    for arch in fold::common_arches(old, new).into_iter().filter(|arch| filter.keeps_arch(arch)) {
        let (o, n) = (old.arch(&arch).expect("common arch"), new.arch(&arch).expect("common arch"));
        let layers = match compared.iter().position(|(eo, en)| o.same_settings(eo) && n.same_settings(en)) {
            Some(earlier) => per_arch[earlier].1.clone(),
            None => arch_changes(old, o, new, n, filter),
        };
        compared.push((o, n));
        per_arch.push((arch, layers));
    }
    let (groups, unchanged) = fold::fold(per_arch);
    Changes { old: Side::of(old), new: Side::of(new), profile, groups, unchanged }
}

/// The changes on one arch both profiles build.
fn arch_changes(old: &Policy, o: &ArchPolicy, new: &Policy, n: &ArchPolicy, filter: &Filter) -> Vec<LayerChanges> {
    let mut layers: Vec<LayerChanges> = declared::per_arch(o, n)
        .into_iter()
        .filter(|(layer, _)| filter.keeps(*layer))
        .map(|(layer, changes)| LayerChanges::new(layer, changes))
        .collect();
    if filter.keeps(DiffLayer::Access) {
        layers.push(LayerChanges::new(DiffLayer::Access, effective::access(old, o, new, n)));
    }
    layers.retain(|l| !l.changes.is_empty());
    layers
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An arch that takes an earlier arch's changes gets what its own comparison gives: for
    /// every pair of the shipped and check-fixture profiles, on every arch both build.
    #[test]
    fn reused_arch_changes_are_the_computed_ones() {
        let policies = crate::resolve::check_fixture_policies();
        let (mut compared, mut reused) = (0, 0);
        for (old_name, old) in &policies {
            for (new_name, new) in &policies {
                let changes = compare(old, new);
                let arches = fold::common_arches(old, new);
                for (i, arch) in arches.iter().enumerate() {
                    let (o, n) = (old.arch(arch).unwrap(), new.arch(arch).unwrap());
                    let computed = arch_changes(old, o, new, n, &Filter::default());
                    let group = changes.groups.iter().find(|g| g.arches.contains(arch));
                    let reported = group.map_or(&[][..], |g| &g.layers[..]);
                    assert_eq!(reported, &computed[..], "{old_name} -> {new_name} on {arch}");
                    assert_eq!(group.is_none(), changes.unchanged.contains(arch));
                    compared += 1;
                    let earlier = &arches[..i];
                    reused += usize::from(
                        earlier
                            .iter()
                            .any(|e| o.same_settings(old.arch(e).unwrap()) && n.same_settings(new.arch(e).unwrap())),
                    );
                }
            }
        }
        // 286 of 2,058 when this was written.
        assert!(compared > 1000 && reused > 200, "{compared} {reused}");
    }
}
