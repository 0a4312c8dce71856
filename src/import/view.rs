//! The summary of an import: what was read per arch, what was not and why, for
//! `--format json` and the `import.txt.j2` template.

use super::Kind;
use super::arguments::Provenance;
use super::identity::{Fact, Source};
use crate::source::FileLine;
use serde::Serialize;

/// A line (or the file) the importer could not read, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The line, or `None` for the file as a whole.
    pub location: Option<FileLine>,
    #[serde(skip)]
    pub line: Option<usize>,
    /// The bytes of the line it concerns, when known (one argument of a one-line configure).
    #[serde(skip)]
    pub columns: Option<std::ops::Range<usize>>,
    /// The argument as written, or else the line.
    pub text: String,
    pub what: String,
    pub reason: String,
    pub help: Option<String>,
    /// The arches it concerns; empty for all.
    pub arches: Vec<String>,
}

/// An argument outside the block-driver policy, as `extra-args` holds it.
#[derive(Debug, Clone, Serialize)]
pub struct ExtraArgView {
    pub text: String,
    pub from: ProvenanceView,
}

/// Where the file passes an argument: its lines, and the macros or variables it went through
/// with the lines that define them.
#[derive(Debug, Clone, Serialize)]
pub struct ProvenanceView {
    pub file: String,
    pub lines: Vec<usize>,
    pub uses: Vec<UseView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UseView {
    /// `%{block_drivers_rw_list}` or `$rbd_driver`.
    pub what: String,
    pub line: usize,
}

impl ProvenanceView {
    pub fn of(file: &str, p: &Provenance) -> ProvenanceView {
        ProvenanceView {
            file: file.to_string(),
            lines: p.lines.clone(),
            uses: p.uses.iter().map(|u| UseView { what: u.what.clone(), line: u.line }).collect(),
        }
    }
}

/// A note of the importer, at a line of the file or about all of it.
#[derive(Debug, Clone, Serialize)]
pub struct NoteView {
    pub location: Option<FileLine>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeatureView {
    pub name: String,
    pub state: String,
    /// Not in the catalogue: a `[qemu.custom-features]` entry.
    pub custom: bool,
    pub from: ProvenanceView,
}

#[derive(Debug, Clone, Serialize)]
pub struct BuildView {
    pub arch: String,
    pub build: String,
    /// A tools-only build's configure: `bare` (only its own options) or `shared` (the full
    /// build's, as RHEL 9's `%{tools_only}`); `None` for a full build.
    pub tools_only_configure: Option<&'static str>,
    /// The line of its configure invocation.
    pub configure: FileLine,
    /// The line of the shell function call that ran it, if a function did.
    pub called_at: Option<FileLine>,
    pub features: Vec<FeatureView>,
    pub rw_whitelist: Option<Vec<String>>,
    pub ro_whitelist: Option<Vec<String>>,
    pub whitelist_in_tools: bool,
    pub extra_args: Vec<ExtraArgView>,
}

/// The summary of an import, for `--format json` and the text template.
#[derive(Debug, Serialize)]
pub struct ImportView {
    pub profile: String,
    pub file: String,
    pub kind: Kind,
    pub output: Option<String>,
    /// `[profile]` product and release, and where each came from.
    pub product: Fact,
    pub release: Fact,
    /// No release could be read (from `--release` or the name): `release` is a placeholder.
    pub release_placeholder: bool,
    pub package: Fact,
    pub version: Fact,
    pub arches: Vec<String>,
    pub arches_from: Source,
    pub builds: Vec<BuildView>,
    pub custom_features: Vec<String>,
    /// Every extra arg of the profile, in the order first seen.
    pub extra_args: Vec<String>,
    /// The configure runs that pass an extra arg after a build option: the generated
    /// configure passes extra-args first, so these come back in another order.
    pub reordered: Vec<FileLine>,
    pub not_interpreted: Vec<Finding>,
    pub notes: Vec<NoteView>,
    /// What resolving the written profile found (JSON diagnostics).
    pub problems: Vec<serde_json::Value>,
    /// Whether the written profile resolves without errors.
    pub resolves: bool,
    /// The profile itself.
    pub toml: String,
}
