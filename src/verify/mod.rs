//! `verify`: a built qemu-img's format list against the policy. qemu-img lists the drivers
//! that are compiled in and registered in the tools, so that is what the profile must predict
//! for the arch and qemu version (`Driver::in_tools`).

pub mod help;

use crate::catalogue::{Catalogue, NO_BACKPORTS};
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Failure, Result};
use crate::policy::{ArchPolicy, BuildReason, Policy};
use crate::profile::FeatureState;
use crate::source::{Origin, OriginView, Sources};
use help::{FormatList, Shape};
use semver::Version;
use serde::Serialize;
use std::path::Path;

/// Where the help text came from.
#[derive(Debug, Clone, Serialize)]
pub struct HelpSource {
    /// `qemu-img` (the binary was run) or `help-text` (saved output was read).
    pub kind: &'static str,
    pub path: String,
    /// The exit status of `qemu-img --help`; qemu before 2.1 exits 1 after printing the list.
    pub exit_status: Option<i32>,
}

/// The text to parse and where it came from.
pub struct HelpText {
    pub text: String,
    pub source: HelpSource,
}

/// Runs `PATH --help` and keeps its standard output, whatever the exit status.
pub fn run_qemu_img(path: &Path) -> Result<HelpText> {
    let output = std::process::Command::new(path).arg("--help").output().map_err(|e| {
        Failure::single(
            Diagnostic::error(Code::Io, format!("cannot run `{} --help`: {e}", path.display()))
                .with_help("pass the path of a qemu-img binary, or save its --help output and use --help-text"),
        )
    })?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.stderr.is_empty() {
        // Kept for the error message only; the format list is on stdout.
        text.push_str(&String::from_utf8_lossy(&output.stderr));
    }
    Ok(HelpText {
        text,
        source: HelpSource { kind: "qemu-img", path: path.display().to_string(), exit_status: output.status.code() },
    })
}

/// Reads saved `qemu-img --help` output; `-` is standard input. At most `limit` bytes, from a
/// regular file or the stream; bytes that are not UTF-8 are read as qemu-img's own output is.
pub fn read_help_text(path: &Path, limit: u64) -> Result<HelpText> {
    let bytes = if path == Path::new("-") {
        crate::input::read_limited(std::io::stdin().lock(), limit)
    } else {
        crate::input::read_regular_file(path, limit)
    }
    .map_err(|e| {
        let mut d = Diagnostic::error(Code::Io, format!("cannot read {}: {e}", path.display()));
        if let crate::input::InputError::TooLarge { .. } = e {
            d = d.with_help("qemu-img --help prints a few KiB; --max-help-size raises the limit");
        }
        Failure::single(d)
    })?;
    let text = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(HelpText { text, source: HelpSource { kind: "help-text", path: path.display().to_string(), exit_status: None } })
}

/// Parses the format list, or explains why there is none.
pub fn format_list(help: &HelpText) -> Result<FormatList> {
    help::parse(&help.text).ok_or_else(|| {
        let mut d = Diagnostic::error(
            Code::NoFormatList,
            format!(
                "no \"Supported formats:\" or \"Supported image formats:\" list in the output of {}",
                help.source.path
            ),
        )
        .with_help("pass qemu-img itself, or the complete output of `qemu-img --help`");
        if let Some(status) = help.source.exit_status {
            d = d.with_note(format!("`{} --help` exited with status {status}", help.source.path));
        }
        if let Some(first) = help.text.lines().find(|l| !l.trim().is_empty()) {
            d = d.with_note(format!("its output starts with: {first}"));
        }
        Failure::single(d)
    })
}

/// A driver on one side only, and why the profile expects it or not.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    pub name: String,
    pub why: String,
    /// The profile line (or catalogue fact) behind `why`, if one is.
    pub origin: Option<OriginView>,
    /// What else to know (a module qemu-img lists whether or not it is installed).
    pub note: Option<String>,
}

/// The comparison, for both the template and `--format json`.
#[derive(Debug, Serialize)]
pub struct VerifyView {
    pub profile: String,
    pub arch: String,
    pub qemu: crate::policy::QemuName,
    pub source: HelpSource,
    /// The version qemu-img printed, if any.
    pub binary_version: Option<String>,
    pub version_matches: Option<bool>,
    pub shape: Shape,
    pub sorted: bool,
    pub duplicates: Vec<String>,
    /// What qemu-img lists, sorted.
    pub listed: Vec<String>,
    /// What the profile says qemu-img lists, sorted.
    pub expected: Vec<String>,
    pub missing: Vec<Difference>,
    pub unexpected: Vec<Difference>,
    /// Where the block modules were looked for, when qemu is built with modules.
    pub module_dir: Option<String>,
    /// The modular drivers qemu-img lists, and whether their module file is installed.
    pub modules: Vec<ModuleState>,
    pub notes: Vec<String>,
    pub ok: bool,
}

/// One block module: the drivers it carries, its file, and the subpackage that ships it.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleState {
    pub module: String,
    pub drivers: Vec<String>,
    pub file: String,
    pub subpackage: Option<String>,
    pub installed: bool,
}

/// qemu-img's list is filtered by the rw whitelist from 4.0 when the tools apply the
/// whitelists (whitelist-in-tools, 6.1+). Source: qemu.md section 3.
const FILTERED_LIST: Version = Version::new(4, 0, 0);
/// From 2.8 qemu-img also lists the drivers of its module table. Source: qemu.md section 3.
const MODULE_TABLE: Version = Version::new(2, 8, 0);

fn whitelist_filters(policy: &Policy, arch: &ArchPolicy) -> bool {
    arch.whitelist_in_tools.value
        && policy.qemu.version.value >= FILTERED_LIST
        && !(arch.rw_whitelist.is_empty() && arch.ro_whitelist.is_empty())
}

/// The drivers the profile says `qemu-img --help` lists on `arch`, in catalogue order.
pub fn expected(policy: &Policy, arch: &ArchPolicy) -> Vec<String> {
    let version = &policy.qemu.version.value;
    let backports = &policy.qemu.backports;
    let catalogue = Catalogue::get();
    let filters = whitelist_filters(policy, arch);
    arch.drivers
        .iter()
        .filter(|d| d.compiled_in)
        .filter(|d| catalogue.driver(d.name).is_some_and(|c| c.in_tools(version)))
        // A module its version's table misses is neither listed nor loadable (blkio 7.2-8.0).
        .filter(|d| {
            d.module.is_none() || catalogue.driver(d.name).is_some_and(|c| c.module_found(version, backports).is_ok())
        })
        .filter(|d| !filters || arch.in_rw(d.name))
        .map(|d| d.name.to_string())
        .collect()
}

fn missing(policy: &Policy, arch: &ArchPolicy, name: &str, sources: &Sources) -> Difference {
    let version = &policy.qemu.version.value;
    let (why, origin) = why_built(policy, arch, name);
    let note = Catalogue::get().driver(name).and_then(|d| d.module.as_deref()).and_then(|module| {
        if *version >= MODULE_TABLE {
            Some(format!("qemu-img 2.8+ would list it even without its module {module} installed, so it was not built"))
        } else if arch.feature("modules").is_some_and(|f| f.state == FeatureState::Enable) {
            Some(format!(
                "before 2.8 qemu-img lists a modular driver only when its module is installed: is {module} there?"
            ))
        } else {
            None
        }
    });
    Difference { name: name.to_string(), why, origin: origin.map(|o| sources.origin(o)), note }
}

fn why_built<'a>(policy: &Policy, arch: &'a ArchPolicy, name: &str) -> (String, Option<&'a Origin>) {
    let version = &policy.qemu.version.value;
    match arch.driver(name).map(|d| (&d.reason, &d.origin)) {
        Some((BuildReason::FeatureOn { feature, state: Some(state) }, origin)) => {
            (format!("the profile builds it: `{feature}` is `{state}`"), Some(origin))
        }
        Some((BuildReason::FeatureOn { feature, state: None }, _)) => (
            format!(
                "`{feature}` is not set, so configure builds it if it finds the library; if it did not, set \
                 `{feature} = \"unavailable\"`"
            ),
            None,
        ),
        Some((BuildReason::Backported { commit }, origin)) => {
            (format!("the profile's backport `{commit}` adds it"), Some(origin))
        }
        _ => (format!("qemu {version} always builds it"), None),
    }
}

fn unexpected(policy: &Policy, arch: &ArchPolicy, name: &str, sources: &Sources) -> Difference {
    let (why, origin) = why_unexpected(policy, arch, name);
    Difference { name: name.to_string(), why, origin: origin.map(|o| sources.origin(o)), note: None }
}

fn why_unexpected<'a>(policy: &'a Policy, arch: &'a ArchPolicy, name: &str) -> (String, Option<&'a Origin>) {
    let version = &policy.qemu.version.value;
    let backports = &policy.qemu.backports;
    let catalogue = Catalogue::get();
    let Some(driver) = catalogue.driver(name) else {
        return ("not a qemu block driver the catalogue knows".to_string(), None);
    };
    if !driver.exists_in(version, backports) {
        // A backport removes it if upstream `version` has it and the backport alone takes it away.
        let removed_by = backports
            .iter()
            .find(|b| driver.exists_in(version, NO_BACKPORTS) && !driver.exists_in(version, std::slice::from_ref(*b)));
        return match removed_by {
            Some(b) => (
                format!(
                    "the profile's backport `{}` ({}) removes it",
                    b.value,
                    catalogue.backports.get(b.value.as_str()).map_or("", |p| p.title.as_str()),
                ),
                Some(&b.origin),
            ),
            None => match driver.removed() {
                Some(r) if *version >= r => (format!("qemu {version} has no {name}: it was removed in {r}"), None),
                _ => (format!("qemu {version} has no {name}: it arrives in {}", driver.added()), None),
            },
        };
    }
    if !driver.in_tools(version) {
        return (format!("qemu {version} registers {name} in the emulator only"), None);
    }
    match arch.driver(name) {
        Some(d) if !d.compiled_in => match &d.reason {
            BuildReason::FeatureOff { feature, state: Some(state) } => {
                (format!("the profile compiles it out: `{feature}` is `{state}`"), Some(&d.origin))
            }
            BuildReason::FeatureOff { feature, state: None } => {
                (format!("the profile compiles it out: `{feature}` is off by default in qemu {version}"), None)
            }
            _ => ("the profile compiles it out".to_string(), None),
        },
        _ if whitelist_filters(policy, arch) => (
            "not in the rw whitelist, which the profile applies in the tools too (whitelist-in-tools)".to_string(),
            None,
        ),
        _ => ("the profile does not expect it".to_string(), None),
    }
}

/// The module directory of `arch` with rpm's `%{_libdir}` and `%{name}` expanded
/// (`/usr/lib64/qemu-kvm` on x86_64), if the profile names one.
pub fn default_module_dir(policy: &Policy, arch: &ArchPolicy) -> Option<String> {
    let dir = &policy.qemu.module_dir.as_ref()?.value;
    // rpm's %{_libdir}: lib64 on the 64-bit arches.
    let lib64 = ["x86_64", "aarch64", "ppc64", "ppc64le", "ppc64p7", "s390x", "riscv64"].contains(&arch.arch.as_str());
    let libdir = if lib64 { "/usr/lib64" } else { "/usr/lib" };
    Some(dir.replace("%{_libdir}", libdir).replace("%{name}", &policy.qemu.package.value))
}

/// Which modules of the listed drivers are installed in `dir`.
fn module_states(policy: &Policy, arch: &ArchPolicy, listed: &[String], dir: &Path) -> Vec<ModuleState> {
    let mut states: Vec<ModuleState> = Vec::new();
    for build in arch.drivers.iter().filter(|d| listed.iter().any(|l| l == d.name)) {
        let Some(module) = &build.module else { continue };
        match states.iter_mut().find(|s| s.module == module.value) {
            Some(state) => state.drivers.push(build.name.to_string()),
            None => {
                let file = dir.join(format!("{}.so", module.value));
                states.push(ModuleState {
                    module: module.value.clone(),
                    drivers: vec![build.name.to_string()],
                    installed: file.is_file(),
                    file: file.display().to_string(),
                    subpackage: arch.subpackage(&module.value).filter(|s| s.shipped).map(|s| s.name.clone()),
                });
            }
        }
    }
    let _ = policy;
    states
}

/// Compares qemu-img's list with the profile's drivers on `arch`; with `module_dir`, also
/// which of the listed modular drivers have their module file installed there.
pub fn verify(
    policy: &Policy,
    arch: &ArchPolicy,
    list: &FormatList,
    source: HelpSource,
    module_dir: Option<&Path>,
    sources: &Sources,
) -> VerifyView {
    let version = &policy.qemu.version.value;
    let catalogue = Catalogue::get();
    let mut expected = expected(policy, arch);
    expected.sort();
    let mut listed = list.names.clone();
    listed.sort();
    let missing: Vec<Difference> = expected
        .iter()
        .filter(|e| listed.binary_search(e).is_err())
        .map(|name| missing(policy, arch, name, sources))
        .collect();
    let unexpected: Vec<Difference> = listed
        .iter()
        .filter(|l| expected.binary_search(l).is_err())
        .map(|name| unexpected(policy, arch, name, sources))
        .collect();
    let version_matches = list.version.as_deref().and_then(crate::version::normalise).map(|v| v == *version);

    let mut notes = Vec::new();
    if let Some(status) = source.exit_status.filter(|s| *s != 0) {
        notes.push(format!(
            "`qemu-img --help` exited with status {status}; qemu before 2.1 always does, and the list was read"
        ));
    }
    if !list.duplicates.is_empty() {
        let mut note = format!(
            "the list repeats {}: qemu before 2.1 prints a name once per registered driver",
            list.duplicates.join(", ")
        );
        if policy.qemu.backports.iter().any(|b| b.value == "e855e4fb") {
            note.push_str("; the profile lists the deduplicating backport e855e4fb, which this binary seems to lack");
        }
        notes.push(note);
    }
    if *version >= MODULE_TABLE {
        let modules = arch.feature("modules").map(|f| f.state);
        let mut by_module: Vec<(&str, Vec<&str>)> = Vec::new();
        for name in listed.iter().filter(|n| expected.binary_search(n).is_ok()) {
            if let Some(module) = catalogue.driver(name).and_then(|d| d.module.as_deref()) {
                match by_module.iter_mut().find(|(m, _)| *m == module) {
                    Some((_, names)) => names.push(name),
                    None => by_module.push((module, vec![name])),
                }
            }
        }
        if !by_module.is_empty() && modules != Some(FeatureState::Disable) {
            let list: Vec<String> = by_module.iter().map(|(m, names)| format!("{m} ({})", names.join(", "))).collect();
            let condition = if matches!(modules, Some(FeatureState::Enable)) {
                "this qemu is built with modules:"
            } else {
                "if this qemu is built with modules,"
            };
            notes.push(format!(
                "{condition} qemu-img 2.8+ lists the drivers of its module table even when their module is not \
                 installed, so {} are listed because they were built, which does not prove that their module \
                 package is installed",
                list.join(", ")
            ));
        }
    }
    if whitelist_filters(policy, arch) {
        notes
            .push("the profile applies the whitelists in the tools: qemu-img lists only rw-whitelisted drivers".into());
    }
    let modules = match module_dir {
        Some(dir) => {
            if !dir.is_dir() {
                notes.push(format!(
                    "the module directory {} does not exist: no block module is installed",
                    dir.display()
                ));
            }
            module_states(policy, arch, &listed, dir)
        }
        None => Vec::new(),
    };
    let ok = missing.is_empty() && unexpected.is_empty() && version_matches != Some(false);
    VerifyView {
        profile: policy.name.clone(),
        arch: arch.arch.clone(),
        qemu: policy.qemu_name(),
        source,
        binary_version: list.version.clone(),
        version_matches,
        shape: list.shape,
        sorted: list.sorted,
        duplicates: list.duplicates.clone(),
        listed,
        expected,
        missing,
        unexpected,
        module_dir: module_dir.map(|d| d.display().to_string()),
        modules,
        notes,
        ok,
    }
}
