//! Source texts (profile files, spec files) and positions in them.

use codespan_reporting::files::Files;
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
    Catalogue(Fact),
    /// Nothing set it: the value every build starts from.
    Default,
}

/// A catalogue fact, written out when it is shown: a driver table states one for each of its
/// drivers (`check --all` of 10,000 builds 220,000), and most are never shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Fact {
    Text(String),
    /// `qemu VERSION always builds DRIVER`.
    AlwaysBuilds {
        version: std::sync::Arc<str>,
        driver: &'static str,
    },
    /// `qemu VERSION: FEATURE is off unless enabled` (`off`), or `is built when its library is found`.
    FeatureDefault {
        version: std::sync::Arc<str>,
        feature: &'static str,
        off: bool,
    },
}

impl std::fmt::Display for Fact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fact::Text(text) => f.write_str(text),
            Fact::AlwaysBuilds { version, driver } => write!(f, "qemu {version} always builds {driver}"),
            Fact::FeatureDefault { version, feature, off } => {
                let what = if *off { "off unless enabled" } else { "built when its library is found" };
                write!(f, "qemu {version}: {feature} is {what}")
            }
        }
    }
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
    files: Vec<SourceFile>,
}

/// One text and its name. Where its lines start is found the first time a position in it is
/// asked for: `list` of 10,000 profiles asks for none.
struct SourceFile {
    name: String,
    /// A shipped profile's is the binary's own copy.
    text: std::borrow::Cow<'static, str>,
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| codespan_reporting::files::line_starts(&self.text).collect())
    }
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    /// A file named `name` as it is printed (control characters escaped: a path is printed in
    /// messages and origins).
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<std::borrow::Cow<'static, str>>) -> FileId {
        let name = name.into();
        let name = match crate::diagnostic::terminal_safe(&name) {
            std::borrow::Cow::Borrowed(_) => name,
            std::borrow::Cow::Owned(safe) => safe,
        };
        self.files.push(SourceFile { name, text: text.into(), line_starts: std::sync::OnceLock::new() });
        self.files.len() - 1
    }

    pub fn name(&self, file: FileId) -> &str {
        self.files.get(file).map_or("<unknown>", |f| f.name.as_str())
    }

    pub fn text(&self, file: FileId) -> &str {
        self.files.get(file).map_or("", |f| &f.text)
    }

    fn file(&self, file: FileId) -> Result<&SourceFile, codespan_reporting::files::Error> {
        self.files.get(file).ok_or(codespan_reporting::files::Error::FileMissing)
    }

    pub fn location(&self, span: &Span) -> Location {
        let (line, column) = Files::location(self, span.file, span.range.start)
            .map(|l| (l.line_number, l.column_number))
            .unwrap_or((1, 1));
        Location { file: self.name(span.file).to_string(), line, column }
    }

    /// `origin` with its position resolved, for the views.
    pub fn origin(&self, origin: &Origin) -> OriginView {
        match origin {
            Origin::Profile(span) => OriginView::Profile(self.location(span)),
            Origin::Catalogue(fact) => OriginView::Catalogue { fact: fact.to_string() },
            Origin::Default => OriginView::Default,
        }
    }

    /// `file:line:col` for a profile origin, `catalogue: qemu X` for a built-in fact.
    pub fn describe(&self, origin: &Origin) -> String {
        self.origin(origin).to_string()
    }
}

impl<'a> Files<'a> for Sources {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, file: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(self.file(file)?.name.as_str())
    }

    fn source(&'a self, file: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(&self.file(file)?.text)
    }

    fn line_index(&'a self, file: FileId, byte_index: usize) -> Result<usize, codespan_reporting::files::Error> {
        let starts = self.file(file)?.line_starts();
        Ok(starts.binary_search(&byte_index).unwrap_or_else(|next| next - 1))
    }

    fn line_range(&'a self, file: FileId, line_index: usize) -> Result<Range<usize>, codespan_reporting::files::Error> {
        let file = self.file(file)?;
        let starts = file.line_starts();
        // As codespan's own files: the line after the last ends at the end of the text.
        let start = |line: usize| match line.cmp(&starts.len()) {
            std::cmp::Ordering::Less => Ok(starts[line]),
            std::cmp::Ordering::Equal => Ok(file.text.len()),
            std::cmp::Ordering::Greater => {
                Err(codespan_reporting::files::Error::LineTooLarge { given: line, max: starts.len() - 1 })
            }
        };
        Ok(start(line_index)?..start(line_index + 1)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fact written out late reads as the sentence the driver tables wrote at once before.
    #[test]
    fn facts_read_as_sentences() {
        let version: std::sync::Arc<str> = "2.12.0".into();
        let built = Fact::AlwaysBuilds { version: version.clone(), driver: "raw" };
        assert_eq!(built.to_string(), "qemu 2.12.0 always builds raw");
        let off = Fact::FeatureDefault { version: version.clone(), feature: "libnfs", off: true };
        assert_eq!(off.to_string(), "qemu 2.12.0: libnfs is off unless enabled");
        let auto = Fact::FeatureDefault { version, feature: "curl", off: false };
        assert_eq!(auto.to_string(), "qemu 2.12.0: curl is built when its library is found");
        let shown = Sources::new().origin(&Origin::Catalogue(built));
        assert_eq!(shown.to_string(), "catalogue: qemu 2.12.0 always builds raw");
    }

    /// The line index found on first use answers as codespan's own files do, at every offset and
    /// line of texts with and without a last newline, empty lines and CRLF.
    #[test]
    fn lines_found_late_are_codespans_lines() {
        for text in ["", "a", "a\n", "a\nbc", "\n\n x\r\ny\n", "é\nü"] {
            let mut sources = Sources::new();
            let file = sources.add("t.toml", text);
            let theirs = codespan_reporting::files::SimpleFile::new("t.toml", text);
            for offset in 0..=text.len() + 1 {
                let mine = Files::line_index(&sources, file, offset).unwrap();
                assert_eq!(mine, theirs.line_index((), offset).unwrap(), "{text:?} at {offset}");
            }
            for line in 0..text.lines().count() + 3 {
                let mine = Files::line_range(&sources, file, line).map_err(|e| e.to_string());
                assert_eq!(mine, theirs.line_range((), line).map_err(|e| e.to_string()), "{text:?} line {line}");
            }
        }
        assert!(Files::name(&Sources::new(), 0).is_err());
    }
}
