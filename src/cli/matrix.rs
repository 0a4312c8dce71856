use super::{Context, Report, json};
use drvpolicy::diagnostic::Failure;
use drvpolicy::schema::Schema;

/// The access every driver gets, per arch and program.
///
/// Programs: emulator, tools, libguestfs, and libvirt when the profile describes it. Cells: rw,
/// ro, - (refused) or n/a (libguestfs has no protocol for it).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  drvpolicy matrix rhel-7.3\n  drvpolicy matrix rhel-7.3 --format html > rhel-7.3.html"
)]
pub struct Args {
    #[arg(value_name = "PROFILE", help = super::PROFILE_HELP, add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profile: String,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Also give rows to the drivers compiled out on every arch (by default summarised in one line).
    #[arg(long)]
    all_drivers: bool,
    #[command(flatten)]
    installed: super::InstalledArg,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Aligned columns for a terminal.
    Text,
    /// A table for documentation.
    Markdown,
    Json,
    /// A self-contained page with coloured cells and a legend.
    Html,
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    let (policy, warnings) = context.policy(&args.profile)?;
    let installed = args.installed.installed();
    drvpolicy::access::check_installed(&policy, &installed)?;
    let view = drvpolicy::matrix::view(&policy, args.all_drivers, &installed, context.sources());
    let text = match args.format {
        Format::Text => context.renderer()?.render("matrix.txt.j2", &view)?,
        Format::Markdown => context.renderer()?.render("matrix.md.j2", &view)?,
        Format::Html => context.renderer()?.render("matrix.html.j2", &view)?,
        Format::Json => json(Schema::Matrix, &view),
    };
    Ok(Report::ok(text).with_warnings(warnings))
}
