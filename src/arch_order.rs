//! Arch lists written for people: per-arch sequences merged into one order, and the shorter
//! way to name a set of arches (`x86_64` rather than every other arch, `!x86_64` rather than
//! four names). `generate spec` and `import spec` write the same way.

/// One order for items that several arches list in their own orders, keeping each arch's
/// order. An item new to the merge goes right before the next item of its sequence that is
/// already there, so that earlier sequences' items come first.
pub fn merge<T: PartialEq + Clone>(sequences: &[Vec<T>]) -> Vec<T> {
    let mut merged: Vec<T> = Vec::new();
    for sequence in sequences {
        let mut position = 0;
        for (i, item) in sequence.iter().enumerate() {
            if let Some(j) = merged.iter().position(|m| m == item) {
                position = j + 1;
                continue;
            }
            let next_known = sequence[i + 1..]
                .iter()
                .find_map(|later| merged.iter().position(|m| m == later))
                .filter(|k| *k >= position)
                .unwrap_or(merged.len());
            merged.insert(next_known, item.clone());
            position = next_known + 1;
        }
    }
    merged
}

/// `arches` named the short way within `scope`: `(false, arches)`, or `(true, the others)`
/// when the others are fewer (and there are some).
pub fn shortest<'a>(arches: &[&'a str], scope: &[&'a str]) -> (bool, Vec<&'a str>) {
    let others: Vec<&str> = scope.iter().filter(|a| !arches.contains(a)).copied().collect();
    if !others.is_empty() && others.len() < arches.len() { (true, others) } else { (false, arches.to_vec()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_each_order_and_puts_earlier_items_first() {
        let merged = merge(&[vec!["a", "b", "c"], vec!["a", "z", "c"]]);
        assert_eq!(merged, ["a", "b", "z", "c"]);
    }

    #[test]
    fn the_shorter_side_is_named() {
        let scope = ["x86_64", "ppc64le", "aarch64"];
        assert_eq!(shortest(&["x86_64"], &scope), (false, vec!["x86_64"]));
        assert_eq!(shortest(&["ppc64le", "aarch64"], &scope), (true, vec!["x86_64"]));
        assert_eq!(shortest(&scope, &scope), (false, scope.to_vec()));
    }
}
