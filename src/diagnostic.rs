//! The one problem type: a code, a severity, a message, labelled spans and help.

pub use crate::code::Code;
use crate::source::{Sources, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::term;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        // The README's table of codes gives each its severity.
        debug_assert_eq!(code.severity(), severity, "{code} has the severity {:?}", code.severity());
        Diagnostic { code, severity, message: message.into(), labels: Vec::new(), help: None, notes: Vec::new() }
    }

    /// The label the diagnostic points at; the first one is primary.
    pub fn at(mut self, span: &Span, message: impl Into<String>) -> Self {
        let primary = self.labels.is_empty();
        self.labels.push(Label { span: span.clone(), message: message.into(), primary });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn with_note_opt(mut self, note: Option<String>) -> Self {
        self.notes.extend(note);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn primary_span(&self) -> Option<&Span> {
        self.labels.iter().find(|l| l.primary).map(|l| &l.span)
    }

    /// With a label at `origin` when a profile line set the value (built-in facts have no line).
    pub fn at_origin(self, origin: &crate::source::Origin, label: &str) -> Self {
        match origin {
            crate::source::Origin::Profile(span) => self.at(span, label),
            _ => self,
        }
    }

    /// Rendered with the source snippet, file:line:col and a caret under the span.
    pub fn render(&self, sources: &Sources) -> String {
        self.render_styled(sources, false)
    }

    /// `render`, with codespan's terminal colours (ANSI escapes, written by termcolor) when
    /// `colour`: for a terminal that the caller decided wants them.
    pub fn render_styled(&self, sources: &Sources, colour: bool) -> String {
        let severity = match self.severity {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
        };
        let mut notes: Vec<String> = self.help.iter().map(|h| format!("help: {h}")).collect();
        notes.extend(self.notes.iter().map(|n| format!("note: {n}")));
        let diagnostic = cs::Diagnostic::new(severity)
            .with_code(self.code.as_str())
            .with_message(&self.message)
            .with_labels(
                self.labels
                    .iter()
                    .map(|l| {
                        let style = if l.primary { cs::LabelStyle::Primary } else { cs::LabelStyle::Secondary };
                        cs::Label::new(style, l.span.file, l.span.range.clone()).with_message(&l.message)
                    })
                    .collect(),
            )
            .with_notes(notes);
        let config = term::Config { chars: term::Chars::ascii(), ..term::Config::default() };
        let plain = term::emit_into_string(&config, sources, &diagnostic)
            .unwrap_or_else(|_| format!("{}[{}]: {}\n", severity_word(self.severity), self.code, self.message));
        // A control character from the input (an ANSI escape in a profile value) is shown
        // escaped; then the colours, which would need the raw text, are left out.
        let safe = terminal_safe(&plain);
        if !colour || matches!(safe, std::borrow::Cow::Owned(_)) {
            return safe.into_owned();
        }
        let mut out = term::termcolor::Ansi::new(Vec::new());
        match term::emit_to_write_style(&mut out, &config, sources, &diagnostic) {
            Ok(()) => String::from_utf8_lossy(&out.into_inner()).into_owned(),
            Err(_) => plain,
        }
    }

    /// JSON for `--format json`.
    pub fn to_json(&self, sources: &Sources) -> serde_json::Value {
        let location = self.primary_span().map(|s| sources.location(s));
        serde_json::json!({
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "location": location,
            "labels": self.labels.iter().map(|l| serde_json::json!({
                "location": sources.location(&l.span),
                "message": l.message,
                "primary": l.primary,
            })).collect::<Vec<_>>(),
            "help": self.help,
            "notes": self.notes,
        })
    }
}

/// `text` with every control character but the line feed written as an escape (`\u{1b}`), so
/// that a value echoed in a message (an unknown key, a file name, the line of a TOML error)
/// cannot drive the terminal.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A failed stage: every problem found, at least one of them an error.
#[derive(Debug)]
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
}

impl Failure {
    pub fn single(diagnostic: Diagnostic) -> Self {
        Failure { diagnostics: vec![diagnostic] }
    }
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Self {
        Failure::single(d)
    }
}

pub type Result<T> = std::result::Result<T, Failure>;

/// The diagnostics to show when at most `max` per file are shown (0: all), in their order, and
/// for each file with more a line saying how many were left out. A file with 70,000 unknown keys
/// gets 50 of them and one line, as compilers do.
pub fn cap<'d>(diagnostics: &'d [Diagnostic], max: usize, sources: &Sources) -> (Vec<&'d Diagnostic>, Vec<String>) {
    if max == 0 {
        return (diagnostics.iter().collect(), Vec::new());
    }
    let mut shown = Vec::new();
    let mut per_file: indexmap::IndexMap<Option<crate::source::FileId>, usize> = indexmap::IndexMap::new();
    for d in diagnostics {
        let count = per_file.entry(d.primary_span().map(|s| s.file)).or_default();
        *count += 1;
        if *count <= max {
            shown.push(d);
        }
    }
    let omitted = per_file
        .into_iter()
        .filter(|(_, count)| *count > max)
        .map(|(file, count)| {
            let place = file.map_or_else(|| "without a location".to_string(), |f| format!("in {}", sources.name(f)));
            let n = count - max;
            let plural = if n == 1 { "" } else { "s" };
            format!("... and {n} more diagnostic{plural} {place} (--max-diagnostics 0 shows all)\n")
        })
        .collect();
    (shown, omitted)
}

/// An `--arch` that the profiles named do not build: the message, and the nearest of `known`
/// or the list of them.
pub fn unknown_arch(message: String, arch: &str, known: &[&str]) -> Failure {
    let help = did_you_mean(arch, known.iter().copied()).unwrap_or_else(|| format!("the arches: {}", known.join(", ")));
    Failure::single(Diagnostic::error(Code::UnknownArch, message).with_help(help))
}

/// "did you mean `rbd`?" for the nearest of `candidates`, if any is near enough.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    nearest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate within a few edits of `name` (transpositions count once), closest first.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(distance, _)| *distance <= limit)
        .min_by(|(da, a), (db, b)| {
            da.cmp(db).then(strsim::jaro_winkler(name, b).total_cmp(&strsim::jaro_winkler(name, a))).then(a.cmp(b))
        })
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_driver_names() {
        assert_eq!(nearest("rdb", ["raw", "rbd", "nbd"]), Some("rbd"));
        assert_eq!(nearest("glusterfs", ["gluster", "file"]), Some("gluster"));
        assert_eq!(nearest("zzzz", ["raw", "rbd"]), None);
    }
}
