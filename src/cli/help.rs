//! `drvpolicy help [COMMAND]...`: the --help of a command, nested ones included. clap's own
//! help command has no --help of its own; this one has.

use super::{Cli, Context, Report};
use clap::CommandFactory;
use drvpolicy::diagnostic::Failure;

/// Print the help of drvpolicy or of a command (the same as `COMMAND --help`).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  drvpolicy help generate spec\n  drvpolicy help sync")]
pub struct Args {
    /// The command, as you would type it (`generate spec`).
    #[arg(value_name = "COMMAND")]
    command: Vec<String>,
}

pub fn run(context: &Context, args: Args) -> Result<Report, Failure> {
    let mut root = Cli::command();
    root.build();
    let mut page = super::man::find(&root, &args.command)?.clone();
    let help = page.render_long_help();
    Ok(Report::ok(if context.colours.stdout { help.ansi().to_string() } else { help.to_string() }))
}
