//! Generated text for packagers: configure arguments, spec-file snippets and the
//! libguestfs patch list. Each builds a plain view that a template renders.

pub mod buildrequires;
pub(crate) mod conditional;
pub mod configure;
pub mod libguestfs;
pub mod libvirt;
pub mod spec;
pub mod subpackages;

use crate::diagnostic::{Diagnostic, Failure, Severity};
use crate::options::Problem;

/// The errors among option problems, as diagnostics pointing at the profile line that set the option.
pub(crate) fn failure(problems: Vec<Problem>) -> Option<Failure> {
    let diagnostics: Vec<Diagnostic> =
        problems.into_iter().filter(|p| p.severity == Severity::Error).map(Problem::into_diagnostic).collect();
    (!diagnostics.is_empty()).then_some(Failure { diagnostics })
}
