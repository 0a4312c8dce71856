use super::{Context, Report, TextOrJson, json};
use drvpolicy::diagnostic::Failure;
use drvpolicy::schema::Schema;

/// Follow one driver, libguestfs protocol or build option through every layer.
///
/// The layers: build, build mode, rw and ro whitelists, whitelist in tools, libvirt,
/// libguestfs; then the access each program gets and the consumer needs it meets. Every
/// verdict names the profile line (file:line:col) or catalogue fact that decided it. Arches
/// whose chain reads the same are shown together.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  drvpolicy explain rhel-7.3 https --arch x86_64\n  drvpolicy explain rhel-7.3 curl"
)]
pub struct Args {
    #[arg(value_name = "PROFILE", help = super::PROFILE_HELP, add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profile: String,
    /// A qemu block driver (`https`, `vpc`), a libguestfs protocol, or a build option (`curl`, `virtfs`).
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(super::complete::explain_names))]
    name: String,
    /// Only this architecture.
    #[arg(long, add = clap_complete::engine::ArgValueCompleter::new(super::complete::arches))]
    arch: Option<String>,
    #[command(flatten)]
    installed: super::InstalledArg,
    #[arg(long, value_enum, default_value = "text")]
    format: TextOrJson,
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    let (policy, warnings) = context.policy(&args.profile)?;
    if let Some(arch) = &args.arch {
        super::arch(&policy, arch)?;
    }
    let installed = args.installed.installed();
    drvpolicy::access::check_installed(&policy, &installed)?;
    let view = drvpolicy::explain::view(&policy, args.arch.as_deref(), &args.name, &installed, context.sources())?;
    let text = match args.format {
        TextOrJson::Text => context.renderer()?.render("explain.j2", &view)?,
        TextOrJson::Json => json(Schema::Explain, &view),
    };
    Ok(Report::ok(text).with_warnings(warnings))
}
