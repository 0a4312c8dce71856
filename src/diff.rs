//! `diff`: what changed between two profiles, declared and effective.
