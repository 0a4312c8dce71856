//! `explain`: one driver, libguestfs protocol or build option through every layer, each
//! verdict with the profile line (or catalogue fact) that decided it.

use crate::access::{self, Context, Installed, Layer, Outcome, Step};
use crate::catalogue::{Catalogue, Effect};
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Failure, Result, did_you_mean};
use crate::options::{self, Dialect, Setting};
use crate::policy::{ArchPolicy, Policy};
use crate::profile::{Access, FeatureState, Program};
use crate::source::Sources;
use serde::Serialize;

/// The programs whose access `explain` reports, bottom of the stack first.
const PROGRAMS: [Program; 4] = [Program::Emulator, Program::Tools, Program::Libvirt, Program::Libguestfs];

#[derive(Debug, Serialize)]
pub struct ExplainView {
    pub profile: String,
    /// `rhel-7.3 (qemu-kvm 1.5.3)`.
    pub title: String,
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
    pub installed: String,
}

#[derive(Debug, Serialize)]
pub struct DriverExplain {
    pub driver: String,
    /// format, protocol, filter or internal.
    pub kind: String,
    /// One line: whether qemu has it in this version and what builds it.
    pub summary: String,
    /// The libguestfs `add_drive` protocol that opens it, if any.
    pub protocol: Option<String>,
    /// `libguestfs 1.32.7, patch "..."` when a protocol opens it.
    pub libguestfs: Option<String>,
    /// Built as a loadable module on some arch: the answer depends on what is installed.
    pub modular: bool,
    /// One block per group of arches whose chain reads the same.
    pub blocks: Vec<DriverBlock>,
    /// The widest layer detail of all blocks, to align the text columns.
    pub detail_width: usize,
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
    /// `file:line:col`, `catalogue: ...` or `default`.
    pub origin: String,
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
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerLine {
    pub consumer: String,
    pub program: String,
    pub needs: String,
    pub gets: String,
    pub met: bool,
    pub why: String,
    pub origin: String,
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
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementLine {
    pub package: String,
    pub why: String,
    /// The block module it ships, when the package is one of the profile's subpackages.
    pub ships: Option<String>,
    pub origin: String,
}

#[derive(Debug, Serialize)]
pub struct FeatureExplain {
    pub feature: String,
    pub summary: String,
    /// Declared by a profile (`[qemu.custom-features]`) rather than known to the catalogue.
    pub custom: bool,
    /// The configure spelling in this qemu version, or why there is none.
    pub configure: String,
    /// The meson spelling in this qemu version, or why there is none.
    pub meson: String,
    /// The drivers it compiles in or out in this qemu version.
    pub drivers: Vec<String>,
    pub blocks: Vec<FeatureBlock>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureBlock {
    pub arches: Vec<String>,
    /// `enable`, `disable`, `auto`, `unavailable`, or `not set: ...`.
    pub state: String,
    /// The configure argument this arch gets, if any.
    pub argument: Option<String>,
    pub origin: String,
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
        title: policy.title(),
        name: name.to_string(),
        kind,
        driver,
        feature,
        consumer,
        installed: installed.describe(),
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
                    origin: sources.describe(&n.need.origin),
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
                    origin: sources.describe(&r.origin),
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
        .chain(catalogue.libguestfs.protocols.keys().map(String::as_str))
        .chain(catalogue.features.keys().map(String::as_str))
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
    let backports = policy.backport_names();
    let entry = Catalogue::get().driver(driver);
    let summary = match entry {
        None => format!("{driver} is not a qemu block driver"),
        Some(d) if !d.is_registered() => format!("{driver} is internal to qemu: never registered, never nameable"),
        Some(d) if !d.exists_in(version, &backports) => d.absent_from(driver, version),
        Some(d) => match d.built_by(version) {
            Some(feature) => format!("a {} driver of qemu {version}, compiled in or out by {feature}", d.kind.as_str()),
            None => format!("a {} driver of qemu {version}, always built", d.kind.as_str()),
        },
    };
    let libguestfs = protocol.map(|_| {
        let package = policy.libguestfs.package.as_ref().map_or("libguestfs", |p| p.value.as_str());
        let mut text = package.to_string();
        if let Some(v) = &policy.libguestfs.version {
            text.push_str(&format!(" {}", v.value));
        }
        text.push_str(&format!(", {} backend", policy.libguestfs_backend.value));
        if let Some(p) = &policy.libguestfs.patch {
            text.push_str(&format!(", patch \"{}\"", p.value));
        }
        text
    });
    let per_arch = arches
        .iter()
        .map(|arch| (arch.arch.clone(), driver_block(Context::new(policy, arch, installed), driver, sources)))
        .collect();
    let blocks: Vec<DriverBlock> =
        fold(per_arch).into_iter().map(|(arches, block)| DriverBlock { arches, ..block }).collect();
    let detail_width =
        blocks.iter().flat_map(|b| &b.layers).map(|l| l.detail.chars().count()).max().unwrap_or_default();
    let modular = arches.iter().any(|a| a.driver(driver).is_some_and(|b| b.module.is_some()));
    DriverExplain {
        driver: driver.to_string(),
        modular,
        kind: entry.map_or("unknown", |d| d.kind.as_str()).to_string(),
        summary,
        protocol: protocol.map(str::to_string),
        libguestfs,
        blocks,
        detail_width,
    }
}

fn driver_block(context: Context, driver: &str, sources: &Sources) -> DriverBlock {
    let evaluation = access::evaluate(context, driver);
    let layers = evaluation.steps.iter().map(|s| layer_line(s, sources)).collect();
    let access = PROGRAMS
        .iter()
        .map(|&program| {
            let through = access::route(program, context.policy).into_iter().skip(1).map(|p| p.to_string()).collect();
            let verdict = evaluation.verdict_or_refusal(program);
            let applies = evaluation.verdict(program).is_some();
            ProgramLine {
                program: program.to_string(),
                access: if applies { verdict.value.to_string() } else { "n/a".to_string() },
                layer: verdict.layer,
                through,
                reason: verdict.reason,
                message: verdict.message.filter(|_| verdict.value != Access::ReadWrite),
                origin: sources.describe(&verdict.origin),
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
            origin: sources.describe(&n.need.origin),
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
        origin: sources.describe(&step.origin),
    }
}

fn explain_feature(policy: &Policy, arches: &[&ArchPolicy], name: &str, sources: &Sources) -> Option<FeatureExplain> {
    let catalogue = Catalogue::get();
    let version = &policy.qemu.version.value;
    let backports = policy.backport_names();
    let (summary, custom, configure, meson, default_state, default_origin) = if let Some(feature) =
        catalogue.feature(name)
    {
        let range = feature.configure.iter().find(|r| r.versions.matches(version));
        let accepted = || feature.configure_versions();
        let configure = match range {
            Some(r) if r.effect == Effect::Obsolete => {
                format!("--enable-{name} / --disable-{name}: accepted but ignored by qemu {version}")
            }
            Some(_) => format!("--enable-{name} / --disable-{name}"),
            None => format!("none in qemu {version} (configure accepts --enable-{name} in qemu {})", accepted()),
        };
        let meson = match &feature.meson {
            Some(m) if m.versions.matches(version) => format!("-D{}=enabled / -D{}=disabled", m.option, m.option),
            Some(m) => format!("none in qemu {version} (meson option `{}` exists in qemu {})", m.option, m.versions),
            None => "none".to_string(),
        };
        let default_state = match range {
            None => format!("not an option of qemu {version}"),
            Some(r) if r.default == crate::catalogue::Default::Disabled => "not set: off unless enabled".to_string(),
            Some(_) => "not set: built when its library is found".to_string(),
        };
        (feature.summary.clone(), false, configure, meson, default_state, format!("catalogue: qemu {version}"))
    } else if let Some(feature) = policy.custom_feature(name) {
        let meson = feature
            .meson
            .as_ref()
            .map_or_else(|| "none declared".to_string(), |m| format!("-D{m}=enabled / -D{m}=disabled"));
        let summary = feature.summary.clone().unwrap_or_else(|| "declared by a profile".to_string());
        let summary = format!("{summary} (custom, declared at {})", sources.describe(&feature.origin));
        let configure = format!("--enable-{} / --disable-{}", feature.flag, feature.flag);
        (summary, true, configure, meson, "not set: configure's default".to_string(), "default".to_string())
    } else {
        return None;
    };
    let drivers: Vec<String> = catalogue
        .drivers_in(version, &backports)
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
                state: setting.map_or_else(|| default_state.clone(), |s| s.state.to_string()),
                argument,
                origin: setting.map_or_else(|| default_origin.clone(), |s| sources.describe(&s.origin)),
                compiled_in: built.into_iter().cloned().collect(),
                compiled_out: not_built.into_iter().cloned().collect(),
            };
            (arch.arch.clone(), block)
        })
        .collect();
    Some(FeatureExplain {
        feature: name.to_string(),
        summary,
        custom,
        configure,
        meson,
        drivers,
        blocks: fold(per_arch).into_iter().map(|(arches, block)| FeatureBlock { arches, ..block }).collect(),
    })
}
