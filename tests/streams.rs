//! Files and streams: written files get the mode of the umask, `-` is standard output for
//! `-o` and standard input for `import spec`, and a closed pipe ends the run quietly.

mod common;

use common::Case;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

/// The test process's umask (inherited by the binary), read from /proc without changing it.
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let value = status.lines().find_map(|l| l.strip_prefix("Umask:")).unwrap().trim();
    u32::from_str_radix(value, 8).unwrap()
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn new_files_get_the_mode_of_the_umask() {
    let expected = 0o666 & !umask();
    let run = Case::new(["generate", "spec", "rhel-7.3", "-o", "out.inc"]).run();
    run.exits(0);
    assert_eq!(mode(&run.path("out.inc")), expected);

    let run = Case::new(["diff", "rhel-7.2", "rhel-7.3", "-o", "changes.txt"]).run();
    run.exits(1);
    assert_eq!(mode(&run.path("changes.txt")), expected);

    let spec = Case::new(["generate", "spec", "rhel-7.3"]).run().stdout.clone();
    let run = Case::new([
        "import",
        "spec",
        "in.spec",
        "--name",
        "my-7.3",
        "--arches",
        "x86_64,ppc64le,aarch64",
        "--output",
        "my-7.3.toml",
    ])
    .file("in.spec", &spec)
    .run();
    run.exits(0);
    assert_eq!(mode(&run.path("my-7.3.toml")), expected);
}

#[test]
fn a_rewritten_file_keeps_its_mode() {
    let case = Case::new(["generate", "spec", "rhel-7.3", "-o", "out.inc"]).file("out.inc", "old\n");
    std::fs::set_permissions(case.path("out.inc"), std::fs::Permissions::from_mode(0o640)).unwrap();
    let run = case.run();
    run.exits(0);
    assert_eq!(mode(&run.path("out.inc")), 0o640);
    assert!(run.file("out.inc").starts_with("# drvpolicy: "));
}

#[test]
fn dash_is_standard_output_for_o() {
    let plain = Case::new(["generate", "spec", "rhel-7.3"]).run();
    for args in [&["generate", "spec", "rhel-7.3", "-o", "-"][..], &["generate", "spec", "rhel-7.3", "--output", "-"]] {
        let run = Case::new(args).run();
        run.exits(0);
        assert_eq!(run.stdout, plain.stdout);
        assert!(!run.path("-").exists(), "no file named `-`");
    }
    let run = Case::new(["history", "rhel-7.1", "rhel-7.2", "-o", "-"]).run();
    run.exits(0).stdout_has("== rhel-7.2 (qemu-kvm 1.5.3)");
}

#[test]
fn import_reads_standard_input_for_dash_and_writes_standard_output_for_o_dash() {
    let spec = Case::new(["generate", "spec", "rhel-7.3"]).run().stdout.clone();
    let from_file = Case::new(["import", "spec", "rhel-7.3.spec", "--arches", "x86_64,ppc64le,aarch64"])
        .file("rhel-7.3.spec", &spec)
        .run();
    from_file.exits(0);
    let from_stdin =
        Case::new(["import", "spec", "-", "--arches", "x86_64,ppc64le,aarch64", "-o", "-"]).stdin(&spec).run();
    from_stdin.exits(0);
    assert!(!from_stdin.path("-").exists(), "no file named `-`");
    // The same profile; only the file name in the comments differs.
    assert_eq!(from_stdin.stdout, from_file.stdout.replace("rhel-7.3.spec", "<stdin>"));
    from_stdin.stdout_has("[profile]\n");
}

/// Runs drvpolicy with `args`, reads one line of its output and closes the pipe.
fn close_after_one_line(args: &[&str]) -> (std::process::ExitStatus, String, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("drvpolicy"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // The reader is dropped here: the rest of the output meets a closed pipe.
    let output = child.wait_with_output().unwrap();
    (output.status, first, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    // More than a pipe buffer (64 KiB on Linux), so the writer meets the closed pipe.
    let full = Case::new(["matrix", "rhel-7.6-rhev", "--format", "html"]).run();
    assert!(full.stdout.len() > 70_000, "the output must outgrow the pipe: {} bytes", full.stdout.len());
    let (status, first, stderr) = close_after_one_line(&["matrix", "rhel-7.6-rhev", "--format", "html"]);
    assert_eq!(first, full.stdout.lines().next().unwrap().to_string() + "\n");
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn a_run_with_its_standard_streams_closed_still_writes_its_output_file() {
    use std::os::unix::process::CommandExt;
    let expected = Case::new(["generate", "spec", "rhel-7.3"]).run().stdout.clone();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.inc");
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("drvpolicy"));
    command.args(["generate", "spec", "rhel-7.3", "-o"]).arg(&out).env_remove("DRVPOLICY_PROFILES");
    // SAFETY: close(2) is async-signal-safe, as pre_exec requires.
    unsafe {
        command.pre_exec(|| {
            for fd in 0..3 {
                libc::close(fd);
            }
            Ok(())
        });
    }
    let status = command.status().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
}
