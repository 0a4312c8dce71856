//! Profiles as written: spanned, unvalidated structures read from TOML. Nothing here knows
//! what a driver is; `resolve` checks names against the catalogue.

mod parse;
mod terms;
pub mod values;

pub use parse::parse_profile;
pub use terms::{Access, BuildMode, FeatureState, LibguestfsBackend, Program, ToolsConfigure};

use crate::source::{FileId, Span};
use semver::Version;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ListEdit<T> {
    Replace(Vec<Spanned<T>>),
    Edit { add: Vec<Spanned<T>>, remove: Vec<Spanned<String>> },
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpannedList<T> {
    pub edit: ListEdit<T>,
    pub span: Span,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RawProfile {
    /// The file stem, which is how profiles are named on the command line and in `inherits`.
    pub name: String,
    #[serde(skip, default = "crate::source::decoding_file")]
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
    /// `[qemu] build-requires`: the distro spelling of `generate buildrequires`.
    pub build_requires: Option<Spanned<String>>,
    pub backports: Option<SpannedList<String>>,
    pub custom_features: Vec<CustomFeature>,
    pub qemu_main_package: Option<Spanned<String>>,
    pub qemu_module_dir: Option<Spanned<String>>,
    pub qemu_obsoletes: Option<SpannedList<String>>,
    /// `[qemu.rpm]`: how the spec writes package relations.
    pub rpm_evr: Option<Spanned<String>>,
    pub rpm_obsoletes: Option<Spanned<String>>,
    pub rpm_common: Option<Spanned<String>>,
    pub libguestfs_package: Option<Spanned<String>>,
    pub libguestfs_version: Option<Spanned<Version>>,
    pub libguestfs_patch: Option<Spanned<String>>,
    pub libguestfs_backend: Option<Spanned<LibguestfsBackend>>,
    pub libvirt_package: Option<Spanned<String>>,
    /// `[libvirt] inherit = false`: describe libvirt afresh instead of from the parent's.
    pub libvirt_inherit: Option<Spanned<bool>>,
    pub libvirt_version: Option<Spanned<Version>>,
    pub base: Settings,
    pub overrides: Vec<ArchOverride>,
    /// What the parser could not read; resolution reports these with its own findings.
    #[serde(skip)]
    pub problems: Vec<crate::diagnostic::Diagnostic>,
}

/// Everything that can differ per architecture.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    pub build: Option<Spanned<BuildMode>>,
    /// `tools-only-configure`: what configure a tools-only arch runs.
    pub tools_configure: Option<Spanned<ToolsConfigure>>,
    pub features: Vec<(Spanned<String>, Spanned<FeatureState>)>,
    pub rw_whitelist: Option<SpannedList<String>>,
    pub ro_whitelist: Option<SpannedList<String>>,
    pub whitelist_in_tools: Option<Spanned<bool>>,
    /// Whitelisted drivers that are compiled out on purpose here (silences the warning).
    pub acknowledge_compiled_out: Option<SpannedList<String>>,
    /// Configure arguments outside the block-driver policy (`--prefix=%{_prefix}`), passed as written.
    pub extra_args: Option<SpannedList<String>>,
    /// Block modules and their subpackages (`[qemu.subpackages]`).
    pub subpackages: Vec<RawSubpackage>,
    pub libguestfs_disabled: Option<SpannedList<String>>,
    /// Where a `[libvirt]` table describes libvirt for these arches.
    pub libvirt: Option<Span>,
    pub libvirt_disabled: Option<SpannedList<String>>,
    /// libvirt storage pool backends: built or not.
    pub libvirt_backends: Vec<(Spanned<String>, Spanned<bool>)>,
    pub consumers: Vec<RawConsumer>,
}

/// `block-rbd = { name = "qemu-kvm-block-rbd", required = true }`, or `block-rbd = false`:
/// built, but shipped by no package on these arches.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RawSubpackage {
    pub module: Spanned<String>,
    /// `None` for `= false`.
    pub name: Option<Spanned<String>>,
    pub required: Option<Spanned<bool>>,
    pub span: Span,
}

/// A build option the catalogue does not know (downstream-only or not about block drivers).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CustomFeature {
    pub name: Spanned<String>,
    /// The NAME of `--enable-NAME` / `--disable-NAME`.
    pub flag: String,
    pub meson: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RawConsumer {
    pub name: Spanned<String>,
    pub description: Option<String>,
    pub arches: Option<SpannedList<String>>,
    pub needs: Option<SpannedList<RawNeed>>,
    pub requires: Option<SpannedList<RawRequirement>>,
}

/// A package a consumer requires that is not a qemu driver (an nbdkit plugin, qemu-nbd).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RawRequirement {
    pub package: Spanned<String>,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RawNeed {
    pub driver: Spanned<String>,
    pub access: Spanned<Access>,
    pub program: Spanned<Program>,
    pub why: String,
}

/// `[arch."SELECTOR"]`: settings for the arches the selector matches.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ArchOverride {
    pub selector: Spanned<Selector>,
    pub settings: Settings,
}

/// `x86_64`, `ppc64le,aarch64`, `power64`, `!x86_64` (every arch but x86_64).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
    pub fn matches<'a, A: AsRef<str> + 'a>(&self, arch: &str, group: impl Fn(&str) -> Option<&'a [A]>) -> bool {
        let named =
            self.names.iter().any(|n| n == arch || group(n).is_some_and(|g| g.iter().any(|a| a.as_ref() == arch)));
        named != self.negated
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", if self.negated { "!" } else { "" }, self.names.join(","))
    }
}
