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

/// `program` and every program its disks pass through, top of the stack first: each program
/// once at most, so it fits an array (every evaluation derives four routes).
#[derive(Debug, Clone, Copy)]
pub struct Route {
    hops: [Program; Program::ALL.len()],
    len: usize,
}

impl std::ops::Deref for Route {
    type Target = [Program];

    fn deref(&self) -> &[Program] {
        &self.hops[..self.len]
    }
}

pub fn route(program: Program, policy: &Policy) -> Route {
    let mut route = Route { hops: [program; Program::ALL.len()], len: 1 };
    while let Some(next) = goes_through(route[route.len - 1], policy) {
        // With every program on it, `next` is one of them: the array cannot overflow.
        if route.contains(&next) {
            break;
        }
        route.hops[route.len] = next;
        route.len += 1;
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
    // One pass over the steps on the route, in the order an open meets them: the least cap
    // and the first step that imposes it, the last step that lets the driver through, and
    // the first step of all.
    let (mut least, mut limiting, mut last_pass, mut first) = (Access::ReadWrite, None, None, None);
    for step in route.iter().flat_map(|hop| steps.iter().filter(move |s| s.applies.contains(hop))) {
        first = first.or(Some(step));
        let cap = step.outcome.cap();
        if cap < least {
            (least, limiting) = (cap, Some(step));
        }
        if step.outcome == Outcome::Pass {
            last_pass = Some(step);
        }
    }
    let deciding = if least == Access::ReadWrite { last_pass } else { limiting };
    let step = deciding.or(first).or(steps.first())?;
    Some(Verdict {
        value: least,
        layer: step.layer,
        reason: step.detail.clone(),
        message: step.message.clone().filter(|_| least != Access::ReadWrite),
        origin: step.origin.clone(),
    })
}
