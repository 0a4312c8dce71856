//! `sync`: keep a spec's generated region current.
