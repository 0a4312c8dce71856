//! Profiles as written: spanned, unvalidated structures read from TOML. Nothing here knows
//! what a driver is; `resolve` checks names against the catalogue.

mod parse;
mod terms;
pub mod values;

pub use parse::parse_profile;
pub use terms::{Access, BuildMode, FeatureState, Program};

use crate::source::{FileId, Span};
use semver::Version;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// A list as a child or an arch selector writes it: a whole new list, or edits of the
/// inherited one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListEdit<T> {
    Replace(Vec<Spanned<T>>),
    Edit { add: Vec<Spanned<T>>, remove: Vec<Spanned<String>> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpannedList<T> {
    pub edit: ListEdit<T>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct RawProfile {
    /// The file stem, which is how profiles are named on the command line and in `inherits`.
    pub name: String,
    pub file: FileId,
    /// Span of the whole `[profile]` table header (or the file start), for profile-level messages.
    pub span: Span,
    pub product: Option<Spanned<String>>,
    pub release: Option<Spanned<Version>>,
    pub release_text: Option<String>,
    pub description: Option<String>,
    pub inherits: Option<Spanned<String>>,
    pub sources: Vec<String>,
    pub arches: Option<SpannedList<String>>,
    pub qemu_package: Option<Spanned<String>>,
    pub qemu_version: Option<Spanned<Version>>,
    pub qemu_inherit: Option<Spanned<bool>>,
    pub backports: Option<SpannedList<String>>,
    pub custom_features: Vec<CustomFeature>,
    pub libguestfs_package: Option<Spanned<String>>,
    pub libguestfs_version: Option<Spanned<String>>,
    pub libguestfs_patch: Option<Spanned<String>>,
    pub libvirt_version: Option<Spanned<String>>,
    pub base: Settings,
    pub overrides: Vec<ArchOverride>,
    /// What the parser could not read; resolution reports these with its own findings.
    pub problems: Vec<crate::diagnostic::Diagnostic>,
}

/// Everything that can differ per architecture.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub build: Option<Spanned<BuildMode>>,
    pub features: Vec<(Spanned<String>, Spanned<FeatureState>)>,
    pub rw_whitelist: Option<SpannedList<String>>,
    pub ro_whitelist: Option<SpannedList<String>>,
    pub whitelist_in_tools: Option<Spanned<bool>>,
    /// Whitelisted drivers that are compiled out on purpose here (silences the warning).
    pub acknowledge_compiled_out: Option<SpannedList<String>>,
    /// Configure arguments outside the block-driver policy (`--prefix=%{_prefix}`), passed as written.
    pub extra_args: Option<SpannedList<String>>,
    pub libguestfs_disabled: Option<SpannedList<String>>,
    pub libvirt_disabled: Option<SpannedList<String>>,
    pub consumers: Vec<RawConsumer>,
}

/// A build option the catalogue does not know (downstream-only or not about block drivers).
#[derive(Debug, Clone)]
pub struct CustomFeature {
    pub name: Spanned<String>,
    /// The NAME of `--enable-NAME` / `--disable-NAME`.
    pub flag: String,
    pub meson: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RawConsumer {
    pub name: Spanned<String>,
    pub description: Option<String>,
    pub arches: Option<SpannedList<String>>,
    pub needs: Option<SpannedList<RawNeed>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawNeed {
    pub driver: Spanned<String>,
    pub access: Spanned<Access>,
    pub program: Spanned<Program>,
    pub why: String,
}

/// `[arch."SELECTOR"]`: settings for the arches the selector matches.
#[derive(Debug, Clone)]
pub struct ArchOverride {
    pub selector: Spanned<Selector>,
    pub settings: Settings,
}

/// `x86_64`, `ppc64le,aarch64`, `power64`, `!x86_64` (every arch but x86_64).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub negated: bool,
    pub names: Vec<String>,
}

impl Selector {
    pub fn parse(text: &str) -> Option<Selector> {
        let (negated, rest) = match text.trim().strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, text.trim()),
        };
        let names: Vec<String> = rest.split(',').map(|n| n.trim().to_string()).collect();
        if names.iter().any(|n| n.is_empty()) {
            return None;
        }
        Some(Selector { negated, names })
    }

    /// Whether `arch` is selected, with groups expanded by `group`.
    pub fn matches<'a>(&self, arch: &str, group: impl Fn(&str) -> Option<&'a [String]>) -> bool {
        let named = self.names.iter().any(|n| n == arch || group(n).is_some_and(|g| g.iter().any(|a| a == arch)));
        named != self.negated
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", if self.negated { "!" } else { "" }, self.names.join(","))
    }
}
