use super::{Context, Exit, Report, TextOrJson, json};
use drvpolicy::diagnostic::{Diagnostic, Failure};
use std::path::PathBuf;

/// Regenerate the lines between `# drvpolicy:begin PROFILE` and `# drvpolicy:end` in a spec.
///
/// The begin marker may choose the style: `# drvpolicy:begin rhel-7.3 style=globals`
/// (default inline). Nothing outside the markers changes, line endings included; the file is
/// replaced atomically, and only when a region is stale. Missing or unbalanced markers, or a
/// marker naming another profile, are errors (exit 2) and leave the file as it was.
///
/// Exit status: 0 up to date or updated, 1 stale with --check, 2 error.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  drvpolicy sync qemu-kvm.spec rhel-7.3\n  drvpolicy --profiles profiles sync qemu-kvm.spec my-7.9 --check   # in CI: a diff and exit 1 when stale"
)]
pub struct Args {
    /// The spec file holding the markers.
    spec: PathBuf,
    /// The profile the region is generated from (the begin marker must name it).
    profile: String,
    /// Change nothing: print a unified diff and exit 1 when a region is stale.
    #[arg(long)]
    check: bool,
    #[arg(long, value_enum, default_value = "text")]
    format: TextOrJson,
    /// Replace the spec even when it is read-only (as an editor's `:w!`).
    #[arg(long)]
    force: bool,
    /// The largest spec read, in bytes or with K, M, G.
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = drvpolicy::input::parse_size)]
    max_spec_size: u64,
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    let display = args.spec.display().to_string();
    let bytes = drvpolicy::input::read_regular_file(&args.spec, args.max_spec_size)
        .map_err(|e| Failure::single(Diagnostic::error("io", format!("cannot read {display}: {e}"))))?;
    let utf8 = std::str::from_utf8(&bytes).is_ok();
    let file = context.store.sources.add(display.clone(), String::from_utf8_lossy(&bytes).into_owned());
    let regions = drvpolicy::sync::regions(&bytes, utf8.then_some(file), &display, &args.profile)?;
    let (policy, warnings) = context.policy(&args.profile)?;
    let renderer = context.renderer()?;
    let (view, synced) = drvpolicy::sync::regenerate(&bytes, &regions, &policy, &renderer, &display, args.check)?;
    if view.written {
        let read_only = std::fs::metadata(&args.spec).is_ok_and(|m| m.permissions().readonly());
        if read_only && !args.force {
            return Err(Failure::single(
                Diagnostic::error("read-only", format!("{display} is read-only: the stale region was not regenerated"))
                    .with_help("make it writable, or pass --force to replace it anyway (the file is left as it was)"),
            ));
        }
        drvpolicy::output::write_atomic(&args.spec, &synced)
            .map_err(|e| Failure::single(Diagnostic::error("io", format!("cannot write {display}: {e}"))))?;
    }
    let stdout = match args.format {
        TextOrJson::Json => json(&view),
        TextOrJson::Text if args.check && view.stale => view.diff.clone().unwrap_or_default(),
        TextOrJson::Text => renderer.render("sync.txt.j2", &view)?,
    };
    let exit = if args.check && view.stale { Exit::Findings } else { Exit::Ok };
    Ok(Report { stdout, warnings, exit })
}
