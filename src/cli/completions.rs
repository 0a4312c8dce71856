use super::{Cli, Report};
use clap::CommandFactory;
use drvpolicy::diagnostic::{Diagnostic, Failure, did_you_mean};

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

/// Print the manual page (roff) of drvpolicy, or of one of its commands.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  drvpolicy man | man -l -\n  drvpolicy man check > drvpolicy-check.1")]
pub struct ManArgs {
    /// A command, for its own page (`drvpolicy-check(1)`); without it, the page of drvpolicy.
    command: Option<String>,
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

pub fn man(args: ManArgs) -> Result<Report, Failure> {
    let mut command = Cli::command();
    command.build();
    let page = match &args.command {
        None => command,
        Some(name) => {
            let names: Vec<String> = command.get_subcommands().map(|c| c.get_name().to_string()).collect();
            let Some(sub) = command.find_subcommand(name) else {
                return Err(Failure::single(
                    Diagnostic::error("unknown-command", format!("drvpolicy has no command `{name}`")).with_help(
                        did_you_mean(name, names.iter().map(String::as_str))
                            .unwrap_or_else(|| format!("its commands: {}", names.join(", "))),
                    ),
                ));
            };
            // After `build`, clap names it `drvpolicy-NAME` for display and `drvpolicy NAME` for use.
            sub.clone()
        }
    };
    let source = format!("drvpolicy {}", env!("CARGO_PKG_VERSION"));
    let text = generated(|out| clap_mangen::Man::new(page).source(source).render(out))?;
    Ok(Report::ok(text))
}
