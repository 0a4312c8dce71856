//! `show` and `list`: the resolved policy as people and machines read it.

use crate::policy::{BuildReason, Policy, Valued};
use crate::source::{OriginView, Sources};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Sourced<T: Serialize> {
    pub value: T,
    /// The profile line that set it, a catalogue fact or the default.
    pub origin: OriginView,
}

fn sourced<T: Serialize + Clone>(v: &Valued<T>, sources: &Sources) -> Sourced<T> {
    Sourced { value: v.value.clone(), origin: sources.origin(&v.origin) }
}

fn sourced_list(list: &[Valued<String>], sources: &Sources) -> Vec<Sourced<String>> {
    list.iter().map(|v| sourced(v, sources)).collect()
}

#[derive(Debug, Serialize)]
pub struct ShowView {
    pub profile: String,
    pub product: String,
    pub release: String,
    pub description: String,
    pub parents: Vec<String>,
    pub sources: Vec<String>,
    pub qemu: QemuView,
    pub libguestfs: PackageView,
    pub libvirt: PackageView,
    pub arches: Vec<ArchView>,
}

#[derive(Debug, Serialize)]
pub struct QemuView {
    pub package: Sourced<String>,
    pub version: Sourced<String>,
    pub backports: Vec<Sourced<String>>,
    pub main_package: Option<Sourced<String>>,
    pub module_dir: Option<Sourced<String>>,
    pub obsoletes: Vec<Sourced<String>>,
}

#[derive(Debug, Serialize)]
pub struct PackageView {
    pub package: Option<String>,
    pub version: Option<String>,
    pub patch: Option<String>,
    /// libguestfs only: how it runs qemu (`libvirt` or `direct`).
    pub backend: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ArchView {
    pub arch: String,
    pub build: Sourced<String>,
    pub features: Vec<FeatureView>,
    pub extra_args: Vec<Sourced<String>>,
    pub compiled_in: Vec<String>,
    pub compiled_out: Vec<DriverView>,
    pub rw_whitelist: Vec<Sourced<String>>,
    pub ro_whitelist: Vec<Sourced<String>>,
    pub whitelist_in_tools: Sourced<bool>,
    /// Drivers built as loadable modules, with the subpackage that ships each.
    pub modules: Vec<ModuleView>,
    pub libguestfs_disabled: Vec<Sourced<String>>,
    /// `null` when the profiles say nothing of libvirt.
    pub libvirt: Option<LibvirtView>,
    pub needs: Vec<NeedView>,
}

#[derive(Debug, Serialize)]
pub struct ModuleView {
    pub driver: String,
    pub module: String,
    /// The subpackage that ships it, if the profiles name one.
    pub subpackage: Option<String>,
    pub required: bool,
    pub origin: OriginView,
}

#[derive(Debug, Serialize)]
pub struct LibvirtView {
    pub disabled: Vec<Sourced<String>>,
    pub storage_backends: Vec<BackendView>,
}

#[derive(Debug, Serialize)]
pub struct BackendView {
    pub name: String,
    pub built: bool,
    pub origin: OriginView,
}

#[derive(Debug, Serialize)]
pub struct FeatureView {
    pub name: String,
    pub state: String,
    pub custom: bool,
    pub origin: OriginView,
}

#[derive(Debug, Serialize)]
pub struct DriverView {
    pub name: String,
    pub reason: BuildReason,
    pub origin: OriginView,
}

#[derive(Debug, Serialize)]
pub struct NeedView {
    pub consumer: String,
    pub driver: String,
    pub access: String,
    pub program: String,
    pub why: String,
    pub origin: OriginView,
}

pub fn view(policy: &Policy, arch: Option<&str>, sources: &Sources) -> ShowView {
    let arches = policy
        .arches
        .iter()
        .filter(|a| arch.is_none_or(|want| a.arch == want))
        .map(|a| ArchView {
            arch: a.arch.clone(),
            build: Sourced { value: a.build.value.to_string(), origin: sources.origin(&a.build.origin) },
            features: a
                .features
                .iter()
                .map(|f| FeatureView {
                    name: f.name.clone(),
                    state: f.state.to_string(),
                    custom: f.custom,
                    origin: sources.origin(&f.origin),
                })
                .collect(),
            extra_args: sourced_list(&a.extra_args, sources),
            compiled_in: a.drivers.iter().filter(|d| d.compiled_in).map(|d| d.name.to_string()).collect(),
            compiled_out: a
                .drivers
                .iter()
                .filter(|d| !d.compiled_in)
                .map(|d| DriverView {
                    name: d.name.to_string(),
                    reason: d.reason.clone(),
                    origin: sources.origin(&d.origin),
                })
                .collect(),
            rw_whitelist: sourced_list(&a.rw_whitelist, sources),
            ro_whitelist: sourced_list(&a.ro_whitelist, sources),
            whitelist_in_tools: sourced(&a.whitelist_in_tools, sources),
            modules: a
                .drivers
                .iter()
                .filter_map(|d| {
                    let module = d.module.as_ref()?;
                    let sub = a.subpackage(&module.value);
                    Some(ModuleView {
                        driver: d.name.to_string(),
                        module: module.value.clone(),
                        subpackage: sub.filter(|s| s.shipped).map(|s| s.name.clone()),
                        required: sub.is_some_and(|s| s.required),
                        origin: sources.origin(sub.map_or(&module.origin, |s| &s.origin)),
                    })
                })
                .collect(),
            libguestfs_disabled: sourced_list(&a.libguestfs_disabled, sources),
            libvirt: a.libvirt.as_ref().map(|l| LibvirtView {
                disabled: sourced_list(&l.disabled, sources),
                storage_backends: l
                    .backends
                    .iter()
                    .map(|b| BackendView { name: b.name.clone(), built: b.enabled, origin: sources.origin(&b.origin) })
                    .collect(),
            }),
            needs: a
                .needs
                .iter()
                .map(|n| NeedView {
                    consumer: n.consumer.clone(),
                    driver: n.driver.clone(),
                    access: n.access.to_string(),
                    program: n.program.to_string(),
                    why: n.why.clone(),
                    origin: sources.origin(&n.origin),
                })
                .collect(),
        })
        .collect();
    let text = |v: &Option<Valued<String>>| v.as_ref().map(|v| v.value.clone());
    let package = |p: &crate::policy::Package| PackageView {
        package: text(&p.package),
        version: p.version.as_ref().map(|v| v.value.to_string()),
        patch: text(&p.patch),
        backend: None,
    };
    let optional = |v: &Option<Valued<String>>| v.as_ref().map(|v| sourced(v, sources));
    ShowView {
        profile: policy.name.clone(),
        product: policy.product.clone(),
        release: policy.release_text.clone(),
        description: policy.description.clone(),
        parents: policy.parents.to_vec(),
        sources: policy.sources.clone(),
        qemu: QemuView {
            package: sourced(&policy.qemu.package, sources),
            version: Sourced {
                value: policy.qemu.version.value.to_string(),
                origin: sources.origin(&policy.qemu.version.origin),
            },
            backports: sourced_list(&policy.qemu.backports, sources),
            main_package: optional(&policy.qemu.main_package),
            module_dir: optional(&policy.qemu.module_dir),
            obsoletes: sourced_list(&policy.qemu.obsoletes, sources),
        },
        libguestfs: PackageView {
            backend: Some(policy.libguestfs_backend.value.to_string()),
            ..package(&policy.libguestfs)
        },
        libvirt: package(&policy.libvirt),
        arches,
    }
}

/// One line of `list`. The fields are in the order `list --format json` has always printed them.
#[derive(Debug, Serialize)]
pub struct ListEntry {
    pub arches: Vec<String>,
    pub description: String,
    pub name: String,
    pub parent: Option<String>,
    pub product: String,
    pub qemu: crate::policy::QemuName,
    pub release: String,
    /// The file of this profile when it replaces a shipped profile of the same name.
    pub shadows_shipped: Option<String>,
}

impl ListEntry {
    /// The width in characters of `package version`, as the QEMU column shows it.
    fn qemu_width(&self) -> usize {
        self.qemu.package.chars().count() + 1 + self.qemu.version.chars().count()
    }
}

/// The widths of `list`'s padded columns, in characters: measured here once rather than by the
/// template in passes over every row.
#[derive(Debug, Serialize)]
pub struct ListColumns {
    /// PROFILE and PARENT: the longest name, with room for the `*` mark when one is marked.
    pub name: usize,
    pub qemu: usize,
}

/// What `list.j2` renders: the entries and their column widths.
#[derive(Debug, Serialize)]
pub struct ListView<'a> {
    pub profiles: &'a [ListEntry],
    pub columns: ListColumns,
}

pub fn list_view(profiles: &[ListEntry]) -> ListView<'_> {
    let marked = profiles.iter().any(|e| e.shadows_shipped.is_some());
    let longest = profiles.iter().map(|e| e.name.chars().count()).max().unwrap_or(0);
    let qemu = profiles.iter().map(ListEntry::qemu_width).max().unwrap_or(0);
    let columns =
        ListColumns { name: (longest + usize::from(marked)).max("PROFILE".len()), qemu: qemu.max("QEMU".len()) };
    ListView { profiles, columns }
}

/// Profiles ordered by product, then release as a version, then name.
pub fn list(policies: &[Policy], shadowing: impl Fn(&str) -> Option<String>) -> Vec<ListEntry> {
    let summaries = policies.iter().map(|p| crate::resolve::Summary {
        name: p.name.clone(),
        product: p.product.clone(),
        release: p.release.clone(),
        release_text: p.release_text.clone(),
        qemu: p.qemu_name(),
        arches: p.arch_names().iter().map(|s| s.to_string()).collect(),
        parent: p.parents.first().map(str::to_string),
        description: p.description.clone(),
    });
    sorted_list(summaries.collect(), shadowing)
}

/// `list`'s lines ordered by product, then release as a version, then name; `shadowing` gives
/// the file of a profile that replaces a shipped one.
pub fn sorted_list(
    summaries: Vec<crate::resolve::Summary>,
    shadowing: impl Fn(&str) -> Option<String>,
) -> Vec<ListEntry> {
    // Sorted as indices: a summary is a few hundred bytes to move, an index eight.
    let mut order: Vec<usize> = (0..summaries.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&summaries[a], &summaries[b]);
        (&a.product, &a.release, &a.name).cmp(&(&b.product, &b.release, &b.name))
    });
    let mut slots: Vec<Option<crate::resolve::Summary>> = summaries.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|i| slots[i].take())
        .map(|s| ListEntry {
            shadows_shipped: shadowing(&s.name),
            name: s.name,
            product: s.product,
            release: s.release_text,
            qemu: s.qemu,
            arches: s.arches,
            parent: s.parent,
            description: s.description,
        })
        .collect()
}
