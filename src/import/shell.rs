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

use super::line_map::LineMap;
use super::place::Place;
use super::rpm::{SourceLine, Use};
use super::unknown::{Piece, Unknown, Unknowns, clip, marker_text, pieces};
use brush_parser::ast;
use brush_parser::word::{Parameter, ParameterExpr, ParameterTestType, SpecialParameter, WordPiece};
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};
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
    let text = text(file, source, lines, sets, unknowns, &mut out);
    let (count, beyond) = nesting_tokens(&text.text);
    if let Some(at) = beyond {
        let place = text.line_at(at).map_or(Place::line(1), |l| Place::line(l.number));
        out.stops.push(Stop {
            at: place,
            what: "the shell text".into(),
            reason: format!(
                "it has more than {MAX_NESTING_TOKENS} brackets and compound-command keywords, which the importer does not parse (it bounds how deep the text can nest)"
            ),
            help: "import a shorter build script, or edit the profile by hand".into(),
        });
        return out;
    }
    let stack = STACK_BASE.saturating_add(count.saturating_mul(STACK_PER_TOKEN));
    let options = brush_parser::ParserOptions::default();
    let done = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new().stack_size(stack).spawn_scoped(scope, move || {
            let program = parse(file, source, &text, &options, &mut out);
            let mut interpreter = Interpreter {
                file,
                source,
                text: &text,
                sets,
                assigned: &assigned,
                unknowns,
                options: &options,
                vars: HashMap::new(),
                functions: HashMap::new(),
                frames: vec![Frame::script(sets)],
                guards: Vec::new(),
                calls: Vec::new(),
                depth: 0,
                commands: 0,
                byte_offsets: HashMap::new(),
                out: &mut out,
            };
            if let Some(program) = &program {
                for list in &program.complete_commands {
                    if interpreter.list(list) != Flow::Normal {
                        break;
                    }
                }
            }
            drop(interpreter);
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

/// The lines as one text for the parser. A line under an unknown rpm condition becomes a
/// word that stands for that condition, so that a configure argument on it is read as
/// unknown; a `configure` run under one is recorded as skipped; an assignment under one
/// becomes an assignment of an unknown value.
fn text(
    file: &str,
    source: &[SourceLine],
    lines: &[ShellLine],
    sets: &IndexMap<String, String>,
    unknowns: &mut Unknowns,
    out: &mut Outcome,
) -> Text {
    let raw = |number: usize| source.get(number.wrapping_sub(1)).map_or("", |l| l.text.as_str());
    let mut text = Text { text: String::new(), lines: Vec::with_capacity(lines.len()) };
    let mut chars = 0usize;
    let mut in_unknown_command = false;
    for line in lines {
        let (number, body, uses, map) = match line {
            ShellLine::Active { number, text, uses, map } => {
                in_unknown_command = false;
                (*number, text.clone(), uses.clone(), Some(map.clone()))
            }
            ShellLine::Unknown { number, unknown } => {
                let written = raw(*number).trim();
                let continues = written.ends_with('\\');
                let first = written.split_whitespace().find(|w| !w.contains('=')).unwrap_or("");
                let body = if in_unknown_command {
                    in_unknown_command = continues;
                    String::new()
                } else if is_configure(first) {
                    let skipped = SkippedInvocation { line: *number, unknown: *unknown };
                    if !out.skipped.contains(&skipped) {
                        out.skipped.push(skipped);
                    }
                    in_unknown_command = continues;
                    String::new()
                } else if let Some((name, _)) = written.split_once('=')
                    && is_name(name)
                    && !sets.contains_key(name)
                {
                    let condition = unknowns.get(*unknown).what.clone();
                    let marker = unknowns.marker(
                        Unknown::new(
                            format!("`${name}`"),
                            format!("`{name}` is set at {file}:{number} under {condition}, which cannot be evaluated"),
                        )
                        .with_help(format!("pass --set {name}=VALUE")),
                    );
                    format!("{name}={marker}")
                } else {
                    let tail = if continues { " \\" } else { "" };
                    format!("{}{tail}", marker_text(*unknown))
                };
                (*number, body, Vec::new(), None)
            }
        };
        text.lines.push(TextLine { start: chars, number, uses, map });
        chars = chars.saturating_add(body.chars().count()).saturating_add(1);
        text.text.push_str(&body);
        text.text.push('\n');
    }
    text
}

/// The program, or the longest start of it that parses; a syntax error is a stop.
fn parse(
    file: &str,
    source: &[SourceLine],
    text: &Text,
    options: &brush_parser::ParserOptions,
    out: &mut Outcome,
) -> Option<ast::Program> {
    let attempt = |source: &str| {
        let mut parser = brush_parser::Parser::new(std::io::BufReader::new(source.as_bytes()), options);
        parser.parse_program()
    };
    let error = match attempt(&text.text) {
        Ok(program) => return Some(program),
        Err(e) => e,
    };
    let at = match &error {
        brush_parser::ParseError::ParsingNear(p) => Some(p.index),
        brush_parser::ParseError::Tokenizing { position: Some(p), .. } => Some(p.index),
        _ => None,
    };
    let index = match at {
        Some(at) => text.lines.partition_point(|l| l.start <= at).saturating_sub(1),
        None => text.lines.len().saturating_sub(1),
    };
    let line = text.lines.get(index);
    let place = match (line, at) {
        (Some(l), Some(at)) => {
            let chars = at.saturating_sub(l.start);
            let raw = source.get(l.number.wrapping_sub(1)).map_or("", |s| s.text.as_str());
            let columns = l
                .map
                .as_ref()
                .and_then(|m| m.written(chars..chars.saturating_add(1)))
                .and_then(|c| char_bytes(raw, &c));
            Place { line: l.number, columns }
        }
        (Some(l), None) => Place::line(l.number),
        (None, _) => Place::line(1),
    };
    let what = match at {
        Some(_) => "a shell syntax error".to_string(),
        None => "a shell command that does not end".to_string(),
    };
    let detail = match &error {
        brush_parser::ParseError::Tokenizing { inner, .. } => format!(" ({inner})"),
        brush_parser::ParseError::ParsingAtEndOfInput => {
            " (an `if`, loop, `case`, `{`, `(` or quote still open at the end)".to_string()
        }
        _ => String::new(),
    };
    out.stops.push(Stop {
        at: place,
        what,
        reason: format!("sh cannot parse the text here{detail}, and stops: what {file} runs from here on is not read"),
        help: "fix the shell syntax (`sh -n` shows it), or edit the profile by hand".into(),
    });
    // sh runs the commands before the one it cannot parse: find the longest start of whole
    // lines that parses, stepping back from the error.
    let mut step = 0usize;
    let mut end = index;
    for _ in 0..MAX_RETRIES {
        end = end.saturating_sub(step);
        let cut = text.lines.get(end).map_or(text.text.len(), |l| byte_of(&text.text, l.start));
        if let Ok(program) = attempt(text.text.get(..cut).unwrap_or("")) {
            return Some(program);
        }
        if end == 0 {
            break;
        }
        step = step.saturating_mul(2).max(1);
    }
    None
}

/// The bytes of `text` that its chars `chars` take.
fn char_bytes(text: &str, chars: &Range<usize>) -> Option<Range<usize>> {
    let mut offsets = text.char_indices().map(|(b, _)| b).chain([text.len()]);
    let start = offsets.nth(chars.start)?;
    let end = offsets.nth(chars.end.checked_sub(chars.start)?.checked_sub(1)?)?;
    Some(start..end)
}

/// The byte offset of char `at` of `text`.
fn byte_of(text: &str, at: usize) -> usize {
    text.char_indices().nth(at).map_or(text.len(), |(b, _)| b)
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Var {
    pieces: Vec<Piece>,
    uses: Vec<Use>,
}

/// The positional parameters of the script or of a function call.
#[derive(Debug, Clone)]
enum Args {
    /// The script's own, not known (no `--set @=`): how many `shift` took.
    Script {
        shift: usize,
    },
    Known(Vec<Word>),
}

#[derive(Debug)]
struct Frame {
    /// `None` for the script itself.
    function: Option<String>,
    args: Args,
    /// Variables `local` saved, to restore when the function returns.
    locals: Vec<(String, Option<Var>)>,
}

impl Frame {
    fn script(sets: &IndexMap<String, String>) -> Frame {
        let args = match sets.get("@") {
            Some(value) => Args::Known(split_set(value).into_iter().map(|t| text_word(t, 0)).collect()),
            None => Args::Script { shift: 0 },
        };
        Frame { function: None, args, locals: Vec::new() }
    }
}

/// `--set @=WORDS` split as the shell splits words (quotes group, backslashes escape).
fn split_set(value: &str) -> Vec<String> {
    shell_words::split(value).unwrap_or_else(|_| value.split_whitespace().map(str::to_string).collect())
}

fn text_word(text: String, line: usize) -> Word {
    Word { pieces: vec![Piece::Text(text)], line, uses: Vec::new(), written: None, columns: None }
}

/// How a list of commands ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    /// `return` (or the end of the importer's bounds): leave the function.
    Return,
    /// `exit`: stop reading.
    Exit,
}

/// Whether a test or a command succeeds.
#[derive(Debug, Clone, Copy)]
enum Status {
    True,
    False,
    Unknown(usize),
}

impl Status {
    fn not(self) -> Status {
        match self {
            Status::True => Status::False,
            Status::False => Status::True,
            u => u,
        }
    }
}

struct Interpreter<'a, 'o> {
    file: &'a str,
    source: &'a [SourceLine],
    text: &'a Text,
    sets: &'a IndexMap<String, String>,
    assigned: &'a HashSet<String>,
    unknowns: &'a mut Unknowns,
    options: &'a brush_parser::ParserOptions,
    vars: HashMap<String, Var>,
    functions: HashMap<String, (&'a ast::FunctionBody, Option<usize>)>,
    frames: Vec<Frame>,
    /// The unknown conditions the current command sits under, outermost first.
    guards: Vec<usize>,
    /// Lines of the function calls being run, outermost first.
    calls: Vec<usize>,
    depth: usize,
    commands: usize,
    /// Per source line, the byte offset of each char (made once per line).
    byte_offsets: HashMap<usize, Vec<usize>>,
    out: &'o mut Outcome,
}

impl<'a> Interpreter<'a, '_> {
    fn raw(&self, line: usize) -> &'a str {
        self.source.get(line.wrapping_sub(1)).map_or("", |l| l.text.as_str())
    }

    fn current_function(&self) -> Option<&str> {
        self.frames.last().and_then(|f| f.function.as_deref())
    }

    fn stop(&mut self, line: usize, what: &str, reason: String) {
        let stop = Stop { at: Place::line(line), what: what.into(), reason, help: "edit the profile by hand".into() };
        if !self.out.stops.contains(&stop) {
            self.out.stops.push(stop);
        }
    }

    fn reference(&mut self, name: &str) {
        if !self.out.referenced.iter().any(|r| r == name) {
            self.out.referenced.push(name.to_string());
        }
    }

    fn set_value(&mut self, name: &str) -> Option<String> {
        let value = self.sets.get(name)?.clone();
        if !self.out.used_sets.iter().any(|u| u == name) {
            self.out.used_sets.push(name.to_string());
        }
        Some(value)
    }

    /// The source line and position of an AST location.
    fn origin(&self, loc: Option<&brush_parser::SourceSpan>) -> (usize, Option<&'a TextLine>) {
        let Some(loc) = loc else { return (self.calls.first().copied().unwrap_or(1), None) };
        match self.text.line_at(loc.start.index) {
            Some(l) => (l.number, Some(l)),
            None => (1, None),
        }
    }

    fn line_of(&self, loc: Option<&brush_parser::SourceSpan>) -> usize {
        self.origin(loc).0
    }

    /// The line a word starts on (its text before its end: see `place`).
    fn word_line(&self, word: &ast::Word) -> usize {
        let start = word.loc.as_ref().and_then(|l| l.end.index.checked_sub(word.value.chars().count()));
        match start.and_then(|at| self.text.line_at(at)) {
            Some(l) => l.number,
            None => self.line_of(word.loc.as_ref()),
        }
    }

    /// The bytes of source line `line` that its chars `chars` take.
    fn columns(&mut self, line: usize, chars: &Range<usize>) -> Option<Range<usize>> {
        let text = self.raw(line);
        let offsets = self
            .byte_offsets
            .entry(line)
            .or_insert_with(|| text.char_indices().map(|(b, _)| b).chain([text.len()]).collect());
        Some(*offsets.get(chars.start)?..*offsets.get(chars.end)?)
    }

    /// Where a word of the text is in the source: its line, its source chars if one line
    /// holds it as the file writes it, and the macros of that line.
    fn place(
        &mut self,
        loc: Option<&brush_parser::SourceSpan>,
        value: &str,
    ) -> (usize, Option<Range<usize>>, Vec<Use>) {
        // The parser's start of a word can include blanks and a continuation before it: the
        // word is its text before its end.
        let start = loc.and_then(|l| l.end.index.checked_sub(value.chars().count()));
        let (line, text_line) = match start.and_then(|at| self.text.line_at(at)) {
            Some(l) => (l.number, Some(l)),
            None => self.origin(loc),
        };
        let Some(text_line) = text_line else { return (line, None, Vec::new()) };
        let uses = text_line.uses.clone();
        let chars = loc.and_then(|loc| {
            let start_index = start?;
            let start_line = self.text.line_at(start_index)?;
            let end_line = self.text.line_at(loc.end.index.saturating_sub(1))?;
            if end_line.start != text_line.start || start_line.start != text_line.start {
                return None;
            }
            let start = start_index.checked_sub(text_line.start)?;
            let end = loc.end.index.checked_sub(text_line.start)?;
            text_line.map.as_ref()?.written(start..end)
        });
        (line, chars, uses)
    }

    fn unknown(&mut self, what: String, reason: impl Into<String>) -> Piece {
        Piece::Unknown(self.unknowns.add(Unknown::new(what, reason)))
    }

    // --- commands -------------------------------------------------------------------

    fn list(&mut self, list: &'a ast::CompoundList) -> Flow {
        for item in &list.0 {
            let flow = self.and_or(&item.0);
            if flow != Flow::Normal {
                return flow;
            }
        }
        Flow::Normal
    }

    /// `a && b || c`: a command other than a test is taken to succeed (a build that gets
    /// to configure does); what runs only on a failure does not run.
    fn and_or(&mut self, list: &'a ast::AndOrList) -> Flow {
        let (mut status, flow) = self.pipeline(&list.first);
        if flow != Flow::Normal {
            return flow;
        }
        for next in &list.additional {
            let (runs_on, pipeline) = match next {
                ast::AndOr::And(p) => (true, p),
                ast::AndOr::Or(p) => (false, p),
            };
            let runs = match (status, runs_on) {
                (Status::True, true) | (Status::False, false) => Status::True,
                (Status::True, false) | (Status::False, true) => Status::False,
                (Status::Unknown(u), _) => Status::Unknown(u),
            };
            status = match runs {
                Status::True => {
                    let (s, flow) = self.pipeline(pipeline);
                    if flow != Flow::Normal {
                        return flow;
                    }
                    s
                }
                Status::False => status,
                Status::Unknown(u) => {
                    self.guards.push(u);
                    let (s, flow) = self.pipeline(pipeline);
                    self.guards.pop();
                    if flow == Flow::Exit {
                        return flow;
                    }
                    match s {
                        Status::True => Status::Unknown(u),
                        other => other,
                    }
                }
            };
        }
        Flow::Normal
    }

    fn pipeline(&mut self, pipeline: &'a ast::Pipeline) -> (Status, Flow) {
        let mut status = Status::True;
        if let [command] = pipeline.seq.as_slice() {
            let (s, flow) = self.command(command);
            status = s;
            if flow != Flow::Normal {
                return (status, flow);
            }
        } else {
            // Each command of a pipeline runs in a subshell.
            for command in &pipeline.seq {
                let saved = self.vars.clone();
                let (s, _) = self.command(command);
                self.vars = saved;
                status = s;
            }
        }
        (if pipeline.bang { status.not() } else { status }, Flow::Normal)
    }

    fn deeper(&mut self, line: usize) -> bool {
        if self.depth >= MAX_DEPTH {
            self.stop(
                line,
                "the shell text",
                format!("it nests deeper than {MAX_DEPTH} levels, which the importer does not follow"),
            );
            return false;
        }
        self.depth = self.depth.saturating_add(1);
        true
    }

    fn command(&mut self, command: &'a ast::Command) -> (Status, Flow) {
        self.commands = self.commands.saturating_add(1);
        if self.commands > MAX_COMMANDS {
            let line = self.calls.first().copied().unwrap_or(1);
            self.stop(
                line,
                "the shell text",
                format!("it runs more than {MAX_COMMANDS} commands (through its function calls), which the importer does not follow"),
            );
            return (Status::True, Flow::Exit);
        }
        match command {
            ast::Command::Simple(simple) => self.simple(simple),
            ast::Command::Function(definition) => {
                let name = definition.fname.value.clone();
                self.functions.insert(name, (&definition.body, self.guards.first().copied()));
                (Status::True, Flow::Normal)
            }
            ast::Command::ExtendedTest(test, _) => {
                let line = self.line_of(Some(&test.loc));
                (self.extended_test(&test.expr, line), Flow::Normal)
            }
            ast::Command::Compound(compound, _) => {
                let line = self.line_of(compound_location(compound).as_ref());
                if !self.deeper(line) {
                    return (Status::True, Flow::Exit);
                }
                let result = self.compound(compound, line);
                self.depth = self.depth.saturating_sub(1);
                result
            }
        }
    }

    fn compound(&mut self, compound: &'a ast::CompoundCommand, line: usize) -> (Status, Flow) {
        match compound {
            ast::CompoundCommand::BraceGroup(group) => (Status::True, self.list(&group.list)),
            ast::CompoundCommand::Subshell(subshell) => {
                let saved = self.vars.clone();
                let flow = self.list(&subshell.list);
                self.vars = saved;
                (Status::True, if flow == Flow::Exit { Flow::Normal } else { flow })
            }
            ast::CompoundCommand::IfClause(clause) => (Status::True, self.if_clause(clause, line)),
            ast::CompoundCommand::ForClause(c) => self.unknown_body(line, &c.body.list),
            ast::CompoundCommand::WhileClause(c) | ast::CompoundCommand::UntilClause(c) => {
                self.unknown_body(line, &c.1.list)
            }
            ast::CompoundCommand::CaseClause(c) => {
                let u = self.loop_unknown(line);
                self.guards.push(u);
                let mut flow = Flow::Normal;
                for item in &c.cases {
                    if let Some(cmd) = &item.cmd
                        && self.list(cmd) == Flow::Exit
                    {
                        flow = Flow::Exit;
                        break;
                    }
                }
                self.guards.pop();
                (Status::Unknown(u), flow)
            }
            // brush-parser reads `( (` as `((`: a configure run in it is not lost silently.
            ast::CompoundCommand::Arithmetic(a) if a.expr.value.contains("configure") => {
                let what = format!("`{}` (line {line})", clip(self.raw(line).trim(), 120));
                let u = self.unknowns.add(Unknown::new(
                    what,
                    "the parser reads it as an arithmetic command `(( ))`; sh reads `( (` with a blank as two subshells",
                ).with_help("write the subshells on separate lines"));
                let skipped = SkippedInvocation { line, unknown: u };
                if !self.out.skipped.contains(&skipped) {
                    self.out.skipped.push(skipped);
                }
                (Status::Unknown(u), Flow::Normal)
            }
            ast::CompoundCommand::Arithmetic(_)
            | ast::CompoundCommand::ArithmeticForClause(_)
            | ast::CompoundCommand::Coprocess(_) => {
                let u = self.loop_unknown(line);
                (Status::Unknown(u), Flow::Normal)
            }
        }
    }

    fn loop_unknown(&mut self, line: usize) -> usize {
        let what = format!("`{}` (line {line})", clip(self.raw(line).trim(), 120));
        self.unknowns.add(Unknown::new(what, "the importer does not follow loops and case statements"))
    }

    fn unknown_body(&mut self, line: usize, body: &'a ast::CompoundList) -> (Status, Flow) {
        let u = self.loop_unknown(line);
        self.guards.push(u);
        let flow = self.list(body);
        self.guards.pop();
        (Status::Unknown(u), if flow == Flow::Exit { flow } else { Flow::Normal })
    }

    /// `if`/`elif`/`else`: the first branch whose test holds runs; after an unknown test
    /// every later branch is unknown too.
    fn if_clause(&mut self, clause: &'a ast::IfClauseCommand, line: usize) -> Flow {
        let mut branches: Vec<(Option<&'a ast::CompoundList>, &'a ast::CompoundList)> =
            vec![(Some(&clause.condition), &clause.then)];
        for e in clause.elses.iter().flatten() {
            branches.push((e.condition.as_ref(), &e.body));
        }
        let mut pushed = 0usize;
        let mut flow = Flow::Normal;
        for (condition, body) in branches {
            let status = match condition {
                Some(c) => self.condition(c, line),
                None => Status::True,
            };
            match status {
                Status::False => continue,
                Status::True => {
                    flow = self.list(body);
                    break;
                }
                Status::Unknown(u) => {
                    self.guards.push(u);
                    pushed = pushed.saturating_add(1);
                    flow = self.list(body);
                    if flow == Flow::Exit {
                        break;
                    }
                }
            }
        }
        for _ in 0..pushed {
            self.guards.pop();
        }
        flow
    }

    /// The status of a condition list: its last command, when that is a test.
    fn condition(&mut self, list: &'a ast::CompoundList, line: usize) -> Status {
        let written = format!("`{}` (line {line})", clip(self.raw(line).trim(), 120));
        let test = match list.0.as_slice() {
            [ast::CompoundListItem(and_or, _)] if and_or.additional.is_empty() => match and_or.first.seq.as_slice() {
                [command] => Some((command, and_or.first.bang)),
                _ => None,
            },
            _ => None,
        };
        let status = match test {
            Some((ast::Command::Simple(simple), bang)) if is_test(simple) => Some((self.test(simple, line), bang)),
            Some((ast::Command::ExtendedTest(test, _), bang)) => Some((self.extended_test(&test.expr, line), bang)),
            _ => None,
        };
        match status {
            Some((Status::Unknown(inner), _)) => {
                let inner = self.unknowns.get(inner).clone();
                let mut unknown = Unknown::new(written, format!("it depends on {}: {}", inner.what, inner.reason));
                unknown.help = inner.help;
                Status::Unknown(self.unknowns.add(unknown))
            }
            Some((s, bang)) => {
                if bang {
                    s.not()
                } else {
                    s
                }
            }
            None => Status::Unknown(
                self.unknowns.add(Unknown::new(written, "the importer reads only `[ A = B ]`-style tests")),
            ),
        }
    }

    /// `[ A = B ]`, `[ A == B ]`, `[ A != B ]`, `[ -n A ]`, `[ -z A ]`, `[ A ]`, `test ...`, `!`.
    fn test(&mut self, simple: &'a ast::SimpleCommand, line: usize) -> Status {
        let name = simple.word_or_name.as_ref().map_or("", |w| w.value.as_str());
        let mut fields = Vec::new();
        for word in suffix_words(simple) {
            fields.extend(self.expand(word, true));
        }
        if let Some(u) = fields.iter().flat_map(|w| w.unknowns()).next() {
            return Status::Unknown(u);
        }
        let mut texts: Vec<String> = fields.iter().filter_map(Word::known).collect();
        match name {
            "true" => return Status::True,
            "false" => return Status::False,
            "[" if texts.last().map(String::as_str) == Some("]") => {
                texts.pop();
            }
            "test" => {}
            _ => return self.unreadable_test(line),
        }
        let mut args = texts.as_slice();
        let mut negate = false;
        while let [first, rest @ ..] = args
            && first == "!"
        {
            negate = !negate;
            args = rest;
        }
        let result = match args {
            [] => Some(false),
            [a] => Some(!a.is_empty()),
            [op, a] if op == "-n" => Some(!a.is_empty()),
            [op, a] if op == "-z" => Some(a.is_empty()),
            [a, op, b] if op == "=" || op == "==" => Some(a == b),
            [a, op, b] if op == "!=" => Some(a != b),
            _ => None,
        };
        match result {
            Some(r) if r != negate => Status::True,
            Some(_) => Status::False,
            None => self.unreadable_test(line),
        }
    }

    fn unreadable_test(&mut self, line: usize) -> Status {
        let written = format!("`{}` (line {line})", clip(self.raw(line).trim(), 120));
        Status::Unknown(self.unknowns.add(Unknown::new(written, "the importer reads only `[ A = B ]`-style tests")))
    }

    fn extended_test(&mut self, expr: &'a ast::ExtendedTestExpr, line: usize) -> Status {
        use ast::ExtendedTestExpr as E;
        let value = |me: &mut Self, word: &'a ast::Word| -> Result<String, usize> {
            let fields = me.expand(word, false);
            match fields.iter().flat_map(|w| w.unknowns()).next() {
                Some(u) => Err(u),
                None => Ok(fields.iter().filter_map(Word::known).collect::<Vec<_>>().join(" ")),
            }
        };
        let both = |a: Status, b: Status, and: bool| match (a, b) {
            (Status::Unknown(u), _) | (_, Status::Unknown(u)) => Status::Unknown(u),
            (Status::True, Status::True) => Status::True,
            (Status::True, _) | (_, Status::True) if !and => Status::True,
            _ => Status::False,
        };
        if !self.deeper(line) {
            return self.unreadable_test(line);
        }
        let status = match expr {
            E::And(a, b) => {
                let a = self.extended_test(a, line);
                let b = self.extended_test(b, line);
                both(a, b, true)
            }
            E::Or(a, b) => {
                let a = self.extended_test(a, line);
                let b = self.extended_test(b, line);
                both(a, b, false)
            }
            E::Not(e) => self.extended_test(e, line).not(),
            E::Parenthesized(e) => self.extended_test(e, line),
            E::UnaryTest(pred, word) => match (pred, value(self, word)) {
                (_, Err(u)) => Status::Unknown(u),
                (ast::UnaryPredicate::StringHasNonZeroLength, Ok(v)) => bool_status(!v.is_empty()),
                (ast::UnaryPredicate::StringHasZeroLength, Ok(v)) => bool_status(v.is_empty()),
                _ => self.unreadable_test(line),
            },
            E::BinaryTest(pred, a, b) => match (value(self, a), value(self, b)) {
                (Err(u), _) | (_, Err(u)) => Status::Unknown(u),
                (Ok(a), Ok(b)) => {
                    let literal = !b.contains(['*', '?', '[']);
                    match pred {
                        ast::BinaryPredicate::StringExactlyMatchesString => bool_status(a == b),
                        ast::BinaryPredicate::StringDoesNotExactlyMatchString => bool_status(a != b),
                        ast::BinaryPredicate::StringExactlyMatchesPattern if literal => bool_status(a == b),
                        ast::BinaryPredicate::StringDoesNotExactlyMatchPattern if literal => bool_status(a != b),
                        _ => self.unreadable_test(line),
                    }
                }
            },
        };
        self.depth = self.depth.saturating_sub(1);
        status
    }

    fn simple(&mut self, simple: &'a ast::SimpleCommand) -> (Status, Flow) {
        let Some(name_word) = &simple.word_or_name else {
            // Assignments alone set variables.
            for item in simple.prefix.iter().flat_map(|p| &p.0) {
                if let ast::CommandPrefixOrSuffixItem::AssignmentWord(assignment, _) = item {
                    self.assignment(assignment);
                }
            }
            return (Status::True, Flow::Normal);
        };
        if is_test(simple) {
            let line = self.word_line(name_word);
            return (self.test(simple, line), Flow::Normal);
        }
        let name = self.expand(name_word, true).first().and_then(Word::known).unwrap_or_default();
        let line = self.word_line(name_word);
        let runs = self.guards.first().copied();
        match name.as_str() {
            "shift" if runs.is_none() => {
                let n = suffix_words(simple)
                    .next()
                    .and_then(|w| self.expand(w, true).first().and_then(Word::known))
                    .map_or(Some(1), |n| n.parse::<usize>().ok());
                self.shift(n);
            }
            "export" | "local" | "declare" | "readonly" | "typeset" => {
                let local = name == "local";
                for item in simple.suffix.iter().flat_map(|s| &s.0) {
                    match item {
                        ast::CommandPrefixOrSuffixItem::AssignmentWord(assignment, _) => {
                            if local {
                                self.save_local(&assignment_name(assignment));
                            }
                            self.assignment(assignment);
                        }
                        ast::CommandPrefixOrSuffixItem::Word(w) if local && is_name(&w.value) => {
                            self.save_local(&w.value);
                        }
                        _ => {}
                    }
                }
            }
            "unset" if runs.is_none() => {
                for w in suffix_words(simple) {
                    self.vars.remove(&w.value);
                }
            }
            "return" if runs.is_none() && self.frames.len() > 1 => return (Status::True, Flow::Return),
            "exit" if runs.is_none() => return (Status::True, Flow::Exit),
            _ if is_configure(&name) => match runs {
                None => {
                    let mut words = Vec::new();
                    for w in suffix_words(simple) {
                        words.extend(self.expand(w, true));
                    }
                    self.out.invocations.push(Invocation { line, call: self.calls.first().copied(), words });
                }
                Some(u) => {
                    let skipped = SkippedInvocation { line, unknown: u };
                    if !self.out.skipped.contains(&skipped) {
                        self.out.skipped.push(skipped);
                    }
                }
            },
            _ => {
                if let Some((body, guard)) = self.functions.get(&name).copied() {
                    return (Status::True, self.call(&name, body, guard, simple, line));
                }
            }
        }
        (Status::True, Flow::Normal)
    }

    /// A shell function call: the body runs with the call's words as `$1`, `$@`, `$#`.
    fn call(
        &mut self,
        name: &str,
        body: &'a ast::FunctionBody,
        guard: Option<usize>,
        simple: &'a ast::SimpleCommand,
        line: usize,
    ) -> Flow {
        if self.calls.len() >= MAX_CALLS {
            self.stop(
                line,
                "a shell function call",
                format!("`{name}` calls nest deeper than {MAX_CALLS} levels, which the importer does not follow"),
            );
            return Flow::Normal;
        }
        let mut args = Vec::new();
        for w in suffix_words(simple) {
            args.extend(self.expand(w, true));
        }
        self.frames.push(Frame { function: Some(name.to_string()), args: Args::Known(args), locals: Vec::new() });
        self.calls.push(line);
        if let Some(g) = guard {
            self.guards.push(g);
        }
        let flow = match &body.0 {
            ast::CompoundCommand::BraceGroup(group) => self.list(&group.list),
            ast::CompoundCommand::Subshell(subshell) => {
                let saved = self.vars.clone();
                let flow = self.list(&subshell.list);
                self.vars = saved;
                flow
            }
            other => self.compound(other, line).1,
        };
        if guard.is_some() {
            self.guards.pop();
        }
        self.calls.pop();
        if let Some(frame) = self.frames.pop() {
            for (name, old) in frame.locals.into_iter().rev() {
                match old {
                    Some(v) => self.vars.insert(name, v),
                    None => self.vars.remove(&name),
                };
            }
        }
        if flow == Flow::Exit { Flow::Exit } else { Flow::Normal }
    }

    fn save_local(&mut self, name: &str) {
        let old = self.vars.get(name).cloned();
        if self.frames.len() > 1
            && let Some(frame) = self.frames.last_mut()
        {
            frame.locals.push((name.to_string(), old));
        }
    }

    /// `shift N`: a count the shell cannot shift by shifts nothing (sh reports it).
    fn shift(&mut self, n: Option<usize>) {
        let (Some(n), Some(frame)) = (n, self.frames.last_mut()) else { return };
        match &mut frame.args {
            Args::Script { shift } => *shift = shift.saturating_add(n),
            Args::Known(words) => {
                if n <= words.len() {
                    words.drain(..n);
                }
            }
        }
    }

    fn assignment(&mut self, assignment: &'a ast::Assignment) {
        let name = assignment_name(assignment);
        let ast::AssignmentValue::Scalar(value) = &assignment.value else {
            let line = self.line_of(Some(&assignment.loc));
            let u = self.unknown(format!("`{name}`"), "it is an array, which the importer does not follow");
            return self.set_var(&name, Var { pieces: vec![u], uses: Vec::new() }, line);
        };
        let line = self.line_of(Some(&assignment.loc));
        if let Some(u) = self.guards.first().copied() {
            return self.poison(&name, line, u);
        }
        if self.sets.contains_key(&name) {
            self.set_value(&name);
            return;
        }
        // `VAR=$1`: say whose argument it is, and how to give it.
        if let Some(n) = lone_positional(&value.value)
            && let Some(Args::Script { shift }) = self.frames.last().map(|f| f.args.clone())
            && self.current_function().is_none()
        {
            let whose = format!("the script's {} argument", ordinal(n.saturating_add(shift)));
            let u = self.unknowns.add(
                Unknown::new(
                    format!("`${name}`"),
                    format!("`{name}` is {whose} ({}:{line}: `{name}=${n}`)", self.file),
                )
                .with_help(format!("pass --set {name}=VALUE")),
            );
            return self.set_var(&name, Var { pieces: vec![Piece::Unknown(u)], uses: Vec::new() }, line);
        }
        let word = self.expand(value, false).into_iter().next();
        let (mut pieces, mut uses) = word.map(|w| (w.pieces, w.uses)).unwrap_or_default();
        if assignment.append
            && let Some(old) = self.vars.get(&name)
        {
            {
                let mut joined = old.pieces.clone();
                joined.append(&mut pieces);
                pieces = joined;
            }
        }
        uses.push(Use { what: format!("${name}"), line });
        self.set_var(&name, Var { pieces, uses }, line);
    }

    fn set_var(&mut self, name: &str, var: Var, line: usize) {
        let size =
            var.pieces.iter().map(|p| if let Piece::Text(t) = p { t.len() } else { 1 }).fold(0, usize::saturating_add);
        if size > MAX_VALUE {
            let u = self.unknown(
                format!("`${name}`"),
                format!("its value at line {line} grows beyond {MAX_VALUE} bytes, which the importer does not follow"),
            );
            self.vars.insert(name.to_string(), Var { pieces: vec![u], uses: Vec::new() });
            return;
        }
        self.vars.insert(name.to_string(), var);
    }

    fn poison(&mut self, name: &str, line: usize, condition: usize) {
        if self.sets.contains_key(name) {
            return;
        }
        let condition = self.unknowns.get(condition).what.clone();
        let u = self.unknowns.add(
            Unknown::new(
                format!("`${name}`"),
                format!("`{name}` is set at {}:{line} under {condition}, which cannot be evaluated", self.file),
            )
            .with_help(format!("pass --set {name}=VALUE")),
        );
        self.vars.insert(name.to_string(), Var { pieces: vec![Piece::Unknown(u)], uses: Vec::new() });
    }

    // --- words ----------------------------------------------------------------------

    /// `$N`: a call's argument, a `--set @=` word, or the script's unknown argument.
    fn positional(&mut self, n: usize) -> Vec<Piece> {
        let function = self.current_function().map(str::to_string);
        match self.frames.last().map(|f| &f.args) {
            Some(Args::Known(words)) => match n.checked_sub(1).and_then(|i| words.get(i)) {
                Some(w) => w.pieces.clone(),
                None => Vec::new(),
            },
            Some(Args::Script { shift }) => {
                let whose = match function {
                    Some(f) => format!("the {} argument of the shell function `{f}`", ordinal(n)),
                    None => format!("the script's {} argument", ordinal(n.saturating_add(*shift))),
                };
                vec![self.unknown(format!("`${n}`"), format!("it is {whose}"))]
            }
            None => Vec::new(),
        }
    }

    /// `"$@"`: the words of the call, of `--set @=`, or an unknown.
    fn all_args(&mut self) -> Result<Vec<Word>, Piece> {
        if self.current_function().is_none() {
            self.set_value("@");
        }
        match self.frames.last().map(|f| f.args.clone()) {
            Some(Args::Known(words)) => Ok(words),
            _ => {
                let u = self.unknowns.add(
                    Unknown::new(
                        "`\"$@\"`",
                        "it passes on the arguments the script is called with, which the importer does not follow",
                    )
                    .with_help("pass --set @=\"--flag ...\" to give them (--set @= for none)"),
                );
                Err(Piece::Unknown(u))
            }
        }
    }

    fn var(&mut self, name: &str, uses: &mut Vec<Use>) -> Option<Vec<Piece>> {
        self.reference(name);
        if let Some(value) = self.set_value(name) {
            return Some(pieces(&value));
        }
        if let Some(var) = self.vars.get(name) {
            uses.extend(var.uses.iter().cloned());
            return Some(var.pieces.clone());
        }
        if self.assigned.contains(name) {
            return None;
        }
        let u = self.unknowns.add(
            Unknown::new(
                format!("`${name}`"),
                format!("{} does not set `{name}` (it would come from the environment)", self.file),
            )
            .with_help(format!("pass --set {name}=VALUE")),
        );
        Some(vec![Piece::Unknown(u)])
    }

    /// A word after expansion: one or more fields (unquoted expansions split on blanks).
    fn expand(&mut self, word: &'a ast::Word, split: bool) -> Vec<Word> {
        let (line, chars, uses) = self.place(word.loc.as_ref(), &word.value);
        let columns = chars.as_ref().and_then(|c| self.columns(line, c));
        let mut builder = Fields::new(Word { pieces: Vec::new(), line, uses, written: None, columns });
        let parsed = brush_parser::word::parse(&word.value, self.options);
        let mut shell = false;
        match parsed {
            Ok(parsed) => {
                // "$@" alone passes the call's words as they are, with their provenance.
                if let [piece] = parsed.as_slice()
                    && let WordPiece::DoubleQuotedSequence(inner) = &piece.piece
                    && let [inner] = inner.as_slice()
                    && let WordPiece::ParameterExpansion(ParameterExpr::Parameter {
                        parameter: Parameter::Special(SpecialParameter::AllPositionalParameters { concatenate: false }),
                        ..
                    }) = &inner.piece
                {
                    match self.all_args() {
                        Ok(words) => return words,
                        Err(p) => builder.push(p, true),
                    }
                    return builder.finish(split, true);
                }
                for piece in &parsed {
                    shell |= self.piece(&piece.piece, false, split, &mut builder, 0);
                }
            }
            Err(_) => {
                let u = self.unknown(format!("`{}`", word.value), "the importer cannot read this word");
                builder.push(u, true);
                shell = true;
            }
        }
        let quoted = builder.quoted;
        let mut fields = builder.finish(split, quoted);
        if let ([field], Some(chars), false) = (fields.as_mut_slice(), &chars, shell) {
            let source = self.raw(line);
            field.written = self.columns(line, chars).and_then(|b| source.get(b)).map(str::to_string);
        }
        fields
    }

    /// Adds one piece of a word; returns whether the shell (not rpm) makes its text.
    fn piece(&mut self, piece: &WordPiece, quoted: bool, split: bool, out: &mut Fields, depth: usize) -> bool {
        match piece {
            WordPiece::Text(t) | WordPiece::SingleQuotedText(t) | WordPiece::AnsiCQuotedText(t) => {
                let literal = !matches!(piece, WordPiece::Text(_));
                out.quoted |= literal || quoted;
                for p in pieces(t) {
                    out.push(p, true);
                }
                false
            }
            WordPiece::EscapeSequence(t) => {
                out.quoted = true;
                let unescaped = t.strip_prefix('\\').unwrap_or(t);
                // A backslash in double quotes stays unless it escapes `$`, `` ` ``, `"`, `\`.
                let text = if quoted && !unescaped.starts_with(['$', '`', '"', '\\']) { t.as_str() } else { unescaped };
                out.push(Piece::Text(text.to_string()), true);
                false
            }
            WordPiece::DoubleQuotedSequence(inner) | WordPiece::GettextDoubleQuotedSequence(inner) => {
                out.quoted = true;
                let mut shell = false;
                for p in inner {
                    shell |= self.piece(&p.piece, true, split, out, depth);
                }
                shell
            }
            WordPiece::ParameterExpansion(expr) => {
                let value = self.parameter(expr, quoted, depth);
                match value {
                    Expanded::Pieces(pieces, uses) => {
                        out.current.uses.extend(uses);
                        for p in pieces {
                            out.push(p, quoted || !split);
                        }
                    }
                    Expanded::Words(words) => {
                        out.quoted |= quoted;
                        for (i, w) in words.into_iter().enumerate() {
                            if i > 0 {
                                out.next_field();
                            }
                            out.current.uses.extend(w.uses);
                            for p in w.pieces {
                                out.push(p, true);
                            }
                        }
                    }
                }
                true
            }
            WordPiece::CommandSubstitution(c) | WordPiece::BackquotedCommandSubstitution(c) => {
                let written = if matches!(piece, WordPiece::CommandSubstitution(_)) {
                    format!("$({c})")
                } else {
                    format!("`{c}`")
                };
                let u = self
                    .unknown(format!("`{written}`"), "it is the output of a command, which the importer does not run");
                out.push(u, true);
                true
            }
            WordPiece::ArithmeticExpression(e) => {
                let u = self.unknown(format!("`$(({}))`", e.value), "the importer does not evaluate arithmetic");
                out.push(u, true);
                true
            }
            WordPiece::TildeExpansion(_) => {
                let u = self.unknown("`~`".into(), "it is a home directory, which the importer does not know");
                out.push(u, true);
                true
            }
        }
    }

    /// `$x`, `${x}`, `${x:-default}`, `${x-default}`, `${x:=default}`, `${x:+alt}`,
    /// `${#x}`, `$1`, `$@`, `$#`; others are unknown.
    fn parameter(&mut self, expr: &ParameterExpr, quoted: bool, depth: usize) -> Expanded {
        let mut uses = Vec::new();
        let written = format!("`${{{}}}`", describe_parameter(expr));
        let unknown =
            |me: &mut Self, reason: &str| Expanded::Pieces(vec![me.unknown(written.clone(), reason)], Vec::new());
        if depth > 16 {
            return unknown(self, "it nests too deeply");
        }
        let (parameter, indirect) = match expr {
            ParameterExpr::Parameter { parameter, indirect }
            | ParameterExpr::UseDefaultValues { parameter, indirect, .. }
            | ParameterExpr::AssignDefaultValues { parameter, indirect, .. }
            | ParameterExpr::IndicateErrorIfNullOrUnset { parameter, indirect, .. }
            | ParameterExpr::UseAlternativeValue { parameter, indirect, .. }
            | ParameterExpr::ParameterLength { parameter, indirect } => (parameter, *indirect),
            _ => return unknown(self, "this parameter expansion is not interpreted"),
        };
        if indirect {
            return unknown(self, "this parameter expansion is not interpreted");
        }
        // The value, `None` when certainly unset.
        let value: Option<Vec<Piece>> = match parameter {
            Parameter::Named(name) => self.var(name, &mut uses),
            Parameter::Positional(n) => {
                let n = usize::try_from(*n).unwrap_or(usize::MAX);
                if n == 0 {
                    return unknown(self, "it is the shell's name");
                }
                let p = self.positional(n);
                if p.is_empty() && matches!(self.frames.last().map(|f| &f.args), Some(Args::Known(_))) {
                    None
                } else {
                    Some(p)
                }
            }
            Parameter::Special(SpecialParameter::AllPositionalParameters { concatenate }) => {
                if !matches!(expr, ParameterExpr::Parameter { .. }) {
                    return unknown(self, "this parameter expansion is not interpreted");
                }
                return match self.all_args() {
                    Ok(words) if *concatenate && quoted => {
                        let mut joined = Vec::new();
                        for (i, w) in words.into_iter().enumerate() {
                            if i > 0 {
                                joined.push(Piece::Text(" ".into()));
                            }
                            joined.extend(w.pieces);
                        }
                        Expanded::Pieces(joined, Vec::new())
                    }
                    Ok(words) => Expanded::Words(words),
                    Err(p) => Expanded::Pieces(vec![p], Vec::new()),
                };
            }
            Parameter::Special(SpecialParameter::PositionalParameterCount) => {
                return match self.frames.last().map(|f| &f.args) {
                    Some(Args::Known(words)) => {
                        Expanded::Pieces(vec![Piece::Text(words.len().to_string())], Vec::new())
                    }
                    _ => unknown(
                        self,
                        "it counts the arguments the script is called with, which the importer does not know",
                    ),
                };
            }
            Parameter::Special(_) => return unknown(self, "this special parameter is not known before the build runs"),
            _ => return unknown(self, "it is an array, which the importer does not follow"),
        };
        let is_empty = |v: &Option<Vec<Piece>>| -> Option<bool> {
            match v {
                None => Some(true),
                Some(p) if p.iter().any(|p| matches!(p, Piece::Unknown(_))) => None,
                Some(p) => Some(p.iter().all(|p| matches!(p, Piece::Text(t) if t.is_empty()))),
            }
        };
        let unset_counts = |test: &ParameterTestType, v: &Option<Vec<Piece>>| -> Option<bool> {
            match test {
                ParameterTestType::UnsetOrNull => is_empty(v),
                ParameterTestType::Unset => match v {
                    None => Some(true),
                    Some(p) if p.iter().any(|p| matches!(p, Piece::Unknown(_))) && p.len() == 1 => None,
                    Some(_) => Some(false),
                },
            }
        };
        let alternative = |me: &mut Self, text: &Option<String>, uses: Vec<Use>| -> Expanded {
            let pieces = me.inner_word(text.as_deref().unwrap_or(""), quoted, depth);
            Expanded::Pieces(pieces, uses)
        };
        match expr {
            ParameterExpr::Parameter { .. } => Expanded::Pieces(value.unwrap_or_default(), uses),
            ParameterExpr::ParameterLength { .. } => match value.as_ref().map(|v| known(v)) {
                None => Expanded::Pieces(vec![Piece::Text("0".into())], uses),
                Some(Some(t)) => Expanded::Pieces(vec![Piece::Text(t.chars().count().to_string())], uses),
                Some(None) => Expanded::Pieces(first_unknown_piece(value.unwrap_or_default()), uses),
            },
            ParameterExpr::UseDefaultValues { test_type, default_value, .. }
            | ParameterExpr::AssignDefaultValues { test_type, default_value, .. } => {
                match unset_counts(test_type, &value) {
                    Some(true) => {
                        let result = alternative(self, default_value, uses);
                        if let (
                            ParameterExpr::AssignDefaultValues { .. },
                            Parameter::Named(name),
                            Expanded::Pieces(p, _),
                        ) = (expr, parameter, &result)
                            && self.guards.is_empty()
                        {
                            self.vars.insert(name.clone(), Var { pieces: p.clone(), uses: Vec::new() });
                        }
                        result
                    }
                    Some(false) => Expanded::Pieces(value.unwrap_or_default(), uses),
                    None => Expanded::Pieces(first_unknown_piece(value.unwrap_or_default()), uses),
                }
            }
            ParameterExpr::UseAlternativeValue { test_type, alternative_value, .. } => {
                match unset_counts(test_type, &value) {
                    Some(true) => Expanded::Pieces(Vec::new(), uses),
                    Some(false) => alternative(self, alternative_value, uses),
                    None => Expanded::Pieces(first_unknown_piece(value.unwrap_or_default()), uses),
                }
            }
            ParameterExpr::IndicateErrorIfNullOrUnset { test_type, .. } => match unset_counts(test_type, &value) {
                Some(false) => Expanded::Pieces(value.unwrap_or_default(), uses),
                Some(true) => unknown(self, "it stops the shell with an error here"),
                None => Expanded::Pieces(first_unknown_piece(value.unwrap_or_default()), uses),
            },
            _ => unknown(self, "this parameter expansion is not interpreted"),
        }
    }

    /// The word of a `${x:-word}`, expanded without field splitting.
    fn inner_word(&mut self, text: &str, quoted: bool, depth: usize) -> Vec<Piece> {
        let Ok(parsed) = brush_parser::word::parse(text, self.options) else {
            return vec![self.unknown(format!("`{text}`"), "the importer cannot read this word")];
        };
        let mut fields =
            Fields::new(Word { pieces: Vec::new(), line: 0, uses: Vec::new(), written: None, columns: None });
        for p in &parsed {
            self.piece(&p.piece, quoted, false, &mut fields, depth.saturating_add(1));
        }
        fields.finish(false, true).into_iter().next().map(|w| w.pieces).unwrap_or_default()
    }
}

fn known(pieces: &[Piece]) -> Option<String> {
    let mut text = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => text.push_str(t),
            Piece::Unknown(_) => return None,
        }
    }
    Some(text)
}

fn first_unknown_piece(pieces: Vec<Piece>) -> Vec<Piece> {
    pieces.into_iter().filter(|p| matches!(p, Piece::Unknown(_))).take(1).collect()
}

fn bool_status(b: bool) -> Status {
    if b { Status::True } else { Status::False }
}

fn describe_parameter(expr: &ParameterExpr) -> String {
    let name = |p: &Parameter| match p {
        Parameter::Positional(n) => n.to_string(),
        Parameter::Special(s) => s.to_string(),
        Parameter::Named(n) => n.clone(),
        Parameter::NamedWithIndex { name, index } => format!("{name}[{index}]"),
        Parameter::NamedWithAllIndices { name, .. } => format!("{name}[@]"),
    };
    match expr {
        ParameterExpr::Parameter { parameter, .. } => name(parameter),
        ParameterExpr::UseDefaultValues { parameter, default_value, test_type, .. } => {
            let op = if matches!(test_type, ParameterTestType::UnsetOrNull) { ":-" } else { "-" };
            format!("{}{op}{}", name(parameter), default_value.as_deref().unwrap_or(""))
        }
        ParameterExpr::ParameterLength { parameter, .. } => format!("#{}", name(parameter)),
        _ => "…".to_string(),
    }
}

/// `$1` or `"$1"` (or `${1}`): the word is one positional parameter.
fn lone_positional(value: &str) -> Option<usize> {
    let inner = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
    let digits = inner.strip_prefix("${").and_then(|v| v.strip_suffix('}')).or_else(|| inner.strip_prefix('$'))?;
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn assignment_name(assignment: &ast::Assignment) -> String {
    match &assignment.name {
        ast::AssignmentName::VariableName(n) | ast::AssignmentName::ArrayElementName(n, _) => n.clone(),
    }
}

fn is_test(simple: &ast::SimpleCommand) -> bool {
    matches!(simple.word_or_name.as_ref().map(|w| w.value.as_str()), Some("[" | "test" | "true" | "false"))
}

/// The words after a command's name (not redirections or assignments).
fn suffix_words(simple: &ast::SimpleCommand) -> impl Iterator<Item = &ast::Word> {
    simple.suffix.iter().flat_map(|s| &s.0).filter_map(|item| match item {
        ast::CommandPrefixOrSuffixItem::Word(w) => Some(w),
        ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) => Some(w),
        _ => None,
    })
}

fn compound_location(compound: &ast::CompoundCommand) -> Option<brush_parser::SourceSpan> {
    use ast::SourceLocation;
    compound.location()
}

/// What a parameter gives: pieces of one field, or whole words (`"$@"`).
enum Expanded {
    Pieces(Vec<Piece>, Vec<Use>),
    Words(Vec<Word>),
}

/// Fields of a word being expanded.
struct Fields {
    template: Word,
    current: Word,
    done: Vec<Word>,
    /// Some part of the word is quoted: an empty word is still a field.
    quoted: bool,
    /// Bytes so far, to bound a word's growth.
    size: usize,
}

impl Fields {
    fn new(template: Word) -> Fields {
        Fields { current: template.clone(), template, done: Vec::new(), quoted: false, size: 0 }
    }

    fn push(&mut self, piece: Piece, no_split: bool) {
        let size = match &piece {
            Piece::Text(t) => t.len(),
            Piece::Unknown(_) => 1,
        };
        self.size = self.size.saturating_add(size);
        if self.size > MAX_VALUE {
            return;
        }
        match piece {
            Piece::Text(text) if !no_split => {
                let mut parts = text.split(char::is_whitespace);
                if let Some(first) = parts.next() {
                    self.text(first);
                }
                for part in parts {
                    self.next_unquoted_field();
                    self.text(part);
                }
            }
            Piece::Text(text) => self.text(&text),
            unknown => self.current.pieces.push(unknown),
        }
    }

    fn text(&mut self, text: &str) {
        match self.current.pieces.last_mut() {
            Some(Piece::Text(t)) => t.push_str(text),
            _ => self.current.pieces.push(Piece::Text(text.to_string())),
        }
    }

    /// A field boundary that an unquoted expansion makes: empty fields vanish.
    fn next_unquoted_field(&mut self) {
        let done = std::mem::replace(&mut self.current, self.template.clone());
        if meaningful(&done) {
            self.done.push(done);
        }
    }

    /// A field boundary that `"$@"` makes: every argument is a field.
    fn next_field(&mut self) {
        let done = std::mem::replace(&mut self.current, self.template.clone());
        self.done.push(done);
    }

    fn finish(mut self, split: bool, quoted: bool) -> Vec<Word> {
        if !split || quoted || meaningful(&self.current) {
            self.done.push(self.current);
        }
        if self.size > MAX_VALUE {
            return Vec::new();
        }
        self.done.retain(|w| w.size() <= MAX_VALUE);
        self.done
    }
}

fn meaningful(word: &Word) -> bool {
    word.pieces.iter().any(|p| !matches!(p, Piece::Text(t) if t.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::rpm::split_lines;

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
