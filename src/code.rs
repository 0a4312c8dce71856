//! Every diagnostic code: its name in text and JSON, its severity and what it means. The
//! README's table of codes and the JSON Schema's enum of them are checked against this list.

use crate::diagnostic::Severity;

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident, $description:literal;)*) => {
        /// What a diagnostic is about. `as_str` is the name text and JSON show (`error[io]`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $description] $variant,)*
        }

        impl Code {
            /// Every code, in the order of the README's table.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// The severity a diagnostic of this code has.
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// One line: what the code reports.
            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $description,)*
                }
            }
        }
    };
}

codes! {
    // A profile file: TOML, keys, values.
    TomlSyntax = "toml-syntax", Error, "the profile is not valid TOML";
    UnknownKey = "unknown-key", Error, "a key its table does not have (`rw-whitelsit`: did you mean `rw-whitelist`?)";
    WrongType = "wrong-type", Error, "a value of another TOML type than the key takes";
    MissingKey = "missing-key", Error, "a key the profile needs (`[profile]`, `release`, the qemu package or version), set neither here nor in a parent";
    BadValue = "bad-value", Error, "a value outside the ones its key takes (a feature state, an access)";
    BadVersion = "bad-version", Error, "a release or qemu version that is not a version";
    BadSelector = "bad-selector", Error, "an `[arch.\"SEL\"]` key that is not an arch selector";
    MissingParent = "missing-parent", Error, "`inherits` names a profile that is not on the search path (the chain is named)";
    InheritanceCycle = "inheritance-cycle", Error, "profiles that inherit in a cycle (the chain is named)";
    InvalidUtf8 = "invalid-utf8", Error, "a profile byte that is not UTF-8, at its line and column";
    ControlCharacter = "control-character", Error, "a newline, tab, escape or other control character in a value that reaches generated text";
    BadExtraArg = "bad-extra-arg", Error, "an `extra-args` entry that would not stay one configure argument (see Profiles)";
    // Names the catalogue does not know.
    UnknownArch = "unknown-arch", Error, "an arch the catalogue does not know, or an `--arch` the profile does not build";
    UnknownDriver = "unknown-driver", Error, "a name that is not a qemu block driver";
    UnknownFeature = "unknown-feature", Error, "a build option neither in the catalogue nor a custom feature of the profile";
    UnknownBackport = "unknown-backport", Error, "a backport commit the catalogue does not know";
    UnknownProtocol = "unknown-protocol", Error, "a name that is not a libguestfs `add_drive` or libvirt disk protocol";
    UnknownBackend = "unknown-backend", Error, "a name that is not a libvirt storage pool backend";
    UnknownModule = "unknown-module", Error, "a subpackage of a block module qemu does not build";
    UnknownSpelling = "unknown-spelling", Error, "a `build-requires` spelling drvpolicy does not know";
    CustomFeatureKnown = "custom-feature-known", Error, "a custom feature the catalogue knows: it belongs in `[qemu.features]`";
    ExtraArgModelled = "extra-arg-modelled", Error, "an extra-args entry that sets what the model has a setting for (`--enable-rbd`)";
    // What the qemu version's configure accepts.
    UnsupportedOption = "unsupported-option", Error, "a build option the qemu version's configure rejects (`ERROR: unknown option`)";
    NoMeson = "no-meson", Error, "`--dialect meson` for a qemu before 6.0, which has no meson options";
    NoMesonOption = "no-meson-option", Error, "a build option without a meson spelling in the qemu version";
    ObsoleteOption = "obsolete-option", Warning, "an option the version accepts and ignores (`--enable-vhdx` on 2.8 to 7.2)";
    VersionBeyondCatalogue = "version-beyond-catalogue", Warning, "a qemu version newer than the catalogue's facts";
    VersionBeforeCatalogue = "version-before-catalogue", Error, "a qemu version older than any the catalogue knows (`0.0.1`); `1.5.3-` and `7.3-` are `bad-version`";
    // Settings that do nothing, or not what they seem to.
    DriverNotRegistered = "driver-not-registered", Warning, "a whitelisted driver internal to qemu, never registered (qemu ignores it silently)";
    DriverNotInVersion = "driver-not-in-version", Warning, "a whitelisted driver the qemu version does not have (qemu ignores it silently)";
    WhitelistedCompiledOut = "whitelisted-compiled-out", Warning, "a whitelisted driver compiled out, naming the arches; `acknowledge-compiled-out` silences it";
    RwAndRo = "rw-and-ro", Warning, "a driver in both whitelists (rw already allows read-only opens)";
    ProtocolRemovedUpstream = "protocol-removed-upstream", Warning, "the patch removes a protocol the libguestfs version no longer has (gluster from 1.54)";
    BackendNotInVersion = "backend-not-in-version", Warning, "a libvirt storage backend built that the libvirt version does not have (sheepdog from 8.8)";
    SubpackageWithoutModule = "subpackage-without-module", Warning, "a subpackage for a module no arch builds, or with qemu built without modules";
    RemoveAbsent = "remove-absent", Warning, "a child removes a value its parent never had";
    ConflictingFeature = "conflicting-feature", Warning, "two arch selectors set one build option both ways for an arch";
    DuplicateEntry = "duplicate-entry", Warning, "an entry written twice in one list (`qcow2, qcow2`, an arch, a need of one driver by one program); it counts once";
    AddPresent = "add-present", Warning, "an `add` of what the inherited list already has";
    AddAndRemove = "add-and-remove", Warning, "one edit that both adds and removes an entry (the add wins)";
    ConsumerArchNotBuilt = "consumer-arch-not-built", Warning, "a consumer's arch that the profile writing it does not build";
    // The checks of `check` over the whole stack of layers.
    NeedNotMet = "need-not-met", Error, "a consumer need (virt-v2v: `https` ro in the emulator) refused on an arch, on a default install plus the packages the consumer requires; names the deciding layer and line";
    ProtocolWithoutDriver = "protocol-without-driver", Warning, "a libguestfs protocol left in `add_drive` whose driver the emulator cannot open";
    // Command lines and what commands are asked.
    UnknownProfile = "unknown-profile", Error, "no profile of that name on the search path";
    UnknownProduct = "unknown-product", Error, "`history`: no product or series of that name";
    UnknownName = "unknown-name", Error, "`explain`: not a driver, protocol, build option or consumer of the profile";
    UnknownSubpackage = "unknown-subpackage", Error, "`--installed` names a package that is not a block subpackage of the profile";
    UnknownCommand = "unknown-command", Error, "`man` or `help` of a command that does not exist";
    UnknownSchema = "unknown-schema", Error, "`schema` of a name that is not a JSON output of drvpolicy";
    ArchNeeded = "arch-needed", Error, "a command about one arch, on a profile of several, without `--arch`";
    ArchNotApplicable = "arch-not-applicable", Error, "`--arch` where the output covers every arch (`diff --generated spec`)";
    ArchesDiffer = "arches-differ", Error, "`generate libguestfs --format list` where the arches' lists differ, without `--arch`";
    BadArgument = "bad-argument", Error, "an extra-args entry that is not complete shell text, for `-0` or JSON";
    NoLibvirt = "no-libvirt", Error, "`generate libvirt` of a profile that describes no libvirt storage backends";
    NoSubpackages = "no-subpackages", Error, "`generate subpackages` of a profile that names and obsoletes no block subpackages";
    NoSpelling = "no-spelling", Error, "`generate buildrequires` of a profile no BuildRequires spelling fits";
    NoBuildRequires = "no-build-requires", Warning, "a build option the BuildRequires spelling knows no package for (a comment line, not a guess)";
    NoFormatList = "no-format-list", Error, "`verify`: no format list in qemu-img's `--help` output";
    Template = "template", Error, "a template that does not parse or uses a variable its view does not have";
    Io = "io", Error, "a file or program that cannot be read, written or run";
    Exists = "exists", Warning, "`templates --dump`: a file already there, left as it is without `--force`";
    ReadOnly = "read-only", Error, "`sync` of a read-only spec, left as it is without `--force`";
    // `import spec`.
    BadSet = "bad-set", Error, "a `--set` that is not NAME=VALUE, or whose value is not complete shell text";
    BadName = "bad-name", Error, "a custom feature's name, flag or meson option, a package, consumer or profile name outside its grammar";
    NameMismatch = "name-mismatch", Error, "`--name` and the stem of `--output` differ";
    NoArches = "no-arches", Error, "a spec that does not say which arches it builds, without `--arches`";
    NoQemuVersion = "no-qemu-version", Error, "a spec that does not say which qemu version it builds, without `--qemu-version`";
    NoConfigure = "no-configure", Error, "no `./configure` run that can be read";
    NotText = "not-text", Error, "a file with a NUL byte: not a spec or a script";
    ElifAfterElse = "elif-after-else", Error, "an `%elif` after the `%else` of its `%if` (rpm refuses it too)";
    ExpansionTooLarge = "expansion-too-large", Error, "macros that expand beyond the limit (16 MiB)";
    Import = "import", Error, "the importer wrote no profile";
    NoRelease = "no-release", Warning, "a profile name without a release: `release` is a placeholder";
    NotInterpreted = "not-interpreted", Warning, "a line or argument the importer could not read, listed at the top of the profile";
    ImportNote = "import-note", Warning, "how the written profile says what the spec passes (arguments reordered or overridden); alone it keeps exit status 0";
    UnusedSet = "unused-set", Warning, "a `--set` or `--undefine` of a name the file never uses";
    ImportMismatch = "import-mismatch", Warning, "the written profile does not give back what the spec passes on an arch";
    // `sync`.
    NoMarkers = "no-markers", Error, "a file without a `# drvpolicy:begin` marker";
    BadMarker = "bad-marker", Error, "a begin marker without a profile, or with an unknown style";
    UnbalancedMarkers = "unbalanced-markers", Error, "a begin marker inside a region, an end marker without a begin, or a region never ended";
    OtherProfile = "other-profile", Error, "the profile named after the files has no region in one of them";
}

impl Code {
    /// The code named `name`, as `as_str` spells it.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }

    /// Whether a warning of this code is a finding (exit 1 where warnings count): every code
    /// but the importer's notes, which only say how the profile writes what it read.
    pub fn is_finding(self) -> bool {
        self != Code::ImportNote
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kebab_case_and_unique() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        for name in &names {
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{name}");
            assert!(!name.starts_with('-') && !name.ends_with('-') && !name.contains("--"), "{name}");
        }
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a name is used twice");
    }

    #[test]
    fn a_name_gives_back_its_code() {
        for &code in Code::ALL {
            assert_eq!(Code::from_name(code.as_str()), Some(code));
        }
        assert_eq!(Code::from_name("no-such-code"), None);
    }
}
