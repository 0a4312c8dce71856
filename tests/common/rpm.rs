//! The real rpm on generated specs: `rpmspec -P --target=ARCH` expands the conditionals and
//! macros, a shell runs the %build, and a stub configure prints what it was given.

use std::path::Path;
use std::process::Command;

/// Prints each argument on its own line, standing in for qemu's configure.
const STUB_CONFIGURE: &str = "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n";

/// The %build of `spec` as rpm expands it for `arch` (with `defines`, each `"NAME VALUE"`),
/// from `from` (after it, if it is a section header such as `%build\n`) up to `%install`.
pub fn expanded_build(dir: &Path, spec: &str, arch: &str, from: &str, defines: &[&str]) -> String {
    let path = dir.join("expand.spec");
    std::fs::write(&path, spec).unwrap();
    let mut rpmspec = Command::new("rpmspec");
    rpmspec.args(["-P", &format!("--target={arch}")]);
    for define in defines {
        rpmspec.args(["--define", define]);
    }
    let out = rpmspec.arg(&path).output().expect("run rpmspec");
    assert!(out.status.success(), "rpmspec for {arch}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let found = text.find(from).unwrap_or_else(|| panic!("no {from:?} in\n{text}"));
    // A section header is not shell: the body starts after it.
    let start = if from.starts_with('%') { found + from.len() } else { found };
    let end = text[start..].find("%install").map_or(text.len(), |e| start + e);
    text[start..end].to_string()
}

/// The arguments `./configure` gets on `arch` when a shell runs the %build that
/// `expanded_build` gives; configure and `make` are stubs. Files go to `dir`.
pub fn configure_arguments(dir: &Path, spec: &str, arch: &str, from: &str, defines: &[&str]) -> Vec<String> {
    let build = expanded_build(dir, spec, arch, from, defines);
    let build = build.as_str();

    let stubs = dir.join("stubs");
    std::fs::create_dir_all(&stubs).unwrap();
    std::fs::write(dir.join("configure"), STUB_CONFIGURE).unwrap();
    std::fs::write(stubs.join("make"), "#!/bin/sh\n").unwrap();
    for stub in [dir.join("configure"), stubs.join("make")] {
        Command::new("chmod").arg("+x").arg(stub).status().unwrap();
    }
    std::fs::write(dir.join("build.sh"), build).unwrap();
    let path_var = format!("{}:{}", stubs.display(), std::env::var("PATH").unwrap_or_default());
    let run = Command::new("sh").args(["-e", "build.sh"]).current_dir(dir).env("PATH", path_var).output().unwrap();
    assert!(run.status.success(), "%build failed on {arch}:\n{build}\n{}", String::from_utf8_lossy(&run.stderr));
    String::from_utf8(run.stdout).unwrap().lines().map(str::to_string).collect()
}

const SPEC_HEAD: &str =
    "Name: drvpolicy-check\nVersion: 1\nRelease: 1\nSummary: expands a drvpolicy snippet\nLicense: MIT\n\n";
const SPEC_BODY: &str = "%description\nChecks generated configure arguments.\n\n%build\n";

/// What the drvpolicy command prints, with `--profiles DIR` for each of `profile_dirs`.
pub fn drvpolicy(profile_dirs: &[std::path::PathBuf], args: &[&str]) -> String {
    let mut command = assert_cmd::Command::cargo_bin("drvpolicy").unwrap();
    command.env_remove("DRVPOLICY_PROFILES");
    for dir in profile_dirs {
        command.arg("--profiles").arg(dir);
    }
    let output = command.args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// For each arch of profile `name`: the words configure gets from what `generate configure
/// --arch --one-line` prints, run as `./configure TEXT` through the same rpmspec and shell (so
/// rpm macros and quotes in extra-args are expanded on both sides), its extra-args as the
/// profile writes them, and whether it builds the tools only.
fn expected(
    dir: &Path,
    profile_dirs: &[std::path::PathBuf],
    name: &str,
) -> Vec<(String, Vec<String>, Vec<String>, bool)> {
    let mut store = drvpolicy::store::Store::new(profile_dirs).unwrap();
    let policy = drvpolicy::resolve::resolve(&mut store, name).unwrap().policy;
    policy
        .arches
        .iter()
        .map(|arch| {
            let printed = drvpolicy(profile_dirs, &["generate", "configure", name, "--arch", &arch.arch, "--one-line"]);
            let spec = format!("{SPEC_HEAD}{SPEC_BODY}./configure {printed}\n%install\n");
            let arguments = configure_arguments(dir, &spec, &arch.arch, "%build\n", &[]);
            let extra = arch.extra_args.iter().map(|e| e.value.clone()).collect();
            let tools_only = arch.build.value == drvpolicy::profile::BuildMode::ToolsOnly;
            (arch.arch.clone(), arguments, extra, tools_only)
        })
        .collect()
}

/// Expands the spec snippet of profile `name` in every style with the real rpmspec for each of
/// its arches, runs its %build with a shell and a stub configure, and asserts that configure
/// gets exactly what `generate configure --arch` passes it. The macros style goes into the
/// preamble, and the %build passes the arch's extra-args and `%{drvpolicy_block_args}` to a
/// configure of its own; after the snippet of every style, `%if %{drvpolicy_tools_only}` runs a
/// marker on the tools-only arches only. Returns the expansions checked.
pub fn check_spec_styles(dir: &Path, profile_dirs: &[std::path::PathBuf], name: &str) -> usize {
    let expected = expected(dir, profile_dirs, name);
    let mut checked = 0;
    for style in ["inline", "globals", "macros"] {
        let snippet = drvpolicy(profile_dirs, &["generate", "spec", name, "--style", style]);
        for (arch, arguments, extra, tools_only) in &expected {
            // What a spec's make targets would do: follow drvpolicy_tools_only.
            let marker = "%if %{drvpolicy_tools_only}\n./configure --tools-only-marker\n%endif\n";
            let spec = if style == "macros" {
                let extra: Vec<String> = extra.iter().map(|e| format!("{e} ")).collect();
                format!(
                    "{SPEC_HEAD}{snippet}\n{SPEC_BODY}./configure {}%{{drvpolicy_block_args}}\n{marker}%install\n",
                    extra.concat()
                )
            } else {
                format!("{SPEC_HEAD}{SPEC_BODY}{snippet}\n{marker}%install\n")
            };
            let got = configure_arguments(dir, &spec, arch, "%build\n", &[]);
            let mut want = arguments.clone();
            if *tools_only {
                want.push("--tools-only-marker".to_string());
            }
            assert_eq!(&got, &want, "{name} {style} on {arch}:\n{snippet}");
            checked += 1;
        }
    }
    checked
}
