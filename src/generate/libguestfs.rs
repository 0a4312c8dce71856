//! `generate libguestfs`: the protocols the downstream patch removes from `add_drive`, the
//! ones it leaves, and the qemu driver behind each.

use crate::catalogue::Catalogue;
use crate::code::Code;
use crate::policy::{ArchPolicy, Policy};
use indexmap::IndexMap;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct LibguestfsView {
    pub profile: String,
    pub package: String,
    /// `null` when the profiles do not say.
    pub version: Option<String>,
    /// The downstream patch that removes protocols; `null` for none.
    pub patch: Option<String>,
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
    /// The libguestfs version that removed it upstream (`removed_upstream` only).
    pub removed_in: Option<String>,
    /// What qemu's emulator allows for the driver on each arch of the group: `rw`, `ro`, `none`.
    pub emulator: IndexMap<String, String>,
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
        version: policy.libguestfs.version.as_ref().map(|v| v.value.to_string()),
        patch: policy.libguestfs.patch.as_ref().map(|v| v.value.clone()),
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
        let is_disabled = disabled_names.iter().any(|d| d == name);
        let protocol = Protocol {
            name: name.to_string(),
            driver: p.driver.to_string(),
            removed_in: removed.as_ref().map(|r| r.to_string()),
            emulator: emulator_access(policy, arches, &p.driver),
        };
        match (removed, is_disabled) {
            (Some(_), _) => removed_upstream.push(protocol),
            (None, true) => disabled.push(protocol),
            (None, false) => allowed.push(protocol),
        }
    }
    ProtocolGroup { arches: arches.iter().map(|a| a.arch.clone()).collect(), disabled, allowed, removed_upstream }
}

/// The emulator's access to `driver` on each of `arches`.
fn emulator_access(policy: &Policy, arches: &[&ArchPolicy], driver: &str) -> IndexMap<String, String> {
    arches
        .iter()
        .map(|arch| {
            let verdict = crate::access::program_access(policy, arch, crate::profile::Program::Emulator, driver);
            (arch.arch.clone(), verdict.map_or_else(|| "n/a".to_string(), |v| v.value.to_string()))
        })
        .collect()
}
