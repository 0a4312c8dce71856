//! The resolved policy: one plain value per (profile, arch), every value with its origin.
//! Everything after `resolve` reads this, never TOML.

use crate::profile::{Access, BuildMode, FeatureState, LibguestfsBackend, Program};
use crate::source::Origin;
use semver::Version;
use serde::Serialize;

/// A value and the place that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valued<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Valued<T> {
    pub fn new(value: T, origin: Origin) -> Self {
        Valued { value, origin }
    }
}

/// Lists of names as the policy holds them (backports, whitelists) read as names without a copy.
impl AsRef<str> for Valued<String> {
    fn as_ref(&self) -> &str {
        &self.value
    }
}

/// A resolved profile: identity, the qemu and libguestfs packages, and one `ArchPolicy` per arch.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub product: String,
    pub release: Version,
    pub release_text: String,
    pub description: String,
    /// Parents, nearest first.
    pub parents: Parents,
    pub sources: Vec<String>,
    pub qemu: Qemu,
    pub libguestfs: Package,
    /// How libguestfs runs qemu by default: through libvirt, or directly.
    pub libguestfs_backend: Valued<LibguestfsBackend>,
    pub libvirt: Package,
    pub arches: Vec<ArchPolicy>,
    /// The distinct arch selectors of the profile and its parents, root first: how the profile
    /// names the arches it treats apart (`!x86_64`: every arch but x86_64, including later ones).
    pub selectors: Vec<crate::profile::Selector>,
}

#[derive(Debug, Clone)]
pub struct Qemu {
    pub package: Valued<String>,
    pub version: Valued<Version>,
    /// Upstream commits backported downstream (catalogue keys).
    pub backports: Vec<Valued<String>>,
    /// Options the catalogue does not know, declared by profiles.
    pub custom_features: Vec<CustomFeature>,
    /// `[qemu] build-requires`: the BuildRequires spelling the profile chose (a known one).
    pub build_requires: Option<Valued<String>>,
    /// The package whose `Requires:` pull in the required block subpackages (`qemu-kvm`).
    pub main_package: Option<Valued<String>>,
    /// Where the block modules are installed (`%{_libdir}/qemu-kvm`).
    pub module_dir: Option<Valued<String>>,
    /// Subpackages of earlier releases that this one obsoletes (`qemu-kvm-block-gluster`).
    pub obsoletes: Vec<Valued<String>>,
    pub rpm: Rpm,
}

/// How the spec writes package relations (`[qemu.rpm]`).
#[derive(Debug, Clone, Default)]
pub struct Rpm {
    /// The epoch-version-release subpackages are pinned to: `%{epoch}:%{version}-%{release}`.
    pub evr: Option<Valued<String>>,
    /// The constraint on obsoleted subpackages: `<= %{epoch}:%{version}`.
    pub obsoletes: Option<Valued<String>>,
    /// What every block subpackage requires at `evr`: `%{name}-common%{?_isa}`.
    pub common: Option<Valued<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomFeature {
    pub name: String,
    pub flag: String,
    pub meson: Option<String>,
    pub summary: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Default)]
pub struct Package {
    pub package: Option<Valued<String>>,
    pub version: Option<Valued<Version>>,
    /// The downstream patch that removes protocols (its subject), if any.
    pub patch: Option<Valued<String>>,
}

#[derive(Debug, Clone)]
pub struct ArchPolicy {
    // The lists are shared by the arches of a profile whose settings are one state.
    pub arch: String,
    pub build: Valued<BuildMode>,
    /// A tools-only arch that runs a configure of its own without the others' options (RHEL 7)
    /// rather than the same configure as every arch (RHEL 9).
    pub bare_configure: bool,
    /// Build options set for this arch, in declaration order (inherited ones first).
    pub features: std::sync::Arc<Vec<FeatureSetting>>,
    /// Every registered driver that exists in this qemu version, in catalogue order; shared
    /// with the arches and profiles whose version and build options are the same.
    pub drivers: std::sync::Arc<[DriverBuild]>,
    pub rw_whitelist: std::sync::Arc<Vec<Valued<String>>>,
    pub ro_whitelist: std::sync::Arc<Vec<Valued<String>>>,
    pub whitelist_in_tools: Valued<bool>,
    /// Whether a profile sets whitelist-in-tools itself, so that configure gets the flag
    /// either way (RHEL 9 passes `--disable-block-drv-whitelist-in-tools`).
    pub whitelist_in_tools_set: bool,
    pub acknowledged_compiled_out: std::sync::Arc<Vec<Valued<String>>>,
    /// Configure arguments outside the block-driver policy, passed as written (tools-only arches
    /// keep them: `--prefix` matters to every build).
    pub extra_args: std::sync::Arc<Vec<Valued<String>>>,
    /// Block modules and the subpackages that ship them, for this arch.
    pub subpackages: std::sync::Arc<Vec<Subpackage>>,
    pub libguestfs_disabled: std::sync::Arc<Vec<Valued<String>>>,
    /// `None`: the profiles say nothing of libvirt, so it decides nothing.
    pub libvirt: Option<LibvirtArch>,
    pub needs: Vec<Need>,
    /// The consumers that run on this arch, with what they require beyond qemu's drivers.
    pub consumers: Vec<Consumer>,
    /// Where an edit took a value out of a list, so that an absence has a provenance too.
    pub removals: std::sync::Arc<Vec<Removal>>,
}

/// A block module and the subpackage that ships it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subpackage {
    /// The module, as qemu names it: `block-rbd`.
    pub module: String,
    /// The package: `qemu-kvm-block-rbd`.
    pub name: String,
    /// Whether the main package requires it (a default install has it).
    pub required: bool,
    /// False where the module is built but no package ships it (RHEL 9's tools-only ppc64le).
    pub shipped: bool,
    pub origin: Origin,
}

/// What libvirt is built with on one arch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibvirtArch {
    /// Disk source protocols (libvirt's names) it refuses.
    pub disabled: Vec<Valued<String>>,
    /// Storage pool backends, in the order the profiles name them.
    pub backends: Vec<StorageBackend>,
    /// Where the profiles describe libvirt.
    pub origin: Origin,
}

/// A libvirt storage pool backend (`rbd`, `gluster`, `iscsi-direct`) and whether it is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageBackend {
    pub name: String,
    pub enabled: bool,
    pub origin: Origin,
}

impl LibvirtArch {
    /// The storage pool backends that open pools of `driver`'s storage (rbd; iscsi and iscsi-direct).
    pub fn backends_for(&self, driver: &str) -> Vec<&StorageBackend> {
        let catalogue = crate::catalogue::Catalogue::get();
        self.backends.iter().filter(|b| catalogue.storage_backend_driver(&b.name) == Some(driver)).collect()
    }

    pub fn backend(&self, name: &str) -> Option<&StorageBackend> {
        self.backends.iter().find(|b| b.name == name)
    }
}

/// The lists whose absences matter to access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListName {
    RwWhitelist,
    RoWhitelist,
    LibguestfsDisabled,
    LibvirtDisabled,
}

/// A value an edit (`remove = [...]`) took out of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub list: ListName,
    pub value: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureSetting {
    pub name: String,
    pub state: FeatureState,
    pub origin: Origin,
    /// Declared by a profile rather than known to the catalogue.
    pub custom: bool,
}

/// A profile's qemu in the views: `qemu-kvm` and `1.5.3`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QemuName {
    pub package: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum BuildReason {
    /// No build option controls it in this version.
    AlwaysBuilt,
    /// Newer than this qemu version, and here through a downstream backport (always built).
    Backported { commit: String },
    /// The option is on (explicitly, or by configure's default).
    FeatureOn { feature: &'static str, state: Option<FeatureState> },
    /// The option is off (explicitly, by default, or its library is unavailable).
    FeatureOff { feature: &'static str, state: Option<FeatureState> },
}

impl BuildReason {
    /// `compiled out: rbd is disabled`, for explanations.
    pub fn describe(&self, version: &Version) -> String {
        match self {
            BuildReason::AlwaysBuilt => format!("always built in qemu {version}"),
            BuildReason::Backported { commit } => {
                format!("added after qemu {version}; here through the backport {commit}")
            }
            BuildReason::FeatureOn { feature, state: Some(s) } => format!("compiled in: {feature} is {}", s.past()),
            BuildReason::FeatureOn { feature, state: None } => format!("compiled in: {feature} is not set"),
            BuildReason::FeatureOff { feature, state: Some(s) } => format!("compiled out: {feature} is {}", s.past()),
            BuildReason::FeatureOff { feature, state: None } => format!("compiled out: {feature} is off by default"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverBuild {
    /// The catalogue's name: every profile's tables borrow it (check --all builds 300,000).
    pub name: &'static str,
    pub compiled_in: bool,
    /// The loadable module it is built as (`block-curl`), when qemu is built with modules.
    pub module: Option<Valued<String>>,
    pub reason: BuildReason,
    pub origin: Origin,
}

/// A program built on the stack (virt-v2v) and the packages it requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    pub name: String,
    pub description: Option<String>,
    pub requires: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub package: String,
    pub why: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub consumer: String,
    pub driver: String,
    pub access: Access,
    pub program: Program,
    pub why: String,
    pub origin: Origin,
}

impl Policy {
    pub fn arch(&self, arch: &str) -> Option<&ArchPolicy> {
        self.arches.iter().find(|a| a.arch == arch)
    }

    pub fn arch_names(&self) -> Vec<&str> {
        self.arches.iter().map(|a| a.arch.as_str()).collect()
    }

    pub fn custom_feature(&self, name: &str) -> Option<&CustomFeature> {
        self.qemu.custom_features.iter().find(|f| f.name == name)
    }

    /// The installed file of a block module: `%{_libdir}/qemu-kvm/block-rbd.so`.
    pub fn module_file(&self, module: &str) -> String {
        match &self.qemu.module_dir {
            Some(dir) => format!("{}/{module}.so", dir.value.trim_end_matches('/')),
            None => format!("{module}.so"),
        }
    }

    /// `rhel-7.3 (qemu-kvm 1.5.3)`.
    pub fn title(&self) -> String {
        format!("{} ({} {})", self.name, self.qemu.package.value, self.qemu.version.value)
    }

    /// The qemu package and version, as the views give them.
    pub fn qemu_name(&self) -> QemuName {
        QemuName { package: self.qemu.package.value.clone(), version: self.qemu.version.value.to_string() }
    }
}

impl ArchPolicy {
    /// Whether `other` is this arch's policy under another name: every setting equal. What
    /// is computed from one arch's policy (access, its diff) then holds for the other.
    pub fn same_settings(&self, other: &ArchPolicy) -> bool {
        // Every field by name, so that a new one cannot be left out of the comparison. Shared
        // lists compare by pointer first: `Arc`'s `==` does so for `Eq` contents.
        let ArchPolicy {
            arch: _,
            build,
            bare_configure,
            features,
            drivers,
            rw_whitelist,
            ro_whitelist,
            whitelist_in_tools,
            whitelist_in_tools_set,
            acknowledged_compiled_out,
            extra_args,
            subpackages,
            libguestfs_disabled,
            libvirt,
            needs,
            consumers,
            removals,
        } = self;
        *build == other.build
            && *bare_configure == other.bare_configure
            && *features == other.features
            && *drivers == other.drivers
            && *rw_whitelist == other.rw_whitelist
            && *ro_whitelist == other.ro_whitelist
            && *whitelist_in_tools == other.whitelist_in_tools
            && *whitelist_in_tools_set == other.whitelist_in_tools_set
            && *acknowledged_compiled_out == other.acknowledged_compiled_out
            && *extra_args == other.extra_args
            && *subpackages == other.subpackages
            && *libguestfs_disabled == other.libguestfs_disabled
            && *libvirt == other.libvirt
            && *needs == other.needs
            && *consumers == other.consumers
            && *removals == other.removals
    }

    pub fn driver(&self, name: &str) -> Option<&DriverBuild> {
        self.drivers.iter().find(|d| d.name == name)
    }

    pub fn feature(&self, name: &str) -> Option<&FeatureSetting> {
        self.features.iter().find(|f| f.name == name)
    }

    pub fn has_emulator(&self) -> bool {
        self.build.value == BuildMode::Full
    }

    pub fn in_rw(&self, driver: &str) -> bool {
        self.rw_whitelist.iter().any(|d| d.value == driver)
    }

    /// Where it was decided that `value` is not in `list`: the edit that removed it, else the
    /// list as written (its first entry), else nowhere.
    pub fn absence(&self, list: ListName, value: &str) -> Origin {
        if let Some(r) = self.removals.iter().find(|r| r.list == list && r.value == value) {
            return r.origin.clone();
        }
        let entries: &[Valued<String>] = match list {
            ListName::RwWhitelist => &self.rw_whitelist,
            ListName::RoWhitelist => &self.ro_whitelist,
            ListName::LibguestfsDisabled => &self.libguestfs_disabled,
            ListName::LibvirtDisabled => self.libvirt.as_ref().map_or(&[][..], |l| l.disabled.as_slice()),
        };
        entries.first().map_or(Origin::Default, |e| e.origin.clone())
    }

    pub fn compiled_in(&self, driver: &str) -> bool {
        self.driver(driver).is_some_and(|d| d.compiled_in)
    }

    pub fn subpackage(&self, module: &str) -> Option<&Subpackage> {
        self.subpackages.iter().find(|s| s.module == module)
    }
}

pub fn values<T: Clone>(list: &[Valued<T>]) -> Vec<T> {
    list.iter().map(|v| v.value.clone()).collect()
}

/// A profile's parents, nearest first, shared with its children's: resolving every profile of
/// a chain of depth 2,000 does not copy 2,000 names for each.
#[derive(Debug, Clone, Default)]
pub struct Parents(Option<std::sync::Arc<ParentNode>>);

#[derive(Debug)]
struct ParentNode {
    name: String,
    rest: Parents,
}

impl Parents {
    /// `name`, then `rest`.
    pub fn with(name: String, rest: &Parents) -> Parents {
        Parents(Some(std::sync::Arc::new(ParentNode { name, rest: rest.clone() })))
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        std::iter::successors(self.0.as_deref(), |n| n.rest.0.as_deref()).map(|n| n.name.as_str())
    }

    pub fn first(&self) -> Option<&str> {
        self.0.as_deref().map(|n| n.name.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}
