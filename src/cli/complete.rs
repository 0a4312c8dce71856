//! Dynamic shell completion (clap_complete's `COMPLETE=SHELL drvpolicy`): profile names from
//! the search path, the arches of the profile on the line, and the names `explain` takes.

use clap_complete::engine::CompletionCandidate;
use drvpolicy::catalogue::Catalogue;
use drvpolicy::store::Store;
use std::ffi::OsStr;

/// The words of the line being completed: the shell passes them after a `--`.
fn line() -> Vec<String> {
    let args = super::raw_args();
    args.iter().position(|a| a == "--").map_or_else(Vec::new, |i| args[i + 1..].to_vec())
}

/// The search path of the line: DRVPOLICY_PROFILES and its --profiles, quietly without the
/// directories that are not there (a line being typed is not an error).
fn store(line: &[String]) -> Option<Store> {
    let options: Vec<std::path::PathBuf> = super::raw_values(line, "--profiles")
        .into_iter()
        .map(Into::into)
        .filter(|p: &std::path::PathBuf| p.is_dir())
        .collect();
    let dirs = super::search_path(std::env::var_os(super::PROFILES_VAR), &options).unwrap_or(options);
    Store::new(&dirs).ok()
}

fn matching<'a>(current: &OsStr, names: impl IntoIterator<Item = &'a str>) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    let mut names: Vec<&str> = names.into_iter().filter(|n| n.starts_with(current.as_ref())).collect();
    names.sort_unstable();
    names.dedup();
    names.into_iter().map(CompletionCandidate::new).collect()
}

pub fn profiles(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(store) = store(&line()) else { return Vec::new() };
    matching(current, store.names())
}

/// The arches of the first profile named on the line, else every arch the catalogue knows.
pub fn arches(current: &OsStr) -> Vec<CompletionCandidate> {
    let line = line();
    let from_profile = store(&line).and_then(|mut store| {
        let name = line.iter().find(|w| store.contains(w))?.clone();
        let policy = drvpolicy::resolve::resolve(&mut store, &name).ok()?.policy;
        Some(policy.arch_names().iter().map(|a| a.to_string()).collect::<Vec<_>>())
    });
    match from_profile {
        Some(arches) => matching(current, arches.iter().map(String::as_str)),
        None => matching(current, Catalogue::get().arches.known.iter().map(drvpolicy::catalogue::Text::as_str)),
    }
}

/// The names `schema` takes.
pub fn schemas(current: &OsStr) -> Vec<CompletionCandidate> {
    matching(current, drvpolicy::schema::Schema::ALL.iter().map(|s| s.name()))
}

/// What `explain` takes: drivers, libguestfs protocols and build options.
pub fn explain_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let catalogue = Catalogue::get();
    let names = catalogue
        .drivers
        .keys()
        .chain(catalogue.libguestfs.protocols.keys())
        .chain(catalogue.features.keys())
        .map(drvpolicy::catalogue::Text::as_str);
    matching(current, names)
}
