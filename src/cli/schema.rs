use super::{Context, Report};
use drvpolicy::diagnostic::Failure;
use drvpolicy::schema::Schema;

/// Print the JSON Schema of a `--format json` output, or list the schemas.
///
/// Every JSON output is one document of a schema (JSON Schema draft 2020-12): its `schema`
/// field names it and `schema_version` is its version. The schema printed is complete: the
/// definitions every schema shares (origins, diagnostics and their codes) are embedded in it.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  drvpolicy schema\n  drvpolicy schema explain > explain.schema.json")]
pub struct Args {
    /// The schema: the name a document's `schema` field gives (`explain`, `generate-configure`).
    #[arg(value_name = "NAME", add = clap_complete::engine::ArgValueCompleter::new(super::complete::schemas))]
    name: Option<String>,
    /// List the schemas and the command of each (what no NAME does).
    #[arg(long, conflicts_with = "name")]
    list: bool,
}

pub fn run(context: &Context, args: Args) -> Result<Report, Failure> {
    let Some(name) = args.name.filter(|_| !args.list) else {
        let schemas: Vec<serde_json::Value> =
            Schema::ALL.iter().map(|s| serde_json::json!({ "name": s.name(), "command": s.what() })).collect();
        return Ok(Report::ok(context.renderer()?.render("schema.j2", serde_json::json!({ "schemas": schemas }))?));
    };
    Ok(Report::ok(Schema::find(&name)?.text()))
}
