//! Library enums as command-line values. The library knows their names; the words of
//! `--help` are the binary's, one exhaustive match per enum so that a new variant needs them.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use drvpolicy::diff::DiffLayer;
use drvpolicy::diff::generated::Generated;
use drvpolicy::generate::spec::SpecStyle;
use drvpolicy::options::Dialect;
use drvpolicy::profile::Program;

pub trait Choice: Copy + Send + Sync + 'static {
    fn all() -> &'static [Self];
    fn name(self) -> &'static str;
    fn help(self) -> &'static str;
}

/// The value parser of `T`: its names, each with its help, in the library's order.
pub fn parser<T: Choice>() -> impl TypedValueParser<Value = T> {
    let values = T::all().iter().map(|v| PossibleValue::new(v.name()).help(v.help()));
    PossibleValuesParser::new(values).map(|name: String| {
        // The possible values are exactly these names, so one matches.
        *T::all().iter().find(|v| v.name() == name).unwrap_or(&T::all()[0])
    })
}

impl Choice for Dialect {
    fn all() -> &'static [Self] {
        &Dialect::ALL
    }
    fn name(self) -> &'static str {
        self.as_str()
    }
    fn help(self) -> &'static str {
        match self {
            Dialect::Configure => "`./configure --enable-X` flags",
            Dialect::Meson => "meson `-DX=enabled` options (qemu 6.0 and later)",
        }
    }
}

impl Choice for SpecStyle {
    fn all() -> &'static [Self] {
        &SpecStyle::ALL
    }
    fn name(self) -> &'static str {
        self.as_str()
    }
    fn help(self) -> &'static str {
        match self {
            SpecStyle::Inline => "whitelists written inline in the configure arguments",
            SpecStyle::Globals => "whitelists as %global block_drivers_rw_list / block_drivers_ro_list macros",
            SpecStyle::Macros => {
                "no configure run: %global drvpolicy_block_args and drvpolicy_tools_only per arch, for the spec's own"
            }
        }
    }
}

impl Choice for Generated {
    fn all() -> &'static [Self] {
        &Generated::ALL
    }
    fn name(self) -> &'static str {
        self.as_str()
    }
    fn help(self) -> &'static str {
        match self {
            Generated::Spec => "`generate spec` (inline style)",
            Generated::Configure => "`generate configure`, per arch",
            Generated::Libguestfs => "`generate libguestfs` (text)",
        }
    }
}

impl Choice for DiffLayer {
    fn all() -> &'static [Self] {
        &DiffLayer::ALL
    }
    fn name(self) -> &'static str {
        self.as_str()
    }
    fn help(self) -> &'static str {
        match self {
            DiffLayer::Arches => "arches added or removed",
            DiffLayer::Qemu => "qemu package, version and backports",
            DiffLayer::Build => "build mode (full or tools-only) and which drivers are compiled in or built as modules",
            DiffLayer::Subpackages => {
                "the block subpackages that ship the modules, and whether the main package requires them"
            }
            DiffLayer::Features => "build options: --enable-X / --disable-X and their meson spellings",
            DiffLayer::RwWhitelist => "--block-drv-rw-whitelist (compared as a set)",
            DiffLayer::RoWhitelist => "--block-drv-ro-whitelist (compared as a set)",
            DiffLayer::WhitelistInTools => "whether qemu-img, qemu-io and qemu-nbd apply the whitelists (qemu 6.1+)",
            DiffLayer::Libvirt => "libvirt's version, its storage pool backends and the protocols it disables",
            DiffLayer::Libguestfs => "libguestfs package, version, patch and the protocols it removes from add_drive",
            DiffLayer::Consumers => "consumer needs (virt-v2v's https and ssh, ...)",
            DiffLayer::Access => "effective access per driver and program: what users feel",
        }
    }
}

impl Choice for Program {
    fn all() -> &'static [Self] {
        Program::ALL
    }
    fn name(self) -> &'static str {
        self.as_str()
    }
    fn help(self) -> &'static str {
        match self {
            Program::Emulator => "qemu-kvm / qemu-system-*: the whitelists apply",
            Program::Tools => "qemu-img, qemu-io, qemu-nbd",
            Program::Libvirt => "libvirt",
            Program::Libguestfs => "libguestfs add_drive",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value parses back to itself: the names are distinct and all reachable.
    fn round_trip<T: Choice + PartialEq + std::fmt::Debug>() {
        let command = clap::Command::new("t").arg(clap::Arg::new("v").long("v").value_parser(parser::<T>()));
        for value in T::all() {
            let matches = command.clone().try_get_matches_from(["t", "--v", value.name()]).unwrap();
            assert_eq!(matches.get_one::<T>("v"), Some(value));
        }
        assert!(command.try_get_matches_from(["t", "--v", "nonsense"]).is_err());
    }

    #[test]
    fn every_choice_round_trips() {
        round_trip::<Dialect>();
        round_trip::<SpecStyle>();
        round_trip::<Generated>();
        round_trip::<DiffLayer>();
        round_trip::<Program>();
    }
}
