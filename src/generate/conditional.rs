//! Lines for several arches in one rpm text: what all arches share is plain, what differs
//! sits in `%ifarch`/`%ifnarch` blocks that follow the profile's intent. `generate spec` and
//! `generate buildrequires` write with it.
//!
//! A block for the arches that no selector singles out (what an arch added to the profile
//! later gets) is `%ifnarch` the others; any other block names its arches (`%ifarch ppc64le
//! aarch64`), so an arch added later never falls silently into a branch. Where the arches'
//! orders conflict or a line repeats, each arch gets its own block.

use crate::catalogue::Catalogue;
use crate::policy::Policy;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Line {
    /// An rpm conditional (`%ifarch x86_64`, `%else`, `%endif`), or `None` for content.
    pub directive: Option<String>,
    pub text: String,
    /// Ends in ` \`.
    pub continued: bool,
    /// The item this content line writes (for continuations), by position.
    #[serde(skip)]
    pub(crate) item: Option<usize>,
}

impl Line {
    pub(crate) fn directive(text: String) -> Line {
        Line { directive: Some(text.clone()), text, continued: false, item: None }
    }

    pub(crate) fn content(text: String, item: usize) -> Line {
        Line { directive: None, text, continued: false, item: Some(item) }
    }
}

/// A line of the snippet and the arches that have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item<'a> {
    pub(crate) text: String,
    pub(crate) arches: Vec<&'a str>,
}

/// One order for the arches' lines, each with the arches that have it (`arch_order::merge`);
/// where that order would change what an arch gets (its lines in another order, or a line it
/// repeats), one block per distinct sequence instead.
pub(crate) fn items<'a>(sequences: &[(&'a str, Vec<String>)]) -> Vec<Item<'a>> {
    let texts: Vec<Vec<String>> = sequences.iter().map(|(_, t)| t.clone()).collect();
    let merged: Vec<Item> = crate::arch_order::merge(&texts)
        .into_iter()
        .map(|text| {
            let arches = sequences.iter().filter(|(_, t)| t.contains(&text)).map(|(a, _)| *a).collect();
            Item { text, arches }
        })
        .collect();
    let faithful = sequences
        .iter()
        .all(|(arch, texts)| merged.iter().filter(|i| i.arches.contains(arch)).map(|i| &i.text).eq(texts.iter()));
    if faithful {
        return merged;
    }
    let mut groups: Vec<(Vec<&str>, &Vec<String>)> = Vec::new();
    for (arch, texts) in sequences {
        match groups.iter_mut().find(|(_, t)| *t == texts) {
            Some((arches, _)) => arches.push(arch),
            None => groups.push((vec![arch], texts)),
        }
    }
    groups
        .into_iter()
        .flat_map(|(arches, texts)| texts.iter().map(move |t| Item { text: t.clone(), arches: arches.clone() }))
        .collect()
}

/// An rpm arch conditional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Condition {
    /// `%ifarch NAMES`: these arches and no other.
    Named(Vec<String>),
    /// `%ifnarch NAMES`: every arch but these, where the profile gives an arch it does not name
    /// what this block has.
    AllBut(Vec<String>),
}

impl Condition {
    pub(crate) fn directive(&self) -> String {
        match self {
            Condition::Named(names) => format!("%ifarch {}", names.join(" ")),
            Condition::AllBut(names) => format!("%ifnarch {}", names.join(" ")),
        }
    }

    /// Whether `%else` after this condition means exactly `other`.
    pub(crate) fn else_is(&self, other: &Condition) -> bool {
        let same = |a: &[String], b: &[String]| a.len() == b.len() && a.iter().all(|x| b.contains(x));
        match (self, other) {
            (Condition::Named(a), Condition::AllBut(b)) | (Condition::AllBut(a), Condition::Named(b)) => same(a, b),
            _ => false,
        }
    }
}

/// How the profile treats arches: an arch that no selector singles out (no `[arch.X]` names
/// it, every `[arch."!Y"]` takes it) gets what an arch added to the profile later would get.
pub(crate) struct Intent<'a> {
    selectors: &'a [crate::profile::Selector],
    /// Every arch a selector names, groups expanded: those behave apart.
    named: Vec<String>,
}

impl<'a> Intent<'a> {
    pub(crate) fn of(policy: &'a Policy) -> Intent<'a> {
        let catalogue = Catalogue::get();
        let mut named: Vec<String> = Vec::new();
        for name in policy.selectors.iter().flat_map(|s| &s.names) {
            for arch in catalogue
                .arch_group(name)
                .map_or_else(|| vec![name.clone()], |g| g.iter().map(|a| a.to_string()).collect())
            {
                if !named.contains(&arch) {
                    named.push(arch);
                }
            }
        }
        Intent { selectors: &policy.selectors, named }
    }

    /// No selector singles `arch` out.
    fn is_default(&self, arch: &str) -> bool {
        let catalogue = Catalogue::get();
        self.selectors.iter().all(|s| s.matches(arch, |g| catalogue.arch_group(g)) == s.negated)
    }

    /// The conditional for `arches` out of `scope`: `%ifnarch` with every other arch (and every
    /// arch a selector names) when the block holds the arches that no selector singles out, so
    /// that an arch added later gets it as the profile would give it; else `%ifarch` with the
    /// names.
    pub(crate) fn condition(&self, arches: &[&str], scope: &[&str]) -> Condition {
        let defaults: Vec<&str> = scope.iter().copied().filter(|a| self.is_default(a)).collect();
        if !defaults.is_empty() && defaults.iter().all(|d| arches.contains(d)) {
            let mut others: Vec<String> = scope.iter().filter(|a| !arches.contains(a)).map(|a| a.to_string()).collect();
            for name in &self.named {
                if !others.contains(name) && !arches.contains(&name.as_str()) {
                    others.push(name.clone());
                }
            }
            if !others.is_empty() {
                return Condition::AllBut(others);
            }
        }
        Condition::Named(scope.iter().filter(|a| arches.contains(a)).map(|a| a.to_string()).collect())
    }
}

/// Lines wrapped in conditionals: consecutive lines for the same arches share one block, and
/// two adjacent blocks for complementary arches become `%if.. %else ..` where `%else` means
/// what the second block's arches are (see `Condition::else_is`). Content lines carry the
/// position of their item.
pub(crate) fn conditional_lines(items: &[Item], scope: &[&str], intent: &Intent) -> Vec<Line> {
    let mut blocks: Vec<(Vec<&str>, Vec<usize>)> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let mut arches = item.arches.clone();
        arches.sort_by_key(|a| scope.iter().position(|s| s == a));
        match blocks.last_mut() {
            Some((set, indices)) if *set == arches => indices.push(index),
            _ => blocks.push((arches, vec![index])),
        }
    }
    let content = |indices: &[usize]| -> Vec<Line> {
        indices.iter().map(|i| Line::content(items[*i].text.clone(), *i)).collect()
    };
    let mut lines = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        let (set, indices) = &blocks[i];
        if set.len() == scope.len() {
            lines.extend(content(indices));
            i += 1;
            continue;
        }
        let condition = intent.condition(set, scope);
        lines.push(Line::directive(condition.directive()));
        lines.extend(content(indices));
        let complement = blocks.get(i + 1).filter(|(other, _)| {
            other.len() + set.len() == scope.len()
                && other.iter().all(|a| !set.contains(a))
                && condition.else_is(&intent.condition(other, scope))
        });
        if let Some((_, other)) = complement {
            lines.push(Line::directive("%else".to_string()));
            lines.extend(content(other));
            i += 1;
        }
        lines.push(Line::directive("%endif".to_string()));
        i += 1;
    }
    lines
}

/// Sets ` \` on every line but each arch's last. Returns true when no such choice exists (one
/// line is last for one arch and not for another): then every line continues and the template
/// ends the command with a comment line.
pub(crate) fn continue_lines(lines: &mut [Line], items: &[Item]) -> bool {
    let last_for = |arch: &str| items.iter().rposition(|i| i.arches.contains(&arch));
    let is_last = |index: usize, arch: &&str| last_for(arch) == Some(index);
    let terminator = items.iter().enumerate().any(|(index, item)| {
        let last = item.arches.iter().filter(|a| is_last(index, a)).count();
        last != 0 && last != item.arches.len()
    });
    for line in lines.iter_mut() {
        if let Some(index) = line.item {
            let last_everywhere = items[index].arches.iter().all(|a| is_last(index, a));
            line.continued = terminator || !last_everywhere;
        }
    }
    terminator
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Selector;

    fn item<'a>(text: &str, arches: &[&'a str]) -> Item<'a> {
        Item { text: text.to_string(), arches: arches.to_vec() }
    }

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    fn selectors(texts: &[&str]) -> Vec<Selector> {
        texts.iter().map(|s| Selector::parse(s).unwrap()).collect()
    }

    fn with(selectors: &[Selector]) -> Intent<'_> {
        let named = selectors.iter().flat_map(|s| s.names.clone()).collect();
        Intent { selectors, named }
    }

    #[test]
    fn merged_items_keep_each_arch_order() {
        let sequences = vec![
            ("x86_64", vec!["a".to_string(), "b".into(), "c".into()]),
            ("aarch64", vec!["a".to_string(), "z".into(), "c".into()]),
        ];
        let merged = items(&sequences);
        assert_eq!(
            merged,
            [
                item("a", &["x86_64", "aarch64"]),
                item("b", &["x86_64"]),
                item("z", &["aarch64"]),
                item("c", &["x86_64", "aarch64"])
            ]
        );
    }

    #[test]
    fn conflicting_orders_and_repeats_get_a_block_per_sequence() {
        let swapped =
            vec![("x86_64", vec!["a".to_string(), "b".into()]), ("aarch64", vec!["b".to_string(), "a".into()])];
        assert_eq!(
            items(&swapped),
            [item("a", &["x86_64"]), item("b", &["x86_64"]), item("b", &["aarch64"]), item("a", &["aarch64"])]
        );
        let repeated = vec![
            ("x86_64", vec!["a".to_string(), "a".into()]),
            ("ppc64le", vec!["a".to_string(), "a".into()]),
            ("aarch64", vec!["a".to_string()]),
        ];
        assert_eq!(
            items(&repeated),
            [item("a", &["x86_64", "ppc64le"]), item("a", &["x86_64", "ppc64le"]), item("a", &["aarch64"])]
        );
    }

    #[test]
    fn the_block_of_arches_no_selector_singles_out_is_ifnarch_and_named_arches_ifarch() {
        let scope = ["x86_64", "ppc64le", "aarch64"];
        let negated = selectors(&["!x86_64"]);
        let intent = with(&negated);
        assert_eq!(intent.condition(&["ppc64le", "aarch64"], &scope).directive(), "%ifnarch x86_64");
        assert_eq!(intent.condition(&["x86_64"], &scope).directive(), "%ifarch x86_64");
        // `[arch.x86_64]`: the others get what an arch added later gets.
        let named = selectors(&["x86_64"]);
        assert_eq!(with(&named).condition(&["ppc64le", "aarch64"], &scope).directive(), "%ifnarch x86_64");
        // Both named: an arch added later gets neither block.
        let both = selectors(&["x86_64", "ppc64le,aarch64"]);
        let intent = with(&both);
        assert_eq!(intent.condition(&["ppc64le", "aarch64"], &scope).directive(), "%ifarch ppc64le aarch64");
        assert_eq!(intent.condition(&["x86_64"], &scope).directive(), "%ifarch x86_64");
        // Without selectors two arches of three are named, though `%ifnarch` would be shorter.
        assert_eq!(with(&[]).condition(&["x86_64", "aarch64"], &scope).directive(), "%ifarch x86_64 aarch64");
        // A block without the default arches is named.
        let one = selectors(&["aarch64"]);
        assert_eq!(with(&one).condition(&["aarch64"], &scope).directive(), "%ifarch aarch64");
        assert_eq!(with(&one).condition(&["x86_64", "ppc64le"], &scope).directive(), "%ifnarch aarch64");
    }

    #[test]
    fn ifnarch_also_leaves_out_what_a_selector_names_beyond_the_profile() {
        // `!s390x` in a profile without s390x: an s390x added later is not a default arch.
        let scope = ["x86_64", "aarch64"];
        let negated = selectors(&["!s390x", "aarch64"]);
        assert_eq!(with(&negated).condition(&["x86_64"], &scope).directive(), "%ifnarch aarch64 s390x");
    }

    #[test]
    fn else_only_where_it_means_the_other_block() {
        let scope = ["x86_64", "aarch64"];
        let items = vec![item("--rw=a,b", &["x86_64"]), item("--rw=a", &["aarch64"]), item("--ro=c", &scope)];
        let negated = selectors(&["!x86_64"]);
        let lines = conditional_lines(&items, &scope, &with(&negated));
        assert_eq!(texts(&lines), ["%ifarch x86_64", "--rw=a,b", "%else", "--rw=a", "%endif", "--ro=c"]);
        // When both are named, an arch added later gets neither line.
        let named = selectors(&["x86_64", "aarch64"]);
        let lines = conditional_lines(&items, &scope, &with(&named));
        assert_eq!(
            texts(&lines),
            ["%ifarch x86_64", "--rw=a,b", "%endif", "%ifarch aarch64", "--rw=a", "%endif", "--ro=c"]
        );
    }

    #[test]
    fn a_last_line_for_some_arches_only_needs_a_terminator() {
        let scope = ["x86_64", "aarch64"];
        let items = vec![item("--a", &scope), item("--b", &["x86_64"])];
        let mut lines: Vec<Line> = conditional_lines(&items, &scope, &with(&[]));
        assert!(continue_lines(&mut lines, &items));
        assert!(lines.iter().filter(|l| l.directive.is_none()).all(|l| l.continued));

        let items = vec![item("--b", &["x86_64"]), item("--a", &scope)];
        let mut lines: Vec<Line> = conditional_lines(&items, &scope, &with(&[]));
        assert!(!continue_lines(&mut lines, &items));
        let last = lines.iter().rev().find(|l| l.directive.is_none()).unwrap();
        assert!(!last.continued);
    }

    #[test]
    fn a_repeated_line_continues_where_it_is_not_last() {
        let scope = ["x86_64"];
        let items = vec![item("--a", &scope), item("--a", &scope)];
        let mut lines: Vec<Line> = conditional_lines(&items, &scope, &with(&[]));
        assert!(!continue_lines(&mut lines, &items));
        assert_eq!(lines.iter().map(|l| l.continued).collect::<Vec<_>>(), [true, false]);
    }
}
