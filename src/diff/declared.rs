//! The declared layers: what the profiles say, compared setting by setting.

use super::lists::{self, Entry};
use super::{Change, DiffLayer, Filter, Kind};
use crate::policy::{ArchPolicy, Package, Policy, Valued};
use crate::profile::Program;
use std::borrow::Cow;

/// `field old -> new`, or an added or removed value when only one side has it.
fn optional(field: &str, old: Option<&str>, new: Option<&str>) -> Option<Change> {
    match (old, new) {
        (Some(o), Some(n)) => lists::scalar(field, o, n),
        (None, None) => None,
        (o, n) => {
            let mut change = Change::new(if o.is_some() { Kind::Removed } else { Kind::Added }, field);
            change.old = o.map(str::to_string);
            change.new = n.map(str::to_string);
            Some(change)
        }
    }
}

fn package(old: &Package, new: &Package, with_patch: bool) -> Vec<Change> {
    let version = |p: &Package| p.version.as_ref().map(|v| v.value.to_string());
    let mut changes: Vec<Change> = [
        optional("package", text(&old.package), text(&new.package)),
        optional("version", version(old).as_deref(), version(new).as_deref()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if with_patch {
        changes.extend(optional("patch", text(&old.patch), text(&new.patch)));
    }
    changes
}

/// Layers of the whole profile: arches, the qemu package, libvirt and libguestfs packages.
pub(super) fn profile_wide(old: &Policy, new: &Policy, filter: &Filter) -> Vec<(DiffLayer, Vec<Change>)> {
    let mut arches = lists::set("arch", &old.arch_names(), &new.arch_names());
    arches.retain(|c| c.item.as_deref().is_some_and(|a| filter.keeps_arch(a)));
    for change in &mut arches {
        let arch = change.item.as_deref().unwrap_or_default();
        match change.kind {
            Kind::Removed => change.old = old.arch(arch).map(|a| a.build.value.to_string()),
            _ => change.new = new.arch(arch).map(|a| a.build.value.to_string()),
        }
    }

    let mut qemu: Vec<Change> = [
        lists::scalar("package", &old.qemu.package.value, &new.qemu.package.value),
        lists::scalar("version", &old.qemu.version.value.to_string(), &new.qemu.version.value.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    qemu.extend(lists::set("backport", &old.qemu.backports, &new.qemu.backports));
    qemu.extend(optional("main-package", text(&old.qemu.main_package), text(&new.qemu.main_package)));
    qemu.extend(optional("module-dir", text(&old.qemu.module_dir), text(&new.qemu.module_dir)));
    qemu.extend(lists::set("obsoletes", &old.qemu.obsoletes, &new.qemu.obsoletes));

    vec![
        (DiffLayer::Arches, arches),
        (DiffLayer::Qemu, qemu),
        (DiffLayer::Libvirt, package(&old.libvirt, &new.libvirt, false)),
        (DiffLayer::Libguestfs, {
            let mut changes = package(&old.libguestfs, &new.libguestfs, true);
            changes.extend(lists::scalar(
                "backend",
                old.libguestfs_backend.value.as_str(),
                new.libguestfs_backend.value.as_str(),
            ));
            changes
        }),
    ]
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// An entry keyed by a name, carried in `field` with that name as the item.
fn named<'a>(field: &'static str, name: &'a str, value: Cow<'a, str>) -> Entry<'a, &'a str> {
    Entry { key: name, value, field, item: name, need: None }
}

fn drivers(arch: &ArchPolicy) -> Vec<Entry<'_, &str>> {
    arch.drivers
        .iter()
        .map(|d| {
            let state = match (&d.module, d.compiled_in) {
                (Some(module), true) => Cow::Owned(format!("module {}", module.value)),
                (None, true) => Cow::Borrowed("compiled in"),
                (_, false) => Cow::Borrowed("compiled out"),
            };
            named("driver", d.name, state)
        })
        .collect()
}

/// The block subpackages, keyed by module: the package, and whether the main package requires it.
fn subpackages(arch: &ArchPolicy) -> Vec<Entry<'_, &str>> {
    arch.subpackages
        .iter()
        .filter(|s| s.shipped)
        .map(|s| {
            let value = format!("{} {}", s.name, if s.required { "required" } else { "optional" });
            named("subpackage", &s.module, Cow::Owned(value))
        })
        .collect()
}

fn storage_backends(arch: &ArchPolicy) -> Vec<Entry<'_, &str>> {
    let Some(libvirt) = &arch.libvirt else { return Vec::new() };
    libvirt
        .backends
        .iter()
        .map(|b| named("storage-backend", &b.name, Cow::Borrowed(if b.enabled { "built" } else { "not built" })))
        .collect()
}

fn features(arch: &ArchPolicy) -> Vec<Entry<'_, &str>> {
    arch.features.iter().map(|f| named("feature", &f.name, Cow::Borrowed(f.state.as_str()))).collect()
}

/// Needs keyed by (consumer, driver, program); the value is the access asked for.
fn needs(arch: &ArchPolicy) -> Vec<Entry<'_, (&str, &str, Program)>> {
    let mut entries: Vec<Entry<(&str, &str, Program)>> = Vec::new();
    for need in &arch.needs {
        let key = (need.consumer.as_str(), need.driver.as_str(), need.program);
        // Two needs of one program for one driver: keep both accesses in one value.
        if let Some(entry) = entries.iter_mut().find(|e| e.key == key) {
            if !entry.value.split(',').any(|a| a == need.access.as_str()) {
                entry.value = Cow::Owned(format!("{},{}", entry.value, need.access));
            }
            continue;
        }
        let value = Cow::Borrowed(need.access.as_str());
        entries.push(Entry {
            key,
            value,
            field: "need",
            item: &need.driver,
            need: Some((&need.consumer, need.program)),
        });
    }
    entries
}

fn text(value: &Option<Valued<String>>) -> Option<&str> {
    value.as_ref().map(|v| v.value.as_str())
}

fn libvirt_disabled(arch: &ArchPolicy) -> &[Valued<String>] {
    arch.libvirt.as_ref().map_or(&[], |l| &l.disabled)
}

/// The declared layers of one arch that both profiles build.
pub(super) fn per_arch(old: &ArchPolicy, new: &ArchPolicy) -> Vec<(DiffLayer, Vec<Change>)> {
    let mut build: Vec<Change> =
        lists::scalar("mode", old.build.value.as_str(), new.build.value.as_str()).into_iter().collect();
    build.extend(lists::keyed(drivers(old), drivers(new)));
    build.extend(lists::set("extra-arg", old.extra_args.as_slice(), new.extra_args.as_slice()));

    let in_tools =
        lists::scalar("enforced", yes_no(old.whitelist_in_tools.value), yes_no(new.whitelist_in_tools.value));

    let mut libvirt: Vec<Change> =
        lists::scalar("described", yes_no(old.libvirt.is_some()), yes_no(new.libvirt.is_some())).into_iter().collect();
    libvirt.extend(lists::set("disabled", libvirt_disabled(old), libvirt_disabled(new)));
    libvirt.extend(lists::keyed(storage_backends(old), storage_backends(new)));

    vec![
        (DiffLayer::Build, build),
        (DiffLayer::Subpackages, lists::keyed(subpackages(old), subpackages(new))),
        (DiffLayer::Features, lists::keyed(features(old), features(new))),
        (DiffLayer::RwWhitelist, lists::set("driver", old.rw_whitelist.as_slice(), new.rw_whitelist.as_slice())),
        (DiffLayer::RoWhitelist, lists::set("driver", old.ro_whitelist.as_slice(), new.ro_whitelist.as_slice())),
        (DiffLayer::WhitelistInTools, in_tools.into_iter().collect()),
        (DiffLayer::Libvirt, libvirt),
        (
            DiffLayer::Libguestfs,
            lists::set("disabled-protocol", old.libguestfs_disabled.as_slice(), new.libguestfs_disabled.as_slice()),
        ),
        (DiffLayer::Consumers, lists::keyed(needs(old), needs(new))),
    ]
}
