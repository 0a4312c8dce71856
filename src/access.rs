//! The article's five layers in one place: what access each program gets to a driver on a
//! resolved arch, and the first layer that decides it.

use crate::catalogue::{Catalogue, Refusal};
use crate::policy::{ArchPolicy, ListName, Need, Policy};
use crate::profile::{Access, Program};
use crate::source::Origin;
use serde::Serialize;

/// The layers, bottom to top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    /// Does the driver exist in this qemu version, and is it compiled in?
    Build,
    /// Is there an emulator on this arch at all?
    BuildMode,
    RwWhitelist,
    RoWhitelist,
    /// Both lists together (empty lists, or a driver on neither).
    Whitelists,
    Libvirt,
    Libguestfs,
}

impl Layer {
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Build => "build",
            Layer::BuildMode => "build mode",
            Layer::RwWhitelist => "rw whitelist",
            Layer::RoWhitelist => "ro whitelist",
            Layer::Whitelists => "whitelists",
            Layer::Libvirt => "libvirt",
            Layer::Libguestfs => "libguestfs",
        }
    }
}

/// The access one program gets, the layer that decided it and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub value: Access,
    pub layer: Layer,
    pub reason: String,
    /// What the user sees when the access they asked for is refused (for `ro`: a rw open).
    pub message: Option<String>,
    pub origin: Origin,
}

impl Verdict {
    fn new(value: Access, layer: Layer, reason: impl Into<String>, origin: Origin) -> Self {
        Verdict { value, layer, reason: reason.into(), message: None, origin }
    }

    fn with_message(mut self, message: String) -> Self {
        self.message = Some(message);
        self
    }
}

/// Whether the driver's code is in the binary: `Err` is the refusal.
fn build(policy: &Policy, arch: &ArchPolicy, driver: &str) -> Result<(), Verdict> {
    let version = &policy.qemu.version.value;
    let Some(build) = arch.driver(driver) else {
        let what = match Catalogue::get().driver(driver) {
            Some(d) if !d.is_registered() => format!("{driver} is internal to qemu and never registered"),
            Some(d) => d.absent_from(driver, version),
            None => format!("{driver} is not a qemu block driver"),
        };
        return Err(Verdict::new(Access::None, Layer::Build, what, Origin::Catalogue(format!("qemu {version}"))));
    };
    if !build.compiled_in {
        return Err(Verdict::new(Access::None, Layer::Build, build.reason.describe(version), build.origin.clone()));
    }
    Ok(())
}

/// qemu's whitelist check (block.c `bdrv_format_is_whitelisted`), for a compiled-in driver.
fn whitelists(policy: &Policy, arch: &ArchPolicy, driver: &str) -> Verdict {
    let version = &policy.qemu.version.value;
    let backports = policy.backport_names();
    let catalogue = Catalogue::get();
    if arch.rw_whitelist.is_empty() && arch.ro_whitelist.is_empty() {
        return Verdict::new(
            Access::ReadWrite,
            Layer::Whitelists,
            "both whitelists are empty: everything compiled in is allowed",
            Origin::Default,
        );
    }
    if let Some(entry) = arch.rw_whitelist.iter().find(|d| d.value == driver) {
        return Verdict::new(Access::ReadWrite, Layer::RwWhitelist, "in the rw whitelist", entry.origin.clone());
    }
    if let Some(entry) = arch.ro_whitelist.iter().find(|d| d.value == driver) {
        let mut reason = "in the ro whitelist only: read-only opens (e.g. as a backing file)".to_string();
        if *version >= semver::Version::new(4, 0, 0) {
            reason.push_str("; a rw open first retries read-only with auto-read-only");
        }
        return Verdict::new(Access::ReadOnly, Layer::RoWhitelist, reason, entry.origin.clone())
            .with_message(catalogue.refusal_message(Refusal::ReadOnlyOnly, version, &backports, driver));
    }
    let origin = match arch.absence(ListName::RwWhitelist, driver) {
        Origin::Default => arch.absence(ListName::RoWhitelist, driver),
        origin => origin,
    };
    Verdict::new(Access::None, Layer::Whitelists, "in neither whitelist", origin)
        .with_message(catalogue.refusal_message(Refusal::NotWhitelisted, version, &backports, driver))
}

/// qemu-kvm / qemu-system: compiled in, then the whitelists.
pub fn emulator_access(policy: &Policy, arch: &ArchPolicy, driver: &str) -> Verdict {
    if !arch.has_emulator() {
        return Verdict::new(
            Access::None,
            Layer::BuildMode,
            // No arch name here: explain folds arches whose verdicts read the same.
            "tools-only build: no emulator",
            arch.build.origin.clone(),
        );
    }
    match build(policy, arch, driver) {
        Err(v) => v,
        Ok(()) => read_only_driver(policy, driver, whitelists(policy, arch, driver)),
    }
}

/// qemu-img, qemu-io, qemu-nbd: compiled in is enough, unless whitelist-in-tools is on.
pub fn tools_access(policy: &Policy, arch: &ArchPolicy, driver: &str) -> Verdict {
    if let Err(v) = build(policy, arch, driver) {
        return v;
    }
    if let Some(refusal) = emulator_only(policy, driver) {
        return refusal;
    }
    if arch.whitelist_in_tools.value {
        let mut verdict = whitelists(policy, arch, driver);
        verdict.reason = format!("{} (whitelist-in-tools)", verdict.reason);
        return read_only_driver(policy, driver, verdict);
    }
    let verdict = Verdict::new(
        Access::ReadWrite,
        Layer::Whitelists,
        "the tools ignore the whitelists",
        arch.whitelist_in_tools.origin.clone(),
    );
    read_only_driver(policy, driver, verdict)
}

/// The tools' refusal of a driver the version builds into the emulator only (blkreplay, 5.2+).
fn emulator_only(policy: &Policy, driver: &str) -> Option<Verdict> {
    let version = &policy.qemu.version.value;
    Catalogue::get().driver(driver).filter(|d| d.is_registered() && !d.in_tools(version)).map(|_| {
        Verdict::new(
            Access::None,
            Layer::Build,
            format!("qemu {version} builds {driver} into the emulator only"),
            Origin::Catalogue(format!("qemu {version}")),
        )
    })
}

/// libvirt's refusal of a disk source protocol the profile says it disables.
fn libvirt_refusal(arch: &ArchPolicy, driver: &str) -> Option<Verdict> {
    let entry = arch.libvirt_disabled.as_ref()?.iter().find(|d| d.value == driver)?;
    Some(Verdict::new(
        Access::None,
        Layer::Libvirt,
        format!("libvirt disables the {driver} disk source protocol"),
        entry.origin.clone(),
    ))
}

/// libguestfs's refusal of a protocol its downstream patch removes from `add_drive`.
fn libguestfs_refusal(policy: &Policy, arch: &ArchPolicy, protocol: &str) -> Option<Verdict> {
    let entry = arch.libguestfs_disabled.iter().find(|d| d.value == protocol)?;
    // The patch's subject is long; `explain` and `generate libguestfs` name it once.
    let patch = if policy.libguestfs.patch.is_some() { "the downstream patch" } else { "a downstream patch" };
    Some(
        Verdict::new(
            Access::None,
            Layer::Libguestfs,
            format!("add_drive's {protocol} protocol is removed by {patch}"),
            entry.origin.clone(),
        )
        .with_message(format!("unknown protocol '{protocol}'")),
    )
}

/// A driver that cannot write in this version gives read-only access at most, whatever the
/// whitelists allow (vhdx before 1.7).
fn read_only_driver(policy: &Policy, driver: &str, verdict: Verdict) -> Verdict {
    let version = &policy.qemu.version.value;
    match Catalogue::get().driver(driver).and_then(|d| d.read_only_until(version)) {
        Some(from) if verdict.value == Access::ReadWrite => Verdict::new(
            Access::ReadOnly,
            Layer::Build,
            format!("qemu {version}'s {driver} driver only reads (create and write from {from})"),
            Origin::Catalogue(format!("qemu {version}")),
        ),
        _ => verdict,
    }
}

/// libvirt: decides nothing unless the profiles say what it disables.
pub fn libvirt_access(policy: &Policy, arch: &ArchPolicy, driver: &str) -> Verdict {
    if let Some(refusal) = libvirt_refusal(arch, driver) {
        return refusal;
    }
    let mut emulator = emulator_access(policy, arch, driver);
    if arch.libvirt_disabled.is_none() {
        emulator.reason = format!("libvirt decides nothing, so as the emulator: {}", emulator.reason);
    }
    emulator
}

/// The libguestfs protocol that opens `driver`, if any.
pub fn protocol_of(driver: &str) -> Option<&'static str> {
    Catalogue::get().libguestfs.protocols.iter().find(|(_, d)| *d == driver).map(|(p, _)| p.as_str())
}

/// libguestfs `add_drive` with `protocol`: not patched out, and the emulator can open its driver.
pub fn libguestfs_access(policy: &Policy, arch: &ArchPolicy, protocol: &str) -> Verdict {
    if let Some(refusal) = libguestfs_refusal(policy, arch, protocol) {
        return refusal;
    }
    match Catalogue::get().protocol_driver(protocol) {
        Some(driver) => emulator_access(policy, arch, driver),
        None => Verdict::new(
            Access::None,
            Layer::Libguestfs,
            format!("{protocol} is not an add_drive protocol"),
            Origin::Default,
        ),
    }
}

/// The access `program` gets to `driver`; `None` where the question does not apply: a driver
/// no libguestfs `add_drive` protocol opens (formats and filters reach libguestfs through the
/// emulator).
pub fn program_access(policy: &Policy, arch: &ArchPolicy, program: Program, driver: &str) -> Option<Verdict> {
    Some(match program {
        Program::Emulator => emulator_access(policy, arch, driver),
        Program::Tools => tools_access(policy, arch, driver),
        Program::Libvirt => libvirt_access(policy, arch, driver),
        Program::Libguestfs => libguestfs_access(policy, arch, protocol_of(driver)?),
    })
}

/// `program_access`, where a question that does not apply is a refusal (a need that names it).
fn program_verdict(policy: &Policy, arch: &ArchPolicy, program: Program, driver: &str) -> Verdict {
    program_access(policy, arch, program, driver).unwrap_or_else(|| {
        Verdict::new(
            Access::None,
            Layer::Libguestfs,
            format!("add_drive has no protocol for {driver}"),
            Origin::Default,
        )
    })
}

/// One consumer need and whether the layers meet it.
#[derive(Debug, Clone)]
pub struct NeedVerdict {
    pub need: Need,
    pub met: bool,
    pub verdict: Verdict,
}

pub fn needs(policy: &Policy, arch: &ArchPolicy) -> Vec<NeedVerdict> {
    arch.needs
        .iter()
        .map(|need| {
            let verdict = program_verdict(policy, arch, need.program, &need.driver);
            NeedVerdict { need: need.clone(), met: verdict.value >= need.access, verdict }
        })
        .collect()
}

/// What one layer, taken alone, does to a driver: one line of `explain`'s chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Lets the driver through.
    Pass,
    /// Lets it through for read-only opens only.
    ReadOnly,
    /// Refuses it.
    Refuse,
    /// Takes no part: off, empty, not consulted, or not described.
    NoEffect,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "ok",
            Outcome::ReadOnly => "ro",
            Outcome::Refuse => "refused",
            Outcome::NoEffect => "-",
        }
    }

    fn of(access: Access) -> Outcome {
        match access {
            Access::ReadWrite => Outcome::Pass,
            Access::ReadOnly => Outcome::ReadOnly,
            Access::None => Outcome::Refuse,
        }
    }
}

/// One layer's part for one driver: its outcome, why, what the user sees, and who decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// `build`, `build mode`, `rw whitelist`, `ro whitelist`, `whitelist in tools`, `libvirt`, `libguestfs`.
    pub name: &'static str,
    pub outcome: Outcome,
    pub detail: String,
    pub message: Option<String>,
    pub origin: Origin,
}

fn step(name: &'static str, outcome: Outcome, detail: impl Into<String>, origin: Origin) -> Step {
    Step { name, outcome, detail: detail.into(), message: None, origin }
}

/// A chain step for a layer that refuses, in the words of its verdict.
fn refused(name: &'static str, verdict: Verdict) -> Step {
    Step { name, outcome: Outcome::Refuse, detail: verdict.reason, message: verdict.message, origin: verdict.origin }
}

/// Every layer, bottom to top, each judged on its own (a refusal below does not hide the
/// layers above: a whitelisted but compiled-out driver is a packaging mistake worth seeing).
/// The per-program verdicts above say which of these decides for each program.
pub fn chain(policy: &Policy, arch: &ArchPolicy, driver: &str) -> Vec<Step> {
    let version = &policy.qemu.version.value;
    let mut steps = Vec::new();

    steps.push(match arch.driver(driver).filter(|b| b.compiled_in) {
        Some(b) => {
            let detail = b.reason.describe(version);
            match Catalogue::get().driver(driver).and_then(|d| d.read_only_until(version)) {
                Some(from) => step(
                    "build",
                    Outcome::ReadOnly,
                    format!("{detail}; reads only (create and write from {from})"),
                    b.origin.clone(),
                ),
                None => step("build", Outcome::Pass, detail, b.origin.clone()),
            }
        }
        None => match build(policy, arch, driver) {
            Err(v) => step("build", Outcome::Refuse, v.reason, v.origin),
            Ok(()) => step("build", Outcome::Pass, "compiled in", Origin::Default),
        },
    });

    steps.push(if arch.has_emulator() {
        step("build mode", Outcome::Pass, "full: the emulator and the tools", arch.build.origin.clone())
    } else {
        step(
            "build mode",
            Outcome::Refuse,
            "tools-only: no emulator, only qemu-img, qemu-io and qemu-nbd",
            arch.build.origin.clone(),
        )
    });

    let lists = whitelists(policy, arch, driver);
    let absent = |list: &[crate::policy::Valued<String>]| if list.is_empty() { "empty" } else { "not listed" };
    let not_in_rw = || {
        step("rw whitelist", Outcome::NoEffect, absent(&arch.rw_whitelist), arch.absence(ListName::RwWhitelist, driver))
    };
    let no_emulator = |name| {
        step(
            name,
            Outcome::NoEffect,
            "no emulator on a tools-only build: nothing applies the list",
            arch.build.origin.clone(),
        )
    };
    let (rw, ro) = match (lists.layer, lists.value) {
        _ if !arch.has_emulator() => (no_emulator("rw whitelist"), no_emulator("ro whitelist")),
        (Layer::RwWhitelist, _) => {
            let ro = match arch.ro_whitelist.iter().find(|e| e.value == driver) {
                Some(e) => {
                    step("ro whitelist", Outcome::NoEffect, "listed too, but the rw list wins", e.origin.clone())
                }
                None => step(
                    "ro whitelist",
                    Outcome::NoEffect,
                    format!("{} (not consulted)", absent(&arch.ro_whitelist)),
                    arch.absence(ListName::RoWhitelist, driver),
                ),
            };
            (step("rw whitelist", Outcome::Pass, "listed: read-write and read-only opens", lists.origin), ro)
        }
        (Layer::RoWhitelist, _) => (
            not_in_rw(),
            Step {
                name: "ro whitelist",
                outcome: Outcome::ReadOnly,
                detail: lists.reason,
                message: lists.message,
                origin: lists.origin,
            },
        ),
        (_, Access::ReadWrite) => (
            step(
                "rw whitelist",
                Outcome::Pass,
                "empty, and so is the ro list: nothing is whitelisted away",
                lists.origin,
            ),
            step("ro whitelist", Outcome::NoEffect, "empty", Origin::Default),
        ),
        _ => (
            not_in_rw(),
            Step {
                name: "ro whitelist",
                outcome: Outcome::Refuse,
                detail: if arch.ro_whitelist.is_empty() {
                    "empty: on neither list".to_string()
                } else {
                    "not listed either: on neither list".to_string()
                },
                message: lists.message,
                origin: arch.absence(ListName::RoWhitelist, driver),
            },
        ),
    };
    steps.push(rw);
    steps.push(ro);

    steps.push(if let Some(refusal) = emulator_only(policy, driver) {
        refused("whitelist in tools", refusal)
    } else if arch.whitelist_in_tools.value {
        let lists = whitelists(policy, arch, driver);
        Step {
            name: "whitelist in tools",
            outcome: Outcome::of(lists.value),
            detail: "on: the tools apply the whitelists too".to_string(),
            message: lists.message,
            origin: arch.whitelist_in_tools.origin.clone(),
        }
    } else {
        step(
            "whitelist in tools",
            Outcome::NoEffect,
            "off: qemu-img, qemu-io and qemu-nbd ignore the whitelists",
            arch.whitelist_in_tools.origin.clone(),
        )
    });

    steps.push(match &arch.libvirt_disabled {
        None => step("libvirt", Outcome::NoEffect, "not described by the profiles: decides nothing", Origin::Default),
        Some(_) => match libvirt_refusal(arch, driver) {
            Some(refusal) => refused("libvirt", refusal),
            None => step(
                "libvirt",
                Outcome::Pass,
                format!("does not disable {driver}"),
                arch.absence(ListName::LibvirtDisabled, driver),
            ),
        },
    });

    steps.push(match protocol_of(driver) {
        None => step(
            "libguestfs",
            Outcome::NoEffect,
            format!("add_drive has no protocol for {driver}"),
            Origin::Catalogue("libguestfs add_drive protocols".to_string()),
        ),
        Some(protocol) => match libguestfs_refusal(policy, arch, protocol) {
            Some(refusal) => refused("libguestfs", refusal),
            None => step(
                "libguestfs",
                Outcome::Pass,
                format!("add_drive's {protocol} protocol is left in: it opens {driver} through the emulator"),
                arch.absence(ListName::LibguestfsDisabled, protocol),
            ),
        },
    });
    steps
}
