//! The article's five layers in one place: what access each program gets to a driver on a
//! resolved arch, and the first layer that decides it.

use crate::catalogue::{Catalogue, Refusal};
use crate::policy::{ArchPolicy, Need, Policy};
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
            Some(d) => match d.removed() {
                Some(r) if *version >= r => format!("qemu {version} has no {driver} driver (removed in {r})"),
                _ => format!("qemu {version} has no {driver} driver (added in {})", d.added()),
            },
            None => format!("{driver} is not a qemu block driver"),
        };
        return Err(Verdict::new(Access::None, Layer::Build, what, Origin::Catalogue(format!("qemu {version}"))));
    };
    if !build.compiled_in {
        let why = match &build.reason {
            crate::policy::BuildReason::FeatureOff { feature, state: Some(s) } => {
                format!("compiled out: {feature} is {s}")
            }
            crate::policy::BuildReason::FeatureOff { feature, state: None } => {
                format!("compiled out: {feature} is off by default")
            }
            _ => "compiled out".to_string(),
        };
        return Err(Verdict::new(Access::None, Layer::Build, why, build.origin.clone()));
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
    let origin =
        arch.rw_whitelist.first().or(arch.ro_whitelist.first()).map(|e| e.origin.clone()).unwrap_or(Origin::Default);
    Verdict::new(Access::None, Layer::Whitelists, "in neither whitelist", origin)
        .with_message(catalogue.refusal_message(Refusal::NotWhitelisted, version, &backports, driver))
}

/// qemu-kvm / qemu-system: compiled in, then the whitelists.
pub fn emulator_access(policy: &Policy, arch: &ArchPolicy, driver: &str) -> Verdict {
    if !arch.has_emulator() {
        return Verdict::new(
            Access::None,
            Layer::BuildMode,
            format!("tools-only build: no emulator on {}", arch.arch),
            arch.build.origin.clone(),
        );
    }
    match build(policy, arch, driver) {
        Err(v) => v,
        Ok(()) => whitelists(policy, arch, driver),
    }
}

/// qemu-img, qemu-io, qemu-nbd: compiled in is enough, unless whitelist-in-tools is on.
pub fn tools_access(policy: &Policy, arch: &ArchPolicy, driver: &str) -> Verdict {
    if let Err(v) = build(policy, arch, driver) {
        return v;
    }
    let version = &policy.qemu.version.value;
    if Catalogue::get().driver(driver).is_some_and(|d| !d.in_tools(version)) {
        return Verdict::new(
            Access::None,
            Layer::Build,
            format!("qemu {version} builds {driver} into the emulator only"),
            Origin::Catalogue(format!("qemu {version}")),
        );
    }
    if arch.whitelist_in_tools.value {
        let mut verdict = whitelists(policy, arch, driver);
        verdict.reason = format!("{} (whitelist-in-tools)", verdict.reason);
        return verdict;
    }
    Verdict::new(
        Access::ReadWrite,
        Layer::Whitelists,
        "the tools ignore the whitelists",
        arch.whitelist_in_tools.origin.clone(),
    )
}

/// libvirt: decides nothing unless the profiles say what it disables.
pub fn libvirt_access(policy: &Policy, arch: &ArchPolicy, driver: &str) -> Verdict {
    let emulator = emulator_access(policy, arch, driver);
    match &arch.libvirt_disabled {
        Some(disabled) => match disabled.iter().find(|d| d.value == driver) {
            Some(entry) => Verdict::new(
                Access::None,
                Layer::Libvirt,
                format!("libvirt disables the {driver} disk source protocol"),
                entry.origin.clone(),
            ),
            None => emulator,
        },
        None => emulator,
    }
}

/// The libguestfs protocol that opens `driver`, if any.
pub fn protocol_of(driver: &str) -> Option<&'static str> {
    Catalogue::get().libguestfs.protocols.iter().find(|(_, d)| *d == driver).map(|(p, _)| p.as_str())
}

/// libguestfs `add_drive` with `protocol`: not patched out, and the emulator can open its driver.
pub fn libguestfs_access(policy: &Policy, arch: &ArchPolicy, protocol: &str) -> Verdict {
    if let Some(entry) = arch.libguestfs_disabled.iter().find(|d| d.value == protocol) {
        let patch =
            policy.libguestfs.patch.as_ref().map_or("a downstream patch".to_string(), |p| format!("\"{}\"", p.value));
        return Verdict::new(
            Access::None,
            Layer::Libguestfs,
            format!("add_drive's {protocol} protocol is removed by {patch}"),
            entry.origin.clone(),
        )
        .with_message(format!("unknown protocol '{protocol}'"));
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

/// The access `program` gets to `driver`.
pub fn program_access(policy: &Policy, arch: &ArchPolicy, program: Program, driver: &str) -> Verdict {
    match program {
        Program::Emulator => emulator_access(policy, arch, driver),
        Program::Tools => tools_access(policy, arch, driver),
        Program::Libvirt => libvirt_access(policy, arch, driver),
        Program::Libguestfs => match protocol_of(driver) {
            Some(protocol) => libguestfs_access(policy, arch, protocol),
            None => Verdict::new(
                Access::None,
                Layer::Libguestfs,
                format!("add_drive has no protocol for {driver}"),
                Origin::Default,
            ),
        },
    }
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
            let verdict = program_access(policy, arch, need.program, &need.driver);
            NeedVerdict { need: need.clone(), met: verdict.value >= need.access, verdict }
        })
        .collect()
}
