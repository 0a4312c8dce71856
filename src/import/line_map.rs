//! Where rpm replaced text on a line, so that a word of the expanded line can be read back
//! as the spec writes it (`--prefix=%{_prefix}`, not the marker or value rpm put there).
//!
//! Positions are char indices. Text outside the recorded expansions is the same on both sides.

use std::ops::Range;

/// One macro (or `%%`) of a line: its chars in the source line and in the expanded line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    pub written: Range<usize>,
    pub expanded: Range<usize>,
}

/// The expansions of one line, in order. Empty: the line is passed on as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineMap {
    expansions: Vec<Expansion>,
}

impl LineMap {
    pub fn push(&mut self, expansion: Expansion) {
        self.expansions.push(expansion);
    }

    /// The source range of `expanded`, or `None` when either end falls inside an expansion
    /// (a macro that gives this word and part of another one). An empty expansion touching
    /// the range belongs to it: `%{?x}--a` and `--a%{?x}` are one word as written.
    pub fn written(&self, expanded: Range<usize>) -> Option<Range<usize>> {
        let start = self.position(expanded.start, false)?;
        let end = self.position(expanded.end, true)?;
        Some(start..end)
    }

    /// The source position of expanded position `at`; `after` takes expansions that end there.
    fn position(&self, at: usize, after: bool) -> Option<usize> {
        let mut shift: isize = 0;
        for e in &self.expansions {
            let before_at = e.expanded.start < at || (after && e.expanded.start == at && e.expanded.end == at);
            if !before_at {
                break;
            }
            if at < e.expanded.end {
                return None;
            }
            shift = shift.checked_add(isize::try_from(e.written.len()).ok()?)?;
            shift = shift.checked_sub(isize::try_from(e.expanded.len()).ok()?)?;
        }
        usize::try_from(isize::try_from(at).ok()?.checked_add(shift)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--prefix=%{_prefix} %{opts} %{?none}--x` expanded to `--prefix=/usr --a --b --x`.
    fn map() -> LineMap {
        let mut map = LineMap::default();
        map.push(Expansion { written: 9..19, expanded: 9..13 });
        map.push(Expansion { written: 20..27, expanded: 14..21 });
        map.push(Expansion { written: 28..36, expanded: 22..22 });
        map
    }

    #[test]
    fn words_map_back_to_what_the_source_writes() {
        let source = "--prefix=%{_prefix} %{opts} %{?none}--x";
        let chars: Vec<char> = source.chars().collect();
        let written = |r: Range<usize>| chars[r].iter().collect::<String>();
        let map = map();
        assert_eq!(map.written(0..13).map(written).as_deref(), Some("--prefix=%{_prefix}"));
        // `--a` is half of what %{opts} gives: it has no spelling of its own.
        assert_eq!(map.written(14..17), None);
        assert_eq!(map.written(18..21), None);
        assert_eq!(map.written(22..25).map(written).as_deref(), Some("%{?none}--x"));
        // A line rpm did not change maps to itself.
        assert_eq!(LineMap::default().written(3..8), Some(3..8));
    }
}
