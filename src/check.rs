//! `check`: every problem of a profile as a diagnostic. What loading and resolving find
//! (unknown names, options the qemu version rejects, whitelist names that do nothing, ...)
//! plus the checks that need the whole stack of layers from `access`: consumer needs that
//! no longer hold, and libguestfs protocols whose qemu driver the emulator cannot open.

use crate::access::{self, Context, Installed, Layer, NeedVerdict, Verdict};
use crate::catalogue::Catalogue;
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::{ArchPolicy, BuildReason, Policy};
use crate::profile::{Access, Program};
use crate::resolve::{self, DriverTables};
use crate::source::{Origin, Sources, Span};
use crate::store::Store;
use indexmap::IndexMap;
use serde::Serialize;

/// One profile and every problem found in it, errors first, then in file order.
#[derive(Debug)]
pub struct Checked {
    pub profile: String,
    /// The profile loaded and resolved into a policy. One that did not is an error of the run
    /// (exit 2), as in every other command; the problems of one that did are findings.
    pub loaded: bool,
    pub diagnostics: Vec<Diagnostic>,
    /// What each consumer requires beyond qemu's drivers (nbdkit plugins): shown, not checked.
    pub requirements: Vec<Requirements>,
}

/// One consumer's requirements of packages outside the model, over every arch it runs on.
#[derive(Debug, Clone, Serialize)]
pub struct Requirements {
    pub consumer: String,
    pub packages: Vec<String>,
}

fn requirements(policy: &Policy) -> Vec<Requirements> {
    let mut out: Vec<Requirements> = Vec::new();
    for consumer in policy.arches.iter().flat_map(|a| &a.consumers) {
        let entry = match out.iter_mut().position(|r| r.consumer == consumer.name) {
            Some(i) => &mut out[i],
            None => {
                out.push(Requirements { consumer: consumer.name.clone(), packages: Vec::new() });
                out.last_mut().expect("just pushed")
            }
        };
        for r in &consumer.requires {
            if !entry.packages.contains(&r.package) {
                entry.packages.push(r.package.clone());
            }
        }
    }
    out.retain(|r| !r.packages.is_empty());
    out
}

/// How a check run ends: nothing to report, problems in the profiles, or a problem of the
/// run itself (a profile file that cannot be read, or that does not load).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Findings,
    Error,
}

/// Loads, resolves and checks `name`, collecting every problem instead of stopping at the first.
pub fn check(store: &mut Store, name: &str) -> Checked {
    let attempt = resolve::attempt(store, name);
    let mut checked = examine(name, attempt);
    in_order(&mut checked.diagnostics, &store.sources);
    checked
}

/// `check` of each of `names` (distinct), in order: the states, each profile's policy and its
/// checks on every core (`Store::map_states`).
pub fn check_all(store: &mut Store, names: &[String]) -> Vec<Checked> {
    let checked = store.map_states(names, DriverTables::default, |tables, partial| {
        examine(partial.name(), Ok(partial.attempt(tables)))
    });
    let sources = &store.sources;
    names
        .iter()
        .zip(checked)
        .map(|(name, c)| {
            let mut c = c.unwrap_or_else(|failure| examine(name, Err(failure)));
            in_order(&mut c.diagnostics, sources);
            c
        })
        .collect()
}

/// The findings of one profile's attempt, in the order they were found.
fn examine(name: &str, attempt: crate::diagnostic::Result<resolve::Attempt>) -> Checked {
    let mut requirements_found = Vec::new();
    let (loaded, diagnostics) = match attempt {
        Err(failure) => (false, failure.diagnostics),
        Ok(attempt) => {
            let mut diagnostics = attempt.diagnostics;
            if let Some(policy) = &attempt.policy {
                diagnostics.extend(layer_checks(policy));
                requirements_found = requirements(policy);
            }
            (attempt.policy.is_some(), diagnostics)
        }
    };
    Checked { profile: name.to_string(), loaded, diagnostics, requirements: requirements_found }
}

/// Errors first, then by position; diagnostics without a position last (the sort is stable).
fn in_order(diagnostics: &mut [Diagnostic], sources: &Sources) {
    diagnostics.sort_by_cached_key(|d| {
        let position = d.primary_span().map(|s| (sources.name(s.file).to_string(), s.range.start));
        (std::cmp::Reverse(d.severity), position.is_none(), position)
    });
}

/// The checks on a resolved policy that go through the layers of `access`.
fn layer_checks(policy: &Policy) -> Vec<Diagnostic> {
    let mut diagnostics = unmet_needs(policy);
    diagnostics.extend(unusable_protocols(policy));
    diagnostics
}

/// The status of a run over `checked` profiles.
pub fn status(checked: &[Checked], deny_warnings: bool) -> Status {
    let all = || checked.iter().flat_map(|c| &c.diagnostics);
    if checked.iter().any(|c| !c.loaded) {
        Status::Error
    } else if all().any(|d| d.is_error() || deny_warnings) {
        Status::Findings
    } else {
        Status::Ok
    }
}

fn join_arches(arches: &[&str]) -> String {
    arches.join(", ")
}

fn access_words(access: Access) -> &'static str {
    match access {
        Access::None => "no",
        Access::ReadOnly => "read-only",
        Access::ReadWrite => "read-write",
    }
}

fn program_words(program: Program) -> &'static str {
    match program {
        Program::Emulator => "the emulator",
        Program::Tools => "the tools (qemu-img, qemu-io, qemu-nbd)",
        Program::Libvirt => "libvirt",
        Program::Libguestfs => "libguestfs add_drive",
    }
}

fn profile_span(origin: &Origin) -> Option<&Span> {
    match origin {
        Origin::Profile(span) => Some(span),
        _ => None,
    }
}

/// The build option that compiles `driver` out on `arch`, if that is why it is missing.
fn compiled_out_by<'a>(arch: &'a ArchPolicy, driver: &str) -> Option<&'a str> {
    match arch.driver(driver).map(|b| &b.reason) {
        Some(BuildReason::FeatureOff { feature, .. }) => Some(feature),
        _ => None,
    }
}

/// Consumer needs that the layers no longer meet: errors, one per need and refusal, naming
/// every arch it concerns and the layer that refuses.
fn unmet_needs(policy: &Policy) -> Vec<Diagnostic> {
    type Key = (Origin, Layer, String, Origin);
    let mut groups: IndexMap<Key, (NeedVerdict, Vec<&str>)> = IndexMap::new();
    for arch in &policy.arches {
        for verdict in consumer_needs(policy, arch).into_iter().filter(|v| !v.met) {
            let key = (
                verdict.need.origin.clone(),
                verdict.verdict.layer,
                verdict.verdict.reason.clone(),
                verdict.verdict.origin.clone(),
            );
            groups.entry(key).or_insert_with(|| (verdict, Vec::new())).1.push(&arch.arch);
        }
    }
    groups
        .into_values()
        .map(|(NeedVerdict { need, verdict, .. }, arches)| {
            let on = join_arches(&arches);
            let got = if verdict.value == Access::None {
                "refuses it".to_string()
            } else {
                format!("gives only {} access", access_words(verdict.value))
            };
            let mut d = Diagnostic::error(
                Code::NeedNotMet,
                format!(
                    "{} needs {} `{}` in {} on {on}, but the {} layer {got}: {}",
                    need.consumer,
                    access_words(need.access),
                    need.driver,
                    program_words(need.program),
                    verdict.layer.label(),
                    verdict.reason
                ),
            );
            if let Some(span) = profile_span(&need.origin) {
                d = d.at(span, format!("{} needs {} {} here", need.consumer, need.driver, need.access));
            }
            if let Some(span) = profile_span(&verdict.origin).filter(|s| Some(*s) != profile_span(&need.origin)) {
                d = d.at(span, format!("the {} layer is decided here", verdict.layer.label()));
            }
            let arch = policy.arch(arches[0]).expect("a grouped arch is in the policy");
            d = d.with_help(need_help(&need.driver, need.access, &verdict, arch, &on));
            if !need.why.is_empty() {
                d = d.with_note(format!("why it is needed: {}", need.why));
            }
            if let Some(message) = &verdict.message {
                d = d.with_note(format!("what the user sees: {message}"));
            }
            d
        })
        .collect()
}

/// Each consumer's needs on a default install plus what the consumer requires: a module in an
/// optional subpackage that neither pulls in is missing where the consumer runs.
fn consumer_needs(policy: &Policy, arch: &ArchPolicy) -> Vec<NeedVerdict> {
    arch.needs
        .iter()
        .map(|need| {
            let requires = arch.consumers.iter().filter(|c| c.name == need.consumer).flat_map(|c| &c.requires);
            let installed = Installed::defaults().with(requires.map(|r| r.package.clone()));
            let verdict =
                access::evaluate(Context::new(policy, arch, &installed), &need.driver).verdict_or_refusal(need.program);
            NeedVerdict { need: need.clone(), met: verdict.value >= need.access, verdict }
        })
        .collect()
}

fn need_help(driver: &str, access: Access, verdict: &Verdict, arch: &ArchPolicy, on: &str) -> String {
    let list = if access == Access::ReadWrite { "rw" } else { "ro" };
    match verdict.layer {
        Layer::Build => match compiled_out_by(arch, driver) {
            Some(feature) => format!("compile it in (set `{feature} = \"enable\"` for {on}), or drop the need"),
            None => format!("{}: drop the need, or use a qemu version that has it", verdict.reason),
        },
        Layer::Module => match module_subpackage(arch, driver) {
            Some(sub) => format!(
                "add {{ package = \"{sub}\" }} to the consumer's `requires`, or require it from the main package"
            ),
            None => format!("{}: drop the need, or build the driver in", verdict.reason),
        },
        Layer::BuildMode if !arch.has_emulator() => {
            format!("{on} builds only the tools: list the arches that have an emulator in the consumer's `arches`")
        }
        Layer::BuildMode => format!("{}: the need cannot be met by this program", verdict.reason),
        Layer::Capability => format!("{}: no build setting can change that; ask for read-only access", verdict.reason),
        Layer::RwWhitelist | Layer::RoWhitelist | Layer::WhitelistInTools => {
            format!("add \"{driver}\" to the {list} whitelist for {on}")
        }
        Layer::Libvirt => format!("remove \"{driver}\" from [libvirt] disabled-protocols for {on}"),
        Layer::Libguestfs => match access::protocol_of(driver) {
            Some(protocol) => format!("remove \"{protocol}\" from [libguestfs] disabled-protocols for {on}"),
            None => format!("libguestfs cannot open {driver}: drop the need"),
        },
    }
}

/// The subpackage that ships `driver`'s module on `arch`, if any.
fn module_subpackage<'a>(arch: &'a ArchPolicy, driver: &str) -> Option<&'a str> {
    let module = arch.driver(driver)?.module.as_ref()?;
    arch.subpackage(&module.value).map(|s| s.name.as_str())
}

/// Whether the profiles say anything of libguestfs (a Debian qemu profile does not).
fn describes_libguestfs(policy: &Policy) -> bool {
    let package = &policy.libguestfs;
    package.package.is_some()
        || package.version.is_some()
        || package.patch.is_some()
        || policy.arches.iter().any(|a| !a.libguestfs_disabled.is_empty())
}

/// libguestfs protocols left in `add_drive` whose qemu driver the emulator cannot open:
/// warnings, since users then get qemu's error instead of libguestfs's "unknown protocol".
///
/// Only arches with an emulator are checked. On a tools-only arch libguestfs cannot run on
/// this package at all, so every protocol (even `file`) would be flagged: libguestfs takes its
/// emulator from another package there (RHEL 7.2's libguestfs.spec requires qemu-kvm-rhev on
/// aarch64 and ppc64, RHBZ#1177910), which its own profile describes and `check` checks.
fn unusable_protocols(policy: &Policy) -> Vec<Diagnostic> {
    if !describes_libguestfs(policy) {
        return Vec::new();
    }
    let catalogue = Catalogue::get();
    type Key<'a> = (&'a str, &'a str, Layer, String, Origin);
    let mut groups: IndexMap<Key, (Verdict, Vec<&ArchPolicy>)> = IndexMap::new();
    let installed = Installed::All;
    let version = policy.libguestfs.version.as_ref().map(|v| &v.value);
    for arch in policy.arches.iter().filter(|a| a.has_emulator()) {
        for (protocol, entry) in &catalogue.libguestfs.protocols {
            let driver = &entry.driver;
            if arch.libguestfs_disabled.iter().any(|d| d.value == *protocol)
                || version.is_some_and(|v| catalogue.libguestfs_removed(protocol, v).is_some())
            {
                continue;
            }
            let verdict = access::evaluate(Context::new(policy, arch, &installed), driver)
                .verdict_or_refusal(Program::Libguestfs);
            if verdict.value != Access::None {
                continue;
            }
            // Acknowledging a driver as compiled out on purpose covers what follows from it.
            let acknowledged = arch.acknowledged_compiled_out.iter().any(|a| a.value == *driver);
            if verdict.layer == Layer::Build && acknowledged && compiled_out_by(arch, driver).is_some() {
                continue;
            }
            let key =
                (protocol.as_str(), driver.as_str(), verdict.layer, verdict.reason.clone(), verdict.origin.clone());
            groups.entry(key).or_insert_with(|| (verdict, Vec::new())).1.push(arch);
        }
    }
    groups
        .into_iter()
        .map(|((protocol, driver, ..), (verdict, arches))| {
            let names: Vec<&str> = arches.iter().map(|a| a.arch.as_str()).collect();
            let on = join_arches(&names);
            let mut d = Diagnostic::warning(
                Code::ProtocolWithoutDriver,
                format!(
                    "libguestfs leaves the `{protocol}` protocol enabled, but the emulator cannot open `{driver}` on {on} \
                     ({} layer: {})",
                    verdict.layer.label(),
                    verdict.reason
                ),
            );
            // The removal that left the protocol enabled has no position of its own: point at
            // the qemu side, or else at the libguestfs package.
            let libguestfs = [
                policy.libguestfs.patch.as_ref().map(|v| &v.origin),
                policy.libguestfs.version.as_ref().map(|v| &v.origin),
                policy.libguestfs.package.as_ref().map(|v| &v.origin),
            ]
            .into_iter()
            .find_map(|o| o.and_then(profile_span));
            match (profile_span(&verdict.origin), libguestfs) {
                (Some(span), _) => d = d.at(span, format!("the {} layer is decided here", verdict.layer.label())),
                (None, Some(span)) => d = d.at(span, format!("this libguestfs leaves `{protocol}` in add_drive")),
                (None, None) => {}
            }
            let disabled: Vec<&str> = arches[0].libguestfs_disabled.iter().map(|d| d.value.as_str()).collect();
            d = d.with_note(if disabled.is_empty() {
                "libguestfs disables no protocol".to_string()
            } else {
                format!("libguestfs disables: {}", disabled.join(", "))
            });
            let mut help = format!(
                "add \"{protocol}\" to [libguestfs] disabled-protocols for {on}, so that add_drive refuses it early \
                 with \"unknown protocol '{protocol}'\""
            );
            if verdict.layer == Layer::Build && compiled_out_by(arches[0], driver).is_some() {
                help.push_str(&format!(
                    ", or, if `{driver}` is compiled out there on purpose, add \"{driver}\" to `acknowledge-compiled-out` in [qemu] for these arches"
                ));
            }
            d = d.with_help(help);
            if let Some(message) = &verdict.message {
                d = d.with_note(format!("what the user sees now: {message}"));
            }
            d
        })
        .collect()
}

/// `--format json`: per profile, every diagnostic as `Diagnostic::to_json` gives it.
#[derive(Debug, Serialize)]
pub struct CheckView<D: Serialize> {
    pub status: Status,
    pub deny_warnings: bool,
    pub errors: usize,
    pub warnings: usize,
    pub profiles: Vec<ProfileView<D>>,
}

#[derive(Debug, Serialize)]
pub struct ProfileView<D: Serialize> {
    pub profile: String,
    pub loaded: bool,
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<D>,
    /// Packages the consumers require outside qemu's drivers: listed, not checked.
    pub requirements: Vec<Requirements>,
    /// Text only: `... and N more diagnostics in FILE` for each file over `--max-diagnostics`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub omitted: Vec<String>,
}

/// One diagnostic for the text template: the rendered snippet, or a one-line reference when
/// an earlier profile of the run (usually a parent) showed the same problem.
#[derive(Debug, Serialize)]
pub struct TextDiagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub location: Option<String>,
    pub rendered: String,
    pub repeat_of: Option<String>,
}

fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

/// `max`: at most that many diagnostics per file of each profile (0: all).
fn view<D: Serialize>(
    checked: &[Checked],
    deny_warnings: bool,
    max: usize,
    sources: &Sources,
    mut each: impl FnMut(&Checked, &Diagnostic) -> D,
) -> CheckView<D> {
    let profiles: Vec<ProfileView<D>> = checked
        .iter()
        .map(|c| {
            let (errors, warnings) = counts(&c.diagnostics);
            let (shown, omitted) = crate::diagnostic::cap(&c.diagnostics, max, sources);
            ProfileView {
                profile: c.profile.clone(),
                loaded: c.loaded,
                errors,
                warnings,
                diagnostics: shown.into_iter().map(|d| each(c, d)).collect(),
                requirements: c.requirements.clone(),
                omitted,
            }
        })
        .collect();
    CheckView {
        status: status(checked, deny_warnings),
        deny_warnings,
        errors: profiles.iter().map(|p| p.errors).sum(),
        warnings: profiles.iter().map(|p| p.warnings).sum(),
        profiles,
    }
}

/// Every diagnostic, for machines.
pub fn json_view(checked: &[Checked], deny_warnings: bool, sources: &Sources) -> CheckView<serde_json::Value> {
    view(checked, deny_warnings, 0, sources, |_, d| d.to_json(sources))
}

/// For people: at most `max` diagnostics per file of each profile (0: all); `colour` styles
/// the rendered diagnostics for a terminal.
pub fn text_view(
    checked: &[Checked],
    deny_warnings: bool,
    max: usize,
    sources: &Sources,
    colour: bool,
) -> CheckView<TextDiagnostic> {
    let mut shown: IndexMap<(Code, String, Option<Span>), String> = IndexMap::new();
    view(checked, deny_warnings, max, sources, |c, d| {
        let key = (d.code, d.message.clone(), d.primary_span().cloned());
        let repeat_of = shown.get(&key).cloned();
        if repeat_of.is_none() {
            shown.insert(key, c.profile.clone());
        }
        TextDiagnostic {
            severity: d.severity,
            code: d.code,
            message: crate::diagnostic::terminal_safe(&d.message).into_owned(),
            location: d.primary_span().map(|s| sources.location(s).to_string()),
            rendered: if repeat_of.is_some() { String::new() } else { d.render_styled(sources, colour) },
            repeat_of,
        }
    })
}
