//! `generate buildrequires`: the `BuildRequires:` lines of the build options a profile
//! builds, per arch, in the distro's spelling (the table in `catalogue/buildrequires.toml`).

use super::conditional::{Intent, Line, conditional_lines, items};
use crate::catalogue::Catalogue;
use crate::catalogue::buildrequires::{BuildRequires, Spelling};
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Result};
use crate::policy::{ArchPolicy, BuildReason, Policy};
use crate::profile::FeatureState;
use crate::source::Origin;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct BuildRequiresView {
    pub profile: String,
    pub package: String,
    pub version: String,
    /// The spelling (`rhel7`) and where it was chosen: the profile line, or `product rhel 7.3`.
    pub spelling: String,
    pub spelling_from: String,
    pub arches: Vec<String>,
    pub lines: Vec<Line>,
}

/// The build options of the table's `libraries` that `arch` builds, in the table's order:
/// enabled, or left to configure's default where that is to build it when the library is found
/// (for an option that compiles drivers, the drivers' build reasons say so).
fn built(policy: &Policy, arch: &ArchPolicy, libraries: &[String]) -> Vec<String> {
    let catalogue = Catalogue::get();
    let version = &policy.qemu.version.value;
    let on = |option: &str| {
        if let Some(setting) = arch.feature(option) {
            return matches!(setting.state, FeatureState::Enable | FeatureState::Auto);
        }
        let compiles_drivers = catalogue.drivers.values().any(|d| d.features().any(|f| f == option));
        if compiles_drivers {
            return arch.drivers.iter().any(|d| {
                d.compiled_in && matches!(&d.reason, BuildReason::FeatureOn { feature, .. } if *feature == option)
            });
        }
        catalogue.feature(option).is_some_and(|f| {
            f.configure.iter().any(|r| r.versions.matches(version) && r.default == crate::catalogue::Default::Auto)
        })
    };
    libraries.iter().filter(|o| on(o)).cloned().collect()
}

/// The spelling of `policy`: its `[qemu] build-requires`, else the one for its product and release.
fn spelling<'t>(
    policy: &Policy,
    table: &'t BuildRequires,
    sources: &crate::source::Sources,
) -> Result<(&'t str, &'t Spelling, String)> {
    if let Some(chosen) = &policy.qemu.build_requires {
        // Resolution checked the name.
        if let Some((name, spelling)) = table.spellings.get_key_value(&chosen.value) {
            return Ok((name.as_str(), spelling, sources.describe(&chosen.origin)));
        }
    }
    match table.for_product(&policy.product, &policy.release) {
        Some((name, spelling)) => Ok((name, spelling, format!("product {} {}", policy.product, policy.release_text))),
        None => Err(Diagnostic::error(
            Code::NoSpelling,
            format!(
                "no BuildRequires spelling fits `{}` (product {} {})",
                policy.name, policy.product, policy.release_text
            ),
        )
        .with_help(format!(
            "set `build-requires` in [qemu] to one of: {}",
            table.names().collect::<Vec<_>>().join(", ")
        ))
        .into()),
    }
}

/// The view, and a warning for each build option the spelling has no package for.
pub fn view(policy: &Policy, sources: &crate::source::Sources) -> Result<(BuildRequiresView, Vec<Diagnostic>)> {
    let table = BuildRequires::get();
    let (name, spelling, spelling_from) = spelling(policy, table, sources)?;
    let mut unknown: Vec<(String, Vec<&str>)> = Vec::new();
    let mut sequences: Vec<(&str, Vec<String>)> = Vec::new();
    for arch in &policy.arches {
        let mut lines: Vec<String> = Vec::new();
        for option in built(policy, arch, &table.libraries) {
            match spelling.packages.get(&option) {
                Some(packages) => {
                    for package in packages {
                        let line = format!("BuildRequires: {package}");
                        if !lines.contains(&line) {
                            lines.push(line);
                        }
                    }
                }
                None => {
                    lines.push(format!("# {option}: no package known in the {name} spelling"));
                    match unknown.iter_mut().find(|(o, _)| *o == option) {
                        Some((_, arches)) => arches.push(&arch.arch),
                        None => unknown.push((option, vec![&arch.arch])),
                    }
                }
            }
        }
        sequences.push((&arch.arch, lines));
    }
    let all = policy.arch_names();
    let intent = Intent::of(policy);
    let lines = conditional_lines(&items(&sequences), &all, &intent);
    let warnings = unknown
        .into_iter()
        .map(|(option, arches)| {
            let origin = policy
                .arches
                .iter()
                .find_map(|a| a.feature(&option).map(|f| f.origin.clone()))
                .unwrap_or(Origin::Default);
            Diagnostic::warning(
                Code::NoBuildRequires,
                format!(
                    "the {name} spelling knows no package for {option}, which {} builds on {}",
                    policy.name,
                    arches.join(", ")
                ),
            )
            .at_origin(&origin, "built here")
            .with_help("add its BuildRequires by hand, or choose another spelling with `build-requires` in [qemu]")
        })
        .collect();
    let view = BuildRequiresView {
        profile: policy.name.clone(),
        package: policy.qemu.package.value.clone(),
        version: policy.qemu.version.value.to_string(),
        spelling: name.to_string(),
        spelling_from,
        arches: all.iter().map(|a| a.to_string()).collect(),
        lines,
    };
    Ok((view, warnings))
}
