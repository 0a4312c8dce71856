//! What qemu is: drivers, build options and their spelling per version, whitelist options,
//! refusal messages, architectures and libguestfs protocols. Data plus lookups; it knows
//! nothing of profiles. The data is `qemu.toml`, the one file a person edits: build.rs
//! compiles this module too, parses the TOML into these types once and writes them in postcard
//! form, which the binary carries and reads at start-up (`Catalogue::get`). A field added to
//! these types is carried with no other change; serde attributes that need a self-describing
//! format (`untagged`, `flatten`, `skip_serializing_if`) are not available here.

pub mod buildrequires;
mod text;
mod versions;

pub use text::Text;
pub use versions::{Range, Release};

use semver::Version;
use serde::{Deserialize, Serialize};

/// The backports of a build that has none: upstream qemu as released.
pub const NO_BACKPORTS: &[&str] = &[];

/// Whether `name` is one of `backports` (a profile's, as it names them).
fn listed(backports: &[impl AsRef<str>], name: &str) -> bool {
    backports.iter().any(|b| b.as_ref() == name)
}

/// Lookups by name are most of resolution's hashing: a fast hash (the order stays the file's).
type IndexMap<K, V> = indexmap::IndexMap<K, V, foldhash::fast::FixedState>;

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Catalogue {
    read_up_to: Release,
    pub arches: Arches,
    pub features: IndexMap<Text, Feature>,
    pub whitelist: WhitelistOptions,
    pub backports: IndexMap<Text, Backport>,
    pub drivers: IndexMap<Text, Driver>,
    pub messages: Vec<Message>,
    /// Drivers qemu never opens read-write, by family.
    pub read_only: IndexMap<Text, ReadOnlyFamily>,
    pub libguestfs: Libguestfs,
    pub libvirt: Libvirt,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Arches {
    pub known: Vec<Text>,
    pub groups: IndexMap<Text, Vec<Text>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Feature {
    pub summary: Text,
    pub configure: Vec<ConfigureRange>,
    pub meson: Option<MesonOption>,
}

/// A version range in which `./configure` accepts `--enable-NAME` / `--disable-NAME`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConfigureRange {
    pub versions: Range,
    #[serde(default)]
    pub effect: Effect,
    #[serde(default)]
    pub default: Default,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// The flag compiles the code in or out.
    #[default]
    Real,
    /// The flag is accepted and ignored (vhdx 2.8 to 7.2).
    Obsolete,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Default {
    /// Built when its library is found (qemu's "auto").
    #[default]
    Auto,
    /// Off unless enabled.
    Disabled,
}

impl Feature {
    /// The qemu versions whose configure takes the flag: `>=1.7, <2.8 or >=8.1 (accepted and
    /// ignored in >=2.8, <8.0)`.
    pub fn configure_versions(&self) -> String {
        let ranges = |effect: Effect| {
            self.configure.iter().filter(|r| r.effect == effect).map(|r| r.versions.to_string()).collect::<Vec<_>>()
        };
        let (real, obsolete) = (ranges(Effect::Real), ranges(Effect::Obsolete));
        let mut text = real.join(" or ");
        if !obsolete.is_empty() {
            text.push_str(&format!(" (accepted and ignored in {})", obsolete.join(" or ")));
        }
        text
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct MesonOption {
    pub option: Text,
    pub versions: Range,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct WhitelistOptions {
    pub legacy: WhitelistOption,
    pub rw: WhitelistOption,
    pub ro: WhitelistOption,
    pub in_tools: WhitelistOption,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct WhitelistOption {
    pub flag: Text,
    pub versions: Range,
    pub backport: Option<Text>,
    pub meson: Option<Text>,
    pub meson_versions: Option<Range>,
}

impl WhitelistOption {
    pub fn configure_accepts(&self, version: &Version, backports: &[impl AsRef<str>]) -> bool {
        self.versions.matches(version) || self.backport.as_ref().is_some_and(|b| listed(backports, b))
    }

    pub fn meson_option(&self, version: &Version) -> Option<&str> {
        match (&self.meson, &self.meson_versions) {
            (Some(option), Some(range)) if range.matches(version) => Some(option),
            _ => None,
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Backport {
    pub title: Text,
    pub effect: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriverKind {
    Format,
    Protocol,
    Filter,
    Internal,
}

impl DriverKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DriverKind::Format => "format",
            DriverKind::Protocol => "protocol",
            DriverKind::Filter => "filter",
            DriverKind::Internal => "internal",
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Driver {
    pub kind: DriverKind,
    added: Release,
    removed: Option<Release>,
    removed_by_backport: Option<Text>,
    added_by_backport: Option<Text>,
    #[serde(default)]
    built_by: Vec<BuiltBy>,
    emulator_only: Option<Range>,
    /// The driver option that makes it writable (vvfat's `rw=on`).
    write_option: Option<Text>,
    /// Before this version the driver only reads (vhdx: create and write from 1.7).
    writable_from: Option<Release>,
    pub module: Option<Text>,
    /// Versions in which the module table misses the driver (blkio 7.2 to 8.0).
    module_not_found: Option<ModuleNotFound>,
    pub note: Option<Text>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ModuleNotFound {
    pub versions: Range,
    /// The backport that fixes it.
    pub fixed_by: Text,
}

/// Drivers that never write, and what a read-write open meets per version.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ReadOnlyFamily {
    pub summary: Text,
    pub drivers: Vec<Text>,
    pub refusals: Vec<WriteRefusal>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct WriteRefusal {
    pub versions: Range,
    /// qemu's error for a read-write open.
    pub text: Option<Text>,
    /// What happens instead, when qemu prints no error.
    pub note: Option<Text>,
}

/// What a driver can do with a read-write open in one qemu version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Writability {
    Writes,
    /// Only with this driver option (`rw=on`).
    WithOption(String),
    /// Only from this version on.
    Until(Version),
    /// Never: qemu's error for a read-write open (`text`) or what it does instead (`note`).
    Never {
        text: Option<String>,
        note: Option<String>,
    },
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BuiltBy {
    pub feature: Text,
    pub versions: Range,
}

impl Driver {
    pub fn added(&self) -> Version {
        (*self.added).clone()
    }

    pub fn removed(&self) -> Option<Version> {
        self.removed.as_deref().cloned()
    }

    /// The backport that brings the driver to versions older than the one that added it.
    pub fn added_by_backport(&self) -> Option<&str> {
        self.added_by_backport.as_deref()
    }

    /// Whether the driver's code is in this qemu version at all (before build options).
    pub fn exists_in(&self, version: &Version, backports: &[impl AsRef<str>]) -> bool {
        if self.removed_by_backport.as_ref().is_some_and(|b| listed(backports, b)) {
            return false;
        }
        let (from, until) = (&*self.added, self.removed.as_deref());
        let added = version >= from || self.added_by_backport.as_ref().is_some_and(|b| listed(backports, b));
        added && until.is_none_or(|r| version < r)
    }

    /// Why a registered driver is not in `version`: `qemu 2.12.0 has no tftp driver (removed in
    /// 2.8.0)`.
    pub fn absent_from(&self, name: &str, version: &Version) -> String {
        match self.removed() {
            Some(r) if *version >= r => format!("qemu {version} has no {name} driver (removed in {r})"),
            _ => format!("qemu {version} has no {name} driver (added in {})", self.added()),
        }
    }

    /// The build option that compiles it in or out in this version; `None` means always built.
    pub fn built_by(&self, version: &Version) -> Option<&str> {
        self.built_by.iter().find(|b| b.versions.matches(version)).map(|b| b.feature.as_str())
    }

    /// Every build option that controls it in some version.
    pub fn features(&self) -> impl Iterator<Item = &str> {
        self.built_by.iter().map(|b| b.feature.as_str())
    }

    /// Whether a read-write open can work in this version, leaving aside the families of
    /// drivers that never write (`Catalogue::writability` knows those).
    fn own_writability(&self, version: &Version) -> Writability {
        if let Some(option) = &self.write_option {
            return Writability::WithOption(option.to_string());
        }
        match self.writable_from.as_deref() {
            Some(from) if version < from => Writability::Until(from.clone()),
            _ => Writability::Writes,
        }
    }

    /// Whether a build with modules can find the driver's module at runtime in this version;
    /// `Err` names the fix when it cannot.
    pub fn module_found(&self, version: &Version, backports: &[impl AsRef<str>]) -> Result<(), &ModuleNotFound> {
        match &self.module_not_found {
            Some(m) if m.versions.matches(version) && !listed(backports, &m.fixed_by) => Err(m),
            _ => Ok(()),
        }
    }

    /// Whether the tools (qemu-img, qemu-io, qemu-nbd) register it in this version.
    pub fn in_tools(&self, version: &Version) -> bool {
        self.kind != DriverKind::Internal && self.emulator_only.as_ref().is_none_or(|r| !r.matches(version))
    }

    /// Whether a user can name it (in a whitelist, `-drive driver=`, `qemu-img -f`).
    pub fn is_registered(&self) -> bool {
        self.kind != DriverKind::Internal
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageKind {
    RoOnly,
    NotWhitelisted,
    Any,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Message {
    pub versions: Range,
    pub backport: Option<Text>,
    pub kind: MessageKind,
    pub text: Text,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Libguestfs {
    /// add_drive protocols by name.
    pub protocols: IndexMap<Text, LibguestfsProtocol>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LibguestfsProtocol {
    /// The qemu driver it opens.
    pub driver: Text,
    /// The first upstream libguestfs release without it.
    removed: Option<Release>,
}

impl LibguestfsProtocol {
    pub fn removed(&self) -> Option<Version> {
        self.removed.as_deref().cloned()
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Libvirt {
    /// `<disk type='network'>` protocols by libvirt's name -> the qemu driver it opens.
    pub protocols: IndexMap<Text, Text>,
    pub build: LibvirtBuild,
    /// Storage pool backends by name (`iscsi-direct`).
    pub storage_backends: IndexMap<Text, StorageBackend>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LibvirtBuild {
    /// The first libvirt built with meson.
    meson_from: Release,
}

impl LibvirtBuild {
    pub fn meson(&self, version: &Version) -> bool {
        *version >= *self.meson_from
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StorageBackend {
    pub summary: Text,
    /// The qemu driver whose storage it pools, if any.
    pub driver: Option<Text>,
    /// The meson option (`storage_rbd`) and the spec macro (`with_storage_rbd`).
    pub meson: Text,
    pub spec_macro: Text,
    /// The meson option of the library the backend needs, passed along with it (`glusterfs`).
    pub library: Option<Text>,
    /// libvirt versions that have it.
    pub versions: Range,
}

/// The two ways a whitelist can refuse an open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A read-write open of a driver on the ro list only.
    ReadOnlyOnly,
    /// A driver on neither list.
    NotWhitelisted,
}

/// Not in build.rs's own copy of this module, which writes the bytes it reads.
#[cfg(drvpolicy_catalogue)]
impl Catalogue {
    /// The embedded catalogue, decoded once (qemu.toml as build.rs read it).
    pub fn get() -> &'static Catalogue {
        static CATALOGUE: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
        CATALOGUE.get_or_init(Catalogue::decode_embedded)
    }

    fn decode_embedded() -> Catalogue {
        postcard::from_bytes(EMBEDDED).unwrap_or_else(|e| panic!("the embedded catalogue does not decode: {e}"))
    }
}

/// The catalogue as build.rs wrote it, in postcard form.
#[cfg(drvpolicy_catalogue)]
static EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/catalogue.postcard"));

/// `bytes` as a slice of the embedded catalogue, when that is where they lie.
#[cfg(drvpolicy_catalogue)]
fn embedded_slice(bytes: &[u8]) -> Option<&'static [u8]> {
    let offset = (bytes.as_ptr() as usize).checked_sub(EMBEDDED.as_ptr() as usize)?;
    EMBEDDED.get(offset..offset.checked_add(bytes.len())?)
}

impl Catalogue {
    /// The catalogue from its TOML (`qemu.toml`); build.rs does this once, at build time.
    pub fn from_toml(text: &str) -> Result<Catalogue, String> {
        toml_edit::de::from_str(text).map_err(|e| e.to_string())
    }

    /// The newest qemu version the catalogue's facts were read from.
    pub fn read_up_to(&self) -> Version {
        (*self.read_up_to).clone()
    }

    pub fn driver(&self, name: &str) -> Option<&Driver> {
        self.drivers.get(name)
    }

    pub fn feature(&self, name: &str) -> Option<&Feature> {
        self.features.get(name)
    }

    /// Registered drivers whose code exists in this version, in catalogue order.
    pub fn drivers_in<'a>(
        &'a self,
        version: &Version,
        backports: &[impl AsRef<str>],
    ) -> impl Iterator<Item = (&'a str, &'a Driver)> {
        self.drivers
            .iter()
            .filter(move |(_, d)| d.is_registered() && d.exists_in(version, backports))
            .map(|(n, d)| (n.as_str(), d))
    }

    pub fn is_known_arch(&self, arch: &str) -> bool {
        self.arches.known.iter().any(|a| a == arch)
    }

    pub fn arch_group(&self, name: &str) -> Option<&[Text]> {
        self.arches.groups.get(name).map(Vec::as_slice)
    }

    /// Names usable in an arch selector: arches and groups.
    pub fn arch_names(&self) -> impl Iterator<Item = &str> {
        self.arches.known.iter().chain(self.arches.groups.keys()).map(Text::as_str)
    }

    /// Every block module a driver is built as (`block-curl`, ...), in catalogue order.
    pub fn module_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for module in self.drivers.values().filter_map(|d| d.module.as_deref()) {
            if !names.contains(&module) {
                names.push(module);
            }
        }
        names
    }

    /// Whether `driver` can be opened read-write at all in this version.
    pub fn writability(&self, driver: &str, version: &Version) -> Writability {
        if let Some(family) = self.read_only.values().find(|f| f.drivers.iter().any(|d| d == driver)) {
            let refusal = family.refusals.iter().find(|r| r.versions.matches(version));
            return Writability::Never {
                text: refusal.and_then(|r| r.text.as_deref().map(str::to_string)),
                note: refusal.and_then(|r| r.note.as_deref().map(str::to_string)),
            };
        }
        self.driver(driver).map_or(Writability::Writes, |d| d.own_writability(version))
    }

    /// The qemu driver a libguestfs add_drive protocol opens.
    pub fn protocol_driver(&self, protocol: &str) -> Option<&str> {
        self.libguestfs.protocols.get(protocol).map(|p| p.driver.as_str())
    }

    /// The upstream libguestfs release that removed `protocol`, if `version` no longer has it.
    pub fn libguestfs_removed(&self, protocol: &str, version: &Version) -> Option<Version> {
        self.libguestfs.protocols.get(protocol)?.removed().filter(|r| version >= r)
    }

    /// The libvirt network disk protocol that opens `driver`, with its name.
    pub fn libvirt_protocol_of(&self, driver: &str) -> Option<(&str, &str)> {
        self.libvirt.protocols.iter().find(|(_, d)| *d == driver).map(|(p, d)| (p.as_str(), d.as_str()))
    }

    /// The qemu driver whose storage a libvirt storage pool backend pools.
    pub fn storage_backend_driver(&self, backend: &str) -> Option<&str> {
        self.libvirt.storage_backends.get(backend)?.driver.as_deref()
    }

    /// The message the emulator prints for a refusal, in this version.
    pub fn refusal_message(
        &self,
        refusal: Refusal,
        version: &Version,
        backports: &[impl AsRef<str>],
        driver: &str,
    ) -> String {
        let wanted = match refusal {
            Refusal::ReadOnlyOnly => MessageKind::RoOnly,
            Refusal::NotWhitelisted => MessageKind::NotWhitelisted,
        };
        let applies =
            |m: &Message| m.versions.matches(version) || m.backport.as_ref().is_some_and(|b| listed(backports, b));
        self.messages
            .iter()
            .filter(|m| m.kind == wanted || m.kind == MessageKind::Any)
            .find(|m| applies(m) && (m.kind == wanted || !self.messages.iter().any(|o| o.kind == wanted && applies(o))))
            .map(|m| m.text.replace("{driver}", driver))
            .unwrap_or_else(|| format!("the open of '{driver}' fails"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        crate::version::normalise(s).unwrap()
    }

    #[test]
    fn the_embedded_catalogue_is_qemu_toml() {
        let parsed = Catalogue::from_toml(include_str!("qemu.toml")).unwrap();
        assert_eq!(format!("{parsed:#?}"), format!("{:#?}", Catalogue::decode_embedded()));
    }

    /// Decoded from the embedded bytes, the catalogue's strings are slices of them; read from
    /// the TOML, they are copies the catalogue owns.
    #[test]
    fn embedded_strings_are_borrowed() {
        let embedded = Catalogue::get();
        let names: Vec<&Text> =
            embedded.drivers.keys().chain(embedded.features.keys()).chain(&embedded.arches.known).collect();
        assert!(names.len() > 100, "{}", names.len());
        assert!(names.iter().all(|t| t.is_borrowed()));
        assert!(embedded.drivers.values().filter_map(|d| d.note.as_ref()).all(Text::is_borrowed));
        let parsed = Catalogue::from_toml(include_str!("qemu.toml")).unwrap();
        assert!(parsed.drivers.keys().all(|t| !t.is_borrowed()));
    }

    #[test]
    fn catalogue_parses_and_is_consistent() {
        let c = Catalogue::get();
        for (name, driver) in &c.drivers {
            for feature in driver.features() {
                assert!(c.feature(feature).is_some(), "driver {name} names unknown feature {feature}");
            }
            let fix = driver.module_not_found.as_ref().map(|m| &m.fixed_by);
            for b in driver.removed_by_backport.iter().chain(&driver.added_by_backport).chain(fix) {
                assert!(c.backports.contains_key(b), "driver {name}: unknown backport {b}");
            }
        }
        for (protocol, p) in &c.libguestfs.protocols {
            assert!(c.driver(&p.driver).is_some(), "protocol {protocol} maps to unknown driver {}", p.driver);
        }
        for (protocol, driver) in &c.libvirt.protocols {
            assert!(c.driver(driver).is_some(), "libvirt protocol {protocol} maps to unknown driver {driver}");
        }
        for (name, backend) in &c.libvirt.storage_backends {
            assert!(backend.driver.as_ref().is_none_or(|d| c.driver(d).is_some()), "backend {name}");
        }
        for group in c.arches.groups.values() {
            assert!(group.iter().all(|a| c.is_known_arch(a)));
        }
        for (name, family) in &c.read_only {
            assert!(family.drivers.iter().all(|d| c.driver(d).is_some()), "read-only family {name}");
        }
    }

    #[test]
    fn ssh_is_built_by_libssh2_then_libssh() {
        let ssh = Catalogue::get().driver("ssh").unwrap();
        assert_eq!(ssh.built_by(&v("1.5.3")), Some("libssh2"));
        assert_eq!(ssh.built_by(&v("4.0.0")), Some("libssh2"));
        assert_eq!(ssh.built_by(&v("4.1.0")), Some("libssh"));
        assert!(!ssh.exists_in(&v("1.4.0"), NO_BACKPORTS));
    }

    #[test]
    fn vhdx_flag_is_real_ignored_rejected_real() {
        let vhdx = Catalogue::get().feature("vhdx").unwrap();
        let range = |s: &str| vhdx.configure.iter().find(|r| r.versions.matches(&v(s))).map(|r| r.effect);
        assert_eq!(range("1.6.0"), None);
        assert_eq!(range("2.3.0"), Some(Effect::Real));
        assert_eq!(range("2.12.0"), Some(Effect::Obsolete));
        assert_eq!(range("8.0.0"), None);
        assert_eq!(range("8.1.0"), Some(Effect::Real));
    }

    #[test]
    fn debian_10_0_2_driver_list_matches_qemu_md() {
        // qemu.md section 4: the real qemu-img --help of Debian 10.0.2 (built without libblkio).
        let expected = "blkdebug blklogwrites blkverify bochs cloop compress copy-before-write copy-on-read dmg file ftp ftps gluster host_cdrom host_device http https iscsi iser luks nbd nfs null-aio null-co nvme parallels preallocate qcow qcow2 qed quorum raw rbd replication snapshot-access ssh throttle vdi vhdx vmdk vpc vvfat";
        let c = Catalogue::get();
        let version = v("10.0.2");
        let mut got: Vec<&str> = c
            .drivers_in(&version, NO_BACKPORTS)
            .filter(|(_, d)| d.in_tools(&version) && d.built_by(&version) != Some("blkio"))
            .map(|(n, _)| n)
            .collect();
        got.sort();
        assert_eq!(got.join(" "), expected);
    }

    #[test]
    fn computed_lists_of_qemu_md_1d() {
        let c = Catalogue::get();
        let list = |s: &str| {
            let version = v(s);
            let mut names: Vec<&str> =
                c.drivers_in(&version, NO_BACKPORTS).filter(|(_, d)| d.in_tools(&version)).map(|(n, _)| n).collect();
            names.sort();
            names.join(" ")
        };
        assert_eq!(
            list("1.5.3"),
            "blkdebug blkverify bochs cloop cow dmg file ftp ftps gluster host_cdrom host_device host_floppy http https iscsi nbd parallels qcow qcow2 qed raw rbd sheepdog ssh tftp vdi vhdx vmdk vpc vvfat"
        );
        assert_eq!(
            list("2.12.0"),
            "blkdebug blkreplay blkverify bochs cloop dmg file ftp ftps gluster host_cdrom host_device http https iscsi iser luks nbd nfs null-aio null-co nvme parallels qcow qcow2 qed quorum raw rbd replication sheepdog ssh throttle vdi vhdx vmdk vpc vvfat vxhs"
        );
        assert_eq!(
            list("6.2.0"),
            "blkdebug blklogwrites blkverify bochs cloop compress copy-before-write copy-on-read dmg file ftp ftps gluster host_cdrom host_device http https iscsi iser luks nbd nfs null-aio null-co nvme parallels preallocate qcow qcow2 qed quorum raw rbd replication ssh throttle vdi vhdx vmdk vpc vvfat"
        );
    }

    #[test]
    fn refusal_messages_by_version() {
        let c = Catalogue::get();
        assert_eq!(
            c.refusal_message(Refusal::ReadOnlyOnly, &v("2.12.0"), NO_BACKPORTS, "vpc"),
            "Driver 'vpc' can only be used for read-only devices"
        );
        assert_eq!(
            c.refusal_message(Refusal::NotWhitelisted, &v("10.0.2"), NO_BACKPORTS, "qcow"),
            "Driver 'qcow' is not whitelisted"
        );
        assert!(c.refusal_message(Refusal::NotWhitelisted, &v("1.6.0"), NO_BACKPORTS, "qcow").contains("ENOTSUP"));
        assert!(
            c.refusal_message(Refusal::NotWhitelisted, &v("1.5.3"), NO_BACKPORTS, "qcow")
                .starts_with("'qcow' invalid format")
        );
        let rhel = ["34b5d2c6".to_string(), "8f94a6e4".to_string()];
        assert_eq!(
            c.refusal_message(Refusal::NotWhitelisted, &v("1.5.3"), &rhel, "qcow"),
            "Driver 'qcow' is not whitelisted"
        );
        assert_eq!(
            c.refusal_message(Refusal::ReadOnlyOnly, &v("1.5.3"), &rhel, "vpc"),
            "Driver 'vpc' can only be used for read-only devices"
        );
    }
}
