use super::{Context, Report, TextOrJson, json};
use drvpolicy::diagnostic::Failure;
use drvpolicy::schema::Schema;

/// Print a profile's resolved policy, every value with the file:line:col that set it.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  drvpolicy show rhel-7.3 --arch x86_64\n  drvpolicy show rhel-7.3 --toml > profiles/my-7.3.toml"
)]
pub struct Args {
    #[arg(value_name = "PROFILE", help = super::PROFILE_HELP, add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profile: String,
    /// Only this architecture.
    #[arg(long, add = clap_complete::engine::ArgValueCompleter::new(super::complete::arches))]
    arch: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: TextOrJson,
    /// Print the profile's own file as it is (not its parents', not resolved), to start from.
    #[arg(long, conflicts_with_all = ["arch", "format"])]
    toml: bool,
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    if args.toml {
        // The file must still load: a profile that does not is an error here as everywhere.
        context.policy(&args.profile)?;
        let file = context.store.load(&args.profile)?.file;
        return Ok(Report::ok(context.sources().text(file).to_string()));
    }
    let (policy, warnings) = context.policy(&args.profile)?;
    if let Some(arch) = &args.arch {
        super::arch(&policy, arch)?;
    }
    let view = drvpolicy::show::view(&policy, args.arch.as_deref(), context.sources());
    let text = match args.format {
        TextOrJson::Text => context.renderer()?.render("show.j2", &view)?,
        TextOrJson::Json => json(Schema::Show, &view),
    };
    Ok(Report::ok(text).with_warnings(warnings))
}
