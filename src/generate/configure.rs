//! `generate configure`: one arch's arguments.

use crate::code::Code;
use crate::diagnostic::Result;
use crate::options::{self, Argument, Dialect};
use crate::policy::{ArchPolicy, Policy};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ConfigureView {
    pub profile: String,
    pub arch: String,
    pub package: String,
    pub version: String,
    pub build: String,
    pub dialect: Dialect,
    pub one_line: bool,
    pub arguments: Vec<String>,
}

/// The arguments of `arch`, or the options this qemu version cannot take in `dialect`.
pub fn arguments(policy: &Policy, arch: &ArchPolicy, dialect: Dialect) -> Result<Vec<Argument>> {
    let (arguments, problems) = options::arguments(policy, arch, dialect);
    match super::failure(problems) {
        Some(failure) => Err(failure),
        None => Ok(arguments),
    }
}

/// `generate configure --format json` (schema `generate-configure`): the view without its
/// rendering choice.
#[derive(Debug, Serialize)]
pub struct ConfigureJson<'a> {
    pub profile: &'a str,
    pub arch: &'a str,
    pub package: &'a str,
    pub version: &'a str,
    pub build: &'a str,
    pub dialect: Dialect,
    /// The words configure gets, after the shell's quote removal (`--extra-cflags="-O2 -g"`
    /// is the one word `--extra-cflags=-O2 -g`); rpm macros stay as written.
    pub arguments: Vec<String>,
}

impl ConfigureView {
    pub fn json(&self) -> Result<ConfigureJson<'_>> {
        Ok(ConfigureJson {
            profile: &self.profile,
            arch: &self.arch,
            package: &self.package,
            version: &self.version,
            build: &self.build,
            dialect: self.dialect,
            arguments: self.words()?,
        })
    }

    /// The arguments as the words a shell makes of them, for callers that run configure
    /// without one (`-0`, JSON).
    pub fn words(&self) -> Result<Vec<String>> {
        let mut words = Vec::new();
        for argument in &self.arguments {
            match shell_words::split(argument) {
                Ok(split) => words.extend(split),
                Err(_) => {
                    let message =
                        format!("`{argument}` is not complete shell text (an unclosed quote or a trailing backslash)");
                    return Err(crate::diagnostic::Diagnostic::error(Code::BadArgument, message)
                        .with_help("write each extra-args entry as the shell reads it")
                        .into());
                }
            }
        }
        Ok(words)
    }
}

pub fn view(policy: &Policy, arch: &ArchPolicy, dialect: Dialect, one_line: bool) -> Result<ConfigureView> {
    let arguments = arguments(policy, arch, dialect)?;
    Ok(ConfigureView {
        profile: policy.name.clone(),
        arch: arch.arch.clone(),
        package: policy.qemu.package.value.clone(),
        version: policy.qemu.version.value.to_string(),
        build: arch.build.value.to_string(),
        dialect,
        one_line,
        arguments: options::texts(&arguments),
    })
}
