//! Hostile and careless input (issue 10): each case with its exit status and the place it
//! names. Values that would escape into generated text, what a packager does not mean and
//! should hear about, and input that would take unbounded time or memory.

mod common;

use common::Case;
use std::path::Path;
use std::time::Duration;

const HEAD: &str = "[profile]\nproduct = \"t\"\nrelease = \"1.0\"\narches = [\"x86_64\"]\n\n[qemu]\npackage = \"qemu-kvm\"\nversion = \"2.12.0\"\n";

fn show(toml: &str) -> common::Run {
    Case::new(["show", "t"]).profile("t", toml).run()
}

fn generate_spec(toml: &str) -> common::Run {
    Case::new(["generate", "spec", "t"]).profile("t", toml).run()
}

/// The run must not put a raw escape character on the terminal.
fn no_escape(run: &common::Run) -> &common::Run {
    assert!(!run.stderr.contains('\u{1b}') && !run.stdout.contains('\u{1b}'), "raw ESC:\n{}", run.stderr);
    run
}

// 1. No value escapes its place.

#[test]
fn a_newline_in_an_extra_arg_is_refused_at_its_line() {
    let run = generate_spec(&format!("{HEAD}extra-args = [\"--prefix=/usr\\n%endif\\nrm -rf /\"]\n"));
    run.exits(2)
        .stderr_has("error[bad-extra-arg]: the extra-arg `--prefix=/usr\\n%endif\\nrm -rf /` would not stay one configure argument: U+000A (line feed) is not allowed in an extra-arg")
        .stderr_has("profiles/t.toml:9:15")
        .stderr_has("help: an extra-arg is one shell word as written");
    assert!(run.stdout.is_empty());
}

#[test]
fn an_extra_arg_that_is_not_one_shell_word_is_refused() {
    for (arg, why) in [
        ("--enable-spice; rm -rf /", "it is 4 shell words, not one: quote the blanks"),
        ("--x;rm", "`;` outside quotes is a shell operator"),
        ("", "an empty extra-arg would be a blank line"),
        ("--x=$(reboot)", "command substitution ($(...)) runs a command"),
        ("%(reboot)", "rpm expands `%` everywhere in a spec"),
        ("--x\\\\", "a backslash at the end would join the next line"),
    ] {
        let run = generate_spec(&format!("{HEAD}extra-args = [\"{arg}\"]\n"));
        run.exits(2).stderr_has("error[bad-extra-arg]").stderr_has(why).stderr_has("profiles/t.toml:9:15");
    }
    // Quoted forms are one word, and pass as written.
    let run = Case::new(["generate", "configure", "t", "--arch", "x86_64", "--one-line"])
        .profile("t", &format!("{HEAD}extra-args = [\"'a;b'\", \"--extra-cflags=\\\"%{{optflags}} -fPIE\\\"\"]\n"))
        .run();
    run.exits(0);
    assert_eq!(run.stdout, "'a;b' --extra-cflags=\"%{optflags} -fPIE\"\n");
}

#[test]
fn custom_feature_names_and_flags_follow_configure_s_grammar() {
    let run = generate_spec(&format!(
        "{HEAD}features = {{ spice = \"enable\" }}\n\n[qemu.custom-features]\nspice = {{ flag = \"spice; rm -rf /\" }}\n"
    ));
    run.exits(2)
        .stderr_has("error[bad-name]: `spice; rm -rf /` is not valid as a custom feature's flag")
        .stderr_has("profiles/t.toml:12:18")
        .stderr_has("help: expected lower-case letters and digits in words joined by `-`");
    let run = generate_spec(&format!(
        "{HEAD}features = {{ \"a\\nb\" = \"enable\" }}\n\n[qemu.custom-features]\n\"a\\nb\" = {{ summary = \"x\" }}\n"
    ));
    run.exits(2)
        .stderr_has("error[bad-name]: `a\\nb` is not valid as a custom feature's name")
        .stderr_has("t.toml:12:1");
    let run = generate_spec(&format!("{HEAD}\n[qemu.custom-features]\nspice = {{ flag = \"\" }}\n"));
    run.exits(2).stderr_has("error[bad-name]: `` is not valid as a custom feature's flag").stderr_has("t.toml:11:18");
}

#[test]
fn a_newline_in_the_package_or_the_patch_is_refused() {
    let run = generate_spec(&HEAD.replace("package = \"qemu-kvm\"", "package = \"qemu-kvm\\n%endif\""));
    run.exits(2)
        .stderr_has("error[bad-name]: `qemu-kvm\\n%endif` is not valid as the qemu package")
        .stderr_has("t.toml:7:11");
    let run = Case::new(["generate", "libguestfs", "t"])
        .profile("t", &format!("{HEAD}\n[libguestfs]\nversion = \"1.32.7\"\npatch = \"RHEL 7\\ndisabled (0):\"\n"))
        .run();
    run.exits(2)
        .stderr_has("error[control-character]: the libguestfs patch contains the control character U+000A (line feed)")
        .stderr_has("t.toml:12:9");
}

#[test]
fn an_escape_sequence_never_reaches_the_terminal() {
    let run = show(&HEAD.replace("product = \"t\"", "product = \"\\u001b[31mred\""));
    no_escape(&run)
        .exits(2)
        .stderr_has("error[control-character]: the product contains the control character U+001B (escape)")
        .stderr_has("t.toml:2:11");
    // Names echoed in messages are escaped too: an unknown key, a TOML error's source line.
    let run = show(&format!("{HEAD}\"\\u001b]0;owned\\u0007\" = 1\n"));
    no_escape(&run).exits(2).stderr_has("unknown key `\\u{1b}]0;owned\\u{7}` in [qemu]");
    let run = show(&format!("{HEAD}x = \"\u{1b}[2J\"\n"));
    no_escape(&run).exits(2).stderr_has("error[toml-syntax]").stderr_has("\\u{1b}[2J");
}

#[test]
fn a_profile_file_name_that_rpm_would_expand_is_refused() {
    let run = Case::new(["generate", "spec", "%(reboot)"]).profile("%(reboot)", HEAD).run();
    run.exits(2).stderr_has("error[bad-name]: `%(reboot)` is not a profile name");
}

// 2. What a packager does not mean.

#[test]
fn a_whitelist_entry_written_twice_is_a_warning_and_reaches_configure_once() {
    let run = Case::new(["generate", "configure", "t", "--arch", "x86_64"])
        .profile("t", &format!("{HEAD}rw-whitelist = [\"qcow2\", \"qcow2\", \"raw\"]\n"))
        .run();
    run.exits(0)
        .stderr_has("warning[duplicate-entry]: t lists `qcow2` twice in the rw whitelist")
        .stderr_has("t.toml:9:26");
    assert_eq!(run.stdout, "--block-drv-rw-whitelist=qcow2,raw\n");
    let run = Case::new(["check", "t", "--deny-warnings"])
        .profile("t", &format!("{HEAD}rw-whitelist = [\"qcow2\", \"qcow2\", \"raw\"]\n"))
        .run();
    run.exits(1).stdout_has("t: 0 errors, 1 warning");
}

#[test]
fn duplicate_arches_and_needs_are_warnings() {
    let run = show(&HEAD.replace("[\"x86_64\"]", "[\"x86_64\", \"aarch64\", \"x86_64\"]"));
    run.exits(0)
        .stderr_has("warning[duplicate-entry]: t lists `x86_64` twice in [profile] arches")
        .stderr_has("t.toml:4:32");
    let need = "{ driver = \"qcow2\", access = \"rw\", program = \"emulator\" }";
    let run = show(&format!("{HEAD}\n[consumers.virt-v2v]\nneeds = [{need}, {need}]\n"));
    run.exits(0)
        .stderr_has("warning[duplicate-entry]: t lists `qcow2` twice in the needs of virt-v2v")
        .stderr_has("t.toml:11:69");
}

const PARENT: &str = "[profile]\nproduct = \"t\"\nrelease = \"1.0\"\narches = [\"x86_64\"]\n\n[qemu]\npackage = \"qemu-kvm\"\nversion = \"2.12.0\"\nrw-whitelist = [\"qcow2\", \"raw\"]\n";

fn child(edit: &str) -> common::Run {
    Case::new(["show", "c"])
        .profile("p", PARENT)
        .profile("c", &format!("[profile]\nrelease = \"1.1\"\ninherits = \"p\"\n\n[qemu]\nrw-whitelist = {edit}\n"))
        .run()
}

#[test]
fn an_add_of_an_inherited_entry_and_an_add_and_remove_of_one_are_warnings() {
    let run = child("{ add = [\"qcow2\"] }");
    run.exits(0)
        .stderr_has("warning[add-present]: c adds `qcow2` to the rw whitelist, which already has it")
        .stderr_has("c.toml:6:25")
        .stderr_has("p.toml:9:17");
    let run = child("{ add = [\"nbd\"], remove = [\"nbd\"] }");
    run.exits(0)
        .stderr_has("warning[add-and-remove]: c both adds and removes `nbd` in the rw whitelist: the add wins")
        .stderr_has("c.toml:6:43");
}

#[test]
fn a_qemu_older_than_any_and_versions_with_a_dangling_dash_are_errors() {
    let run = show(&HEAD.replace("2.12.0", "0.0.1"));
    run.exits(2)
        .stderr_has("error[version-before-catalogue]: qemu 0.0.1 is older than any qemu the catalogue knows")
        .stderr_has("t.toml:8:11");
    let run = show(&HEAD.replace("2.12.0", "1.5.3-"));
    run.exits(2).stderr_has("error[bad-version]: `1.5.3-` is not a qemu version").stderr_has("t.toml:8:11");
    let run = show(&HEAD.replace("release = \"1.0\"", "release = \"7.3-\""));
    run.exits(2).stderr_has("error[bad-version]: `7.3-` is not a release version").stderr_has("t.toml:3:11");
}

#[test]
fn a_consumer_on_an_arch_the_profile_does_not_build_is_a_warning() {
    let run = show(&format!(
        "{HEAD}\n[consumers.virt-v2v]\narches = [\"x86_64\", \"s390x\"]\nneeds = [{{ driver = \"qcow2\", access = \"rw\", program = \"emulator\" }}]\n"
    ));
    run.exits(0)
        .stderr_has("warning[consumer-arch-not-built]: t lists `s390x` for the consumer virt-v2v, but t builds x86_64")
        .stderr_has("t.toml:11:21");
}

// 3. Bounded time and memory.

/// Runs drvpolicy in `dir` with a deadline: a hang is a failure, not a stuck test.
fn run_in(dir: &Path, args: &[&str], stdin: Option<Vec<u8>>) -> (i32, String, String) {
    let mut command = assert_cmd::Command::cargo_bin("drvpolicy").unwrap();
    command.current_dir(dir).args(args).timeout(Duration::from_secs(30));
    if let Some(stdin) = stdin {
        command.write_stdin(stdin);
    }
    let output = command.output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
}

fn profiles_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("p")).unwrap();
    dir
}

#[test]
fn a_fifo_or_dev_zero_as_a_profile_is_not_a_regular_file() {
    let dir = profiles_dir();
    let fifo = dir.path().join("p/f.toml");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("p/z.toml")).unwrap();
    for args in [&["list"][..], &["show", "f"], &["check", "f"], &["check", "--all"]] {
        let args: Vec<&str> = ["--profiles", "p"].iter().chain(args).copied().collect();
        let (code, stdout, stderr) = run_in(dir.path(), &args, None);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        let out = format!("{stdout}{stderr}");
        assert!(out.contains("error[io]: cannot read p/f.toml: not a regular file (it is a FIFO)"), "{args:?}: {out}");
    }
    let (code, _, stderr) = run_in(dir.path(), &["--profiles", "p", "show", "z"], None);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("error[io]: cannot read p/z.toml: not a regular file (it is a character device)"),
        "{stderr}"
    );
}

#[test]
fn a_profile_over_the_size_limit_is_refused_with_its_size_and_the_limit() {
    let dir = profiles_dir();
    let big =
        HEAD.replace("release = \"1.0\"\n", &format!("release = \"1.0\"\ndescription = \"{}\"\n", "x".repeat(1 << 20)));
    std::fs::write(dir.path().join("p/t.toml"), &big).unwrap();
    let (code, _, stderr) = run_in(dir.path(), &["--profiles", "p", "show", "t"], None);
    assert_eq!(code, 2);
    let size = big.len();
    assert!(
        stderr.contains(&format!(
            "error[io]: cannot read p/t.toml: 1.0 MiB ({size} bytes) is over the limit of 1.0 MiB (1048576 bytes)"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("--max-profile-size raises the limit"), "{stderr}");
    let (code, _, stderr) = run_in(dir.path(), &["--profiles", "p", "--max-profile-size", "2M", "show", "t"], None);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_help_text_over_the_limit_is_refused_from_a_file_and_from_stdin() {
    let dir = profiles_dir();
    let text = format!("Supported formats: {}\n", "raw ".repeat(1000));
    std::fs::write(dir.path().join("help.txt"), &text).unwrap();
    let size = text.len();
    for (path, stdin) in [("help.txt", None), ("-", Some(text.clone().into_bytes()))] {
        let args = ["verify", "rhel-7.3", "--arch", "x86_64", "--help-text", path, "--max-help-size", "1K"];
        let (code, _, stderr) = run_in(dir.path(), &args, stdin);
        assert_eq!(code, 2, "{stderr}");
        let shown = if path == "-" { "1.0 KiB (1025 bytes)".to_string() } else { format!("3.9 KiB ({size} bytes)") };
        assert!(
            stderr.contains(&format!("cannot read {path}: {shown} is over the limit of 1.0 KiB (1024 bytes)")),
            "{stderr}"
        );
    }
}

fn with_keys(keys: usize) -> String {
    let mut text = String::from("[profile]\nrelease = \"1.0\"\n");
    for k in 0..keys {
        text.push_str(&format!("k{k} = 1\n"));
    }
    text
}

#[test]
fn seventy_thousand_unknown_keys_give_fifty_diagnostics_and_a_count() {
    let text = with_keys(70_000);
    assert!(text.len() < 1 << 20, "under the profile limit");
    let run = Case::new(["show", "t"]).profile("t", &text).run();
    run.exits(2);
    assert_eq!(run.stderr.matches("error[unknown-key]").count(), 50);
    run.stderr_has("profiles/t.toml:52:1")
        .stderr_has("... and 69950 more diagnostics in")
        .stderr_has("(--max-diagnostics 0 shows all)");
    let run = Case::new(["check", "t"]).profile("t", &text).run();
    run.exits(2).stdout_has("t: 70000 errors, 0 warnings").stdout_has("... and 69950 more diagnostics in");
    assert_eq!(run.stdout.matches("error[unknown-key]").count(), 50);
}

#[test]
fn max_diagnostics_0_prints_all_and_n_prints_n() {
    let text = with_keys(120);
    let run = Case::new(["--max-diagnostics", "0", "show", "t"]).profile("t", &text).run();
    run.exits(2);
    assert_eq!(run.stderr.matches("error[unknown-key]").count(), 120);
    assert!(!run.stderr.contains("more diagnostic"));
    let run = Case::new(["show", "t", "--max-diagnostics", "3"]).profile("t", &text).run();
    assert_eq!(run.stderr.matches("error[unknown-key]").count(), 3);
    run.stderr_has("... and 117 more diagnostics in");
}

#[test]
fn a_byte_that_is_not_utf8_is_located_in_every_command() {
    let dir = profiles_dir();
    let mut bytes = HEAD.as_bytes().to_vec();
    bytes.extend_from_slice(b"extra-args = [\"--x=caf\xe9\"]\n");
    std::fs::write(dir.path().join("p/t.toml"), bytes).unwrap();
    let located = "error[invalid-utf8]: p/t.toml is not UTF-8: byte 0xE9 at line 9, column 23";
    for (args, exit) in [
        (&["show", "t"][..], 2),
        (&["generate", "spec", "t"], 2),
        (&["list"], 2),
        // A profile that does not load is exit 2 in every command (issue 9).
        (&["check", "t"], 2),
        (&["check", "--all"], 2),
    ] {
        let args: Vec<&str> = ["--profiles", "p"].iter().chain(args).copied().collect();
        let (code, stdout, stderr) = run_in(dir.path(), &args, None);
        assert_eq!(code, exit, "{args:?}: {stderr}");
        let out = format!("{stdout}{stderr}");
        assert!(out.contains(located) && out.contains("--> p/t.toml:9:23"), "{args:?}:\n{out}");
    }
}

const SPEC: &str = "# drvpolicy:begin rhel-7.3\nold\n# drvpolicy:end\n";

#[test]
fn sync_reads_a_begin_marker_after_a_byte_order_mark() {
    let run = Case::new(["sync", "q.spec", "rhel-7.3"]).file("q.spec", &format!("\u{feff}{SPEC}")).run();
    run.exits(0).stdout_has("q.spec:1-3: the rhel-7.3 region (inline) was regenerated");
    let synced = run.file("q.spec");
    assert!(synced.starts_with("\u{feff}# drvpolicy:begin rhel-7.3\n# drvpolicy: qemu block-driver"), "{synced}");
}

#[test]
fn sync_refuses_a_read_only_spec_unless_forced() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.spec");
    std::fs::write(&path, SPEC).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let (code, _, stderr) = run_in(dir.path(), &["sync", "q.spec", "rhel-7.3"], None);
    assert_eq!(code, 2);
    assert!(stderr.contains("error[read-only]: q.spec is read-only: the stale region was not regenerated"), "{stderr}");
    assert!(stderr.contains("pass --force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), SPEC);
    let (code, stdout, stderr) = run_in(dir.path(), &["sync", "q.spec", "rhel-7.3", "--force"], None);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("was regenerated"));
    assert_ne!(std::fs::read_to_string(&path).unwrap(), SPEC);
    // The mode is kept: it is still read-only.
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o444);
}

#[test]
fn sync_refuses_a_spec_that_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    assert!(std::process::Command::new("mkfifo").arg(dir.path().join("q.spec")).status().unwrap().success());
    let (code, _, stderr) = run_in(dir.path(), &["sync", "q.spec", "rhel-7.3"], None);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read q.spec: not a regular file (it is a FIFO)"), "{stderr}");
}
