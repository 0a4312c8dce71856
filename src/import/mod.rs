//! `import spec`: a profile from a spec file or a build script a packager already has.
//!
//! The stages: `rpm` reads the spec for each arch (macros, conditionals, sections) and hands
//! the `%build` lines to `shell`, which finds the `./configure` invocations; `arguments`
//! turns an invocation's words into settings; `draft` lays the per-arch settings out as a
//! profile; `write` renders it with toml_edit. The written profile is then resolved like any
//! other, so that the catalogue checks it (an option its qemu version does not take).
//!
//! Nothing is guessed silently: every line that cannot be read (a `%if` on a macro the file
//! never defines, a script argument) becomes a comment in the profile, an entry of the
//! summary and a warning pointing at the line.

// Nothing in the importer may panic on input: no unchecked arithmetic or indexing.
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

mod arguments;
mod branches;
mod condition;
mod draft;
mod identity;
mod line_map;
mod place;
mod rpm;
mod shell;
mod unknown;
mod view;
mod write;

use crate::catalogue::Catalogue;
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Failure, Result, did_you_mean};
use crate::profile::{BuildMode, parse_profile};
use crate::resolve::attempt_chain;
use crate::source::{FileId, FileLine, Sources, Span};
use arguments::Provenance;
use draft::ArchImport;
pub use identity::Fact;
use indexmap::IndexMap;
use place::Place;
use rpm::{Given, LineState, Section, SourceLine};
use serde::Serialize;
use shell::{Invocation, ShellLine};
use std::collections::HashMap;

/// The truth of an rpm `%if` expression after macro expansion, or why it cannot be
/// evaluated (for the fuzz target of the condition evaluator).
pub use condition::evaluate as evaluate_condition;

/// The size limit of a spec or build script, unless an option changes it.
pub const DEFAULT_MAX_SIZE: u64 = 64 << 20;

/// A source line longer than this is not quoted in a warning's snippet (every warning on a
/// 70 KB line would print it again): the warning gives its place instead.
const MAX_QUOTED_LINE: usize = 300;
use unknown::Unknowns;
pub use view::{BuildView, ExtraArgView, FeatureView, Finding, ImportView, NoteView, ProvenanceView};

/// What the command line adds to the file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub name: Option<String>,
    /// `--output` as given (its stem names the profile).
    pub output: Option<String>,
    pub arches: Option<Vec<String>>,
    pub qemu_version: Option<String>,
    pub package: Option<String>,
    pub product: Option<String>,
    pub release: Option<String>,
    /// `--set NAME=VALUE`: values for macros and shell variables; they win over the file's.
    pub sets: IndexMap<String, String>,
    /// `--undefine NAME`: macros the build does not define (rpm's and the build system's own).
    pub undefined: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An rpm spec file (or a snippet of one, such as `generate spec` writes).
    Spec,
    /// A shell script that runs configure (`build_configure.sh`).
    Script,
}

/// The result: the profile text, the summary, and the warnings to print.
pub struct Imported {
    pub name: String,
    pub toml: String,
    pub view: ImportView,
    pub warnings: Vec<Diagnostic>,
    /// Something needs the user's attention: lines not interpreted, or a profile that does not resolve.
    pub findings: bool,
}

fn kind(lines: &[SourceLine], file: &str) -> Kind {
    if lines.first().is_some_and(|l| l.text.starts_with("#!")) || file.ends_with(".sh") {
        Kind::Script
    } else {
        Kind::Spec
    }
}

/// What a person wrote at `at`: its bytes, or its line trimmed, without its continuation backslash.
fn written(lines: &[SourceLine], at: &Place) -> String {
    let line = lines.get(at.line.wrapping_sub(1)).map_or("", |l| l.text.as_str());
    if let Some(text) = at.columns.clone().and_then(|c| line.get(c)) {
        return text.to_string();
    }
    let text = line.trim();
    text.strip_suffix('\\').unwrap_or(text).trim_end().to_string()
}

struct Collector<'a> {
    file: &'a str,
    lines: &'a [SourceLine],
    findings: Vec<Finding>,
    notes: Vec<(Option<Place>, String)>,
    /// `--set` names some pass used, and every macro or variable name the file refers to.
    used_sets: Vec<String>,
    referenced: Vec<String>,
    /// Where each finding is in `findings`, by what makes it one.
    index: HashMap<FindingKey, usize>,
}

type FindingKey = (Option<usize>, Option<(usize, usize)>, String, String, Option<String>);

impl Collector<'_> {
    fn used(&mut self, sets: &[String], referenced: &[String]) {
        self.used_sets.extend(sets.iter().cloned());
        self.referenced.extend(referenced.iter().cloned());
    }

    fn unknown(&mut self, at: Place, unknown: &unknown::Unknown, arch: &str) {
        self.finding(Some(at), unknown.what.clone(), unknown.reason.clone(), unknown.help.clone(), arch);
    }

    /// A conditional left open or one keyword with nothing open; `tool` is what refuses it.
    /// The warning points at the keyword, and quotes its line.
    fn imbalance(&mut self, imbalance: &branches::Imbalance, tool: &str, arch: &str) {
        let (what, reason, help) = imbalance.describe(tool);
        let at = imbalance.keyword().at.clone();
        let text = written(self.lines, &Place::line(at.line));
        self.finding_as(Some(at), text, what, reason, Some(help), arch);
    }

    fn finding(&mut self, at: Option<Place>, what: String, reason: String, help: Option<String>, arch: &str) {
        let text = at.as_ref().map(|a| written(self.lines, a)).unwrap_or_default();
        self.finding_as(at, text, what, reason, help, arch);
    }

    /// A finding at `at` that quotes `text`.
    fn finding_as(
        &mut self,
        at: Option<Place>,
        text: String,
        what: String,
        reason: String,
        help: Option<String>,
        arch: &str,
    ) {
        let line = at.as_ref().map(|a| a.line);
        let columns = at.as_ref().and_then(|a| a.columns.clone());
        let key: FindingKey =
            (line, columns.as_ref().map(|c| (c.start, c.end)), what.clone(), reason.clone(), help.clone());
        match self.index.get(&key).and_then(|&i| self.findings.get_mut(i)) {
            Some(f) => {
                if !arch.is_empty() && !f.arches.iter().any(|a| a == arch) {
                    f.arches.push(arch.to_string());
                }
            }
            None => {
                self.index.insert(key, self.findings.len());
                self.findings.push(Finding {
                    location: line.map(|l| FileLine { file: self.file.to_string(), line: l }),
                    line,
                    columns,
                    text,
                    what,
                    reason,
                    help,
                    arches: if arch.is_empty() { Vec::new() } else { vec![arch.to_string()] },
                });
            }
        }
    }

    /// A place where the shell stopped reading.
    fn stop(&mut self, stop: &shell::Stop, arch: &str) {
        // The line is quoted, not the one char the parser points at.
        let text = written(self.lines, &Place::line(stop.at.line));
        let (what, reason, help) = (stop.what.clone(), stop.reason.clone(), Some(stop.help.clone()));
        self.finding_as(Some(stop.at.clone()), text, what, reason, help, arch);
    }

    fn note(&mut self, at: Option<Place>, text: String) {
        if !self.notes.iter().any(|(a, t)| *a == at && *t == text) {
            self.notes.push((at, text));
        }
    }
}

/// The configure invocations of each arch, read through rpm and the shell.
struct ArchRuns {
    arch: String,
    runs: Vec<Invocation>,
    /// The spec's `tools_only` macro on this arch, and the line defining it.
    tools_only: Option<(&'static str, bool, Option<usize>)>,
}

fn invocations(
    kind: Kind,
    file: &str,
    lines: &[SourceLine],
    arches: &[String],
    given: &Given,
    unknowns: &mut Unknowns,
    collector: &mut Collector,
) -> std::result::Result<Vec<ArchRuns>, usize> {
    let mut out = Vec::new();
    match kind {
        Kind::Script => {
            let shell_lines: Vec<ShellLine> = lines.iter().map(ShellLine::plain).collect();
            let outcome = shell::run(file, lines, &shell_lines, given.sets, unknowns);
            collector.used(&outcome.used_sets, &outcome.referenced);
            // A script has no arch conditionals: every arch runs the same configure.
            for s in &outcome.skipped {
                collector.unknown(Place::line(s.line), unknowns.get(s.unknown), "");
            }
            for stop in &outcome.stops {
                collector.stop(stop, "");
            }
            for arch in arches {
                out.push(ArchRuns { arch: arch.clone(), runs: outcome.invocations.clone(), tools_only: None });
            }
        }
        Kind::Spec => {
            for arch in arches {
                let pass = rpm::walk(file, lines, Some(arch), given, unknowns);
                if let Some(line) = pass.overflow {
                    return Err(line);
                }
                collector.used(&pass.used_sets, &pass.referenced);
                let shell_lines: Vec<ShellLine> = pass
                    .lines
                    .iter()
                    .zip(lines)
                    .filter(|((section, _), _)| !pass.has_build || *section == Section::Build)
                    .filter_map(|((_, state), line)| match state {
                        LineState::Active { text, uses, map } => Some(ShellLine::Active {
                            number: line.number,
                            text: text.clone(),
                            uses: uses.clone(),
                            map: map.clone(),
                        }),
                        LineState::Unknown(u) => Some(ShellLine::Unknown { number: line.number, unknown: *u }),
                        LineState::Consumed | LineState::Inactive => None,
                    })
                    .collect();
                let outcome = shell::run(file, lines, &shell_lines, given.sets, unknowns);
                collector.used(&outcome.used_sets, &outcome.referenced);
                for stop in &outcome.stops {
                    collector.stop(stop, arch);
                }
                for s in &outcome.skipped {
                    let u = unknowns.get(s.unknown).clone();
                    collector.finding(
                        Some(Place::line(s.line)),
                        u.what,
                        format!("this configure run is under a condition that cannot be evaluated: {}", u.reason),
                        u.help,
                        arch,
                    );
                }
                out.push(ArchRuns { arch: arch.clone(), runs: outcome.invocations, tools_only: pass.tools_only });
            }
        }
    }
    Ok(out)
}

/// Full and tools-only builds: with several configure runs, those passing a whitelist (or
/// else the first one) are the full build, the others tools-only (as RHEL 7's `%else`).
fn build_modes(
    chosen: &[(String, Invocation, arguments::Arguments)],
    file: &str,
) -> IndexMap<(usize, Option<usize>), (BuildMode, Option<String>)> {
    let mut lines: Vec<(usize, Option<usize>)> = chosen.iter().map(|(_, i, _)| i.key()).collect();
    lines.sort_unstable();
    lines.dedup();
    let with_lists: Vec<(usize, Option<usize>)> = lines
        .iter()
        .copied()
        .filter(|l| chosen.iter().any(|(_, i, a)| i.key() == *l && (a.rw.is_some() || a.ro.is_some())))
        .collect();
    let full: Vec<(usize, Option<usize>)> =
        if with_lists.is_empty() { lines.first().copied().into_iter().collect() } else { with_lists.clone() };
    let first_full = full.first().map_or(0, |k| k.0);
    let mut modes = IndexMap::new();
    for key in &lines {
        let line = key.0;
        let mode = if full.contains(key) || lines.len() == 1 {
            (BuildMode::Full, None)
        } else {
            let why = if with_lists.is_empty() {
                format!(
                    "a second configure run, at {file}:{line} (the first, at {file}:{first_full}, is the full build)"
                )
            } else {
                format!("the configure at {file}:{line} passes no whitelist, the one at {file}:{first_full} does")
            };
            (BuildMode::ToolsOnly, Some(why))
        };
        modes.insert(*key, mode);
    }
    modes
}

/// Reads `file` (already in `sources`) and writes the profile it describes.
pub fn import(sources: &mut Sources, file: FileId, options: &Options) -> Result<Imported> {
    let display = sources.name(file).to_string();
    let file_name = std::path::Path::new(&display).file_name().and_then(|n| n.to_str()).unwrap_or(&display).to_string();
    if let Some(at) = sources.text(file).find('\0') {
        return Err(Failure::single(
            Diagnostic::error(Code::NotText, format!("{display} holds a NUL byte: it is not a spec or a build script"))
                .at(&Span::new(file, at..at.saturating_add(1)), "a NUL byte")
                .with_help("import reads a text file: a spec, a `generate spec` snippet or a shell script"),
        ));
    }
    let text = unknown::sanitise(sources.text(file));
    let lines = rpm::split_lines(&text);
    // Values from the command line are read as the shell reads `NAME=VALUE` (quotes group,
    // backslashes escape), and pass the same sanitising as the file's text.
    let mut sets: IndexMap<String, String> = IndexMap::new();
    for (name, value) in &options.sets {
        let value = unknown::sanitise(value);
        let value = if name == "@" {
            value
        } else {
            shell_words::split(&value).map(|words| words.join(" ")).map_err(|_| {
                Failure::single(
                    Diagnostic::error(Code::BadSet, format!("--set {name}={value}: a quote is not closed"))
                        .with_help("quote the value as the shell would, for example --set 'nvr=\"a b\"'"),
                )
            })?
        };
        sets.insert(name.clone(), value);
    }
    let given = Given { sets: &sets, undefined: &options.undefined };
    let kind = kind(&lines, &display);
    let header = identity::header(&lines);
    let mut unknowns = Unknowns::default();
    let mut collector = Collector {
        file: &display,
        lines: &lines,
        findings: Vec::new(),
        notes: Vec::new(),
        used_sets: Vec::new(),
        referenced: Vec::new(),
        index: HashMap::new(),
    };

    let (tags, conditional) = match kind {
        Kind::Spec => {
            let pass = rpm::walk(&display, &lines, None, &given, &mut unknowns);
            if let Some(line) = pass.overflow {
                return Err(overflow(&lines, file, &display, line));
            }
            collector.used(&pass.used_sets, &pass.referenced);
            // Where the %if lines balance does not depend on the arch: one pass tells.
            for imbalance in &pass.imbalances {
                if let branches::Imbalance::AfterElse { at } = imbalance {
                    let (what, reason, help) = imbalance.describe("rpmbuild");
                    let mut d = Diagnostic::error(Code::ElifAfterElse, format!("{what} in {display}")).with_help(help);
                    if let Some(span) = line_span(&lines, file, at.at.line) {
                        d = d.at(&span, reason);
                    }
                    return Err(Failure::single(d));
                }
                collector.imbalance(imbalance, "rpmbuild", "");
            }
            (pass.tags, pass.arch_names)
        }
        Kind::Script => (Vec::new(), Vec::new()),
    };
    let arches = identity::arches(options.arches.as_deref(), &tags, &conditional, &display)?;
    for note in &arches.notes {
        collector.note(None, note.clone());
    }
    if arches.guessed {
        collector.finding(
            None,
            "the arches".into(),
            format!(
                "{display} has no ExclusiveArch or BuildArch: the arches ({}) come from its conditionals, and a branch for other arches (`%else`, `%ifnarch`) is not imported",
                arches.list.join(", ")
            ),
            Some("pass --arches with every arch the package builds".into()),
            "",
        );
    }

    let per_arch = invocations(kind, &display, &lines, &arches.list, &given, &mut unknowns, &mut collector)
        .map_err(|line| overflow(&lines, file, &display, line))?;
    let mut chosen: Vec<(String, Invocation, arguments::Arguments)> = Vec::new();
    let mut tools_only_macro: IndexMap<String, (&'static str, bool, Option<usize>)> = IndexMap::new();
    for ArchRuns { arch, runs, tools_only } in per_arch {
        if let Some(t) = tools_only {
            tools_only_macro.insert(arch.clone(), t);
        }
        let Some(first) = runs.first() else {
            collector.finding(
                None,
                format!("the build of {arch}"),
                format!("no configure run of {arch} could be read: {arch} is left out of the profile"),
                Some("check the spec's conditionals for this arch".into()),
                "",
            );
            continue;
        };
        for extra in runs.iter().skip(1) {
            collector.finding(
                Some(Place::line(extra.at())),
                "another configure run".into(),
                format!("configure runs more than once here; only the first run (line {}) is imported", first.at()),
                None,
                &arch,
            );
        }
        let args = arguments::interpret(first);
        chosen.push((arch, first.clone(), args));
    }
    if chosen.is_empty() {
        let mut d =
            Diagnostic::error(Code::NoConfigure, format!("found no `./configure` run in {display} that can be read"))
                .with_help("import reads the configure invocation of a spec's %build section or of a build script");
        collector.findings.sort_by_key(|f| (f.line.unwrap_or(0), f.columns.as_ref().map_or(0, |c| c.start)));
        for f in &collector.findings {
            d = d.with_note(match &f.location {
                Some(location) => format!("{location}: {}: {}", f.what, f.reason),
                None => format!("{display}: {}", f.reason),
            });
        }
        return Err(Failure::single(d));
    }

    let modes = build_modes(&chosen, &display);
    let catalogue = Catalogue::get();
    // Flags the catalogue does not know become custom features (`--enable-spice`).
    let mut custom: Vec<(String, String)> = Vec::new();
    for (_, _, args) in &chosen {
        for f in &args.features {
            if catalogue.feature(&f.name).is_none() && !custom.iter().any(|(n, _)| *n == f.name) {
                custom.push((f.name.clone(), format!("--{}-{}, {}", f.state, f.name, describe(&display, &f.from))));
            }
        }
    }
    let mut imports: Vec<ArchImport> = Vec::new();
    let mut reordered: Vec<FileLine> = Vec::new();
    for (arch, invocation, args) in &chosen {
        for unread in &args.unread {
            let u = unknowns.get(unread.unknown).clone();
            collector.unknown(unread.at.clone(), &u, arch);
        }
        for (at, note) in &args.notes {
            collector.note(Some(at.clone()), note.clone());
        }
        // An extra arg must not set what the profile models (`--enable-rbd=yes`): the
        // profile would refuse it, and the importer does not guess what it means.
        let is_custom = |name: &str| custom.iter().any(|(n, _)| n == name);
        let mut extra = Vec::new();
        for e in &args.extra {
            let owner = crate::options::modelled_option(&e.option, &is_custom);
            let refused = crate::profile::values::shell_word(&e.text).err();
            match (owner, refused) {
                (Some(owner), _) => collector.finding(
                    Some(e.at.clone()),
                    format!("`{}`", e.text),
                    format!("it sets what the profile describes in {owner}, in a form the importer does not read"),
                    Some("set it in the profile by hand".into()),
                    arch,
                ),
                // A profile refuses an extra-arg that would not stay one argument in its place.
                (None, Some(why)) => collector.finding(
                    Some(e.at.clone()),
                    format!("`{}`", e.text),
                    format!("a profile cannot hold it as an extra-arg: {why}"),
                    Some("pass it to configure outside the generated region".into()),
                    arch,
                ),
                // A profile list counts an entry once (`duplicate-entry`): so does the import.
                (None, None) if extra.iter().any(|x: &arguments::ExtraArg| x.text == e.text) => collector.note(
                    Some(e.at.clone()),
                    format!("`{}` is passed twice; the profile lists it once (configure does not mind)", e.text),
                ),
                (None, None) => extra.push(e.clone()),
            }
        }
        if let Some(first) = extra.iter().find(|e| e.after_options) {
            collector.note(
                Some(first.at.clone()),
                "this argument outside the block-driver policy follows build options; generated configure lines pass extra-args first, so this configure run comes back in another order (configure does not mind)".into(),
            );
            let location = FileLine { file: display.clone(), line: invocation.at() };
            if !reordered.contains(&location) {
                reordered.push(location);
            }
        }
        let (mut build, mut build_note) = modes.get(&invocation.key()).cloned().unwrap_or((BuildMode::Full, None));
        // RHEL 9's way: one configure for every arch, and a macro that builds only the tools.
        let mut shared_configure = false;
        if let (BuildMode::Full, Some((name, true, line))) = (build, tools_only_macro.get(arch)) {
            build = BuildMode::ToolsOnly;
            shared_configure = true;
            let defined = line.map_or_else(|| "set by --set".to_string(), |l| format!("defined at {display}:{l}"));
            build_note =
                Some(format!("%{{{name}}} is 1 here ({defined}); it runs the same configure as the full build"));
        }
        if build == BuildMode::ToolsOnly && !shared_configure && args.in_tools.as_ref().is_some_and(|b| b.value) {
            collector.note(
                Some(Place::line(invocation.at())),
                format!("{arch} is a tools-only build: its whitelist-in-tools flag is dropped (it has no whitelists)"),
            );
        }
        imports.push(ArchImport {
            arch: arch.clone(),
            build,
            build_note,
            shared_configure,
            build_line: invocation.line,
            called_at: invocation.call,
            features: args.features.clone(),
            rw: args.rw.clone(),
            ro: args.ro.clone(),
            in_tools: args.in_tools.clone(),
            extra,
        });
    }
    // Findings for every arch of the import concern the file as a whole.
    for f in &mut collector.findings {
        if arches.list.iter().all(|a| f.arches.contains(a)) {
            f.arches.clear();
        }
    }
    collector.findings.sort_by_key(|f| (f.line.unwrap_or(0), f.columns.as_ref().map_or(0, |c| c.start)));

    let version = identity::version(options.qemu_version.as_deref(), &tags, &header, &display)?;
    let (package, package_note) = identity::package(options.package.as_deref(), &tags, &header, &display);
    if let Some(note) = package_note {
        collector.note(None, note);
    }
    let name = identity::name(options.name.as_deref(), options.output.as_deref(), &header, &display)?;
    let (product, release) = identity::product_release(&name, options.product.as_deref(), options.release.as_deref())?;
    // Without a release the profile is written all the same, with a marked placeholder.
    let release_placeholder = release.is_none();
    let release = release.unwrap_or_else(|| Fact {
        value: identity::PLACEHOLDER_RELEASE.into(),
        from: identity::Source::Placeholder { name: name.clone() },
    });

    let backports = backports(&imports, &version.value, &display);
    let mut extra_args: Vec<String> = Vec::new();
    for e in imports.iter().flat_map(|a| &a.extra) {
        if !extra_args.contains(&e.text) {
            extra_args.push(e.text.clone());
        }
    }
    let profile_arches: Vec<String> = imports.iter().map(|a| a.arch.clone()).collect();

    let header_lines = |explicit: bool| {
        let mut header_lines = vec![
            format!(
                "Imported by `drvpolicy import spec` from {file_name} ({}).",
                match kind {
                    Kind::Spec => "a spec file",
                    Kind::Script => "a build script",
                }
            ),
            "Each value says where it came from; review them, then add libguestfs and consumers.".to_string(),
        ];
        if release_placeholder {
            header_lines
                .push(format!("[profile] release = \"{}\" is a placeholder: set the product release.", release.value));
        }
        if explicit {
            header_lines.push("The arches order their options differently, so each arch lists all of its own.".into());
        }
        if !extra_args.is_empty() {
            header_lines.push(
                "extra-args are the configure arguments outside the block-driver policy, as the file writes them;"
                    .into(),
            );
            header_lines.push("generated configure lines pass them first, before the build options.".into());
        }
        if !collector.findings.is_empty() {
            header_lines.push(String::new());
            header_lines.push("Not interpreted (edit the profile by hand where these matter):".into());
            for f in &collector.findings {
                let on = if f.arches.is_empty() { String::new() } else { format!(" (on {})", f.arches.join(", ")) };
                match &f.location {
                    Some(location) => header_lines.push(format!("- {location}: {}{on}", short(&f.text))),
                    None => header_lines.push(format!("- {}{on}", f.what)),
                }
                let help = f.help.as_ref().map(|h| format!("; {h}")).unwrap_or_default();
                let what = if f.location.is_some() { format!("{}: ", f.what) } else { String::new() };
                header_lines.push(format!("  {what}{}{help}", f.reason));
            }
        }
        header_lines
    };

    // The shared layout first; where the resolver does not give back what the file passes
    // (an order of options only per-arch lists keep), every arch lists its own.
    let describe_fn = |p: &Provenance| describe(&display, p);
    let toml_display = options.output.clone().unwrap_or_else(|| format!("{name}.toml (imported)"));
    let mut written = None;
    for draft in [draft::shared(&imports), draft::explicit(&imports)] {
        let text = write::ProfileText {
            header: header_lines(draft.explicit),
            product: product.value.clone(),
            release: release.value.clone(),
            release_note: release_placeholder.then(|| "set the product release: this is a placeholder".to_string()),
            description: format!("Imported from {file_name}"),
            sources: vec![format!("{file_name} (read by drvpolicy import)")],
            arches: (profile_arches.clone(), arches.from.to_string()),
            package: (package.value.clone(), package.from.to_string()),
            version: (version.value.clone(), version.from.to_string()),
            backports: backports.clone(),
            draft: &draft,
            custom: custom.clone(),
            describe: &describe_fn,
        };
        let toml = write::render(&text);
        // Resolve what was written, as any profile: the catalogue checks its options.
        let toml_file = sources.add(toml_display.clone(), toml.clone());
        let raw = parse_profile(&name, toml_file, sources.text(toml_file)).map_err(Failure::single)?;
        let attempt = attempt_chain(&[raw]);
        let differences = attempt.policy.as_ref().map(|p| draft::differences(p, &imports)).unwrap_or_default();
        let done = differences.is_empty() || draft.explicit;
        written = Some((toml, toml_file, attempt.diagnostics, differences));
        if done {
            break;
        }
    }
    let Some((toml, toml_file, problems, differences)) = written else {
        return Err(Failure::single(Diagnostic::error(Code::Import, "no profile was written")));
    };
    let resolves = !problems.iter().any(Diagnostic::is_error);

    let mut warnings: Vec<Diagnostic> = Vec::new();
    if release_placeholder {
        let mut d = Diagnostic::warning(
            Code::NoRelease,
            format!(
                "cannot tell the release of the profile `{name}`: it says release = \"{}\", a placeholder",
                release.value
            ),
        )
        .with_help("set `release` in [profile], or import again with --release 7.9 or with a name that ends in the release, such as --name my-7.9");
        let key = format!("\nrelease = \"{}\"", release.value);
        if let Some(at) = sources.text(toml_file).find(&key) {
            d = d.at(
                &Span::new(toml_file, at.saturating_add(1)..at.saturating_add(key.len())),
                "set the product release here",
            );
        }
        warnings.push(d);
    }
    for f in &collector.findings {
        let message = match &f.location {
            Some(_) => format!("not interpreted: `{}`", short(&f.text)),
            None => format!("not interpreted: {}", f.what),
        };
        let mut d = Diagnostic::warning(Code::NotInterpreted, message)
            .with_help(f.help.clone().unwrap_or_else(|| "edit the profile by hand if it matters".into()));
        let label = format!("{}: {}", f.what, f.reason);
        d = match f.line {
            Some(line) => at_place(d, &lines, file, &display, &Place { line, columns: f.columns.clone() }, label),
            None => d.with_note(f.reason.clone()),
        };
        if !f.arches.is_empty() {
            d = d.with_note(format!("on {}", f.arches.join(", ")));
        }
        warnings.push(d);
    }
    for (at, note) in &collector.notes {
        let mut d = Diagnostic::warning(Code::ImportNote, note.clone());
        if let Some(at) = at {
            d = at_place(d, &lines, file, &display, at, "here".into());
        }
        warnings.push(d);
    }
    for name in options.sets.keys().chain(&options.undefined) {
        if !collector.used_sets.contains(name) {
            let option = if options.sets.contains_key(name) { "--set" } else { "--undefine" };
            warnings.push(
                Diagnostic::warning(Code::UnusedSet, format!("{option} {name}: {display} never uses `{name}`"))
                    .with_help_opt(did_you_mean(name, collector.referenced.iter().map(String::as_str))),
            );
        }
    }
    for (arch, difference) in &differences {
        warnings.push(
            Diagnostic::warning(
                Code::ImportMismatch,
                format!("the written profile does not give back what {display} passes on {arch}: {difference}"),
            )
            .with_help("edit the profile by hand, and please report this: the importer should have written it so"),
        );
    }
    let problem_json = problems.iter().map(|d| d.to_json(sources)).collect();
    warnings.extend(problems);

    let builds = imports
        .iter()
        .map(|a| BuildView {
            arch: a.arch.clone(),
            build: a.build.to_string(),
            tools_only_configure: match (a.build, a.shared_configure) {
                (BuildMode::Full, _) => None,
                (BuildMode::ToolsOnly, false) => Some("bare"),
                (BuildMode::ToolsOnly, true) => Some("shared"),
            },
            configure: FileLine { file: display.clone(), line: a.build_line },
            called_at: a.called_at.map(|l| FileLine { file: display.clone(), line: l }),
            features: a
                .features
                .iter()
                .map(|f| FeatureView {
                    name: f.name.clone(),
                    state: f.state.to_string(),
                    custom: catalogue.feature(&f.name).is_none(),
                    from: ProvenanceView::of(&display, &f.from),
                })
                .collect(),
            rw_whitelist: a.rw.as_ref().map(|l| l.values.clone()),
            ro_whitelist: a.ro.as_ref().map(|l| l.values.clone()),
            whitelist_in_tools: a.in_tools.as_ref().is_some_and(|b| b.value),
            extra_args: a
                .extra
                .iter()
                .map(|e| ExtraArgView { text: e.text.clone(), from: ProvenanceView::of(&display, &e.from) })
                .collect(),
        })
        .collect();
    // Every warning asks for attention, except the importer's own notes.
    let findings = !collector.findings.is_empty()
        || !resolves
        || release_placeholder
        || warnings.iter().any(|d| d.code.is_finding());
    let view = ImportView {
        profile: name.clone(),
        file: display.clone(),
        kind,
        output: options.output.clone(),
        product,
        release,
        release_placeholder,
        package,
        version,
        arches: profile_arches,
        arches_from: arches.from,
        builds,
        custom_features: custom.into_iter().map(|(n, _)| n).collect(),
        extra_args,
        reordered,
        not_interpreted: collector.findings,
        notes: collector
            .notes
            .into_iter()
            .map(|(at, message)| NoteView {
                location: at.map(|at| FileLine { file: display.clone(), line: at.line }),
                message,
            })
            .collect(),
        problems: problem_json,
        resolves,
        toml: toml.clone(),
    };
    Ok(Imported { name, toml, view, warnings, findings })
}

/// Backports the spec proves: it passes a whitelist option that its qemu version's configure
/// takes only with a downstream backport (RHEL 7's 1.5.3 and `--block-drv-ro-whitelist`).
fn backports(imports: &[ArchImport], version: &str, file: &str) -> Vec<(String, String)> {
    let catalogue = Catalogue::get();
    let Some(version) = crate::version::normalise(version) else { return Vec::new() };
    let mut out: Vec<(String, String)> = Vec::new();
    for option in [&catalogue.whitelist.rw, &catalogue.whitelist.ro] {
        let Some(backport) = &option.backport else { continue };
        if option.versions.matches(&version) || out.iter().any(|(b, _)| b == backport) {
            continue;
        }
        let used = imports.iter().flat_map(|a| [&a.rw, &a.ro]).flatten().find(|l| l.option == option.flag);
        if let Some(list) = used {
            let title = catalogue.backports.get(backport).map_or("", |b| b.title.as_str());
            out.push((
                backport.to_string(),
                format!(
                    "inferred: {file}:{} passes {}, which qemu {version} takes only with this backport ({title})",
                    list.from.first_line(),
                    option.flag
                ),
            ));
        }
    }
    out
}

fn describe(file: &str, p: &Provenance) -> String {
    p.describe(file)
}

/// Text quoted in a message, cut where it is long (a 70 KB line is not printed again).
fn short(text: &str) -> String {
    unknown::clip(text, MAX_QUOTED_LINE)
}

/// The line `line` as `written` gives it: without indent or continuation backslash.
fn line_span(lines: &[SourceLine], file: FileId, line: usize) -> Option<Span> {
    let l = lines.get(line.checked_sub(1)?)?;
    let text = l.text.trim_end();
    let text = text.strip_suffix('\\').unwrap_or(text).trim_end();
    let indent = text.len().saturating_sub(text.trim_start().len());
    Some(Span::new(file, l.start.saturating_add(indent)..l.start.saturating_add(text.len())))
}

/// `d` pointing at `at`: the bytes of the place when known (one argument of a one-line
/// configure), else its line. On a line too long to quote, the place is a note instead.
fn at_place(d: Diagnostic, lines: &[SourceLine], file: FileId, display: &str, at: &Place, label: String) -> Diagnostic {
    let Some(l) = at.line.checked_sub(1).and_then(|i| lines.get(i)) else { return d };
    let columns = at.columns.clone().filter(|c| c.end <= l.text.len());
    if l.text.len() > MAX_QUOTED_LINE {
        let column = columns
            .as_ref()
            .and_then(|c| l.text.get(..c.start))
            .map_or(1, |before| before.chars().count().saturating_add(1));
        return d.with_note(format!(
            "at {display}:{}:{column} (a line of {} bytes, not quoted): {label}",
            at.line,
            l.text.len()
        ));
    }
    let span = match columns {
        Some(c) => Some(Span::new(file, l.start.saturating_add(c.start)..l.start.saturating_add(c.end))),
        None => line_span(lines, file, at.line),
    };
    match span {
        Some(span) => d.at(&span, label),
        None => d,
    }
}

/// The error for a spec whose macros expand beyond `rpm::MAX_EXPANSION`.
fn overflow(lines: &[SourceLine], file: FileId, display: &str, line: usize) -> Failure {
    let mut d = Diagnostic::error(
        Code::ExpansionTooLarge,
        format!("the macros of {display} expand to more than {} MiB", rpm::MAX_EXPANSION >> 20),
    )
    .with_help("a macro that doubles itself (`%global b %{a}%{a}`) grows without bound: check the definitions before this line");
    if let Some(span) = line_span(lines, file, line) {
        d = d.at(&span, "the expansion passes the limit here");
    }
    Failure::single(d)
}
