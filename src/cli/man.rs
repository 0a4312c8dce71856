//! `drvpolicy man [COMMAND]...`: the roff page of drvpolicy or of any command, nested ones
//! (`man generate spec`) included; the examples of its --help become its EXAMPLES section.

use super::{Cli, Report};
use clap::CommandFactory;
use drvpolicy::code::Code;
use drvpolicy::diagnostic::{Diagnostic, Failure, did_you_mean};

/// Print the manual page (roff) of drvpolicy, or of one of its commands.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  drvpolicy man | man -l -\n  drvpolicy man check > drvpolicy-check.1\n  \
drvpolicy man generate spec | man -l -")]
pub struct Args {
    /// A command, for its own page (`drvpolicy-check(1)`, `drvpolicy-generate-spec(1)`); without
    /// it, the page of drvpolicy.
    #[arg(value_name = "COMMAND")]
    command: Vec<String>,
}

/// The command that `path` names below `root` (built, so that nested names are complete).
pub fn find<'a>(root: &'a clap::Command, path: &[String]) -> Result<&'a clap::Command, Failure> {
    let mut current = root;
    for name in path {
        let names: Vec<&str> = current.get_subcommands().map(|c| c.get_name()).collect();
        current = current.find_subcommand(name).ok_or_else(|| {
            let whose = current.get_bin_name().unwrap_or("drvpolicy");
            Failure::single(
                Diagnostic::error(Code::UnknownCommand, format!("`{whose}` has no command `{name}`")).with_help(
                    did_you_mean(name, names.iter().copied())
                        .unwrap_or_else(|| format!("its commands: {}", names.join(", "))),
                ),
            )
        })?;
    }
    Ok(current)
}

/// The examples of a command's --help (its after-help: `Example(s):`, then indented lines;
/// a line ending in `\` continues on the next), each as its lines.
fn examples(command: &clap::Command) -> Vec<Vec<String>> {
    let text = command.get_after_help().map(|h| h.to_string()).unwrap_or_default();
    let mut examples: Vec<Vec<String>> = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with("Example") && !l.trim().is_empty()) {
        match examples.last_mut() {
            Some(last) if last.last().is_some_and(|l| l.ends_with('\\')) => last.push(line.trim_end().to_string()),
            _ => examples.push(vec![line.trim().to_string()]),
        }
    }
    examples
}

pub fn run(args: Args) -> Result<Report, Failure> {
    let mut root = Cli::command();
    root.build();
    let page = find(&root, &args.command)?.clone();
    let examples = examples(&page);
    // clap_mangen would put the examples under an "EXTRA" heading: they get their own section.
    let man = clap_mangen::Man::new(
        page.after_help(clap::builder::Resettable::<clap::builder::StyledStr>::Reset)
            .after_long_help(clap::builder::Resettable::<clap::builder::StyledStr>::Reset),
    )
    .source(format!("drvpolicy {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    let rendered = man.render(&mut out);
    rendered.map_err(|e| Failure::single(Diagnostic::error(Code::Io, format!("cannot render the page: {e}"))))?;
    let mut text = String::from_utf8_lossy(&out).into_owned();
    if !examples.is_empty() {
        let mut section = roff::Roff::new();
        section.control("SH", ["EXAMPLES"]);
        for example in &examples {
            section.control("PP", []).control("nf", []);
            for line in example {
                section.text([roff::roman(line.as_str())]);
            }
            section.control("fi", []);
        }
        // Each rendering starts with the same preamble; the page already has it.
        let preamble = roff::Roff::new().render();
        let section = section.render();
        text.push_str(section.strip_prefix(&preamble).unwrap_or(&section));
    }
    Ok(Report::ok(text))
}
