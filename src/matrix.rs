//! `matrix`: every driver of the profile's qemu version x arch x program at a glance, from
//! the same verdicts as `explain`.

use crate::access::{self, Context, DriverAccess, Installed, Layer};
use crate::catalogue::Catalogue;
use crate::policy::{ArchPolicy, Policy};
use crate::profile::{Access, Program};
use crate::source::{OriginView, Sources};
use serde::Serialize;

/// The matrix's programs, bottom of the stack first. libvirt gets a column only when the
/// profile describes it: otherwise it decides nothing and its column would repeat the emulator's.
fn programs(policy: &Policy) -> Vec<Program> {
    let libvirt = describes_libvirt(policy);
    Program::ALL.iter().copied().filter(|p| *p != Program::Libvirt || libvirt).collect()
}

fn describes_libvirt(policy: &Policy) -> bool {
    policy.arches.iter().any(|a| a.libvirt.is_some())
}

#[derive(Debug, Serialize)]
pub struct MatrixView {
    pub profile: String,
    pub qemu: crate::policy::QemuName,
    pub description: String,
    /// The columns of every arch group: the programs, then libvirt's storage pools when the
    /// profile describes libvirt.
    pub columns: Vec<Column>,
    pub arches: Vec<ArchColumn>,
    /// One row per driver that exists in the qemu version, in catalogue order (formats,
    /// protocols, filters); drivers compiled out on every arch only with `--all-drivers`.
    pub rows: Vec<Row>,
    /// Drivers compiled out on every arch (rows of their own only with `--all-drivers`).
    pub compiled_out_everywhere: Vec<String>,
    pub all_drivers: bool,
    /// Arches that build only the tools: their emulator and libguestfs cells are all `-`.
    pub tools_only: Vec<String>,
    /// Which block subpackages the cells assume installed.
    pub installed: Installed,
    /// Drivers built as loadable modules on some arch.
    pub modular: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Column {
    /// `emulator`, `tools`, `libvirt`, `libguestfs`, or `libvirt-pool`.
    pub name: String,
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
    /// One group per arch, in `arches` order, each with one cell per column.
    pub groups: Vec<Vec<Cell>>,
}

#[derive(Debug, Serialize)]
pub struct Cell {
    pub arch: String,
    pub column: String,
    /// `rw`, `ro`, `none`, `n/a` (libguestfs has no protocol for it); in the pool column `yes`,
    /// `no` or `n/a` (no pool backend stores this driver's disks).
    pub access: &'static str,
    /// The layer that decides it.
    pub layer: Layer,
    pub reason: String,
    /// What the user sees when refused (for `ro`: on a read-write open).
    pub message: Option<String>,
    pub origin: OriginView,
}

const POOL: &str = "libvirt-pool";

pub fn view(policy: &Policy, all_drivers: bool, installed: &Installed, sources: &Sources) -> MatrixView {
    let version = &policy.qemu.version.value;
    let backports = &policy.qemu.backports;
    let catalogue = Catalogue::get();
    let programs = programs(policy);
    let pools = describes_libvirt(policy);
    let mut rows = Vec::new();
    let mut compiled_out_everywhere = Vec::new();
    let mut modular = Vec::new();
    for (name, driver) in catalogue.drivers_in(version, backports) {
        let everywhere_out = policy.arches.iter().all(|a| !a.compiled_in(name));
        if everywhere_out {
            compiled_out_everywhere.push(name.to_string());
            if !all_drivers {
                continue;
            }
        }
        if policy.arches.iter().any(|a| a.driver(name).is_some_and(|b| b.module.is_some())) {
            modular.push(name.to_string());
        }
        let groups = policy
            .arches
            .iter()
            .map(|arch| {
                let evaluation = access::evaluate(Context::new(policy, arch, installed), name);
                let mut cells: Vec<Cell> =
                    programs.iter().map(|&program| program_cell(&evaluation, &arch.arch, program, sources)).collect();
                if pools {
                    cells.push(pool_cell(arch, name, sources));
                }
                cells
            })
            .collect();
        rows.push(Row {
            driver: name.to_string(),
            kind: driver.kind.as_str().to_string(),
            protocol: access::protocol_of(name).map(str::to_string),
            compiled_out_everywhere: everywhere_out,
            groups,
        });
    }
    let mut columns: Vec<Column> = programs.iter().map(|p| Column { name: p.to_string() }).collect();
    if pools {
        columns.push(Column { name: POOL.to_string() });
    }
    MatrixView {
        profile: policy.name.clone(),
        qemu: policy.qemu_name(),
        description: policy.description.clone(),
        columns,
        arches: policy
            .arches
            .iter()
            .map(|a| ArchColumn { arch: a.arch.clone(), build: a.build.value.to_string() })
            .collect(),
        rows,
        compiled_out_everywhere,
        all_drivers,
        tools_only: policy.arches.iter().filter(|a| !a.has_emulator()).map(|a| a.arch.clone()).collect(),
        installed: installed.clone(),
        modular,
    }
}

fn program_cell(evaluation: &DriverAccess, arch: &str, program: Program, sources: &Sources) -> Cell {
    let verdict = evaluation.verdict_or_refusal(program);
    let access = match (evaluation.verdict(program).is_some(), verdict.value) {
        (false, _) => "n/a",
        (true, Access::ReadWrite) => "rw",
        (true, Access::ReadOnly) => "ro",
        (true, Access::None) => "none",
    };
    Cell {
        arch: arch.to_string(),
        column: program.to_string(),
        access,
        layer: verdict.layer,
        reason: verdict.reason,
        message: verdict.message,
        origin: sources.origin(&verdict.origin),
    }
}

/// Whether a libvirt storage pool of the driver's storage can be defined on this arch.
fn pool_cell(arch: &ArchPolicy, driver: &str, sources: &Sources) -> Cell {
    let backends = arch.libvirt.as_ref().map(|l| l.backends_for(driver)).unwrap_or_default();
    let built: Vec<&str> = backends.iter().filter(|b| b.enabled).map(|b| b.name.as_str()).collect();
    let (access, reason) = match (backends.is_empty(), built.is_empty()) {
        (true, _) => ("n/a", format!("no libvirt storage pool backend stores {driver} disks")),
        (false, false) => ("yes", format!("storage pool backend built: {}", built.join(", "))),
        (false, true) => {
            let names: Vec<&str> = backends.iter().map(|b| b.name.as_str()).collect();
            ("no", format!("storage pool backend not built: {}", names.join(", ")))
        }
    };
    let origin = backends.first().map_or(crate::source::Origin::Default, |b| b.origin.clone());
    Cell {
        arch: arch.arch.clone(),
        column: POOL.to_string(),
        access,
        layer: Layer::Libvirt,
        reason,
        message: None,
        origin: sources.origin(&origin),
    }
}
