//! Command-line interface: one file per command; each turns arguments into library calls
//! and returns what to print and how to exit.

mod can;
mod check;
mod choice;
mod colour;
mod complete;
mod completions;
mod diff;
mod explain;
mod generate;
mod help;
mod history;
mod import;
mod list;
mod man;
mod matrix;
mod parse;
mod schema;
mod show;
mod sync;
mod templates;
mod verify;

use clap::{CommandFactory, Parser, Subcommand};
use drvpolicy::code::Code;
use drvpolicy::diagnostic::{Diagnostic, Failure};
use drvpolicy::policy::Policy;
use drvpolicy::render::Renderer;
use drvpolicy::resolve;
use drvpolicy::schema::Schema;
use drvpolicy::source::Sources;
use drvpolicy::store::Store;
use std::io::Write;
use std::mem::ManuallyDrop;
use std::path::PathBuf;

/// Exit statuses: 0 ok, 1 findings or differences, 2 error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Findings = 1,
    Error = 2,
}

#[derive(Debug, Parser)]
#[command(
    name = "drvpolicy",
    version,
    about = "Per-release, per-architecture qemu block-driver policies: configure flags, spec snippets, libguestfs patch lists",
    long_about = "drvpolicy reads declarative profiles (TOML) that describe which qemu block drivers a release compiles in, \
which it whitelists read-write or read-only, and which protocols libguestfs removes, and generates configure flags, \
spec-file snippets and libguestfs patch lists from them.\n\nProfiles: the shipped ones, then DRVPOLICY_PROFILES (a PATH-style \
list of directories: an earlier one wins), then each --profiles DIR (a later one wins).\n\n\
Exit status: 0 ok, 1 findings or differences, 2 error.",
    after_help = "Example:\n  drvpolicy generate spec rhel-7.3",
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(subcommand)]
    command: Command,
}

/// The options every command takes.
#[derive(Debug, clap::Args)]
struct Globals {
    /// Also look for profiles in DIR (they win over the shipped ones and DRVPOLICY_PROFILES;
    /// later directories win over earlier ones).
    #[arg(long = "profiles", value_name = "DIR", global = true)]
    profile_dirs: Vec<PathBuf>,
    /// Take templates from DIR where a file of the same name exists.
    #[arg(long = "templates", value_name = "DIR", global = true)]
    templates: Option<PathBuf>,
    /// Colours in diagnostics: `auto` on a terminal unless NO_COLOR is set.
    #[arg(long = "color", value_name = "WHEN", value_enum, default_value = "auto", global = true)]
    color: colour::When,
    /// The largest profile file read, in bytes or with K, M, G.
    #[arg(long, value_name = "SIZE", global = true, default_value = "1M", value_parser = drvpolicy::input::parse_size)]
    max_profile_size: u64,
    /// Print at most N diagnostics per file, then how many more there are (0: all).
    #[arg(long, value_name = "N", global = true, default_value_t = 50)]
    max_diagnostics: usize,
}

#[derive(Debug, Subcommand)]
enum Command {
    List(list::Args),
    Show(show::Args),
    #[command(subcommand)]
    Generate(generate::Generate),
    Explain(explain::Args),
    Matrix(matrix::Args),
    Diff(diff::Args),
    History(history::Args),
    Check(check::Args),
    Can(can::Args),
    Verify(verify::Args),
    Import(import::Args),
    Sync(sync::Args),
    Schema(schema::Args),
    Templates(templates::Args),
    Completions(completions::CompletionsArgs),
    Man(man::Args),
    Help(help::Args),
}

/// `--format` of the commands that print for people or for machines.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

/// `--format` of the commands whose text also goes into changelogs and reviews.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TextMarkdownJson {
    Text,
    Markdown,
    Json,
}

/// `--installed`: which block subpackages the answer assumes.
#[derive(Debug, Clone, clap::Args)]
pub struct InstalledArg {
    /// Block subpackages assumed installed: `all` (the default: what the release can do),
    /// `default` (the main package and what it requires), or subpackage names separated by
    /// commas, with `default` among them to add to a default install
    /// (`default,qemu-kvm-block-curl`; empty for none).
    #[arg(long, value_name = "all|default|NAMES", default_value = "all")]
    installed: String,
}

impl InstalledArg {
    pub fn installed(&self) -> drvpolicy::access::Installed {
        use drvpolicy::access::Installed;
        let words: Vec<&str> = self.installed.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
        if words == ["all"] {
            return Installed::All;
        }
        Installed::Packages {
            defaults: words.contains(&"default"),
            names: words.into_iter().filter(|w| *w != "default").map(str::to_string).collect(),
        }
    }
}

/// What a command produced: text for stdout, warnings for stderr, and the exit status.
pub struct Report {
    pub stdout: String,
    pub warnings: Vec<Diagnostic>,
    pub exit: Exit,
}

impl Report {
    pub fn ok(stdout: String) -> Self {
        Report { stdout, warnings: Vec::new(), exit: Exit::Ok }
    }

    pub fn with_warnings(mut self, warnings: Vec<Diagnostic>) -> Self {
        self.warnings = warnings;
        self
    }
}

/// The search path, the templates and what was read, shared by every command.
pub struct Context {
    pub store: Store,
    templates: Option<PathBuf>,
    pub colours: colour::Colours,
    /// `--max-diagnostics`.
    pub max_diagnostics: usize,
}

impl Context {
    /// Left for the exit to free, as is the policy below: freeing them is work for nothing
    /// when the process ends with the command.
    pub fn renderer(&self) -> Result<ManuallyDrop<Renderer>, Failure> {
        Ok(ManuallyDrop::new(Renderer::new(self.templates.as_deref())?.for_one_run()))
    }

    pub fn policy(&mut self, name: &str) -> Result<(ManuallyDrop<Policy>, Vec<Diagnostic>), Failure> {
        let resolved = resolve::resolve(&mut self.store, name)?;
        Ok((ManuallyDrop::new(resolved.policy), resolved.warnings))
    }

    pub fn sources(&self) -> &Sources {
        &self.store.sources
    }
}

/// The run, as the process's exit status.
pub fn main() -> u8 {
    // `COMPLETE=bash drvpolicy` prints the shell's registration script; the shell then calls
    // back with the line to complete. Either way this answers and exits. Asked only when the
    // variable is set: clap_complete reads the working directory and copies the arguments first.
    if std::env::var_os(completions::VAR).is_some() {
        clap_complete::CompleteEnv::with_factory(Cli::command).var(completions::VAR).complete();
    }
    let cli = match parse::parse(&std::env::args_os().collect::<Vec<_>>()) {
        Ok((cli, tree)) => {
            // Freed before the work: its 80 KB are then reused, not new pages touched.
            drop(tree);
            cli
        }
        Err(e) => {
            colour::When::from_raw_args(&raw_args()).apply();
            e.exit()
        }
    };
    let Cli { globals, command } = cli;
    let colours = globals.color.apply();
    let max_diagnostics = globals.max_diagnostics;
    let dirs = match search_path(std::env::var_os(PROFILES_VAR), &globals.profile_dirs) {
        Ok(dirs) => dirs,
        Err(failure) => return finish(Err(failure), &Sources::new(), colours, max_diagnostics),
    };
    let mut context = match Store::new(&dirs) {
        Ok(mut store) => {
            store.profile_limit = globals.max_profile_size;
            Context { store, templates: globals.templates.clone(), colours, max_diagnostics }
        }
        Err(failure) => return finish(Err(failure), &Sources::new(), colours, max_diagnostics),
    };
    let result = match command {
        Command::List(args) => list::run(&mut context, args),
        Command::Show(args) => show::run(&mut context, args),
        Command::Generate(args) => generate::run(&mut context, args),
        Command::Explain(args) => explain::run(&mut context, args),
        Command::Matrix(args) => matrix::run(&mut context, args),
        Command::Diff(args) => diff::run(&mut context, args),
        Command::History(args) => history::run(&mut context, args),
        Command::Check(args) => check::run(&mut context, args),
        Command::Can(args) => can::run(&mut context, args),
        Command::Verify(args) => verify::run(&mut context, args),
        Command::Import(args) => import::run(&mut context, args),
        Command::Sync(args) => sync::run(&mut context, args),
        Command::Schema(args) => schema::run(&context, args),
        Command::Templates(args) => templates::run(&context, args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => man::run(args),
        Command::Help(args) => help::run(&context, args),
    };
    let exit = finish(result, context.sources(), context.colours, context.max_diagnostics);
    // Freeing what the run read is work for nothing when the process ends.
    std::mem::forget(context);
    exit
}

/// The command line as given, for what must be known before or without clap's parse.
fn raw_args() -> Vec<String> {
    std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect()
}

/// The values of `option` in `args` (`--option VALUE` or `--option=VALUE`, before a `--`).
/// clap stops at the first argument it does not know, and shell completion gives it an
/// incomplete line: these two cases read the line themselves, for one option each.
fn raw_values(args: &[String], option: &str) -> Vec<String> {
    let mut values = Vec::new();
    for (i, arg) in args.iter().enumerate().take_while(|(_, a)| *a != "--") {
        match arg.strip_prefix(option) {
            Some("") => values.extend(args.get(i + 1).cloned()),
            Some(rest) => values.extend(rest.strip_prefix('=').map(str::to_string)),
            None => {}
        }
    }
    values
}

/// A PATH-style list of profile directories; as in PATH, an earlier one wins.
const PROFILES_VAR: &str = "DRVPOLICY_PROFILES";

/// The profile directories in the store's order (later wins): DRVPOLICY_PROFILES from its last
/// entry to its first, then each --profiles. Empty entries are skipped.
fn search_path(variable: Option<std::ffi::OsString>, options: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut dirs: Vec<PathBuf> =
        variable.map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect()).unwrap_or_default();
    if let Some(missing) = dirs.iter().find(|d| !d.is_dir()) {
        let message = format!("{PROFILES_VAR} names {}, which is not a directory", missing.display());
        return Err(Failure::single(
            Diagnostic::error(Code::Io, message).with_help(format!("remove it from {PROFILES_VAR}, or create it")),
        ));
    }
    dirs.reverse();
    dirs.extend(options.iter().cloned());
    Ok(dirs)
}

/// Diagnostics on stderr, at most `max` per file.
fn print_diagnostics(stderr: &mut impl Write, diagnostics: &[Diagnostic], sources: &Sources, max: usize, colour: bool) {
    let (shown, omitted) = drvpolicy::diagnostic::cap(diagnostics, max, sources);
    for d in shown {
        let _ = write!(stderr, "{}", d.render_styled(sources, colour));
    }
    for line in omitted {
        let _ = write!(stderr, "{line}");
    }
}

fn finish(result: Result<Report, Failure>, sources: &Sources, colours: colour::Colours, max_diagnostics: usize) -> u8 {
    let mut stderr = std::io::stderr().lock();
    match result {
        Ok(report) => {
            print_diagnostics(&mut stderr, &report.warnings, sources, max_diagnostics, colours.stderr);
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(report.stdout.as_bytes()).and_then(|_| stdout.flush()) {
                Ok(()) => report.exit as u8,
                // The reader has what it wanted (`| head -1`): as ripgrep does, end quietly.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok as u8,
                Err(e) => {
                    let _ = writeln!(stderr, "error[io]: cannot write to standard output: {e}");
                    Exit::Error as u8
                }
            }
        }
        Err(failure) => {
            print_diagnostics(&mut stderr, &failure.diagnostics, sources, max_diagnostics, colours.stderr);
            Exit::Error as u8
        }
    }
}

/// `-` as a file name: standard output for `-o`, standard input for what a command reads.
pub fn is_dash(path: &std::path::Path) -> bool {
    path.as_os_str() == "-"
}

/// Writes `text` to `output` atomically, or returns it for stdout (no `-o`, or `-o -`).
pub fn emit(text: String, output: Option<&PathBuf>) -> Result<String, Failure> {
    match output.filter(|p| !is_dash(p)) {
        Some(path) => {
            drvpolicy::output::write_atomic(path, text.as_bytes()).map_err(|e| {
                Failure::single(Diagnostic::error(Code::Io, format!("cannot write {}: {e}", path.display())))
            })?;
            Ok(String::new())
        }
        None => Ok(text),
    }
}

/// `-o FILE` of the commands that write text.
#[derive(Debug, clap::Args)]
pub struct Output {
    /// Write to FILE (atomically: a temporary file, then a rename) instead of stdout; `-` is stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

impl Output {
    pub fn emit(&self, text: String) -> Result<String, Failure> {
        emit(text, self.output.as_ref())
    }
}

/// `value` as the pretty JSON document of `schema` (versioned), with a trailing newline.
/// serde_json escapes the C0 controls; DEL and the C1 controls (which some terminals obey)
/// are escaped too: outside strings JSON has none of them, so `\u` escapes keep the same value.
pub fn json(schema: Schema, value: &impl serde::Serialize) -> String {
    let mut text =
        serde_json::to_string_pretty(&schema.wrap(value)).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    if text.chars().any(char::is_control) {
        text = text
            .chars()
            .map(|c| if c.is_control() && c != '\n' { format!("\\u{:04x}", c as u32) } else { c.to_string() })
            .collect();
    }
    text.push('\n');
    text
}

/// The help of every PROFILE argument.
pub const PROFILE_HELP: &str =
    "The profile: a name from `drvpolicy list` (shipped, or a NAME.toml in --profiles or DRVPOLICY_PROFILES)";

/// The arch of `--arch`, or without it the only arch of a one-arch profile.
pub fn arch_or_default<'p>(
    policy: &'p Policy,
    arch: Option<&str>,
) -> Result<&'p drvpolicy::policy::ArchPolicy, Failure> {
    match (arch, policy.arches.as_slice()) {
        (Some(arch), _) => self::arch(policy, arch),
        (None, [only]) => Ok(only),
        (None, _) => Err(Failure::single(
            Diagnostic::error(Code::ArchNeeded, format!("`{}` builds several arches: pass --arch", policy.name))
                .with_help(format!("the arches: {}", policy.arch_names().join(", "))),
        )),
    }
}

/// The host's arch as rpm names it (`ppc64le`, not Rust's `powerpc64`).
pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        "x86" => "i686",
        other => other,
    }
}

/// The arch named by `--arch`, checked against the profile.
pub fn arch<'p>(policy: &'p Policy, arch: &str) -> Result<&'p drvpolicy::policy::ArchPolicy, Failure> {
    policy.arch(arch).ok_or_else(|| {
        let message = format!("profile `{}` does not build `{arch}`", policy.name);
        drvpolicy::diagnostic::unknown_arch(message, arch, &policy.arch_names())
    })
}
