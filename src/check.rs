//! `check`: every problem of a profile as a diagnostic. What loading and resolving find
//! (unknown names, options the qemu version rejects, whitelist names that do nothing, ...)
//! plus the checks that need the whole stack of layers from `access`: consumer needs that
//! no longer hold, and libguestfs protocols whose qemu driver the emulator cannot open.

use crate::access::{self, Layer, NeedVerdict, Verdict};
use crate::catalogue::Catalogue;
use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::{ArchPolicy, BuildReason, Policy};
use crate::profile::{Access, Program};
use crate::resolve;
use crate::source::{Origin, Sources, Span};
use crate::store::Store;
use indexmap::IndexMap;
use serde::Serialize;

/// One profile and every problem found in it, errors first, then in file order.
#[derive(Debug)]
pub struct Checked {
    pub profile: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// How a check run ends: nothing to report, problems in the profiles, or a problem of the
/// run itself (a profile file that cannot be read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Findings,
    Error,
}

/// The diagnostic code of an unreadable file (`store`): an error of the run, not a finding.
const IO: &str = "io";

/// Loads, resolves and checks `name`, collecting every problem instead of stopping at the first.
pub fn check(store: &mut Store, name: &str) -> Checked {
    let mut diagnostics = match resolve::attempt(store, name) {
        Err(failure) => failure.diagnostics,
        Ok(attempt) => {
            let mut diagnostics = attempt.diagnostics;
            if let Some(policy) = &attempt.policy {
                diagnostics.extend(layer_checks(policy));
            }
            diagnostics
        }
    };
    let sources = &store.sources;
    // Errors first, then by position; diagnostics without a position last (the sort is stable).
    diagnostics.sort_by_cached_key(|d| {
        let position = d.primary_span().map(|s| (sources.name(s.file).to_string(), s.range.start));
        (std::cmp::Reverse(d.severity), position.is_none(), position)
    });
    Checked { profile: name.to_string(), diagnostics }
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
    if all().any(|d| d.code == IO) {
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
        for verdict in access::needs(policy, arch).into_iter().filter(|v| !v.met) {
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
                "need-not-met",
                format!(
                    "{} needs {} `{}` in {} on {on}, but the {} layer {got}: {}",
                    need.consumer,
                    access_words(need.access),
                    need.driver,
                    program_words(need.program),
                    verdict.layer.as_str(),
                    verdict.reason
                ),
            );
            if let Some(span) = profile_span(&need.origin) {
                d = d.at(span, format!("{} needs {} {} here", need.consumer, need.driver, need.access));
            }
            if let Some(span) = profile_span(&verdict.origin).filter(|s| Some(*s) != profile_span(&need.origin)) {
                d = d.at(span, format!("the {} layer is decided here", verdict.layer.as_str()));
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

fn need_help(driver: &str, access: Access, verdict: &Verdict, arch: &ArchPolicy, on: &str) -> String {
    let list = if access == Access::ReadWrite { "rw" } else { "ro" };
    match verdict.layer {
        Layer::Build => match compiled_out_by(arch, driver) {
            Some(feature) => format!("compile it in (set `{feature} = \"enable\"` for {on}), or drop the need"),
            None => format!("{}: drop the need, or use a qemu version that has it", verdict.reason),
        },
        Layer::BuildMode => {
            format!("{on} builds only the tools: list the arches that have an emulator in the consumer's `arches`")
        }
        Layer::RwWhitelist | Layer::RoWhitelist | Layer::Whitelists => {
            format!("add \"{driver}\" to the {list} whitelist for {on}")
        }
        Layer::Libvirt => format!("remove \"{driver}\" from [libvirt] disabled-protocols for {on}"),
        Layer::Libguestfs => match access::protocol_of(driver) {
            Some(protocol) => format!("remove \"{protocol}\" from [libguestfs] disabled-protocols for {on}"),
            None => format!("libguestfs cannot open {driver}: drop the need"),
        },
    }
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
    for arch in policy.arches.iter().filter(|a| a.has_emulator()) {
        for (protocol, driver) in &catalogue.libguestfs.protocols {
            if arch.libguestfs_disabled.iter().any(|d| d.value == *protocol) {
                continue;
            }
            let verdict = access::libguestfs_access(policy, arch, protocol);
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
                "protocol-without-driver",
                format!(
                    "libguestfs leaves the `{protocol}` protocol enabled, but the emulator cannot open `{driver}` on {on} \
                     ({} layer: {})",
                    verdict.layer.as_str(),
                    verdict.reason
                ),
            );
            // The removal that left the protocol enabled has no position of its own: point at
            // the qemu side, or else at the libguestfs package.
            let libguestfs = [&policy.libguestfs.patch, &policy.libguestfs.version, &policy.libguestfs.package]
                .into_iter()
                .find_map(|v| v.as_ref().and_then(|v| profile_span(&v.origin)));
            match (profile_span(&verdict.origin), libguestfs) {
                (Some(span), _) => d = d.at(span, format!("the {} layer is decided here", verdict.layer.as_str())),
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
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<D>,
    /// Text only: `... and N more diagnostics in FILE` for each file over `--max-diagnostics`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub omitted: Vec<String>,
}

/// One diagnostic for the text template: the rendered snippet, or a one-line reference when
/// an earlier profile of the run (usually a parent) showed the same problem.
#[derive(Debug, Serialize)]
pub struct TextDiagnostic {
    pub severity: Severity,
    pub code: &'static str,
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
                errors,
                warnings,
                diagnostics: shown.into_iter().map(|d| each(c, d)).collect(),
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

/// For people: at most `max` diagnostics per file of each profile (0: all).
pub fn text_view(checked: &[Checked], deny_warnings: bool, max: usize, sources: &Sources) -> CheckView<TextDiagnostic> {
    let mut shown: IndexMap<(&'static str, String, Option<Span>), String> = IndexMap::new();
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
            rendered: if repeat_of.is_some() { String::new() } else { d.render(sources) },
            repeat_of,
        }
    })
}
