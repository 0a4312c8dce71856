//! What the importer cannot know (a macro the file never defines, a script argument, a
//! condition on either) and how such holes travel through expanded text.
//!
//! rpm expands macros before the shell sees a line, so an unknown macro has to survive the
//! expansion as part of the text. It does as a marker made of two private-use characters
//! around an index into `Unknowns`; the shell layer turns markers back into unknown pieces.

use indexmap::IndexSet;

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// One thing the importer could not determine, and what would tell it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unknown {
    /// What could not be expanded or evaluated, as written: `%{_prefix}`, `$have_rbd`, `%if %{rhev}`.
    pub what: String,
    /// Why, in a sentence.
    pub reason: String,
    /// How the user can supply it (`--set NAME=VALUE`), if there is a way.
    pub help: Option<String>,
}

impl Unknown {
    pub fn new(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Unknown { what: what.into(), reason: reason.into(), help: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Every unknown of one import, each stored once.
#[derive(Debug, Default)]
pub struct Unknowns {
    items: IndexSet<Unknown>,
}

impl Unknowns {
    pub fn add(&mut self, unknown: Unknown) -> usize {
        self.items.insert_full(unknown).0
    }

    pub fn get(&self, index: usize) -> &Unknown {
        static MISSING: Unknown = Unknown { what: String::new(), reason: String::new(), help: None };
        self.items.get_index(index).unwrap_or(&MISSING)
    }

    /// The marker that stands for `unknown` inside expanded text.
    pub fn marker(&mut self, unknown: Unknown) -> String {
        marker_text(self.add(unknown))
    }
}

/// At most `max` chars of `text`, with `…` where it is cut: what a message quotes of a line.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or("")),
        None => text.to_string(),
    }
}

/// The marker of the unknown numbered `index`.
pub fn marker_text(index: usize) -> String {
    format!("{OPEN}{index}{CLOSE}")
}

/// A part of a word or of expanded text: known text, or the index of an unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Unknown(usize),
}

/// Splits expanded text into known text and unknowns.
pub fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        if start > 0 {
            out.push(Piece::Text(rest[..start].to_string()));
        }
        let after = rest.get(start.saturating_add(OPEN.len_utf8())..).unwrap_or("");
        let end = after.find(CLOSE).unwrap_or(after.len());
        if let Ok(index) = after[..end].parse() {
            out.push(Piece::Unknown(index));
        }
        rest = after.get(end.saturating_add(CLOSE.len_utf8())..).unwrap_or("");
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest.to_string()));
    }
    out
}

/// The first unknown in expanded text, if any.
pub fn first_unknown(text: &str) -> Option<usize> {
    pieces(text).into_iter().find_map(|p| match p {
        Piece::Unknown(i) => Some(i),
        Piece::Text(_) => None,
    })
}

pub fn is_marker_char(c: char) -> bool {
    c == OPEN || c == CLOSE
}

/// Input text with any marker characters replaced, so that a file cannot forge a marker.
pub fn sanitise(text: &str) -> String {
    if text.chars().any(is_marker_char) {
        text.chars().map(|c| if is_marker_char(c) { '\u{FFFD}' } else { c }).collect()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_survive_in_text_and_split_back() {
        let mut unknowns = Unknowns::default();
        let m = unknowns.marker(Unknown::new("%{_prefix}", "not defined"));
        let again = unknowns.marker(Unknown::new("%{_prefix}", "not defined"));
        assert_eq!(m, again, "the same unknown is stored once");
        let text = format!("--prefix={m}/usr");
        assert_eq!(pieces(&text), [Piece::Text("--prefix=".into()), Piece::Unknown(0), Piece::Text("/usr".into())]);
        assert_eq!(first_unknown(&text), Some(0));
        assert_eq!(first_unknown("--enable-rbd"), None);
    }

    #[test]
    fn input_cannot_forge_markers() {
        let forged = format!("a{OPEN}0{CLOSE}b");
        assert_eq!(pieces(&sanitise(&forged)), [Piece::Text("a\u{FFFD}0\u{FFFD}b".into())]);
    }
}
