//! Raw profiles to `Policy`: inheritance, list edits, arch selection and the catalogue's
//! verdicts. Collects every problem of the chain; errors make the profile unusable.

mod arch_state;
mod memo;
mod names;
mod version_checks;

pub(crate) use arch_state::DriverTables;
pub(crate) use memo::Partial;
pub use memo::Summary;

use crate::catalogue::Catalogue;
use crate::code::Code;
use crate::diagnostic::{Diagnostic, Failure, Result};
use crate::policy::{Policy, Valued};
use crate::profile::{ListEdit, RawProfile, Spanned, SpannedList};
use crate::source::Origin;
use crate::store::Store;

/// A resolved profile and the warnings found on the way.
#[derive(Debug)]
pub struct Resolved {
    pub policy: Policy,
    pub warnings: Vec<Diagnostic>,
}

/// Loads `name` and its parents from `store` and resolves them. Parents resolved before (by
/// this or an earlier call on `store`) are not resolved again.
pub fn resolve(store: &mut Store, name: &str) -> Result<Resolved> {
    into_resolved(attempt(store, name)?)
}

/// Resolves a chain, child first (as `Store::load_chain` returns it).
pub fn resolve_chain(chain: &[RawProfile]) -> Result<Resolved> {
    into_resolved(attempt_chain(chain))
}

fn into_resolved(Attempt { policy, diagnostics }: Attempt) -> Result<Resolved> {
    match policy {
        Some(policy) if !diagnostics.iter().any(Diagnostic::is_error) => Ok(Resolved { policy, warnings: diagnostics }),
        _ => Err(Failure { diagnostics }),
    }
}

/// Everything resolution found: the policy whenever it could be built (even if some of the
/// diagnostics are errors, such as an option the qemu version rejects), and every problem.
#[derive(Debug)]
pub struct Attempt {
    pub policy: Option<Policy>,
    pub diagnostics: Vec<Diagnostic>,
}

/// `resolve` that keeps the policy next to its errors, for `check`. A chain that does not load
/// (a missing parent, a cycle, a file that is not TOML) is the error.
pub fn attempt(store: &mut Store, name: &str) -> Result<Attempt> {
    let partial = store.partial(name)?;
    Ok(partial.attempt(&mut store.driver_tables))
}

/// What `list` needs of each of `names` (distinct), in order, their states built on every
/// core: its identity, or the problems that keep it from loading (its qemu version's checks are
/// `check`'s), and the warnings of applying its chain.
pub fn summaries(store: &mut Store, names: &[String]) -> Vec<Result<(Summary, Vec<Diagnostic>)>> {
    store
        .map_states(names, || (), |_, partial| partial.summary())
        .into_iter()
        .map(|r| match r? {
            (Some(summary), diagnostics) => Ok((summary, diagnostics)),
            (None, diagnostics) => Err(Failure { diagnostics }),
        })
        .collect()
}

/// Every profile of the shipped set and of `tests/fixtures/check` (whose options their versions
/// reject) that resolves to a policy, with its errors too: what the tests that hold two ways of
/// computing one thing equal run over.
#[cfg(test)]
pub(crate) fn check_fixture_policies() -> Vec<(String, Policy)> {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check");
    let mut store = Store::new(&[fixtures]).unwrap();
    let names: Vec<String> = store.names().map(str::to_string).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let policy = attempt(&mut store, &name).ok()?.policy?;
            Some((name, policy))
        })
        .collect()
}

/// `resolve_chain` that keeps the policy next to its errors.
pub fn attempt_chain(chain: &[RawProfile]) -> Attempt {
    let mut partial: Option<std::sync::Arc<Partial>> = None;
    for profile in chain.iter().rev() {
        partial = Some(std::sync::Arc::new(Partial::step(partial.as_ref(), std::sync::Arc::new(profile.clone()))));
    }
    partial.expect("a chain has its profile").attempt(&mut DriverTables::default())
}

/// Problems deduplicated (per-arch passes find the same ones) and in file order.
fn tidy(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    dedup(&mut diagnostics);
    diagnostics.sort_by_key(|d| d.primary_span().map(|s| (s.file, s.range.start)));
    diagnostics
}

/// Linear: a profile with 80,000 unknown keys has 80,000 diagnostics.
fn dedup(diagnostics: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diagnostics.retain(|d| seen.insert((d.code, d.message.clone(), d.primary_span().cloned())));
}

fn origin(span: &crate::source::Span) -> Origin {
    Origin::Profile(span.clone())
}

/// A consumer's arch that the profile writing it does not build (as its arches stand there) is
/// a need that never applies: a warning.
fn consumer_arches_built(
    profile: &RawProfile,
    arches: &[Valued<String>],
    catalogue: &Catalogue,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let consumers = profile.base.consumers.iter().chain(profile.overrides.iter().flat_map(|o| &o.settings.consumers));
    for consumer in consumers {
        let Some(list) = &consumer.arches else { continue };
        let added = match &list.edit {
            ListEdit::Replace(items) => items,
            ListEdit::Edit { add, .. } => add,
        };
        for arch in added {
            // The arch itself, or each of the group it names.
            let covers = |a: &str| match catalogue.arch_group(&arch.value) {
                Some(group) => group.iter().any(|n| n == a),
                None => a == arch.value,
            };
            if !arches.iter().any(|a| covers(&a.value)) {
                let built: Vec<&str> = arches.iter().map(|a| a.value.as_str()).collect();
                diagnostics.push(
                    Diagnostic::warning(
                        Code::ConsumerArchNotBuilt,
                        format!(
                            "{} lists `{}` for the consumer {}, but {} builds {}",
                            profile.name,
                            arch.value,
                            consumer.name.value,
                            profile.name,
                            built.join(", ")
                        ),
                    )
                    .at(&arch.span, "not an arch of this profile")
                    .with_help("drop it, or add it to [profile] arches"),
                );
            }
        }
    }
}

/// Applies a list as written (replace, or add/remove edits) to the inherited list. Returns
/// what `remove` took out, each with the place of its `remove` entry.
fn apply_list(
    list: &mut Vec<Valued<String>>,
    edit: &SpannedList<String>,
    what: &str,
    profile: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Valued<String>> {
    apply_list_by(list, edit, |v| v.clone(), what, profile, diagnostics)
}

/// An entry of a list that profiles write: when two entries are one.
pub(crate) trait Entry {
    fn same(&self, other: &Self) -> bool;
}

impl Entry for String {
    fn same(&self, other: &Self) -> bool {
        self == other
    }
}

/// Two needs of one driver by one program are one need (rw covers ro).
impl Entry for crate::profile::RawNeed {
    fn same(&self, other: &Self) -> bool {
        self.driver.value == other.driver.value && self.program.value == other.program.value
    }
}

/// Two requirements of one package are one requirement.
impl Entry for crate::profile::RawRequirement {
    fn same(&self, other: &Self) -> bool {
        self.package.value == other.package.value
    }
}

/// `apply_list` for lists of structured items, named in `remove` by `key`. What a packager
/// does not mean is a warning: an entry written twice, an `add` of what the list already has,
/// an `add` and a `remove` of the same entry, a `remove` of what it does not have.
fn apply_list_by<T: Clone + Entry>(
    list: &mut Vec<Valued<T>>,
    edit: &SpannedList<T>,
    key: impl Fn(&T) -> String,
    what: &str,
    profile: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Valued<String>> {
    let twice = |item: &Spanned<T>, first: &Spanned<T>, diagnostics: &mut Vec<Diagnostic>| {
        diagnostics.push(
            Diagnostic::warning(
                Code::DuplicateEntry,
                format!("{profile} lists `{}` twice in {what}", key(&item.value)),
            )
            .at(&item.span, "again here")
            .at(&first.span, "first here")
            .with_help("drop the second entry"),
        );
    };
    let unique = |items: &[Spanned<T>], diagnostics: &mut Vec<Diagnostic>| -> Vec<Spanned<T>> {
        let mut kept: Vec<Spanned<T>> = Vec::new();
        for item in items {
            match kept.iter().find(|k| k.value.same(&item.value)) {
                Some(first) => twice(item, first, diagnostics),
                None => kept.push(item.clone()),
            }
        }
        kept
    };
    let mut removed = Vec::new();
    match &edit.edit {
        ListEdit::Replace(items) => {
            *list = unique(items, diagnostics).into_iter().map(|i| Valued::new(i.value, origin(&i.span))).collect();
        }
        ListEdit::Edit { add, remove } => {
            let add = unique(add, diagnostics);
            let mut seen: Vec<&Spanned<String>> = Vec::new();
            for r in remove {
                if let Some(first) = seen.iter().find(|s| s.value == r.value) {
                    diagnostics.push(
                        Diagnostic::warning(
                            Code::DuplicateEntry,
                            format!("{profile} removes `{}` twice from {what}", r.value),
                        )
                        .at(&r.span, "again here")
                        .at(&first.span, "first here")
                        .with_help("drop the second entry"),
                    );
                    continue;
                }
                seen.push(r);
                if let Some(a) = add.iter().find(|a| key(&a.value) == r.value) {
                    diagnostics.push(
                        Diagnostic::warning(
                            Code::AddAndRemove,
                            format!("{profile} both adds and removes `{}` in {what}: the add wins", r.value),
                        )
                        .at(&r.span, "removed here")
                        .at(&a.span, "added here")
                        .with_help("keep the one that is meant"),
                    );
                }
                let before = list.len();
                list.retain(|v| key(&v.value) != r.value);
                if list.len() < before {
                    removed.push(Valued::new(r.value.clone(), origin(&r.span)));
                } else if !add.iter().any(|a| key(&a.value) == r.value) {
                    diagnostics.push(
                        Diagnostic::warning(
                            Code::RemoveAbsent,
                            format!("{profile} removes `{}` from {what}, which does not contain it", r.value),
                        )
                        .at(&r.span, "nothing to remove")
                        .with_help("drop this entry, or check the parent profile"),
                    );
                }
            }
            for a in add {
                match list.iter().find(|v| v.value.same(&a.value)) {
                    Some(present) => {
                        let d = Diagnostic::warning(
                            Code::AddPresent,
                            format!("{profile} adds `{}` to {what}, which already has it", key(&a.value)),
                        )
                        .at(&a.span, "already in the list");
                        diagnostics.push(
                            d.at_origin(&present.origin, "it is in the list from here")
                                .with_help("drop this entry: the inherited list has it"),
                        );
                    }
                    None => list.push(Valued::new(a.value.clone(), origin(&a.span))),
                }
            }
        }
    }
    removed
}
