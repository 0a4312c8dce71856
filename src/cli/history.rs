use super::{Context, Output, Report, TextMarkdownJson, choice, json};
use drvpolicy::diagnostic::{Failure, unknown_arch};
use drvpolicy::diff::{DiffLayer, Filter};
use drvpolicy::history::{self, Listed};
use drvpolicy::schema::Schema;
use std::mem::ManuallyDrop;

/// A release series as a timeline of changes.
///
/// For each release what changed from the one before (in `diff`'s terms), and per driver the
/// releases in which its access changed.
///
/// The series: with --product P, or one NAME that is a product (`rhel`, `rhel-rhev`), every
/// profile of that product on the search path, ordered by release; with two or more profiles,
/// those, in the order given.
///
/// Exit status: 0 the timeline was written (changes are its content, not findings), 2 error
/// (an unknown profile or product, a profile of the series that does not load).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  drvpolicy history rhel\n  drvpolicy history rhel-7.1 rhel-7.2 rhel-7.3 --format markdown\n  drvpolicy history --product rhel-rhev --layer access"
)]
pub struct Args {
    /// Two or more profiles in release order, or one product name.
    #[arg(value_name = "PROFILE", required_unless_present = "product", conflicts_with = "product", add = clap_complete::engine::ArgValueCompleter::new(super::complete::profiles))]
    profiles: Vec<String>,
    /// Every profile of this product, ordered by release.
    #[arg(long)]
    product: Option<String>,
    /// Only this architecture (built by some profile of the series).
    #[arg(long, add = clap_complete::engine::ArgValueCompleter::new(super::complete::arches))]
    arch: Option<String>,
    /// Only this layer.
    #[arg(long, value_parser = choice::parser::<DiffLayer>())]
    layer: Option<DiffLayer>,
    #[arg(long, value_enum, default_value = "text")]
    format: TextMarkdownJson,
    #[command(flatten)]
    output: Output,
}

/// The profiles of `names` that load, as series selection sees them.
fn listed(context: &mut Context, names: &[String]) -> Vec<Listed> {
    names.iter().filter_map(|name| context.policy(name).ok()).map(|(policy, _)| Listed::of(&policy)).collect()
}

pub fn run(context: &mut Context, args: Args) -> Result<Report, Failure> {
    // Products are known only by resolving every profile, which a list of names does not need.
    // A profile that does not resolve is in no series: it is left out here, and reported only
    // if the series names it. Warnings are reported for the profiles of the series only.
    // Only the profiles that can be of the product are resolved (`Store::candidates`); when
    // none is, every profile is, for the products and names the error suggests.
    let product = args.product.as_deref().or(match args.profiles.as_slice() {
        [one] => Some(one.as_str()),
        _ => None,
    });
    let series = match product {
        Some(product) => {
            let candidates = context.store.candidates(product);
            let found = listed(context, &candidates);
            match history::select(&args.profiles, args.product.as_deref(), &found) {
                Ok(series) => series,
                Err(_) => {
                    let names: Vec<String> = context.store.names().map(str::to_string).collect();
                    history::select(&args.profiles, args.product.as_deref(), &listed(context, &names))?
                }
            }
        }
        None => history::select(&args.profiles, None, &[])?,
    };
    let mut policies = Vec::new();
    let mut warnings = Vec::new();
    for name in &series.profiles {
        let (policy, w) = context.policy(name)?;
        warnings.extend(w);
        policies.push(ManuallyDrop::into_inner(policy));
    }
    if let Some(arch) = &args.arch
        && !policies.iter().any(|p| p.arch(arch).is_some())
    {
        let mut arches: Vec<&str> = policies.iter().flat_map(|p| p.arch_names()).collect();
        arches.sort_unstable();
        arches.dedup();
        return Err(unknown_arch(format!("no profile of the series builds `{arch}`"), arch, &arches));
    }
    let filter = Filter { layer: args.layer, arch: args.arch.clone() };
    let timeline = history::timeline(series.product, &policies, &filter);
    let text = match args.format {
        TextMarkdownJson::Text => context.renderer()?.render("history.txt.j2", &timeline)?,
        TextMarkdownJson::Markdown => context.renderer()?.render("history.md.j2", &timeline)?,
        TextMarkdownJson::Json => json(Schema::History, &timeline),
    };
    Ok(Report::ok(args.output.emit(text)?).with_warnings(warnings))
}
