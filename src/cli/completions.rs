use super::{Cli, Report};
use clap::CommandFactory;
use drvpolicy::diagnostic::{Diagnostic, Failure};

/// Print a shell completion script for drvpolicy.
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

fn generated(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Result<String, Failure> {
    let mut buffer = Vec::new();
    write(&mut buffer).map_err(|e| Failure::single(Diagnostic::error("io", format!("cannot generate: {e}"))))?;
    String::from_utf8(buffer).map_err(|e| Failure::single(Diagnostic::error("io", format!("not UTF-8: {e}"))))
}

pub fn completions(args: CompletionsArgs) -> Result<Report, Failure> {
    let mut command = Cli::command();
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let text = generated(|out| {
        clap_complete::generate(shell, &mut command, "drvpolicy", out);
        Ok(())
    })?;
    Ok(Report::ok(text))
}
