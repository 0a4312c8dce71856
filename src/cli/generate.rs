use super::{Context, Report, emit, json};
use drvpolicy::diagnostic::Failure;
use drvpolicy::generate::spec::SpecStyle;
use drvpolicy::generate::{configure, libguestfs, libvirt, spec, subpackages};
use drvpolicy::options::Dialect;
use std::path::PathBuf;

/// Generate configure arguments, spec-file snippets or libguestfs patch lists from a profile.
#[derive(Debug, clap::Subcommand)]
#[command(
    after_help = "Examples:\n  drvpolicy generate spec rhel-7.3\n  drvpolicy generate configure rhel-7.3 --arch x86_64\n  \
drvpolicy generate libguestfs rhel-7.3 --format list"
)]
pub enum Generate {
    /// The configure arguments of one arch, one per line with ` \` continuations.
    #[command(
        after_help = "Examples:\n  drvpolicy generate configure rhel-7.3 --arch x86_64\n  drvpolicy generate configure debian-13 --arch x86_64 --dialect meson --one-line"
    )]
    Configure {
        profile: String,
        /// The architecture (see `drvpolicy show PROFILE`).
        #[arg(long)]
        arch: String,
        /// `configure` flags or meson `-D` options (qemu 6.0+).
        #[arg(long, value_enum, default_value = "configure")]
        dialect: Dialect,
        /// All arguments on a single line.
        #[arg(long)]
        one_line: bool,
        #[command(flatten)]
        output: Output,
    },
    /// A snippet for the spec's %build covering every arch, with %ifarch/%ifnarch where arches differ.
    #[command(
        after_help = "Examples:\n  drvpolicy generate spec rhel-7.3\n  drvpolicy generate spec rhel-7.2-rhev --style globals --output qemu-configure.inc"
    )]
    Spec {
        profile: String,
        /// `inline` whitelists, or `globals`: %global block_drivers_rw_list / block_drivers_ro_list macros.
        #[arg(long, value_enum, default_value = "inline")]
        style: SpecStyle,
        #[command(flatten)]
        output: Output,
    },
    /// The %package, %description and %files stanzas of the block-module subpackages, and the Obsoletes of dropped ones.
    #[command(
        after_help = "Examples:\n  drvpolicy generate subpackages rhel-9.3\n  drvpolicy generate subpackages rhel-8.9 -o block-subpackages.inc"
    )]
    Subpackages {
        profile: String,
        /// The %global macros of the main package's Requires and Obsoletes instead, for the top of the spec.
        #[arg(long)]
        macros: bool,
        #[command(flatten)]
        output: Output,
    },
    /// libvirt's storage pool backends: its build arguments for one arch, or spec macros.
    #[command(
        after_help = "Examples:\n  drvpolicy generate libvirt rhel-9.2 --arch x86_64\n  drvpolicy generate libvirt rhel-8.9 --format spec"
    )]
    Libvirt {
        profile: String,
        /// The architecture (`--format arguments`; defaults to a one-arch profile's arch).
        #[arg(long)]
        arch: Option<String>,
        #[arg(long, value_enum, default_value = "arguments")]
        format: LibvirtFormat,
        #[command(flatten)]
        output: Output,
    },
    /// The protocols the libguestfs patch removes from add_drive and those it leaves.
    #[command(
        after_help = "Examples:\n  drvpolicy generate libguestfs rhel-7.3\n  drvpolicy generate libguestfs rhel-7.3 --format list"
    )]
    Libguestfs {
        profile: String,
        /// `text`, `list` (disabled protocols only, one a line), `markdown` or `json`.
        #[arg(long, value_enum, default_value = "text")]
        format: LibguestfsFormat,
        /// Only this architecture (needed by `--format list` when arches differ).
        #[arg(long)]
        arch: Option<String>,
        #[command(flatten)]
        output: Output,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LibvirtFormat {
    /// One arch's build arguments: meson `-Dstorage_X=enabled|disabled` (libvirt 6.7+), or
    /// `--with-storage-X` / `--without-storage-X` before.
    Arguments,
    /// `%define with_storage_X 0|1` for every arch, with `%ifarch` where arches differ.
    Spec,
}

#[derive(Debug, clap::Args)]
pub struct Output {
    /// Write to FILE (atomically: a temporary file, then rename) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LibguestfsFormat {
    Text,
    List,
    Markdown,
    Json,
}

pub fn run(context: &mut Context, command: Generate) -> Result<Report, Failure> {
    match command {
        Generate::Configure { profile, arch, dialect, one_line, output } => {
            let (policy, warnings) = context.policy(&profile)?;
            let arch = super::arch(&policy, &arch)?;
            let view = configure::view(&policy, arch, dialect, one_line)?;
            let text = context.renderer()?.render("configure.j2", &view)?;
            Ok(Report::ok(emit(text, output.output.as_ref())?).with_warnings(warnings))
        }
        Generate::Spec { profile, style, output } => {
            let (policy, warnings) = context.policy(&profile)?;
            let view = spec::view(&policy, style)?;
            let text = context.renderer()?.render("spec.j2", &view)?;
            Ok(Report::ok(emit(text, output.output.as_ref())?).with_warnings(warnings))
        }
        Generate::Subpackages { profile, macros, output } => {
            let (policy, warnings) = context.policy(&profile)?;
            let part = if macros { subpackages::Part::Macros } else { subpackages::Part::Packages };
            let view = subpackages::view(&policy, part)?;
            let text = context.renderer()?.render("subpackages.j2", &view)?;
            Ok(Report::ok(emit(text, output.output.as_ref())?).with_warnings(warnings))
        }
        Generate::Libvirt { profile, arch, format, output } => {
            let (policy, warnings) = context.policy(&profile)?;
            let view = match format {
                LibvirtFormat::Spec => libvirt::spec(&policy)?,
                LibvirtFormat::Arguments => {
                    let names = policy.arch_names();
                    let arch = match (&arch, names.as_slice()) {
                        (Some(arch), _) => super::arch(&policy, arch)?,
                        (None, [only]) => super::arch(&policy, only)?,
                        (None, _) => {
                            let message = format!("profile `{}` builds several arches: pass --arch", policy.name);
                            return Err(drvpolicy::diagnostic::unknown_arch(message, "", &names));
                        }
                    };
                    libvirt::arguments(&policy, arch)?
                }
            };
            let text = context.renderer()?.render("libvirt.j2", &view)?;
            Ok(Report::ok(emit(text, output.output.as_ref())?).with_warnings(warnings))
        }
        Generate::Libguestfs { profile, format, arch, output } => {
            let (policy, warnings) = context.policy(&profile)?;
            if let Some(arch) = &arch {
                super::arch(&policy, arch)?;
            }
            let view = libguestfs::view(&policy, arch.as_deref());
            let text = match format {
                LibguestfsFormat::Text => context.renderer()?.render("libguestfs.txt.j2", &view)?,
                LibguestfsFormat::Markdown => context.renderer()?.render("libguestfs.md.j2", &view)?,
                LibguestfsFormat::Json => json(&view),
                LibguestfsFormat::List => context
                    .renderer()?
                    .render("libguestfs-list.j2", serde_json::json!({ "disabled": view.disabled_names()? }))?,
            };
            Ok(Report::ok(emit(text, output.output.as_ref())?).with_warnings(warnings))
        }
    }
}
