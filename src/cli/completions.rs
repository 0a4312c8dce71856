//! `drvpolicy completions SHELL`: the shell's registration script for clap_complete's dynamic
//! completion, the same that `COMPLETE=SHELL drvpolicy` prints. The shell calls drvpolicy back
//! for each completion, so profile names come from the search path of the moment.

use super::Report;
use clap_complete::env::Shells;
use drvpolicy::code::Code;
use drvpolicy::diagnostic::{Diagnostic, Failure};

/// The variable that asks for completion, in the registration script and at start.
pub const VAR: &str = "COMPLETE";

/// Print the shell code that completes drvpolicy's commands, options, profile names, arches and
/// explain names.
///
/// The script calls `drvpolicy` (found on PATH) for each completion. Regenerate it when
/// drvpolicy is upgraded: the protocol between the two may change.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  drvpolicy completions bash > /etc/bash_completion.d/drvpolicy\n  \
drvpolicy completions zsh > \"${fpath[1]}/_drvpolicy\"\n  drvpolicy completions fish > ~/.config/fish/completions/drvpolicy.fish")]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

pub fn completions(args: CompletionsArgs) -> Result<Report, Failure> {
    let name = match args.shell {
        Shell::Bash => "bash",
        Shell::Zsh => "zsh",
        Shell::Fish => "fish",
    };
    let shells = Shells::builtins();
    let shell =
        shells.completer(name).ok_or_else(|| Diagnostic::error(Code::Io, format!("no completer for {name}")))?;
    let mut out = Vec::new();
    shell
        .write_registration(VAR, "drvpolicy", "drvpolicy", "drvpolicy", &mut out)
        .map_err(|e| Diagnostic::error(Code::Io, format!("cannot write the script: {e}")))?;
    Ok(Report::ok(String::from_utf8_lossy(&out).into_owned()))
}
