//! Every example of README.md is true: each `$ COMMAND` line of a fenced block runs in bash,
//! in order, in one scratch directory that holds an empty `profiles/` (the reader's own) and a
//! link to `tests/` (the fixtures the examples copy from), with the built `drvpolicy` first on
//! PATH. What it prints (stdout and stderr, as a terminal shows them) must be the lines that
//! follow. A line `...` (indented or not) stands for any number of lines. `README_UPDATE=1` writes what the commands
//! print into README.md instead (blocks with `...` are left to be edited by hand).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// One `$ COMMAND` of the README and the lines after it.
struct Example {
    /// The line of the `$` (1-based), for messages.
    line: usize,
    command: String,
    /// Indexes into the README's lines: the expected output.
    output: std::ops::Range<usize>,
}

fn examples(lines: &[&str]) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("```") {
            in_block = !in_block;
            i += 1;
            continue;
        }
        if in_block && let Some(first) = line.strip_prefix("$ ") {
            let start = i;
            let mut command = first.to_string();
            // A command continued with `\` goes on on the next line.
            while command.ends_with('\\') && i + 1 < lines.len() {
                command.pop();
                i += 1;
                command.push('\n');
                command.push_str(lines[i]);
            }
            let from = i + 1;
            let mut to = from;
            while to < lines.len() && !lines[to].starts_with("$ ") && !lines[to].starts_with("```") {
                to += 1;
            }
            // A blank line before the next `$` separates examples; it is not output.
            let mut end = to;
            if to < lines.len() && lines[to].starts_with("$ ") {
                while end > from && lines[end - 1].is_empty() {
                    end -= 1;
                }
            }
            out.push(Example { line: start + 1, command, output: from..end });
            i = to;
            continue;
        }
        i += 1;
    }
    out
}

/// `expected` (with `...` lines) matches `actual`.
fn matches(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((line, rest)) if line.trim() == "..." => (0..=actual.len()).any(|skip| matches(rest, &actual[skip..])),
        Some((line, rest)) => actual.first() == Some(line) && matches(rest, &actual[1..]),
    }
}

#[test]
fn every_readme_example_prints_what_the_readme_shows() {
    // The examples run rpmspec and qemu-img as a reader would.
    if !common::require_tool("rpmspec") || !common::require_tool("qemu-img") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme_path = root.join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    let examples = examples(&lines);
    assert!(examples.len() > 40, "the README's examples were not found");

    let scratch = tempfile::tempdir().unwrap();
    std::fs::create_dir(scratch.path().join("profiles")).unwrap();
    std::os::unix::fs::symlink(root.join("tests"), scratch.path().join("tests")).unwrap();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_drvpolicy"));
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());

    let update = std::env::var_os("README_UPDATE").is_some();
    let mut replaced: Vec<(std::ops::Range<usize>, Vec<String>)> = Vec::new();
    let mut failures = Vec::new();
    for example in &examples {
        let run = Command::new("bash")
            .arg("-c")
            .arg(format!("exec 2>&1\n{}", example.command))
            .current_dir(scratch.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .env_remove("DRVPOLICY_PROFILES")
            .output()
            .unwrap();
        let printed = String::from_utf8_lossy(&run.stdout).into_owned();
        let actual: Vec<&str> = printed.trim_end_matches('\n').lines().collect();
        let expected = &lines[example.output.clone()];
        let mut expected_trimmed = expected.to_vec();
        while expected_trimmed.last() == Some(&"") {
            expected_trimmed.pop();
        }
        if matches(&expected_trimmed, &actual) {
            continue;
        }
        if update && !expected.iter().any(|l| l.trim() == "...") {
            replaced.push((example.output.clone(), actual.iter().map(|s| s.to_string()).collect()));
            continue;
        }
        let diff = similar::TextDiff::from_lines(expected_trimmed.join("\n").as_str(), actual.join("\n").as_str())
            .unified_diff()
            .header("README.md", "printed")
            .to_string();
        failures.push(format!("README.md:{}: $ {}\n{diff}", example.line, example.command));
    }
    if update && !replaced.is_empty() {
        let mut out: Vec<String> = Vec::new();
        let mut next = 0;
        for (range, actual) in &replaced {
            out.extend(lines[next..range.start].iter().map(|s| s.to_string()));
            out.extend(actual.iter().cloned());
            next = range.end;
        }
        out.extend(lines[next..].iter().map(|s| s.to_string()));
        std::fs::write(&readme_path, out.join("\n") + "\n").unwrap();
    }
    assert!(failures.is_empty(), "{} README examples differ:\n\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn dots_stand_for_any_lines() {
    assert!(matches(&["a", "...", "d"], &["a", "b", "c", "d"]));
    assert!(matches(&["a", "...", "d"], &["a", "d"]));
    assert!(!matches(&["a", "...", "d"], &["a", "b"]));
    assert!(!matches(&["a"], &["a", "b"]));
    assert!(matches(&["a", "  ...", "d"], &["a", "b", "d"]));
}
