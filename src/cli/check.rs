use super::{Context, Exit, Report, TextOrJson, json};
use drvpolicy::check::{self, Status};
use drvpolicy::diagnostic::Failure;
use drvpolicy::schema::Schema;

/// Report every problem of profiles, each with its file:line:col, a snippet and help.
///
/// Errors: what the loader and resolver reject, options the qemu version does not accept,
/// consumer needs that a layer refuses. Warnings: whitelisted drivers compiled out, drivers in
/// both whitelists, whitelist names the qemu version does not have, libguestfs protocols whose
/// driver the emulator cannot open, removals of values a parent never had, features set both
/// ways for one arch.
///
/// Exit status: 0 no errors (and no warnings with --deny-warnings), 1 findings, 2 when a
/// profile named on the command line does not exist, or a profile does not load (a file that
/// cannot be read, invalid TOML, an unknown key or name, a missing parent): as in every
/// command, a profile that does not load is an error, and its problems are still all listed.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  drvpolicy check rhel-7.3\n  drvpolicy check --all --deny-warnings\n  \
drvpolicy --profiles ./profiles check my-release --format json")]
#[command(group = clap::ArgGroup::new("which").required(true).args(["profiles", "all"]))]
pub struct Args {
    /// Profiles to check (see `drvpolicy list`).
    #[arg(value_name = "PROFILE", conflicts_with = "all", add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profiles: Vec<String>,
    /// Check every profile on the search path.
    #[arg(long)]
    all: bool,
    /// Warnings count as findings: exit 1 if there is any.
    #[arg(long)]
    deny_warnings: bool,
    /// `text`: diagnostics with source snippets; `json`: every diagnostic per profile.
    #[arg(long, value_enum, default_value = "text")]
    format: TextOrJson,
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    let names: Vec<String> = if args.all {
        context.store.names().map(str::to_string).collect()
    } else {
        let mut names: Vec<String> = Vec::new();
        for name in args.profiles {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    };
    // A name that is not on the search path is bad input, not a finding of a profile.
    let unknown: Vec<_> = names.iter().filter(|n| !context.store.contains(n)).collect();
    if !unknown.is_empty() {
        return Err(Failure {
            diagnostics: unknown.into_iter().flat_map(|n| context.store.unknown(n).diagnostics).collect(),
        });
    }
    let checked = check::check_all(&mut context.store, &names);
    let text = match args.format {
        TextOrJson::Text => {
            let view = check::text_view(
                &checked,
                args.deny_warnings,
                context.max_diagnostics,
                context.sources(),
                context.colours.stdout,
            );
            context.renderer()?.render("check.j2", &view)?
        }
        TextOrJson::Json => json(Schema::Check, &check::json_view(&checked, args.deny_warnings, context.sources())),
    };
    let exit = match check::status(&checked, args.deny_warnings) {
        Status::Ok => Exit::Ok,
        Status::Findings => Exit::Findings,
        Status::Error => Exit::Error,
    };
    Ok(Report { stdout: text, warnings: Vec::new(), exit })
}
