//! `matrix`: every driver of the profile's qemu version x arch x program at a glance, from
//! the same verdicts as `explain`.

use crate::access;
use crate::catalogue::Catalogue;
use crate::policy::Policy;
use crate::profile::{Access, Program};
use crate::source::Sources;
use serde::Serialize;

/// The matrix's programs, bottom of the stack first. libvirt gets a column only when the
/// profile describes it: otherwise it decides nothing and its column would repeat the emulator's.
fn programs(policy: &Policy) -> Vec<Program> {
    let libvirt = policy.arches.iter().any(|a| a.libvirt_disabled.is_some());
    Program::ALL.iter().copied().filter(|p| *p != Program::Libvirt || libvirt).collect()
}

#[derive(Debug, Serialize)]
pub struct MatrixView {
    pub profile: String,
    /// `rhel-7.3 (qemu-kvm 1.5.3)`.
    pub title: String,
    pub description: String,
    pub programs: Vec<ProgramColumn>,
    pub arches: Vec<ArchColumn>,
    /// One row per driver that exists in the qemu version, in catalogue order (formats,
    /// protocols, filters); drivers compiled out on every arch only with `--all-drivers`.
    pub rows: Vec<Row>,
    /// Drivers compiled out on every arch (rows of their own only with `--all-drivers`).
    pub compiled_out_everywhere: Vec<String>,
    pub all_drivers: bool,
    /// Arches that build only the tools: their emulator and libguestfs cells are all `-`.
    pub tools_only: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ProgramColumn {
    /// `emulator`, `tools`, `libguestfs`.
    pub name: String,
    /// The narrow header of the text matrix.
    pub short: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ArchColumn {
    pub arch: String,
    /// `full` or `tools-only`.
    pub build: String,
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub driver: String,
    /// format, protocol or filter.
    pub kind: String,
    /// The libguestfs `add_drive` protocol that opens it, if any.
    pub protocol: Option<String>,
    pub compiled_out_everywhere: bool,
    /// One group per arch, in `arches` order, each with one cell per program.
    pub groups: Vec<Vec<Cell>>,
}

#[derive(Debug, Serialize)]
pub struct Cell {
    pub arch: String,
    pub program: String,
    /// What the cell shows: `rw`, `ro`, `-` (refused) or `n/a` (libguestfs has no protocol for it).
    pub symbol: &'static str,
    /// `rw`, `ro`, `none`, or `n/a` as in `symbol`.
    pub access: &'static str,
    /// The first layer that decides it.
    pub layer: String,
    pub reason: String,
    /// What the user sees when refused (for `ro`: on a read-write open).
    pub message: Option<String>,
    pub origin: String,
}

pub fn view(policy: &Policy, all_drivers: bool, sources: &Sources) -> MatrixView {
    let version = &policy.qemu.version.value;
    let backports = policy.backport_names();
    let catalogue = Catalogue::get();
    let programs = programs(policy);
    let mut rows = Vec::new();
    let mut compiled_out_everywhere = Vec::new();
    for (name, driver) in catalogue.drivers_in(version, &backports) {
        let everywhere_out = policy.arches.iter().all(|a| !a.compiled_in(name));
        if everywhere_out {
            compiled_out_everywhere.push(name.to_string());
            if !all_drivers {
                continue;
            }
        }
        let protocol = access::protocol_of(name);
        let groups = policy
            .arches
            .iter()
            .map(|arch| {
                programs
                    .iter()
                    .map(|&program| {
                        let Some(verdict) = access::program_access(policy, arch, program, name) else {
                            return Cell {
                                arch: arch.arch.clone(),
                                program: program.to_string(),
                                symbol: "n/a",
                                access: "n/a",
                                layer: access::Layer::Libguestfs.as_str().to_string(),
                                reason: format!("add_drive has no protocol for {name}"),
                                message: None,
                                origin: sources.describe(&crate::source::Origin::Catalogue(
                                    "libguestfs add_drive protocols".into(),
                                )),
                            };
                        };
                        let (symbol, access) = match verdict.value {
                            Access::ReadWrite => ("rw", "rw"),
                            Access::ReadOnly => ("ro", "ro"),
                            Access::None => ("-", "none"),
                        };
                        Cell {
                            arch: arch.arch.clone(),
                            program: program.to_string(),
                            symbol,
                            access,
                            layer: verdict.layer.as_str().to_string(),
                            reason: verdict.reason,
                            message: verdict.message,
                            origin: sources.describe(&verdict.origin),
                        }
                    })
                    .collect()
            })
            .collect();
        rows.push(Row {
            driver: name.to_string(),
            kind: driver.kind.as_str().to_string(),
            protocol: protocol.map(str::to_string),
            compiled_out_everywhere: everywhere_out,
            groups,
        });
    }
    MatrixView {
        profile: policy.name.clone(),
        title: policy.title(),
        description: policy.description.clone(),
        programs: programs
            .iter()
            .map(|p| ProgramColumn {
                name: p.to_string(),
                short: match p {
                    Program::Emulator => "emu",
                    Program::Libguestfs => "guestfs",
                    Program::Libvirt => "virt",
                    Program::Tools => "tools",
                },
            })
            .collect(),
        arches: policy
            .arches
            .iter()
            .map(|a| ArchColumn { arch: a.arch.clone(), build: a.build.value.to_string() })
            .collect(),
        rows,
        compiled_out_everywhere,
        all_drivers,
        tools_only: policy.arches.iter().filter(|a| !a.has_emulator()).map(|a| a.arch.clone()).collect(),
    }
}
