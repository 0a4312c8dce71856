//! Arches both profiles build, in one order for both directions, and the folding of arches
//! whose differences are identical.

use super::{ArchGroup, LayerChanges};
use crate::catalogue::Catalogue;
use crate::policy::Policy;

/// The arches of both profiles. In the profiles' order when they agree on it; otherwise in the
/// catalogue's order, so that `diff A B` and `diff B A` list arches alike.
pub(super) fn common_arches(old: &Policy, new: &Policy) -> Vec<String> {
    let in_old: Vec<String> =
        old.arch_names().into_iter().filter(|a| new.arch(a).is_some()).map(str::to_string).collect();
    let in_new: Vec<String> =
        new.arch_names().into_iter().filter(|a| old.arch(a).is_some()).map(str::to_string).collect();
    if in_old == in_new {
        return in_old;
    }
    let known: Vec<&str> = Catalogue::get().arch_names().collect();
    let mut arches = in_old;
    arches.sort_by_key(|a| (known.iter().position(|k| k == a).unwrap_or(usize::MAX), a.clone()));
    arches
}

/// Groups arches with identical differences (in the order of each group's first arch) and
/// lists the arches without any.
pub(super) fn fold(per_arch: Vec<(String, Vec<LayerChanges>)>) -> (Vec<ArchGroup>, Vec<String>) {
    let mut groups: Vec<ArchGroup> = Vec::new();
    let mut unchanged = Vec::new();
    for (arch, layers) in per_arch {
        if layers.is_empty() {
            unchanged.push(arch);
        } else if let Some(group) = groups.iter_mut().find(|g| g.layers == layers) {
            group.arches.push(arch);
        } else {
            groups.push(ArchGroup { arches: vec![arch], layers });
        }
    }
    (groups, unchanged)
}
