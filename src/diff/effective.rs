//! Effective access: for every driver and program, the access `access` computes on each
//! side. Only a different access is a change; a different deciding layer alone is not.

use super::{Change, Decided, Kind};
use crate::access::{self, Context, Installed, Verdict};
use crate::policy::{ArchPolicy, Policy};
use crate::profile::Program;

/// Access changes on one arch both profiles build, sorted by driver, then program from the
/// bottom of the stack up.
pub(super) fn access(old: &Policy, old_arch: &ArchPolicy, new: &Policy, new_arch: &ArchPolicy) -> Vec<Change> {
    let mut drivers: Vec<&str> = old_arch.drivers.iter().chain(new_arch.drivers.iter()).map(|d| d.name).collect();
    drivers.sort_unstable();
    drivers.dedup();
    // libvirt decides nothing where the profiles do not describe it; its rows would only
    // repeat the emulator's.
    let libvirt = old_arch.libvirt.is_some() || new_arch.libvirt.is_some();
    let installed = Installed::All;
    let mut changes = Vec::new();
    for driver in drivers {
        // Values and layers are all a change compares.
        let before = access::evaluate(Context::new(old, old_arch, &installed).without_reasons(), driver);
        let after = access::evaluate(Context::new(new, new_arch, &installed).without_reasons(), driver);
        for &program in Program::ALL.iter().filter(|p| **p != Program::Libvirt || libvirt) {
            // None on both sides: the question does not apply to this driver.
            let (Some(before), Some(after)) = (before.verdict(program), after.verdict(program)) else { continue };
            if before.value != after.value {
                changes.push(change(driver, program, before, after));
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
    change.decided_by = Some(Decided { old: before.layer, new: after.layer });
    change
}
