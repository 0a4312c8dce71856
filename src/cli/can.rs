use super::{Context, Exit, Report, choice};
use drvpolicy::diagnostic::Failure;
use drvpolicy::profile::{Access, Program};

/// Answer one access question for a pipeline gate: exit 0 when granted, 1 when refused.
///
/// May PROGRAM open the qemu driver NAME with the access asked, on --arch or on every arch of
/// the profile? Each arch gets one line: granted or refused, what the program gets instead,
/// the layer that decides and why, and the profile line or catalogue fact behind it.
///
/// Exit status: 0 granted on every arch asked, 1 refused on one, 2 error (an unknown profile,
/// driver or arch).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  drvpolicy can rhel-7.3 https --access ro --program emulator --arch x86_64\n  \
drvpolicy can rhel-7.3 rbd --access rw --program libguestfs || echo 'rbd is not usable everywhere'")]
pub struct Args {
    #[arg(value_name = "PROFILE", help = super::PROFILE_HELP, add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profile: String,
    /// The qemu block driver (`https`, `rbd`, `vpc`).
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(super::complete::explain_names))]
    name: String,
    /// The access asked for.
    #[arg(long, value_enum)]
    access: Wanted,
    /// The program that opens the disk.
    #[arg(long, value_parser = choice::parser::<Program>())]
    program: Program,
    /// Only this architecture (default: every arch of the profile).
    #[arg(long, add = clap_complete::engine::ArgValueCompleter::new(super::complete::arches))]
    arch: Option<String>,
    #[command(flatten)]
    installed: super::InstalledArg,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Wanted {
    /// Read-write (which allows read-only opens too).
    Rw,
    /// Read-only.
    Ro,
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    let (policy, warnings) = context.policy(&args.profile)?;
    let arches = match &args.arch {
        Some(arch) => vec![super::arch(&policy, arch)?],
        None => policy.arches.iter().collect(),
    };
    let wanted = match args.access {
        Wanted::Rw => Access::ReadWrite,
        Wanted::Ro => Access::ReadOnly,
    };
    let installed = args.installed.installed();
    drvpolicy::access::check_installed(&policy, &installed)?;
    let view = drvpolicy::can::can(&policy, &arches, args.program, &args.name, wanted, &installed, context.sources())?;
    let text = context.renderer()?.render("can.j2", &view)?;
    let exit = if view.granted { Exit::Ok } else { Exit::Findings };
    Ok(Report { stdout: text, warnings, exit })
}
