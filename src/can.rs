//! `can`: one question for a pipeline gate: may PROGRAM open DRIVER with ACCESS, per arch.
//! The answer is the access model's (`access::evaluate`), asked in one place.

use crate::access::{self, Context, Installed};
use crate::catalogue::Catalogue;
use crate::code::Code;
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
    installed: &Installed,
    sources: &Sources,
) -> Result<CanView> {
    let catalogue = Catalogue::get();
    if catalogue.driver(driver).is_none() {
        let help = did_you_mean(driver, catalogue.drivers.keys().map(crate::catalogue::Text::as_str))
            .unwrap_or_else(|| "`drvpolicy matrix PROFILE --all-drivers` lists the drivers".to_string());
        return Err(Diagnostic::error(Code::UnknownDriver, format!("`{driver}` is not a qemu block driver"))
            .with_help(help)
            .into());
    }
    let answers: Vec<Answer> = arches
        .iter()
        .map(|arch| {
            let v = access::evaluate(Context::new(policy, arch, installed), driver).verdict_or_refusal(program);
            Answer {
                arch: arch.arch.clone(),
                granted: v.value >= wanted,
                got: v.value,
                layer: v.layer.label().to_string(),
                reason: v.reason,
                origin: sources.describe(&v.origin),
            }
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
