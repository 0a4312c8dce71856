//! `generate subpackages`: the spec stanzas RHEL and Fedora write by hand for block drivers
//! built as modules (`%package block-rbd`, its `%description` and `%files`), `%ifarch` where
//! only some arches build a module, and two macros for the main package's preamble: the
//! `Requires:` of the subpackages it pulls in and the `Obsoletes:` of dropped ones.

use super::conditional::{self, Intent, Line};
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Result};
use crate::policy::Policy;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct SubpackagesView {
    /// `macros`: the two %global macros, for the top of the spec; `packages`: the stanzas.
    pub part: &'static str,
    pub profile: String,
    pub package: String,
    pub version: String,
    /// `%global drvpolicy_requires_block_modules` body lines (with their conditionals).
    pub requires: Vec<Line>,
    /// `%global drvpolicy_obsoletes_block_modules` body lines.
    pub obsoletes: Vec<String>,
    pub stanzas: Vec<Stanza>,
}

/// One subpackage: `%package`, `%description` and `%files`, in a conditional if some arches
/// do not build its module.
#[derive(Debug, Serialize)]
pub struct Stanza {
    pub name: String,
    /// What `%package`, `%description` and `%files` take: `block-rbd`, or `-n NAME`.
    pub tag: String,
    pub modules: Vec<String>,
    pub drivers: Vec<String>,
    pub summary: String,
    pub description: String,
    /// `Requires:` of the common package at the same version, if the profile names one.
    pub requires: Option<String>,
    pub files: Vec<String>,
    pub required: bool,
    pub arches: Vec<String>,
    /// `%ifarch ...` around the stanza, when not every arch has it.
    pub condition: Option<String>,
    /// Opens the conditional (the stanza before had another one).
    pub open: bool,
    /// Closes it (the stanza after has another one).
    pub close: bool,
}

/// `%{name}-block-rbd` for a subpackage of the qemu package, else the name itself.
fn relative(name: &str, package: &str) -> String {
    match name.strip_prefix(package).and_then(|rest| rest.strip_prefix('-')) {
        Some(rest) => format!("%{{name}}-{rest}"),
        None => name.to_string(),
    }
}

/// What to generate: the stanzas, or the macros that the main package's preamble expands
/// (rpm expands a macro where it is used, so they go above the preamble).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Packages,
    Macros,
}

pub fn view(policy: &Policy, part: Part) -> Result<SubpackagesView> {
    let package = policy.qemu.package.value.as_str();
    let scope = policy.arch_names();
    let evr = policy.qemu.rpm.evr.as_ref().map_or("%{version}-%{release}", |v| v.value.as_str());
    let mut stanzas: Vec<Stanza> = Vec::new();
    let mut requires: Vec<(&str, Vec<String>)> = Vec::new();
    for arch in &policy.arches {
        // By name, as the real specs list them (block-blkio, block-curl, block-rbd).
        let mut shipped: Vec<_> = arch.subpackages.iter().filter(|s| s.shipped).collect();
        shipped.sort_by(|a, b| (&a.name, &a.module).cmp(&(&b.name, &b.module)));
        for sub in shipped {
            let drivers: Vec<String> = arch
                .drivers
                .iter()
                .filter(|d| d.module.as_ref().is_some_and(|m| m.value == sub.module))
                .map(|d| d.name.to_string())
                .collect();
            if drivers.is_empty() {
                continue;
            }
            if sub.required {
                let line = format!("Requires: {} = {evr}", relative(&sub.name, package));
                match requires.iter_mut().find(|(a, _)| *a == arch.arch) {
                    Some((_, lines)) => lines.push(line),
                    None => requires.push((arch.arch.as_str(), vec![line])),
                }
            }
            if let Some(stanza) = stanzas.iter_mut().find(|s| s.name == sub.name) {
                // One package may ship several modules (Debian's qemu-block-extra).
                if !stanza.modules.contains(&sub.module) {
                    stanza.modules.push(sub.module.clone());
                    stanza.files.push(policy.module_file(&sub.module));
                    stanza.drivers.extend(drivers);
                }
                if !stanza.arches.contains(&arch.arch) {
                    stanza.arches.push(arch.arch.clone());
                }
                continue;
            }
            let tag = match sub.name.strip_prefix(package).and_then(|rest| rest.strip_prefix('-')) {
                Some(rest) => rest.to_string(),
                None => format!("-n {}", sub.name),
            };
            let (noun, list) = match drivers.as_slice() {
                [one] => ("block driver", one.clone()),
                many => ("block drivers", many.join(", ")),
            };
            stanzas.push(Stanza {
                name: sub.name.clone(),
                tag,
                modules: vec![sub.module.clone()],
                summary: format!("{package} {list} {noun} (module {})", sub.module),
                description: format!(
                    "The {list} {noun} of {package}, built as the loadable module {}. Install this package to open disks with {}.",
                    sub.module,
                    if drivers.len() == 1 { "it" } else { "them" }
                ),
                drivers,
                requires: policy.qemu.rpm.common.as_ref().map(|c| format!("{} = {evr}", c.value)),
                files: vec![policy.module_file(&sub.module)],
                required: sub.required,
                arches: vec![arch.arch.clone()],
                condition: None,
                open: false,
                close: false,
            });
        }
    }
    if stanzas.is_empty() && policy.qemu.obsoletes.is_empty() {
        return Err(Diagnostic::error(
            Code::NoSubpackages,
            format!("profile `{}` names no block subpackages and obsoletes none", policy.name),
        )
        .with_help("declare them in [qemu.subpackages], with `modules = \"enable\"` in [qemu.features]")
        .into());
    }
    stanzas.sort_by(|a, b| a.name.cmp(&b.name));
    let intent = Intent::of(policy);
    for stanza in &mut stanzas {
        if stanza.arches.len() != scope.len() {
            let arches: Vec<&str> = stanza.arches.iter().map(String::as_str).collect();
            stanza.condition = Some(intent.condition(&arches, &scope).directive());
        }
    }
    // Stanzas in a row under one condition share one %ifarch block.
    for i in 0..stanzas.len() {
        let before = i.checked_sub(1).and_then(|j| stanzas.get(j)).map(|s| s.condition.clone());
        let after = stanzas.get(i + 1).map(|s| s.condition.clone());
        let mine = stanzas[i].condition.clone();
        stanzas[i].open = mine.is_some() && before != Some(mine.clone());
        stanzas[i].close = mine.is_some() && after != Some(mine);
    }
    let obsoletes_version = policy.qemu.rpm.obsoletes.as_ref().map_or("< %{version}-%{release}", |v| v.value.as_str());
    Ok(SubpackagesView {
        part: match part {
            Part::Packages => "packages",
            Part::Macros => "macros",
        },
        profile: policy.name.clone(),
        package: package.to_string(),
        version: policy.qemu.version.value.to_string(),
        requires: conditional::conditional_lines(&conditional::items(&requires), &scope, &intent),
        obsoletes: policy
            .qemu
            .obsoletes
            .iter()
            .map(|o| format!("Obsoletes: {} {obsoletes_version}", relative(&o.value, package)))
            .collect(),
        stanzas,
    })
}
