//! The layers a disk open passes, as one model. For one driver on one resolved arch,
//! `evaluate` judges every layer once (a `Step` each, bottom of the stack first) and derives
//! each program's access from the steps on that program's route (`route`). explain, matrix,
//! diff, check, `can` and the templates all read this one value.

mod layers;
mod route;

pub use route::{goes_through, route};

use crate::catalogue::Catalogue;
use crate::code::Code;
use crate::policy::{ArchPolicy, Need, Policy};
use crate::profile::{Access, Program};
use crate::source::Origin;
use serde::Serialize;
use std::collections::BTreeSet;

/// The layers, bottom of the stack to top, in the order qemu and the programs above it
/// apply them to an open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    /// Does the driver exist in this qemu version, and is its code compiled in?
    Build,
    /// A driver built as a loadable module works only where its subpackage is installed.
    Module,
    /// Which binaries the arch builds (emulator and tools, or the tools only), and which of
    /// them register the driver.
    BuildMode,
    RwWhitelist,
    RoWhitelist,
    /// Whether qemu-img, qemu-io and qemu-nbd apply the whitelists too (qemu 6.1+).
    WhitelistInTools,
    /// Whether the driver can write at all in this qemu version (the curl family never can).
    Capability,
    Libvirt,
    Libguestfs,
}

impl Layer {
    pub const ALL: [Layer; 9] = [
        Layer::Build,
        Layer::Module,
        Layer::BuildMode,
        Layer::RwWhitelist,
        Layer::RoWhitelist,
        Layer::WhitelistInTools,
        Layer::Capability,
        Layer::Libvirt,
        Layer::Libguestfs,
    ];

    /// The name people read: `rw whitelist`.
    pub fn label(self) -> &'static str {
        match self {
            Layer::Build => "build",
            Layer::Module => "module",
            Layer::BuildMode => "build mode",
            Layer::RwWhitelist => "rw whitelist",
            Layer::RoWhitelist => "ro whitelist",
            Layer::WhitelistInTools => "whitelist in tools",
            Layer::Capability => "capability",
            Layer::Libvirt => "libvirt",
            Layer::Libguestfs => "libguestfs",
        }
    }

    /// The name in JSON and templates: `rw-whitelist`.
    pub fn id(self) -> &'static str {
        match self {
            Layer::Build => "build",
            Layer::Module => "module",
            Layer::BuildMode => "build-mode",
            Layer::RwWhitelist => "rw-whitelist",
            Layer::RoWhitelist => "ro-whitelist",
            Layer::WhitelistInTools => "whitelist-in-tools",
            Layer::Capability => "capability",
            Layer::Libvirt => "libvirt",
            Layer::Libguestfs => "libguestfs",
        }
    }

    pub fn from_id(id: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.id() == id)
    }
}

/// What one layer, taken alone, does to a driver.
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

    /// The most access a program can get through a step with this outcome.
    fn cap(self) -> Access {
        match self {
            Outcome::Pass | Outcome::NoEffect => Access::ReadWrite,
            Outcome::ReadOnly => Access::ReadOnly,
            Outcome::Refuse => Access::None,
        }
    }
}

/// One layer's judgement of one driver: its outcome, the programs whose route goes through
/// it, why, what the user sees when it refuses, and who decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub layer: Layer,
    pub outcome: Outcome,
    /// The programs this step constrains directly (programs above them reach it through
    /// `goes_through`). Empty when the layer takes no part for anyone.
    pub applies: &'static [Program],
    pub detail: String,
    pub message: Option<String>,
    pub origin: Origin,
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

/// One program's access to the driver; `None` where the program cannot even ask for it (no
/// libguestfs `add_drive` protocol opens a format or a filter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramAccess {
    pub program: Program,
    pub verdict: Option<Verdict>,
}

/// Every layer's step for one driver on one arch, and each program's access derived from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverAccess {
    pub driver: String,
    /// The libguestfs `add_drive` protocol that opens the driver, if any.
    pub protocol: Option<String>,
    pub steps: Vec<Step>,
    pub programs: Vec<ProgramAccess>,
}

impl DriverAccess {
    pub fn verdict(&self, program: Program) -> Option<&Verdict> {
        self.programs.iter().find(|p| p.program == program).and_then(|p| p.verdict.as_ref())
    }

    pub fn step(&self, layer: Layer) -> Option<&Step> {
        self.steps.iter().find(|s| s.layer == layer)
    }

    /// The verdict, where a question that does not apply (libguestfs of a format) is a
    /// refusal in the words of the step that says so: what a need of it gets.
    pub fn verdict_or_refusal(&self, program: Program) -> Verdict {
        if let Some(verdict) = self.verdict(program) {
            return verdict.clone();
        }
        let step = self.step(Layer::Libguestfs).expect("every evaluation has a libguestfs step");
        Verdict {
            value: Access::None,
            layer: step.layer,
            reason: step.detail.clone(),
            message: None,
            origin: step.origin.clone(),
        }
    }
}

/// Which block subpackages the answer assumes installed. In JSON `{"kind": "all"}` or
/// `{"kind": "packages", "defaults", "names"}`; in words the templates' `installed` filter.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Installed {
    /// Every subpackage of the release: what the release can do.
    #[default]
    All,
    /// These subpackages, and with `defaults` also the main package and what it requires.
    Packages { defaults: bool, names: BTreeSet<String> },
}

impl Installed {
    /// A default install: the main package (`qemu-kvm`) and the subpackages it requires.
    pub fn defaults() -> Installed {
        Installed::Packages { defaults: true, names: BTreeSet::new() }
    }

    /// This assumption with `more` installed too.
    pub fn with(&self, more: impl IntoIterator<Item = String>) -> Installed {
        match self {
            Installed::All => Installed::All,
            Installed::Packages { defaults, names } => {
                Installed::Packages { defaults: *defaults, names: names.iter().cloned().chain(more).collect() }
            }
        }
    }

    /// Whether `subpackage` is installed, for a module the main package requires or not.
    pub fn has(&self, subpackage: &str, required: bool) -> bool {
        match self {
            Installed::All => true,
            Installed::Packages { defaults, names } => (*defaults && required) || names.contains(subpackage),
        }
    }

    /// The names given, for checking them against a profile's subpackages.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let names = match self {
            Installed::All => None,
            Installed::Packages { names, .. } => Some(names),
        };
        names.into_iter().flatten().map(String::as_str)
    }

    /// The assumption in words, for the views.
    pub fn describe(&self) -> String {
        match self {
            Installed::All => "every block subpackage installed".to_string(),
            Installed::Packages { defaults: true, names } if names.is_empty() => {
                "a default install: the main package and the subpackages it requires".to_string()
            }
            Installed::Packages { defaults: true, names } => {
                format!("a default install and {}", names.iter().map(String::as_str).collect::<Vec<_>>().join(", "))
            }
            Installed::Packages { defaults: false, names } if names.is_empty() => {
                "no block subpackage installed".to_string()
            }
            Installed::Packages { defaults: false, names } => {
                format!("installed: {}", names.iter().map(String::as_str).collect::<Vec<_>>().join(", "))
            }
        }
    }
}

/// An error for each name of `installed` that is not a subpackage of `policy`.
pub fn check_installed(policy: &Policy, installed: &Installed) -> crate::diagnostic::Result<()> {
    let known: Vec<&str> = policy.arches.iter().flat_map(|a| a.subpackages.iter().map(|s| s.name.as_str())).collect();
    let diagnostics: Vec<crate::diagnostic::Diagnostic> = installed
        .names()
        .filter(|n| !known.contains(n))
        .map(|name| {
            let help = crate::diagnostic::did_you_mean(name, known.iter().copied()).unwrap_or_else(|| {
                if known.is_empty() {
                    format!("{} names no block subpackages", policy.name)
                } else {
                    format!("the subpackages of {}: {}", policy.name, known.join(", "))
                }
            });
            crate::diagnostic::Diagnostic::error(
                Code::UnknownSubpackage,
                format!("`{name}` is not a block subpackage of {}", policy.name),
            )
            .with_help(help)
        })
        .collect();
    if diagnostics.is_empty() { Ok(()) } else { Err(crate::diagnostic::Failure { diagnostics }) }
}

/// Where the question is asked: a resolved profile, one of its arches, and what is installed.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub policy: &'a Policy,
    pub arch: &'a ArchPolicy,
    pub installed: &'a Installed,
    /// Whether steps and verdicts carry their detail, message and origin.
    reasons: bool,
}

impl<'a> Context<'a> {
    pub fn new(policy: &'a Policy, arch: &'a ArchPolicy, installed: &'a Installed) -> Self {
        Context { policy, arch, installed, reasons: true }
    }

    /// The same question, answered with outcomes, programs, values and layers only: every
    /// detail, message and origin is empty (`Origin::Default`).
    pub fn without_reasons(self) -> Self {
        Context { reasons: false, ..self }
    }
}

/// Judges every layer for `driver` and derives each program's access.
pub fn evaluate(context: Context, driver: &str) -> DriverAccess {
    let protocol = protocol_of(driver);
    let steps = layers::steps(context, driver, protocol);
    let programs = Program::ALL
        .iter()
        .map(|&program| ProgramAccess {
            program,
            verdict: route::derive(&steps, &route(program, context.policy), program, protocol.is_some()),
        })
        .collect();
    DriverAccess { driver: driver.to_string(), protocol: protocol.map(str::to_string), steps, programs }
}

/// The access `program` gets to `driver`, with every subpackage installed; `None` where the
/// question does not apply.
pub fn program_access(policy: &Policy, arch: &ArchPolicy, program: Program, driver: &str) -> Option<Verdict> {
    let installed = Installed::All;
    evaluate(Context::new(policy, arch, &installed), driver).verdict(program).cloned()
}

/// The libguestfs protocol that opens `driver`, if any.
pub fn protocol_of(driver: &str) -> Option<&'static str> {
    Catalogue::get().libguestfs.protocols.iter().find(|(_, p)| p.driver == driver).map(|(name, _)| name.as_str())
}

/// One consumer need and whether the layers meet it.
#[derive(Debug, Clone)]
pub struct NeedVerdict {
    pub need: Need,
    pub met: bool,
    pub verdict: Verdict,
}

pub fn needs(context: Context) -> Vec<NeedVerdict> {
    context
        .arch
        .needs
        .iter()
        .map(|need| {
            let verdict = evaluate(context, &need.driver).verdict_or_refusal(need.program);
            NeedVerdict { need: need.clone(), met: verdict.value >= need.access, verdict }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without reasons, every step and verdict is the same but for its words: for every driver
    /// of the catalogue (and one that is none) on every arch of the shipped profiles and the
    /// check fixtures, with everything, a default install and nothing installed.
    #[test]
    fn without_reasons_only_the_words_differ() {
        let mut drivers: Vec<&str> = Catalogue::get().drivers.keys().map(crate::catalogue::Text::as_str).collect();
        drivers.push("nosuch");
        let installs =
            [Installed::All, Installed::defaults(), Installed::Packages { defaults: false, names: BTreeSet::new() }];
        let (mut compared, mut worded) = (0, 0);
        for (name, policy) in crate::resolve::check_fixture_policies() {
            for arch in &policy.arches {
                for installed in &installs {
                    for driver in &drivers {
                        let context = Context::new(&policy, arch, installed);
                        let full = evaluate(context, driver);
                        let bare = evaluate(context.without_reasons(), driver);
                        let at = format!("{name} {} {driver} {installed:?}", arch.arch);
                        assert_eq!((&bare.driver, &bare.protocol), (&full.driver, &full.protocol), "{at}");
                        assert_eq!(bare.steps.len(), full.steps.len(), "{at}");
                        for (b, f) in bare.steps.iter().zip(&full.steps) {
                            assert_eq!((b.layer, b.outcome, &b.applies), (f.layer, f.outcome, &f.applies), "{at}");
                            assert_eq!((b.detail.as_str(), &b.message, &b.origin), ("", &None, &Origin::Default));
                            worded += usize::from(!f.detail.is_empty());
                        }
                        for (b, f) in bare.programs.iter().zip(&full.programs) {
                            assert_eq!(b.program, f.program, "{at}");
                            let key = |v: &Option<Verdict>| v.as_ref().map(|v| (v.value, v.layer));
                            assert_eq!(key(&b.verdict), key(&f.verdict), "{at} {}", b.program);
                        }
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 10_000 && worded > 50_000, "{compared} {worded}");
    }
}
