//! `explain`: one driver, libguestfs protocol or build option through every layer, each
//! verdict with the profile line (or catalogue fact) that decided it.

use crate::access::{self, Context, Installed, Layer, Outcome, Step};
use crate::catalogue::{Catalogue, Effect};
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Failure, Result, did_you_mean};
use crate::options::{self, Dialect, Setting};
use crate::policy::{ArchPolicy, Policy};
use crate::profile::{Access, FeatureState, Program};
use crate::source::{OriginView, Sources};
use serde::Serialize;

/// The programs whose access `explain` reports, bottom of the stack first.
const PROGRAMS: [Program; 4] = [Program::Emulator, Program::Tools, Program::Libvirt, Program::Libguestfs];

#[derive(Debug, Serialize)]
pub struct ExplainView {
    pub profile: String,
    pub qemu: crate::policy::QemuName,
    pub name: String,
    /// What the name is: `driver`, `protocol` (a libguestfs protocol only) or `feature`.
    pub kind: &'static str,
    /// The driver's chain (for a protocol: the driver it opens); `null` for a feature only.
    pub driver: Option<DriverExplain>,
    /// The build option of that name, if there is one (`rbd` is both a driver and an option).
    pub feature: Option<FeatureExplain>,
    /// The consumer of that name (`virt-v2v`): its needs and what it requires.
    pub consumer: Option<ConsumerExplain>,
    /// Which block subpackages the answer assumes installed.
    pub installed: Installed,
}

#[derive(Debug, Serialize)]
pub struct DriverExplain {
    pub driver: String,
    /// format, protocol, filter, internal (never registered), or unknown.
    pub kind: String,
    /// Whether this qemu version has it: `present`, `added-later` or `removed`.
    pub presence: Presence,
    /// The qemu version that added it, and the one that removed it (catalogue facts).
    pub added: Option<String>,
    pub removed: Option<String>,
    /// The build option that compiles it in or out in this version; `null`: always built.
    pub built_by: Option<String>,
    /// The libguestfs `add_drive` protocol that opens it, if any.
    pub protocol: Option<String>,
    /// The libguestfs that would open it, when a protocol does.
    pub libguestfs: Option<LibguestfsOf>,
    /// Built as a loadable module on some arch: the answer depends on what is installed.
    pub modular: bool,
    /// One block per group of arches whose chain reads the same.
    pub blocks: Vec<DriverBlock>,
}

/// Whether the qemu version has a driver's code at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Presence {
    Present,
    /// Added after this version (and no backport brings it).
    AddedLater,
    /// Removed in or before this version.
    Removed,
}

#[derive(Debug, Serialize)]
pub struct LibguestfsOf {
    pub package: String,
    pub version: Option<String>,
    /// `libvirt` or `direct`: how it runs qemu.
    pub backend: String,
    /// The downstream patch that removes protocols, if any.
    pub patch: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriverBlock {
    pub arches: Vec<String>,
    pub layers: Vec<LayerLine>,
    pub access: Vec<ProgramLine>,
    /// Consumer needs of this driver on these arches.
    pub consumers: Vec<ConsumerLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerLine {
    pub layer: Layer,
    /// What the layer, taken alone, does: pass, read-only, refuse, no-effect.
    pub outcome: Outcome,
    /// The programs whose route goes through this layer.
    pub applies: Vec<String>,
    pub detail: String,
    /// What the user sees when this layer refuses (for `ro`: on a read-write open).
    pub message: Option<String>,
    pub origin: OriginView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgramLine {
    pub program: String,
    /// `rw`, `ro`, `none`, or `n/a` where the program cannot ask for the driver.
    pub access: String,
    /// The layer that decides it.
    pub layer: Layer,
    /// The programs it passes the disk through, in order (libguestfs: libvirt, emulator).
    pub through: Vec<String>,
    pub reason: String,
    /// What the user sees when refused (for `ro`: on a read-write open).
    pub message: Option<String>,
    pub origin: OriginView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerLine {
    pub consumer: String,
    pub program: String,
    pub needs: String,
    pub gets: String,
    pub met: bool,
    pub why: String,
    pub origin: OriginView,
}

#[derive(Debug, Serialize)]
pub struct ConsumerExplain {
    pub consumer: String,
    pub description: Option<String>,
    /// One block per group of arches that read the same.
    pub blocks: Vec<ConsumerBlock>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerBlock {
    pub arches: Vec<String>,
    pub needs: Vec<NeedLine>,
    pub requires: Vec<RequirementLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedLine {
    pub driver: String,
    pub program: String,
    pub needs: String,
    pub gets: String,
    pub met: bool,
    /// The layer that decides what it gets.
    pub layer: Layer,
    pub reason: String,
    pub message: Option<String>,
    pub why: String,
    pub origin: OriginView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementLine {
    pub package: String,
    pub why: String,
    /// The block module it ships, when the package is one of the profile's subpackages.
    pub ships: Option<String>,
    pub origin: OriginView,
}

#[derive(Debug, Serialize)]
pub struct FeatureExplain {
    pub feature: String,
    /// What it builds, as the catalogue or the profile says; `null` when a custom one says nothing.
    pub summary: Option<String>,
    /// Declared by a profile (`[qemu.custom-features]`) rather than known to the catalogue.
    pub custom: bool,
    /// Where a custom feature is declared.
    pub declared_at: Option<OriginView>,
    pub configure: ConfigureSpelling,
    pub meson: MesonSpelling,
    /// What an arch that does not set it gets.
    pub default: FeatureDefault,
    /// The drivers it compiles in or out in this qemu version.
    pub drivers: Vec<String>,
    pub blocks: Vec<FeatureBlock>,
}

/// `--enable-X` / `--disable-X` in this qemu version.
#[derive(Debug, Serialize)]
pub struct ConfigureSpelling {
    /// The X of `--enable-X`; `null` when this version's configure has no such option.
    pub flag: Option<String>,
    /// Accepted and ignored by this version (`--enable-vhdx` on 2.8 to 7.2).
    pub ignored: bool,
    /// The qemu versions whose configure takes it (catalogue features only).
    pub versions: Option<String>,
}

/// `-DX=enabled` / `-DX=disabled`.
#[derive(Debug, Serialize)]
pub struct MesonSpelling {
    /// The meson option, in this version or another; `null` when there is none.
    pub option: Option<String>,
    /// This qemu version has it.
    pub in_version: bool,
    /// The qemu versions that have it (catalogue features only).
    pub versions: Option<String>,
}

/// A build option no arch selector or profile sets.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeatureDefault {
    /// Not an option of this qemu version.
    NotAnOption,
    /// Off unless enabled.
    Disabled,
    /// Built when its library is found.
    Auto,
    /// A custom feature: configure's own default.
    Configure,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureBlock {
    pub arches: Vec<String>,
    /// `enable`, `disable`, `auto`, `unavailable`; `null` when not set (the feature's `default`).
    pub state: Option<FeatureState>,
    /// The configure argument this arch gets, if any.
    pub argument: Option<String>,
    pub origin: OriginView,
    pub compiled_in: Vec<String>,
    pub compiled_out: Vec<String>,
}

/// Explains `name` on every arch of `policy`, or on `arch` only (already checked by the caller).
pub fn view(
    policy: &Policy,
    arch: Option<&str>,
    name: &str,
    installed: &Installed,
    sources: &Sources,
) -> Result<ExplainView> {
    let catalogue = Catalogue::get();
    let arches: Vec<&ArchPolicy> = policy.arches.iter().filter(|a| arch.is_none_or(|want| a.arch == want)).collect();
    let (mut kind, driver) = if catalogue.driver(name).is_some() {
        ("driver", Some(explain_driver(policy, &arches, name, access::protocol_of(name), installed, sources)))
    } else if let Some(target) = catalogue.protocol_driver(name) {
        ("protocol", Some(explain_driver(policy, &arches, target, Some(name), installed, sources)))
    } else {
        ("feature", None)
    };
    let feature = explain_feature(policy, &arches, name, sources);
    let consumer = explain_consumer(policy, &arches, name, installed, sources);
    if consumer.is_some() && driver.is_none() && feature.is_none() {
        kind = "consumer";
    }
    if driver.is_none() && feature.is_none() && consumer.is_none() {
        return Err(unknown(policy, name));
    }
    Ok(ExplainView {
        profile: policy.name.clone(),
        qemu: policy.qemu_name(),
        name: name.to_string(),
        kind,
        driver,
        feature,
        consumer,
        installed: installed.clone(),
    })
}

fn explain_consumer(
    policy: &Policy,
    arches: &[&ArchPolicy],
    name: &str,
    installed: &Installed,
    sources: &Sources,
) -> Option<ConsumerExplain> {
    let description =
        arches.iter().flat_map(|a| &a.consumers).find(|c| c.name == name).map(|c| c.description.clone())?;
    let per_arch = arches
        .iter()
        .filter(|a| a.consumers.iter().any(|c| c.name == name))
        .map(|arch| {
            let context = Context::new(policy, arch, installed);
            let needs = access::needs(context)
                .into_iter()
                .filter(|n| n.need.consumer == name)
                .map(|n| NeedLine {
                    driver: n.need.driver.clone(),
                    program: n.need.program.to_string(),
                    needs: n.need.access.to_string(),
                    gets: n.verdict.value.to_string(),
                    met: n.met,
                    layer: n.verdict.layer,
                    reason: n.verdict.reason.clone(),
                    message: n.verdict.message.clone(),
                    why: n.need.why.clone(),
                    origin: sources.origin(&n.need.origin),
                })
                .collect();
            let requires = arch
                .consumers
                .iter()
                .filter(|c| c.name == name)
                .flat_map(|c| &c.requires)
                .map(|r| RequirementLine {
                    package: r.package.clone(),
                    why: r.why.clone(),
                    ships: arch.subpackages.iter().find(|s| s.name == r.package).map(|s| policy.module_file(&s.module)),
                    origin: sources.origin(&r.origin),
                })
                .collect();
            (arch.arch.clone(), ConsumerBlock { arches: Vec::new(), needs, requires })
        })
        .collect();
    Some(ConsumerExplain {
        consumer: name.to_string(),
        description,
        blocks: fold(per_arch).into_iter().map(|(arches, block)| ConsumerBlock { arches, ..block }).collect(),
    })
}

fn unknown(policy: &Policy, name: &str) -> Failure {
    let catalogue = Catalogue::get();
    let candidates = catalogue
        .drivers
        .iter()
        .filter(|(_, d)| d.is_registered())
        .map(|(n, _)| n.as_str())
        .chain(catalogue.libguestfs.protocols.keys().map(crate::catalogue::Text::as_str))
        .chain(catalogue.features.keys().map(crate::catalogue::Text::as_str))
        .chain(policy.qemu.custom_features.iter().map(|f| f.name.as_str()))
        .chain(policy.arches.iter().flat_map(|a| a.consumers.iter().map(|c| c.name.as_str())));
    Failure::single(
        Diagnostic::error(
            Code::UnknownName,
            format!(
                "`{name}` is not a qemu block driver, a libguestfs protocol, a build option or a consumer of {}",
                policy.name
            ),
        )
        .with_help(did_you_mean(name, candidates).unwrap_or_else(|| {
            format!("`drvpolicy show {}` lists the drivers and build options of the profile", policy.name)
        })),
    )
}

/// Groups equal per-arch blocks, keeping the first arch's order.
fn fold<T: PartialEq>(items: Vec<(String, T)>) -> Vec<(Vec<String>, T)> {
    let mut groups: Vec<(Vec<String>, T)> = Vec::new();
    for (arch, item) in items {
        match groups.iter_mut().find(|(_, existing)| *existing == item) {
            Some((arches, _)) => arches.push(arch),
            None => groups.push((vec![arch], item)),
        }
    }
    groups
}

fn explain_driver(
    policy: &Policy,
    arches: &[&ArchPolicy],
    driver: &str,
    protocol: Option<&str>,
    installed: &Installed,
    sources: &Sources,
) -> DriverExplain {
    let version = &policy.qemu.version.value;
    let backports = &policy.qemu.backports;
    let entry = Catalogue::get().driver(driver);
    let presence = match entry {
        Some(d) if !d.exists_in(version, backports) => match d.removed() {
            Some(r) if *version >= r => Presence::Removed,
            _ => Presence::AddedLater,
        },
        _ => Presence::Present,
    };
    let libguestfs = protocol.map(|_| LibguestfsOf {
        package: policy.libguestfs.package.as_ref().map_or("libguestfs", |p| p.value.as_str()).to_string(),
        version: policy.libguestfs.version.as_ref().map(|v| v.value.to_string()),
        backend: policy.libguestfs_backend.value.to_string(),
        patch: policy.libguestfs.patch.as_ref().map(|p| p.value.clone()),
    });
    let per_arch = arches
        .iter()
        .map(|arch| (arch.arch.clone(), driver_block(Context::new(policy, arch, installed), driver, sources)))
        .collect();
    let blocks: Vec<DriverBlock> =
        fold(per_arch).into_iter().map(|(arches, block)| DriverBlock { arches, ..block }).collect();
    let modular = arches.iter().any(|a| a.driver(driver).is_some_and(|b| b.module.is_some()));
    DriverExplain {
        driver: driver.to_string(),
        modular,
        kind: entry.map_or("unknown", |d| d.kind.as_str()).to_string(),
        presence,
        added: entry.map(|d| d.added().to_string()),
        removed: entry.and_then(|d| d.removed()).map(|r| r.to_string()),
        built_by: entry.and_then(|d| d.built_by(version)).map(str::to_string),
        protocol: protocol.map(str::to_string),
        libguestfs,
        blocks,
    }
}

fn driver_block(context: Context, driver: &str, sources: &Sources) -> DriverBlock {
    let evaluation = access::evaluate(context, driver);
    let layers = evaluation.steps.iter().map(|s| layer_line(s, sources)).collect();
    let access = PROGRAMS
        .iter()
        .map(|&program| {
            let through = access::route(program, context.policy).iter().skip(1).map(|p| p.to_string()).collect();
            let verdict = evaluation.verdict_or_refusal(program);
            let applies = evaluation.verdict(program).is_some();
            ProgramLine {
                program: program.to_string(),
                access: if applies { verdict.value.to_string() } else { "n/a".to_string() },
                layer: verdict.layer,
                through,
                reason: verdict.reason,
                message: verdict.message.filter(|_| verdict.value != Access::ReadWrite),
                origin: sources.origin(&verdict.origin),
            }
        })
        .collect();
    let consumers = access::needs(context)
        .into_iter()
        .filter(|n| n.need.driver == driver)
        .map(|n| ConsumerLine {
            consumer: n.need.consumer.clone(),
            program: n.need.program.to_string(),
            needs: n.need.access.to_string(),
            gets: n.verdict.value.to_string(),
            met: n.met,
            why: n.need.why.clone(),
            origin: sources.origin(&n.need.origin),
        })
        .collect();
    DriverBlock { arches: Vec::new(), layers, access, consumers }
}

fn layer_line(step: &Step, sources: &Sources) -> LayerLine {
    LayerLine {
        layer: step.layer,
        outcome: step.outcome,
        applies: step.applies.iter().map(|p| p.to_string()).collect(),
        detail: step.detail.clone(),
        message: step.message.clone(),
        origin: sources.origin(&step.origin),
    }
}

fn explain_feature(policy: &Policy, arches: &[&ArchPolicy], name: &str, sources: &Sources) -> Option<FeatureExplain> {
    let catalogue = Catalogue::get();
    let version = &policy.qemu.version.value;
    let backports = &policy.qemu.backports;
    let (summary, declared_at, configure, meson, default, default_origin) =
        if let Some(feature) = catalogue.feature(name) {
            let range = feature.configure.iter().find(|r| r.versions.matches(version));
            let configure = ConfigureSpelling {
                flag: range.map(|_| name.to_string()),
                ignored: range.is_some_and(|r| r.effect == Effect::Obsolete),
                versions: Some(feature.configure_versions().to_string()),
            };
            let meson = MesonSpelling {
                option: feature.meson.as_ref().map(|m| m.option.to_string()),
                in_version: feature.meson.as_ref().is_some_and(|m| m.versions.matches(version)),
                versions: feature.meson.as_ref().map(|m| m.versions.to_string()),
            };
            let default = match range {
                None => FeatureDefault::NotAnOption,
                Some(r) if r.default == crate::catalogue::Default::Disabled => FeatureDefault::Disabled,
                Some(_) => FeatureDefault::Auto,
            };
            let origin = OriginView::Catalogue { fact: format!("qemu {version}") };
            (Some(feature.summary.to_string()), None, configure, meson, default, origin)
        } else if let Some(feature) = policy.custom_feature(name) {
            let configure = ConfigureSpelling { flag: Some(feature.flag.clone()), ignored: false, versions: None };
            let meson =
                MesonSpelling { option: feature.meson.clone(), in_version: feature.meson.is_some(), versions: None };
            let declared_at = Some(sources.origin(&feature.origin));
            (feature.summary.clone(), declared_at, configure, meson, FeatureDefault::Configure, OriginView::Default)
        } else {
            return None;
        };
    let drivers: Vec<String> = catalogue
        .drivers_in(version, backports)
        .filter(|(_, d)| d.built_by(version) == Some(name))
        .map(|(n, _)| n.to_string())
        .collect();
    let per_arch = arches
        .iter()
        .map(|arch| {
            let setting = arch.feature(name);
            let argument =
                setting.filter(|s| matches!(s.state, FeatureState::Enable | FeatureState::Disable)).and_then(|_| {
                    let (arguments, _) = options::arguments(policy, arch, Dialect::Configure);
                    arguments.into_iter().find(|a| a.setting == Setting::Feature(name.to_string())).map(|a| a.text)
                });
            let (built, not_built): (Vec<&String>, Vec<&String>) = drivers.iter().partition(|d| arch.compiled_in(d));
            let block = FeatureBlock {
                arches: Vec::new(),
                state: setting.map(|s| s.state),
                argument,
                origin: setting.map_or_else(|| default_origin.clone(), |s| sources.origin(&s.origin)),
                compiled_in: built.into_iter().cloned().collect(),
                compiled_out: not_built.into_iter().cloned().collect(),
            };
            (arch.arch.clone(), block)
        })
        .collect();
    Some(FeatureExplain {
        feature: name.to_string(),
        summary,
        custom: declared_at.is_some(),
        declared_at,
        configure,
        meson,
        default,
        drivers,
        blocks: fold(per_arch).into_iter().map(|(arches, block)| FeatureBlock { arches, ..block }).collect(),
    })
}
