use super::{Context, Report, json};
use drvpolicy::diagnostic::Failure;

/// Print a profile's resolved policy, every value with the file:line:col that set it.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  drvpolicy show rhel-7.3 --arch x86_64")]
pub struct Args {
    /// Profile name (see `drvpolicy list`).
    profile: String,
    /// Only this architecture.
    #[arg(long)]
    arch: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    let (policy, warnings) = context.policy(&args.profile)?;
    if let Some(arch) = &args.arch {
        super::arch(&policy, arch)?;
    }
    let view = drvpolicy::show::view(&policy, args.arch.as_deref(), context.sources());
    let text = match args.format {
        Format::Text => context.renderer()?.render("show.j2", &view)?,
        Format::Json => json(&view),
    };
    Ok(Report::ok(text).with_warnings(warnings))
}
