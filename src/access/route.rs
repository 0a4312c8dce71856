//! Which layers a program's open passes: its own, then those of the program it hands the disk
//! to. The edges are explicit (libguestfs with the libvirt backend goes through libvirt to the
//! emulator), not the order of an enum.

use super::{Outcome, Step, Verdict};
use crate::policy::Policy;
use crate::profile::LibguestfsBackend;
use crate::profile::{Access, Program};

/// The program that `program` hands its disks to, if any.
pub fn goes_through(program: Program, policy: &Policy) -> Option<Program> {
    match program {
        Program::Emulator | Program::Tools => None,
        Program::Libvirt => Some(Program::Emulator),
        Program::Libguestfs => Some(match policy.libguestfs_backend.value {
            LibguestfsBackend::Libvirt => Program::Libvirt,
            LibguestfsBackend::Direct => Program::Emulator,
        }),
    }
}

/// `program` and every program its disks pass through, top of the stack first.
pub fn route(program: Program, policy: &Policy) -> Vec<Program> {
    let mut route = vec![program];
    while let Some(next) = route.last().and_then(|p| goes_through(*p, policy)) {
        if route.contains(&next) {
            break;
        }
        route.push(next);
    }
    route
}

/// The access along `route`: the least any step on it allows. A limit is decided by the first
/// step (in the order an open meets them) that imposes it; a full grant by the last step that
/// actively lets the driver through. `None` for libguestfs when no protocol opens the driver.
pub(super) fn derive(steps: &[Step], route: &[Program], program: Program, has_protocol: bool) -> Option<Verdict> {
    if program == Program::Libguestfs && !has_protocol {
        return None;
    }
    let on_route: Vec<&Step> =
        route.iter().flat_map(|hop| steps.iter().filter(move |s| s.applies.contains(hop))).collect();
    let least = on_route.iter().map(|s| s.outcome.cap()).min().unwrap_or(Access::ReadWrite);
    let deciding = if least == Access::ReadWrite {
        on_route.iter().rev().find(|s| s.outcome == Outcome::Pass)
    } else {
        on_route.iter().find(|s| s.outcome.cap() == least)
    };
    let step = deciding.or(on_route.first()).copied().or(steps.first())?;
    Some(Verdict {
        value: least,
        layer: step.layer,
        reason: step.detail.clone(),
        message: step.message.clone().filter(|_| least != Access::ReadWrite),
        origin: step.origin.clone(),
    })
}
