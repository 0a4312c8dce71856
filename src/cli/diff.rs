use super::{Context, Exit, Output, Report, choice, json};
use drvpolicy::code::Code;
use drvpolicy::diagnostic::{Diagnostic, Failure, unknown_arch};
use drvpolicy::diff::generated::{self, Generated};
use drvpolicy::diff::{self, DiffLayer, Filter};
use drvpolicy::policy::Policy;
use drvpolicy::schema::Schema;

/// Show what changed between two profiles, per layer and arch.
///
/// The declared settings per layer and arch, and the effective access users feel. Exit status
/// as diff(1): 0 no differences, 1 differences, 2 error.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  drvpolicy diff rhel-7.1 rhel-7.2\n  drvpolicy diff rhel-7.3 rhel-7.3-rhev --layer access --arch x86_64\n  drvpolicy diff rhel-7.2 rhel-7.3 --format markdown\n  drvpolicy diff rhel-7.2 rhel-7.3 --format rpm-changelog\n  drvpolicy diff rhel-7.1 rhel-7.2 --generated spec"
)]
pub struct Args {
    /// The old profile (a name from `drvpolicy list`).
    #[arg(value_name = "OLD", add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    old: String,
    /// The new profile.
    #[arg(value_name = "NEW", add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    new: String,
    /// Only this architecture (built by either profile).
    #[arg(long, add = clap_complete::engine::ArgValueCompleter::new(super::complete::arches))]
    arch: Option<String>,
    /// Only this layer.
    #[arg(long, value_parser = choice::parser::<DiffLayer>())]
    layer: Option<DiffLayer>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Instead: a unified diff of the generated texts (the profile name in their headers reads PROFILE on
    /// both sides). `configure` compares --arch, or every arch both profiles build.
    #[arg(long, value_parser = choice::parser::<Generated>(), conflicts_with_all = ["layer", "format"])]
    generated: Option<Generated>,
    #[command(flatten)]
    output: Output,
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    let (old, mut warnings) = context.policy(&args.old)?;
    let (new, more) = context.policy(&args.new)?;
    warnings.extend(more);
    if let Some(arch) = &args.arch {
        if matches!(args.generated, Some(Generated::Spec | Generated::Libguestfs)) {
            return Err(Failure::single(
                Diagnostic::error(Code::ArchNotApplicable, "--arch goes with --generated configure only")
                    .with_help("the generated spec and libguestfs list cover every arch of a profile"),
            ));
        }
        check_arch(&old, &new, arch, args.generated.is_some())?;
    }
    let (text, differ) = match args.generated {
        Some(what) => {
            let arches: Vec<String> = match &args.arch {
                Some(arch) => vec![arch.clone()],
                None => old.arch_names().into_iter().filter(|a| new.arch(a).is_some()).map(str::to_string).collect(),
            };
            let renderer = context.renderer()?;
            let view = generated::compare(&old, &new, what, &arches, &renderer)?;
            (renderer.render("diff-generated.j2", &view)?, !view.is_empty())
        }
        None => {
            let filter = Filter { layer: args.layer, arch: args.arch.clone() };
            let changes = diff::compare_with(&old, &new, &filter);
            let text = match args.format {
                Format::Text => context.renderer()?.render("diff.txt.j2", &changes)?,
                Format::Markdown => context.renderer()?.render("diff.md.j2", &changes)?,
                Format::RpmChangelog => context.renderer()?.render("diff.rpm-changelog.j2", &changes)?,
                Format::Json => json(Schema::Diff, &changes),
            };
            (text, !changes.is_empty())
        }
    };
    let exit = if differ { Exit::Findings } else { Exit::Ok };
    Ok(Report { stdout: args.output.emit(text)?, warnings, exit })
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// In the manner of Linux's scripts/diffconfig.
    Text,
    /// For changelogs and reviews.
    Markdown,
    /// `- ` lines for a spec's %changelog entry, as rpm keeps them (`%` doubled).
    RpmChangelog,
    Json,
}

/// `--arch` must be built by one of the profiles, or by both to compare generated configure lines.
fn check_arch(old: &Policy, new: &Policy, arch: &str, both: bool) -> Result<(), Failure> {
    let known = if both {
        old.arch(arch).is_some() && new.arch(arch).is_some()
    } else {
        old.arch(arch).is_some() || new.arch(arch).is_some()
    };
    if known {
        return Ok(());
    }
    let mut arches: Vec<&str> = old.arch_names();
    if both {
        arches.retain(|a| new.arch(a).is_some());
    } else {
        arches.extend(new.arch_names().into_iter().filter(|a| old.arch(a).is_none()));
    }
    let message = if both {
        format!("`{arch}` is not built by both `{}` and `{}`", old.name, new.name)
    } else {
        format!("neither `{}` nor `{}` builds `{arch}`", old.name, new.name)
    };
    Err(unknown_arch(message, arch, &arches))
}
