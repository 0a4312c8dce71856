//! What the profile's qemu version makes of the resolved settings: options configure
//! rejects (errors), whitelist names that do nothing (warnings).

use crate::catalogue::Catalogue;
use crate::code::Code;
use crate::diagnostic::Diagnostic;
use crate::options::{self, Dialect, Problem};
use crate::policy::{BuildReason, Policy};
use crate::source::Origin;
use indexmap::IndexMap;
use semver::Version;

pub(super) fn check(policy: &Policy, catalogue: &Catalogue, diagnostics: &mut Vec<Diagnostic>) {
    let version = &policy.qemu.version.value;
    let backports = &policy.qemu.backports;
    let newest = catalogue.read_up_to();
    if (version.major, version.minor) > (newest.major, newest.minor) {
        let d = Diagnostic::warning(
            Code::VersionBeyondCatalogue,
            format!("qemu {version} is newer than the catalogue, whose facts were read up to qemu {newest}"),
        )
        .with_help("drivers and options added or removed after that are unknown to drvpolicy");
        diagnostics.push(d.at_origin(&policy.qemu.version.origin, "this version"));
    }
    // The catalogue's oldest facts are of 0.9 ("0.9 or earlier"): below that it describes nothing.
    let oldest = catalogue.drivers.values().map(|d| d.added()).min().unwrap_or_else(|| Version::new(0, 9, 0));
    if *version < oldest {
        let d = Diagnostic::error(
            Code::VersionBeforeCatalogue,
            format!("qemu {version} is older than any qemu the catalogue knows (its facts start at qemu {oldest})"),
        )
        .with_help("check the version: qemu's own VERSION file gives it (1.5.3, 2.12.0, 10.0.2)");
        diagnostics.push(d.at_origin(&policy.qemu.version.origin, "this version"));
        return;
    }
    packages(policy, catalogue, diagnostics);
    // (code, driver, origin) -> arches, so that one warning names every arch it concerns.
    let mut per_driver: IndexMap<(Code, String, Origin), Vec<&str>> = IndexMap::new();
    let mut options_checked: Vec<&crate::policy::ArchPolicy> = Vec::new();
    // Arches with the same lists and driver table find the same entries of `per_driver`.
    let mut lists_checked: Vec<(&crate::policy::ArchPolicy, Vec<usize>)> = Vec::new();
    for arch in &policy.arches {
        // Arches with the same options have the same problems, whose messages name no arch.
        if !options_checked.iter().any(|a| options::same_options(a, arch)) {
            options_checked.push(arch);
            let problems = options::problems(policy, arch, Dialect::Configure);
            diagnostics.extend(problems.into_iter().map(Problem::into_diagnostic));
        }

        if let Some((_, found)) = lists_checked.iter().find(|(a, _)| same_lists(a, arch)) {
            for &i in found {
                if let Some((_, arches)) = per_driver.get_index_mut(i) {
                    arches.push(&arch.arch);
                }
            }
            continue;
        }
        let mut found = Vec::new();
        let acknowledged = |d: &str| arch.acknowledged_compiled_out.iter().any(|a| a.value == d);
        for entry in arch.rw_whitelist.iter().chain(arch.ro_whitelist.iter()) {
            let name = entry.value.as_str();
            let code = match catalogue.driver(name) {
                None => continue,
                Some(d) if !d.is_registered() => Code::DriverNotRegistered,
                Some(d) if !d.exists_in(version, backports) => Code::DriverNotInVersion,
                Some(_) if !arch.compiled_in(name) && !acknowledged(name) => Code::WhitelistedCompiledOut,
                Some(_) => continue,
            };
            let slot = per_driver.entry((code, name.to_string(), entry.origin.clone()));
            found.push(slot.index());
            slot.or_default().push(&arch.arch);
        }
        for rw in arch.rw_whitelist.iter() {
            if let Some(ro) = arch.ro_whitelist.iter().find(|ro| ro.value == rw.value) {
                let slot = per_driver.entry((Code::RwAndRo, rw.value.clone(), ro.origin.clone()));
                found.push(slot.index());
                slot.or_default().push(&arch.arch);
            }
        }
        lists_checked.push((arch, found));
    }
    for ((code, driver, origin), arches) in per_driver {
        let on = arches.join(", ");
        let d = match code {
            Code::DriverNotRegistered => Diagnostic::warning(
                code,
                format!("`{driver}` is internal to qemu and never registered: whitelisting it does nothing"),
            )
            .with_help("remove it from the whitelist"),
            Code::DriverNotInVersion => {
                let d = catalogue.driver(&driver).expect("checked above");
                let span = match d.removed() {
                    Some(r) => format!("it exists in qemu {} up to before {r}", d.added()),
                    None => format!("it exists from qemu {}", d.added()),
                };
                Diagnostic::warning(
                    code,
                    format!(
                        "qemu {version} has no `{driver}` driver; qemu accepts the name silently and it does nothing"
                    ),
                )
                .with_help(span)
            }
            Code::WhitelistedCompiledOut => {
                let why = policy.arch(arches[0]).and_then(|a| a.driver(&driver)).map(|b| match &b.reason {
                    BuildReason::FeatureOff { feature, state } => match state {
                        Some(s) => format!("the build option `{feature}` is `{s}`"),
                        None => format!("the build option `{feature}` is off by default"),
                    },
                    _ => String::new(),
                });
                Diagnostic::warning(code, format!("`{driver}` is whitelisted but compiled out on {on}"))
                    .with_note_opt(why.filter(|w| !w.is_empty()))
                    .with_help(format!("if this is on purpose, add \"{driver}\" to `acknowledge-compiled-out` in [qemu] for these arches"))
            }
            _ => Diagnostic::warning(code, format!("`{driver}` is in both the rw and the ro whitelist on {on}"))
                .with_help("rw already allows read-only opens: remove it from the ro whitelist"),
        };
        diagnostics.push(d.at_origin(&origin, "whitelisted here"));
    }
}

/// Whether the whitelist checks of `a` and `b` find the same: their lists and driver table are
/// shared (arches of one resolution state).
fn same_lists(a: &crate::policy::ArchPolicy, b: &crate::policy::ArchPolicy) -> bool {
    use std::sync::Arc;
    Arc::ptr_eq(&a.rw_whitelist, &b.rw_whitelist)
        && Arc::ptr_eq(&a.ro_whitelist, &b.ro_whitelist)
        && Arc::ptr_eq(&a.acknowledged_compiled_out, &b.acknowledged_compiled_out)
        && Arc::ptr_eq(&a.drivers, &b.drivers)
}

/// What the profiles say of libguestfs, libvirt and the block subpackages, against the
/// versions they name.
fn packages(policy: &Policy, catalogue: &Catalogue, diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: Vec<Origin> = Vec::new();
    let mut once = |origin: &Origin| {
        let new = !seen.contains(origin);
        if new {
            seen.push(origin.clone());
        }
        new
    };
    if let Some(version) = policy.libguestfs.version.as_ref().map(|v| &v.value) {
        for arch in &policy.arches {
            for entry in arch.libguestfs_disabled.iter() {
                if let Some(removed) = catalogue.libguestfs_removed(&entry.value, version)
                    && once(&entry.origin)
                {
                    let d = Diagnostic::warning(
                        Code::ProtocolRemovedUpstream,
                        format!(
                            "libguestfs {version} has no `{}` protocol (removed upstream in {removed}): the patch has nothing to remove",
                            entry.value
                        ),
                    )
                    .with_help("drop it from disabled-protocols");
                    diagnostics.push(d.at_origin(&entry.origin, "removed here"));
                }
            }
        }
    }
    if let Some(version) = policy.libvirt.version.as_ref().map(|v| &v.value) {
        for arch in &policy.arches {
            for backend in arch.libvirt.iter().flat_map(|l| &l.backends) {
                let Some(known) = catalogue.libvirt.storage_backends.get(backend.name.as_str()) else { continue };
                if backend.enabled && !known.versions.matches(version) && once(&backend.origin) {
                    let d = Diagnostic::warning(
                        Code::BackendNotInVersion,
                        format!("libvirt {version} has no `{}` storage pool backend", backend.name),
                    )
                    .with_help(format!("libvirt has it in {}", known.versions));
                    diagnostics.push(d.at_origin(&backend.origin, "built here"));
                }
            }
        }
    }
    for arch in &policy.arches {
        let modules = arch.feature("modules").is_some_and(|f| f.state == crate::profile::FeatureState::Enable);
        for sub in arch.subpackages.iter().filter(|s| s.shipped) {
            let built = policy
                .arches
                .iter()
                .any(|a| a.drivers.iter().any(|d| d.module.as_ref().is_some_and(|m| m.value == sub.module)));
            let problem = match (modules, built) {
                (false, _) => Some("qemu is not built with modules (`modules = \"enable\"` in [qemu.features])"),
                (true, false) => Some("no arch builds a driver of this module"),
                (true, true) => None,
            };
            if let Some(problem) = problem
                && once(&sub.origin)
            {
                let d = Diagnostic::warning(
                    Code::SubpackageWithoutModule,
                    format!("{} ships {}, but {problem}", sub.name, policy.module_file(&sub.module)),
                )
                .with_help("drop the subpackage, or build the module");
                diagnostics.push(d.at_origin(&sub.origin, "declared here"));
            }
        }
    }
}
