use super::{Context, Exit, Report, TextOrJson, json};
use drvpolicy::diagnostic::Failure;
use drvpolicy::schema::Schema;
use drvpolicy::verify;
use std::path::PathBuf;

/// Check a built qemu-img against a profile: the formats its --help lists, missing and unexpected.
///
/// The formats `qemu-img --help` lists must be the drivers the profile compiles in and the
/// tools register, for that arch and qemu version.
///
/// Reads all three shapes of the list: one unsorted `Supported formats:` line with duplicates
/// (qemu 1.x), one sorted line (2.1+), and the wrapped `Supported image formats:` block (10.1,
/// Debian's 10.0.x).
///
/// Exit status: 0 match, 1 missing or unexpected drivers (or another qemu version), 2 no list
/// found, the binary cannot run or the file cannot be read.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  drvpolicy verify debian-13 --arch x86_64 --qemu-img /usr/bin/qemu-img\n  \
qemu-img --help > help.txt; drvpolicy verify rhel-7.3 --arch x86_64 --help-text help.txt --format json")]
#[command(group = clap::ArgGroup::new("input").required(true).args(["qemu_img", "help_text"]))]
pub struct Args {
    #[arg(value_name = "PROFILE", help = super::PROFILE_HELP, add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profile: String,
    /// The architecture the binary was built for (default: this host's, when the profile
    /// builds it; else the only arch of a one-arch profile).
    #[arg(long, add = clap_complete::engine::ArgValueCompleter::new(super::complete::arches))]
    arch: Option<String>,
    /// Run PATH --help (a non-zero exit is fine if the list is there: qemu 1.x exits 1).
    #[arg(long, value_name = "PATH")]
    qemu_img: Option<PathBuf>,
    /// Read saved `qemu-img --help` output from FILE (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    help_text: Option<PathBuf>,
    /// Where the block modules are installed (default: the profile's module-dir, with
    /// %{_libdir} for the arch: /usr/lib64/qemu-kvm on RHEL's x86_64). qemu-img lists modular
    /// drivers whether or not their module is installed, so verify looks here too.
    #[arg(long, value_name = "DIR")]
    module_dir: Option<PathBuf>,
    /// The largest --help-text read, in bytes or with K, M, G.
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = drvpolicy::input::parse_size)]
    max_help_size: u64,
    /// `text`, or `json`: both lists, the differences and why.
    #[arg(long, value_enum, default_value = "text")]
    format: TextOrJson,
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    let (policy, warnings) = context.policy(&args.profile)?;
    let host = super::host_arch();
    let arch = match args.arch.as_deref() {
        None if policy.arch(host).is_some() => super::arch(&policy, host)?,
        arch => super::arch_or_default(&policy, arch)?,
    };
    let help = match (&args.qemu_img, &args.help_text) {
        (Some(path), _) => verify::run_qemu_img(path)?,
        (None, Some(path)) => verify::read_help_text(path, args.max_help_size)?,
        (None, None) => unreachable!("clap requires one of --qemu-img and --help-text"),
    };
    let list = verify::format_list(&help)?;
    let modular = arch.drivers.iter().any(|d| d.module.is_some());
    let module_dir = args
        .module_dir
        .clone()
        .or_else(|| modular.then(|| verify::default_module_dir(&policy, arch)).flatten().map(PathBuf::from));
    let view = verify::verify(&policy, arch, &list, help.source, module_dir.as_deref(), context.sources());
    let text = match args.format {
        TextOrJson::Text => context.renderer()?.render("verify.j2", &view)?,
        TextOrJson::Json => json(Schema::Verify, &view),
    };
    let exit = if view.ok { Exit::Ok } else { Exit::Findings };
    Ok(Report { stdout: text, warnings, exit })
}
