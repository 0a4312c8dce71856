use super::{Context, Exit, Report, TextOrJson, emit, json};
use drvpolicy::code::Code;
use drvpolicy::diagnostic::{Diagnostic, Failure};
use drvpolicy::import::Options;
use drvpolicy::schema::Schema;
use std::path::PathBuf;

/// Bootstrap a profile from a spec file or build script that runs qemu's configure.
///
/// See `drvpolicy import spec --help` for what it reads and its exit status.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  drvpolicy import spec qemu-kvm.spec --name my-7.9 --output profiles/my-7.9.toml")]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, clap::Subcommand)]
enum What {
    /// Read the ./configure run of a spec's %build (or of a build script) into a profile.
    ///
    /// Follows continuation lines, %if/%ifarch/%ifnarch/%elif/%else/%endif, %global and %define
    /// macros, %{defined X}; parses the shell with brush-parser and follows variables, shell
    /// functions (a call binds its words to "$@"), `if [ ... ]` tests, `&&`, `||`, subshells and
    /// here-documents. Arguments outside the block-driver policy (--prefix=%{_prefix}) go to
    /// extra-args as the file writes them; generated configure lines pass them first. What it
    /// cannot read (a %if on a macro the file never defines, a script argument, shell text sh
    /// cannot parse) is listed as a comment in the profile and as a warning, never guessed. The
    /// profile goes to stdout or to --output; with --output, stdout gets a summary.
    ///
    /// Exit status: 0 every line read and the profile resolves, 1 the profile was written with a
    /// warning (lines not interpreted, a placeholder release, problems the catalogue finds; an
    /// import-note alone keeps 0), 2 error.
    #[command(
        after_help = "Examples:\n  drvpolicy import spec qemu-kvm.spec --name my-7.9 --output profiles/my-7.9.toml\n  drvpolicy import spec build_configure.sh --qemu-version 2.3.0 --arches x86_64 --name ev-7.2 \\\n      --set have_rbd=enable --set have_gluster=enable --set @=\n  drvpolicy import spec qemu-kvm.spec --name my-7.9 --format json"
    )]
    Spec(SpecArgs),
}

#[derive(Debug, clap::Args)]
struct SpecArgs {
    /// The spec file, a `generate spec` snippet, or a shell script (first line `#!` or name `*.sh`); `-` reads standard input.
    file: PathBuf,
    /// The profile name (default: the stem of --output, the name in a drvpolicy header, the file's stem).
    #[arg(long)]
    name: Option<String>,
    /// Write the profile to FILE (atomically) instead of stdout (`-`); its stem is the profile name.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// The arches, in order (default: ExclusiveArch/BuildArch, else the arches the %ifarch lines name).
    #[arg(long, value_delimiter = ',', value_name = "ARCH,...")]
    arches: Option<Vec<String>>,
    /// The qemu version (default: the spec's Version:); required when the file does not say.
    #[arg(long, value_name = "VERSION")]
    qemu_version: Option<String>,
    /// The qemu package (default: the spec's Name:).
    #[arg(long)]
    package: Option<String>,
    /// [profile] product (default: the name without its release, `my` for my-7.9).
    #[arg(long)]
    product: Option<String>,
    /// [profile] release (default: the version at the end of the name, `7.9` for my-7.9; a name
    /// without one gets the placeholder "0", marked for you to set).
    #[arg(long)]
    release: Option<String>,
    /// Give a macro or shell variable the file does not define (or override it): `have_rbd=enable`,
    /// `rhev=1`; `@=WORDS` gives the script's own arguments ("$@"), split as the shell splits
    /// words. Quotes in VALUE group as in the shell. Repeatable.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    sets: Vec<String>,
    /// A macro the build does not define (as rpmbuild's --undefine): `%{defined NAME}` is 0 and
    /// `%{?NAME}` empty, where the file alone cannot tell. Repeatable.
    #[arg(long = "undefine", value_name = "NAME")]
    undefined: Vec<String>,
    /// The largest spec or build script read, in bytes (suffixes k, M, G).
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = drvpolicy::input::parse_size)]
    max_size: u64,
    /// `text` (the profile, or a summary with --output) or `json` (a summary holding the profile).
    #[arg(long, value_enum, default_value = "text")]
    format: TextOrJson,
}

fn set(text: &str) -> Result<(String, String), Failure> {
    let valid = |name: &str| {
        name == "@"
            || (name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    };
    match text.split_once('=') {
        Some((name, value)) if valid(name) => Ok((name.to_string(), value.to_string())),
        _ => Err(Failure::single(
            Diagnostic::error(Code::BadSet, format!("--set {text}: expected NAME=VALUE"))
                .with_help("for example --set have_rbd=enable or --set rhev=1"),
        )),
    }
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    let What::Spec(mut args) = args.what;
    // `-o -` is standard output: no file, and no stem to name the profile.
    args.output = args.output.filter(|p| !super::is_dash(p));
    let (display, read) = if super::is_dash(&args.file) {
        ("<stdin>".to_string(), drvpolicy::input::read_limited(std::io::stdin().lock(), args.max_size))
    } else {
        (args.file.display().to_string(), drvpolicy::input::read_regular_file(&args.file, args.max_size))
    };
    let bytes =
        read.map_err(|e| Failure::single(Diagnostic::error(Code::Io, format!("cannot read {display}: {e}"))))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let mut sets = indexmap::IndexMap::new();
    for s in &args.sets {
        let (name, value) = set(s)?;
        sets.insert(name, value);
    }
    let options = Options {
        name: args.name,
        output: args.output.as_ref().map(|p| p.display().to_string()),
        arches: args.arches,
        qemu_version: args.qemu_version,
        package: args.package,
        product: args.product,
        release: args.release,
        sets,
        undefined: args.undefined,
    };
    let file = context.store.sources.add(display, text);
    let imported = drvpolicy::import::import(&mut context.store.sources, file, &options)?;
    let written = emit(imported.toml.clone(), args.output.as_ref())?;
    let stdout = match (args.format, &args.output) {
        (TextOrJson::Json, _) => json(Schema::Import, &imported.view),
        (TextOrJson::Text, None) => written,
        (TextOrJson::Text, Some(_)) => context.renderer()?.render("import.txt.j2", &imported.view)?,
    };
    // Warnings are findings, as in `check --deny-warnings` and `sync --check`; an import-note
    // only says how the profile writes what it read.
    let warned = imported.warnings.iter().any(|w| w.code.is_finding());
    let exit = if imported.findings || warned { Exit::Findings } else { Exit::Ok };
    Ok(Report { stdout, warnings: imported.warnings, exit })
}
