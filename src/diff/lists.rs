//! The three shapes a layer compares: a single value, a list taken as a set, and a map.

use super::{Change, Kind};
use crate::profile::Program;
use std::borrow::Cow;

/// `field old -> new`, if they differ.
pub(super) fn scalar(field: &str, old: &str, new: &str) -> Option<Change> {
    (old != new).then(|| {
        let mut change = Change::new(Kind::Changed, field);
        change.old = Some(old.to_string());
        change.new = Some(new.to_string());
        change
    })
}

/// Members of one list only. Order means nothing (qemu does not care in which order a whitelist
/// names its drivers), but each side's members are shown in that side's order.
pub(super) fn set<S: AsRef<str>>(field: &str, old: &[S], new: &[S]) -> Vec<Change> {
    let member = |kind: Kind, name: &str| {
        let mut change = Change::new(kind, field);
        change.item = Some(name.to_string());
        change
    };
    let has = |list: &[S], name: &str| list.iter().any(|n| n.as_ref() == name);
    let mut changes = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (kind, side, other) in [(Kind::Removed, old, new), (Kind::Added, new, old)] {
        for name in side.iter().map(AsRef::as_ref).filter(|n| !has(other, n)) {
            if !seen.contains(&name) {
                seen.push(name);
                changes.push(member(kind, name));
            }
        }
    }
    changes
}

/// An entry of a keyed map: its key (for sorting), its value, and what a `Change` of it names.
/// Borrowed from the policies: most entries are the same on both sides, and only a
/// difference is written out.
pub(super) struct Entry<'a, K> {
    pub key: K,
    pub value: Cow<'a, str>,
    pub field: &'static str,
    pub item: &'a str,
    /// `consumers`: the consumer and the program of a need.
    pub need: Option<(&'a str, Program)>,
}

impl<K> Entry<'_, K> {
    fn change(&self, kind: Kind) -> Change {
        let mut change = Change::new(kind, self.field);
        change.item = Some(self.item.to_string());
        if let Some((consumer, program)) = self.need {
            change.consumer = Some(consumer.to_string());
            change.program = Some(program.to_string());
        }
        change
    }
}

/// Entries of one map only, and entries whose value differs, each kind sorted by key.
pub(super) fn keyed<K: Ord>(old: Vec<Entry<K>>, new: Vec<Entry<K>>) -> Vec<Change> {
    let mut removed: Vec<(&K, Change)> = Vec::new();
    let mut added: Vec<(&K, Change)> = Vec::new();
    let mut changed: Vec<(&K, Change)> = Vec::new();
    for o in &old {
        match new.iter().find(|n| n.key == o.key) {
            None => {
                let mut change = o.change(Kind::Removed);
                change.old = Some(o.value.to_string());
                removed.push((&o.key, change));
            }
            Some(n) if n.value != o.value => {
                let mut change = o.change(Kind::Changed);
                change.old = Some(o.value.to_string());
                change.new = Some(n.value.to_string());
                changed.push((&o.key, change));
            }
            Some(_) => {}
        }
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| o.key == n.key)) {
        let mut change = n.change(Kind::Added);
        change.new = Some(n.value.to_string());
        added.push((&n.key, change));
    }
    let mut out = Vec::new();
    for mut part in [removed, added, changed] {
        part.sort_by(|a, b| a.0.cmp(b.0));
        out.extend(part.into_iter().map(|(_, c)| c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_reordered_list_has_no_changes() {
        assert!(set("driver", &names(&["ssh", "https"]), &names(&["https", "ssh"])).is_empty());
    }

    #[test]
    fn set_members_keep_each_sides_order() {
        let changes = set("driver", &names(&["vmdk", "b", "a"]), &names(&["vmdk", "z", "y"]));
        let shown: Vec<(Kind, &str)> = changes.iter().map(|c| (c.kind, c.item.as_deref().unwrap())).collect();
        assert_eq!(shown, [(Kind::Removed, "b"), (Kind::Removed, "a"), (Kind::Added, "z"), (Kind::Added, "y")]);
    }

    #[test]
    fn keyed_entries_sort_within_each_kind() {
        let entry = |key: &'static str, value: &'static str| Entry {
            key,
            value: Cow::Borrowed(value),
            field: "feature",
            item: key,
            need: None,
        };
        let old = vec![entry("rbd", "enable"), entry("curl", "disable"), entry("xen", "disable")];
        let new = vec![entry("curl", "enable"), entry("rbd", "enable"), entry("bzip2", "disable")];
        let changes = keyed(old, new);
        let shown: Vec<(Kind, &str, Option<&str>, Option<&str>)> =
            changes.iter().map(|c| (c.kind, c.item.as_deref().unwrap(), c.old.as_deref(), c.new.as_deref())).collect();
        assert_eq!(
            shown,
            [
                (Kind::Removed, "xen", Some("disable"), None),
                (Kind::Added, "bzip2", None, Some("disable")),
                (Kind::Changed, "curl", Some("disable"), Some("enable")),
            ]
        );
    }
}
