use super::{Context, Report, TextOrJson, json};
use drvpolicy::diagnostic::Failure;
use drvpolicy::schema::Schema;

/// List the profiles on the search path: name, release, qemu, parent, arches.
///
/// A profile from --profiles or DRVPOLICY_PROFILES that replaces a shipped profile of the same
/// name is marked with `*`, and a note names its file.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  drvpolicy list --format json")]
pub struct Args {
    #[arg(long, value_enum, default_value = "text")]
    format: TextOrJson,
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    let names: Vec<String> = context.store.names().map(str::to_string).collect();
    let mut entries = Vec::new();
    let mut warnings = Vec::new();
    let mut failed = false;
    // One broken profile does not hide the others: list what loads, report every failure.
    for summary in drvpolicy::resolve::summaries(&mut context.store, &names) {
        match summary {
            Ok((summary, w)) => {
                entries.push(summary);
                warnings.extend(w);
            }
            Err(failure) => {
                failed = true;
                warnings.extend(failure.diagnostics);
            }
        }
    }
    let store = &context.store;
    let entries = drvpolicy::show::sorted_list(entries, |name| store.shadowing(name).map(|p| p.display().to_string()));
    let text = match args.format {
        TextOrJson::Text => context.renderer()?.render("list.j2", drvpolicy::show::list_view(&entries))?,
        TextOrJson::Json => json(Schema::List, &minijinja_context(&entries)),
    };
    // Freed by the exit, as `main` leaves what the run read.
    std::mem::forget(entries);
    let mut report = Report::ok(text).with_warnings(warnings);
    if failed {
        report.exit = super::Exit::Error;
    }
    Ok(report)
}

fn minijinja_context(profiles: &[drvpolicy::show::ListEntry]) -> impl serde::Serialize + '_ {
    #[derive(serde::Serialize)]
    struct Context<'a> {
        profiles: &'a [drvpolicy::show::ListEntry],
    }
    Context { profiles }
}
