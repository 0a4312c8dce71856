//! Where profiles come from: the shipped ones embedded in the binary, then each
//! `--profiles DIR` in order, later ones winning for the same name.

use crate::code::Code;
use crate::diagnostic::{Diagnostic, Failure, Result};
use crate::profile::{RawProfile, parse_profile};
use crate::resolve::{DriverTables, Partial};
use crate::source::{FileId, Sources};
use foldhash::fast::FixedState;
use std::path::{Path, PathBuf};
use std::sync::Arc;

// 10,000 profiles are looked up by name at every step: a fast hash, fixed so that runs agree
// (the maps of names are never iterated in hash order).
type IndexMap<K, V> = indexmap::IndexMap<K, V, FixedState>;
type HashMap<K, V> = std::collections::HashMap<K, V, FixedState>;
type HashSet<K> = std::collections::HashSet<K, FixedState>;

#[derive(Debug, Clone)]
enum Location {
    Shipped(&'static include_dir::File<'static>),
    /// `listed_regular`: the directory listed it as a regular file, not a symlink.
    File {
        path: PathBuf,
        listed_regular: bool,
    },
}

/// The profile search path and every profile file read so far.
pub struct Store {
    found: IndexMap<String, Location>,
    /// The names of the shipped profiles.
    shipped: HashSet<String>,
    pub sources: Sources,
    loaded: IndexMap<String, Arc<RawProfile>>,
    /// Each profile's resolution state once built: its children start from it.
    resolved: HashMap<String, Arc<Partial>>,
    /// Uses of each state still to come, when `plan` knows them.
    pending: Option<HashMap<String, usize>>,
    /// The largest profile file read (`--max-profile-size`).
    pub profile_limit: u64,
    /// Driver tables shared by the policies resolved from this store.
    pub(crate) driver_tables: DriverTables,
}

impl Store {
    /// The shipped profiles plus those in `dirs`; reading a directory that is not there is an error.
    pub fn new(dirs: &[PathBuf]) -> Result<Store> {
        let mut found = IndexMap::default();
        for file in crate::shipped::FILES.files() {
            if let Some(stem) = toml_stem(file.path()) {
                found.insert(stem, Location::Shipped(file));
            }
        }
        let shipped = found.keys().cloned().collect();
        for dir in dirs {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                Failure::single(Diagnostic::error(
                    Code::Io,
                    format!("cannot read the profile directory {}: {e}", dir.display()),
                ))
            })?;
            // One directory: by file name, which is the order of the paths, without taking
            // paths apart into components (10,000 names are sorted).
            let mut files: Vec<(std::ffi::OsString, PathBuf, bool)> = entries
                .filter_map(|e| e.ok().map(|e| (e.file_name(), e.path(), e.file_type().is_ok_and(|t| t.is_file()))))
                .collect();
            files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            for (file_name, path, listed_regular) in files {
                if let Some(stem) = toml_stem(Path::new(&file_name)) {
                    found.insert(stem, Location::File { path, listed_regular });
                }
            }
        }
        found.sort_keys();
        Ok(Store {
            found,
            shipped,
            sources: Sources::new(),
            loaded: IndexMap::default(),
            resolved: HashMap::default(),
            pending: None,
            profile_limit: crate::input::PROFILE_LIMIT,
            driver_tables: DriverTables::default(),
        })
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
            Location::File { path, .. } if self.shipped.contains(name) => Some(path),
            _ => None,
        }
    }

    /// Reads and parses one profile (once). A text that is not TOML fails here; other problems
    /// are in the profile's `problems`, for resolution to report with its own.
    pub fn load(&mut self, name: &str) -> Result<&RawProfile> {
        if !self.loaded.contains_key(name) {
            let location = self.found.get(name).cloned().ok_or_else(|| self.unknown(name))?;
            if !crate::profile::values::is_package_name(name) {
                // The name is printed in generated spec comments, which rpm expands too.
                let shown = name.escape_debug();
                return Err(Failure::single(
                    Diagnostic::error(Code::BadName, format!("`{shown}` is not a profile name (the file {shown}.toml)"))
                        .with_help("name profile files with letters, digits and `.`, `_`, `+`, `-`, starting with a letter or digit"),
                ));
            }
            let (display, read) = read_location(&location, self.profile_limit);
            let text = self.read(display.clone(), read)?;
            let file = self.sources.add(display, text);
            let profile = parse(name, &location, file, self.sources.text(file))?;
            self.loaded.insert(name.to_string(), Arc::new(profile));
        }
        Ok(&self.loaded[name])
    }

    /// `load` of each of `names` (distinct) in turn, the files read and parsed on every core:
    /// the same sources in the same order, and the same profiles loaded.
    fn load_all(&mut self, names: &[String]) {
        let todo: Vec<(&str, Location)> = names
            .iter()
            .filter(|n| !self.loaded.contains_key(n.as_str()) && crate::profile::values::is_package_name(n))
            .filter_map(|n| Some((n.as_str(), self.found.get(n.as_str())?.clone())))
            .collect();
        let limit = self.profile_limit;
        let reads = crate::parallel::map(crate::parallel::CHEAP, &todo, |(_, location)| read_location(location, limit));
        let mut files: Vec<(&str, &Location, FileId)> = Vec::new();
        for ((name, location), (display, read)) in todo.iter().zip(reads) {
            if let Ok(text) = self.read(display.clone(), read) {
                files.push((name, location, self.sources.add(display, text)));
            }
        }
        let sources = &self.sources;
        let parsed = crate::parallel::map(crate::parallel::CHEAP, &files, |(name, location, file)| {
            parse(name, location, *file, sources.text(*file))
        });
        for ((name, _, _), profile) in files.iter().zip(parsed) {
            if let Ok(profile) = profile {
                self.loaded.insert(name.to_string(), Arc::new(profile));
            }
        }
    }

    /// A profile file's text, as `read_location` read it: a regular file within the size limit,
    /// in UTF-8. A byte that is not UTF-8 is an error at its line and column, like a TOML syntax
    /// error.
    fn read(&mut self, display: String, read: Read) -> Result<String> {
        let bytes = match read {
            Read::Text(text) => return Ok(text),
            Read::Failed(e) => {
                let mut d = Diagnostic::error(Code::Io, format!("cannot read {display}: {e}"));
                if let crate::input::InputError::TooLarge { .. } = e {
                    d = d.with_help("a profile is a few KiB; --max-profile-size raises the limit");
                }
                return Err(Failure::single(d));
            }
            Read::Bytes(bytes) => bytes,
        };
        crate::input::utf8(bytes).map_err(|(bad, bytes)| {
            let byte = bytes[bad.offset];
            let file = self.sources.add(display.clone(), String::from_utf8_lossy(&bytes).into_owned());
            // In the lossy text the bad byte is one U+FFFD, at the same offset.
            let span = crate::source::Span::new(file, bad.offset..bad.offset + '\u{fffd}'.len_utf8());
            Failure::single(
                Diagnostic::error(
                    Code::InvalidUtf8,
                    format!("{display} is not UTF-8: byte 0x{byte:02X} at line {}, column {}", bad.line, bad.column),
                )
                .at(&span, "not UTF-8")
                .with_help("profiles are UTF-8 text: write the character in UTF-8, or as a \\u escape in a string"),
            )
        })
    }

    /// The profiles that may be of `product`, found without parsing: a profile of a product
    /// either names it (`product = "rhel"`) or inherits (`inherits = "..."`, which names its
    /// parent) from one that is. So a file is a candidate if it holds the product's name or a
    /// candidate's name, or a backslash (an escape could spell either); the others cannot be.
    /// `history rhel` among 10,000 profiles reads only what the series needs.
    pub fn candidates(&self, product: &str) -> Vec<String> {
        let found: Vec<(&String, &Location)> = self.found.iter().collect();
        let texts: Vec<(&str, Option<std::borrow::Cow<'_, [u8]>>)> =
            crate::parallel::map(crate::parallel::CHEAP, &found, |(name, location)| {
                let text = match location {
                    Location::Shipped(file) => Some(std::borrow::Cow::Borrowed(file.contents())),
                    Location::File { path, listed_regular } => {
                        read_file(path, *listed_regular, self.profile_limit).ok().map(Into::into)
                    }
                };
                (name.as_str(), text)
            });
        let holds = |text: &[u8], needle: &str| memchr::memmem::find(text, needle.as_bytes()).is_some();
        let mut chosen: Vec<bool> = texts
            .iter()
            .map(|(_, text)| text.as_deref().is_none_or(|t| t.contains(&b'\\') || holds(t, product)))
            .collect();
        // A text that holds a name that holds a needle searched for before holds that needle
        // too, so it is chosen already: only the other names are searched for (`rhel-7.3` holds
        // `rhel`, and no text is searched for it).
        let mut searched: Vec<&str> = vec![product];
        let mut frontier: Vec<&str> = texts.iter().zip(&chosen).filter(|(_, c)| **c).map(|((n, _), _)| *n).collect();
        while !frontier.is_empty() {
            frontier.retain(|f| !searched.iter().any(|s| f.contains(s)));
            if frontier.is_empty() {
                break;
            }
            searched.extend(frontier.iter().copied());
            let mut next = Vec::new();
            for (i, (name, text)) in texts.iter().enumerate() {
                if !chosen[i] && text.as_deref().is_some_and(|t| frontier.iter().any(|f| holds(t, f))) {
                    chosen[i] = true;
                    next.push(*name);
                }
            }
            frontier = next;
        }
        texts.iter().zip(chosen).filter(|(_, c)| *c).map(|((n, _), _)| n.to_string()).collect()
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
        let chain = self.walk(name, false)?;
        Ok(chain.iter().map(|p| p.as_ref().clone()).collect())
    }

    /// The resolution state of `name` (`resolve::Partial`), built on its parent's, which is
    /// built once and then shared by every profile that inherits it.
    pub(crate) fn partial(&mut self, name: &str) -> Result<Arc<Partial>> {
        if let Some(done) = self.resolved.get(name).cloned() {
            self.used(name);
            return Ok(done);
        }
        let chain = self.walk(name, true)?;
        let last = chain.last().expect("a walk has its profile");
        let mut parent = last.inherits.as_ref().and_then(|i| self.resolved.get(&i.value)).cloned();
        for profile in chain.into_iter().rev() {
            let partial = Arc::new(Partial::step(parent.as_ref(), profile));
            if let Some(parent) = &parent {
                self.used(parent.name());
            }
            self.resolved.insert(partial.name().to_string(), partial.clone());
            parent = Some(partial);
        }
        self.used(name);
        Ok(parent.expect("a walk has its profile"))
    }

    /// Says that every profile of `names` is about to be resolved, once each (`list`, `check
    /// --all`): each resolution state is then dropped as soon as nothing will ask for it again,
    /// so that 10,000 profiles do not keep 10,000 states. Loads them all, in this order.
    pub fn plan(&mut self, names: &[String]) {
        let mut pending: HashMap<String, usize> = HashMap::default();
        let mut first: HashSet<&str> = HashSet::default();
        let distinct: Vec<String> = names.iter().filter(|n| first.insert(n.as_str())).cloned().collect();
        self.load_all(&distinct);
        let mut tried: HashSet<&str> = HashSet::default();
        for name in names {
            *pending.entry(name.clone()).or_default() += 1;
            // `load_all` tried each name once: a name given again is tried again, as before.
            let profile =
                if tried.insert(name) { self.loaded.get(name.as_str()).map(|p| &**p) } else { self.load(name).ok() };
            let parent = profile.and_then(|p| p.inherits.as_ref().map(|i| i.value.clone()));
            if let Some(parent) = parent {
                *pending.entry(parent).or_default() += 1;
            }
        }
        self.pending = Some(pending);
    }

    /// One of the uses `plan` counted is done: the last one drops the state.
    fn used(&mut self, name: &str) {
        let Some(pending) = &mut self.pending else { return };
        if let Some(count) = pending.get_mut(name) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                pending.remove(name);
                self.resolved.remove(name);
                // Its children's states hold what they need of it.
                self.loaded.swap_remove(name);
            }
        }
    }

    /// `name` and its parents, child first, up to the root, or up to the first parent already
    /// resolved when `to_resolved` is set (whose chain loaded, so the rest cannot fail).
    /// Missing parents and cycles are errors at the `inherits` that names them.
    fn walk(&mut self, name: &str, to_resolved: bool) -> Result<Vec<Arc<RawProfile>>> {
        let mut chain: Vec<Arc<RawProfile>> = Vec::new();
        let mut seen: HashSet<String> = HashSet::default();
        let mut next = Some(name.to_string());
        while let Some(current) = next.take() {
            if to_resolved && !chain.is_empty() && self.resolved.contains_key(&current) {
                break;
            }
            let known = self.contains(&current);
            let cycle = seen.contains(&current);
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
            self.load(&current)?;
            let profile = self.loaded[current.as_str()].clone();
            next = profile.inherits.as_ref().map(|i| i.value.clone());
            seen.insert(current);
            chain.push(profile);
        }
        Ok(chain)
    }
}

/// What reading a profile's file gave, before anything is added to the sources.
enum Read {
    Text(String),
    Bytes(Vec<u8>),
    Failed(crate::input::InputError),
}

/// The name a profile's file is shown by, and its contents.
fn read_location(location: &Location, limit: u64) -> (String, Read) {
    match location {
        Location::Shipped(file) => (
            format!("profiles/{}", file.path().display()),
            Read::Text(file.contents_utf8().unwrap_or_default().to_string()),
        ),
        Location::File { path, listed_regular } => {
            (path.display().to_string(), read_file(path, *listed_regular, limit).map_or_else(Read::Failed, Read::Bytes))
        }
    }
}

/// The bytes of a profile file on the search path.
fn read_file(path: &Path, listed_regular: bool, limit: u64) -> std::result::Result<Vec<u8>, crate::input::InputError> {
    if listed_regular {
        crate::input::read_listed_regular_file(path, limit)
    } else {
        crate::input::read_regular_file(path, limit)
    }
}

/// The profile `name` from its text, added to the sources as `file`: a shipped one as build.rs
/// parsed it, when it could.
fn parse(name: &str, location: &Location, file: FileId, text: &str) -> std::result::Result<RawProfile, Diagnostic> {
    match location {
        Location::Shipped(_) => crate::shipped::parsed(name, file).map_or_else(|| parse_profile(name, file, text), Ok),
        Location::File { .. } => parse_profile(name, file, text),
    }
}

fn toml_stem(path: &Path) -> Option<String> {
    (path.extension()? == "toml").then(|| path.file_stem()?.to_str().map(str::to_string))?
}
