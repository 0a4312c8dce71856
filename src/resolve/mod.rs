//! Raw profiles to `Policy`: inheritance, list edits, arch selection and the catalogue's
//! verdicts. Collects every problem of the chain; errors make the profile unusable.

mod arch_state;
mod names;
mod version_checks;

use crate::catalogue::Catalogue;
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Failure, Result};
use crate::policy::{Package, Policy, Qemu, Valued};
use crate::profile::LibguestfsBackend;
use crate::profile::{ListEdit, RawProfile, Spanned, SpannedList};
use crate::source::Origin;
use crate::store::Store;
use arch_state::ArchState;

/// A resolved profile and the warnings found on the way.
#[derive(Debug)]
pub struct Resolved {
    pub policy: Policy,
    pub warnings: Vec<Diagnostic>,
}

/// Loads `name` and its parents from `store` and resolves them.
pub fn resolve(store: &mut Store, name: &str) -> Result<Resolved> {
    let chain = store.load_chain(name)?;
    resolve_chain(&chain)
}

/// Resolves a chain, child first (as `Store::load_chain` returns it).
pub fn resolve_chain(chain: &[RawProfile]) -> Result<Resolved> {
    let Attempt { policy, diagnostics } = attempt_chain(chain);
    match policy {
        Some(policy) if !diagnostics.iter().any(Diagnostic::is_error) => Ok(Resolved { policy, warnings: diagnostics }),
        _ => Err(Failure { diagnostics }),
    }
}

/// Everything resolution found: the policy whenever it could be built (even if some of the
/// diagnostics are errors, such as an option the qemu version rejects), and every problem.
#[derive(Debug)]
pub struct Attempt {
    pub policy: Option<Policy>,
    pub diagnostics: Vec<Diagnostic>,
}

/// `resolve_chain` that keeps the policy next to its errors, for `check`.
pub fn attempt_chain(chain: &[RawProfile]) -> Attempt {
    let catalogue = Catalogue::get();
    let mut diagnostics: Vec<Diagnostic> = chain.iter().flat_map(|p| p.problems.iter().cloned()).collect();
    for profile in chain {
        names::check(profile, chain, catalogue, &mut diagnostics);
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Attempt { policy: None, diagnostics: tidy(diagnostics) };
    }
    let root_first: Vec<&RawProfile> = chain.iter().rev().collect();
    let child = chain.first().expect("a chain has its profile");

    let policy = build_policy(child, &root_first, catalogue, &mut diagnostics);
    if let Some(policy) = &policy {
        version_checks::check(policy, catalogue, &mut diagnostics);
    }
    Attempt { policy, diagnostics: tidy(diagnostics) }
}

/// Problems deduplicated (per-arch passes find the same ones) and in file order.
fn tidy(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    dedup(&mut diagnostics);
    diagnostics.sort_by_key(|d| d.primary_span().map(|s| (s.file, s.range.start)));
    diagnostics
}

fn dedup(diagnostics: &mut Vec<Diagnostic>) {
    let mut seen = Vec::new();
    diagnostics.retain(|d| {
        let key = (d.code, d.message.clone(), d.primary_span().cloned());
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
}

fn origin(span: &crate::source::Span) -> Origin {
    Origin::Profile(span.clone())
}

fn build_policy(
    child: &RawProfile,
    root_first: &[&RawProfile],
    catalogue: &Catalogue,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Policy> {
    let missing = |what: &str, example: &str| {
        Diagnostic::error(Code::MissingKey, format!("profile `{}` has no {what}", child.name))
            .at(&child.span, format!("expected {example} here or in a parent"))
    };

    let mut product = None;
    let mut package: Option<Valued<String>> = None;
    let mut version = None;
    let mut backports: Vec<Valued<String>> = Vec::new();
    let mut custom_features: Vec<crate::policy::CustomFeature> = Vec::new();
    let mut build_requires: Option<Valued<String>> = None;
    let mut arches: Vec<Valued<String>> = Vec::new();
    let mut libguestfs = Package::default();
    let mut libguestfs_backend = None;
    let mut libvirt = Package::default();
    let mut main_package = None;
    let mut module_dir = None;
    let mut obsoletes: Vec<Valued<String>> = Vec::new();
    let mut rpm = crate::policy::Rpm::default();

    for profile in root_first {
        if let Some(p) = &profile.product {
            product = Some(p.value.clone());
        }
        if profile.qemu_inherit.as_ref().is_some_and(|i| !i.value) {
            package = None;
            version = None;
            backports.clear();
            custom_features.clear();
            main_package = None;
            module_dir = None;
            obsoletes.clear();
            rpm = crate::policy::Rpm::default();
            build_requires = None;
        }
        set(&mut package, &profile.qemu_package);
        set(&mut main_package, &profile.qemu_main_package);
        set(&mut rpm.evr, &profile.rpm_evr);
        set(&mut rpm.obsoletes, &profile.rpm_obsoletes);
        set(&mut rpm.common, &profile.rpm_common);
        set(&mut module_dir, &profile.qemu_module_dir);
        if let Some(edit) = &profile.qemu_obsoletes {
            let _ = apply_list(&mut obsoletes, edit, "[qemu] obsoletes", &profile.name, diagnostics);
        }
        if let Some(spelling) = &profile.build_requires {
            let table = crate::catalogue::buildrequires::BuildRequires::get();
            match table.spelling(&spelling.value) {
                Some(_) => build_requires = Some(Valued::new(spelling.value.clone(), origin(&spelling.span))),
                None => diagnostics.push(
                    Diagnostic::error(
                        Code::UnknownSpelling,
                        format!("`{}` is not a BuildRequires spelling drvpolicy knows", spelling.value),
                    )
                    .at(&spelling.span, "not a spelling of the BuildRequires table")
                    .with_help(
                        crate::diagnostic::did_you_mean(&spelling.value, table.names()).unwrap_or_else(|| {
                            format!("the spellings: {}", table.names().collect::<Vec<_>>().join(", "))
                        }),
                    ),
                ),
            }
        }
        set(&mut version, &profile.qemu_version);
        if let Some(edit) = &profile.backports {
            let _ = apply_list(&mut backports, edit, "[qemu] backports", &profile.name, diagnostics);
        }
        for feature in &profile.custom_features {
            custom_features.retain(|f| f.name != feature.name.value);
            custom_features.push(crate::policy::CustomFeature {
                name: feature.name.value.clone(),
                flag: feature.flag.clone(),
                meson: feature.meson.clone(),
                summary: feature.summary.clone(),
                origin: origin(&feature.name.span),
            });
        }
        if let Some(edit) = &profile.arches {
            let _ = apply_list(&mut arches, edit, "[profile] arches", &profile.name, diagnostics);
        }
        set(&mut libguestfs.package, &profile.libguestfs_package);
        set(&mut libguestfs.version, &profile.libguestfs_version);
        set(&mut libguestfs.patch, &profile.libguestfs_patch);
        set(&mut libguestfs_backend, &profile.libguestfs_backend);
        if profile.libvirt_inherit.as_ref().is_some_and(|i| !i.value) {
            libvirt = Package::default();
        }
        set(&mut libvirt.package, &profile.libvirt_package);
        set(&mut libvirt.version, &profile.libvirt_version);
    }

    let release = child.release.as_ref();
    if release.is_none() {
        diagnostics.push(missing("release", "`release = \"7.3\"` in [profile]"));
    }
    if package.is_none() {
        diagnostics.push(missing("qemu package", "`package = \"qemu-kvm\"` in [qemu]"));
    }
    if version.is_none() {
        diagnostics.push(missing("qemu version", "`version = \"1.5.3\"` in [qemu]"));
    }
    if arches.is_empty() {
        diagnostics.push(missing("architecture", "`arches = [\"x86_64\"]` in [profile]"));
    }
    let (Some(release), Some(package), Some(version)) = (release, package, version) else { return None };
    if diagnostics.iter().any(Diagnostic::is_error) {
        return None;
    }

    let arch_policies = arches
        .iter()
        .map(|arch| {
            let mut state = ArchState::default();
            for profile in root_first {
                state.apply_profile(profile, &arch.value, catalogue, diagnostics);
            }
            state.finish(&arch.value, &version.value, &backports, catalogue)
        })
        .collect();

    Some(Policy {
        name: child.name.clone(),
        product: product.unwrap_or_default(),
        release: release.value.clone(),
        release_text: child.release_text.clone().unwrap_or_default(),
        description: child.description.clone().unwrap_or_default(),
        parents: root_first.iter().rev().skip(1).map(|p| p.name.clone()).collect(),
        sources: child.sources.clone(),
        qemu: Qemu {
            package,
            version,
            backports,
            custom_features,
            main_package,
            module_dir,
            obsoletes,
            rpm,
            build_requires,
        },
        libguestfs,
        libguestfs_backend: libguestfs_backend
            .unwrap_or_else(|| Valued::new(LibguestfsBackend::Direct, Origin::Default)),
        libvirt,
        arches: arch_policies,
        selectors: root_first.iter().flat_map(|p| p.overrides.iter().map(|o| o.selector.value.clone())).collect(),
    })
}

fn set<T: Clone>(slot: &mut Option<Valued<T>>, value: &Option<Spanned<T>>) {
    if let Some(v) = value {
        *slot = Some(Valued::new(v.value.clone(), origin(&v.span)));
    }
}

/// Applies a list as written (replace, or add/remove edits) to the inherited list. Returns
/// what `remove` took out, each with the place of its `remove` entry.
fn apply_list(
    list: &mut Vec<Valued<String>>,
    edit: &SpannedList<String>,
    what: &str,
    profile: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Valued<String>> {
    apply_list_by(list, edit, |v| v.clone(), what, profile, diagnostics)
}

/// `apply_list` for lists of structured items, named in `remove` by `key`.
fn apply_list_by<T: Clone + PartialEq>(
    list: &mut Vec<Valued<T>>,
    edit: &SpannedList<T>,
    key: impl Fn(&T) -> String,
    what: &str,
    profile: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Valued<String>> {
    let mut removed = Vec::new();
    match &edit.edit {
        ListEdit::Replace(items) => {
            *list = items.iter().map(|i| Valued::new(i.value.clone(), origin(&i.span))).collect();
        }
        ListEdit::Edit { add, remove } => {
            for r in remove {
                let before = list.len();
                list.retain(|v| key(&v.value) != r.value);
                if list.len() < before {
                    removed.push(Valued::new(r.value.clone(), origin(&r.span)));
                } else {
                    diagnostics.push(
                        Diagnostic::warning(
                            Code::RemoveAbsent,
                            format!("{profile} removes `{}` from {what}, which does not contain it", r.value),
                        )
                        .at(&r.span, "nothing to remove")
                        .with_help("drop this entry, or check the parent profile"),
                    );
                }
            }
            for a in add {
                if !list.iter().any(|v| v.value == a.value) {
                    list.push(Valued::new(a.value.clone(), origin(&a.span)));
                }
            }
        }
    }
    removed
}
