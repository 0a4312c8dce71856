use super::{Context, Output, Report, TextOrJson, choice, json};
use drvpolicy::diagnostic::Failure;
use drvpolicy::generate::spec::SpecStyle;
use drvpolicy::generate::{buildrequires, configure, libguestfs, libvirt, spec, subpackages};
use drvpolicy::options::Dialect;
use drvpolicy::schema::Schema;

/// Generate configure arguments, spec-file snippets or libguestfs patch lists from a profile.
#[derive(Debug, clap::Subcommand)]
#[command(
    after_help = "Examples:\n  drvpolicy generate spec rhel-7.3\n  drvpolicy generate configure rhel-7.3 --arch x86_64\n  \
drvpolicy generate libguestfs rhel-7.3 --format list"
)]
pub enum Generate {
    Configure(ConfigureArgs),
    Spec(SpecArgs),
    Buildrequires(BuildrequiresArgs),
    Subpackages(SubpackagesArgs),
    Libvirt(LibvirtArgs),
    Libguestfs(LibguestfsArgs),
}

/// The configure arguments of one arch, one per line with ` \` continuations.
///
/// `--format json` gives them as an array of words in a versioned object, `-0` as words
/// each ended by a NUL byte (for `xargs -0`): the words a shell makes of them, quotes
/// removed; rpm macros in extra-args stay as written.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  drvpolicy generate configure rhel-7.3 --arch x86_64\n  drvpolicy generate configure debian-13 --dialect meson --one-line\n  \
drvpolicy generate configure debian-13 -0 | xargs -0 ../configure --prefix=/usr"
)]
pub struct ConfigureArgs {
    #[arg(value_name = "PROFILE", help = super::PROFILE_HELP, add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profile: String,
    /// The architecture (default: the only arch of a one-arch profile).
    #[arg(long, add = clap_complete::engine::ArgValueCompleter::new(super::complete::arches))]
    arch: Option<String>,
    /// `configure` flags or meson `-D` options (qemu 6.0+).
    #[arg(long, value_parser = choice::parser::<Dialect>(), default_value = "configure")]
    dialect: Dialect,
    /// All arguments on a single line.
    #[arg(long, conflicts_with_all = ["null", "format"])]
    one_line: bool,
    /// Each argument (as the word configure gets) followed by a NUL byte.
    #[arg(short = '0', long = "null", conflicts_with = "format")]
    null: bool,
    /// `text`: one argument a line, as a spec writes them; `json`: a versioned object.
    #[arg(long, value_enum, default_value = "text")]
    format: TextOrJson,
    #[command(flatten)]
    output: Output,
}

/// A snippet for the spec's %build covering every arch, with %ifarch/%ifnarch where arches differ.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  drvpolicy generate spec rhel-7.3\n  drvpolicy generate spec rhel-7.2-rhev --style globals --output qemu-configure.inc"
)]
pub struct SpecArgs {
    #[arg(value_name = "PROFILE", help = super::PROFILE_HELP, add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profile: String,
    /// `inline` whitelists, or `globals`: %global block_drivers_rw_list / block_drivers_ro_list macros.
    #[arg(long, value_parser = choice::parser::<SpecStyle>(), default_value = "inline")]
    style: SpecStyle,
    #[command(flatten)]
    output: Output,
}

/// The BuildRequires lines of the build options the profile builds, per arch, in the
/// distro's spelling.
///
/// The spelling is `build-requires` in the profile's [qemu] (rhel7, rhel8, rhel9, fedora),
/// else the one for its product and release. The packages are those the real specs name
/// (src/catalogue/buildrequires.toml); a build option the spelling has no package for is a
/// warning and a comment line. The lines go in the spec's preamble.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  drvpolicy generate buildrequires rhel-7.3\n  drvpolicy generate buildrequires rhel-7.6-rhev -o buildrequires.inc"
)]
pub struct BuildrequiresArgs {
    #[arg(value_name = "PROFILE", help = super::PROFILE_HELP, add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profile: String,
    #[command(flatten)]
    output: Output,
}

/// The %package, %description and %files stanzas of the block-module subpackages.
///
/// A stanza for each subpackage that ships a block module (`%package block-rbd`, its
/// Summary, Requires of the common package, %description and %files), in %ifarch/%ifnarch
/// where only some arches ship it. `--macros` writes instead the %global macros of the main
/// package's Requires of them and of the Obsoletes of dropped ones, for the top of the spec.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  drvpolicy generate subpackages rhel-9.3\n  drvpolicy generate subpackages rhel-9.3 --macros"
)]
pub struct SubpackagesArgs {
    #[arg(value_name = "PROFILE", help = super::PROFILE_HELP, add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profile: String,
    /// The %global macros of the main package's Requires and Obsoletes instead, for the top of the spec.
    #[arg(long)]
    macros: bool,
    #[command(flatten)]
    output: Output,
}

/// libvirt's storage pool backends: its build arguments for one arch, or spec macros.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  drvpolicy generate libvirt rhel-9.2 --arch x86_64\n  drvpolicy generate libvirt rhel-8.9 --format spec"
)]
pub struct LibvirtArgs {
    #[arg(value_name = "PROFILE", help = super::PROFILE_HELP, add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profile: String,
    /// The architecture (`--format arguments`; default: the only arch of a one-arch profile).
    #[arg(long, add = clap_complete::engine::ArgValueCompleter::new(super::complete::arches))]
    arch: Option<String>,
    #[arg(long, value_enum, default_value = "arguments")]
    format: LibvirtFormat,
    #[command(flatten)]
    output: Output,
}

/// The protocols the libguestfs patch removes from add_drive and those it leaves.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  drvpolicy generate libguestfs rhel-7.3\n  drvpolicy generate libguestfs rhel-7.3 --format list"
)]
pub struct LibguestfsArgs {
    #[arg(value_name = "PROFILE", help = super::PROFILE_HELP, add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profile: String,
    /// `text`, `list` (disabled protocols only, one a line), `markdown` or `json`.
    #[arg(long, value_enum, default_value = "text")]
    format: LibguestfsFormat,
    /// Only this architecture (needed by `--format list` when arches differ).
    #[arg(long, add = clap_complete::engine::ArgValueCompleter::new(super::complete::arches))]
    arch: Option<String>,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LibvirtFormat {
    /// One arch's build arguments: meson `-Dstorage_X=enabled|disabled` (libvirt 6.7+), or
    /// `--with-storage-X` / `--without-storage-X` before.
    Arguments,
    /// `%define with_storage_X 0|1` for every arch, with `%ifarch` where arches differ.
    Spec,
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
        Generate::Configure(ConfigureArgs { profile, arch, dialect, one_line, null, format, output }) => {
            let (policy, warnings) = context.policy(&profile)?;
            let arch = super::arch_or_default(&policy, arch.as_deref())?;
            let view = configure::view(&policy, arch, dialect, one_line)?;
            let text = match (format, null) {
                (TextOrJson::Json, _) => json(Schema::GenerateConfigure, &view.json()?),
                (TextOrJson::Text, true) => view.words()?.iter().map(|w| format!("{w}\0")).collect(),
                (TextOrJson::Text, false) => context.renderer()?.render("configure.j2", &view)?,
            };
            Ok(Report::ok(output.emit(text)?).with_warnings(warnings))
        }
        Generate::Spec(SpecArgs { profile, style, output }) => {
            let (policy, warnings) = context.policy(&profile)?;
            let view = spec::view(&policy, style)?;
            let text = context.renderer()?.render("spec.j2", &view)?;
            Ok(Report::ok(output.emit(text)?).with_warnings(warnings))
        }
        Generate::Buildrequires(BuildrequiresArgs { profile, output }) => {
            let (policy, mut warnings) = context.policy(&profile)?;
            let (view, more) = buildrequires::view(&policy, context.sources())?;
            warnings.extend(more);
            let text = context.renderer()?.render("buildrequires.j2", &view)?;
            Ok(Report::ok(output.emit(text)?).with_warnings(warnings))
        }
        Generate::Subpackages(SubpackagesArgs { profile, macros, output }) => {
            let (policy, warnings) = context.policy(&profile)?;
            let part = if macros { subpackages::Part::Macros } else { subpackages::Part::Packages };
            let view = subpackages::view(&policy, part)?;
            let text = context.renderer()?.render("subpackages.j2", &view)?;
            Ok(Report::ok(output.emit(text)?).with_warnings(warnings))
        }
        Generate::Libvirt(LibvirtArgs { profile, arch, format, output }) => {
            let (policy, warnings) = context.policy(&profile)?;
            let view = match format {
                LibvirtFormat::Spec => libvirt::spec(&policy)?,
                LibvirtFormat::Arguments => {
                    libvirt::arguments(&policy, super::arch_or_default(&policy, arch.as_deref())?)?
                }
            };
            let text = context.renderer()?.render("libvirt.j2", &view)?;
            Ok(Report::ok(output.emit(text)?).with_warnings(warnings))
        }
        Generate::Libguestfs(LibguestfsArgs { profile, format, arch, output }) => {
            let (policy, warnings) = context.policy(&profile)?;
            if let Some(arch) = &arch {
                super::arch(&policy, arch)?;
            }
            let view = libguestfs::view(&policy, arch.as_deref());
            let text = match format {
                LibguestfsFormat::Text => context.renderer()?.render("libguestfs.txt.j2", &view)?,
                LibguestfsFormat::Markdown => context.renderer()?.render("libguestfs.md.j2", &view)?,
                LibguestfsFormat::Json => json(Schema::GenerateLibguestfs, &view),
                LibguestfsFormat::List => context
                    .renderer()?
                    .render("libguestfs-list.j2", serde_json::json!({ "disabled": view.disabled_names()? }))?,
            };
            Ok(Report::ok(output.emit(text)?).with_warnings(warnings))
        }
    }
}
