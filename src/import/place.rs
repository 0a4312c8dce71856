//! Where the importer found something: a line and, when known, the bytes of that line it
//! takes, so that a warning underlines one argument of a one-line configure, not the line.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// 1-based.
    pub line: usize,
    /// Bytes of the line; `None` for the line as a whole.
    pub columns: Option<Range<usize>>,
}

impl Place {
    /// A whole line.
    pub fn line(line: usize) -> Self {
        Place { line, columns: None }
    }
}
