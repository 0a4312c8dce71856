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
    "can",
    "schema",
    "templates",
    "completions",
    "man",
    "help",
];

/// What bash completes for `drvpolicy WORDS...` (the last word is the one being completed),
/// through the script `drvpolicy completions bash` prints, run by the real bash with the
/// binary on PATH.
fn bash_completes(words: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let script = r#"source <(drvpolicy completions bash)
COMP_WORDS=(drvpolicy "$@"); COMP_CWORD=$#; COMP_TYPE=9
_clap_complete_drvpolicy drvpolicy "${COMP_WORDS[$COMP_CWORD]}" "${COMP_WORDS[$((COMP_CWORD-1))]}"
printf '%s\n' "${COMPREPLY[@]}""#;
    let binary = assert_cmd::cargo::cargo_bin("drvpolicy");
    let path = format!("{}:{}", binary.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let mut command = std::process::Command::new("bash");
    command.args(["-c", script, "complete"]).args(words).env("PATH", path).env_remove("DRVPOLICY_PROFILES");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

#[test]
fn bash_completes_commands_profile_names_arches_and_explain_names() {
    if !common::require_tool("bash") {
        return;
    }
    let commands = bash_completes(&[""], &[]);
    for command in COMMANDS {
        assert!(commands.iter().any(|c| c == command), "{command} not in {commands:?}");
    }
    assert_eq!(bash_completes(&["generate", "spec", "rhel-7.3"], &[]), ["rhel-7.3", "rhel-7.3-rhev"]);
    assert_eq!(bash_completes(&["diff", "rhel-7.3", "deb"], &[]), ["debian-13"]);
    // The arches of the profile on the line.
    assert_eq!(bash_completes(&["explain", "rhel-7.3", "https", "--arch", ""], &[]), ["aarch64", "ppc64le", "x86_64"]);
    assert_eq!(bash_completes(&["explain", "rhel-7.3", "ht"], &[]), ["http", "https"]);
    assert_eq!(bash_completes(&["check", "--deny-w"], &[]), ["--deny-warnings"]);

    // Profiles of DRVPOLICY_PROFILES and of --profiles on the line.
    let dir = tempfile::tempdir().unwrap();
    let profile = "[profile]\nproduct = \"mine\"\nrelease = \"1\"\narches = [\"s390x\"]\n[qemu]\npackage = \"q\"\nversion = \"2.12.0\"\n";
    std::fs::write(dir.path().join("mine-1.toml"), profile).unwrap();
    let path = dir.path().display().to_string();
    assert_eq!(bash_completes(&["show", "mi"], &[("DRVPOLICY_PROFILES", &path)]), ["mine-1"]);
    assert_eq!(bash_completes(&["--profiles", &path, "show", "mi"], &[]), ["mine-1"]);
    assert_eq!(bash_completes(&["--profiles", &path, "show", "mine-1", "--arch", ""], &[]), ["s390x"]);
    assert!(bash_completes(&["show", "mi"], &[]).is_empty());
}

#[test]
fn completions_print_the_registration_of_each_shell() {
    let bash = Case::new(["completions", "bash"]).run();
    bash.exits(0).stdout_has("_clap_complete_drvpolicy()").stdout_has("COMPLETE=\"bash\"");
    // The same script as the environment protocol gives.
    let env = Case::new(Vec::<&str>::new()).env("COMPLETE", "bash").run();
    env.exits(0);
    assert_eq!(
        env.stdout.replace(&assert_cmd::cargo::cargo_bin("drvpolicy").display().to_string(), "drvpolicy"),
        bash.stdout
    );
    Case::new(["completions", "zsh"]).run().exits(0).stdout_has("#compdef drvpolicy").stdout_has("COMPLETE=\"zsh\"");
    Case::new(["completions", "fish"])
        .run()
        .exits(0)
        .stdout_has("complete --keep-order --exclusive --command drvpolicy");
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

/// The commands listed under "Commands:" in a --help text.
fn subcommands(help: &str) -> Vec<String> {
    let Some(start) = help.find("\nCommands:\n") else { return Vec::new() };
    help[start + "\nCommands:\n".len()..]
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Every command path, the root (empty) first, found through the --help texts themselves.
fn every_command() -> Vec<Vec<String>> {
    let mut paths = vec![Vec::new()];
    let mut i = 0;
    while i < paths.len() {
        let path = paths[i].clone();
        let run = Case::new(path.iter().map(String::as_str).chain(["--help"])).run();
        run.exits(0);
        for sub in subcommands(&run.stdout) {
            let mut next = path.clone();
            next.push(sub);
            paths.push(next);
        }
        i += 1;
    }
    paths
}

#[test]
fn every_help_ends_with_an_example_and_describes_every_argument() {
    let paths = every_command();
    // The top level, 15 commands and the nested ones (generate's, import's).
    assert!(paths.len() >= 19, "{paths:?}");
    assert!(paths.contains(&vec!["generate".to_string(), "spec".to_string()]));
    assert!(paths.contains(&vec!["help".to_string()]));
    for path in &paths {
        let shown = format!("drvpolicy {} --help", path.join(" "));
        let run = Case::new(path.iter().map(String::as_str).chain(["--help"])).run();
        run.exits(0);
        let help = run.stdout.trim_end();
        let last = &help[help.rfind("\n\n").map_or(0, |i| i + 2)..];
        assert!(
            last.starts_with("Example:\n") || last.starts_with("Examples:\n"),
            "{shown} does not end with an example:\n{help}"
        );
        let lines: Vec<&str> = last.lines().skip(1).collect();
        for (i, example) in lines.iter().enumerate() {
            let continued = i > 0 && lines[i - 1].ends_with('\\');
            let command =
                example.trim_start().starts_with("drvpolicy ") || example.trim_start().starts_with("qemu-img ");
            assert!(continued || command, "{shown}: {example}");
        }
        // Every argument has a description (long help: the description is on the next lines).
        if let Some(start) = help.find("\nArguments:\n") {
            let section = &help[start + 12..];
            let section = &section[..section.find("\n\nOptions:").unwrap_or(section.len())];
            for block in section.split("\n\n") {
                let mut lines = block.lines().filter(|l| !l.trim().is_empty());
                let name = lines.next().unwrap_or_default();
                let described = name.trim().contains("  ") || lines.next().is_some_and(|l| !l.trim().is_empty());
                assert!(described, "{shown}: argument `{}` has no description", name.trim());
            }
        }
        // `help PATH` prints the same.
        let via_help = Case::new(["help"].into_iter().chain(path.iter().map(String::as_str))).run();
        via_help.exits(0);
        assert_eq!(via_help.stdout, run.stdout, "drvpolicy help {}", path.join(" "));
    }
}

#[test]
fn every_command_has_a_man_page_that_groff_reads_without_warnings() {
    let groff = common::require_tool("groff");
    for path in every_command() {
        let run = Case::new(["man"].into_iter().chain(path.iter().map(String::as_str))).run();
        run.exits(0);
        let name = std::iter::once("drvpolicy").chain(path.iter().map(String::as_str)).collect::<Vec<_>>().join("-");
        run.stdout_has(&format!(".TH {name} 1"));
        assert!(!run.stdout.contains("EXTRA"), "man {}: a stray EXTRA heading", path.join(" "));
        run.stdout_has(".SH EXAMPLES\n");
        if groff {
            let mut child = std::process::Command::new("groff")
                .args(["-man", "-Tutf8", "-ww", "-z"])
                .stdin(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            std::io::Write::write_all(&mut child.stdin.take().unwrap(), run.stdout.as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "groff on man {}: {}",
                path.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    Case::new(["man", "generate", "spek"])
        .run()
        .exits(2)
        .stderr_has("`drvpolicy generate` has no command `spek`")
        .stderr_has("did you mean `spec`?");
}

#[test]
fn help_has_its_own_help() {
    let run = Case::new(["help", "--help"]).run();
    run.exits(0).stdout_has("Usage: drvpolicy help [OPTIONS] [COMMAND]...").stdout_has("drvpolicy help generate spec");
    Case::new(["help", "nonsense"]).run().exits(2).stderr_has("has no command `nonsense`");
}
