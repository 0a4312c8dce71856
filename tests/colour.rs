//! Colours in diagnostics: on a terminal by default, never in a pipe, `--color` to choose,
//! NO_COLOR honoured. A real pseudo-terminal comes from util-linux's `script`.

mod common;
use common::Case;

const ESC: &str = "\u{1b}[";

/// stdout+stderr of `drvpolicy ARGS` run on a pseudo-terminal, with `env` set.
fn on_a_terminal(args: &str, env: &[(&str, &str)]) -> String {
    let binary = assert_cmd::cargo::cargo_bin("drvpolicy");
    let mut command = std::process::Command::new("script");
    command.args(["-qec", &format!("{} {args}", binary.display()), "/dev/null"]).env("TERM", "xterm");
    command.env_remove("NO_COLOR").env_remove("CLICOLOR").env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn diagnostics_are_coloured_on_a_terminal_unless_no_color_or_never() {
    if !common::require_tool("script") {
        return;
    }
    let coloured = on_a_terminal("show rhel-7.33", &[]);
    assert!(coloured.contains(ESC), "{coloured:?}");
    assert!(coloured.contains("unknown-profile"));
    let plain = on_a_terminal("show rhel-7.33", &[("NO_COLOR", "1")]);
    assert!(!plain.contains(ESC) && plain.contains("error[unknown-profile]"), "{plain:?}");
    let never = on_a_terminal("--color never show rhel-7.33", &[]);
    assert!(!never.contains(ESC) && never.contains("error[unknown-profile]"), "{never:?}");
    // check's diagnostics go to stdout, coloured there on a terminal too.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/check");
    let check = on_a_terminal(&format!("--profiles {fixtures} check rw-and-ro 2>/dev/null"), &[]);
    assert!(check.contains(ESC) && check.contains("rw-and-ro"), "{check:?}");
    // clap's own help follows --color.
    let help = on_a_terminal("--color never list --help", &[]);
    assert!(!help.contains(ESC) && help.contains("Usage"), "{help:?}");
    assert!(on_a_terminal("list --help", &[]).contains(ESC));
}

#[test]
fn a_pipe_gets_no_colours_unless_always() {
    let run = Case::new(["show", "rhel-7.33"]).run();
    run.exits(2);
    assert!(!run.stderr.contains(ESC), "{:?}", run.stderr);
    let run = Case::new(["--color", "always", "show", "rhel-7.33"]).run();
    run.exits(2);
    assert!(run.stderr.contains(ESC), "{:?}", run.stderr);
    // Stripped of its colours it is the plain text.
    let plain = Case::new(["--color", "never", "show", "rhel-7.33"]).run();
    let stripped = strip(&run.stderr);
    assert_eq!(stripped, plain.stderr);
    // JSON never carries colours.
    let run = Case::new(["--color", "always", "check", "rhel-7.3", "--format", "json"]).run();
    assert!(!run.stdout.contains(ESC));
}

/// Removes `ESC [ ... m` sequences.
fn strip(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(ESC) {
        out.push_str(&rest[..start]);
        let after = &rest[start + ESC.len()..];
        rest = &after[after.find('m').map_or(after.len(), |m| m + 1)..];
    }
    out.push_str(rest);
    out
}
