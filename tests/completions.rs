//! `drvpolicy completions` and `drvpolicy man`, and the examples in every command's --help.

mod common;
use common::Case;

const COMMANDS: &[&str] = &[
    "list",
    "show",
    "generate",
    "explain",
    "matrix",
    "diff",
    "history",
    "check",
    "verify",
    "import",
    "sync",
    "completions",
    "man",
];

#[test]
fn bash_completion_names_every_command() {
    let run = Case::new(["completions", "bash"]).run();
    run.exits(0).stdout_has("_drvpolicy()").stdout_has("complete -F _drvpolicy");
    for command in COMMANDS {
        run.stdout_has(&format!("drvpolicy,{command})"));
    }
    // Options of a command are completed too.
    run.stdout_has("--deny-warnings").stdout_has("--help-text");
}

#[test]
fn zsh_and_fish_completions() {
    Case::new(["completions", "zsh"]).run().exits(0).stdout_has("#compdef drvpolicy").stdout_has("'check:");
    Case::new(["completions", "fish"]).run().exits(0).stdout_has("complete -c drvpolicy").stdout_has("-a \"verify\"");
    Case::new(["completions", "powershell"]).run().exits(2);
}

#[test]
fn man_page_is_roff() {
    let run = Case::new(["man"]).run();
    run.exits(0).stdout_has(".TH drvpolicy 1").stdout_has(".SH SYNOPSIS").stdout_has("drvpolicy\\-check(1)");
}

#[test]
fn man_page_of_a_command() {
    Case::new(["man", "check"])
        .run()
        .exits(0)
        .stdout_has(".TH drvpolicy-check 1")
        .stdout_has("\\fBdrvpolicy check\\fR")
        .stdout_has("\\-\\-deny\\-warnings");
    Case::new(["man", "chek"]).run().exits(2).stderr_has("did you mean `check`?");
}

#[test]
fn help_of_these_commands_has_an_example() {
    for args in [
        &["list"][..],
        &["show"],
        &["generate", "configure"],
        &["generate", "spec"],
        &["generate", "libguestfs"],
        &["check"],
        &["verify"],
        &["completions"],
        &["man"],
    ] {
        let run = Case::new(args.iter().copied().chain(["--help"])).run();
        run.exits(0);
        assert!(run.stdout.contains("Example"), "no example in `{} --help`:\n{}", args.join(" "), run.stdout);
        assert!(run.stdout.contains(&format!("drvpolicy {}", args[0])), "{}", run.stdout);
    }
}
