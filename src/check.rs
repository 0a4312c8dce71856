//! `check`: every problem of a profile as a diagnostic.
