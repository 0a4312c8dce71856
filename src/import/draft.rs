//! Per-arch settings read from a spec, laid out as a profile: what most full-build arches
//! share goes to `[qemu]`, what differs to `[arch."SELECTOR".qemu]`, tools-only arches
//! get `build = "tools-only"` and their own options. Extra args are kept by tools-only
//! arches too, so `[qemu] extra-args` is what most arches pass, and the others edit it.
//!
//! The layout must resolve back to exactly the per-arch settings it came from (same flags,
//! same order), or a generated spec would differ from the imported one. The importer writes
//! the shared layout, resolves it with the real resolver and compares (`differences`); where
//! it does not give an arch back, each arch group lists everything itself (`explicit`).

use super::arguments::{BoolFlag, ExtraArg, FeatureFlag, ListFlag, Provenance};
use crate::policy::{ArchPolicy, Policy, values};
use crate::profile::{BuildMode, FeatureState};
use indexmap::IndexMap;

/// What one arch's configure invocation sets.
#[derive(Debug, Clone)]
pub struct ArchImport {
    pub arch: String,
    pub build: BuildMode,
    /// Why the build is tools-only, for the comment.
    pub build_note: Option<String>,
    /// A tools-only build that runs the full build's configure (`tools-only-configure = "shared"`).
    pub shared_configure: bool,
    pub build_line: usize,
    /// The line of the shell function call that ran it, if a function did.
    pub called_at: Option<usize>,
    pub features: Vec<FeatureFlag>,
    pub rw: Option<ListFlag>,
    pub ro: Option<ListFlag>,
    pub in_tools: Option<BoolFlag>,
    /// Arguments outside the block-driver policy, in the order the arch passes them.
    pub extra: Vec<ExtraArg>,
}

impl ArchImport {
    /// A full build, or a tools-only one that runs the same configure.
    fn runs_full_configure(&self) -> bool {
        self.build == BuildMode::Full || self.shared_configure
    }
}

/// A feature setting of one layer, with the provenance of every arch it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureSetting {
    pub name: String,
    pub state: FeatureState,
    /// `None` for an `auto` that stands for "no flag here".
    pub from: Option<Provenance>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSetting {
    Replace(Vec<String>),
    Edit { add: Vec<String>, remove: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    pub setting: ListSetting,
    pub from: Option<Provenance>,
}

/// An `extra-args` setting, with where each value it names came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraList {
    pub setting: ListSetting,
    /// The provenance of each value the setting lists or adds (not of those it removes).
    pub from: Vec<(String, Provenance)>,
}

impl ExtraList {
    fn new(setting: ListSetting, extra: &[&ExtraArg]) -> ExtraList {
        let named = match &setting {
            ListSetting::Replace(values) => values.clone(),
            ListSetting::Edit { add, .. } => add.clone(),
        };
        let mut from: Vec<(String, Provenance)> = Vec::new();
        for value in named {
            let provenance = provenance_of(extra.iter().filter(|e| e.text == value).map(|e| &e.from));
            if let Some(p) = provenance
                && !from.iter().any(|(v, _)| *v == value)
            {
                from.push((value, p));
            }
        }
        ExtraList { setting, from }
    }

    fn absorb(&mut self, other: &ExtraList) {
        for (value, theirs) in &other.from {
            match self.from.iter_mut().find(|(v, _)| v == value) {
                Some((_, mine)) => mine.join(theirs),
                None => self.from.push((value.clone(), theirs.clone())),
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layer {
    pub build: Option<(BuildMode, Option<String>, usize)>,
    /// `tools-only-configure = "shared"`.
    pub shared_configure: bool,
    pub features: Vec<FeatureSetting>,
    pub rw: Option<List>,
    pub ro: Option<List>,
    pub in_tools: Option<(bool, Option<Provenance>)>,
    pub extra: Option<ExtraList>,
}

impl Layer {
    fn is_empty(&self) -> bool {
        *self == Layer::default()
    }

    /// The layer without provenance, to group arches that need the same override.
    fn key(&self) -> Layer {
        Layer {
            build: self.build.as_ref().map(|(m, _, _)| (*m, None, 0)),
            shared_configure: self.shared_configure,
            features: self.features.iter().map(|f| FeatureSetting { from: None, ..f.clone() }).collect(),
            rw: self.rw.as_ref().map(|l| List { setting: l.setting.clone(), from: None }),
            ro: self.ro.as_ref().map(|l| List { setting: l.setting.clone(), from: None }),
            in_tools: self.in_tools.as_ref().map(|(b, _)| (*b, None)),
            extra: self.extra.as_ref().map(|e| ExtraList { setting: e.setting.clone(), from: Vec::new() }),
        }
    }

    fn absorb(&mut self, other: &Layer) {
        for (mine, theirs) in self.features.iter_mut().zip(&other.features) {
            join(&mut mine.from, &theirs.from);
        }
        for (mine, theirs) in [(&mut self.rw, &other.rw), (&mut self.ro, &other.ro)] {
            if let (Some(m), Some(t)) = (mine, theirs) {
                join(&mut m.from, &t.from);
            }
        }
        if let (Some((_, m)), Some((_, t))) = (&mut self.in_tools, &other.in_tools) {
            join(m, t);
        }
        if let (Some(m), Some(t)) = (&mut self.extra, &other.extra) {
            m.absorb(t);
        }
    }
}

fn join(mine: &mut Option<Provenance>, theirs: &Option<Provenance>) {
    match (mine.as_mut(), theirs) {
        (Some(m), Some(t)) => m.join(t),
        (None, Some(t)) => *mine = Some(t.clone()),
        _ => {}
    }
}

/// An `[arch."SELECTOR"]` override and the arches it selects.
#[derive(Debug, Clone)]
pub struct Override {
    pub selector: String,
    pub arches: Vec<String>,
    pub layer: Layer,
}

#[derive(Debug, Clone)]
pub struct Draft {
    pub base: Layer,
    pub overrides: Vec<Override>,
    /// Set when the shared layout could not reproduce every arch's order of options.
    pub explicit: bool,
}

/// What an arch resolves to, as far as the generated spec can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    build: BuildMode,
    /// A tools-only arch's configure has only its own options.
    bare: bool,
    features: Vec<(String, FeatureState)>,
    rw: Vec<String>,
    ro: Vec<String>,
    /// `None`: no flag, configure's default.
    in_tools: Option<bool>,
    extra: Vec<String>,
}

fn texts(extra: &[ExtraArg]) -> Vec<String> {
    extra.iter().map(|e| e.text.clone()).collect()
}

/// What the file passes on an arch: a tools-only build has no whitelists.
fn target(arch: &ArchImport) -> Outcome {
    let full = arch.runs_full_configure();
    let list =
        |l: &Option<ListFlag>| if full { l.as_ref().map(|l| l.values.clone()).unwrap_or_default() } else { Vec::new() };
    Outcome {
        build: arch.build,
        bare: !full,
        features: arch.features.iter().map(|f| (f.name.clone(), f.state)).collect(),
        rw: list(&arch.rw),
        ro: list(&arch.ro),
        in_tools: arch.in_tools.as_ref().filter(|_| full).map(|b| b.value),
        extra: texts(&arch.extra),
    }
}

/// What the resolver made of an arch.
fn resolved(arch: &ArchPolicy) -> Outcome {
    Outcome {
        build: arch.build.value,
        bare: arch.bare_configure,
        features: arch
            .features
            .iter()
            .filter(|f| matches!(f.state, FeatureState::Enable | FeatureState::Disable))
            .map(|f| (f.name.clone(), f.state))
            .collect(),
        rw: values(&arch.rw_whitelist),
        ro: values(&arch.ro_whitelist),
        in_tools: arch.whitelist_in_tools_set.then_some(arch.whitelist_in_tools.value),
        extra: values(&arch.extra_args),
    }
}

/// Where the resolved policy differs from what the file passes, per arch (empty: none).
pub fn differences(policy: &Policy, arches: &[ArchImport]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in arches {
        let Some(got) = policy.arch(&a.arch).map(resolved) else {
            out.push((a.arch.clone(), "the profile does not build it".to_string()));
            continue;
        };
        let want = target(a);
        let mut what = Vec::new();
        if got.build != want.build {
            what.push(format!("build {} instead of {}", got.build, want.build));
        }
        if got.features != want.features {
            what.push("the build options or their order".to_string());
        }
        if got.rw != want.rw || got.ro != want.ro {
            what.push("a whitelist".to_string());
        }
        if got.in_tools != want.in_tools {
            what.push("whitelist-in-tools".to_string());
        }
        if got.extra != want.extra {
            what.push("extra-args".to_string());
        }
        if !what.is_empty() {
            out.push((a.arch.clone(), what.join(", ")));
        }
    }
    out
}

/// One sequence holding every sequence's names in each one's order, where they agree.
/// A name new to the merge goes right before the next name of its sequence already there.
fn merge(sequences: &[Vec<&str>]) -> Vec<String> {
    crate::arch_order::merge(sequences).into_iter().map(str::to_string).collect()
}

/// The most common value, the first-seen one on a tie.
fn most_common<T: PartialEq + Clone>(values: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: Vec<(T, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(c, _)| *c == v) {
            Some((_, n)) => *n = n.saturating_add(1),
            None => counts.push((v, 1)),
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(v, _)| v)
}

/// A list setting that turns `base` into `wanted`: remove/add edits when they keep the
/// order, else the whole list.
fn list_change(base: &[String], wanted: &[String]) -> ListSetting {
    let remove: Vec<String> = base.iter().filter(|v| !wanted.contains(v)).cloned().collect();
    let kept: Vec<&String> = base.iter().filter(|v| wanted.contains(v)).collect();
    let added = wanted.get(kept.len()..).unwrap_or_default();
    let keeps_order = wanted.iter().take(kept.len()).eq(kept.iter().copied());
    let repeats = added.iter().enumerate().any(|(i, a)| added.iter().take(i).any(|b| b == a));
    if !kept.is_empty() && keeps_order && !repeats && added.iter().all(|a| !base.contains(a)) {
        ListSetting::Edit { add: added.to_vec(), remove }
    } else {
        ListSetting::Replace(wanted.to_vec())
    }
}

fn provenance_of<'a>(flags: impl Iterator<Item = &'a Provenance>) -> Option<Provenance> {
    let mut out: Option<Provenance> = None;
    for p in flags {
        match &mut out {
            Some(o) => o.join(p),
            None => out = Some(p.clone()),
        }
    }
    out
}

/// `x86_64` or `!x86_64,s390x`, whichever names fewer arches (as `generate spec` chooses).
fn selector(arches: &[String], all: &[String]) -> String {
    let arches: Vec<&str> = arches.iter().map(String::as_str).collect();
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    match crate::arch_order::shortest(&arches, &all) {
        (true, others) => format!("!{}", others.join(",")),
        (false, names) => names.join(","),
    }
}

fn full_layer(arch: &ArchImport) -> Layer {
    Layer {
        build: (arch.build == BuildMode::ToolsOnly).then(|| (arch.build, arch.build_note.clone(), arch.build_line)),
        shared_configure: false,
        features: arch
            .features
            .iter()
            .map(|f| FeatureSetting { name: f.name.clone(), state: f.state, from: Some(f.from.clone()) })
            .collect(),
        rw: None,
        ro: None,
        in_tools: None,
        extra: None,
    }
}

/// The `extra-args` setting that turns `base` into what `arch` passes, if they differ.
fn extra_change(base: &[String], arch: &ArchImport) -> Option<ExtraList> {
    let wanted = texts(&arch.extra);
    (wanted != base).then(|| ExtraList::new(list_change(base, &wanted), &arch.extra.iter().collect::<Vec<_>>()))
}

/// The shared layout: a base for the full-build arches, overrides for what differs.
pub fn shared(arches: &[ArchImport]) -> Draft {
    let all: Vec<String> = arches.iter().map(|a| a.arch.clone()).collect();
    let full: Vec<&ArchImport> = arches.iter().filter(|a| a.runs_full_configure()).collect();
    let sequences: Vec<Vec<&str>> = full.iter().map(|a| a.features.iter().map(|f| f.name.as_str()).collect()).collect();
    let state_of =
        |a: &ArchImport, name: &str| a.features.iter().find(|f| f.name == name).map_or(FeatureState::Auto, |f| f.state);
    let mut base = Layer::default();
    for name in merge(&sequences) {
        let state = most_common(full.iter().map(|a| state_of(a, &name))).unwrap_or(FeatureState::Auto);
        let from = provenance_of(
            full.iter().flat_map(|a| a.features.iter()).filter(|f| f.name == name && f.state == state).map(|f| &f.from),
        );
        base.features.push(FeatureSetting { name, state, from });
    }
    let values = |l: &Option<ListFlag>| l.as_ref().map(|l| l.values.clone());
    let base_rw = most_common(full.iter().map(|a| values(&a.rw))).flatten();
    let base_ro = most_common(full.iter().map(|a| values(&a.ro))).flatten();
    let list_from = |pick: fn(&ArchImport) -> &Option<ListFlag>, wanted: &Option<Vec<String>>| {
        provenance_of(
            full.iter()
                .filter_map(|a| pick(a).as_ref())
                .filter(|l| Some(&l.values) == wanted.as_ref())
                .map(|l| &l.from),
        )
    };
    base.rw = base_rw
        .as_ref()
        .map(|v| List { setting: ListSetting::Replace(v.clone()), from: list_from(|a| &a.rw, &base_rw) });
    base.ro = base_ro
        .as_ref()
        .map(|v| List { setting: ListSetting::Replace(v.clone()), from: list_from(|a| &a.ro, &base_ro) });
    // Every arch passes its extra args, tools-only ones too.
    let base_extra = most_common(arches.iter().map(|a| texts(&a.extra))).unwrap_or_default();
    if !base_extra.is_empty() {
        // A value's comment names every line that passes it, also on arches that add to the list.
        let passing: Vec<&ExtraArg> = arches.iter().flat_map(|a| &a.extra).collect();
        base.extra = Some(ExtraList::new(ListSetting::Replace(base_extra.clone()), &passing));
    }
    // Tri-state: an explicit --disable-block-drv-whitelist-in-tools is kept, not folded into
    // the default it equals, so the generated configure passes it again.
    let in_tools = |a: &ArchImport| a.in_tools.as_ref().map(|b| b.value);
    let base_in_tools = most_common(full.iter().map(|a| in_tools(a))).flatten();
    if let Some(on) = base_in_tools {
        let from =
            provenance_of(full.iter().filter_map(|a| a.in_tools.as_ref()).filter(|b| b.value == on).map(|b| &b.from));
        base.in_tools = Some((on, from));
    }

    let mut per_arch: Vec<(String, Layer)> = Vec::new();
    for arch in arches {
        let layer = if !arch.runs_full_configure() {
            full_layer(arch)
        } else {
            let mut layer = Layer { shared_configure: arch.shared_configure, ..Layer::default() };
            if arch.shared_configure {
                layer.build = full_layer(arch).build;
            }
            for b in &base.features {
                let mine = arch.features.iter().find(|f| f.name == b.name);
                let state = mine.map_or(FeatureState::Auto, |f| f.state);
                if state != b.state {
                    layer.features.push(FeatureSetting {
                        name: b.name.clone(),
                        state,
                        from: mine.map(|f| f.from.clone()),
                    });
                }
            }
            for (mine, base_list, slot) in [(&arch.rw, &base_rw, &mut layer.rw), (&arch.ro, &base_ro, &mut layer.ro)] {
                let wanted = values(mine).unwrap_or_default();
                let base_values = base_list.clone().unwrap_or_default();
                if wanted != base_values {
                    *slot = Some(List {
                        setting: list_change(&base_values, &wanted),
                        from: mine.as_ref().map(|l| l.from.clone()),
                    });
                }
            }
            // An arch without the flag under a base that has one cannot unset it: `differences`
            // reports that.
            if let Some(b) = arch.in_tools.as_ref().filter(|_| in_tools(arch) != base_in_tools) {
                layer.in_tools = Some((b.value, Some(b.from.clone())));
            }
            layer
        };
        let layer = Layer { extra: extra_change(&base_extra, arch), ..layer };
        per_arch.push((arch.arch.clone(), layer));
    }
    Draft { base, overrides: group(per_arch, &all), explicit: false }
}

/// Every arch group lists all its options: exact whatever the order of options per arch.
pub fn explicit(arches: &[ArchImport]) -> Draft {
    let all: Vec<String> = arches.iter().map(|a| a.arch.clone()).collect();
    let per_arch = arches
        .iter()
        .map(|a| {
            let mut layer = full_layer(a);
            layer.shared_configure = a.shared_configure;
            if a.runs_full_configure() {
                let list = |l: &Option<ListFlag>| {
                    l.as_ref()
                        .map(|l| List { setting: ListSetting::Replace(l.values.clone()), from: Some(l.from.clone()) })
                };
                layer.rw = list(&a.rw);
                layer.ro = list(&a.ro);
                if let Some(b) = &a.in_tools {
                    layer.in_tools = Some((b.value, Some(b.from.clone())));
                }
            }
            layer.extra = extra_change(&[], a);
            (a.arch.clone(), layer)
        })
        .collect();
    Draft { base: Layer::default(), overrides: group(per_arch, &all), explicit: true }
}

/// Arches that need the same override share one selector, in the order of their first arch.
fn group(per_arch: Vec<(String, Layer)>, all: &[String]) -> Vec<Override> {
    let mut groups: IndexMap<String, (Vec<String>, Layer)> = IndexMap::new();
    for (arch, layer) in per_arch {
        if layer.is_empty() {
            continue;
        }
        let key = format!("{:?}", layer.key());
        match groups.get_mut(&key) {
            Some((arches, existing)) => {
                arches.push(arch);
                existing.absorb(&layer);
            }
            None => {
                groups.insert(key, (vec![arch], layer));
            }
        }
    }
    groups.into_values().map(|(arches, layer)| Override { selector: selector(&arches, all), arches, layer }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The draft written as a profile and resolved by the real resolver.
    fn policy_of(d: &Draft, arches: &[ArchImport]) -> Policy {
        let catalogue = crate::catalogue::Catalogue::get();
        let mut custom: Vec<(String, String)> = Vec::new();
        for f in arches.iter().flat_map(|a| &a.features) {
            if catalogue.feature(&f.name).is_none() && !custom.iter().any(|(n, _)| *n == f.name) {
                custom.push((f.name.clone(), "test".into()));
            }
        }
        let describe = |p: &Provenance| p.describe("t.spec");
        let text = crate::import::write::ProfileText {
            header: Vec::new(),
            product: "t".into(),
            release: "1".into(),
            release_note: None,
            description: "test".into(),
            sources: Vec::new(),
            arches: (arches.iter().map(|a| a.arch.clone()).collect(), "test".into()),
            package: ("qemu-kvm".into(), "test".into()),
            version: ("2.12.0".into(), "test".into()),
            backports: Vec::new(),
            draft: d,
            custom,
            describe: &describe,
        };
        let toml = crate::import::write::render(&text);
        let mut sources = crate::source::Sources::default();
        let file = sources.add("t-1.toml", toml.clone());
        let raw = crate::profile::parse_profile("t-1", file, &toml).unwrap_or_else(|e| panic!("{e:?}\n{toml}"));
        crate::resolve::resolve_chain(&[raw]).unwrap_or_else(|e| panic!("{e:?}\n{toml}")).policy
    }

    /// As the importer chooses: the shared layout unless the resolver gives an arch back otherwise.
    fn draft(arches: &[ArchImport]) -> Draft {
        let d = shared(arches);
        if differences(&policy_of(&d, arches), arches).is_empty() { d } else { explicit(arches) }
    }

    fn assert_round_trip(d: &Draft, arches: &[ArchImport]) {
        assert_eq!(differences(&policy_of(d, arches), arches), Vec::<(String, String)>::new());
    }

    fn flag(name: &str, state: FeatureState, line: usize) -> FeatureFlag {
        FeatureFlag { name: name.into(), state, from: Provenance { lines: vec![line], uses: Vec::new() } }
    }

    fn list(values: &[&str], line: usize) -> Option<ListFlag> {
        Some(ListFlag {
            values: values.iter().map(|v| v.to_string()).collect(),
            from: Provenance { lines: vec![line], uses: Vec::new() },
            option: "--block-drv-rw-whitelist".into(),
        })
    }

    fn arch(name: &str, build: BuildMode, features: Vec<FeatureFlag>, rw: Option<ListFlag>) -> ArchImport {
        ArchImport {
            arch: name.into(),
            build,
            build_note: None,
            shared_configure: false,
            build_line: 1,
            called_at: None,
            features,
            rw,
            ro: list(&["vmdk"], 30),
            in_tools: None,
            extra: Vec::new(),
        }
    }

    fn extra(texts: &[&str], line: usize) -> Vec<ExtraArg> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| ExtraArg {
                text: t.to_string(),
                option: t.split('=').next().unwrap_or(t).to_string(),
                from: Provenance { lines: vec![line + i], uses: Vec::new() },
                after_options: false,
                at: crate::import::place::Place::line(line + i),
            })
            .collect()
    }

    use FeatureState::{Disable, Enable};

    #[test]
    fn what_differs_goes_to_the_smallest_selector() {
        // rhel-7.2-rhev's shape: glusterfs and rbd on x86_64 only, and out of the rw list elsewhere.
        let x86 = arch(
            "x86_64",
            BuildMode::Full,
            vec![flag("curl", Enable, 2), flag("glusterfs", Enable, 8), flag("rbd", Enable, 9)],
            list(&["qcow2", "gluster", "rbd", "blkdebug"], 20),
        );
        let other = |name: &str| {
            arch(
                name,
                BuildMode::Full,
                vec![flag("curl", Enable, 2), flag("glusterfs", Disable, 5), flag("rbd", Disable, 6)],
                list(&["qcow2", "blkdebug"], 18),
            )
        };
        let arches = [x86, other("ppc64le"), other("aarch64")];
        let d = draft(&arches);
        assert!(!d.explicit);
        let base: Vec<(&str, FeatureState)> = d.base.features.iter().map(|f| (f.name.as_str(), f.state)).collect();
        assert_eq!(base, [("curl", Enable), ("glusterfs", Disable), ("rbd", Disable)]);
        assert_eq!(d.base.features[1].from.as_ref().unwrap().lines, [5]);
        assert_eq!(d.overrides.len(), 1);
        assert_eq!(d.overrides[0].selector, "x86_64");
        // gluster and rbd sit before blkdebug: not an edit at the end, so the whole list.
        let whole = ["qcow2", "gluster", "rbd", "blkdebug"].map(String::from).to_vec();
        assert_eq!(d.overrides[0].layer.rw.as_ref().unwrap().setting, ListSetting::Replace(whole));
        assert_round_trip(&d, &arches);
    }

    #[test]
    fn tools_only_arches_list_their_own_options() {
        let x86 = arch(
            "x86_64",
            BuildMode::Full,
            vec![flag("rbd", Enable, 3), flag("guest-agent", Disable, 4)],
            list(&["qcow2"], 5),
        );
        let mut ppc = arch("ppc64le", BuildMode::ToolsOnly, vec![flag("guest-agent", Disable, 12)], None);
        ppc.ro = None;
        let d = draft(&[x86.clone(), ppc.clone()]);
        assert_eq!(d.overrides.len(), 1);
        assert_eq!(d.overrides[0].selector, "ppc64le");
        assert_eq!(d.overrides[0].layer.build.as_ref().unwrap().0, BuildMode::ToolsOnly);
        assert_round_trip(&d, &[x86, ppc]);
    }

    #[test]
    fn disagreeing_orders_fall_back_to_explicit_lists() {
        let a = arch("x86_64", BuildMode::Full, vec![flag("a", Enable, 1), flag("b", Enable, 2)], None);
        let b = arch("aarch64", BuildMode::Full, vec![flag("b", Enable, 3), flag("a", Enable, 4)], None);
        let d = draft(&[a.clone(), b.clone()]);
        assert!(d.explicit);
        assert_round_trip(&d, &[a, b]);
    }

    #[test]
    fn extra_args_are_shared_where_most_arches_pass_them_tools_only_ones_too() {
        // qemu-kvm-el7.spec's shape: --prefix everywhere, more on the full build only.
        let mut x86 = arch("x86_64", BuildMode::Full, vec![flag("rbd", Enable, 40)], list(&["qcow2"], 45));
        x86.extra = extra(&["--prefix=%{_prefix}", "--libdir=%{_libdir}", "--extra-cflags=\"%{optflags}\""], 34);
        let tools = |name: &str| {
            let mut a = arch(name, BuildMode::ToolsOnly, vec![flag("guest-agent", Disable, 66)], None);
            a.ro = None;
            a.extra = extra(&["--prefix=%{_prefix}"], 65);
            a
        };
        let arches = [x86, tools("ppc64le"), tools("aarch64")];
        let d = draft(&arches);
        assert!(!d.explicit);
        let base = d.base.extra.as_ref().unwrap();
        assert_eq!(base.setting, ListSetting::Replace(vec!["--prefix=%{_prefix}".into()]));
        // x86_64 passes it too, from its own line.
        assert_eq!(base.from[0].1.lines, [34, 65]);
        let x86_override = d.overrides.iter().find(|o| o.arches == ["x86_64"]).unwrap();
        let added = x86_override.layer.extra.as_ref().unwrap();
        assert_eq!(
            added.setting,
            ListSetting::Edit {
                add: vec!["--libdir=%{_libdir}".into(), "--extra-cflags=\"%{optflags}\"".into()],
                remove: vec![]
            }
        );
        let tools_override = d.overrides.iter().find(|o| o.arches == ["ppc64le", "aarch64"]).unwrap();
        assert_eq!(tools_override.layer.extra, None, "tools-only arches keep [qemu] extra-args");
        assert_round_trip(&d, &arches);
    }

    #[test]
    fn extra_args_that_an_edit_cannot_give_are_listed_whole() {
        let with = |name: &str, texts: &[&str]| {
            let mut a = arch(name, BuildMode::Full, vec![], None);
            a.extra = extra(texts, 1);
            a
        };
        let arches = [
            with("x86_64", &["--a", "--b"]),
            with("ppc64", &["--a", "--b"]),
            with("s390x", &["--b", "--a"]),
            // An addition in front: an `add` would append it, a list keeps the order as written.
            with("aarch64", &["--c", "--a", "--b"]),
            with("ppc64le", &[]),
        ];
        let d = draft(&arches);
        let setting = |arch: &str| {
            d.overrides.iter().find(|o| o.arches.iter().any(|a| a == arch)).and_then(|o| o.layer.extra.clone())
        };
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(d.base.extra.as_ref().unwrap().setting, ListSetting::Replace(s(&["--a", "--b"])));
        assert_eq!(setting("x86_64"), None);
        assert_eq!(setting("s390x").unwrap().setting, ListSetting::Replace(s(&["--b", "--a"])));
        assert_eq!(setting("aarch64").unwrap().setting, ListSetting::Replace(s(&["--c", "--a", "--b"])));
        assert_eq!(setting("ppc64le").unwrap().setting, ListSetting::Replace(Vec::new()));
        assert_round_trip(&d, &arches);
    }

    #[test]
    fn list_changes_keep_order() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            list_change(&s(&["a", "b", "c"]), &s(&["a", "c"])),
            ListSetting::Edit { add: vec![], remove: s(&["b"]) }
        );
        assert_eq!(
            list_change(&s(&["a", "b"]), &s(&["a", "b", "d"])),
            ListSetting::Edit { add: s(&["d"]), remove: vec![] }
        );
        assert_eq!(list_change(&s(&["a", "b"]), &s(&["b", "a"])), ListSetting::Replace(s(&["b", "a"])));
        assert_eq!(selector(&s(&["ppc64le", "aarch64"]), &s(&["x86_64", "ppc64le", "aarch64"])), "!x86_64");
        assert_eq!(selector(&s(&["x86_64"]), &s(&["x86_64", "aarch64"])), "x86_64");
    }
}
