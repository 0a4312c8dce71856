//! Unified diffs (`similar`, 3 lines of context) as data for templates: `diff --generated`
//! and `sync --check` show their differences the same way.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

#[derive(Debug, Serialize)]
pub struct UnifiedDiff {
    /// The `---` name.
    pub old: String,
    /// The `+++` name.
    pub new: String,
    pub hunks: Vec<Hunk>,
}

#[derive(Debug, Serialize)]
pub struct Hunk {
    /// `@@ -a,b +c,d @@`.
    pub header: String,
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Serialize)]
pub struct DiffLine {
    /// ` `, `-` or `+`.
    pub sign: &'static str,
    /// Without its `\n` (a `\r` stays, as `diff` shows it).
    pub text: String,
    /// The last line of its text, without a newline (`\ No newline at end of file`).
    pub missing_newline: bool,
}

impl UnifiedDiff {
    pub fn is_empty(&self) -> bool {
        self.hunks.is_empty()
    }
}

pub fn unified(old_name: &str, new_name: &str, old: &str, new: &str) -> UnifiedDiff {
    let diff = TextDiff::from_lines(old, new);
    let hunks = diff
        .unified_diff()
        .context_radius(3)
        .iter_hunks()
        .map(|hunk| Hunk {
            header: hunk.header().to_string(),
            lines: hunk
                .iter_changes()
                .map(|change| DiffLine {
                    sign: match change.tag() {
                        ChangeTag::Equal => " ",
                        ChangeTag::Delete => "-",
                        ChangeTag::Insert => "+",
                    },
                    text: change.value().strip_suffix('\n').unwrap_or(change.value()).to_string(),
                    missing_newline: change.missing_newline(),
                })
                .collect(),
        })
        .collect();
    UnifiedDiff { old: old_name.to_string(), new: new_name.to_string(), hunks }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_hunks() {
        assert!(unified("a", "b", "x\ny\n", "x\ny\n").is_empty());
    }

    #[test]
    fn a_changed_line_is_one_hunk_with_context() {
        let diff = unified("a", "b", "1\n2\n3\n", "1\nTWO\n3\n");
        assert_eq!(diff.hunks.len(), 1);
        assert_eq!(diff.hunks[0].header, "@@ -1,3 +1,3 @@");
        let lines: Vec<String> = diff.hunks[0].lines.iter().map(|l| format!("{}{}", l.sign, l.text)).collect();
        assert_eq!(lines, [" 1", "-2", "+TWO", " 3"]);
    }

    #[test]
    fn a_missing_final_newline_is_marked() {
        let diff = unified("a/x", "b/x", "a\nb", "a\nc");
        let lines: Vec<(&str, &str, bool)> =
            diff.hunks[0].lines.iter().map(|l| (l.sign, l.text.as_str(), l.missing_newline)).collect();
        assert_eq!(lines, [(" ", "a", false), ("-", "b", true), ("+", "c", true)]);
    }
}
