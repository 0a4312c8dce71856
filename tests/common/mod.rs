//! A readable builder for CLI cases: `Case::new(["generate", "spec", "x"]).profile("x", TOML).run()`.
#![allow(dead_code)]

pub mod rpm;

use std::path::{Path, PathBuf};

pub struct Case {
    args: Vec<String>,
    dir: tempfile::TempDir,
    profiles: bool,
    stdin: Option<String>,
    env: Vec<(String, String)>,
}

/// What a run printed and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub dir: PathBuf,
    _keep: tempfile::TempDir,
}

impl Case {
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(args: I) -> Case {
        Case {
            args: args.into_iter().map(|a| a.as_ref().to_string()).collect(),
            dir: tempfile::tempdir().expect("temp dir"),
            profiles: false,
            stdin: None,
            env: Vec::new(),
        }
    }

    /// Adds a profile `NAME.toml` to a `--profiles` directory of this case.
    pub fn profile(mut self, name: &str, toml: &str) -> Case {
        let dir = self.dir.path().join("profiles");
        std::fs::create_dir_all(&dir).expect("profiles dir");
        std::fs::write(dir.join(format!("{name}.toml")), toml).expect("write profile");
        self.profiles = true;
        self
    }

    /// Writes a file into the case's directory; `{dir}` in arguments stands for that directory.
    pub fn file(self, name: &str, contents: &str) -> Case {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("file dir");
        }
        std::fs::write(path, contents).expect("write file");
        self
    }

    /// Sets an environment variable for the run; `{dir}` stands for the case's directory.
    pub fn env(mut self, name: &str, value: &str) -> Case {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    pub fn stdin(mut self, text: &str) -> Case {
        self.stdin = Some(text.to_string());
        self
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn run(self) -> Run {
        let dir = self.dir.path().to_path_buf();
        let mut command = assert_cmd::Command::cargo_bin("drvpolicy").expect("the drvpolicy binary");
        command.current_dir(&dir);
        // The developer's own search path must not leak into the cases.
        command.env_remove("DRVPOLICY_PROFILES");
        if self.profiles {
            command.arg("--profiles").arg(dir.join("profiles"));
        }
        let dir_text = dir.display().to_string();
        command.args(self.args.iter().map(|a| a.replace("{dir}", &dir_text)));
        for (name, value) in &self.env {
            command.env(name, value.replace("{dir}", &dir_text));
        }
        if let Some(stdin) = &self.stdin {
            command.write_stdin(stdin.clone());
        }
        let output = command.output().expect("run drvpolicy");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            dir,
            _keep: self.dir,
        }
    }
}

impl Run {
    /// Asserts the exit status, showing both streams when it is wrong.
    pub fn exits(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "exit status\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }

    pub fn stdout_has(&self, text: &str) -> &Run {
        assert!(self.stdout.contains(text), "stdout lacks {text:?}\n--- stdout\n{}", self.stdout);
        self
    }

    pub fn stderr_has(&self, text: &str) -> &Run {
        assert!(self.stderr.contains(text), "stderr lacks {text:?}\n--- stderr\n{}", self.stderr);
        self
    }

    pub fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).expect("read output file")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// Whether a real tool is on PATH. In CI (`CI=true`) a missing tool fails the test instead
/// of skipping it.
pub fn require_tool(tool: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| Path::new(&p).join(tool).is_file()));
    require(found, &format!("{tool} is not installed"))
}

/// `found`, or else: in CI (`CI=true`) a failed test saying `missing`, outside it a skip.
pub fn require(found: bool, missing: &str) -> bool {
    if !found {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(!ci, "{missing}; CI must provide it (see .ci/run)");
        eprintln!("skipping: {missing} (outside CI)");
    }
    found
}

/// The names of the shipped profiles.
pub fn shipped_profiles() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/profiles"))
        .expect("profiles/")
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_string))
        .collect();
    names.sort();
    names
}
