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
