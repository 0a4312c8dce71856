//! `generate spec`: one snippet for every arch of a profile, with `%ifarch`/`%ifnarch`
//! around what differs, and a second configure for tools-only arches as RHEL does.

use crate::diagnostic::Result;
use crate::options::{Dialect, Setting};
use crate::policy::{ArchPolicy, Policy};
use crate::profile::BuildMode;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpecStyle {
    /// Whitelists written inline in the configure arguments.
    Inline,
    /// Whitelists as `%global block_drivers_rw_list` / `block_drivers_ro_list` macros.
    Globals,
}

impl SpecStyle {
    pub const ALL: [SpecStyle; 2] = [SpecStyle::Inline, SpecStyle::Globals];

    pub fn as_str(self) -> &'static str {
        match self {
            SpecStyle::Inline => "inline",
            SpecStyle::Globals => "globals",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SpecView {
    pub profile: String,
    pub package: String,
    pub version: String,
    pub style: SpecStyle,
    pub arches: Vec<String>,
    /// `%global` lines (globals style), with their own conditionals.
    pub globals: Vec<Line>,
    pub sections: Vec<Section>,
}

/// One `./configure` invocation for a set of arches.
#[derive(Debug, Serialize)]
pub struct Section {
    pub build: String,
    pub arches: Vec<String>,
    /// `%ifarch ...` / `%else` before the command, if the section is conditional.
    pub open: Option<String>,
    /// `./configure`, continued when arguments follow.
    pub command: Line,
    pub lines: Vec<Line>,
    /// Set when every argument line ends in ` \` and the command needs an empty last line.
    pub terminator: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Line {
    /// An rpm conditional (`%ifarch x86_64`, `%else`, `%endif`), or `None` for content.
    pub directive: Option<String>,
    pub text: String,
    /// Ends in ` \`.
    pub continued: bool,
}

impl Line {
    fn directive(text: String) -> Line {
        Line { directive: Some(text.clone()), text, continued: false }
    }

    fn content(text: String) -> Line {
        Line { directive: None, text, continued: false }
    }
}

/// An arch and its configure arguments as the spec writes them.
type ArchArguments<'a> = (&'a ArchPolicy, Vec<String>);

const COMMAND: &str = "./configure";
const RW_MACRO: &str = "block_drivers_rw_list";
const RO_MACRO: &str = "block_drivers_ro_list";

pub fn view(policy: &Policy, style: SpecStyle) -> Result<SpecView> {
    let all: Vec<&str> = policy.arch_names();
    let mut per_arch: Vec<(&ArchPolicy, Vec<String>)> = Vec::new();
    let mut rw_values: Vec<(String, Option<String>)> = Vec::new();
    let mut ro_values: Vec<(String, Option<String>)> = Vec::new();
    for arch in &policy.arches {
        let arguments = super::configure::arguments(policy, arch, Dialect::Configure)?;
        let texts = arguments
            .iter()
            .map(|a| match (style, &a.setting) {
                (SpecStyle::Globals, Setting::RwWhitelist) => {
                    rw_values.push((arch.arch.clone(), a.text.split_once('=').map(|(_, v)| v.to_string())));
                    format!("{}=%{{{RW_MACRO}}}", flag_of(&a.text))
                }
                (SpecStyle::Globals, Setting::RoWhitelist) => {
                    ro_values.push((arch.arch.clone(), a.text.split_once('=').map(|(_, v)| v.to_string())));
                    format!("{}=%{{{RO_MACRO}}}", flag_of(&a.text))
                }
                _ => a.text.clone(),
            })
            .collect();
        per_arch.push((arch, texts));
    }

    let mut globals = Vec::new();
    for (name, values) in [(RW_MACRO, &rw_values), (RO_MACRO, &ro_values)] {
        let items: Vec<(String, Vec<&str>)> = values
            .iter()
            .map(|(a, v)| (format!("%global {name} {}", v.clone().unwrap_or_default()), vec![a.as_str()]))
            .collect();
        let scope: Vec<&str> = values.iter().map(|(a, _)| a.as_str()).collect();
        globals.extend(conditional_lines(&merge(items), &scope));
    }

    let modes = [BuildMode::Full, BuildMode::ToolsOnly];
    let groups: Vec<(BuildMode, Vec<&ArchArguments>)> = modes
        .iter()
        .map(|m| (*m, per_arch.iter().filter(|(a, _)| a.build.value == *m).collect::<Vec<_>>()))
        .filter(|(_, g)| !g.is_empty())
        .collect();
    let mut sections = Vec::new();
    for (index, (mode, group)) in groups.iter().enumerate() {
        let arches: Vec<&str> = group.iter().map(|(a, _)| a.arch.as_str()).collect();
        let open = match (groups.len(), index) {
            (1, _) => None,
            (_, 0) => Some(condition(&arches, &all)),
            _ => Some("%else".to_string()),
        };
        let sequences: Vec<(String, Vec<&str>)> = merge(
            group.iter().flat_map(|(a, texts)| texts.iter().map(|t| (t.clone(), vec![a.arch.as_str()]))).collect(),
        );
        let mut lines = vec![Line::content(COMMAND.to_string())];
        lines.extend(conditional_lines(&sequences, &arches));
        let mut items = vec![(COMMAND.to_string(), arches.clone())];
        items.extend(sequences);
        let terminator = continue_lines(&mut lines, &items);
        let command = lines.remove(0);
        sections.push(Section {
            build: mode.to_string(),
            arches: arches.iter().map(|s| s.to_string()).collect(),
            open,
            command,
            lines,
            terminator,
        });
    }

    Ok(SpecView {
        profile: policy.name.clone(),
        package: policy.qemu.package.value.clone(),
        version: policy.qemu.version.value.to_string(),
        style,
        arches: all.iter().map(|s| s.to_string()).collect(),
        globals,
        sections,
    })
}

fn flag_of(text: &str) -> &str {
    text.split_once('=').map_or(text, |(f, _)| f)
}

/// Merges per-arch sequences of lines into one ordered list of (line, arches that have it),
/// keeping each arch's order (`arch_order::merge`). Input items are (line, [arch]) in arch order.
fn merge(items: Vec<(String, Vec<&str>)>) -> Vec<(String, Vec<&str>)> {
    let mut sequences: Vec<(&str, Vec<String>)> = Vec::new();
    for (text, arches) in items {
        match sequences.last_mut() {
            Some((arch, texts)) if *arch == arches[0] => texts.push(text),
            _ => sequences.push((arches[0], vec![text])),
        }
    }
    let texts: Vec<Vec<String>> = sequences.iter().map(|(_, t)| t.clone()).collect();
    crate::arch_order::merge(&texts)
        .into_iter()
        .map(|text| {
            let arches = sequences.iter().filter(|(_, t)| t.contains(&text)).map(|(a, _)| *a).collect();
            (text, arches)
        })
        .collect()
}

/// `%ifarch a b` or `%ifnarch c`, whichever names fewer arches of `scope`.
fn condition(arches: &[&str], scope: &[&str]) -> String {
    match crate::arch_order::shortest(arches, scope) {
        (true, others) => format!("%ifnarch {}", others.join(" ")),
        (false, names) => format!("%ifarch {}", names.join(" ")),
    }
}

/// Lines wrapped in the smallest conditionals: consecutive lines for the same arches share
/// one block, and two adjacent blocks for complementary arches become `%if .. %else ..`.
fn conditional_lines(items: &[(String, Vec<&str>)], scope: &[&str]) -> Vec<Line> {
    let mut blocks: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
    for (text, arches) in items {
        let mut arches = arches.clone();
        arches.sort_by_key(|a| scope.iter().position(|s| s == a));
        match blocks.last_mut() {
            Some((set, texts)) if *set == arches => texts.push(text),
            _ => blocks.push((arches, vec![text.as_str()])),
        }
    }
    let mut lines = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        let (set, texts) = &blocks[i];
        if set.len() == scope.len() {
            lines.extend(texts.iter().map(|t| Line::content(t.to_string())));
            i += 1;
            continue;
        }
        lines.push(Line::directive(condition(set, scope)));
        lines.extend(texts.iter().map(|t| Line::content(t.to_string())));
        let complement = blocks
            .get(i + 1)
            .filter(|(other, _)| other.len() + set.len() == scope.len() && other.iter().all(|a| !set.contains(a)));
        if let Some((_, other_texts)) = complement {
            lines.push(Line::directive("%else".to_string()));
            lines.extend(other_texts.iter().map(|t| Line::content(t.to_string())));
            i += 1;
        }
        lines.push(Line::directive("%endif".to_string()));
        i += 1;
    }
    lines
}

/// Sets ` \` on every argument line but each arch's last. Returns true when no such choice
/// exists (one line is last for one arch and not for another): then every line continues
/// and the template ends the command with a comment line.
fn continue_lines(lines: &mut [Line], items: &[(String, Vec<&str>)]) -> bool {
    let last_for = |arch: &str| items.iter().rev().find(|(_, a)| a.contains(&arch)).map(|(t, _)| t.as_str());
    let mut terminator = false;
    for (text, have) in items {
        let last_count = have.iter().filter(|a| last_for(a) == Some(text.as_str())).count();
        if last_count != 0 && last_count != have.len() {
            terminator = true;
        }
    }
    for line in lines.iter_mut().filter(|l| l.directive.is_none()) {
        let have = items.iter().find(|(t, _)| *t == line.text).map(|(_, a)| a.clone()).unwrap_or_default();
        let is_last_everywhere = !have.is_empty() && have.iter().all(|a| last_for(a) == Some(line.text.as_str()));
        line.continued = terminator || !is_last_everywhere;
    }
    terminator
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_each_arch_order() {
        let items = vec![
            ("a".to_string(), vec!["x86_64"]),
            ("b".to_string(), vec!["x86_64"]),
            ("c".to_string(), vec!["x86_64"]),
            ("a".to_string(), vec!["aarch64"]),
            ("z".to_string(), vec!["aarch64"]),
            ("c".to_string(), vec!["aarch64"]),
        ];
        let merged = merge(items);
        let texts: Vec<&str> = merged.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["a", "b", "z", "c"]);
        assert_eq!(merged[0].1, ["x86_64", "aarch64"]);
        assert_eq!(merged[2].1, ["aarch64"]);
    }

    #[test]
    fn conditions_name_the_smaller_side() {
        let scope = ["x86_64", "ppc64le", "aarch64"];
        assert_eq!(condition(&["x86_64"], &scope), "%ifarch x86_64");
        assert_eq!(condition(&["ppc64le", "aarch64"], &scope), "%ifnarch x86_64");
    }

    #[test]
    fn complementary_blocks_become_if_else() {
        let scope = ["x86_64", "aarch64"];
        let items = vec![
            ("--rw=a,b".to_string(), vec!["x86_64"]),
            ("--rw=a".to_string(), vec!["aarch64"]),
            ("--ro=c".to_string(), vec!["x86_64", "aarch64"]),
        ];
        let lines = conditional_lines(&items, &scope);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["%ifarch x86_64", "--rw=a,b", "%else", "--rw=a", "%endif", "--ro=c"]);
    }

    #[test]
    fn a_last_line_for_some_arches_only_needs_a_terminator() {
        let scope = ["x86_64", "aarch64"];
        let items = vec![("--a".to_string(), vec!["x86_64", "aarch64"]), ("--b".to_string(), vec!["x86_64"])];
        let mut lines = conditional_lines(&items, &scope);
        assert!(continue_lines(&mut lines, &items));
        assert!(lines.iter().filter(|l| l.directive.is_none()).all(|l| l.continued));

        let items = vec![("--b".to_string(), vec!["x86_64"]), ("--a".to_string(), vec!["x86_64", "aarch64"])];
        let mut lines = conditional_lines(&items, &scope);
        assert!(!continue_lines(&mut lines, &items));
        let last = lines.iter().rev().find(|l| l.directive.is_none()).unwrap();
        assert!(!last.continued);
    }
}
