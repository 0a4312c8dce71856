//! `sync`: keeps the generated region of a spec file current. A region is the lines between
//! `# drvpolicy:begin PROFILE [style=inline|globals]` and `# drvpolicy:end`; only those
//! lines change. The file is handled as bytes, so that everything outside the regions,
//! line endings and a missing final newline included, stays exactly as it was.

use crate::diagnostic::{Diagnostic, Failure, Result, did_you_mean};
use crate::generate::spec::SpecStyle;
use crate::source::{FileId, Span};
use serde::Serialize;
use std::ops::Range;

const BEGIN: &str = "# drvpolicy:begin";
const END: &str = "# drvpolicy:end";

/// One generated region of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub profile: String,
    pub style: SpecStyle,
    /// 1-based line numbers of the markers.
    pub begin_line: usize,
    pub end_line: usize,
    /// The bytes between the markers.
    #[serde(skip)]
    pub content: Range<usize>,
    /// The begin marker's line ending, used for the generated lines.
    #[serde(skip)]
    pub crlf: bool,
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
    fn error(&self, code: &'static str, line: &Line, message: String, label: &str) -> Failure {
        let mut d = Diagnostic::error(code, format!("{}:{}: {message}", self.name, line.number));
        if let Some(file) = self.file {
            let trimmed = line.text.len() - line.text.trim_start().len();
            let start = line.range.start + trimmed;
            d = d.at(&Span::new(file, start..line.range.start + line.text.len()), label);
        }
        Failure::single(d.with_help("the file is left as it was"))
    }
}

/// The regions of `bytes` for `profile`. Missing or unbalanced markers, a marker naming
/// another profile or an unknown style are errors. `file` gives spans for the diagnostics
/// (only when the file is UTF-8, so that byte offsets match the text).
pub fn regions(bytes: &[u8], file: Option<FileId>, name: &str, profile: &str) -> Result<Vec<Region>> {
    let problems = Problems { file, name };
    let mut out = Vec::new();
    let mut open: Option<Region> = None;
    for line in lines(bytes) {
        // A byte-order mark before a marker on the first line is not part of the marker.
        let text = if line.number == 1 { line.text.strip_prefix('\u{feff}').unwrap_or(&line.text) } else { &line.text };
        if let Some(rest) = marker(text, BEGIN) {
            if let Some(region) = &open {
                return Err(problems.error(
                    "unbalanced-markers",
                    &line,
                    format!("a second begin marker inside the region opened on line {}", region.begin_line),
                    "add `# drvpolicy:end` before this line",
                ));
            }
            let mut words = rest.split_whitespace();
            let Some(named) = words.next() else {
                return Err(problems.error(
                    "bad-marker",
                    &line,
                    "the begin marker names no profile".into(),
                    format!("expected `# drvpolicy:begin {profile}`").as_str(),
                ));
            };
            if named != profile {
                return Err(problems.error(
                    "other-profile",
                    &line,
                    format!("this region is generated from `{named}`, not `{profile}`"),
                    &format!("run `drvpolicy sync {name} {named}`, or change the marker"),
                ));
            }
            let mut style = SpecStyle::Inline;
            for word in words {
                match word.split_once('=') {
                    Some(("style", "inline")) => style = SpecStyle::Inline,
                    Some(("style", "globals")) => style = SpecStyle::Globals,
                    Some(("style", other)) => {
                        let mut failure = problems.error(
                            "bad-marker",
                            &line,
                            format!("unknown style `{other}`"),
                            "inline or globals",
                        );
                        if let Some(hint) = did_you_mean(other, ["inline", "globals"]) {
                            failure.diagnostics[0].help = Some(format!("{hint} (the file is left as it was)"));
                        }
                        return Err(failure);
                    }
                    _ => {
                        return Err(problems.error(
                            "bad-marker",
                            &line,
                            format!("`{word}` is not a setting of the begin marker"),
                            "expected style=inline or style=globals",
                        ));
                    }
                }
            }
            open = Some(Region {
                profile: profile.to_string(),
                style,
                begin_line: line.number,
                end_line: 0,
                content: line.range.end..line.range.end,
                crlf: line.crlf,
            });
        } else if marker(text, END).is_some() {
            let Some(mut region) = open.take() else {
                return Err(problems.error(
                    "unbalanced-markers",
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
            "unbalanced-markers",
            line,
            "this region has no `# drvpolicy:end`".into(),
            "the region starts here",
        ));
    }
    if out.is_empty() {
        return Err(Failure::single(
            Diagnostic::error("no-markers", format!("{name} has no `{BEGIN} {profile}` marker")).with_help(format!(
                "put `{BEGIN} {profile}` and `{END}` lines where the generated lines go (the file is left as it was)"
            )),
        ));
    }
    Ok(out)
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

/// What `sync` did or would do, for people (`sync.txt.j2`) and machines.
#[derive(Debug, Serialize)]
pub struct SyncView {
    pub file: String,
    pub profile: String,
    pub check: bool,
    /// Some region differs from what the profile generates.
    pub stale: bool,
    /// The file is to be rewritten (never with `check`).
    pub written: bool,
    pub regions: Vec<RegionView>,
    /// The unified diff of the change (stale only).
    pub diff: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RegionView {
    pub begin_line: usize,
    pub end_line: usize,
    pub style: SpecStyle,
    pub stale: bool,
}

/// The regions of `spec` (the file `file`) regenerated from `policy`: the view and the new bytes.
pub fn regenerate(
    spec: &[u8],
    regions: &[Region],
    policy: &crate::policy::Policy,
    renderer: &crate::render::Renderer,
    file: &str,
    check: bool,
) -> Result<(SyncView, Vec<u8>)> {
    let mut generated = Vec::new();
    for region in regions {
        generated.push(renderer.render("spec.j2", crate::generate::spec::view(policy, region.style)?)?);
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
        profile: policy.name.clone(),
        check,
        stale,
        written: stale && !check,
        regions: regions
            .iter()
            .zip(&plan.stale)
            .map(|(r, s)| RegionView { begin_line: r.begin_line, end_line: r.end_line, style: r.style, stale: *s })
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
        let r = regions(SPEC, None, "q.spec", "rhel-7.3").unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].begin_line, r[0].end_line, r[0].style, r[0].crlf), (3, 5, SpecStyle::Globals, true));
        assert_eq!(&SPEC[r[0].content.clone()], b"old\r\n");
    }

    #[test]
    fn only_the_region_changes() {
        let r = regions(SPEC, None, "q.spec", "rhel-7.3").unwrap();
        let plan = plan(SPEC, &r, &["new 1\nnew 2\n".to_string()]);
        assert_eq!(plan.stale, [true]);
        assert_eq!(
            plan.bytes,
            b"Name: q\r\n%build\n# drvpolicy:begin rhel-7.3 style=globals\r\nnew 1\r\nnew 2\r\n# drvpolicy:end\r\nmake"
        );
        let again = super::plan(
            &plan.bytes,
            &regions(&plan.bytes, None, "q.spec", "rhel-7.3").unwrap(),
            &["new 1\nnew 2\n".into()],
        );
        assert_eq!(again.stale, [false]);
        assert_eq!(again.bytes, plan.bytes);
    }

    #[test]
    fn bad_markers_are_errors() {
        let code = |bytes: &[u8]| regions(bytes, None, "q.spec", "rhel-7.3").unwrap_err().diagnostics[0].code;
        assert_eq!(code(b"no markers\n"), "no-markers");
        assert_eq!(code(b"# drvpolicy:begin rhel-7.3\nx\n"), "unbalanced-markers");
        assert_eq!(code(b"# drvpolicy:end\n"), "unbalanced-markers");
        assert_eq!(
            code(b"# drvpolicy:begin rhel-7.3\n# drvpolicy:begin rhel-7.3\n# drvpolicy:end\n"),
            "unbalanced-markers"
        );
        assert_eq!(code(b"# drvpolicy:begin rhel-7.2\n# drvpolicy:end\n"), "other-profile");
        assert_eq!(code(b"# drvpolicy:begin rhel-7.3 style=global\n# drvpolicy:end\n"), "bad-marker");
        assert_eq!(code(b"# drvpolicy:begin\n# drvpolicy:end\n"), "bad-marker");
        // Not markers: other words after the prefix.
        assert_eq!(code(b"# drvpolicy:beginning\n"), "no-markers");
    }

    #[test]
    fn a_byte_order_mark_before_the_begin_marker_is_kept_and_not_in_the_way() {
        let spec = "\u{feff}# drvpolicy:begin rhel-7.3\nold\n# drvpolicy:end\n".as_bytes();
        let r = regions(spec, None, "q.spec", "rhel-7.3").unwrap();
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
