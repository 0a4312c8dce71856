//! `can`: one question for a pipeline gate: may PROGRAM open DRIVER with ACCESS, per arch.
//! The answer is the access model's (`access::program_access`), asked in one place.

use crate::catalogue::Catalogue;
use crate::diagnostic::{Diagnostic, Result, did_you_mean};
use crate::policy::{ArchPolicy, Policy};
use crate::profile::{Access, Program};
use crate::source::Sources;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CanView {
    pub profile: String,
    pub program: Program,
    pub driver: String,
    pub wanted: Access,
    /// Every arch asked grants it.
    pub granted: bool,
    pub arches: Vec<Answer>,
}

#[derive(Debug, Serialize)]
pub struct Answer {
    pub arch: String,
    pub granted: bool,
    /// What the program gets.
    pub got: Access,
    /// The layer that decides (`ro whitelist`, `build`, ...).
    pub layer: String,
    pub reason: String,
    /// The profile line or catalogue fact behind the decision.
    pub origin: String,
}

/// Whether `program` gets `wanted` access to `driver` on each of `arches`.
pub fn can(
    policy: &Policy,
    arches: &[&ArchPolicy],
    program: Program,
    driver: &str,
    wanted: Access,
    sources: &Sources,
) -> Result<CanView> {
    let catalogue = Catalogue::get();
    if catalogue.driver(driver).is_none() {
        let help = did_you_mean(driver, catalogue.drivers.keys().map(String::as_str))
            .unwrap_or_else(|| "`drvpolicy matrix PROFILE --all-drivers` lists the drivers".to_string());
        return Err(Diagnostic::error("unknown-driver", format!("`{driver}` is not a qemu block driver"))
            .with_help(help)
            .into());
    }
    let answers: Vec<Answer> = arches
        .iter()
        .map(|arch| {
            let (got, layer, reason, origin) = match crate::access::program_access(policy, arch, program, driver) {
                Some(v) => (v.value, v.layer.as_str().to_string(), v.reason, sources.describe(&v.origin)),
                // libguestfs reaches this driver only through the emulator: no add_drive protocol.
                None => (
                    Access::None,
                    "libguestfs".into(),
                    format!("add_drive has no protocol for {driver}"),
                    "default".into(),
                ),
            };
            Answer { arch: arch.arch.clone(), granted: got >= wanted, got, layer, reason, origin }
        })
        .collect();
    Ok(CanView {
        profile: policy.name.clone(),
        program,
        driver: driver.to_string(),
        wanted,
        granted: answers.iter().all(|a| a.granted),
        arches: answers,
    })
}
