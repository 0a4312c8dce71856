use super::{Context, Exit, Report};
use drvpolicy::code::Code;
use drvpolicy::diagnostic::{Diagnostic, Failure};
use drvpolicy::render::Renderer;
use std::path::PathBuf;

/// List the embedded templates, or write them into a directory to start your own.
///
/// Change a copy and pass `--templates DIR`: a file there replaces the embedded template of
/// the same name; the others still come from the binary. `--dump` leaves a file that is
/// already in DIR as it is (and exits 1) unless `--force`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  drvpolicy templates\n  drvpolicy templates --dump my-templates\n  \
drvpolicy --templates my-templates generate spec rhel-7.3")]
pub struct Args {
    /// Write every embedded template into DIR (created if needed).
    #[arg(long, value_name = "DIR")]
    dump: Option<PathBuf>,
    /// With --dump, replace files that are already there.
    #[arg(long, requires = "dump")]
    force: bool,
}

pub fn run(context: &Context, args: Args) -> Result<Report, Failure> {
    let templates = Renderer::embedded();
    let names: Vec<&str> = templates.iter().map(|(name, _)| *name).collect();
    let renderer = context.renderer()?;
    let Some(dir) = args.dump else {
        let text = renderer.render("templates.j2", serde_json::json!({ "names": names, "dir": null }))?;
        return Ok(Report::ok(text));
    };
    let io = |what: String, e: std::io::Error| Failure::single(Diagnostic::error(Code::Io, format!("{what}: {e}")));
    std::fs::create_dir_all(&dir).map_err(|e| io(format!("cannot create {}", dir.display()), e))?;
    let mut kept = Vec::new();
    let mut written = Vec::new();
    for (name, text) in &templates {
        let path = dir.join(name);
        if path.exists() && !args.force {
            kept.push(*name);
            continue;
        }
        drvpolicy::output::write_atomic(&path, text.as_bytes())
            .map_err(|e| io(format!("cannot write {}", path.display()), e))?;
        written.push(*name);
    }
    let view = serde_json::json!({ "names": names, "dir": dir.display().to_string(), "written": written });
    let mut report = Report::ok(renderer.render("templates.j2", view)?);
    if !kept.is_empty() {
        let message = format!("{} already holds {}: left as they are", dir.display(), kept.join(", "));
        report.warnings.push(Diagnostic::warning(Code::Exists, message).with_help("pass --force to replace them"));
        report.exit = Exit::Findings;
    }
    Ok(report)
}
