//! `generate libguestfs`: the protocols the downstream patch removes from `add_drive`, the
//! ones it leaves, and the qemu driver behind each.

use crate::catalogue::Catalogue;
use crate::code::Code;
use crate::policy::{ArchPolicy, Policy};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct LibguestfsView {
    pub profile: String,
    pub package: String,
    pub version: String,
    pub patch: String,
    /// Arch groups with the same protocol lists (usually one for the whole profile).
    pub groups: Vec<ProtocolGroup>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ProtocolGroup {
    pub arches: Vec<String>,
    pub disabled: Vec<Protocol>,
    pub allowed: Vec<Protocol>,
    /// Protocols this libguestfs version no longer has upstream: not the patch's doing.
    pub removed_upstream: Vec<Protocol>,
}

#[derive(Debug, Serialize, PartialEq, Eq, Clone)]
pub struct Protocol {
    pub name: String,
    /// The qemu driver it opens (its whitelist name).
    pub driver: String,
    /// Why it is in this list, for changelogs and reviews.
    pub reason: String,
    /// What qemu's emulator allows for the driver on the group's arches.
    pub emulator: String,
}

/// The protocol lists of every arch of `policy`, or of `only` that arch (already checked).
pub fn view(policy: &Policy, only: Option<&str>) -> LibguestfsView {
    let mut groups: Vec<(Vec<&ArchPolicy>, Vec<String>)> = Vec::new();
    for arch in policy.arches.iter().filter(|a| only.is_none_or(|want| a.arch == want)) {
        let disabled: Vec<String> = arch.libguestfs_disabled.iter().map(|d| d.value.clone()).collect();
        match groups.iter_mut().find(|(_, d)| *d == disabled) {
            Some((arches, _)) => arches.push(arch),
            None => groups.push((vec![arch], disabled)),
        }
    }
    LibguestfsView {
        profile: policy.name.clone(),
        package: policy.libguestfs.package.as_ref().map_or_else(|| "libguestfs".to_string(), |p| p.value.clone()),
        version: policy.libguestfs.version.as_ref().map(|v| v.value.to_string()).unwrap_or_default(),
        patch: policy.libguestfs.patch.as_ref().map(|v| v.value.clone()).unwrap_or_default(),
        groups: groups.into_iter().map(|(arches, disabled)| group(policy, &arches, &disabled)).collect(),
    }
}

impl LibguestfsView {
    /// The removed protocols, for scripts: one list, so the arches must agree.
    pub fn disabled_names(&self) -> crate::diagnostic::Result<Vec<&str>> {
        if self.groups.len() > 1 {
            let message = format!("the libguestfs protocols of `{}` differ between arches", self.profile);
            return Err(crate::diagnostic::Diagnostic::error(Code::ArchesDiffer, message)
                .with_help("pass --arch to choose one")
                .into());
        }
        Ok(self.groups.iter().flat_map(|g| g.disabled.iter().map(|p| p.name.as_str())).collect())
    }
}

fn group(policy: &Policy, arches: &[&ArchPolicy], disabled_names: &[String]) -> ProtocolGroup {
    let catalogue = Catalogue::get();
    let version = policy.libguestfs.version.as_ref().map(|v| &v.value);
    let (mut disabled, mut allowed, mut removed_upstream) = (Vec::new(), Vec::new(), Vec::new());
    for (name, p) in &catalogue.libguestfs.protocols {
        let removed = version.and_then(|v| catalogue.libguestfs_removed(name, v));
        let is_disabled = disabled_names.contains(name);
        let protocol = Protocol {
            name: name.clone(),
            driver: p.driver.clone(),
            reason: match &removed {
                Some(r) => format!("removed upstream in libguestfs {r}"),
                None if is_disabled => format!("add_drive answers unknown protocol '{name}'"),
                None => "left in add_drive".to_string(),
            },
            emulator: emulator_summary(policy, arches, &p.driver),
        };
        match (removed, is_disabled) {
            (Some(_), _) => removed_upstream.push(protocol),
            (None, true) => disabled.push(protocol),
            (None, false) => allowed.push(protocol),
        }
    }
    ProtocolGroup { arches: arches.iter().map(|a| a.arch.clone()).collect(), disabled, allowed, removed_upstream }
}

/// `ro` when every arch agrees, else `ro on x86_64; none on ppc64le, aarch64`.
fn emulator_summary(policy: &Policy, arches: &[&ArchPolicy], driver: &str) -> String {
    let mut folded: Vec<(String, Vec<&str>)> = Vec::new();
    for arch in arches {
        let verdict = crate::access::program_access(policy, arch, crate::profile::Program::Emulator, driver);
        let text = verdict.map(|v| v.value.to_string()).unwrap_or_default();
        match folded.iter_mut().find(|(t, _)| *t == text) {
            Some((_, names)) => names.push(&arch.arch),
            None => folded.push((text, vec![&arch.arch])),
        }
    }
    if folded.len() == 1 {
        return folded.remove(0).0;
    }
    folded.iter().map(|(t, names)| format!("{t} on {}", names.join(", "))).collect::<Vec<_>>().join("; ")
}
