//! `generate spec`: one snippet for every arch of a profile, with `%ifarch`/`%ifnarch` around
//! what differs, and a second configure for tools-only arches as RHEL does; or, in the macros
//! style, per-arch `%global` macros that the spec's own configure run takes.
//! Every arch gets exactly the arguments of `generate configure`; the conditionals follow
//! the profile's intent (`conditional`).

pub use super::conditional::Line;
use super::conditional::{Condition, Intent, Item, conditional_lines, continue_lines, items};
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
    /// No configure run: `%global drvpolicy_block_args` (every argument but extra-args) and
    /// `%global drvpolicy_tools_only`, per arch, for the spec's own configure run.
    Macros,
}

impl SpecStyle {
    pub const ALL: [SpecStyle; 3] = [SpecStyle::Inline, SpecStyle::Globals, SpecStyle::Macros];

    pub fn as_str(self) -> &'static str {
        match self {
            SpecStyle::Inline => "inline",
            SpecStyle::Globals => "globals",
            SpecStyle::Macros => "macros",
        }
    }

    pub fn parse(text: &str) -> Option<SpecStyle> {
        SpecStyle::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Serialize)]
pub struct SpecView {
    pub profile: String,
    pub package: String,
    pub version: String,
    pub style: SpecStyle,
    /// Every arch of the profile, recorded in the snippet so that it imports back as it was.
    pub arches: Vec<String>,
    /// `%global` lines (globals and macros styles), with their own conditionals.
    pub globals: Vec<Line>,
    /// The configure runs (none in the macros style).
    pub sections: Vec<Section>,
}

/// One `./configure` invocation for a set of arches.
#[derive(Debug, Serialize)]
pub struct Section {
    pub build: String,
    pub arches: Vec<String>,
    /// `%ifarch ...`, `%ifnarch ...` or `%else` before the command, if the section is conditional.
    pub open: Option<String>,
    /// `%endif` follows the section.
    pub close: bool,
    /// `./configure`, continued when arguments follow.
    pub command: Line,
    pub lines: Vec<Line>,
    /// Set when every argument line ends in ` \` and the command needs an empty last line.
    pub terminator: bool,
}

/// An arch and its configure arguments as the spec writes them.
type ArchArguments<'a> = (&'a ArchPolicy, Vec<String>);

const COMMAND: &str = "./configure";
const RW_MACRO: &str = "block_drivers_rw_list";
const RO_MACRO: &str = "block_drivers_ro_list";
pub const BLOCK_ARGS_MACRO: &str = "drvpolicy_block_args";
pub const TOOLS_ONLY_MACRO: &str = "drvpolicy_tools_only";

pub fn view(policy: &Policy, style: SpecStyle) -> Result<SpecView> {
    let all: Vec<&str> = policy.arch_names();
    let intent = Intent::of(policy);
    let mut per_arch: Vec<ArchArguments> = Vec::new();
    let mut rw_values: Vec<(&str, Vec<String>)> = Vec::new();
    let mut ro_values: Vec<(&str, Vec<String>)> = Vec::new();
    let mut macro_lines: Vec<(&str, Vec<String>)> = Vec::new();
    for arch in &policy.arches {
        let arguments = super::configure::arguments(policy, arch, Dialect::Configure)?;
        let mut texts = Vec::new();
        for argument in &arguments {
            let value = || argument.text.split_once('=').map_or(String::new(), |(_, v)| v.to_string());
            match (style, &argument.setting) {
                (SpecStyle::Globals, Setting::RwWhitelist) => {
                    rw_values.push((&arch.arch, vec![format!("%global {RW_MACRO} {}", value())]));
                    texts.push(format!("{}=%{{{RW_MACRO}}}", flag_of(&argument.text)));
                }
                (SpecStyle::Globals, Setting::RoWhitelist) => {
                    ro_values.push((&arch.arch, vec![format!("%global {RO_MACRO} {}", value())]));
                    texts.push(format!("{}=%{{{RO_MACRO}}}", flag_of(&argument.text)));
                }
                (SpecStyle::Macros, Setting::Extra) => {}
                _ => texts.push(argument.text.clone()),
            }
        }
        // Every style: the spec's make targets and %files follow the profile with it.
        let tools_only = format!("%global {TOOLS_ONLY_MACRO} {}", u8::from(arch.build.value == BuildMode::ToolsOnly));
        if style == SpecStyle::Macros {
            // One line each: a macro body that continues over lines reads differently in
            // rpm 4.11 (RHEL 7) and in rpm 4.17 and later.
            let args = if texts.is_empty() { "%{nil}".to_string() } else { texts.join(" ") };
            macro_lines.push((&arch.arch, vec![format!("%global {BLOCK_ARGS_MACRO} {args}"), tools_only]));
        } else {
            macro_lines.push((&arch.arch, vec![tools_only]));
        }
        per_arch.push((arch, texts));
    }

    let mut globals = Vec::new();
    for values in [&rw_values, &ro_values, &macro_lines] {
        let scope: Vec<&str> = values.iter().map(|(a, _)| *a).collect();
        let items = items(values);
        globals.extend(conditional_lines(&items, &scope, &intent));
    }

    let mut sections = Vec::new();
    if style != SpecStyle::Macros {
        // A tools-only arch with a bare configure (RHEL 7) gets a configure of its own; one that
        // shares the configure (RHEL 9) is in the same section as the full arches.
        let groups: Vec<(BuildMode, Vec<&ArchArguments>)> = [(BuildMode::Full, false), (BuildMode::ToolsOnly, true)]
            .into_iter()
            .map(|(m, bare)| (m, per_arch.iter().filter(|(a, _)| a.bare_configure == bare).collect::<Vec<_>>()))
            .filter(|(_, g)| !g.is_empty())
            .collect();
        let conditions: Vec<Option<Condition>> = groups
            .iter()
            .map(|(_, g)| {
                let arches: Vec<&str> = g.iter().map(|(a, _)| a.arch.as_str()).collect();
                (arches.len() < all.len()).then(|| intent.condition(&arches, &all))
            })
            .collect();
        let else_fits = matches!(conditions.as_slice(), [Some(a), Some(b)] if a.else_is(b));
        for (index, (mode, group)) in groups.iter().enumerate() {
            let arches: Vec<&str> = group.iter().map(|(a, _)| a.arch.as_str()).collect();
            let open = match (&conditions[index], index, else_fits) {
                (None, _, _) => None,
                (Some(_), 1, true) => Some("%else".to_string()),
                (Some(condition), _, _) => Some(condition.directive()),
            };
            let close = conditions[index].is_some() && !(index == 0 && else_fits);
            let sequences: Vec<(&str, Vec<String>)> =
                group.iter().map(|(a, texts)| (a.arch.as_str(), texts.clone())).collect();
            let mut items = vec![Item { text: COMMAND.to_string(), arches: arches.clone() }];
            items.extend(self::items(&sequences));
            let mut lines = vec![Line::content(COMMAND.to_string(), 0)];
            lines.extend(conditional_lines(&items[1..], &arches, &intent).into_iter().map(|mut line| {
                line.item = line.item.map(|i| i + 1);
                line
            }));
            let terminator = continue_lines(&mut lines, &items);
            let command = lines.remove(0);
            sections.push(Section {
                build: mode.to_string(),
                arches: arches.iter().map(|s| s.to_string()).collect(),
                open,
                close,
                command,
                lines,
                terminator,
            });
        }
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
