//! drvpolicy: per-release, per-architecture policies for qemu block drivers, from the
//! build options up through the whitelists, libvirt and libguestfs.
//!
//! The pipeline: `store` loads profiles, `profile` parses them into spanned raw structs,
//! `resolve` turns them into a `policy::Policy` per (profile, arch); `options`, `generate`
//! and the commands built on them read only `Policy`. The library never prints.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod access;
pub mod arch_order;
pub mod can;
pub mod catalogue;
pub mod check;
pub mod code;
pub mod diagnostic;
pub mod diff;
pub mod explain;
pub mod generate;
pub mod history;
pub mod import;
pub mod input;
pub mod matrix;
pub mod options;
pub mod output;
pub mod parallel;
pub mod policy;
pub mod profile;
pub mod render;
pub mod resolve;
pub mod schema;
pub mod shipped;
pub mod show;
pub mod source;
pub mod store;
pub mod suggest;
pub mod sync;
pub mod unified;
pub mod verify;
pub mod version;
