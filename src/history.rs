//! `history`: a release series as a timeline of diffs, each release against the one before,
//! and per driver the releases in which its access changed.

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Failure, Result, did_you_mean};
use crate::diff::{self, Changes, DiffLayer, Filter};
use crate::policy::Policy;
use crate::profile::Program;
use semver::Version;
use serde::Serialize;

/// A profile as series selection sees it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub name: String,
    pub product: String,
    pub release: Version,
}

impl Listed {
    pub fn of(policy: &Policy) -> Listed {
        Listed { name: policy.name.clone(), product: policy.product.clone(), release: policy.release.clone() }
    }
}

/// The profiles of a history, in order, and the product they were chosen by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Series {
    pub product: Option<String>,
    pub profiles: Vec<String>,
}

/// Chooses the series:
/// - `product`: every profile of that product, ordered by release (then name);
/// - one name: the same, when some profile has that product (a single profile has no history);
/// - two or more names: those profiles, in the order given.
pub fn select(requested: &[String], product: Option<&str>, listed: &[Listed]) -> Result<Series> {
    let product = match (product, requested) {
        (Some(p), _) => p,
        (None, [one]) => one.as_str(),
        (None, _) => return Ok(Series { product: None, profiles: requested.to_vec() }),
    };
    let mut members: Vec<&Listed> = listed.iter().filter(|l| l.product == product).collect();
    if members.is_empty() {
        let mut products: Vec<&str> = listed.iter().map(|l| l.product.as_str()).collect();
        products.sort_unstable();
        products.dedup();
        let is_profile = listed.iter().any(|l| l.name == product);
        let message = if is_profile {
            format!("`{product}` is one profile, and one profile has no history")
        } else {
            format!("no product or profile series named `{product}`")
        };
        let names = products.iter().copied().chain(listed.iter().map(|l| l.name.as_str()));
        let help = match did_you_mean(product, names) {
            Some(hint) if !is_profile => hint,
            _ => format!("give two or more profiles, or a product: {}", products.join(", ")),
        };
        return Err(Failure::single(Diagnostic::error(Code::UnknownProduct, message).with_help(help)));
    }
    members.sort_by(|a, b| (&a.release, &a.name).cmp(&(&b.release, &b.name)));
    Ok(Series { product: Some(product.to_string()), profiles: members.iter().map(|l| l.name.clone()).collect() })
}

#[derive(Debug, Serialize)]
pub struct Timeline {
    /// The product the series was chosen by, or `null` for profiles given by name.
    pub product: Option<String>,
    pub releases: Vec<Release>,
    /// Drivers whose access changed somewhere in the series, by name.
    pub drivers: Vec<DriverHistory>,
}

#[derive(Debug, Serialize)]
pub struct Release {
    pub profile: String,
    pub release: String,
    pub qemu: crate::policy::QemuName,
    pub arches: Vec<String>,
    /// The profile before it in the series (`null` for the first).
    pub previous: Option<String>,
    /// What changed from `previous` (`null` for the first).
    pub changes: Option<Changes>,
}

#[derive(Debug, Serialize)]
pub struct DriverHistory {
    pub driver: String,
    pub events: Vec<AccessEvent>,
}

/// One program's access to one driver changing at one release, on some arches.
#[derive(Debug, Clone, Serialize)]
pub struct AccessEvent {
    pub profile: String,
    pub previous: String,
    pub program: String,
    pub old: String,
    pub new: String,
    pub arches: Vec<String>,
}

/// The timeline of `policies` (in series order), with the differences `filter` keeps.
pub fn timeline(product: Option<String>, policies: &[Policy], filter: &Filter) -> Timeline {
    let mut releases = Vec::new();
    let mut events: Vec<(String, AccessEvent)> = Vec::new();
    // Each step's diff is most of the work, and the steps are independent.
    let pairs: Vec<(&Policy, &Policy)> = policies.windows(2).map(|w| (&w[0], &w[1])).collect();
    let mut steps =
        crate::parallel::map(crate::parallel::COSTLY, &pairs, |(old, new)| diff::compare_with(old, new, filter))
            .into_iter();
    for (i, policy) in policies.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| &policies[p]);
        let changes = previous.and_then(|_| steps.next());
        if let Some(changes) = &changes {
            collect_events(changes, policy, &mut events);
        }
        releases.push(Release {
            profile: policy.name.clone(),
            release: policy.release_text.clone(),
            qemu: policy.qemu_name(),
            arches: policy.arch_names().iter().map(|a| a.to_string()).collect(),
            previous: previous.map(|p| p.name.clone()),
            changes,
        });
    }
    let mut names: Vec<String> = events.iter().map(|(d, _)| d.clone()).collect();
    names.sort();
    names.dedup();
    let drivers = names
        .into_iter()
        .map(|driver| DriverHistory {
            events: events.iter().filter(|(d, _)| *d == driver).map(|(_, e)| e.clone()).collect(),
            driver,
        })
        .collect();
    Timeline { product, releases, drivers }
}

/// The access changes of one step, one event per (driver, program, old, new) with every arch
/// it happened on, in program order from the bottom of the stack up.
fn collect_events(changes: &Changes, policy: &Policy, events: &mut Vec<(String, AccessEvent)>) {
    let mut step: Vec<(String, Program, AccessEvent)> = Vec::new();
    for (arches, change) in changes.of_layer(DiffLayer::Access) {
        let (Some(driver), Some(program), Some(old), Some(new)) =
            (&change.item, &change.program, &change.old, &change.new)
        else {
            continue;
        };
        let arches = arches.unwrap_or_default();
        match step.iter_mut().find(|(d, _, e)| d == driver && e.program == *program && e.old == *old && e.new == *new) {
            Some((_, _, event)) => event.arches.extend(arches.iter().cloned()),
            None => step.push((
                driver.clone(),
                Program::parse(program).unwrap_or(Program::Emulator),
                AccessEvent {
                    profile: changes.new.profile.clone(),
                    previous: changes.old.profile.clone(),
                    program: program.clone(),
                    old: old.clone(),
                    new: new.clone(),
                    arches: arches.to_vec(),
                },
            )),
        }
    }
    let order = policy.arch_names();
    for (_, _, event) in &mut step {
        event.arches.sort_by_key(|a| order.iter().position(|o| o == a));
    }
    step.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    events.extend(step.into_iter().map(|(driver, _, event)| (driver, event)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(name: &str, product: &str, release: &str) -> Listed {
        Listed { name: name.into(), product: product.into(), release: Version::parse(release).unwrap() }
    }

    fn shipped_like() -> Vec<Listed> {
        vec![
            listed("rhel-7.10", "rhel", "7.10.0"),
            listed("rhel-7.2", "rhel", "7.2.0"),
            listed("rhel-7.2-rhev", "rhel-rhev", "7.2.0"),
            listed("rhel-7.0", "rhel", "7.0.0"),
        ]
    }

    #[test]
    fn a_product_orders_its_profiles_by_release_not_by_name() {
        let series = select(&[], Some("rhel"), &shipped_like()).unwrap();
        assert_eq!(series.profiles, ["rhel-7.0", "rhel-7.2", "rhel-7.10"]);
        assert_eq!(series.product.as_deref(), Some("rhel"));
    }

    #[test]
    fn one_name_that_is_a_product_is_that_product() {
        let series = select(&["rhel-rhev".to_string()], None, &shipped_like()).unwrap();
        assert_eq!(series.profiles, ["rhel-7.2-rhev"]);
    }

    #[test]
    fn names_given_keep_their_order() {
        let names = vec!["rhel-7.2".to_string(), "rhel-7.0".to_string()];
        let series = select(&names, None, &shipped_like()).unwrap();
        assert_eq!(series.profiles, names);
        assert_eq!(series.product, None);
    }

    #[test]
    fn one_profile_alone_is_refused_with_the_products() {
        let failure = select(&["rhel-7.2".to_string()], None, &shipped_like()).unwrap_err();
        let d = &failure.diagnostics[0];
        assert!(d.message.contains("one profile has no history"), "{}", d.message);
    }

    #[test]
    fn a_misspelt_product_gets_a_suggestion() {
        let failure = select(&[], Some("rehl"), &shipped_like()).unwrap_err();
        assert_eq!(failure.diagnostics[0].help.as_deref(), Some("did you mean `rhel`?"));
    }
}
