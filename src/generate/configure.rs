//! `generate configure`: one arch's arguments.

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
