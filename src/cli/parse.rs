//! The command line into `Cli`. Building clap's tree of every command is most of what a
//! short run costs, so a line that names a command is first parsed with a tree of that command
//! alone. Only a line that parses there is taken from it; anything else (help, an error, a
//! name that is not a command) is parsed again with the whole tree, which says it as always.

use super::{Cli, Globals};
use clap::{Args, CommandFactory, FromArgMatches, Subcommand};
use std::ffi::OsString;

/// How clap's derive builds one command of `Command`, given `clap::Command::new(name)`.
type Build = fn(clap::Command) -> clap::Command;

/// Every command of `Command` and its build, as the derive writes them (a test holds the two
/// equal).
const COMMANDS: &[(&str, Build)] = &[
    ("list", super::list::Args::augment_args),
    ("show", super::show::Args::augment_args),
    ("generate", |c| {
        super::generate::Generate::augment_subcommands(c.subcommand_required(true).arg_required_else_help(true))
    }),
    ("explain", super::explain::Args::augment_args),
    ("matrix", super::matrix::Args::augment_args),
    ("diff", super::diff::Args::augment_args),
    ("history", super::history::Args::augment_args),
    ("check", super::check::Args::augment_args),
    ("can", super::can::Args::augment_args),
    ("verify", super::verify::Args::augment_args),
    ("import", super::import::Args::augment_args),
    ("sync", super::sync::Args::augment_args),
    ("schema", super::schema::Args::augment_args),
    ("templates", super::templates::Args::augment_args),
    ("completions", super::completions::CompletionsArgs::augment_args),
    ("man", super::man::Args::augment_args),
    ("help", super::help::Args::augment_args),
];

/// `args` (with the program name first) as `Cli`, or clap's error formatted with the whole
/// tree. The tree used is returned too: it is not freed (the process ends soon).
pub fn parse(args: &[OsString]) -> Result<(Cli, clap::Command), clap::Error> {
    if let Some(mut tree) = named(args).map(|command| one_command(command.map(|i| &COMMANDS[i]))) {
        match tree.try_get_matches_from_mut(args) {
            Ok(mut matches) => {
                if let Ok(cli) = Cli::from_arg_matches_mut(&mut matches) {
                    return Ok((cli, tree));
                }
            }
            // The version is the same whatever the tree holds.
            Err(e) if e.kind() == clap::error::ErrorKind::DisplayVersion => return Err(e),
            Err(_) => {}
        }
    }
    let mut tree = Cli::command();
    match tree.try_get_matches_from_mut(args) {
        Ok(mut matches) => match Cli::from_arg_matches_mut(&mut matches) {
            Ok(cli) => Ok((cli, tree)),
            Err(e) => Err(e.format(&mut tree)),
        },
        Err(e) => Err(e),
    }
}

/// `Cli`'s tree with only the command `name` (or none, for `--version`): the same top level,
/// without the help texts that only the whole tree's help prints.
fn one_command(command: Option<&(&'static str, Build)>) -> clap::Command {
    let top = Globals::augment_args(clap::Command::new("drvpolicy").version(env!("CARGO_PKG_VERSION")))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .disable_help_subcommand(true);
    match command {
        Some((name, build)) => top.subcommand(build(clap::Command::new(*name))),
        None => top,
    }
}

/// The index in `COMMANDS` of the command `args` names after the global options, if it names
/// one; `None` inside when it names none but asks for the version.
fn named(args: &[OsString]) -> Option<Option<usize>> {
    let globals = Globals::augment_args(clap::Command::new(""));
    let takes_value =
        |long: &str| globals.get_arguments().any(|a| a.get_long() == Some(long) && a.get_action().takes_values());
    let mut words = args.iter().skip(1).map(|a| a.to_str());
    while let Some(word) = words.next() {
        let word = word?;
        match word.strip_prefix("--") {
            Some("") => return None,
            Some("version") => return Some(None),
            Some(long) if !long.contains('=') && takes_value(long) => {
                words.next();
            }
            Some(_) => {}
            None if word == "-V" => return Some(None),
            None if word.starts_with('-') => {}
            None => return COMMANDS.iter().position(|c| c.0 == word).map(Some),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn words(line: &str) -> Vec<OsString> {
        line.split(' ').map(OsString::from).collect()
    }

    /// Each command of the one-command tree is the derive's, field for field, and every
    /// command of the derive is in `COMMANDS`.
    #[test]
    fn one_command_trees_are_the_derives() {
        let whole = Cli::command();
        let names: Vec<&str> = whole.get_subcommands().map(|c| c.get_name()).collect();
        assert_eq!(names, COMMANDS.iter().map(|c| c.0).collect::<Vec<_>>());
        for (i, (name, _)) in COMMANDS.iter().enumerate() {
            let tree = one_command(Some(&COMMANDS[i]));
            // Where a command is listed in its parent's help is the one difference.
            let listed = |c: &clap::Command| format!("{:?}", c.clone().display_order(0));
            let alone: Vec<String> = tree.get_subcommands().map(listed).collect();
            let derived = listed(whole.find_subcommand(name).expect("in the derive"));
            assert_eq!(alone, [derived], "{name}");
        }
        // The top level differs only in what its own help prints.
        let top = one_command(None);
        let arguments = |c: &clap::Command| c.get_arguments().map(|a| format!("{a:?}")).collect::<Vec<_>>();
        assert_eq!(arguments(&top), arguments(&whole));
        assert_eq!(top.get_version(), whole.get_version());
        assert_eq!(top.is_subcommand_required_set(), whole.is_subcommand_required_set());
        assert_eq!(top.is_arg_required_else_help_set(), whole.is_arg_required_else_help_set());
        assert_eq!(top.is_disable_help_subcommand_set(), whole.is_disable_help_subcommand_set());
    }

    #[test]
    fn the_named_command_is_found_after_the_global_options() {
        let index = |name: &str| COMMANDS.iter().position(|c| c.0 == name);
        assert_eq!(named(&words("drvpolicy generate spec rhel-7.3")), Some(index("generate")));
        assert_eq!(named(&words("drvpolicy --profiles list diff a b")), Some(index("diff")));
        assert_eq!(named(&words("drvpolicy --profiles=list --color never show x")), Some(index("show")));
        assert_eq!(named(&words("drvpolicy --max-diagnostics 3 check --all")), Some(index("check")));
        assert_eq!(named(&words("drvpolicy --version")), Some(None));
        assert_eq!(named(&words("drvpolicy -V")), Some(None));
        // A value of an option is not the command; `--` and unknown names go to the whole tree.
        assert_eq!(named(&words("drvpolicy --templates --version")), None);
        assert_eq!(named(&words("drvpolicy -- list")), None);
        assert_eq!(named(&words("drvpolicy lsit")), None);
        assert_eq!(named(&words("drvpolicy")), None);
    }

    /// The one-command tree and the whole tree give the same `Cli`, and what the first cannot
    /// parse is the whole tree's answer.
    #[test]
    fn both_trees_parse_alike() {
        for line in [
            "drvpolicy generate spec rhel-7.3 --style macros",
            "drvpolicy --profiles /tmp diff rhel-7.2 rhel-7.3 --format json",
            "drvpolicy explain rhel-9.2 rbd --arch x86_64 --color never",
            "drvpolicy check --all --deny-warnings --max-diagnostics 0",
        ] {
            let args = words(line);
            let whole = Cli::try_parse_from(&args).expect(line);
            let index = named(&args).flatten().expect(line);
            let mut tree = one_command(Some(&COMMANDS[index]));
            let matches = tree.try_get_matches_from_mut(&args).expect(line);
            let alone = Cli::from_arg_matches(&matches).expect(line);
            assert_eq!(format!("{alone:?}"), format!("{whole:?}"), "{line}");
        }
        for line in ["drvpolicy generate spec --help", "drvpolicy generate spce x", "drvpolicy list --bogus"] {
            let whole = Cli::try_parse_from(words(line)).expect_err(line);
            let got = parse(&words(line)).expect_err(line);
            assert_eq!((got.kind(), got.to_string()), (whole.kind(), whole.to_string()), "{line}");
        }
        let version = parse(&words("drvpolicy --version")).expect_err("the version");
        assert_eq!(version.to_string(), format!("drvpolicy {}\n", env!("CARGO_PKG_VERSION")));
    }
}
