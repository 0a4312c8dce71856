//! The command line into `Cli`. Building clap's tree of every command is a large share of a
//! short run, so a line that names a command is first parsed with a tree of that command
//! alone. Only a line that parses there is taken from it; anything else (help, an error, a
//! name that is not a command) is parsed again with the whole tree, which says it as always.

use super::{Cli, Globals};
use clap::{Args, CommandFactory, FromArgMatches, Subcommand};
use std::ffi::OsString;

/// How clap's derive builds one command of `Command`, given `clap::Command::new(name)`.
type Build = fn(clap::Command) -> clap::Command;

/// A command of `Command`: its name, its build as the derive writes it, and the same of each
/// command of its own, so that a line naming one of those is parsed with that one alone (a
/// test holds them equal to the derive's).
struct Entry {
    name: &'static str,
    build: Build,
    commands: &'static [(&'static str, Build)],
}

const fn entry(name: &'static str, build: Build) -> Entry {
    Entry { name, build, commands: &[] }
}

/// Every command of `Command`, in the derive's order.
const COMMANDS: &[Entry] = &[
    entry("list", super::list::Args::augment_args),
    entry("show", super::show::Args::augment_args),
    Entry {
        name: "generate",
        build: |c| super::generate::Generate::augment_subcommands(holding_commands(c)),
        commands: &[
            ("configure", super::generate::ConfigureArgs::augment_args),
            ("spec", super::generate::SpecArgs::augment_args),
            ("buildrequires", super::generate::BuildrequiresArgs::augment_args),
            ("subpackages", super::generate::SubpackagesArgs::augment_args),
            ("libvirt", super::generate::LibvirtArgs::augment_args),
            ("libguestfs", super::generate::LibguestfsArgs::augment_args),
        ],
    },
    entry("explain", super::explain::Args::augment_args),
    entry("matrix", super::matrix::Args::augment_args),
    entry("diff", super::diff::Args::augment_args),
    entry("history", super::history::Args::augment_args),
    entry("check", super::check::Args::augment_args),
    entry("can", super::can::Args::augment_args),
    entry("verify", super::verify::Args::augment_args),
    entry("import", super::import::Args::augment_args),
    entry("sync", super::sync::Args::augment_args),
    entry("schema", super::schema::Args::augment_args),
    entry("templates", super::templates::Args::augment_args),
    entry("completions", super::completions::CompletionsArgs::augment_args),
    entry("man", super::man::Args::augment_args),
    entry("help", super::help::Args::augment_args),
];

/// `args` (with the program name first) as `Cli`, or clap's error formatted with the whole
/// tree. The tree used is returned too, so that the caller can free it before the work.
pub fn parse(args: &[OsString]) -> Result<(Cli, clap::Command), clap::Error> {
    let top = top_level();
    if let Some(mut tree) =
        named(args, &top).map(|command| one_command(top, command.map(|(i, sub)| (&COMMANDS[i], sub))))
    {
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

/// The settings the derive gives a `#[command(subcommand)]` command: one of its commands is
/// required, and without one its help is printed.
fn holding_commands(command: clap::Command) -> clap::Command {
    command.subcommand_required(true).arg_required_else_help(true)
}

/// `Cli`'s top level: the same as the derive's, without the help texts that only the whole
/// tree's help prints.
fn top_level() -> clap::Command {
    Globals::augment_args(clap::Command::new("drvpolicy").version(env!("CARGO_PKG_VERSION")))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .disable_help_subcommand(true)
}

/// `top` with only the command named (or none, for `--version`), and of its own commands only
/// `sub` if it names one.
fn one_command(top: clap::Command, command: Option<(&Entry, Option<&str>)>) -> clap::Command {
    let Some((entry, sub)) = command else { return top };
    // Of a command with commands of its own (`generate`), only the one named: clap copies
    // the global options into every command of the tree it parses with.
    match sub.and_then(|sub| entry.commands.iter().find(|(name, _)| *name == sub)) {
        Some((name, build)) => {
            let bare = holding_commands(clap::Command::new(entry.name));
            top.subcommand(bare.subcommand(build(clap::Command::new(*name))))
        }
        None => top.subcommand((entry.build)(clap::Command::new(entry.name))),
    }
}

/// The index in `COMMANDS` of the command `args` names after the global options, if it names
/// one, and the word after it unless that is an option; `None` inside when it names none but
/// asks for the version. `globals` holds the global options.
fn named<'a>(args: &'a [OsString], globals: &clap::Command) -> Option<Option<(usize, Option<&'a str>)>> {
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
            None => {
                let sub = words.next().flatten().filter(|w| !w.starts_with('-'));
                return COMMANDS.iter().position(|c| c.name == word).map(|i| Some((i, sub)));
            }
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
        assert_eq!(names, COMMANDS.iter().map(|c| c.name).collect::<Vec<_>>());
        // Where a command is listed in its parent's help is the one difference.
        let listed = |c: &clap::Command| format!("{:?}", c.clone().display_order(0));
        for entry in COMMANDS {
            let name = entry.name;
            let tree = one_command(top_level(), Some((entry, None)));
            let alone: Vec<String> = tree.get_subcommands().map(listed).collect();
            let derived = listed(whole.find_subcommand(name).expect("in the derive"));
            assert_eq!(alone, [derived], "{name}");
        }
        // A command with commands of its own lists every one (`import`, which has a single
        // one, gains nothing from narrowing and lists none). Narrowed to one of them, it holds
        // that one as the derive builds it, under the derive's settings and arguments.
        let arguments = |c: &clap::Command| c.get_arguments().map(|a| format!("{a:?}")).collect::<Vec<_>>();
        for entry in COMMANDS {
            let derived = whole.find_subcommand(entry.name).expect("in the derive");
            let subs: Vec<&str> = derived.get_subcommands().map(|c| c.get_name()).collect();
            let listed_subs: Vec<&str> = entry.commands.iter().map(|c| c.0).collect();
            if subs.len() > 1 || !listed_subs.is_empty() {
                assert_eq!(listed_subs, subs, "{}", entry.name);
            }
            for sub in derived.get_subcommands().filter(|_| !listed_subs.is_empty()) {
                let tree = one_command(top_level(), Some((entry, Some(sub.get_name()))));
                let narrowed = tree.find_subcommand(entry.name).expect("the command");
                assert_eq!(arguments(narrowed), arguments(derived), "{}", entry.name);
                assert_eq!(narrowed.is_subcommand_required_set(), derived.is_subcommand_required_set());
                assert_eq!(narrowed.is_arg_required_else_help_set(), derived.is_arg_required_else_help_set());
                let held: Vec<String> = narrowed.get_subcommands().map(listed).collect();
                assert_eq!(held, [listed(sub)], "{} {}", entry.name, sub.get_name());
            }
        }
        // The top level differs only in what its own help prints.
        let top = one_command(top_level(), None);
        assert_eq!(arguments(&top), arguments(&whole));
        assert_eq!(top.get_version(), whole.get_version());
        assert_eq!(top.is_subcommand_required_set(), whole.is_subcommand_required_set());
        assert_eq!(top.is_arg_required_else_help_set(), whole.is_arg_required_else_help_set());
        assert_eq!(top.is_disable_help_subcommand_set(), whole.is_disable_help_subcommand_set());
    }

    #[test]
    fn the_named_command_is_found_after_the_global_options() {
        let index = |name: &str| COMMANDS.iter().position(|c| c.name == name);
        let top = top_level();
        let sub = |line: &str| named(&words(line), &top).flatten().and_then(|(_, sub)| sub.map(str::to_string));
        assert_eq!(sub("drvpolicy generate spec rhel-7.3").as_deref(), Some("spec"));
        assert_eq!(sub("drvpolicy --color never generate configure x").as_deref(), Some("configure"));
        // An option after the command: the command's whole tree.
        assert_eq!(sub("drvpolicy generate --profiles /tmp spec x"), None);
        let named = |line: &str| named(&words(line), &top).map(|c| c.map(|(i, _)| i));
        assert_eq!(named("drvpolicy generate spec rhel-7.3"), Some(index("generate")));
        assert_eq!(named("drvpolicy --profiles list diff a b"), Some(index("diff")));
        assert_eq!(named("drvpolicy --profiles=list --color never show x"), Some(index("show")));
        assert_eq!(named("drvpolicy --max-diagnostics 3 check --all"), Some(index("check")));
        assert_eq!(named("drvpolicy --version"), Some(None));
        assert_eq!(named("drvpolicy -V"), Some(None));
        // A value of an option is not the command; `--` and unknown names go to the whole tree.
        assert_eq!(named("drvpolicy --templates --version"), None);
        assert_eq!(named("drvpolicy -- list"), None);
        assert_eq!(named("drvpolicy lsit"), None);
        assert_eq!(named("drvpolicy"), None);
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
            "drvpolicy generate configure rhel-7.3 --arch x86_64 -0 --profiles /tmp",
            "drvpolicy generate libguestfs rhel-7.3 --format list",
        ] {
            let args = words(line);
            let whole = Cli::try_parse_from(&args).expect(line);
            let (index, sub) = named(&args, &top_level()).flatten().expect(line);
            let mut tree = one_command(top_level(), Some((&COMMANDS[index], sub)));
            let matches = tree.try_get_matches_from_mut(&args).expect(line);
            let alone = Cli::from_arg_matches(&matches).expect(line);
            assert_eq!(format!("{alone:?}"), format!("{whole:?}"), "{line}");
        }
        for line in [
            "drvpolicy generate spec --help",
            "drvpolicy generate spce x",
            "drvpolicy generate spec",
            "drvpolicy generate spec x --bogus",
            "drvpolicy list --bogus",
        ] {
            let whole = Cli::try_parse_from(words(line)).expect_err(line);
            let got = parse(&words(line)).expect_err(line);
            assert_eq!((got.kind(), got.to_string()), (whole.kind(), whole.to_string()), "{line}");
        }
        let version = parse(&words("drvpolicy --version")).expect_err("the version");
        assert_eq!(version.to_string(), format!("drvpolicy {}\n", env!("CARGO_PKG_VERSION")));
    }
}
