//! The shell layer: the lines rpm passes on (or a plain build script), read as sh reads
//! them, far enough to find the `./configure` runs and the words each one gets.
//!
//! The text is parsed by `brush-parser` (the parser of the brush shell: MIT, maintained,
//! builds on stable, a typed AST whose words carry their source spans, here-documents,
//! functions, redirections and bash's parameter expansions). It was preferred to
//! `conch-parser` (unmaintained since 2019), `yash-syntax` (GPL) and `tree-sitter-bash`
//! (untyped nodes, C code). The parser recurses per nesting level, so the text is bounded
//! before it is parsed and parsed on a thread with a stack sized for that bound.
//!
//! What runs is drvpolicy's own evaluator: assignments, `shift`, positional parameters,
//! shell functions (a call runs the body with `$1`, `$@`, `$#` bound to its arguments),
//! `[ A = B ]` tests, `&&`/`||`, subshells. What it cannot know (a command's output, a
//! script argument, a loop) stays an unknown piece of the word, with the reason.

mod interpreter;
mod text;

use super::line_map::LineMap;
use super::place::Place;
use super::rpm::{SourceLine, Use};
use super::unknown::{Piece, Unknowns};
use indexmap::IndexMap;
use std::collections::HashSet;
use std::ops::Range;

/// At most this many brackets and compound-command keywords in the shell text: each may
/// open a nesting level of the parser, whose stack is sized for this many.
pub const MAX_NESTING_TOKENS: usize = 10_000;
/// Stack for the parser and the evaluator: a base plus this much per nesting token.
const STACK_BASE: usize = 64 << 20;
const STACK_PER_TOKEN: usize = 24 << 10;
/// Nesting of compound commands and words the evaluator follows.
const MAX_DEPTH: usize = 200;
/// Nested function calls.
const MAX_CALLS: usize = 32;
/// Commands run in all (function calls multiply them).
const MAX_COMMANDS: usize = 200_000;
/// Bytes a variable or a field may hold.
const MAX_VALUE: usize = 1 << 20;
/// Shorter prefixes of a text with a syntax error that are tried.
const MAX_RETRIES: usize = 16;
/// At most this many `(` directly followed by another `(`: where such an opening is never
/// closed, the parser tries both readings of each (subshell or arithmetic), so its time
/// doubles with every one (24 took seconds, 28 over a minute; found by fuzzing).
pub const MAX_ADJACENT_OPENINGS: usize = 10;

/// A line for the shell: its text after rpm (and where rpm changed it), or the unknown
/// condition it sits under.
#[derive(Debug, Clone)]
pub enum ShellLine {
    Active { number: usize, text: String, uses: Vec<Use>, map: LineMap },
    Unknown { number: usize, unknown: usize },
}

impl ShellLine {
    /// A line of a plain script, read as written (no rpm expansion before the shell).
    pub fn plain(line: &SourceLine) -> ShellLine {
        ShellLine::Active { number: line.number, text: line.text.clone(), uses: Vec::new(), map: LineMap::default() }
    }
}

/// One word of a command after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub pieces: Vec<Piece>,
    /// The line the word starts on.
    pub line: usize,
    /// Macros and variables it came through, with their defining lines.
    pub uses: Vec<Use>,
    /// The word as the file writes it (quotes and rpm macros as they are), when that alone
    /// gives the word: it sits on one line, no shell expansion makes it, and no macro gives
    /// it together with another word.
    pub written: Option<String>,
    /// Its bytes in the source line `line`, when one line holds it and rpm's expansions
    /// leave its edges where the file writes them (for diagnostics that point at it).
    pub columns: Option<Range<usize>>,
}

impl Word {
    /// The whole text, if no part of it is unknown.
    pub fn known(&self) -> Option<String> {
        let mut text = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => text.push_str(t),
                Piece::Unknown(_) => return None,
            }
        }
        Some(text)
    }

    /// The known text before the first unknown piece.
    pub fn known_prefix(&self) -> String {
        let mut text = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => text.push_str(t),
                Piece::Unknown(_) => break,
            }
        }
        text
    }

    /// Where the file writes it.
    pub fn place(&self) -> Place {
        Place { line: self.line, columns: self.columns.clone() }
    }

    pub fn unknowns(&self) -> impl Iterator<Item = usize> + '_ {
        self.pieces.iter().filter_map(|p| if let Piece::Unknown(u) = p { Some(*u) } else { None })
    }

    fn size(&self) -> usize {
        self.pieces.iter().map(|p| if let Piece::Text(t) = p { t.len() } else { 1 }).fold(0, usize::saturating_add)
    }
}

/// A `configure` run: where, and the words after the command.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The line of the `configure` command.
    pub line: usize,
    /// The line of the shell function call that ran it (the outermost), if a function did.
    pub call: Option<usize>,
    pub words: Vec<Word>,
}

impl Invocation {
    /// The run as a packager names it: its call, else its configure line.
    pub fn at(&self) -> usize {
        self.call.unwrap_or(self.line)
    }

    /// What tells runs apart: the configure line, and the call that ran it.
    pub fn key(&self) -> (usize, Option<usize>) {
        (self.line, self.call)
    }
}

/// A whole `configure` run the importer could not read (under an unknown condition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedInvocation {
    pub line: usize,
    pub unknown: usize,
}

/// Where the shell text stops being read: a syntax error, or a bound of the importer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    pub at: Place,
    pub what: String,
    pub reason: String,
    pub help: String,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub invocations: Vec<Invocation>,
    pub skipped: Vec<SkippedInvocation>,
    pub used_sets: Vec<String>,
    pub referenced: Vec<String>,
    pub stops: Vec<Stop>,
}

/// The text handed to the parser, and where each of its lines comes from.
struct Text {
    text: String,
    /// Per input line, in order: its first char in `text`, its source line, and where rpm
    /// changed it (`None` for a line the importer wrote itself, under an unknown condition).
    lines: Vec<TextLine>,
}

struct TextLine {
    start: usize,
    number: usize,
    uses: Vec<Use>,
    map: Option<LineMap>,
}

impl Text {
    /// The line holding char `at` of the text.
    fn line_at(&self, at: usize) -> Option<&TextLine> {
        let index = self.lines.partition_point(|l| l.start <= at).checked_sub(1)?;
        self.lines.get(index)
    }
}

/// `./configure`, `../configure`, `$srcdir/configure`: a word that ends in `configure`.
fn is_configure(word: &str) -> bool {
    word == "configure" || word.ends_with("/configure")
}

fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Names assigned anywhere in the lines: reading one where it is not set gives "" for sure.
pub fn assigned_anywhere(lines: &[SourceLine]) -> HashSet<String> {
    let mut names = HashSet::new();
    for line in lines {
        for token in line.text.split(|c: char| c.is_whitespace() || c == ';') {
            if let Some((name, _)) = token.split_once('=')
                && is_name(name)
            {
                names.insert(name.to_string());
            }
        }
    }
    names
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Brackets and compound-command keywords: an upper bound of the parser's nesting.
fn nesting_tokens(text: &str) -> (usize, Option<usize>) {
    let mut count = 0usize;
    let mut beyond = None;
    let mut word = String::new();
    let keyword = |w: &str| {
        matches!(w, "if" | "then" | "elif" | "else" | "while" | "until" | "for" | "do" | "case" | "select" | "function")
    };
    for (at, c) in text.chars().enumerate() {
        let opens = matches!(c, '(' | '{' | '[' | '`' | '!');
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if keyword(&word) {
            count = count.saturating_add(1);
        }
        word.clear();
        if opens {
            count = count.saturating_add(1);
        }
        if count > MAX_NESTING_TOKENS && beyond.is_none() {
            beyond = Some(at);
        }
    }
    if keyword(&word) {
        count = count.saturating_add(1);
    }
    (count, beyond)
}

/// Where the text has more than [`MAX_ADJACENT_OPENINGS`] openings `(` whose next non-blank
/// char is `(` again (`$((` arithmetic expansion excluded: it is read one way).
fn adjacent_openings(text: &str) -> Option<usize> {
    let mut count = 0usize;
    let mut previous = None;
    // After a `(`, up to the next non-blank char: whether that `(` counts.
    let mut open: Option<bool> = None;
    for (at, c) in text.chars().enumerate() {
        if c == '(' {
            if open == Some(true) {
                count = count.saturating_add(1);
                if count > MAX_ADJACENT_OPENINGS {
                    return Some(at);
                }
            }
            open = Some(previous != Some('$'));
        } else if !c.is_whitespace() {
            open = None;
        }
        previous = Some(c);
    }
    None
}

/// Where the text has a word of digits right before `<` or `>` (a redirection's file
/// descriptor) that is beyond `i32`: brush-parser 0.4 panics on one.
fn oversized_io_number(text: &str) -> Option<usize> {
    let mut run: Option<(usize, u64, bool)> = None;
    let mut previous = None;
    for (at, c) in text.chars().enumerate() {
        if let Some(digit) = c.to_digit(10) {
            let (start, value, word) =
                run.unwrap_or((at, 0, !previous.is_some_and(|p: char| !p.is_whitespace() && !";|&()".contains(p))));
            run = Some((start, value.saturating_mul(10).saturating_add(u64::from(digit)), word));
        } else {
            if let Some((start, value, true)) = run
                && (c == '<' || c == '>')
                && value > i32::MAX as u64
            {
                return Some(start);
            }
            run = None;
        }
        previous = Some(c);
    }
    None
}

/// Runs the lines far enough to collect every `configure` invocation.
pub fn run(
    file: &str,
    source: &[SourceLine],
    lines: &[ShellLine],
    sets: &IndexMap<String, String>,
    unknowns: &mut Unknowns,
) -> Outcome {
    let assigned = assigned_anywhere(source);
    let mut out = Outcome::default();
    let text = text::text(file, source, lines, sets, unknowns, &mut out);
    let (count, beyond) = nesting_tokens(&text.text);
    // What brush-parser cannot be given: too deep, a panic, or exponential time.
    let refused = [
        beyond.map(|at| (at, format!("it has more than {MAX_NESTING_TOKENS} brackets and compound-command keywords, which the importer does not parse (it bounds how deep the text can nest)"))),
        oversized_io_number(&text.text)
            .map(|at| (at, format!("it redirects a file descriptor beyond {}, which the importer does not parse", i32::MAX))),
        adjacent_openings(&text.text).map(|at| (at, format!("it has more than {MAX_ADJACENT_OPENINGS} `(` directly followed by another `(`, which the importer does not parse (read unclosed, each doubles the parser's work)"))),
    ];
    if let Some((at, reason)) = refused.into_iter().flatten().next() {
        let place = text.line_at(at).map_or(Place::line(1), |l| Place::line(l.number));
        out.stops.push(Stop {
            at: place,
            what: "the shell text".into(),
            reason,
            help: "import a shorter build script, or edit the profile by hand".into(),
        });
        return out;
    }
    let stack = STACK_BASE.saturating_add(count.saturating_mul(STACK_PER_TOKEN));
    let options = brush_parser::ParserOptions::default();
    let done = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new().stack_size(stack).spawn_scoped(scope, move || {
            let program = text::parse(file, source, &text, &options, &mut out);
            if let Some(program) = &program {
                interpreter::run(file, source, &text, sets, &assigned, unknowns, &options, program, &mut out);
            }
            out
        });
        match worker {
            Ok(handle) => handle.join().map_err(|_| "the importer failed on this shell text (a bug: please report it)"),
            Err(_) => Err("the importer could not start its shell parser (no memory for its stack)"),
        }
    });
    done.unwrap_or_else(|reason| Outcome {
        stops: vec![Stop {
            at: Place::line(1),
            what: "the shell text".into(),
            reason: reason.into(),
            help: "edit the profile by hand".into(),
        }],
        ..Outcome::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::rpm::split_lines;
    use crate::import::unknown::Unknown;

    fn script(text: &str, sets: &[(&str, &str)]) -> (Outcome, Unknowns) {
        let source = split_lines(text);
        let lines: Vec<ShellLine> = source.iter().map(ShellLine::plain).collect();
        let sets: IndexMap<String, String> = sets.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut unknowns = Unknowns::default();
        let outcome = run("build.sh", &source, &lines, &sets, &mut unknowns);
        (outcome, unknowns)
    }

    fn texts(invocation: &Invocation) -> Vec<Option<String>> {
        invocation.words.iter().map(Word::known).collect()
    }

    fn first(out: &Outcome) -> &Invocation {
        out.invocations.first().expect("a configure run")
    }

    const BUILD: &str = r#"#!/bin/sh
prefix=$1
shift
have_rbd=$1
shift

if [ "$have_rbd" == "enable" ]; then
  rbd_driver=rbd,
fi

./configure \
    --prefix=${prefix} \
    --${have_rbd}-rbd \
    --extra-cflags="-O2 -g" \
    --block-drv-rw-whitelist=qcow2,${rbd_driver}raw \
    "$@"
"#;

    #[test]
    fn positional_words_are_unknown_until_set() {
        let (out, unknowns) = script(BUILD, &[]);
        assert_eq!(out.invocations.len(), 1);
        let words = &first(&out).words;
        assert_eq!(words.len(), 5);
        assert_eq!(words[0].known_prefix(), "--prefix=");
        let rbd = &words[1];
        assert_eq!(rbd.known(), None);
        let reason = &unknowns.get(rbd.unknowns().next().unwrap()).reason;
        assert!(reason.contains("the script's 2nd argument"), "{reason}");
        assert_eq!(words[2].known().as_deref(), Some("--extra-cflags=-O2 -g"));
        // rbd_driver is set under an `if` on an unknown word.
        assert_eq!(words[3].known(), None);
        let why = &unknowns.get(words[3].unknowns().next().unwrap()).reason;
        assert!(why.contains("rbd_driver") && why.contains("cannot be evaluated"), "{why}");
        assert!(unknowns.get(words[4].unknowns().next().unwrap()).what.contains("$@"));
    }

    #[test]
    fn sets_give_the_words() {
        let (out, _) = script(BUILD, &[("have_rbd", "enable"), ("prefix", "/usr"), ("@", "")]);
        assert_eq!(
            texts(first(&out)),
            [
                Some("--prefix=/usr".to_string()),
                Some("--enable-rbd".into()),
                Some("--extra-cflags=-O2 -g".into()),
                Some("--block-drv-rw-whitelist=qcow2,rbd,raw".into()),
            ]
        );
        assert_eq!(out.used_sets, ["prefix", "have_rbd", "@"]);
        let (out, _) = script(BUILD, &[("have_rbd", "disable"), ("@", "")]);
        assert_eq!(first(&out).words[3].known().as_deref(), Some("--block-drv-rw-whitelist=qcow2,raw"));
    }

    #[test]
    fn a_function_call_binds_its_arguments_and_each_call_is_a_run() {
        let text = "extra=\"--enable-a --enable-b\"\nrun() {\n    # ./configure --no\n    ./configure $extra \\\n        \"$extra\" \"$@\" --n=$# --first=\"$1\" # trailing\n}\nrun --target-list=x 'two words'\nrun\n";
        let (out, _) = script(text, &[]);
        assert_eq!(out.invocations.len(), 2);
        assert_eq!(
            texts(&out.invocations[0]),
            [
                Some("--enable-a".to_string()),
                Some("--enable-b".into()),
                Some("--enable-a --enable-b".into()),
                Some("--target-list=x".into()),
                Some("two words".into()),
                Some("--n=2".into()),
                Some("--first=--target-list=x".into()),
            ]
        );
        // The call's words keep where the call writes them.
        let passed = &out.invocations[0].words[3];
        assert_eq!((passed.line, passed.written.as_deref()), (7, Some("--target-list=x")));
        assert_eq!((out.invocations[0].line, out.invocations[0].call), (4, Some(7)));
        assert_eq!(texts(&out.invocations[1]).len(), 5, "no arguments: \"$@\" gives no word");
        assert_eq!(out.invocations[1].at(), 8);
    }

    #[test]
    fn shell_structure_is_read_as_the_shell_reads_it() {
        let text = "\
cat > x.sh <<'EOF'
./configure --in-a-here-document
EOF
( cd build && ../configure --enable-rbd > config.log 2>&1 ) || { cat config.log; exit 1; }
v=
./configure --a=${v:-dflt} ${v:+--never} --b=\"${v-unset}\" --c=$(pwd) `date` | tee log
v=set
[ -n \"$v\" ] && ./configure --d=${v:+alt}
[ -z \"$v\" ] && ./configure --never
./configure \"--e=${#v}\" --f=~/x ~/y
";
        let (out, unknowns) = script(text, &[]);
        let runs: Vec<Vec<Option<String>>> = out.invocations.iter().map(texts).collect();
        assert_eq!(runs.len(), 4, "{runs:?}");
        assert_eq!(runs[0], [Some("--enable-rbd".to_string())]);
        assert_eq!(runs[1][0].as_deref(), Some("--a=dflt"));
        assert_eq!(runs[1][1].as_deref(), Some("--b="), "v is set, to nothing");
        assert_eq!(runs[1].len(), 4, "{:?}", runs[1]);
        for w in &out.invocations[1].words[2..] {
            let u = unknowns.get(w.unknowns().next().unwrap());
            assert!(u.reason.contains("output of a command"), "{u:?}");
        }
        assert_eq!(runs[2], [Some("--d=alt".to_string())]);
        assert_eq!(runs[3][0].as_deref(), Some("--e=3"));
        assert_eq!(runs[3][1].as_deref(), Some("--f=~/x"), "no tilde expansion inside a word");
        assert_eq!(runs[3][2], None, "~ is a home directory");
        assert!(out.stops.is_empty(), "{:?}", out.stops);
    }

    #[test]
    fn unknown_rpm_lines_inside_a_command_are_unknown_words() {
        let source = split_lines("./configure \\\n  --a \\\n  --b \\\n  --c\n");
        let active = |n: usize| ShellLine::Active {
            number: n,
            text: source[n - 1].text.clone(),
            uses: Vec::new(),
            map: LineMap::default(),
        };
        let mut unknowns = Unknowns::default();
        let u = unknowns.add(Unknown::new("`%if %{x}` (line 3)", "why"));
        let lines = vec![active(1), active(2), ShellLine::Unknown { number: 3, unknown: u }, active(4)];
        let out = run("x.spec", &source, &lines, &IndexMap::new(), &mut unknowns);
        assert_eq!(texts(first(&out)), [Some("--a".to_string()), None, Some("--c".into())]);
        let skipped = &first(&out).words[1];
        assert_eq!((skipped.line, skipped.unknowns().collect::<Vec<_>>()), (3, vec![u]));
    }

    #[test]
    fn words_keep_how_the_file_writes_them() {
        // `--set @=` gives the script's own arguments: two are shifted away.
        let (out, _) =
            script(BUILD, &[("have_rbd", "enable"), ("prefix", "/usr"), ("@", "/usr enable --target-list=x")]);
        let written: Vec<Option<&str>> = first(&out).words.iter().map(|w| w.written.as_deref()).collect();
        // `${prefix}` and "$@" are the shell's: their words have only their values.
        assert_eq!(written, [None, None, Some("--extra-cflags=\"-O2 -g\""), None, None], "{:?}", first(&out).words);
    }

    #[test]
    fn set_words_are_split_and_quoted_as_the_shell_would() {
        let (out, _) = script("./configure \"$@\"\n", &[("@", "--target-list=\"x86_64-softmmu\" 'a b' c\\ d")]);
        assert_eq!(
            texts(first(&out)),
            [Some("--target-list=x86_64-softmmu".to_string()), Some("a b".into()), Some("c d".into())]
        );
    }

    #[test]
    fn shift_never_overflows() {
        let (out, unknowns) = script("shift 18446744073709551615\nshift\nx=$1\n./configure --x=$x\n", &[]);
        let u = unknowns.get(first(&out).words[0].unknowns().next().unwrap());
        assert!(u.reason.contains("argument"), "{u:?}");
        let (out, _) = script("f() { shift 99999999999999999999999; shift; ./configure \"$@\"; }\nf a b\n", &[]);
        assert_eq!(texts(first(&out)), [Some("b".to_string())]);
    }

    #[test]
    fn a_syntax_error_stops_where_sh_stops() {
        let (out, _) = script("./configure --a\nfi\n./configure --b\n", &[]);
        assert_eq!(out.invocations.len(), 1);
        assert_eq!(out.stops.len(), 1);
        assert_eq!(out.stops[0].at.line, 2);
        assert_eq!(out.stops[0].what, "a shell syntax error");
        let (out, _) = script("./configure --a\nif [ a = a ]; then\n./configure --b\n", &[]);
        assert_eq!(texts(first(&out)), [Some("--a".to_string())]);
        assert_eq!(out.stops[0].what, "a shell command that does not end");
    }

    #[test]
    fn hostile_nesting_ends_in_a_stop() {
        let deep = format!("{}./configure --a\n", "( ".repeat(200_000));
        let (out, _) = script(&deep, &[]);
        assert!(out.invocations.is_empty());
        assert!(out.stops[0].reason.contains("brackets"), "{:?}", out.stops);
        let thens = format!("./configure {}\n", "then ".repeat(30_000));
        let (out, _) = script(&thens, &[]);
        assert!(!out.stops.is_empty());
        let nested = format!("{}./configure --a\n{}", "if true; then\n".repeat(300), "fi\n".repeat(300));
        let (out, _) = script(&nested, &[]);
        assert!(out.stops.iter().any(|s| s.reason.contains("nests deeper")), "{:?}", out.stops);
        let calls = "f() { f; }\nf\n./configure --after\n";
        let (out, _) = script(calls, &[]);
        assert_eq!(texts(first(&out)), [Some("--after".to_string())]);
        assert!(out.stops.iter().any(|s| s.what == "a shell function call"), "{:?}", out.stops);
    }

    #[test]
    fn a_run_the_parser_reads_as_arithmetic_is_not_lost() {
        let (out, unknowns) = script("( ( ./configure --a ) )\n", &[]);
        assert!(out.invocations.is_empty());
        let skipped = out.skipped.first().expect("a skipped run");
        assert_eq!(skipped.line, 1);
        assert!(unknowns.get(skipped.unknown).reason.contains("arithmetic command"));
    }

    #[test]
    fn keywords_and_the_bytes_of_each_word() {
        let (out, _) = script("x=1; if [ a = a ]; then\n./configure --é=1 --enable-rbd\nfi\n", &[]);
        // Bytes, not chars: `é` takes two.
        let columns: Vec<Option<Range<usize>>> = first(&out).words.iter().map(|w| w.columns.clone()).collect();
        assert_eq!(columns, [Some(12..18), Some(19..31)]);
    }

    #[test]
    fn ordinals() {
        assert_eq!(
            [1, 2, 3, 4, 11, 12, 13, 21, 22].map(ordinal),
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd"]
        );
    }
}
