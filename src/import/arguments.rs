//! One `configure` invocation's words as profile settings: `--enable-X`/`--disable-X`
//! (catalogue or custom features), the whitelist options, whitelist-in-tools; the rest is
//! either outside the block-driver policy (`--prefix=%{_prefix}`: an extra arg, kept as
//! the file writes it) or could not be read.

use super::place::Place;
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

    pub fn first_line(&self) -> usize {
        self.lines.first().copied().unwrap_or(0)
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

/// An argument outside the block-driver policy, for `extra-args`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraArg {
    /// As the file writes it (rpm macros and quotes as they are), or else the known text
    /// quoted for the shell.
    pub text: String,
    /// The option as configure gets it, without its value (`--prefix`).
    pub option: String,
    pub from: Provenance,
    /// It follows a build option: generated configure lines pass extra args first, so the
    /// run comes back in another order.
    pub after_options: bool,
    /// Where the file writes it (for warnings about it).
    pub at: Place,
}

/// An argument that could not be read: where it is and the unknown that stopped it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    pub at: Place,
    pub unknown: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Arguments {
    pub features: Vec<FeatureFlag>,
    pub rw: Option<ListFlag>,
    pub ro: Option<ListFlag>,
    pub in_tools: Option<BoolFlag>,
    /// Arguments outside the block-driver policy, in the order they are passed.
    pub extra: Vec<ExtraArg>,
    pub unread: Vec<Unread>,
    /// Things worth knowing that change nothing, such as repeated flags, and where.
    pub notes: Vec<(Place, String)>,
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
    let mut options_seen = false;
    // Options passed again: one note per option, however often (a line of 5,000 repeated
    // flags gets one note, not 5,000).
    let mut repeats: Vec<Repeat> = Vec::new();
    for word in &invocation.words {
        let Some(text) = word.known() else {
            let prefix = word.known_prefix();
            let unknown = word.unknowns().next().unwrap_or(0);
            // `--prefix=%{_prefix}`: the option is known, and the file's own spelling
            // gives the value to rpm again. Without that spelling (a shell variable, a
            // script argument) the value is not known: it is not guessed.
            match (prefix.split_once('='), &word.written) {
                (Some((option, _)), Some(written)) if list_flag(option).is_none() => {
                    out.extra(written.clone(), option, word, options_seen)
                }
                _ => out.unread.push(Unread { at: word.place(), unknown }),
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
            options_seen = true;
            let flag = ListFlag { values, from: Provenance::of(word), option: option.to_string() };
            let slot = match list {
                List::Rw => &mut out.rw,
                List::Ro => &mut out.ro,
            };
            if let Some(earlier) = slot.replace(flag) {
                Repeat::note(&mut repeats, option, word, &earlier.from, option);
            }
            continue;
        }
        let switch = match (value, option.strip_prefix("--enable-"), option.strip_prefix("--disable-")) {
            (None, Some(name), _) => Some((name, FeatureState::Enable)),
            (None, _, Some(name)) => Some((name, FeatureState::Disable)),
            _ => None,
        };
        options_seen |= switch.is_some_and(|(name, _)| !name.is_empty());
        match switch {
            Some((name, state)) if !name.is_empty() && name == in_tools_name => {
                out.in_tools = Some(BoolFlag { value: state == FeatureState::Enable, from: Provenance::of(word) });
            }
            Some((name, state)) if !name.is_empty() => {
                let flag = FeatureFlag { name: name.to_string(), state, from: Provenance::of(word) };
                match out.features.iter_mut().find(|f| f.name == name) {
                    Some(earlier) => {
                        let first = format!("--{}-{name}", earlier.state);
                        Repeat::note(&mut repeats, &first, word, &earlier.from, &format!("--{state}-{name}"));
                        // configure reads its arguments in order: the last one counts.
                        earlier.state = state;
                        earlier.from = flag.from;
                    }
                    None => out.features.push(flag),
                }
            }
            _ => {
                let spelling = word.written.clone().unwrap_or_else(|| shell_word(&text));
                out.extra(spelling, option, word, options_seen)
            }
        }
    }
    // One note per line the repeated options were first passed on (`%{disable_everything}`
    // then `--enable-X`: a whole list of them is one pattern, not one note each).
    let mut lines: Vec<usize> = repeats.iter().map(|r| r.line).collect();
    lines.dedup();
    lines.sort_unstable();
    lines.dedup();
    for line in lines {
        let group: Vec<&Repeat> = repeats.iter().filter(|r| r.line == line).collect();
        let text = match group.as_slice() {
            [r] => match (r.times, r.first == r.last) {
                (1, true) => {
                    format!("`{}` is passed again (first on line {}); configure uses the last", r.first, r.line)
                }
                (1, false) => format!("`{}` follows `{}` of line {}; configure uses the last", r.last, r.first, r.line),
                (n, _) => format!(
                    "`{}` is passed {n} more times after line {} (the last as `{}`); configure uses the last",
                    r.first, r.line, r.last
                ),
            },
            _ => {
                let named: Vec<String> = group.iter().take(3).map(|r| format!("`{}`", r.last)).collect();
                let more = group.len().saturating_sub(3);
                let more = if more > 0 { format!(" and {more} more") } else { String::new() };
                format!(
                    "{}{more} override what line {line} passes first ({} options); configure uses the last",
                    named.join(", "),
                    group.len()
                )
            }
        };
        if let Some(first) = group.first() {
            out.notes.push((first.at.clone(), text));
        }
    }
    out
}

/// An option passed more than once.
struct Repeat {
    /// The option's name (the feature, or the whitelist option).
    key: String,
    /// Where it is passed again the first time.
    at: Place,
    times: usize,
    first: String,
    last: String,
    line: usize,
}

impl Repeat {
    fn note(repeats: &mut Vec<Repeat>, first: &str, word: &Word, earlier: &Provenance, now: &str) {
        let key = now.trim_start_matches("--enable-").trim_start_matches("--disable-").to_string();
        match repeats.iter_mut().find(|r| r.key == key) {
            Some(r) => {
                r.times = r.times.saturating_add(1);
                r.last = now.to_string();
            }
            None => repeats.push(Repeat {
                key,
                at: word.place(),
                times: 1,
                first: first.to_string(),
                last: now.to_string(),
                line: earlier.first_line(),
            }),
        }
    }
}

impl Arguments {
    fn extra(&mut self, text: String, option: &str, word: &Word, after_options: bool) {
        self.extra.push(ExtraArg {
            text,
            option: option.to_string(),
            from: Provenance::of(word),
            after_options,
            at: word.place(),
        });
    }
}

/// `text` as one shell word: as it is when the shell leaves it so, else in single quotes.
/// A `%` stays as it is: the text goes into a spec, where `%{_prefix}` is rpm's (this is how
/// `--set prefix=%{_prefix}` gives a build script's argument as a macro).
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_=+,.:/@%{}".contains(c);
    let braces_expand = text.contains('{') && (text.contains(',') || text.contains(".."));
    if !text.is_empty() && text.chars().all(plain) && !braces_expand {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::unknown::Piece;

    fn word(text: &str, line: usize) -> Word {
        Word { pieces: vec![Piece::Text(text.to_string())], line, uses: Vec::new(), written: None, columns: None }
    }

    /// A word with an unknown value, and how the file writes it, if one line does.
    fn unknown(option: &str, unknown: usize, written: Option<&str>, line: usize) -> Word {
        Word {
            pieces: vec![Piece::Text(option.into()), Piece::Unknown(unknown)],
            line,
            uses: Vec::new(),
            written: written.map(str::to_string),
            columns: None,
        }
    }

    #[test]
    fn switches_lists_and_the_rest() {
        let invocation = Invocation {
            line: 1,
            call: None,
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
                    written: Some("--%{x}-rbd".into()),
                    columns: Some(4..14),
                },
                // `--libdir=$libdir`: a shell variable the file does not set.
                unknown("--libdir=", 5, None, 11),
                // `--extra-cflags="%{optflags} -g"`: rpm's own macro, kept for rpm.
                unknown("--extra-cflags=", 7, Some("--extra-cflags=\"%{optflags} -g\""), 13),
                unknown("--block-drv-ro-whitelist=", 8, Some("--block-drv-ro-whitelist=%{ro}"), 14),
                word("--with-pkgversion=my 1.0", 15),
            ],
        };
        let args = interpret(&invocation);
        let features: Vec<(&str, FeatureState)> = args.features.iter().map(|f| (f.name.as_str(), f.state)).collect();
        assert_eq!(features, [("rbd", FeatureState::Disable), ("xen", FeatureState::Disable)]);
        assert_eq!(args.features[0].from.lines, [9]);
        assert_eq!(args.rw.unwrap().values, ["qcow2", "raw"]);
        assert_eq!(args.ro.unwrap().values, ["vmdk"]);
        assert!(args.in_tools.unwrap().value);
        // --prefix comes before every build option; the others after --enable-rbd.
        let extra: Vec<(&str, &str, usize, bool)> =
            args.extra.iter().map(|e| (e.text.as_str(), e.option.as_str(), e.from.lines[0], e.after_options)).collect();
        assert_eq!(
            extra,
            [
                ("--prefix=/usr", "--prefix", 2, false),
                ("--enable-trace-backend=dtrace", "--enable-trace-backend", 5, true),
                ("--extra-cflags=\"%{optflags} -g\"", "--extra-cflags", 13, true),
                ("'--with-pkgversion=my 1.0'", "--with-pkgversion", 15, true),
            ]
        );
        // Unknown option names, unknown values without a spelling, whitelists with unknown parts.
        assert_eq!(
            args.unread,
            [
                Unread { at: Place { line: 10, columns: Some(4..14) }, unknown: 4 },
                Unread { at: Place::line(11), unknown: 5 },
                Unread { at: Place::line(14), unknown: 8 }
            ]
        );
        assert_eq!(args.notes.len(), 1);
        assert!(args.notes[0].1.contains("configure uses the last"));
    }

    #[test]
    fn extra_args_before_every_option_keep_their_order() {
        let args = interpret(&Invocation {
            line: 1,
            words: vec![word("--prefix=/usr", 2), word("--target-list=x86_64-softmmu", 3), word("--enable-rbd", 4)],
            call: None,
        });
        let extra: Vec<&str> = args.extra.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(extra, ["--prefix=/usr", "--target-list=x86_64-softmmu"]);
        assert!(args.extra.iter().all(|e| !e.after_options));
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word("--target-list={a,b}"), "'--target-list={a,b}'");
        assert_eq!(shell_word("--with-pkgversion=%{name}-%{version}"), "--with-pkgversion=%{name}-%{version}");
    }

    #[test]
    fn the_legacy_whitelist_option_is_the_rw_list() {
        let args =
            interpret(&Invocation { line: 1, words: vec![word("--block-drv-whitelist=qcow2,raw", 2)], call: None });
        assert_eq!(args.rw.unwrap().values, ["qcow2", "raw"]);
    }
}
