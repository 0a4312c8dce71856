//! `history`: a release series as a timeline of diffs.
