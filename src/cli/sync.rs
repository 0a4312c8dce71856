use super::{Context, Exit, Report, TextOrJson, json};
use drvpolicy::code::Code;
use drvpolicy::diagnostic::{Diagnostic, Failure};
use drvpolicy::policy::Policy;
use drvpolicy::schema::Schema;
use indexmap::IndexMap;
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};

/// Regenerate the lines between `# drvpolicy:begin PROFILE` and `# drvpolicy:end` in specs.
///
/// Each region is generated from the profile its begin marker names; one spec may hold
/// regions of several profiles (a `%if %{rhev}` spec of qemu-kvm and qemu-kvm-rhev). The
/// marker may choose what the region holds: `style=inline` (the default), `globals` or
/// `macros` (as `generate spec --style`), or `buildrequires` (as `generate buildrequires`).
/// Nothing outside the markers changes, line endings included; a file is replaced atomically,
/// and only when a region is stale. A last argument that is a profile name and not a file
/// limits the run to that profile's regions.
///
/// Missing or unbalanced markers, an unknown style, or no region of the profile named are
/// errors (exit 2) that leave the file as it was; the other files are still synced or checked.
///
/// Exit status: 0 up to date or updated, 1 with --check: a region is stale or a profile has
/// warnings, 2 error.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  drvpolicy sync qemu-kvm.spec\n  drvpolicy sync qemu-kvm.spec rhel-7.3\n  drvpolicy --profiles profiles sync --check qemu-kvm.spec qemu-kvm-rhev.spec   # in CI: a diff and exit 1 when stale"
)]
pub struct Args {
    /// The spec files holding the markers, and optionally last a profile to sync only its regions.
    #[arg(value_name = "SPEC", required = true)]
    paths: Vec<PathBuf>,
    /// Change nothing: print a unified diff of each stale file and exit 1 when one is stale.
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

/// What every file of one run is synced with.
struct Options {
    check: bool,
    force: bool,
    max_spec_size: u64,
}

/// The files, and the profile when the last of several arguments names one and no file.
fn files_and_profile(mut paths: Vec<PathBuf>) -> (Vec<PathBuf>, Option<String>) {
    let looks_like_profile = |p: &Path| {
        let text = p.to_string_lossy();
        !p.exists() && !text.contains('/') && !text.ends_with(".spec")
    };
    if paths.len() > 1 && paths.last().is_some_and(|p| looks_like_profile(p)) {
        let profile = paths.pop().map(|p| p.to_string_lossy().into_owned());
        return (paths, profile);
    }
    (paths, None)
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    let (files, only) = files_and_profile(args.paths);
    if let Some(profile) = &only
        && !context.store.contains(profile)
    {
        return Err(context.store.unknown(profile));
    }
    let options = Options { check: args.check, force: args.force, max_spec_size: args.max_spec_size };
    let renderer = context.renderer()?;
    let mut policies: IndexMap<String, Policy> = IndexMap::new();
    let mut views = Vec::new();
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut warned = false;
    let mut failed = false;
    for path in &files {
        let display = path.display().to_string();
        let result = sync_one(context, path, &display, only.as_deref(), &options, &renderer, &mut policies);
        match result {
            Ok((view, warnings)) => {
                warned |= !warnings.is_empty();
                problems.extend(warnings);
                views.push(view);
            }
            Err(failure) => {
                failed = true;
                problems.extend(failure.diagnostics);
            }
        }
    }
    let stale = views.iter().any(|v| v.stale);
    let stdout = match args.format {
        TextOrJson::Json => json(Schema::Sync, &drvpolicy::sync::SyncRun { check: args.check, stale, files: &views }),
        TextOrJson::Text => {
            let mut text = String::new();
            for view in &views {
                match (&view.diff, args.check) {
                    (Some(diff), true) => text.push_str(diff),
                    _ => text.push_str(&renderer.render("sync.txt.j2", view)?),
                }
            }
            text
        }
    };
    let exit = if failed {
        Exit::Error
    } else if args.check && (stale || warned) {
        Exit::Findings
    } else {
        Exit::Ok
    };
    Ok(Report { stdout, warnings: problems, exit })
}

/// Syncs or checks one file: its view and the warnings of the profiles it resolved first.
fn sync_one(
    context: &mut Context,
    path: &Path,
    display: &str,
    only: Option<&str>,
    options: &Options,
    renderer: &drvpolicy::render::Renderer,
    policies: &mut IndexMap<String, Policy>,
) -> Result<(drvpolicy::sync::SyncView, Vec<Diagnostic>), Failure> {
    let bytes = drvpolicy::input::read_regular_file(path, options.max_spec_size)
        .map_err(|e| Failure::single(Diagnostic::error(Code::Io, format!("cannot read {display}: {e}"))))?;
    let utf8 = std::str::from_utf8(&bytes).is_ok();
    let file = context.store.sources.add(display.to_string(), String::from_utf8_lossy(&bytes).into_owned());
    let regions = drvpolicy::sync::regions(&bytes, utf8.then_some(file), display, only)?;
    let mut warnings = Vec::new();
    for region in &regions {
        if !policies.contains_key(&region.profile) {
            let (policy, w) = context.policy(&region.profile).map_err(|mut failure| {
                // Point at the marker that names it, too.
                if let (Some(span), Some(first)) = (&region.name_span, failure.diagnostics.first_mut())
                    && first.labels.is_empty()
                {
                    *first = first.clone().at(span, "the region names it here");
                }
                failure
            })?;
            warnings.extend(w);
            policies.insert(region.profile.clone(), ManuallyDrop::into_inner(policy));
        }
    }
    let (view, synced) = drvpolicy::sync::regenerate(
        &bytes,
        &regions,
        |name| &policies[name],
        renderer,
        context.sources(),
        display,
        options.check,
    )?;
    if view.written {
        let read_only = std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly());
        if read_only && !options.force {
            return Err(Failure::single(
                Diagnostic::error(
                    Code::ReadOnly,
                    format!("{display} is read-only: the stale region was not regenerated"),
                )
                .with_help("make it writable, or pass --force to replace it anyway (the file is left as it was)"),
            ));
        }
        drvpolicy::output::write_atomic(path, &synced)
            .map_err(|e| Failure::single(Diagnostic::error(Code::Io, format!("cannot write {display}: {e}"))))?;
    }
    Ok((view, warnings))
}
