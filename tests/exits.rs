//! Exit statuses that mean the same in every command: 0 ok, 1 findings (warnings where a
//! command checks), 2 error, and a profile that does not load is 2 everywhere.

mod common;
use common::Case;

/// Invalid TOML.
const BROKEN: &str = "[profile]\nrelease = \"1\"\narches = [\"x86_64\"\n";
/// Valid TOML with an unknown key.
const UNKNOWN_KEY: &str = "[profile]\nproduct = \"t\"\nrelease = \"1\"\narches = [\"x86_64\"]\n[qemu]\npackage = \"q\"\nversion = \"2.12.0\"\nrw-whitelsit = [\"raw\"]\n";

#[test]
fn a_profile_that_does_not_load_is_exit_2_in_every_command() {
    let commands: &[&[&str]] = &[
        &["show", "bad"],
        &["generate", "configure", "bad"],
        &["generate", "spec", "bad"],
        &["generate", "libguestfs", "bad"],
        &["generate", "buildrequires", "bad"],
        &["explain", "bad", "rbd"],
        &["matrix", "bad"],
        &["diff", "bad", "rhel-7.3"],
        &["diff", "rhel-7.3", "bad"],
        &["history", "rhel-7.3", "bad"],
        &["check", "bad"],
        &["verify", "bad", "--help-text", "-"],
        &["can", "bad", "rbd", "--access", "ro", "--program", "emulator"],
        &["show", "bad", "--toml"],
    ];
    for (name, text) in [("broken", BROKEN), ("unknown-key", UNKNOWN_KEY)] {
        for args in commands {
            let args: Vec<&str> = args.iter().map(|a| if *a == "bad" { name } else { a }).collect();
            let run = Case::new(&args).profile(name, text).stdin("Supported formats: raw\n").run();
            assert_eq!(run.code, 2, "{args:?} on {name}: exit {}\n{}{}", run.code, run.stdout, run.stderr);
            let output = format!("{}{}", run.stdout, run.stderr);
            assert!(output.contains(&format!("{name}.toml:")), "{args:?}: no position\n{output}");
        }
    }
    // `list` lists the others and exits 2.
    let run = Case::new(["list"]).profile("broken", BROKEN).run();
    run.exits(2).stdout_has("rhel-7.3 ").stderr_has("error[toml-syntax]");
}

#[test]
fn a_warning_of_the_imported_profile_is_exit_1() {
    // https whitelisted read-only while curl is disabled: whitelisted-compiled-out.
    let spec = "Name: q\nVersion: 2.12.0\nExclusiveArch: x86_64\n%build\n./configure --disable-curl --block-drv-ro-whitelist=https\n";
    let run = Case::new(["import", "spec", "q.spec", "--name", "q-1"]).file("q.spec", spec).run();
    run.exits(1).stderr_has("warning[whitelisted-compiled-out]");
    let clean = "Name: q\nVersion: 2.12.0\nExclusiveArch: x86_64\n%build\n./configure --enable-curl --block-drv-ro-whitelist=https\n";
    Case::new(["import", "spec", "q.spec", "--name", "q-1"]).file("q.spec", clean).run().exits(0);
}
