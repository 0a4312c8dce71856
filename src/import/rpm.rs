//! The rpm layer of a spec file, for one target arch: macro definitions and expansion,
//! `%if`/`%ifarch`/`%ifnarch`/`%elif*`/`%else`/`%endif`, sections and preamble tags. What
//! it passes on is, per line, the text the shell would see, or why that is unknown.

use super::branches::{Branch, Conditionals, Imbalance, Keyword, Reach};
use super::condition;
use super::line_map::{Expansion, LineMap};
use super::unknown::{Unknown, Unknowns, clip, first_unknown};
use crate::catalogue::Catalogue;
use indexmap::IndexMap;
use std::collections::HashSet;

/// Bytes of expanded text one pass over a spec may make (its lines and its macro values):
/// far above any real spec, far below what doubling macros reach.
pub const MAX_EXPANSION: usize = 16 << 20;

/// What the command line says of macros: values (`--set`) and names it leaves undefined
/// (`--undefine`, as rpmbuild's option).
#[derive(Debug, Clone, Copy)]
pub struct Given<'a> {
    pub sets: &'a IndexMap<String, String>,
    pub undefined: &'a [String],
}

/// One physical line of the input, without its line ending.
#[derive(Debug, Clone)]
pub struct SourceLine {
    /// 1-based.
    pub number: usize,
    /// Byte offset of the line in the file.
    pub start: usize,
    pub text: String,
}

pub fn split_lines(text: &str) -> Vec<SourceLine> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let body = raw.strip_suffix('\n').unwrap_or(raw);
        let body = body.strip_suffix('\r').unwrap_or(body);
        lines.push(SourceLine { number: index.saturating_add(1), start, text: body.to_string() });
        start = start.saturating_add(raw.len());
    }
    lines
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Preamble,
    Build,
    Other,
}

/// A macro a line used, and the line that defined it (for provenance comments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// `%{block_drivers_rw_list}` or `$rbd_driver`.
    pub what: String,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub enum LineState {
    /// A conditional, a macro definition or a section header: rpm consumes it.
    Consumed,
    /// Under a false condition.
    Inactive,
    /// Passed on to the shell, with its macros expanded (`map` says where).
    Active { text: String, uses: Vec<Use>, map: LineMap },
    /// Under a condition that cannot be evaluated (the index of its `Unknown`).
    Unknown(usize),
}

/// A preamble tag: `Name`, `Version`, `ExclusiveArch`, `BuildArch`, `ExcludeArch`.
#[derive(Debug, Clone)]
pub struct Tag {
    /// Lower case.
    pub name: String,
    /// Expanded; may hold unknown markers.
    pub value: String,
    pub line: usize,
}

const TAGS: &[&str] = &["name", "version", "exclusivearch", "buildarch", "excludearch"];

/// Section headers (rpm's list), each at the start of a line.
const SECTIONS: &[&str] = &[
    "%prep",
    "%build",
    "%install",
    "%check",
    "%clean",
    "%files",
    "%changelog",
    "%package",
    "%description",
    "%pre",
    "%post",
    "%preun",
    "%postun",
    "%pretrans",
    "%posttrans",
    "%triggerin",
    "%triggerun",
    "%triggerpostun",
    "%verifyscript",
    "%generate_buildrequires",
    "%conf",
];

/// The result of reading a spec for one arch (or for none: the arch-independent pass).
#[derive(Debug)]
pub struct Pass {
    /// One entry per input line.
    pub lines: Vec<(Section, LineState)>,
    pub tags: Vec<Tag>,
    /// Arch names in `%ifarch`-like conditionals, expanded, in order of appearance.
    pub arch_names: Vec<String>,
    pub has_build: bool,
    /// `--set` names the pass used.
    pub used_sets: Vec<String>,
    /// Macro names the file refers to (for "did you mean" on an unused `--set`).
    pub referenced: Vec<String>,
    /// `%if`s left open at the end, `%else`/`%endif`s with no `%if`: the same for every arch.
    pub imbalances: Vec<Imbalance>,
    /// The line at which expansion passed `MAX_EXPANSION` (nothing after it was read).
    pub overflow: Option<usize>,
    /// `%{tools_only}` (RHEL 9's spec) or `%{drvpolicy_tools_only}` (a generated one) as the
    /// pass leaves it, `0` or `1`, and the line that defines it.
    pub tools_only: Option<(&'static str, bool, Option<usize>)>,
}

/// The macros that say a spec builds only the tools on an arch while it runs the same configure.
const TOOLS_ONLY_MACROS: [&str; 2] = ["drvpolicy_tools_only", "tools_only"];

#[derive(Debug, Clone)]
struct Macro {
    value: String,
    line: usize,
    /// Defined under a condition that cannot be evaluated: whether it is defined at all is
    /// unknown, and `value` is the marker saying why.
    maybe: bool,
}

/// What a macro name stands for at a point of the file.
enum Lookup {
    Value(String),
    /// Maybe defined: the marker of the unknown condition.
    Maybe(String),
    Missing,
    /// Not defined, for sure (`--undefine`).
    Undefined,
}

/// Names the file defines somewhere (`%define`, `%global`, `%bcond_*`): for these, "not
/// defined here" is a certain answer; for any other macro it means "not known".
fn defined_anywhere(lines: &[SourceLine]) -> HashSet<String> {
    let mut names = HashSet::new();
    for line in lines {
        let mut words = line.text.split_whitespace();
        match words.next() {
            Some("%define" | "%global" | "%undefine") => {
                if let Some(name) = words.next() {
                    names.insert(name.split('(').next().unwrap_or(name).to_string());
                }
            }
            Some("%bcond_with" | "%bcond_without") => {
                if let Some(name) = words.next() {
                    names.insert(format!("with_{name}"));
                }
            }
            _ => {}
        }
    }
    names
}

struct Walker<'a> {
    file: &'a str,
    arch: Option<&'a str>,
    sets: &'a IndexMap<String, String>,
    undefined: &'a [String],
    /// Bytes of expansion left, and the line being read when it ran out.
    budget: usize,
    line: usize,
    overflow: Option<usize>,
    anywhere: &'a HashSet<String>,
    unknowns: &'a mut Unknowns,
    macros: IndexMap<String, Macro>,
    used_sets: Vec<String>,
    referenced: Vec<String>,
}

/// Reads `lines` as rpm would for `arch` (`None`: conditionals on the arch are unknown).
pub fn walk(file: &str, lines: &[SourceLine], arch: Option<&str>, given: &Given, unknowns: &mut Unknowns) -> Pass {
    let anywhere = defined_anywhere(lines);
    let mut walker = Walker {
        file,
        arch,
        sets: given.sets,
        undefined: given.undefined,
        budget: MAX_EXPANSION,
        line: 0,
        overflow: None,
        anywhere: &anywhere,
        unknowns,
        macros: IndexMap::new(),
        used_sets: Vec::new(),
        referenced: Vec::new(),
    };
    let mut conditionals = Conditionals::default();
    let mut section = Section::Preamble;
    let mut out: Vec<(Section, LineState)> = Vec::with_capacity(lines.len());
    let mut tags = Vec::new();
    let mut arch_names: Vec<String> = Vec::new();
    let mut has_build = false;
    let mut i = 0usize;
    while let Some(line) = lines.get(i) {
        walker.line = line.number;
        if walker.overflow.is_some() {
            break;
        }
        let trimmed = line.text.trim_start();
        let (word, rest) = match trimmed.split_once(char::is_whitespace) {
            Some((w, r)) => (w, r.trim()),
            None => (trimmed, ""),
        };
        let state = line_state(&conditionals);
        match word {
            "%if" | "%ifarch" | "%ifnarch" | "%ifos" | "%ifnos" => {
                let at = Keyword::new(line.number, word);
                conditionals.open(at, "%endif", || walker.condition(word, rest, line, &mut arch_names));
                out.push((section, LineState::Consumed));
            }
            "%elif" | "%elifarch" | "%elifnarch" => {
                let directive = word.replacen("%el", "%", 1);
                let at = Keyword::new(line.number, word);
                conditionals.elif(at, || walker.condition(&directive, rest, line, &mut arch_names));
                out.push((section, LineState::Consumed));
            }
            "%else" => {
                conditionals.otherwise(Keyword::new(line.number, word));
                out.push((section, LineState::Consumed));
            }
            "%endif" => {
                conditionals.close(Keyword::new(line.number, word));
                out.push((section, LineState::Consumed));
            }
            "%define" | "%global" => {
                let mut body = rest.to_string();
                out.push((section, LineState::Consumed));
                // A value ending in `\` goes on on the next line (multi-line macros).
                while body.ends_with('\\')
                    && let Some(next) = lines.get(i.saturating_add(1))
                {
                    body.pop();
                    // `\\\` ends a line of the body with a shell continuation: rpm keeps one `\`.
                    if body.ends_with("\\\\") {
                        body.pop();
                    }
                    body.push('\n');
                    i = i.saturating_add(1);
                    body.push_str(&next.text);
                    out.push((section, LineState::Consumed));
                    if body.len() > MAX_EXPANSION {
                        walker.overflow = Some(line.number);
                        break;
                    }
                }
                walker.define(&body, line.number, &state);
            }
            "%undefine" => {
                match state {
                    LineState::Active { .. } => {
                        walker.macros.shift_remove(rest);
                    }
                    LineState::Unknown(_) => walker.define(rest, line.number, &state),
                    _ => {}
                }
                out.push((section, LineState::Consumed));
            }
            "%bcond_with" | "%bcond_without" => {
                // `%bcond_without X` builds with X unless told otherwise; `%bcond_with X` without.
                if word == "%bcond_without" {
                    walker.define(&format!("with_{rest} 1"), line.number, &state);
                }
                out.push((section, LineState::Consumed));
            }
            // Section headers start at the first column.
            _ if !line.text.starts_with(char::is_whitespace) && SECTIONS.contains(&word) => {
                section = if word == "%build" { Section::Build } else { Section::Other };
                has_build |= word == "%build";
                out.push((section, LineState::Consumed));
            }
            _ => {
                let state = match state {
                    LineState::Active { .. } => {
                        let mut uses = Vec::new();
                        let mut map = LineMap::default();
                        let text = walker.expand_mapped(&line.text, 0, &mut uses, Some(&mut map));
                        if section == Section::Preamble
                            && let Some(tag) = tag(&text, line.number)
                        {
                            tags.push(tag);
                        }
                        LineState::Active { text, uses, map }
                    }
                    other => other,
                };
                out.push((section, state));
            }
        }
        i = i.saturating_add(1);
    }
    // Lines not read after an overflow are inactive.
    out.resize_with(lines.len(), || (section, LineState::Inactive));
    let used_sets = walker.used_sets;
    let referenced = walker.referenced;
    let imbalances = conditionals.imbalances();
    let overflow = walker.overflow;
    // A `--set` wins over the file's definition, as it does for every lookup.
    let tools_only = TOOLS_ONLY_MACROS.iter().find_map(|name| {
        let defined = walker.macros.get(*name).filter(|m| !m.maybe);
        let value = walker.sets.get(*name).or(defined.map(|m| &m.value))?;
        let line = defined.map(|m| m.line);
        match value.trim() {
            "0" => Some((*name, false, line)),
            "1" => Some((*name, true, line)),
            _ => None,
        }
    });
    Pass { lines: out, tags, arch_names, has_build, used_sets, referenced, imbalances, overflow, tools_only }
}

fn line_state(conditionals: &Conditionals) -> LineState {
    match conditionals.reach() {
        Reach::Skipped => LineState::Inactive,
        Reach::Unknown(u) => LineState::Unknown(u),
        Reach::Runs => LineState::Active { text: String::new(), uses: Vec::new(), map: LineMap::default() },
    }
}

fn tag(text: &str, line: usize) -> Option<Tag> {
    let (name, value) = text.split_once(':')?;
    let name = name.trim().to_ascii_lowercase();
    TAGS.contains(&name.as_str()).then(|| Tag { name, value: value.trim().to_string(), line })
}

impl Walker<'_> {
    fn condition(&mut self, directive: &str, rest: &str, line: &SourceLine, arch_names: &mut Vec<String>) -> Branch {
        let mut uses = Vec::new();
        let expanded = self.expand(rest, 0, &mut uses);
        let written = format!("{directive} {rest}");
        let unknown = |walker: &mut Self, reason: String, help: Option<String>| {
            let mut u = Unknown::new(format!("`{}` (line {})", clip(written.trim(), 120), line.number), reason);
            u.help = help;
            Branch::Unknown(walker.unknowns.add(u))
        };
        if let Some(inner) = first_unknown(&expanded) {
            let inner = self.unknowns.get(inner).clone();
            return unknown(self, format!("it depends on {}: {}", inner.what, inner.reason), inner.help);
        }
        match directive {
            "%ifarch" | "%ifnarch" => {
                let names: Vec<&str> = expanded.split_whitespace().collect();
                for n in &names {
                    if !arch_names.iter().any(|a| a == n) {
                        arch_names.push(n.to_string());
                    }
                }
                match self.arch {
                    Some(arch) => {
                        let listed = names.contains(&arch);
                        if listed == (directive == "%ifarch") { Branch::Taken } else { Branch::NotTaken }
                    }
                    None => unknown(self, "it depends on the target arch".into(), None),
                }
            }
            "%ifos" | "%ifnos" => unknown(self, "it depends on the build system's OS".into(), None),
            _ => match condition::evaluate(&expanded) {
                Ok(true) => Branch::Taken,
                Ok(false) => Branch::NotTaken,
                Err(why) => unknown(self, format!("`{}` cannot be evaluated: {why}", clip(expanded.trim(), 120)), None),
            },
        }
    }

    fn define(&mut self, body: &str, line: usize, state: &LineState) {
        let (name, value) = match body.split_once(char::is_whitespace) {
            Some((n, v)) => (n, v.trim()),
            None => (body.trim(), ""),
        };
        if name.is_empty() {
            return;
        }
        let maybe = matches!(state, LineState::Unknown(_));
        let value = match state {
            LineState::Inactive | LineState::Consumed => return,
            LineState::Unknown(u) => {
                let condition = self.unknowns.get(*u).what.clone();
                let bare = name.split('(').next().unwrap_or(name);
                self.unknowns.marker(
                    Unknown::new(
                        format!("`%{{{bare}}}`"),
                        format!("it is defined at {}:{line} under {condition}, which cannot be evaluated", self.file),
                    )
                    .with_help(format!("pass --set {bare}=VALUE")),
                )
            }
            LineState::Active { .. } if name.ends_with(')') => self.unknowns.marker(Unknown::new(
                format!("`%{}`", name.split('(').next().unwrap_or(name)),
                "it is a macro with arguments, which the importer does not expand",
            )),
            LineState::Active { .. } => self.expand(value, 0, &mut Vec::new()),
        };
        let name = name.split('(').next().unwrap_or(name).to_string();
        self.macros.insert(name, Macro { value, line, maybe });
    }

    fn lookup(&mut self, name: &str, uses: &mut Vec<Use>) -> Lookup {
        if !self.referenced.iter().any(|r| r == name) {
            self.referenced.push(name.to_string());
        }
        if let Some(value) = self.sets.get(name) {
            if !self.used_sets.iter().any(|u| u == name) {
                self.used_sets.push(name.to_string());
            }
            return Lookup::Value(value.clone());
        }
        if self.undefined.iter().any(|u| u == name) {
            if !self.used_sets.iter().any(|u| u == name) {
                self.used_sets.push(name.to_string());
            }
            return Lookup::Undefined;
        }
        if let Some(m) = self.macros.get(name) {
            uses.push(Use { what: format!("%{{{name}}}"), line: m.line });
            return if m.maybe { Lookup::Maybe(m.value.clone()) } else { Lookup::Value(m.value.clone()) };
        }
        match name {
            "nil" => Lookup::Value(String::new()),
            "_arch" | "_target_cpu" => match self.arch {
                Some(arch) => Lookup::Value(arch.to_string()),
                None => {
                    Lookup::Maybe(self.unknowns.marker(Unknown::new(format!("`%{{{name}}}`"), "it is the target arch")))
                }
            },
            // rpm's arch group macros, as Red Hat's rpm defines them (see the catalogue).
            _ => match Catalogue::get().arch_group(name) {
                Some(group) => Lookup::Value(group.join(" ")),
                None => Lookup::Missing,
            },
        }
    }

    /// The value of `%{name}`, or a marker saying why it is not known.
    fn value(&mut self, name: &str, uses: &mut Vec<Use>) -> String {
        match self.lookup(name, uses) {
            Lookup::Value(v) | Lookup::Maybe(v) => v,
            // rpm leaves an undefined macro as written.
            Lookup::Undefined => format!("%{{{name}}}"),
            Lookup::Missing => self.undefined(name),
        }
    }

    /// Whether `name` is defined: `Ok(Some(value))`, `Ok(None)`, or `Err(marker)` when unknown.
    fn defined(&mut self, name: &str, uses: &mut Vec<Use>) -> Result<Option<String>, String> {
        match self.lookup(name, uses) {
            Lookup::Value(v) => Ok(Some(v)),
            Lookup::Maybe(marker) => Err(marker),
            Lookup::Undefined => Ok(None),
            Lookup::Missing if self.anywhere.contains(name) => Ok(None),
            Lookup::Missing => Err(self.undefined(name)),
        }
    }

    fn undefined(&mut self, name: &str) -> String {
        let reason = if self.anywhere.contains(name) {
            format!("{} defines it, but not for this arch at this point", self.file)
        } else {
            format!("{} does not define it (rpm's and the build system's own macros are not known)", self.file)
        };
        self.unknowns.marker(
            Unknown::new(format!("`%{{{name}}}`"), reason)
                .with_help(format!("pass --set {name}=VALUE, or --undefine {name} if the build does not define it")),
        )
    }

    /// Expands macros in `text`; what cannot be expanded becomes an unknown marker.
    fn expand(&mut self, text: &str, depth: usize, uses: &mut Vec<Use>) -> String {
        self.expand_mapped(text, depth, uses, None)
    }

    /// `expand`, recording in `map` where each macro of `text` (not of the values it
    /// expands to) was and what it became.
    fn expand_mapped(
        &mut self,
        text: &str,
        depth: usize,
        uses: &mut Vec<Use>,
        mut map: Option<&mut LineMap>,
    ) -> String {
        if depth > 16 {
            return self.unknowns.marker(Unknown::new(format!("`{text}`"), "macros nest too deeply"));
        }
        if self.overflow.is_some() {
            return String::new();
        }
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        // Chars of `out` so far (for the map), counted as they come.
        let mut out_chars = 0usize;
        let mut i = 0usize;
        while let Some(&c) = chars.get(i) {
            if c != '%' {
                out.push(c);
                out_chars = out_chars.saturating_add(1);
                i = i.saturating_add(1);
                continue;
            }
            let (written_start, expanded_start) = (i, out_chars);
            let mut piece = String::new();
            match chars.get(i.saturating_add(1)) {
                Some('%') => {
                    piece.push('%');
                    i = i.saturating_add(2);
                }
                Some(open @ ('{' | '(' | '[')) => {
                    let close = match open {
                        '{' => '}',
                        '(' => ')',
                        _ => ']',
                    };
                    let Some(end) = matching(&chars, i.saturating_add(1), *open, close) else {
                        out.extend(chars.get(i..).unwrap_or_default());
                        break;
                    };
                    let body: String = chars.get(i.saturating_add(2)..end).unwrap_or_default().iter().collect();
                    let written: String = chars.get(i..=end).unwrap_or_default().iter().collect();
                    piece = match open {
                        '{' => self.braced(&body, &written, depth, uses),
                        '(' => self.unknowns.marker(Unknown::new(
                            format!("`{written}`"),
                            "it is the output of a shell command, which the importer does not run",
                        )),
                        _ => self.unknowns.marker(Unknown::new(
                            format!("`{written}`"),
                            "it is an rpm expression, which the importer does not evaluate",
                        )),
                    };
                    i = end.saturating_add(1);
                }
                Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
                    let start = i.saturating_add(1);
                    let mut end = start;
                    while chars.get(end).is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_') {
                        end = end.saturating_add(1);
                    }
                    let name: String = chars.get(start..end).unwrap_or_default().iter().collect();
                    piece = self.value(&name, uses);
                    i = end;
                }
                Some(c) if c.is_ascii_digit() || *c == '*' || *c == '#' => {
                    piece = self
                        .unknowns
                        .marker(Unknown::new(format!("`%{c}`"), "it is an argument of a macro with arguments"));
                    i = i.saturating_add(2);
                }
                _ => {
                    piece.push('%');
                    i = i.saturating_add(1);
                }
            }
            if !self.spend(piece.len()) {
                return String::new();
            }
            out_chars = out_chars.saturating_add(piece.chars().count());
            out.push_str(&piece);
            if let Some(map) = map.as_deref_mut() {
                map.push(Expansion { written: written_start..i, expanded: expanded_start..out_chars });
            }
        }
        out
    }

    /// Takes `bytes` from the expansion budget; false (and the line noted) when it is spent.
    fn spend(&mut self, bytes: usize) -> bool {
        match self.budget.checked_sub(bytes) {
            Some(left) => {
                self.budget = left;
                true
            }
            None => {
                self.overflow.get_or_insert(self.line);
                self.budget = 0;
                false
            }
        }
    }

    /// `%{name}`, `%{?name}`, `%{?name:value}`, `%{!?name:value}`, `%{with x}`, `%{expand:..}`.
    fn braced(&mut self, body: &str, written: &str, depth: usize, uses: &mut Vec<Use>) -> String {
        let (negated, conditional, rest) = if let Some(r) = body.strip_prefix("!?") {
            (true, true, r)
        } else if let Some(r) = body.strip_prefix("?!") {
            (true, true, r)
        } else if let Some(r) = body.strip_prefix('?') {
            (false, true, r)
        } else {
            (false, false, body)
        };
        if conditional {
            let (name, value) = match rest.split_once(':') {
                Some((n, v)) => (n, Some(v)),
                None => (rest, None),
            };
            let defined = match self.defined(name, uses) {
                Ok(d) => d,
                Err(marker) => return marker,
            };
            return match (negated, defined, value) {
                (false, Some(v), None) => v,
                (false, Some(_), Some(value)) | (true, None, Some(value)) => {
                    self.expand(value, depth.saturating_add(1), uses)
                }
                _ => String::new(),
            };
        }
        if let Some((function, argument)) = body.split_once(char::is_whitespace) {
            let argument = argument.trim();
            return match function {
                "defined" | "undefined" => {
                    let defined = match self.defined(argument, uses) {
                        Ok(d) => d.is_some(),
                        Err(marker) => return marker,
                    };
                    if defined == (function == "defined") { "1" } else { "0" }.to_string()
                }
                "with" | "without" => {
                    let name = format!("with_{argument}");
                    let on = match self.defined(&name, uses) {
                        Ok(d) => d.is_some(),
                        Err(marker) => return marker,
                    };
                    if on == (function == "with") { "1" } else { "0" }.to_string()
                }
                _ => self.unknowns.marker(Unknown::new(
                    format!("`{written}`"),
                    format!("`%{{{function}}}` with arguments is not expanded by the importer"),
                )),
            };
        }
        if let Some(value) = body.strip_prefix("expand:") {
            return self.expand(value, depth.saturating_add(1), uses);
        }
        if body.contains(':') {
            return self
                .unknowns
                .marker(Unknown::new(format!("`{written}`"), "this built-in macro is not expanded by the importer"));
        }
        self.value(body, uses)
    }
}

/// The index of the `close` that matches the `open` at `start`.
fn matching(chars: &[char], start: usize, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, c) in chars.get(start..)?.iter().enumerate() {
        if *c == open {
            depth = depth.saturating_add(1);
        } else if *c == close {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return start.checked_add(offset);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::unknown::pieces;

    fn active(pass: &Pass, line: usize) -> Option<String> {
        match &pass.lines[line - 1].1 {
            LineState::Active { text, .. } => Some(text.clone()),
            _ => None,
        }
    }

    const SPEC: &str = "\
%define rhev 0
%bcond_with guest_agent
%ifnarch x86_64
    %global build_only_sub 1
%endif
%global rw_list qcow2,raw
Name: qemu-kvm%{?pkgsuffix}
%global pkgsuffix %{nil}
%build
%if 0%{!?build_only_sub:1}
./configure \\
%if %{rhev}
    --enable-live-block-ops \\
%else
    --disable-live-block-ops \\
%endif
%if %{with guest_agent}
    --enable-guest-agent \\
%endif
%if 0%{?rhel} >= 7
    --enable-fancy \\
%endif
    --block-drv-rw-whitelist=%{rw_list} \\
    --prefix=%{_prefix}
%else
./configure
%endif
";

    #[test]
    fn conditionals_per_arch() {
        let lines = split_lines(SPEC);
        let mut unknowns = Unknowns::default();
        let sets = IndexMap::new();
        let given = Given { sets: &sets, undefined: &[] };
        let x86 = walk("q.spec", &lines, Some("x86_64"), &given, &mut unknowns);
        assert!(x86.has_build);
        assert_eq!(active(&x86, 11).as_deref(), Some("./configure \\"));
        assert_eq!(active(&x86, 13), None, "rhev is 0");
        assert_eq!(active(&x86, 15).as_deref(), Some("    --disable-live-block-ops \\"));
        assert_eq!(active(&x86, 18), None, "guest_agent is a bcond_with");
        assert_eq!(active(&x86, 23).as_deref(), Some("    --block-drv-rw-whitelist=qcow2,raw \\"));
        assert_eq!(active(&x86, 26), None);
        // `%if 0%{?rhel} >= 7`: rhel is not defined in the file, so the line is unknown.
        let LineState::Unknown(u) = x86.lines[20].1 else { panic!("line 21 should be unknown") };
        assert!(unknowns.get(u).what.contains("%if 0%{?rhel} >= 7"), "{:?}", unknowns.get(u));
        assert!(unknowns.get(u).reason.contains("%{rhel}"), "{:?}", unknowns.get(u));
        // --prefix keeps a marker for the unknown %{_prefix}.
        let prefix = active(&x86, 24).unwrap();
        assert!(first_unknown(&prefix).is_some());
        assert_eq!(pieces(&prefix)[0], crate::import::unknown::Piece::Text("    --prefix=".into()));

        let aarch = walk("q.spec", &lines, Some("aarch64"), &given, &mut unknowns);
        assert_eq!(active(&aarch, 11), None);
        assert_eq!(active(&aarch, 26).as_deref(), Some("./configure"));
        assert_eq!(x86.arch_names, ["x86_64"]);
    }

    #[test]
    fn sets_win_and_tags_expand() {
        let lines = split_lines(SPEC);
        let mut unknowns = Unknowns::default();
        let sets: IndexMap<String, String> = [("rhev".to_string(), "1".to_string())].into_iter().collect();
        let given = Given { sets: &sets, undefined: &[] };
        let pass = walk("q.spec", &lines, Some("x86_64"), &given, &mut unknowns);
        assert_eq!(active(&pass, 13).as_deref(), Some("    --enable-live-block-ops \\"));
        assert_eq!(pass.used_sets, ["rhev"]);
        // pkgsuffix is defined after Name:, so at that point it is certainly undefined: empty.
        let name = pass.tags.iter().find(|t| t.name == "name").unwrap();
        assert_eq!(name.value, "qemu-kvm");
        let none = walk("q.spec", &lines, None, &given, &mut unknowns);
        assert!(matches!(none.lines[10].1, LineState::Unknown(_)), "build_only_sub depends on the arch");
    }

    #[test]
    fn groups_and_multi_line_macros() {
        let text = "%define conflicts() \\\nConflicts: %1 \\\n    %if 0\n%ifarch %{power64}\nppc\n%endif\n";
        let lines = split_lines(text);
        let mut unknowns = Unknowns::default();
        let pass =
            walk("q.spec", &lines, Some("ppc64le"), &Given { sets: &IndexMap::new(), undefined: &[] }, &mut unknowns);
        assert!(matches!(pass.lines[2].1, LineState::Consumed), "the macro body is not a conditional");
        assert_eq!(active(&pass, 5).as_deref(), Some("ppc"));
        assert_eq!(pass.arch_names, ["ppc64", "ppc64le", "ppc64p7"]);
    }

    #[test]
    fn conditionals_that_do_not_balance_are_kept_with_their_lines() {
        let lines = split_lines("%endif\n%if 1\n%ifarch x86_64\n%endif\n%else\n./configure\n");
        let mut unknowns = Unknowns::default();
        let pass =
            walk("q.spec", &lines, Some("x86_64"), &Given { sets: &IndexMap::new(), undefined: &[] }, &mut unknowns);
        assert_eq!(
            pass.imbalances,
            [
                Imbalance::Stray { at: Keyword::new(1, "%endif") },
                Imbalance::Unclosed { at: Keyword::new(2, "%if"), closer: "%endif" },
            ]
        );
        // The `%else` belongs to line 2's `%if`, which ran: its branch does not.
        assert_eq!(active(&pass, 6), None);
    }

    #[test]
    fn defined_undefined_and_undefine() {
        let text = "%global a 1\n%if %{defined a} && %{undefined b}\nyes\n%endif\n%if %{defined flatpak}\nflat\n%endif\n%global b 2\n";
        let lines = split_lines(text);
        let mut unknowns = Unknowns::default();
        let sets = IndexMap::new();
        let pass = walk("q.spec", &lines, Some("x86_64"), &Given { sets: &sets, undefined: &[] }, &mut unknowns);
        assert_eq!(active(&pass, 3).as_deref(), Some("yes"));
        assert!(matches!(pass.lines[5].1, LineState::Unknown(_)), "flatpak may be defined by the build");
        let undefined = ["flatpak".to_string()];
        let pass = walk("q.spec", &lines, Some("x86_64"), &Given { sets: &sets, undefined: &undefined }, &mut unknowns);
        assert!(matches!(pass.lines[5].1, LineState::Inactive));
        assert_eq!(pass.used_sets, ["flatpak"]);
    }

    #[test]
    fn doubling_macros_stop_at_the_limit() {
        let mut text = "%global a0 xxxxxxxxxxxxxxxx\n".to_string();
        for n in 1..=33 {
            text.push_str(&format!("%global a{n} %{{a{}}}%{{a{}}}\n", n - 1, n - 1));
        }
        text.push_str("%build\n./configure %{a33}\n");
        let lines = split_lines(&text);
        let mut unknowns = Unknowns::default();
        let pass =
            walk("q.spec", &lines, Some("x86_64"), &Given { sets: &IndexMap::new(), undefined: &[] }, &mut unknowns);
        let line = pass.overflow.expect("an overflow");
        assert!(line > 10 && line < 30, "{line}");
    }

    #[test]
    fn line_offsets_and_crlf() {
        let lines = split_lines("a\r\nbb\nc");
        assert_eq!(
            lines.iter().map(|l| (l.start, l.text.as_str())).collect::<Vec<_>>(),
            [(0, "a"), (3, "bb"), (6, "c")]
        );
    }
}
