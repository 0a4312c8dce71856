//! Effective access: for every driver and program, the access `access` computes on each
//! side. Only a different access is a change; a different deciding layer alone is not.

use super::{Change, Decided, Kind};
use crate::access::{self, Verdict};
use crate::policy::{ArchPolicy, Policy};
use crate::profile::Program;

/// Access changes on one arch both profiles build, sorted by driver, then program from the
/// bottom of the stack up.
pub(super) fn access(old: &Policy, old_arch: &ArchPolicy, new: &Policy, new_arch: &ArchPolicy) -> Vec<Change> {
    let mut drivers: Vec<&str> = old_arch.drivers.iter().chain(&new_arch.drivers).map(|d| d.name.as_str()).collect();
    drivers.sort_unstable();
    drivers.dedup();
    // libvirt decides nothing where the profiles do not describe it; its rows would only
    // repeat the emulator's.
    let libvirt = old_arch.libvirt_disabled.is_some() || new_arch.libvirt_disabled.is_some();
    let mut changes = Vec::new();
    for driver in drivers {
        for &program in Program::ALL.iter().filter(|p| **p != Program::Libvirt || libvirt) {
            let before = access::program_access(old, old_arch, program, driver);
            let after = access::program_access(new, new_arch, program, driver);
            // None on both sides: the question does not apply to this driver.
            let (Some(before), Some(after)) = (before, after) else { continue };
            if before.value != after.value {
                changes.push(change(driver, program, &before, &after));
            }
        }
    }
    changes
}

fn change(driver: &str, program: Program, before: &Verdict, after: &Verdict) -> Change {
    let mut change = Change::new(Kind::Changed, "access");
    change.item = Some(driver.to_string());
    change.program = Some(program.to_string());
    change.old = Some(before.value.to_string());
    change.new = Some(after.value.to_string());
    // Only the layers: reasons name the arch ("no emulator on ppc64le") and would keep
    // arches with the same change from folding.
    change.decided_by = Some(Decided { old: before.layer.as_str().to_string(), new: after.layer.as_str().to_string() });
    change
}
