//! Source texts (profile files, spec files) and positions in them.

use codespan_reporting::files::{Files, SimpleFiles};
use std::ops::Range;

pub type FileId = usize;

/// A byte range in one source file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub range: Range<usize>,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        Span { file, range }
    }
}

// A span is stored without its file: the shipped profiles are parsed at build time, and a
// decoded span belongs to the file its profile was added as in this run (`decoding_in`).
thread_local! {
    static DECODING: std::cell::Cell<FileId> = const { std::cell::Cell::new(0) };
}

/// `decode()` with every span it decodes in `file`.
pub fn decoding_in<T>(file: FileId, decode: impl FnOnce() -> T) -> T {
    let before = DECODING.replace(file);
    let decoded = decode();
    DECODING.set(before);
    decoded
}

/// The file of what is being decoded (see `decoding_in`).
pub fn decoding_file() -> FileId {
    DECODING.get()
}

impl serde::Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&(self.range.start, self.range.end), serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (start, end) = <(usize, usize)>::deserialize(deserializer)?;
        Ok(Span::new(decoding_file(), start..end))
    }
}

/// Where a resolved value came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Set in a profile file.
    Profile(Span),
    /// A built-in fact of the catalogue for a qemu version.
    Catalogue(String),
    /// Nothing set it: the value every build starts from.
    Default,
}

/// A resolved `file:line:col` position, for people and for JSON.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// An origin as the views give it: structured in JSON (`{"kind": "profile", "file", "line",
/// "column"}`, `{"kind": "catalogue", "fact"}`, `{"kind": "default"}`), and as text (the
/// templates' `origin` filter) `file:line:col`, `catalogue: FACT` or `default`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum OriginView {
    Profile(Location),
    Catalogue { fact: String },
    Default,
}

impl std::fmt::Display for OriginView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OriginView::Profile(location) => location.fmt(f),
            OriginView::Catalogue { fact } => write!(f, "catalogue: {fact}"),
            OriginView::Default => f.write_str("default"),
        }
    }
}

/// A line of a file that is not a profile (a spec, a build script), for `import`'s views:
/// `file:line` as text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileLine {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for FileLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Every text the run has read, so that diagnostics and provenance can point into them.
#[derive(Default)]
pub struct Sources {
    files: SimpleFiles<String, String>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    /// A file named `name` as it is printed (control characters escaped: a path is printed in
    /// messages and origins).
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let name = name.into();
        let name = crate::diagnostic::terminal_safe(&name).into_owned();
        self.files.add(name, text.into())
    }

    pub fn name(&self, file: FileId) -> &str {
        self.files.get(file).map(|f| f.name().as_str()).unwrap_or("<unknown>")
    }

    pub fn text(&self, file: FileId) -> &str {
        self.files.get(file).map(|f| f.source().as_str()).unwrap_or("")
    }

    pub fn location(&self, span: &Span) -> Location {
        let (line, column) = self
            .files
            .location(span.file, span.range.start)
            .map(|l| (l.line_number, l.column_number))
            .unwrap_or((1, 1));
        Location { file: self.name(span.file).to_string(), line, column }
    }

    /// `origin` with its position resolved, for the views.
    pub fn origin(&self, origin: &Origin) -> OriginView {
        match origin {
            Origin::Profile(span) => OriginView::Profile(self.location(span)),
            Origin::Catalogue(fact) => OriginView::Catalogue { fact: fact.clone() },
            Origin::Default => OriginView::Default,
        }
    }

    /// `file:line:col` for a profile origin, `catalogue: qemu X` for a built-in fact.
    pub fn describe(&self, origin: &Origin) -> String {
        self.origin(origin).to_string()
    }

    pub(crate) fn files(&self) -> &SimpleFiles<String, String> {
        &self.files
    }
}
