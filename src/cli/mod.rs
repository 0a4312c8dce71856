//! Command-line interface: one file per command; each turns arguments into library calls
//! and returns what to print and how to exit.

mod check;
mod completions;
mod diff;
mod explain;
mod generate;
mod history;
mod import;
mod list;
mod matrix;
mod show;
mod sync;
mod verify;

use clap::{Parser, Subcommand};
use drvpolicy::diagnostic::{Diagnostic, Failure};
use drvpolicy::policy::Policy;
use drvpolicy::render::Renderer;
use drvpolicy::resolve;
use drvpolicy::source::Sources;
use drvpolicy::store::Store;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

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
spec-file snippets and libguestfs patch lists from them.\n\nExit status: 0 ok, 1 findings or differences, 2 error.",
    after_help = "Example:\n  drvpolicy generate spec rhel-7.3"
)]
pub struct Cli {
    /// Also look for profiles in DIR (after the shipped ones; later directories win).
    #[arg(long = "profiles", value_name = "DIR", global = true)]
    profile_dirs: Vec<PathBuf>,
    /// Take templates from DIR where a file of the same name exists.
    #[arg(long = "templates", value_name = "DIR", global = true)]
    templates: Option<PathBuf>,
    /// The largest profile file read, in bytes or with K, M, G.
    #[arg(long, value_name = "SIZE", global = true, default_value = "1M", value_parser = drvpolicy::input::parse_size)]
    max_profile_size: u64,
    /// Print at most N diagnostics per file, then how many more there are (0: all).
    #[arg(long, value_name = "N", global = true, default_value_t = 50)]
    max_diagnostics: usize,
    #[command(subcommand)]
    command: Command,
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
    Verify(verify::Args),
    Import(import::Args),
    Sync(sync::Args),
    Completions(completions::CompletionsArgs),
    Man(completions::ManArgs),
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
    /// `--max-diagnostics`.
    pub max_diagnostics: usize,
}

impl Context {
    pub fn renderer(&self) -> Result<Renderer, Failure> {
        Renderer::new(self.templates.as_deref())
    }

    pub fn policy(&mut self, name: &str) -> Result<(Policy, Vec<Diagnostic>), Failure> {
        let resolved = resolve::resolve(&mut self.store, name)?;
        Ok((resolved.policy, resolved.warnings))
    }

    pub fn sources(&self) -> &Sources {
        &self.store.sources
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let max_diagnostics = cli.max_diagnostics;
    let mut context = match Store::new(&cli.profile_dirs) {
        Ok(mut store) => {
            store.profile_limit = cli.max_profile_size;
            Context { store, templates: cli.templates.clone(), max_diagnostics }
        }
        Err(failure) => return finish(Err(failure), &Sources::new(), max_diagnostics),
    };
    let result = match cli.command {
        Command::List(args) => list::run(&mut context, args),
        Command::Show(args) => show::run(&mut context, args),
        Command::Generate(args) => generate::run(&mut context, args),
        Command::Explain(args) => explain::run(&mut context, args),
        Command::Matrix(args) => matrix::run(&mut context, args),
        Command::Diff(args) => diff::run(&mut context, args),
        Command::History(args) => history::run(&mut context, args),
        Command::Check(args) => check::run(&mut context, args),
        Command::Verify(args) => verify::run(&mut context, args),
        Command::Import(args) => import::run(&mut context, args),
        Command::Sync(args) => sync::run(&mut context, args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
    };
    finish(result, context.sources(), max_diagnostics)
}

/// Diagnostics on stderr, at most `max` per file.
fn print_diagnostics(stderr: &mut impl Write, diagnostics: &[Diagnostic], sources: &Sources, max: usize) {
    let (shown, omitted) = drvpolicy::diagnostic::cap(diagnostics, max, sources);
    for d in shown {
        let _ = write!(stderr, "{}", d.render(sources));
    }
    for line in omitted {
        let _ = write!(stderr, "{line}");
    }
}

fn finish(result: Result<Report, Failure>, sources: &Sources, max_diagnostics: usize) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    match result {
        Ok(report) => {
            print_diagnostics(&mut stderr, &report.warnings, sources, max_diagnostics);
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(report.stdout.as_bytes()).and_then(|_| stdout.flush()).is_err() {
                return ExitCode::from(Exit::Error as u8);
            }
            ExitCode::from(report.exit as u8)
        }
        Err(failure) => {
            print_diagnostics(&mut stderr, &failure.diagnostics, sources, max_diagnostics);
            ExitCode::from(Exit::Error as u8)
        }
    }
}

/// Writes `text` to `output` atomically, or returns it for stdout.
pub fn emit(text: String, output: Option<&PathBuf>) -> Result<String, Failure> {
    match output {
        Some(path) => {
            drvpolicy::output::write_atomic(path, text.as_bytes()).map_err(|e| {
                Failure::single(Diagnostic::error("io", format!("cannot write {}: {e}", path.display())))
            })?;
            Ok(String::new())
        }
        None => Ok(text),
    }
}

/// Pretty JSON with a trailing newline. serde_json escapes the C0 controls; DEL and the C1
/// controls (which some terminals obey) are escaped too: outside strings JSON has none of them,
/// so `\u` escapes keep the same value.
pub fn json(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    if text.chars().any(char::is_control) {
        text = text
            .chars()
            .map(|c| if c.is_control() && c != '\n' { format!("\\u{:04x}", c as u32) } else { c.to_string() })
            .collect();
    }
    text.push('\n');
    text
}

/// The arch named by `--arch`, checked against the profile.
pub fn arch<'p>(policy: &'p Policy, arch: &str) -> Result<&'p drvpolicy::policy::ArchPolicy, Failure> {
    policy.arch(arch).ok_or_else(|| {
        let message = format!("profile `{}` does not build `{arch}`", policy.name);
        drvpolicy::diagnostic::unknown_arch(message, arch, &policy.arch_names())
    })
}
