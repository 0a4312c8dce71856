//! `sync`: keeps the generated regions of a spec file current. A region is the lines between
//! `# drvpolicy:begin PROFILE [style=inline|globals|macros|buildrequires]` and
//! `# drvpolicy:end`; only those lines change. One spec may hold regions of several profiles
//! (a `%if %{rhev}` spec of qemu-kvm and qemu-kvm-rhev), each generated from the profile its
//! marker names. The file is handled as bytes, so that everything outside the regions, line
//! endings and a missing final newline included, stays exactly as it was.

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Failure, Result, did_you_mean};
use crate::generate::spec::SpecStyle;
use crate::source::{FileId, Span};
use serde::Serialize;
use std::ops::Range;

const BEGIN: &str = "# drvpolicy:begin";
const END: &str = "# drvpolicy:end";

/// What a region holds: a `generate spec` snippet of a style, or `generate buildrequires`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Inline,
    Globals,
    Macros,
    BuildRequires,
}

impl Kind {
    const NAMES: [&str; 4] = ["inline", "globals", "macros", "buildrequires"];

    fn parse(text: &str) -> Option<Kind> {
        match text {
            "buildrequires" => Some(Kind::BuildRequires),
            other => SpecStyle::parse(other).map(Kind::from),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Inline => "inline",
            Kind::Globals => "globals",
            Kind::Macros => "macros",
            Kind::BuildRequires => "buildrequires",
        }
    }
}

impl From<SpecStyle> for Kind {
    fn from(style: SpecStyle) -> Kind {
        match style {
            SpecStyle::Inline => Kind::Inline,
            SpecStyle::Globals => Kind::Globals,
            SpecStyle::Macros => Kind::Macros,
        }
    }
}

/// One generated region of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub profile: String,
    #[serde(rename = "style")]
    pub kind: Kind,
    /// 1-based line numbers of the markers.
    pub begin_line: usize,
    pub end_line: usize,
    /// The bytes between the markers.
    #[serde(skip)]
    pub content: Range<usize>,
    /// The begin marker's line ending, used for the generated lines.
    #[serde(skip)]
    pub crlf: bool,
    /// The profile name in the begin marker, for diagnostics.
    #[serde(skip)]
    pub name_span: Option<Span>,
}

struct Line<'a> {
    number: usize,
    range: Range<usize>,
    /// Without its line ending.
    text: std::borrow::Cow<'a, str>,
    crlf: bool,
}

fn lines(bytes: &[u8]) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (index, raw) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let body = raw.strip_suffix(b"\n").unwrap_or(raw);
        let crlf = body.ends_with(b"\r") && raw.ends_with(b"\n");
        let body = if crlf { &body[..body.len() - 1] } else { body };
        out.push(Line {
            number: index + 1,
            range: start..start + raw.len(),
            text: String::from_utf8_lossy(body),
            crlf,
        });
        start += raw.len();
    }
    out
}

/// `# drvpolicy:begin` or `# drvpolicy:end` followed by blanks or nothing.
fn marker<'t>(text: &'t str, marker: &str) -> Option<&'t str> {
    let rest = text.trim().strip_prefix(marker)?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then_some(rest.trim())
}

struct Problems<'a> {
    file: Option<FileId>,
    name: &'a str,
}

impl Problems<'_> {
    fn error(&self, code: Code, line: &Line, message: String, label: &str) -> Failure {
        let mut d = Diagnostic::error(code, format!("{}:{}: {message}", self.name, line.number));
        if let Some(file) = self.file {
            let trimmed = line.text.len() - line.text.trim_start().len();
            let start = line.range.start + trimmed;
            d = d.at(&Span::new(file, start..line.range.start + line.text.len()), label);
        }
        Failure::single(d.with_help("the file is left as it was"))
    }
}

/// The regions of `bytes`, or with `only` those of that profile. Missing or unbalanced
/// markers, an unknown style, or no region of `only` are errors. `file` gives spans for the
/// diagnostics (only when the file is UTF-8, so that byte offsets match the text).
pub fn regions(bytes: &[u8], file: Option<FileId>, name: &str, only: Option<&str>) -> Result<Vec<Region>> {
    let problems = Problems { file, name };
    let mut out = Vec::new();
    let mut open: Option<Region> = None;
    for line in lines(bytes) {
        // A byte-order mark before a marker on the first line is not part of the marker.
        let text = if line.number == 1 { line.text.strip_prefix('\u{feff}').unwrap_or(&line.text) } else { &line.text };
        if let Some(rest) = marker(text, BEGIN) {
            if let Some(region) = &open {
                return Err(problems.error(
                    Code::UnbalancedMarkers,
                    &line,
                    format!("a second begin marker inside the region opened on line {}", region.begin_line),
                    "add `# drvpolicy:end` before this line",
                ));
            }
            let mut words = rest.split_whitespace();
            let Some(named) = words.next() else {
                return Err(problems.error(
                    Code::BadMarker,
                    &line,
                    "the begin marker names no profile".into(),
                    &format!("expected `# drvpolicy:begin {}`", only.unwrap_or("PROFILE")),
                ));
            };
            let mut kind = Kind::Inline;
            for word in words {
                match word.split_once('=') {
                    Some(("style", value)) => match Kind::parse(value) {
                        Some(k) => kind = k,
                        None => {
                            let mut failure = problems.error(
                                Code::BadMarker,
                                &line,
                                format!("unknown style `{value}`"),
                                &Kind::NAMES.join(", "),
                            );
                            if let Some(hint) = did_you_mean(value, Kind::NAMES) {
                                failure.diagnostics[0].help = Some(format!("{hint} (the file is left as it was)"));
                            }
                            return Err(failure);
                        }
                    },
                    _ => {
                        return Err(problems.error(
                            Code::BadMarker,
                            &line,
                            format!("`{word}` is not a setting of the begin marker"),
                            "expected style=inline, globals, macros or buildrequires",
                        ));
                    }
                }
            }
            let name_span = file.and_then(|f| {
                let at = line.text.find(named)?;
                Some(Span::new(f, line.range.start + at..line.range.start + at + named.len()))
            });
            open = Some(Region {
                profile: named.to_string(),
                kind,
                begin_line: line.number,
                end_line: 0,
                content: line.range.end..line.range.end,
                crlf: line.crlf,
                name_span,
            });
        } else if marker(text, END).is_some() {
            let Some(mut region) = open.take() else {
                return Err(problems.error(
                    Code::UnbalancedMarkers,
                    &line,
                    "an end marker without a begin marker before it".into(),
                    "add `# drvpolicy:begin PROFILE` before this line",
                ));
            };
            region.end_line = line.number;
            region.content = region.content.start..line.range.start;
            out.push(region);
        }
    }
    if let Some(region) = open {
        let lines = lines(bytes);
        let line = &lines[region.begin_line - 1];
        return Err(problems.error(
            Code::UnbalancedMarkers,
            line,
            "this region has no `# drvpolicy:end`".into(),
            "the region starts here",
        ));
    }
    if out.is_empty() {
        let marker = format!("{BEGIN} {}", only.unwrap_or("PROFILE"));
        return Err(Failure::single(
            Diagnostic::error(Code::NoMarkers, format!("{name} has no `{marker}` marker")).with_help(format!(
                "put `{marker}` and `{END}` lines where the generated lines go (the file is left as it was)"
            )),
        ));
    }
    if let Some(profile) = only {
        let named: Vec<&str> = out.iter().map(|r| r.profile.as_str()).collect();
        if !named.contains(&profile) {
            let mut diagnostic = Diagnostic::error(
                Code::OtherProfile,
                format!("{name} has no region of `{profile}`: its regions are generated from {}", quoted(&named)),
            );
            if let Some(span) = &out[0].name_span {
                diagnostic = diagnostic.at(span, "this region names another profile");
            }
            return Err(Failure::single(diagnostic.with_help(format!(
                "run `drvpolicy sync {name}` to sync every region, or change the marker (the file is left as it was)"
            ))));
        }
        out.retain(|r| r.profile == profile);
    }
    Ok(out)
}

fn quoted(names: &[&str]) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for name in names {
        if !unique.contains(name) {
            unique.push(name);
        }
    }
    unique.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// The file with each region's lines replaced, and which regions changed.
pub struct Plan {
    pub bytes: Vec<u8>,
    pub stale: Vec<bool>,
}

/// Puts `generated[i]` (lines ending in `\n`) into region `i`, with the region's line endings.
pub fn plan(bytes: &[u8], regions: &[Region], generated: &[String]) -> Plan {
    let mut out = Vec::with_capacity(bytes.len());
    let mut stale = Vec::new();
    let mut position = 0;
    for (region, text) in regions.iter().zip(generated) {
        let mut text = text.clone();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        let fresh = if region.crlf { text.replace('\n', "\r\n") } else { text };
        out.extend_from_slice(&bytes[position..region.content.start]);
        out.extend_from_slice(fresh.as_bytes());
        stale.push(&bytes[region.content.clone()] != fresh.as_bytes());
        position = region.content.end;
    }
    out.extend_from_slice(&bytes[position..]);
    Plan { bytes: out, stale }
}

/// The unified diff of the file before and after, for the `sync-diff.j2` template.
pub fn diff(old: &[u8], new: &[u8], old_name: &str, new_name: &str) -> crate::unified::UnifiedDiff {
    crate::unified::unified(old_name, new_name, &String::from_utf8_lossy(old), &String::from_utf8_lossy(new))
}

/// What `sync` did or would do to one file, for people (`sync.txt.j2`) and machines.
/// `sync --format json`: every file synced or checked (a file that fails is on stderr).
#[derive(Debug, Serialize)]
pub struct SyncRun<'a> {
    pub check: bool,
    /// Some region of some file is stale.
    pub stale: bool,
    pub files: &'a [SyncView],
}

#[derive(Debug, Serialize)]
pub struct SyncView {
    pub file: String,
    pub check: bool,
    /// Some region differs from what its profile generates.
    pub stale: bool,
    /// The file is to be rewritten (never with `check`).
    pub written: bool,
    pub regions: Vec<RegionView>,
    /// The unified diff of the change (stale only).
    pub diff: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RegionView {
    pub profile: String,
    pub begin_line: usize,
    pub end_line: usize,
    pub style: Kind,
    pub stale: bool,
}

/// The regions of `spec` (the file `file`) regenerated, each from its profile's policy
/// (`policy` gives it by name; every region's profile must be there): the view and the new bytes.
pub fn regenerate<'p>(
    spec: &[u8],
    regions: &[Region],
    policy: impl Fn(&str) -> &'p crate::policy::Policy,
    renderer: &crate::render::Renderer,
    sources: &crate::source::Sources,
    file: &str,
    check: bool,
) -> Result<(SyncView, Vec<u8>)> {
    let mut generated = Vec::new();
    for region in regions {
        let policy = policy(&region.profile);
        let text = match region.kind {
            Kind::BuildRequires => {
                let (view, _) = crate::generate::buildrequires::view(policy, sources)?;
                renderer.render("buildrequires.j2", view)?
            }
            Kind::Inline => renderer.render("spec.j2", crate::generate::spec::view(policy, SpecStyle::Inline)?)?,
            Kind::Globals => renderer.render("spec.j2", crate::generate::spec::view(policy, SpecStyle::Globals)?)?,
            Kind::Macros => renderer.render("spec.j2", crate::generate::spec::view(policy, SpecStyle::Macros)?)?,
        };
        generated.push(text);
    }
    let plan = plan(spec, regions, &generated);
    let stale = plan.stale.iter().any(|s| *s);
    let diff = if stale {
        let view = diff(spec, &plan.bytes, &format!("a/{file}"), &format!("b/{file}"));
        Some(renderer.render("sync-diff.j2", serde_json::json!({ "diff": view }))?)
    } else {
        None
    };
    let view = SyncView {
        file: file.to_string(),
        check,
        stale,
        written: stale && !check,
        regions: regions
            .iter()
            .zip(&plan.stale)
            .map(|(r, s)| RegionView {
                profile: r.profile.clone(),
                begin_line: r.begin_line,
                end_line: r.end_line,
                style: r.kind,
                stale: *s,
            })
            .collect(),
        diff,
    };
    Ok((view, plan.bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &[u8] =
        b"Name: q\r\n%build\n# drvpolicy:begin rhel-7.3 style=globals\r\nold\r\n# drvpolicy:end\r\nmake";

    #[test]
    fn regions_are_found_with_their_style_and_line_ending() {
        let r = regions(SPEC, None, "q.spec", Some("rhel-7.3")).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].begin_line, r[0].end_line, r[0].kind, r[0].crlf), (3, 5, Kind::Globals, true));
        assert_eq!(&SPEC[r[0].content.clone()], b"old\r\n");
    }

    #[test]
    fn only_the_region_changes() {
        let r = regions(SPEC, None, "q.spec", Some("rhel-7.3")).unwrap();
        let plan = plan(SPEC, &r, &["new 1\nnew 2\n".to_string()]);
        assert_eq!(plan.stale, [true]);
        assert_eq!(
            plan.bytes,
            b"Name: q\r\n%build\n# drvpolicy:begin rhel-7.3 style=globals\r\nnew 1\r\nnew 2\r\n# drvpolicy:end\r\nmake"
        );
        let again = super::plan(
            &plan.bytes,
            &regions(&plan.bytes, None, "q.spec", Some("rhel-7.3")).unwrap(),
            &["new 1\nnew 2\n".into()],
        );
        assert_eq!(again.stale, [false]);
        assert_eq!(again.bytes, plan.bytes);
    }

    #[test]
    fn bad_markers_are_errors() {
        let code = |bytes: &[u8]| regions(bytes, None, "q.spec", Some("rhel-7.3")).unwrap_err().diagnostics[0].code;
        assert_eq!(code(b"no markers\n"), Code::NoMarkers);
        assert_eq!(code(b"# drvpolicy:begin rhel-7.3\nx\n"), Code::UnbalancedMarkers);
        assert_eq!(code(b"# drvpolicy:end\n"), Code::UnbalancedMarkers);
        assert_eq!(
            code(b"# drvpolicy:begin rhel-7.3\n# drvpolicy:begin rhel-7.3\n# drvpolicy:end\n"),
            Code::UnbalancedMarkers
        );
        assert_eq!(code(b"# drvpolicy:begin rhel-7.2\n# drvpolicy:end\n"), Code::OtherProfile);
        assert_eq!(code(b"# drvpolicy:begin rhel-7.3 style=global\n# drvpolicy:end\n"), Code::BadMarker);
        assert_eq!(code(b"# drvpolicy:begin\n# drvpolicy:end\n"), Code::BadMarker);
        // Not markers: other words after the prefix.
        assert_eq!(code(b"# drvpolicy:beginning\n"), Code::NoMarkers);
    }

    #[test]
    fn regions_of_several_profiles_each_name_theirs() {
        let spec = b"%if %{rhev}\n# drvpolicy:begin rhel-7.3-rhev style=macros\n# drvpolicy:end\n%else\n# drvpolicy:begin rhel-7.3\n# drvpolicy:end\n%endif\n# drvpolicy:begin rhel-7.3 style=buildrequires\n# drvpolicy:end\n";
        let all = regions(spec, None, "q.spec", None).unwrap();
        let named: Vec<(&str, Kind)> = all.iter().map(|r| (r.profile.as_str(), r.kind)).collect();
        assert_eq!(
            named,
            [("rhel-7.3-rhev", Kind::Macros), ("rhel-7.3", Kind::Inline), ("rhel-7.3", Kind::BuildRequires)]
        );
        let only = regions(spec, None, "q.spec", Some("rhel-7.3")).unwrap();
        assert_eq!(only.iter().map(|r| r.begin_line).collect::<Vec<_>>(), [5, 8]);
        let other = regions(spec, None, "q.spec", Some("rhel-7.2")).unwrap_err();
        assert_eq!(other.diagnostics[0].code, Code::OtherProfile);
    }

    #[test]
    fn a_byte_order_mark_before_the_begin_marker_is_kept_and_not_in_the_way() {
        let spec = "\u{feff}# drvpolicy:begin rhel-7.3\nold\n# drvpolicy:end\n".as_bytes();
        let r = regions(spec, None, "q.spec", None).unwrap();
        assert_eq!((r[0].begin_line, r[0].end_line), (1, 3));
        let plan = plan(spec, &r, &["new\n".to_string()]);
        assert_eq!(plan.bytes, "\u{feff}# drvpolicy:begin rhel-7.3\nnew\n# drvpolicy:end\n".as_bytes());
    }

    #[test]
    fn the_diff_shows_a_missing_final_newline() {
        let view = diff(b"a\nb", b"a\nc", "a/x", "b/x");
        assert_eq!(view.hunks.len(), 1);
        assert_eq!(view.hunks[0].header, "@@ -1,2 +1,2 @@");
        let signs: Vec<(&str, &str, bool)> =
            view.hunks[0].lines.iter().map(|l| (l.sign, l.text.as_str(), l.missing_newline)).collect();
        assert_eq!(signs, [(" ", "a", false), ("-", "b", true), ("+", "c", true)]);
    }
}
