//! Resolution one profile at a time: a profile's state is its parent's state with its own
//! settings applied, so each parent is resolved once and shared by every chain under it (a
//! chain of depth 2,000 is linear, and 500 chains of 20 resolve 10,000 profiles, not 100,000).

use super::arch_state::{ArchState, DriverTables, selected_alike};
use super::{Attempt, apply_list, consumer_arches_built, names, origin, tidy, version_checks};
use crate::catalogue::Catalogue;
use crate::code::Code;
use crate::diagnostic::Diagnostic;
use crate::policy::{CustomFeature, Package, Parents, Policy, Qemu, Rpm, Valued};
use crate::profile::{LibguestfsBackend, RawProfile, Selector, Spanned};
use crate::source::Origin;
use semver::Version;
use std::collections::HashSet;
use std::sync::Arc;

/// Diagnostics of a chain, shared with the chains under it: each profile adds its own.
#[derive(Debug, Clone, Default)]
struct Diags(Option<Arc<DiagNode>>);

#[derive(Debug)]
struct DiagNode {
    own: Vec<Diagnostic>,
    rest: Diags,
}

impl Diags {
    fn with(&self, own: Vec<Diagnostic>) -> Diags {
        if own.is_empty() { self.clone() } else { Diags(Some(Arc::new(DiagNode { own, rest: self.clone() }))) }
    }

    /// Root first.
    fn collect(&self, into: &mut Vec<Diagnostic>) {
        let mut segments = Vec::new();
        let mut node = &self.0;
        while let Some(n) = node {
            segments.push(&n.own);
            node = &n.rest.0;
        }
        for segment in segments.into_iter().rev() {
            into.extend(segment.iter().cloned());
        }
    }
}

/// What applies to the whole profile: identity and packages, root first.
#[derive(Debug, Clone, Default)]
struct Top {
    product: Option<String>,
    package: Option<Valued<String>>,
    version: Option<Valued<Version>>,
    // Shared with the parent's until this profile edits them, as `arches`.
    backports: Arc<Vec<Valued<String>>>,
    custom_features: Arc<Vec<CustomFeature>>,
    build_requires: Option<Valued<String>>,
    main_package: Option<Valued<String>>,
    module_dir: Option<Valued<String>>,
    obsoletes: Arc<Vec<Valued<String>>>,
    rpm: Rpm,
    /// Shared with the parent's until this profile edits them (most profiles do not).
    arches: Arc<Vec<Valued<String>>>,
    libguestfs: Package,
    libguestfs_backend: Option<Valued<LibguestfsBackend>>,
    libvirt: Package,
}

fn set<T: Clone>(slot: &mut Option<Valued<T>>, value: &Option<Spanned<T>>) {
    if let Some(v) = value {
        *slot = Some(Valued::new(v.value.clone(), origin(&v.span)));
    }
}

impl Top {
    fn apply(&mut self, profile: &RawProfile, catalogue: &Catalogue, diagnostics: &mut Vec<Diagnostic>) {
        if let Some(p) = &profile.product {
            self.product = Some(p.value.clone());
        }
        if profile.qemu_inherit.as_ref().is_some_and(|i| !i.value) {
            self.package = None;
            self.version = None;
            self.backports = Arc::default();
            self.custom_features = Arc::default();
            self.main_package = None;
            self.module_dir = None;
            self.obsoletes = Arc::default();
            self.rpm = Rpm::default();
            self.build_requires = None;
        }
        set(&mut self.package, &profile.qemu_package);
        set(&mut self.main_package, &profile.qemu_main_package);
        set(&mut self.rpm.evr, &profile.rpm_evr);
        set(&mut self.rpm.obsoletes, &profile.rpm_obsoletes);
        set(&mut self.rpm.common, &profile.rpm_common);
        set(&mut self.module_dir, &profile.qemu_module_dir);
        if let Some(edit) = &profile.qemu_obsoletes {
            let _ =
                apply_list(Arc::make_mut(&mut self.obsoletes), edit, "[qemu] obsoletes", &profile.name, diagnostics);
        }
        if let Some(spelling) = &profile.build_requires {
            self.build_requires = build_requires_spelling(spelling, diagnostics).or(self.build_requires.take());
        }
        set(&mut self.version, &profile.qemu_version);
        if let Some(edit) = &profile.backports {
            let _ =
                apply_list(Arc::make_mut(&mut self.backports), edit, "[qemu] backports", &profile.name, diagnostics);
        }
        for feature in &profile.custom_features {
            let custom_features = Arc::make_mut(&mut self.custom_features);
            custom_features.retain(|f| f.name != feature.name.value);
            custom_features.push(CustomFeature {
                name: feature.name.value.clone(),
                flag: feature.flag.clone(),
                meson: feature.meson.clone(),
                summary: feature.summary.clone(),
                origin: origin(&feature.name.span),
            });
        }
        if let Some(edit) = &profile.arches {
            let _ = apply_list(Arc::make_mut(&mut self.arches), edit, "[profile] arches", &profile.name, diagnostics);
        }
        consumer_arches_built(profile, &self.arches, catalogue, diagnostics);
        set(&mut self.libguestfs.package, &profile.libguestfs_package);
        set(&mut self.libguestfs.version, &profile.libguestfs_version);
        set(&mut self.libguestfs.patch, &profile.libguestfs_patch);
        set(&mut self.libguestfs_backend, &profile.libguestfs_backend);
        if profile.libvirt_inherit.as_ref().is_some_and(|i| !i.value) {
            self.libvirt = Package::default();
        }
        set(&mut self.libvirt.package, &profile.libvirt_package);
        set(&mut self.libvirt.version, &profile.libvirt_version);
    }
}

/// `[qemu] build-requires`: a spelling of the BuildRequires table, or an error.
fn build_requires_spelling(spelling: &Spanned<String>, diagnostics: &mut Vec<Diagnostic>) -> Option<Valued<String>> {
    let table = crate::catalogue::buildrequires::BuildRequires::get();
    if table.spelling(&spelling.value).is_some() {
        return Some(Valued::new(spelling.value.clone(), origin(&spelling.span)));
    }
    diagnostics.push(
        Diagnostic::error(
            Code::UnknownSpelling,
            format!("`{}` is not a BuildRequires spelling drvpolicy knows", spelling.value),
        )
        .at(&spelling.span, "not a spelling of the BuildRequires table")
        .with_help(
            crate::diagnostic::did_you_mean(&spelling.value, table.names())
                .unwrap_or_else(|| format!("the spellings: {}", table.names().collect::<Vec<_>>().join(", "))),
        ),
    );
    None
}

/// A profile as `list` shows it.
#[derive(Debug, Clone)]
pub struct Summary {
    pub name: String,
    pub product: String,
    pub release: Version,
    pub release_text: String,
    /// `qemu-kvm 1.5.3`.
    pub qemu: crate::policy::QemuName,
    pub arches: Vec<String>,
    pub parent: Option<String>,
    pub description: String,
}

/// A profile's ancestors, nearest first, shared with its children's.
#[derive(Debug, Clone, Default)]
struct Lineage(Option<Arc<LineageNode>>);

#[derive(Debug)]
struct LineageNode {
    profile: Arc<RawProfile>,
    rest: Lineage,
}

impl Lineage {
    fn iter(&self) -> impl Iterator<Item = &Arc<RawProfile>> {
        std::iter::successors(self.0.as_deref(), |n| n.rest.0.as_deref()).map(|n| &n.profile)
    }
}

/// The state after a profile and its ancestors, for the profile itself and for its children.
/// It holds no other state: a parent's is dropped when nothing needs it any more.
#[derive(Debug)]
pub(crate) struct Partial {
    profile: Arc<RawProfile>,
    ancestors: Lineage,
    parents: Parents,
    /// Custom feature names of the profile and its ancestors (what its feature names may use).
    custom: Vec<String>,
    /// The distinct arch selectors of the chain, root first (shared: a chain of 2,000 profiles
    /// writing one selector keeps one, not a copy per profile).
    selectors: Arc<Vec<Selector>>,
    /// Parse problems and unknown names of the chain; with an error, nothing else is built.
    load: Diags,
    failed: bool,
    top: Top,
    top_diags: Diags,
    /// Per arch of `top.arches`, in its order: the settings so far and what applying them
    /// found. Looked up by name in `arch` (a few arches: a scan costs less than hashing).
    arches: Vec<(Arc<ArchState>, Diags)>,
}

impl Partial {
    /// `profile` applied on its parent's state (`None` for a root).
    pub(crate) fn step(parent: Option<&Arc<Partial>>, profile: Arc<RawProfile>) -> Partial {
        let catalogue = Catalogue::get();
        let mut custom: Vec<String> = parent.map(|p| p.custom.clone()).unwrap_or_default();
        custom.extend(profile.custom_features.iter().map(|f| f.name.value.clone()));
        let mut own = profile.problems.clone();
        names::check(&profile, &custom, catalogue, &mut own);
        let failed = parent.is_some_and(|p| p.failed) || own.iter().any(Diagnostic::is_error);
        let load = parent.map(|p| p.load.clone()).unwrap_or_default().with(own);
        let ancestors = match parent {
            Some(p) => Lineage(Some(Arc::new(LineageNode { profile: p.profile.clone(), rest: p.ancestors.clone() }))),
            None => Lineage::default(),
        };
        let parents = match parent {
            Some(p) => Parents::with(p.profile.name.clone(), &p.parents),
            None => Parents::default(),
        };
        let mut selectors = parent.map(|p| p.selectors.clone()).unwrap_or_default();
        if !profile.overrides.is_empty() {
            // A selector written again selects nothing new: `Intent` reads them as a set.
            let mut seen: HashSet<&Selector> = selectors.iter().collect();
            let new: Vec<Selector> =
                profile.overrides.iter().map(|o| &o.selector.value).filter(|s| seen.insert(s)).cloned().collect();
            if !new.is_empty() {
                Arc::make_mut(&mut selectors).extend(new);
            }
        }
        let mut partial = Partial {
            profile,
            ancestors,
            parents,
            custom,
            selectors,
            load,
            failed,
            top: Top::default(),
            top_diags: Diags::default(),
            arches: Vec::new(),
        };
        if failed {
            return partial;
        }
        let profile = partial.profile.clone();
        let mut top = parent.map(|p| p.top.clone()).unwrap_or_default();
        let mut own = Vec::new();
        top.apply(&profile, catalogue, &mut own);
        partial.top_diags = parent.map(|p| p.top_diags.clone()).unwrap_or_default().with(own);
        // Arches that share one state in the parent and that this profile's arch selectors treat
        // alike end with one state too: it is built once, for the first of them (unless applying
        // the profile found problems, whose messages may name the arch).
        // Arches this profile adds (`from` null) share a state when every profile of the chain
        // treats them alike.
        let mut shared: Vec<(&str, *const ArchState, Arc<ArchState>)> = Vec::new();
        for arch in top.arches.iter() {
            let inherited = parent.and_then(|p| p.arch(&arch.value));
            let from = inherited.map_or(std::ptr::null(), |(state, _)| Arc::as_ptr(state));
            let alike = shared.iter().find(|(other, f, _)| {
                std::ptr::eq(*f, from)
                    && selected_alike(&profile, other, &arch.value, catalogue)
                    && (inherited.is_some()
                        || partial.ancestors.iter().all(|p| selected_alike(p, other, &arch.value, catalogue)))
            });
            if let Some((_, _, done)) = alike {
                let diags = inherited.map(|(_, diags)| diags.clone()).unwrap_or_default();
                partial.arches.push((done.clone(), diags));
                continue;
            }
            let mut own = Vec::new();
            let (mut state, diags) = match inherited {
                Some((state, diags)) => ((**state).clone(), diags.clone()),
                // An arch this profile adds: its ancestors' settings apply to it too.
                None => (from_root(&partial.ancestors, &arch.value, catalogue, &mut own), Diags::default()),
            };
            state.apply_profile(&profile, &arch.value, catalogue, &mut own);
            let state = Arc::new(state);
            if own.is_empty() {
                shared.push((&arch.value, from, state.clone()));
            }
            partial.arches.push((state, diags.with(own)));
        }
        partial.top = top;
        partial
    }

    pub(crate) fn name(&self) -> &str {
        &self.profile.name
    }

    /// The state of the arch `name`: of the last of `top.arches` so named, as a map keyed by
    /// name would keep it.
    fn arch(&self, name: &str) -> Option<&(Arc<ArchState>, Diags)> {
        self.top.arches.iter().rposition(|a| a.value == name).and_then(|i| self.arches.get(i))
    }

    /// The load-level problems of the chain and the missing keys of the profile, in the order
    /// `attempt` reports them; `None` when the profile stops there.
    fn identity(
        &self,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<(&Spanned<Version>, &Valued<String>, &Valued<Version>)> {
        let child = &self.profile;
        self.load.collect(diagnostics);
        if self.failed {
            return None;
        }
        self.top_diags.collect(diagnostics);
        let missing = |what: &str, example: &str| {
            Diagnostic::error(Code::MissingKey, format!("profile `{}` has no {what}", child.name))
                .at(&child.span, format!("expected {example} here or in a parent"))
        };
        let top = &self.top;
        let release = child.release.as_ref();
        if release.is_none() {
            diagnostics.push(missing("release", "`release = \"7.3\"` in [profile]"));
        }
        if top.package.is_none() {
            diagnostics.push(missing("qemu package", "`package = \"qemu-kvm\"` in [qemu]"));
        }
        if top.version.is_none() {
            diagnostics.push(missing("qemu version", "`version = \"1.5.3\"` in [qemu]"));
        }
        if top.arches.is_empty() {
            diagnostics.push(missing("architecture", "`arches = [\"x86_64\"]` in [profile]"));
        }
        let (Some(release), Some(package), Some(version)) = (release, &top.package, &top.version) else { return None };
        if diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        Some((release, package, version))
    }

    /// What `list` shows of the profile, and the problems of loading and applying its chain;
    /// what its qemu version makes of the settings (drivers, options) is not computed.
    pub(crate) fn summary(&self) -> (Option<Summary>, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let Some((release, package, version)) = self.identity(&mut diagnostics) else {
            return (None, tidy(diagnostics));
        };
        for arch in self.top.arches.iter() {
            self.arch(&arch.value).expect("every arch has its state").1.collect(&mut diagnostics);
        }
        let child = &self.profile;
        let summary = Summary {
            name: child.name.clone(),
            product: self.top.product.clone().unwrap_or_default(),
            release: release.value.clone(),
            release_text: child.release_text.clone().unwrap_or_default(),
            qemu: crate::policy::QemuName { package: package.value.clone(), version: version.value.to_string() },
            arches: self.top.arches.iter().map(|a| a.value.clone()).collect(),
            parent: self.ancestors.iter().next().map(|p| p.name.clone()),
            description: child.description.clone().unwrap_or_default(),
        };
        (Some(summary), tidy(diagnostics))
    }

    /// The profile's policy (when it can be built) and every problem of its chain.
    pub(crate) fn attempt(&self, tables: &mut DriverTables) -> Attempt {
        let catalogue = Catalogue::get();
        let child = &self.profile;
        let top = &self.top;
        let mut diagnostics = Vec::new();
        let Some((release, package, version)) = self.identity(&mut diagnostics) else {
            return Attempt { policy: None, diagnostics: tidy(diagnostics) };
        };
        // Arches of one state share the first one's lists.
        let mut finished: Vec<(*const ArchState, usize)> = Vec::new();
        let mut arches: Vec<crate::policy::ArchPolicy> = Vec::with_capacity(top.arches.len());
        for arch in top.arches.iter() {
            let (state, diags) = self.arch(&arch.value).expect("every arch has its state");
            diags.collect(&mut diagnostics);
            let first = finished.iter().find(|(s, _)| std::ptr::eq(*s, Arc::as_ptr(state))).map(|(_, i)| *i);
            let policy = match first {
                Some(i) => state.finish_like(&arches[i], &arch.value, catalogue),
                None => {
                    finished.push((Arc::as_ptr(state), arches.len()));
                    state.finish(&arch.value, &version.value, &top.backports, catalogue, tables)
                }
            };
            arches.push(policy);
        }
        let policy = Policy {
            name: child.name.clone(),
            product: top.product.clone().unwrap_or_default(),
            release: release.value.clone(),
            release_text: child.release_text.clone().unwrap_or_default(),
            description: child.description.clone().unwrap_or_default(),
            parents: self.parents.clone(),
            sources: child.sources.clone(),
            qemu: Qemu {
                package: package.clone(),
                version: version.clone(),
                backports: top.backports.to_vec(),
                custom_features: top.custom_features.to_vec(),
                main_package: top.main_package.clone(),
                module_dir: top.module_dir.clone(),
                obsoletes: top.obsoletes.to_vec(),
                rpm: top.rpm.clone(),
                build_requires: top.build_requires.clone(),
            },
            libguestfs: top.libguestfs.clone(),
            libguestfs_backend: top
                .libguestfs_backend
                .clone()
                .unwrap_or_else(|| Valued::new(LibguestfsBackend::Direct, Origin::Default)),
            libvirt: top.libvirt.clone(),
            arches,
            selectors: (*self.selectors).clone(),
        };
        version_checks::check(&policy, catalogue, &mut diagnostics);
        Attempt { policy: Some(policy), diagnostics: tidy(diagnostics) }
    }
}

/// One arch's state after `ancestors`, applied from the root.
fn from_root(
    ancestors: &Lineage,
    arch: &str,
    catalogue: &'static Catalogue,
    diagnostics: &mut Vec<Diagnostic>,
) -> ArchState {
    let chain: Vec<&Arc<RawProfile>> = ancestors.iter().collect();
    let mut state = ArchState::default();
    for profile in chain.into_iter().rev() {
        state.apply_profile(profile, arch, catalogue, diagnostics);
    }
    state
}
