//! Where profiles come from: the shipped ones embedded in the binary, then each
//! `--profiles DIR` in order, later ones winning for the same name.

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Failure, Result};
use crate::profile::{RawProfile, parse_profile};
use crate::source::Sources;
use include_dir::{Dir, include_dir};
use indexmap::IndexMap;
use std::path::{Path, PathBuf};

static SHIPPED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/profiles");

#[derive(Debug, Clone)]
enum Location {
    Shipped(&'static include_dir::File<'static>),
    File(PathBuf),
}

/// The profile search path and every profile file read so far.
pub struct Store {
    found: IndexMap<String, Location>,
    pub sources: Sources,
    loaded: IndexMap<String, RawProfile>,
}

impl Store {
    /// The shipped profiles plus those in `dirs`; reading a directory that is not there is an error.
    pub fn new(dirs: &[PathBuf]) -> Result<Store> {
        let mut found = IndexMap::new();
        for file in SHIPPED.files() {
            if let Some(stem) = toml_stem(file.path()) {
                found.insert(stem, Location::Shipped(file));
            }
        }
        for dir in dirs {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                Failure::single(Diagnostic::error(
                    Code::Io,
                    format!("cannot read the profile directory {}: {e}", dir.display()),
                ))
            })?;
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for path in paths {
                if let Some(stem) = toml_stem(&path) {
                    found.insert(stem, Location::File(path));
                }
            }
        }
        found.sort_keys();
        Ok(Store { found, sources: Sources::new(), loaded: IndexMap::new() })
    }

    /// Every profile name on the search path, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.found.keys().map(String::as_str)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.found.contains_key(name)
    }

    /// The file that replaces the shipped profile `name` on the search path, if one does.
    pub fn shadowing(&self, name: &str) -> Option<&Path> {
        match self.found.get(name)? {
            Location::File(path) if SHIPPED.get_file(format!("{name}.toml")).is_some() => Some(path),
            _ => None,
        }
    }

    /// Reads and parses one profile (once). A text that is not TOML fails here; other problems
    /// are in the profile's `problems`, for resolution to report with its own.
    pub fn load(&mut self, name: &str) -> Result<&RawProfile> {
        if !self.loaded.contains_key(name) {
            let location = self.found.get(name).cloned().ok_or_else(|| self.unknown(name))?;
            let (display, text) = match location {
                Location::Shipped(file) => (
                    format!("profiles/{}", file.path().display()),
                    file.contents_utf8().unwrap_or_default().to_string(),
                ),
                Location::File(path) => {
                    let text = std::fs::read_to_string(&path).map_err(|e| {
                        Failure::single(Diagnostic::error(Code::Io, format!("cannot read {}: {e}", path.display())))
                    })?;
                    (path.display().to_string(), text)
                }
            };
            let file = self.sources.add(display, text);
            let profile = parse_profile(name, file, self.sources.text(file))?;
            self.loaded.insert(name.to_string(), profile);
        }
        Ok(&self.loaded[name])
    }

    /// The error for a profile name that is not on the search path.
    pub fn unknown(&self, name: &str) -> Failure {
        Failure::single(
            Diagnostic::error(Code::UnknownProfile, format!("no profile named `{name}`")).with_help(
                crate::suggest::did_you_mean_profile(name, self.names())
                    .unwrap_or_else(|| "`drvpolicy list` shows the profiles".to_string()),
            ),
        )
    }

    /// Loads a profile and its parents, child first. Missing parents and cycles are errors
    /// at the `inherits` that names them.
    pub fn load_chain(&mut self, name: &str) -> Result<Vec<RawProfile>> {
        let mut chain: Vec<RawProfile> = Vec::new();
        let mut next = Some(name.to_string());
        while let Some(current) = next.take() {
            let known = self.contains(&current);
            let cycle = chain.iter().any(|p| p.name == current);
            if let (Some(child), true) = (chain.last(), cycle || !known) {
                // Both errors point at the `inherits` that leads out of the chain and name it.
                let span = child.inherits.as_ref().map_or_else(|| child.span.clone(), |i| i.span.clone());
                let names: Vec<&str> = chain.iter().map(|p| p.name.as_str()).chain([current.as_str()]).collect();
                let diagnostic = if cycle {
                    Diagnostic::error(
                        Code::InheritanceCycle,
                        format!("profiles inherit in a cycle: {}", names.join(" -> ")),
                    )
                    .at(&span, format!("`{current}` is already in the chain"))
                    .with_help("remove one `inherits` of the cycle")
                } else {
                    let message =
                        format!("profile `{}` inherits `{current}`, which is not on the search path", child.name);
                    Diagnostic::error(Code::MissingParent, message)
                        .at(&span, format!("no profile named `{current}`"))
                        .with_note(format!("chain: {}", names.join(" -> ")))
                        .with_help_opt(crate::suggest::did_you_mean_profile(&current, self.names()))
                };
                return Err(Failure::single(diagnostic));
            }
            if !known {
                return Err(self.unknown(&current));
            }
            let profile = self.load(&current)?.clone();
            next = profile.inherits.as_ref().map(|i| i.value.clone());
            chain.push(profile);
        }
        Ok(chain)
    }
}

fn toml_stem(path: &Path) -> Option<String> {
    (path.extension()? == "toml").then(|| path.file_stem()?.to_str().map(str::to_string))?
}
