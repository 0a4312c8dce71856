//! `show` and `list`: the resolved policy as people and machines read it.

use crate::policy::{BuildReason, Policy, Valued};
use crate::source::Sources;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Sourced<T: Serialize> {
    pub value: T,
    /// `file:line:col` of the profile line that set it, `catalogue: ...` or `default`.
    pub origin: String,
}

fn sourced<T: Serialize + Clone>(v: &Valued<T>, sources: &Sources) -> Sourced<T> {
    Sourced { value: v.value.clone(), origin: sources.describe(&v.origin) }
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
    pub arches: Vec<ArchView>,
}

#[derive(Debug, Serialize)]
pub struct QemuView {
    pub package: Sourced<String>,
    pub version: Sourced<String>,
    pub backports: Vec<Sourced<String>>,
}

#[derive(Debug, Serialize)]
pub struct PackageView {
    pub package: Option<String>,
    pub version: Option<String>,
    pub patch: Option<String>,
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
    pub libguestfs_disabled: Vec<Sourced<String>>,
    /// `null` when the profiles say nothing of libvirt.
    pub libvirt_disabled: Option<Vec<Sourced<String>>>,
    pub needs: Vec<NeedView>,
}

#[derive(Debug, Serialize)]
pub struct FeatureView {
    pub name: String,
    pub state: String,
    pub custom: bool,
    pub origin: String,
}

#[derive(Debug, Serialize)]
pub struct DriverView {
    pub name: String,
    pub reason: BuildReason,
    pub origin: String,
}

#[derive(Debug, Serialize)]
pub struct NeedView {
    pub consumer: String,
    pub driver: String,
    pub access: String,
    pub program: String,
    pub why: String,
    pub origin: String,
}

pub fn view(policy: &Policy, arch: Option<&str>, sources: &Sources) -> ShowView {
    let arches = policy
        .arches
        .iter()
        .filter(|a| arch.is_none_or(|want| a.arch == want))
        .map(|a| ArchView {
            arch: a.arch.clone(),
            build: Sourced { value: a.build.value.to_string(), origin: sources.describe(&a.build.origin) },
            features: a
                .features
                .iter()
                .map(|f| FeatureView {
                    name: f.name.clone(),
                    state: f.state.to_string(),
                    custom: f.custom,
                    origin: sources.describe(&f.origin),
                })
                .collect(),
            extra_args: sourced_list(&a.extra_args, sources),
            compiled_in: a.drivers.iter().filter(|d| d.compiled_in).map(|d| d.name.clone()).collect(),
            compiled_out: a
                .drivers
                .iter()
                .filter(|d| !d.compiled_in)
                .map(|d| DriverView {
                    name: d.name.clone(),
                    reason: d.reason.clone(),
                    origin: sources.describe(&d.origin),
                })
                .collect(),
            rw_whitelist: sourced_list(&a.rw_whitelist, sources),
            ro_whitelist: sourced_list(&a.ro_whitelist, sources),
            whitelist_in_tools: sourced(&a.whitelist_in_tools, sources),
            libguestfs_disabled: sourced_list(&a.libguestfs_disabled, sources),
            libvirt_disabled: a.libvirt_disabled.as_ref().map(|l| sourced_list(l, sources)),
            needs: a
                .needs
                .iter()
                .map(|n| NeedView {
                    consumer: n.consumer.clone(),
                    driver: n.driver.clone(),
                    access: n.access.to_string(),
                    program: n.program.to_string(),
                    why: n.why.clone(),
                    origin: sources.describe(&n.origin),
                })
                .collect(),
        })
        .collect();
    let text = |v: &Option<Valued<String>>| v.as_ref().map(|v| v.value.clone());
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
                origin: sources.describe(&policy.qemu.version.origin),
            },
            backports: sourced_list(&policy.qemu.backports, sources),
        },
        libguestfs: PackageView {
            package: text(&policy.libguestfs.package),
            version: text(&policy.libguestfs.version),
            patch: text(&policy.libguestfs.patch),
        },
        arches,
    }
}

#[derive(Debug, Serialize)]
pub struct ListEntry {
    pub name: String,
    pub product: String,
    pub release: String,
    pub qemu: String,
    pub arches: Vec<String>,
    pub parent: Option<String>,
    pub description: String,
}

/// Profiles ordered by product, then release as a version, then name.
pub fn list(policies: &[Policy]) -> Vec<ListEntry> {
    let summaries = policies.iter().map(|p| crate::resolve::Summary {
        name: p.name.clone(),
        product: p.product.clone(),
        release: p.release.clone(),
        release_text: p.release_text.clone(),
        qemu: format!("{} {}", p.qemu.package.value, p.qemu.version.value),
        arches: p.arch_names().iter().map(|s| s.to_string()).collect(),
        parent: p.parents.first().map(str::to_string),
        description: p.description.clone(),
    });
    sorted_list(summaries.collect())
}

/// `list`'s lines ordered by product, then release as a version, then name.
pub fn sorted_list(mut summaries: Vec<crate::resolve::Summary>) -> Vec<ListEntry> {
    summaries.sort_by(|a, b| (&a.product, &a.release, &a.name).cmp(&(&b.product, &b.release, &b.name)));
    summaries
        .into_iter()
        .map(|s| ListEntry {
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
