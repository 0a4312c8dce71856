//! One `configure` invocation's words as profile settings: `--enable-X`/`--disable-X`
//! (catalogue or custom features), the whitelist options, whitelist-in-tools; the rest is
//! either outside what a profile describes (`--prefix=...`) or could not be read.

use super::rpm::Use;
use super::shell::{Invocation, Word};
use crate::catalogue::Catalogue;
use crate::profile::FeatureState;

/// Where a setting came from: the argument's line and the macros or variables it used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub lines: Vec<usize>,
    pub uses: Vec<Use>,
}

impl Provenance {
    fn of(word: &Word) -> Self {
        let mut uses: Vec<Use> = Vec::new();
        for u in &word.uses {
            if !uses.contains(u) {
                uses.push(u.clone());
            }
        }
        Provenance { lines: vec![word.line], uses }
    }

    /// Both provenances, each line and use once.
    pub fn join(&mut self, other: &Provenance) {
        for line in &other.lines {
            if !self.lines.contains(line) {
                self.lines.push(*line);
            }
        }
        self.lines.sort_unstable();
        for u in &other.uses {
            if !self.uses.contains(u) {
                self.uses.push(u.clone());
            }
        }
    }

    /// `from FILE:12` or `from FILE:40 (%{block_drivers_rw_list} of FILE:3)`.
    pub fn describe(&self, file: &str) -> String {
        let lines: Vec<String> = self.lines.iter().map(|l| format!("{file}:{l}")).collect();
        let mut text = format!("from {}", lines.join(", "));
        if !self.uses.is_empty() {
            let uses: Vec<String> = self.uses.iter().map(|u| format!("{} of {file}:{}", u.what, u.line)).collect();
            text.push_str(&format!(" ({})", uses.join(", ")));
        }
        text
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureFlag {
    pub name: String,
    pub state: FeatureState,
    pub from: Provenance,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFlag {
    pub values: Vec<String>,
    pub from: Provenance,
    /// The option as spelled (`--block-drv-rw-whitelist` or the older `--block-drv-whitelist`).
    pub option: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoolFlag {
    pub value: bool,
    pub from: Provenance,
}

/// An argument that could not be read: its line and the unknown that stopped it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    pub line: usize,
    pub unknown: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Arguments {
    pub features: Vec<FeatureFlag>,
    pub rw: Option<ListFlag>,
    pub ro: Option<ListFlag>,
    pub in_tools: Option<BoolFlag>,
    /// Options a profile does not describe, by option name, with their first line.
    pub not_modeled: Vec<(String, usize)>,
    pub unread: Vec<Unread>,
    /// (line, text): things worth knowing that change nothing, such as repeated flags.
    pub notes: Vec<(usize, String)>,
}

enum List {
    Rw,
    Ro,
}

fn list_flag(option: &str) -> Option<List> {
    let w = &Catalogue::get().whitelist;
    if option == w.rw.flag || option == w.legacy.flag {
        Some(List::Rw)
    } else if option == w.ro.flag {
        Some(List::Ro)
    } else {
        None
    }
}

pub fn interpret(invocation: &Invocation) -> Arguments {
    let catalogue = Catalogue::get();
    let in_tools_name = catalogue.whitelist.in_tools.flag.trim_start_matches("--enable-");
    let mut out = Arguments::default();
    for (line, unknown) in &invocation.skipped {
        out.unread.push(Unread { line: *line, unknown: *unknown });
    }
    for word in &invocation.words {
        let Some(text) = word.known() else {
            let prefix = word.known_prefix();
            let unknown = word.unknowns().next().unwrap_or(0);
            match prefix.split_once('=') {
                Some((option, _)) if list_flag(option).is_none() => out.not_modeled(option, word.line),
                _ => out.unread.push(Unread { line: word.line, unknown }),
            }
            continue;
        };
        let (option, value) = match text.split_once('=') {
            Some((o, v)) => (o, Some(v)),
            None => (text.as_str(), None),
        };
        if let (Some(list), Some(value)) = (list_flag(option), value) {
            let values: Vec<String> =
                value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_string).collect();
            let flag = ListFlag { values, from: Provenance::of(word), option: option.to_string() };
            let slot = match list {
                List::Rw => &mut out.rw,
                List::Ro => &mut out.ro,
            };
            if let Some(earlier) = slot.replace(flag) {
                out.notes.push((
                    word.line,
                    format!(
                        "`{option}` is passed again (first on line {}); configure uses the last",
                        earlier.from.lines[0]
                    ),
                ));
            }
            continue;
        }
        let switch = match (value, option.strip_prefix("--enable-"), option.strip_prefix("--disable-")) {
            (None, Some(name), _) => Some((name, FeatureState::Enable)),
            (None, _, Some(name)) => Some((name, FeatureState::Disable)),
            _ => None,
        };
        match switch {
            Some((name, state)) if !name.is_empty() && name == in_tools_name => {
                out.in_tools = Some(BoolFlag { value: state == FeatureState::Enable, from: Provenance::of(word) });
            }
            Some((name, state)) if !name.is_empty() => {
                let flag = FeatureFlag { name: name.to_string(), state, from: Provenance::of(word) };
                match out.features.iter_mut().find(|f| f.name == name) {
                    Some(earlier) => {
                        out.notes.push((
                            word.line,
                            format!(
                                "`--{state}-{name}` follows `--{}-{name}` of line {}; configure uses the last",
                                earlier.state, earlier.from.lines[0]
                            ),
                        ));
                        // configure reads its arguments in order: the last one counts.
                        earlier.state = state;
                        earlier.from = flag.from;
                    }
                    None => out.features.push(flag),
                }
            }
            _ => out.not_modeled(option, word.line),
        }
    }
    out
}

impl Arguments {
    fn not_modeled(&mut self, option: &str, line: usize) {
        if !self.not_modeled.iter().any(|(o, _)| o == option) {
            self.not_modeled.push((option.to_string(), line));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::unknown::Piece;

    fn word(text: &str, line: usize) -> Word {
        Word { pieces: vec![Piece::Text(text.to_string())], line, uses: Vec::new() }
    }

    #[test]
    fn switches_lists_and_the_rest() {
        let invocation = Invocation {
            line: 1,
            words: vec![
                word("--prefix=/usr", 2),
                word("--enable-rbd", 3),
                word("--disable-xen", 4),
                word("--enable-trace-backend=dtrace", 5),
                word("--block-drv-rw-whitelist=qcow2,raw,", 6),
                word("--block-drv-ro-whitelist=vmdk", 7),
                word("--enable-block-drv-whitelist-in-tools", 8),
                word("--disable-rbd", 9),
                Word {
                    pieces: vec![Piece::Text("--".into()), Piece::Unknown(4), Piece::Text("-rbd".into())],
                    line: 10,
                    uses: Vec::new(),
                },
                Word { pieces: vec![Piece::Text("--libdir=".into()), Piece::Unknown(5)], line: 11, uses: Vec::new() },
            ],
            skipped: vec![(12, 6)],
        };
        let args = interpret(&invocation);
        let features: Vec<(&str, FeatureState)> = args.features.iter().map(|f| (f.name.as_str(), f.state)).collect();
        assert_eq!(features, [("rbd", FeatureState::Disable), ("xen", FeatureState::Disable)]);
        assert_eq!(args.features[0].from.lines, [9]);
        assert_eq!(args.rw.unwrap().values, ["qcow2", "raw"]);
        assert_eq!(args.ro.unwrap().values, ["vmdk"]);
        assert!(args.in_tools.unwrap().value);
        let modeled: Vec<&str> = args.not_modeled.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(modeled, ["--prefix", "--enable-trace-backend", "--libdir"]);
        assert_eq!(args.unread, [Unread { line: 12, unknown: 6 }, Unread { line: 10, unknown: 4 }]);
        assert_eq!(args.notes.len(), 1);
        assert!(args.notes[0].1.contains("configure uses the last"));
    }

    #[test]
    fn the_legacy_whitelist_option_is_the_rw_list() {
        let args = interpret(&Invocation {
            line: 1,
            words: vec![word("--block-drv-whitelist=qcow2,raw", 2)],
            skipped: Vec::new(),
        });
        assert_eq!(args.rw.unwrap().values, ["qcow2", "raw"]);
    }
}
