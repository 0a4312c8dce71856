//! One arch's settings as the chain of profiles is applied, root first.

use super::{apply_list, apply_list_by, origin};
use crate::catalogue::{self, Catalogue};
use crate::code::Code;
use crate::diagnostic::Diagnostic;
use crate::policy::{
    ArchPolicy, BuildReason, Consumer, DriverBuild, FeatureSetting, LibvirtArch, ListName, Need, Removal, Requirement,
    StorageBackend, Subpackage, Valued,
};
use crate::profile::{
    BuildMode, FeatureState, RawNeed, RawProfile, RawRequirement, Selector, Settings, Spanned, ToolsConfigure,
};
use crate::source::{Fact, Origin};
use indexmap::IndexMap;
use semver::Version;
use std::collections::VecDeque;
use std::sync::Arc;

#[derive(Debug, Default, Clone)]
pub(super) struct ArchState {
    build: Option<Valued<BuildMode>>,
    tools_configure: Option<Valued<ToolsConfigure>>,
    /// Settings and whether an arch selector made them (a tools-only arch keeps only those).
    // Lists a child's state shares with its parent's until it edits them.
    features: Arc<Vec<(FeatureSetting, bool)>>,
    rw: Arc<Vec<Valued<String>>>,
    ro: Arc<Vec<Valued<String>>>,
    in_tools: Option<Valued<bool>>,
    acknowledged: Arc<Vec<Valued<String>>>,
    extra_args: Arc<Vec<Valued<String>>>,
    subpackages: Arc<Vec<Subpackage>>,
    libguestfs_disabled: Arc<Vec<Valued<String>>>,
    libvirt: Option<LibvirtState>,
    consumers: Arc<IndexMap<String, ConsumerState>>,
    removals: Arc<Vec<Removal>>,
}

#[derive(Debug, Clone)]
struct LibvirtState {
    disabled: Vec<Valued<String>>,
    backends: Vec<StorageBackend>,
    origin: Origin,
}

#[derive(Debug, Default, Clone)]
struct ConsumerState {
    description: Option<String>,
    arches: Option<Vec<Valued<String>>>,
    needs: Vec<Valued<RawNeed>>,
    requires: Vec<Valued<RawRequirement>>,
}

fn selected(selector: &Selector, arch: &str, catalogue: &'static Catalogue) -> bool {
    selector.matches(arch, |g| catalogue.arch_group(g))
}

/// Whether `profile`'s arch selectors pick the same settings for both arches, so that applying
/// it to one state gives one state.
pub(super) fn selected_alike(profile: &RawProfile, a: &str, b: &str, catalogue: &'static Catalogue) -> bool {
    profile
        .overrides
        .iter()
        .all(|o| selected(&o.selector.value, a, catalogue) == selected(&o.selector.value, b, catalogue))
}

impl ArchState {
    pub(super) fn apply_profile(
        &mut self,
        profile: &RawProfile,
        arch: &str,
        catalogue: &'static Catalogue,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        if profile.qemu_inherit.as_ref().is_some_and(|i| !i.value) {
            self.build = None;
            self.features = Arc::default();
            self.rw = Arc::default();
            self.ro = Arc::default();
            self.in_tools = None;
            self.acknowledged = Arc::default();
            self.extra_args = Arc::default();
            self.subpackages = Arc::default();
        }
        if profile.libvirt_inherit.as_ref().is_some_and(|i| !i.value) {
            self.libvirt = None;
            Arc::make_mut(&mut self.removals).retain(|r| r.list != ListName::LibvirtDisabled);
        }
        self.apply(&profile.base, false, &profile.name, diagnostics);
        let mut set_by_selector: Vec<&(Spanned<String>, Spanned<FeatureState>)> = Vec::new();
        for o in profile.overrides.iter().filter(|o| selected(&o.selector.value, arch, catalogue)) {
            for setting in &o.settings.features {
                if let Some(earlier) =
                    set_by_selector.iter().find(|(n, s)| n.value == setting.0.value && s.value != setting.1.value)
                {
                    diagnostics.push(
                        Diagnostic::warning(
                            Code::ConflictingFeature,
                            format!(
                                "`{}` is set to `{}` and to `{}` for {arch} by two arch selectors",
                                setting.0.value, earlier.1.value, setting.1.value
                            ),
                        )
                        .at(&setting.1.span, "this one wins")
                        .at(&earlier.1.span, "overridden")
                        .with_help("make the selectors disjoint, or drop one of the settings"),
                    );
                }
                set_by_selector.push(setting);
            }
            self.apply(&o.settings, true, &profile.name, diagnostics);
        }
    }

    fn apply(&mut self, settings: &Settings, from_arch: bool, profile: &str, diagnostics: &mut Vec<Diagnostic>) {
        if let Some(build) = &settings.build {
            self.build = Some(Valued::new(build.value, origin(&build.span)));
        }
        if let Some(configure) = &settings.tools_configure {
            self.tools_configure = Some(Valued::new(configure.value, origin(&configure.span)));
        }
        for (name, state) in &settings.features {
            let setting = FeatureSetting {
                name: name.value.clone(),
                state: state.value,
                origin: origin(&state.span),
                custom: false,
            };
            let features = Arc::make_mut(&mut self.features);
            match features.iter_mut().find(|(f, _)| f.name == name.value) {
                Some(slot) => *slot = (setting, from_arch),
                None => features.push((setting, from_arch)),
            }
        }
        if let Some(edit) = &settings.rw_whitelist {
            let removed = apply_list(Arc::make_mut(&mut self.rw), edit, "the rw whitelist", profile, diagnostics);
            self.note_removals(ListName::RwWhitelist, removed, &self.rw.clone());
        }
        if let Some(edit) = &settings.ro_whitelist {
            let removed = apply_list(Arc::make_mut(&mut self.ro), edit, "the ro whitelist", profile, diagnostics);
            self.note_removals(ListName::RoWhitelist, removed, &self.ro.clone());
        }
        if let Some(b) = &settings.whitelist_in_tools {
            self.in_tools = Some(Valued::new(b.value, origin(&b.span)));
        }
        if let Some(edit) = &settings.extra_args {
            let _ = apply_list(Arc::make_mut(&mut self.extra_args), edit, "extra-args", profile, diagnostics);
        }
        if let Some(edit) = &settings.acknowledge_compiled_out {
            let acknowledged = Arc::make_mut(&mut self.acknowledged);
            let _ = apply_list(acknowledged, edit, "acknowledge-compiled-out", profile, diagnostics);
        }
        if let Some(edit) = &settings.libguestfs_disabled {
            let what = "the libguestfs disabled protocols";
            let removed = apply_list(Arc::make_mut(&mut self.libguestfs_disabled), edit, what, profile, diagnostics);
            self.note_removals(ListName::LibguestfsDisabled, removed, &self.libguestfs_disabled.clone());
        }
        for sub in &settings.subpackages {
            let existing = self.subpackages.iter().position(|s| s.module == sub.module.value);
            let entry = match &sub.name {
                Some(name) => Subpackage {
                    module: sub.module.value.clone(),
                    name: name.value.clone(),
                    required: sub.required.as_ref().is_some_and(|r| r.value),
                    shipped: true,
                    origin: origin(&name.span),
                },
                // `= false`: the module stays what it is, and no package ships it here.
                None => Subpackage {
                    shipped: false,
                    required: false,
                    origin: origin(&sub.span),
                    ..existing.map(|i| self.subpackages[i].clone()).unwrap_or_else(|| Subpackage {
                        module: sub.module.value.clone(),
                        name: String::new(),
                        required: false,
                        shipped: false,
                        origin: origin(&sub.span),
                    })
                },
            };
            let subpackages = Arc::make_mut(&mut self.subpackages);
            match existing {
                Some(i) => subpackages[i] = entry,
                None => subpackages.push(entry),
            }
        }
        if let Some(span) = &settings.libvirt {
            let libvirt = self.libvirt.get_or_insert_with(|| LibvirtState {
                disabled: Vec::new(),
                backends: Vec::new(),
                origin: origin(span),
            });
            for (name, built) in &settings.libvirt_backends {
                let backend =
                    StorageBackend { name: name.value.clone(), enabled: built.value, origin: origin(&built.span) };
                match libvirt.backends.iter_mut().find(|b| b.name == backend.name) {
                    Some(slot) => *slot = backend,
                    None => libvirt.backends.push(backend),
                }
            }
            if let Some(edit) = &settings.libvirt_disabled {
                let removed =
                    apply_list(&mut libvirt.disabled, edit, "the libvirt disabled protocols", profile, diagnostics);
                let now = libvirt.disabled.clone();
                self.note_removals(ListName::LibvirtDisabled, removed, &now);
            }
        }
        for consumer in &settings.consumers {
            let state = Arc::make_mut(&mut self.consumers).entry(consumer.name.value.clone()).or_default();
            if consumer.description.is_some() {
                state.description = consumer.description.clone();
            }
            if let Some(edit) = &consumer.requires {
                let what = format!("the requirements of {}", consumer.name.value);
                let _ =
                    apply_list_by(&mut state.requires, edit, |r| r.package.value.clone(), &what, profile, diagnostics);
            }
            if let Some(edit) = &consumer.arches {
                let _ = apply_list(
                    state.arches.get_or_insert_with(Vec::new),
                    edit,
                    &format!("the arches of {}", consumer.name.value),
                    profile,
                    diagnostics,
                );
            }
            if let Some(edit) = &consumer.needs {
                let what = format!("the needs of {}", consumer.name.value);
                let _ = apply_list_by(&mut state.needs, edit, |n| n.driver.value.clone(), &what, profile, diagnostics);
            }
        }
    }

    /// Remembers where values were taken out of a list, forgetting those that are back in it.
    fn note_removals(&mut self, list: ListName, removed: Vec<Valued<String>>, now: &[Valued<String>]) {
        if self.removals.is_empty() && removed.is_empty() {
            return;
        }
        let removals = Arc::make_mut(&mut self.removals);
        removals.retain(|r| r.list != list || !now.iter().any(|v| v.value == r.value));
        for r in removed {
            removals.retain(|old| old.list != list || old.value != r.value);
            removals.push(Removal { list, value: r.value, origin: r.origin });
        }
    }

    /// The arch's policy. `tables` shares driver tables between arches and profiles with the
    /// same inputs.
    pub(super) fn finish(
        &self,
        arch: &str,
        version: &Version,
        backports: &[Valued<String>],
        catalogue: &'static Catalogue,
        tables: &mut DriverTables,
    ) -> ArchPolicy {
        let mut policy = self.finish_shared(version, backports, catalogue, tables);
        self.finish_for(&mut policy, arch, catalogue);
        policy
    }

    /// `finish` for another arch of this state, from the policy of the first one: all that does
    /// not depend on the arch is shared.
    pub(super) fn finish_like(&self, first: &ArchPolicy, arch: &str, catalogue: &'static Catalogue) -> ArchPolicy {
        let mut policy = ArchPolicy { needs: Vec::new(), consumers: Vec::new(), ..first.clone() };
        self.finish_for(&mut policy, arch, catalogue);
        policy
    }

    /// What of the arch's policy follows from the state alone (no consumers yet).
    fn finish_shared(
        &self,
        version: &Version,
        backports: &[Valued<String>],
        catalogue: &'static Catalogue,
        tables: &mut DriverTables,
    ) -> ArchPolicy {
        let build = self.build.clone().unwrap_or_else(|| Valued::new(BuildMode::Full, Origin::Default));
        let mut in_tools_set = self.in_tools.is_some();
        let mut in_tools = self.in_tools.clone().unwrap_or_else(|| Valued::new(false, Origin::Default));
        let bare_configure = build.value == BuildMode::ToolsOnly
            && self.tools_configure.as_ref().is_none_or(|c| c.value == ToolsConfigure::Bare);
        let (rw, ro) = if bare_configure {
            // A bare configure: only what an arch selector set for this arch, no whitelists.
            in_tools = Valued::new(false, build.origin.clone());
            in_tools_set = false;
            (Arc::default(), Arc::default())
        } else {
            (self.rw.clone(), self.ro.clone())
        };
        let mut features: Vec<FeatureSetting> = self
            .features
            .iter()
            .filter(|(_, from_arch)| !bare_configure || *from_arch)
            .map(|(f, _)| f.clone())
            .collect();
        for f in &mut features {
            f.custom = catalogue.feature(&f.name).is_none();
        }
        let drivers = tables.get(version, backports, &features, catalogue);
        ArchPolicy {
            arch: String::new(),
            build,
            bare_configure,
            features: features.into(),
            drivers,
            rw_whitelist: rw,
            ro_whitelist: ro,
            whitelist_in_tools: in_tools,
            whitelist_in_tools_set: in_tools_set,
            acknowledged_compiled_out: self.acknowledged.clone(),
            extra_args: self.extra_args.clone(),
            subpackages: self.subpackages.clone(),
            libguestfs_disabled: self.libguestfs_disabled.clone(),
            libvirt: self.libvirt.as_ref().map(|l| LibvirtArch {
                disabled: l.disabled.clone(),
                backends: l.backends.clone(),
                origin: l.origin.clone(),
            }),
            needs: Vec::new(),
            consumers: Vec::new(),
            removals: self.removals.clone(),
        }
    }

    /// The arch's name, and its consumers and their needs.
    fn finish_for(&self, policy: &mut ArchPolicy, arch: &str, catalogue: &'static Catalogue) {
        let here = self.consumers.iter().filter(|(_, c)| {
            c.arches.as_ref().is_none_or(|arches| {
                arches.iter().any(|a| {
                    a.value == arch || catalogue.arch_group(&a.value).is_some_and(|g| g.iter().any(|x| x == arch))
                })
            })
        });
        let consumers = here
            .clone()
            .map(|(name, c)| Consumer {
                name: name.clone(),
                description: c.description.clone(),
                requires: c
                    .requires
                    .iter()
                    .map(|r| Requirement {
                        package: r.value.package.value.clone(),
                        why: r.value.why.clone(),
                        origin: r.origin.clone(),
                    })
                    .collect(),
            })
            .collect();
        let needs = here
            .flat_map(|(consumer, c)| {
                c.needs.iter().map(move |n| Need {
                    consumer: consumer.clone(),
                    driver: n.value.driver.value.clone(),
                    access: n.value.access.value,
                    program: n.value.program.value,
                    why: n.value.why.clone(),
                    origin: n.origin.clone(),
                })
            })
            .collect();
        policy.arch = arch.to_string();
        policy.needs = needs;
        policy.consumers = consumers;
    }
}

/// Driver tables already built. A table follows from the qemu version, the backports and the
/// build options alone, so every arch and profile with the same ones shares one: 10,000
/// profiles of one qemu version build a few hundred tables, not one per arch (a table is about
/// a hundred allocations). The most recent ones are kept.
#[derive(Default)]
pub(crate) struct DriverTables(VecDeque<DriverTable>);

struct DriverTable {
    version: Version,
    backports: Vec<Valued<String>>,
    features: Vec<FeatureSetting>,
    drivers: Arc<[DriverBuild]>,
}

impl DriverTables {
    /// Enough for the tables of one chain of profiles, which `check --all` resolves together.
    const KEPT: usize = 32;

    fn get(
        &mut self,
        version: &Version,
        backports: &[Valued<String>],
        features: &[FeatureSetting],
        catalogue: &'static Catalogue,
    ) -> Arc<[DriverBuild]> {
        let same = |t: &&DriverTable| t.version == *version && t.backports == backports && t.features == features;
        if let Some(table) = self.0.iter().find(same) {
            return table.drivers.clone();
        }
        let drivers = build_drivers(version, backports, features, catalogue);
        if self.0.len() == Self::KEPT {
            self.0.pop_back();
        }
        self.0.push_front(DriverTable {
            version: version.clone(),
            backports: backports.to_vec(),
            features: features.to_vec(),
            drivers: drivers.clone(),
        });
        drivers
    }
}

/// Every registered driver of the version, compiled in or out by `features`.
fn build_drivers(
    version: &Version,
    backports: &[Valued<String>],
    features: &[FeatureSetting],
    catalogue: &'static Catalogue,
) -> Arc<[DriverBuild]> {
    let modules =
        features.iter().find(|f| f.name == "modules" && f.state == FeatureState::Enable).map(|f| f.origin.clone());
    // Written once: every driver's origin names the version.
    let version_text: std::sync::Arc<str> = version.to_string().into();
    catalogue
        .drivers_in(version, backports)
        .map(|(name, driver)| {
            let mut build = driver_build(name, driver, features, version, backports, catalogue, &version_text);
            if let (true, Some(module), Some(on)) = (build.compiled_in, &driver.module, &modules) {
                build.module = Some(Valued::new(module.to_string(), on.clone()));
            }
            build
        })
        .collect()
}

fn driver_build(
    name: &'static str,
    driver: &'static catalogue::Driver,
    features: &[FeatureSetting],
    version: &Version,
    backports: &[Valued<String>],
    catalogue: &'static Catalogue,
    version_text: &std::sync::Arc<str>,
) -> DriverBuild {
    if *version < driver.added()
        && let Some(commit) = backports.iter().find(|b| driver.added_by_backport() == Some(b.value.as_str()))
    {
        return DriverBuild {
            name,
            compiled_in: true,
            module: None,
            reason: BuildReason::Backported { commit: commit.value.clone() },
            origin: commit.origin.clone(),
        };
    }
    let Some(feature) = driver.built_by(version) else {
        return DriverBuild {
            name,
            compiled_in: true,
            module: None,
            reason: BuildReason::AlwaysBuilt,
            origin: Origin::Catalogue(Fact::AlwaysBuilds { version: version_text.clone(), driver: name }),
        };
    };
    let setting = features.iter().find(|f| f.name == feature);
    let (on, origin) = match setting {
        Some(s) => (matches!(s.state, FeatureState::Enable | FeatureState::Auto), s.origin.clone()),
        None => {
            let default_off = catalogue
                .feature(feature)
                .and_then(|f| f.configure.iter().find(|r| r.versions.matches(version)))
                .is_some_and(|r| r.default == catalogue::Default::Disabled);
            let fact = Fact::FeatureDefault { version: version_text.clone(), feature, off: default_off };
            (!default_off, Origin::Catalogue(fact))
        }
    };
    let state = setting.map(|s| s.state);
    DriverBuild {
        name,
        compiled_in: on,
        module: None,
        reason: if on { BuildReason::FeatureOn { feature, state } } else { BuildReason::FeatureOff { feature, state } },
        origin,
    }
}
