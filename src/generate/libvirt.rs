//! `generate libvirt`: the storage pool backends a profile describes, as libvirt's build
//! arguments for one arch (meson `-Dstorage_X=`, or `--with-storage-X` before meson) or as
//! the spec's `%define with_storage_X` lines for every arch.

use super::conditional::{self, Intent, Line};
use crate::catalogue::Catalogue;
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Result};
use crate::policy::{ArchPolicy, Policy};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct LibvirtView {
    pub profile: String,
    pub package: String,
    pub version: String,
    /// `meson` or `configure` (libvirt before 6.7.0).
    pub dialect: &'static str,
    /// One arch's arguments (`--format arguments`).
    pub arch: Option<String>,
    pub arguments: Vec<String>,
    /// Every arch's `%define` lines, with conditionals where arches differ (`--format spec`).
    pub lines: Vec<Line>,
}

fn described(policy: &Policy) -> Result<()> {
    if policy.arches.iter().any(|a| a.libvirt.as_ref().is_some_and(|l| !l.backends.is_empty())) {
        return Ok(());
    }
    Err(Diagnostic::error(Code::NoLibvirt, format!("profile `{}` describes no libvirt storage backends", policy.name))
        .with_help("add `[libvirt] storage-backends = { rbd = true, ... }` to the profile")
        .into())
}

fn header(policy: &Policy) -> (String, String) {
    let package = policy.libvirt.package.as_ref().map_or_else(|| "libvirt".to_string(), |p| p.value.clone());
    let version = policy.libvirt.version.as_ref().map(|v| v.value.to_string()).unwrap_or_default();
    (package, version)
}

fn meson(policy: &Policy) -> bool {
    let catalogue = Catalogue::get();
    policy.libvirt.version.as_ref().is_none_or(|v| catalogue.libvirt.build.meson(&v.value))
}

/// The backends of `arch` that its libvirt version has: a backend libvirt removed (sheepdog in
/// 8.8.0) has no option to pass, whatever the profile says of it.
fn backends<'a>(
    policy: &Policy,
    arch: &'a ArchPolicy,
) -> Vec<(&'a crate::policy::StorageBackend, &'static crate::catalogue::StorageBackend)> {
    let catalogue = Catalogue::get();
    let version = policy.libvirt.version.as_ref().map(|v| &v.value);
    arch.libvirt
        .iter()
        .flat_map(|l| &l.backends)
        .filter_map(|b| catalogue.libvirt.storage_backends.get(b.name.as_str()).map(|known| (b, known)))
        .filter(|(_, known)| version.is_none_or(|v| known.versions.matches(v)))
        .collect()
}

/// The build arguments of `arch`'s storage backends, in the profile's order.
pub fn arguments(policy: &Policy, arch: &ArchPolicy) -> Result<LibvirtView> {
    described(policy)?;
    let meson = meson(policy);
    let mut arguments = Vec::new();
    for (backend, known) in backends(policy, arch) {
        if meson {
            let state = if backend.enabled { "enabled" } else { "disabled" };
            arguments.push(format!("-D{}={state}", known.meson));
            if let Some(library) = &known.library {
                arguments.push(format!("-D{library}={state}"));
            }
        } else {
            let with = if backend.enabled { "with" } else { "without" };
            arguments.push(format!("--{with}-storage-{}", backend.name));
        }
    }
    let (package, version) = header(policy);
    Ok(LibvirtView {
        profile: policy.name.clone(),
        package,
        version,
        dialect: if meson { "meson" } else { "configure" },
        arch: Some(arch.arch.clone()),
        arguments,
        lines: Vec::new(),
    })
}

/// `%define with_storage_X 0|1` for every arch, in the smallest `%ifarch` blocks.
pub fn spec(policy: &Policy) -> Result<LibvirtView> {
    described(policy)?;
    let scope: Vec<&str> = policy.arch_names();
    let sequences: Vec<(&str, Vec<String>)> = policy
        .arches
        .iter()
        .map(|arch| {
            let lines = backends(policy, arch)
                .into_iter()
                .map(|(backend, known)| format!("%define {} {}", known.spec_macro, u8::from(backend.enabled)))
                .collect();
            (arch.arch.as_str(), lines)
        })
        .collect();
    let (package, version) = header(policy);
    Ok(LibvirtView {
        profile: policy.name.clone(),
        package,
        version,
        dialect: if meson(policy) { "meson" } else { "configure" },
        arch: None,
        arguments: Vec::new(),
        lines: conditional::conditional_lines(&conditional::items(&sequences), &scope, &Intent::of(policy)),
    })
}
