//! The small vocabularies of the profile format.

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// What configure builds on an arch.
    BuildMode {
        /// Emulator and tools; the whitelists apply to the emulator.
        Full = "full",
        /// qemu-img, qemu-io and qemu-nbd only, from a bare configure without whitelists.
        ToolsOnly = "tools-only",
    }
}

vocabulary! {
    /// A build option's setting.
    FeatureState {
        /// `--enable-X`: built, and the build fails if the library is missing.
        Enable = "enable",
        /// `--disable-X`: compiled out.
        Disable = "disable",
        /// No flag: configure's default (built when its library is found, which is assumed).
        Auto = "auto",
        /// No flag, and the library is not available on the arch: compiled out.
        Unavailable = "unavailable",
    }
}

impl FeatureState {
    /// `rbd is disabled`, not `rbd is disable`.
    pub fn past(self) -> &'static str {
        match self {
            FeatureState::Enable => "enabled",
            FeatureState::Disable => "disabled",
            FeatureState::Auto => "auto",
            FeatureState::Unavailable => "unavailable",
        }
    }
}

vocabulary! {
    /// Access to a driver.
    Access {
        None = "none",
        ReadOnly = "ro",
        ReadWrite = "rw",
    }
}

vocabulary! {
    /// The programs that open disks, from the bottom of the stack up.
    Program {
        /// qemu-kvm / qemu-system-*: applies the whitelists.
        Emulator = "emulator",
        /// qemu-img, qemu-io, qemu-nbd.
        Tools = "tools",
        /// libvirt.
        Libvirt = "libvirt",
        /// libguestfs `add_drive`.
        Libguestfs = "libguestfs",
    }
}

vocabulary! {
    /// How libguestfs runs qemu (`LIBGUESTFS_BACKEND`).
    LibguestfsBackend {
        /// Through libvirt (RHEL's and Fedora's default build).
        Libvirt = "libvirt",
        /// qemu directly (upstream's default; what virt-v2v sets).
        Direct = "direct",
    }
}

vocabulary! {
    /// What configure a tools-only arch runs.
    ToolsConfigure {
        /// A bare configure: only what an arch selector sets, no whitelists (RHEL 7).
        Bare = "bare",
        /// The same configure as the other arches; only the tools are built and packaged (RHEL 9).
        Shared = "shared",
    }
}
