use super::{Context, Report, TextOrJson, json};
use drvpolicy::diagnostic::Failure;

/// Print a profile's resolved policy, every value with the file:line:col that set it.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  drvpolicy show rhel-7.3 --arch x86_64")]
pub struct Args {
    #[arg(value_name = "PROFILE", help = super::PROFILE_HELP, add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profile: String,
    /// Only this architecture.
    #[arg(long, add = clap_complete::engine::ArgValueCompleter::new(super::complete::arches))]
    arch: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: TextOrJson,
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    let (policy, warnings) = context.policy(&args.profile)?;
    if let Some(arch) = &args.arch {
        super::arch(&policy, arch)?;
    }
    let view = drvpolicy::show::view(&policy, args.arch.as_deref(), context.sources());
    let text = match args.format {
        TextOrJson::Text => context.renderer()?.render("show.j2", &view)?,
        TextOrJson::Json => json(&view),
    };
    Ok(Report::ok(text).with_warnings(warnings))
}
