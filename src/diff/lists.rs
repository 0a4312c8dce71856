//! The three shapes a layer compares: a single value, a list taken as a set, and a map.

use super::{Change, Kind};

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
pub(super) fn set(field: &str, old: &[String], new: &[String]) -> Vec<Change> {
    let member = |kind: Kind, name: &String| {
        let mut change = Change::new(kind, field);
        change.item = Some(name.clone());
        change
    };
    let mut changes = Vec::new();
    let mut seen: Vec<&String> = Vec::new();
    for name in old.iter().filter(|n| !new.contains(n)) {
        if !seen.contains(&name) {
            seen.push(name);
            changes.push(member(Kind::Removed, name));
        }
    }
    for name in new.iter().filter(|n| !old.contains(n)) {
        if !seen.contains(&name) {
            seen.push(name);
            changes.push(member(Kind::Added, name));
        }
    }
    changes
}

/// An entry of a keyed map: its key (for sorting), what `Change` carries, and its value.
pub(super) struct Entry<K> {
    pub key: K,
    pub change: Change,
    pub value: String,
}

/// Entries of one map only, and entries whose value differs, each kind sorted by key.
/// `entries` are built with `Kind::Changed`; the kind is set here.
pub(super) fn keyed<K: Ord + Clone>(old: Vec<Entry<K>>, new: Vec<Entry<K>>) -> Vec<Change> {
    let mut removed: Vec<(K, Change)> = Vec::new();
    let mut added: Vec<(K, Change)> = Vec::new();
    let mut changed: Vec<(K, Change)> = Vec::new();
    for o in &old {
        match new.iter().find(|n| n.key == o.key) {
            None => {
                let mut change = o.change.clone();
                change.kind = Kind::Removed;
                change.old = Some(o.value.clone());
                removed.push((o.key.clone(), change));
            }
            Some(n) if n.value != o.value => {
                let mut change = o.change.clone();
                change.old = Some(o.value.clone());
                change.new = Some(n.value.clone());
                changed.push((o.key.clone(), change));
            }
            Some(_) => {}
        }
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| o.key == n.key)) {
        let mut change = n.change.clone();
        change.kind = Kind::Added;
        change.new = Some(n.value.clone());
        added.push((n.key.clone(), change));
    }
    let mut out = Vec::new();
    for mut part in [removed, added, changed] {
        part.sort_by(|a, b| a.0.cmp(&b.0));
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
        let entry = |key: &str, value: &str| {
            let mut change = Change::new(Kind::Changed, "feature");
            change.item = Some(key.to_string());
            Entry { key: key.to_string(), change, value: value.to_string() }
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
