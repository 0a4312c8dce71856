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
                if let Some(stem) = toml_name_stem(&file_name) {
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
            // Into its Arc at once: a profile is 2 KB, and 10,000 of them in a vector first
            // would double the peak.
            parse(name, location, *file, sources.text(*file)).map(Arc::new)
        });
        for ((name, _, _), profile) in files.iter().zip(parsed) {
            if let Ok(profile) = profile {
                self.loaded.insert(name.to_string(), profile);
            }
        }
    }

    /// A profile file's text, as `read_location` read it: a regular file within the size limit,
    /// in UTF-8. A byte that is not UTF-8 is an error at its line and column, like a TOML syntax
    /// error.
    fn read(&mut self, display: String, read: Read) -> Result<std::borrow::Cow<'static, str>> {
        let bytes = match read {
            Read::Text(text) => return Ok(text.into()),
            Read::Failed(e) => {
                let mut d = Diagnostic::error(Code::Io, format!("cannot read {display}: {e}"));
                if let crate::input::InputError::TooLarge { .. } = e {
                    d = d.with_help("a profile is a few KiB; --max-profile-size raises the limit");
                }
                return Err(Failure::single(d));
            }
            Read::Bytes(bytes) => bytes,
        };
        crate::input::utf8(bytes)
            .map_err(|(bad, bytes)| {
                let byte = bytes[bad.offset];
                let file = self.sources.add(display.clone(), String::from_utf8_lossy(&bytes).into_owned());
                // In the lossy text the bad byte is one U+FFFD, at the same offset.
                let span = crate::source::Span::new(file, bad.offset..bad.offset + '\u{fffd}'.len_utf8());
                Failure::single(
                    Diagnostic::error(
                        Code::InvalidUtf8,
                        format!(
                            "{display} is not UTF-8: byte 0x{byte:02X} at line {}, column {}",
                            bad.line, bad.column
                        ),
                    )
                    .at(&span, "not UTF-8")
                    .with_help("profiles are UTF-8 text: write the character in UTF-8, or as a \\u escape in a string"),
                )
            })
            .map(Into::into)
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
            return Ok(done);
        }
        let chain = self.walk(name, true)?;
        let last = chain.last().expect("a walk has its profile");
        let mut parent = last.inherits.as_ref().and_then(|i| self.resolved.get(&i.value)).cloned();
        for profile in chain.into_iter().rev() {
            let partial = Arc::new(Partial::step(parent.as_ref(), profile));
            self.resolved.insert(partial.name().to_string(), partial.clone());
            parent = Some(partial);
        }
        Ok(parent.expect("a walk has its profile"))
    }

    /// `f` of the resolution state of each of `names` (distinct), in their order, the states
    /// built on every core: the profiles of one root are one job, each parent's state built
    /// before its children's and dropped after them, so that 10,000 profiles do not keep
    /// 10,000 states. A name whose chain does not load (a missing parent, a cycle, a file that
    /// is not TOML) gets the error `partial` gives it. `init` makes each worker's own state.
    pub(crate) fn map_states<W, R: Send>(
        &mut self,
        names: &[String],
        init: impl Fn() -> W + Sync,
        f: impl Fn(&mut W, &Partial) -> R + Sync,
    ) -> Vec<Result<R>> {
        self.load_all(names);
        let wanted: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
        let loads = self.chains_that_load(names);
        // Children of every profile a wanted one needs, and the roots they come from.
        let mut children: HashMap<String, Vec<Arc<RawProfile>>> = HashMap::default();
        let mut roots: Vec<Arc<RawProfile>> = Vec::new();
        let mut needed: HashSet<String> = HashSet::default();
        for name in names.iter().filter(|n| loads.get(n.as_str()) == Some(&true)) {
            let mut current = name.clone();
            while needed.insert(current.clone()) {
                let profile = self.loaded[current.as_str()].clone();
                match &profile.inherits {
                    Some(parent) => {
                        children.entry(parent.value.clone()).or_default().push(profile.clone());
                        current = parent.value.clone();
                    }
                    None => {
                        roots.push(profile);
                        break;
                    }
                }
            }
        }
        // Each job takes the children of the profiles it resolves (see `run`).
        let children: HashMap<String, std::sync::Mutex<Vec<Arc<RawProfile>>>> =
            children.into_iter().map(|(parent, list)| (parent, std::sync::Mutex::new(list))).collect();
        // The states own their profiles from here on.
        for name in &needed {
            self.loaded.swap_remove(name.as_str());
        }
        let mut results: Vec<Option<Result<R>>> = names.iter().map(|_| None).collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let workers = crate::parallel::threads().min(roots.len()).max(1);
        let run = || {
            let mut own = init();
            let mut done: Vec<(usize, R)> = Vec::new();
            loop {
                let job = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(root) = roots.get(job) else { break };
                // Depth first: the states alive are those of one path and its waiting siblings.
                let mut stack: Vec<(Option<Arc<Partial>>, Arc<RawProfile>)> = vec![(None, root.clone())];
                while let Some((parent, profile)) = stack.pop() {
                    let partial = Arc::new(Partial::step(parent.as_ref(), profile));
                    if let Some(&i) = wanted.get(partial.name()) {
                        done.push((i, f(&mut own, &partial)));
                    }
                    // Each profile is visited once: its job takes its children, so that the
                    // last reference to each profile is dropped on the worker that built it.
                    let mine = children.get(partial.name()).map(|c| std::mem::take(&mut *lock(c))).unwrap_or_default();
                    for child in mine.into_iter().rev() {
                        stack.push((Some(partial.clone()), child));
                    }
                }
            }
            done
        };
        let finished: Vec<Vec<(usize, R)>> = if workers < 2 {
            vec![run()]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..workers).map(|_| scope.spawn(run)).collect();
                handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
            })
        };
        for (i, r) in finished.into_iter().flatten() {
            results[i] = Some(Ok(r));
        }
        // The chains that do not load, or anything the jobs did not reach: one at a time, as
        // `partial` reports them.
        let mut own = init();
        for (i, name) in names.iter().enumerate() {
            if results[i].is_none() {
                results[i] = Some(self.partial(name).map(|partial| f(&mut own, &partial)));
            }
        }
        results.into_iter().map(|r| r.expect("every name has its result")).collect()
    }

    /// Whether the chain of each of `names` loads: every profile of it read and parsed, and
    /// each `inherits` naming a profile on the search path, without a cycle. Each profile is
    /// visited once, however long the chains.
    fn chains_that_load(&mut self, names: &[String]) -> HashMap<String, bool> {
        let tried: HashSet<&str> = names.iter().map(String::as_str).collect();
        let mut loads: HashMap<String, bool> = HashMap::with_capacity_and_hasher(names.len(), FixedState::default());
        // One path and its set for every name, emptied between names.
        let mut path: Vec<String> = Vec::new();
        let mut on_path: HashSet<String> = HashSet::default();
        for name in names {
            on_path.clear();
            let mut current = name.clone();
            let verdict = loop {
                if let Some(&known) = loads.get(&current) {
                    break known;
                }
                if !on_path.insert(current.clone()) || !self.contains(&current) {
                    break false;
                }
                path.push(current.clone());
                // `load_all` tried every name; a parent outside them is read now.
                let profile = match self.loaded.get(current.as_str()) {
                    Some(profile) => profile,
                    None if tried.contains(current.as_str()) => break false,
                    None => match self.load(&current) {
                        Ok(profile) => profile,
                        Err(_) => break false,
                    },
                };
                match &profile.inherits {
                    Some(parent) => current = parent.value.clone(),
                    None => break true,
                }
            };
            for p in path.drain(..) {
                loads.insert(p, verdict);
            }
        }
        loads
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

/// A lock that a panicking worker poisoned is still taken: the panic is raised again at the join.
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What reading a profile's file gave, before anything is added to the sources.
enum Read {
    Text(&'static str),
    Bytes(Vec<u8>),
    Failed(crate::input::InputError),
}

/// The name a profile's file is shown by, and its contents.
fn read_location(location: &Location, limit: u64) -> (String, Read) {
    match location {
        Location::Shipped(file) => {
            (format!("profiles/{}", file.path().display()), Read::Text(file.contents_utf8().unwrap_or_default()))
        }
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
    toml_name_stem(path.file_name()?)
}

/// `x` of a file named `x.toml`, as `Path::file_stem` reads it (`.toml` alone has no stem).
fn toml_name_stem(file_name: &std::ffi::OsStr) -> Option<String> {
    let stem = file_name.to_str()?.strip_suffix(".toml")?;
    (!stem.is_empty()).then(|| stem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A profile's result, told apart without the file ids of the store that made it.
    fn shown(result: Result<(Option<crate::resolve::Summary>, Vec<Diagnostic>)>) -> String {
        match result {
            Ok((summary, diagnostics)) => {
                let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
                format!("{summary:?} {messages:?}")
            }
            Err(failure) => format!("{:?}", failure.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()),
        }
    }

    /// The stem read from a listed file name is the one `Path` reads from the path.
    #[test]
    fn listed_stems_are_path_stems() {
        for name in ["a.toml", ".toml", "..toml", "a.toml.toml", "a.TOML", "a.tom", "toml", "a.b-7.3.toml", ".a.toml"] {
            let path = Path::new(name);
            let by_path = (path.extension() == Some("toml".as_ref()))
                .then(|| path.file_stem().and_then(|s| s.to_str()).map(str::to_string))
                .flatten();
            assert_eq!(toml_name_stem(name.as_ref()), by_path, "{name}");
        }
    }

    /// The states built on every core, a root's profiles a job, give what building them one
    /// profile at a time gives, for chains that load and for each way a chain does not.
    #[test]
    fn states_on_every_core_are_the_states_one_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
        write("orphan", "[profile]\ninherits = \"gone\"\n");
        write("orphan-child", "[profile]\ninherits = \"orphan\"\n");
        write("loop-a", "[profile]\ninherits = \"loop-b\"\n");
        write("loop-b", "[profile]\ninherits = \"loop-a\"\n");
        write("broken", "[profile\n");
        write("broken-child", "[profile]\ninherits = \"broken\"\n");
        write("mine-7.3", "[profile]\ninherits = \"rhel-7.3\"\nrelease = \"7.3.1\"\n");
        let dirs = [dir.path().to_path_buf()];
        let mut store = Store::new(&dirs).unwrap();
        let names: Vec<String> = store.names().map(str::to_string).collect();
        assert!(names.len() > 25);
        let parallel: Vec<String> =
            store.map_states(&names, || (), |_, partial| partial.summary()).into_iter().map(shown).collect();
        for (name, parallel) in names.iter().zip(parallel) {
            let mut alone = Store::new(&dirs).unwrap();
            let serial = shown(alone.partial(name).map(|partial| partial.summary()));
            assert_eq!(parallel, serial, "{name}");
        }
        // A few names, whose parents are not among them.
        let some = ["mine-7.3".to_string(), "orphan-child".to_string(), "rhel-9.2".to_string()];
        let mut store = Store::new(&dirs).unwrap();
        let results = store.map_states(&some, || (), |_, partial| partial.summary().0.map(|s| s.name));
        let names: Vec<Option<String>> = results.into_iter().map(|r| r.ok().flatten()).collect();
        assert_eq!(names, [Some("mine-7.3".to_string()), None, Some("rhel-9.2".to_string())]);
    }
}
