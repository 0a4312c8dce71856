//! One function per layer: what that layer, taken alone, does to one driver on one arch.
//! A refusal below does not hide the layers above: a whitelisted but compiled-out driver is a
//! packaging mistake worth seeing. `route` says which of these decides for each program.

use super::{Context, Layer, Outcome, Step};
use crate::catalogue::{Catalogue, Driver, DriverKind, Refusal, Writability};
use crate::policy::{DriverBuild, ListName, Valued};
use crate::profile::{LibguestfsBackend, Program};
use crate::source::Origin;

const QEMU: [Program; 2] = [Program::Emulator, Program::Tools];

/// A step. Its detail and origin are built only where the context keeps reasons: `diff`
/// compares only values and layers, and the words were most of its work.
macro_rules! step {
    ($context:expr, $layer:expr, $outcome:expr, $applies:expr, $detail:expr, $origin:expr $(,)?) => {{
        let reasons = $context.reasons;
        Step {
            layer: $layer,
            outcome: $outcome,
            applies: $applies,
            detail: if reasons { ($detail).into() } else { String::new() },
            message: None,
            origin: if reasons { $origin } else { Origin::Default },
        }
    }};
}

impl Step {
    fn with_message(mut self, context: Context, message: impl FnOnce() -> String) -> Step {
        if context.reasons {
            self.message = Some(message());
        }
        self
    }
}

/// The driver an evaluation judges, looked up once: in the arch's build and in the catalogue.
#[derive(Clone, Copy)]
struct Subject<'a> {
    name: &'a str,
    build: Option<&'a DriverBuild>,
    entry: Option<&'static Driver>,
}

impl Subject<'_> {
    fn compiled_in(&self) -> bool {
        self.build.is_some_and(|b| b.compiled_in)
    }

    /// `protocol` or `driver`, as qemu's "Unknown ..." error says.
    fn kind_word(&self) -> &'static str {
        if self.entry.is_some_and(|d| d.kind == DriverKind::Protocol) { "protocol" } else { "driver" }
    }
}

/// Every layer, bottom to top.
pub(super) fn steps(context: Context, driver: &str, protocol: Option<&str>) -> Vec<Step> {
    let subject = Subject { name: driver, build: context.arch.driver(driver), entry: Catalogue::get().driver(driver) };
    let (rw, ro) = whitelists(context, driver);
    vec![
        build(context, subject),
        module(context, subject),
        build_mode(context, subject),
        rw,
        ro,
        whitelist_in_tools(context),
        capability(context, subject),
        libvirt(context, driver),
        libguestfs(context, driver, protocol),
    ]
}

fn catalogue_fact(what: String) -> Origin {
    Origin::Catalogue(crate::source::Fact::Text(what))
}

fn build(context: Context, subject: Subject) -> Step {
    let (driver, version) = (subject.name, &context.policy.qemu.version.value);
    let Some(build) = subject.build else {
        let what = || match subject.entry {
            Some(d) if !d.is_registered() => format!("{driver} is internal to qemu and never registered"),
            Some(d) => d.absent_from(driver, version),
            None => format!("{driver} is not a qemu block driver"),
        };
        return step!(context, Layer::Build, Outcome::Refuse, &QEMU, what(), catalogue_fact(format!("qemu {version}")));
    };
    let outcome = if build.compiled_in { Outcome::Pass } else { Outcome::Refuse };
    step!(context, Layer::Build, outcome, &QEMU, build.reason.describe(version), build.origin.clone())
}

fn module(context: Context, subject: Subject) -> Step {
    let driver = subject.name;
    let Some(build) = subject.build.filter(|b| b.compiled_in) else {
        return step!(context, Layer::Module, Outcome::NoEffect, &[], "not built", Origin::Default);
    };
    let Some(module) = &build.module else {
        let modules = context.arch.feature("modules").filter(|f| f.state == crate::profile::FeatureState::Enable);
        return match modules {
            Some(on) => step!(
                context,
                Layer::Module,
                Outcome::NoEffect,
                &QEMU,
                "not a module: built into the binaries",
                on.origin.clone(),
            ),
            None => step!(
                context,
                Layer::Module,
                Outcome::NoEffect,
                &QEMU,
                "built into the binaries: qemu is built without modules",
                context.arch.feature("modules").map_or(Origin::Default, |f| f.origin.clone()),
            ),
        };
    };
    let file = || context.policy.module_file(&module.value);
    let version = &context.policy.qemu.version.value;
    if let Some(entry) = subject.entry
        && let Err(missing) = entry.module_found(version, &context.policy.qemu.backports)
    {
        return step!(context,
            Layer::Module,
            Outcome::Refuse,
            &QEMU,
            format!(
                "module {}: qemu {version}'s module table misses {driver}, so qemu can neither list nor load it (fixed by {})",
                file(),
                missing.fixed_by
            ),
            catalogue_fact(format!("qemu {version}: block/blkio.c")),
        )
        .with_message(context, || format!("Unknown driver '{driver}'"));
    }
    let Some(subpackage) = context.arch.subpackage(&module.value) else {
        return step!(
            context,
            Layer::Module,
            Outcome::NoEffect,
            &QEMU,
            format!("module {}, in no subpackage the profiles name: installed with qemu", file()),
            module.origin.clone(),
        );
    };
    if !subpackage.shipped {
        let what = subject.kind_word();
        return step!(
            context,
            Layer::Module,
            Outcome::Refuse,
            &QEMU,
            format!("module {} is built, but no package ships it on this arch, so qemu cannot load it", file()),
            subpackage.origin.clone(),
        )
        .with_message(context, || format!("Unknown {what} '{driver}'"));
    }
    let main = context.policy.qemu.main_package.as_ref().map_or("the main package", |p| p.value.as_str());
    let packaged = || {
        let requires = if subpackage.required { "requires" } else { "does not require" };
        format!("module {} in {}, which {main} {requires}", file(), subpackage.name)
    };
    if context.installed.has(&subpackage.name, subpackage.required) {
        let assumed = || match context.installed {
            crate::access::Installed::All => format!("assumed installed ({})", context.installed.describe()),
            _ => "installed".to_string(),
        };
        step!(
            context,
            Layer::Module,
            Outcome::Pass,
            &QEMU,
            format!("{}: {}", packaged(), assumed()),
            subpackage.origin.clone()
        )
    } else {
        let what = subject.kind_word();
        step!(
            context,
            Layer::Module,
            Outcome::Refuse,
            &QEMU,
            format!("{}: not installed, so qemu cannot load it", packaged()),
            subpackage.origin.clone(),
        )
        .with_message(context, || format!("Unknown {what} '{driver}' (install {})", subpackage.name))
    }
}

fn build_mode(context: Context, subject: Subject) -> Step {
    let (driver, version) = (subject.name, &context.policy.qemu.version.value);
    let arch = context.arch;
    let emulator_only = subject.entry.is_some_and(|d| d.is_registered() && !d.in_tools(version));
    let not_in_tools = || format!("qemu {version} builds {driver} into the emulator only");
    match (arch.has_emulator(), emulator_only) {
        (true, false) => step!(
            context,
            Layer::BuildMode,
            Outcome::Pass,
            &[Program::Emulator],
            "full: the emulator and the tools",
            arch.build.origin.clone(),
        ),
        (true, true) => step!(
            context,
            Layer::BuildMode,
            Outcome::Refuse,
            &[Program::Tools],
            format!("full, but {}: the tools do not register it", not_in_tools()),
            catalogue_fact(format!("qemu {version}")),
        ),
        (false, only) => step!(
            context,
            Layer::BuildMode,
            Outcome::Refuse,
            if only { &QEMU } else { &[Program::Emulator] },
            if only {
                format!("tools-only: no emulator, and {}", not_in_tools())
            } else {
                "tools-only: no emulator, only qemu-img, qemu-io and qemu-nbd".to_string()
            },
            arch.build.origin.clone(),
        ),
    }
}

/// The programs that apply the whitelists on this arch.
fn whitelist_users(context: Context) -> &'static [Program] {
    match (context.arch.has_emulator(), context.arch.whitelist_in_tools.value) {
        (true, true) => &QEMU,
        (true, false) => &[Program::Emulator],
        (false, true) => &[Program::Tools],
        (false, false) => &[],
    }
}

/// qemu's whitelist check (block.c `bdrv_format_is_whitelisted`) as two lines: the rw list,
/// then the ro list, the last chance of a driver that is not on the rw list.
fn whitelists(context: Context, driver: &str) -> (Step, Step) {
    let (policy, arch) = (context.policy, context.arch);
    let version = &policy.qemu.version.value;
    let catalogue = Catalogue::get();
    let users = whitelist_users(context);
    if users.is_empty() {
        let none = |layer| {
            step!(
                context,
                layer,
                Outcome::NoEffect,
                &[],
                "no emulator on a tools-only build: nothing applies the list",
                arch.build.origin.clone(),
            )
        };
        return (none(Layer::RwWhitelist), none(Layer::RoWhitelist));
    }
    let absent = |list: &[Valued<String>]| if list.is_empty() { "empty" } else { "not listed" };
    if arch.rw_whitelist.is_empty() && arch.ro_whitelist.is_empty() {
        return (
            step!(
                context,
                Layer::RwWhitelist,
                Outcome::Pass,
                &users,
                "empty, and so is the ro list: nothing is whitelisted away",
                Origin::Default,
            ),
            step!(context, Layer::RoWhitelist, Outcome::NoEffect, &users, "empty", Origin::Default),
        );
    }
    let in_ro = arch.ro_whitelist.iter().find(|d| d.value == driver);
    if let Some(entry) = arch.rw_whitelist.iter().find(|d| d.value == driver) {
        let ro = match in_ro {
            Some(e) => step!(
                context,
                Layer::RoWhitelist,
                Outcome::NoEffect,
                &users,
                "listed too, but the rw list wins",
                e.origin.clone(),
            ),
            None => step!(
                context,
                Layer::RoWhitelist,
                Outcome::NoEffect,
                &users,
                format!("{} (not consulted)", absent(&arch.ro_whitelist)),
                arch.absence(ListName::RoWhitelist, driver),
            ),
        };
        let rw = step!(
            context,
            Layer::RwWhitelist,
            Outcome::Pass,
            &users,
            "listed: read-write and read-only opens",
            entry.origin.clone(),
        );
        return (rw, ro);
    }
    let rw = step!(
        context,
        Layer::RwWhitelist,
        Outcome::NoEffect,
        &users,
        absent(&arch.rw_whitelist),
        arch.absence(ListName::RwWhitelist, driver),
    );
    let ro = match in_ro {
        Some(entry) => {
            let detail = || {
                let mut detail = "in the ro whitelist only: read-only opens (e.g. as a backing file)".to_string();
                if *version >= semver::Version::new(4, 0, 0) {
                    detail.push_str("; a rw open first retries read-only with auto-read-only");
                }
                detail
            };
            step!(context, Layer::RoWhitelist, Outcome::ReadOnly, &users, detail(), entry.origin.clone())
                .with_message(context, || {
                    catalogue.refusal_message(Refusal::ReadOnlyOnly, version, &policy.qemu.backports, driver)
                })
        }
        None => step!(
            context,
            Layer::RoWhitelist,
            Outcome::Refuse,
            &users,
            if arch.ro_whitelist.is_empty() { "empty, and not in the rw list" } else { "in neither whitelist" },
            arch.absence(ListName::RoWhitelist, driver),
        )
        .with_message(context, || {
            catalogue.refusal_message(Refusal::NotWhitelisted, version, &policy.qemu.backports, driver)
        }),
    };
    (rw, ro)
}

fn whitelist_in_tools(context: Context) -> Step {
    let in_tools = &context.arch.whitelist_in_tools;
    if in_tools.value {
        // The lists themselves decide for the tools now.
        step!(
            context,
            Layer::WhitelistInTools,
            Outcome::NoEffect,
            &[Program::Tools],
            "on: the tools apply the whitelists too",
            in_tools.origin.clone(),
        )
    } else {
        step!(
            context,
            Layer::WhitelistInTools,
            Outcome::Pass,
            &[Program::Tools],
            "off: qemu-img, qemu-io and qemu-nbd ignore the whitelists",
            in_tools.origin.clone(),
        )
    }
}

fn capability(context: Context, subject: Subject) -> Step {
    let (driver, version) = (subject.name, &context.policy.qemu.version.value);
    if !subject.compiled_in() {
        return step!(context, Layer::Capability, Outcome::NoEffect, &[], "not built", Origin::Default);
    }
    let fact = || catalogue_fact(format!("qemu {version}: {driver}"));
    match Catalogue::get().writability(driver, version) {
        Writability::Writes => step!(context, Layer::Capability, Outcome::NoEffect, &QEMU, "reads and writes", fact()),
        Writability::WithOption(option) => step!(
            context,
            Layer::Capability,
            Outcome::NoEffect,
            &QEMU,
            format!("reads; writes only with its `{option}` option"),
            fact(),
        ),
        Writability::Until(from) => step!(
            context,
            Layer::Capability,
            Outcome::ReadOnly,
            &QEMU,
            format!("qemu {version}'s {driver} driver only reads (create and write from {from})"),
            fact(),
        ),
        Writability::Never { text, note } => {
            let detail = || match note {
                Some(note) => format!("the {driver} driver can never be opened read-write: {note}"),
                None => format!("the {driver} driver can never be opened read-write"),
            };
            let step = step!(context, Layer::Capability, Outcome::ReadOnly, &QEMU, detail(), fact());
            match text {
                Some(text) => step.with_message(context, || text),
                None => step,
            }
        }
    }
}

fn libvirt(context: Context, driver: &str) -> Step {
    let arch = context.arch;
    let Some(libvirt) = &arch.libvirt else {
        return step!(
            context,
            Layer::Libvirt,
            Outcome::NoEffect,
            &[Program::Libvirt],
            "not described by the profiles: decides nothing",
            Origin::Default,
        );
    };
    let catalogue = Catalogue::get();
    let Some((protocol, _)) = catalogue.libvirt_protocol_of(driver) else {
        return step!(
            context,
            Layer::Libvirt,
            Outcome::NoEffect,
            &[Program::Libvirt],
            format!("not a network disk protocol: libvirt hands {driver} to qemu as it is"),
            catalogue_fact("libvirt network disk protocols".to_string()),
        );
    };
    let pools = || match libvirt.backends_for(driver) {
        backends if backends.is_empty() => String::new(),
        backends => {
            let words: Vec<String> = backends
                .iter()
                .map(|b| format!("{} {}", b.name, if b.enabled { "built" } else { "not built" }))
                .collect();
            format!("; storage pool backend: {}", words.join(", "))
        }
    };
    if let Some(entry) = libvirt.disabled.iter().find(|d| d.value == protocol) {
        return step!(
            context,
            Layer::Libvirt,
            Outcome::Refuse,
            &[Program::Libvirt],
            format!("libvirt disables the {protocol} disk source protocol{}", pools()),
            entry.origin.clone(),
        );
    }
    step!(
        context,
        Layer::Libvirt,
        Outcome::Pass,
        &[Program::Libvirt],
        format!("<disk type='network'> protocol `{protocol}`: libvirt passes it to qemu{}", pools()),
        libvirt.backends_for(driver).first().map_or_else(|| libvirt.origin.clone(), |b| b.origin.clone()),
    )
}

fn libguestfs(context: Context, driver: &str, protocol: Option<&str>) -> Step {
    let policy = context.policy;
    let catalogue = Catalogue::get();
    let Some(protocol) = protocol else {
        return step!(
            context,
            Layer::Libguestfs,
            Outcome::NoEffect,
            &[],
            format!("add_drive has no protocol for {driver}"),
            catalogue_fact("libguestfs add_drive protocols".to_string()),
        );
    };
    let message = || format!("unknown protocol '{protocol}'");
    let version = policy.libguestfs.version.as_ref();
    if let Some(removed) = version.and_then(|v| catalogue.libguestfs_removed(protocol, &v.value)) {
        return step!(
            context,
            Layer::Libguestfs,
            Outcome::Refuse,
            &[Program::Libguestfs],
            format!("removed upstream in libguestfs {removed}: add_drive has no {protocol} protocol"),
            catalogue_fact(format!("libguestfs {removed}")),
        )
        .with_message(context, message);
    }
    if let Some(entry) = context.arch.libguestfs_disabled.iter().find(|d| d.value == protocol) {
        // The patch's subject is long; `explain` and `generate libguestfs` name it once.
        let patch = if policy.libguestfs.patch.is_some() { "the downstream patch" } else { "a downstream patch" };
        return step!(
            context,
            Layer::Libguestfs,
            Outcome::Refuse,
            &[Program::Libguestfs],
            format!("add_drive's {protocol} protocol is removed by {patch}"),
            entry.origin.clone(),
        )
        .with_message(context, message);
    }
    let through = match policy.libguestfs_backend.value {
        LibguestfsBackend::Libvirt => "libvirt and the emulator",
        LibguestfsBackend::Direct => "the emulator",
    };
    step!(
        context,
        Layer::Libguestfs,
        Outcome::Pass,
        &[Program::Libguestfs],
        format!("add_drive's {protocol} protocol is left in: it opens {driver} through {through}"),
        context.arch.absence(ListName::LibguestfsDisabled, protocol),
    )
}
