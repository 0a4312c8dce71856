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
    /// After each expansion, how many chars longer the source is than the expanded text so
    /// far (so that a position maps back in O(log n), not by walking the line).
    shifts: Vec<isize>,
}

impl LineMap {
    pub fn push(&mut self, expansion: Expansion) {
        let delta = isize::try_from(expansion.written.len())
            .unwrap_or(isize::MAX)
            .saturating_sub(isize::try_from(expansion.expanded.len()).unwrap_or(isize::MAX));
        let shift = self.shifts.last().copied().unwrap_or(0).saturating_add(delta);
        self.expansions.push(expansion);
        self.shifts.push(shift);
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
        // The expansions before `at` (sorted, so this is a prefix).
        let before = self
            .expansions
            .partition_point(|e| e.expanded.start < at || (after && e.expanded.start == at && e.expanded.end == at));
        let Some(last) = before.checked_sub(1) else { return Some(at) };
        if self.expansions.get(last).is_some_and(|e| at < e.expanded.end) {
            return None;
        }
        let shift = self.shifts.get(last).copied().unwrap_or(0);
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
