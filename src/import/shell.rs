//! The shell layer: the lines rpm passes on (or a plain build script), read as sh would
//! read them, far enough to find `./configure` invocations and the words they pass.
//!
//! It follows assignments (`rbd_driver=rbd,`), positional parameters and `shift`
//! (`have_rbd=$1`), `if [ "$x" == "enable" ]` tests, continuation lines and quoting. What it
//! cannot know stays an unknown piece of the word, with the reason, instead of a guess.

use super::branches::{Branch, Conditionals, Imbalance, Keyword, Reach};
use super::line_map::LineMap;
use super::place::Place;
use super::rpm::{SourceLine, Use};
use super::unknown::{Piece, Unknown, Unknowns, read_marker};
use indexmap::IndexMap;
use std::collections::HashSet;
use std::ops::Range;

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
}

/// A `configure` run: its command line and the words after the command.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub line: usize,
    pub words: Vec<Word>,
    /// Lines of the command that sit under a condition that cannot be evaluated.
    pub skipped: Vec<(usize, usize)>,
}

/// A whole `configure` run the importer could not read (under an unknown condition).
#[derive(Debug, Clone)]
pub struct SkippedInvocation {
    pub line: usize,
    pub unknown: usize,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub invocations: Vec<Invocation>,
    pub skipped: Vec<SkippedInvocation>,
    pub used_sets: Vec<String>,
    pub referenced: Vec<String>,
    /// `if`s (and loops, `case`s) left open at the end, `fi`s (...) with nothing open.
    pub imbalances: Vec<Imbalance>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum RawPiece {
    Text(String, bool),
    Var(String, bool),
    Positional(usize),
    AllArgs,
    Unknown(usize),
}

#[derive(Debug, Clone)]
struct RawWord {
    pieces: Vec<RawPiece>,
    line: usize,
    uses: Vec<Use>,
    /// Where the word starts in its (expanded) line; `None` once it runs on to another line.
    start: Option<usize>,
    /// The source chars of the word, set when it ends on the line it started on.
    written: Option<Range<usize>>,
    /// A shell expansion (`$x`, `$1`, `"$@"`, a command) makes part of it.
    shell: bool,
}

#[derive(Debug, Default)]
struct RawCommand {
    words: Vec<RawWord>,
    line: usize,
    skipped: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// Splits lines into words and commands, carrying quotes and continuations across lines.
struct Lexer {
    command: RawCommand,
    word: Option<RawWord>,
    quote: Quote,
    done: Vec<RawCommand>,
    /// The char of the current line being read, and where rpm changed that line.
    position: usize,
    map: LineMap,
}

impl Lexer {
    fn in_command(&self) -> bool {
        !self.command.words.is_empty() || self.word.is_some() || !self.command.skipped.is_empty()
    }

    fn word(&mut self, line: usize, uses: &[Use]) -> &mut RawWord {
        let start = Some(self.position);
        self.word.get_or_insert_with(|| RawWord {
            pieces: Vec::new(),
            line,
            uses: uses.to_vec(),
            start,
            written: None,
            shell: false,
        })
    }

    fn push(&mut self, c: char, quoted: bool, line: usize, uses: &[Use]) {
        let word = self.word(line, uses);
        match word.pieces.last_mut() {
            Some(RawPiece::Text(text, q)) if *q == quoted => text.push(c),
            _ => word.pieces.push(RawPiece::Text(c.to_string(), quoted)),
        }
    }

    fn piece(&mut self, piece: RawPiece, line: usize, uses: &[Use]) {
        self.word(line, uses).pieces.push(piece);
    }

    /// A piece that the shell, not rpm, makes.
    fn shell_piece(&mut self, piece: RawPiece, line: usize, uses: &[Use]) {
        let word = self.word(line, uses);
        word.shell = true;
        word.pieces.push(piece);
    }

    fn end_word(&mut self) {
        if let Some(mut word) = self.word.take() {
            word.written = word.start.and_then(|start| self.map.written(start..self.position));
            if self.command.words.is_empty() {
                self.command.line = word.line;
            }
            self.command.words.push(word);
        }
    }

    fn end_command(&mut self) {
        self.end_word();
        let command = std::mem::take(&mut self.command);
        if !command.words.is_empty() || !command.skipped.is_empty() {
            self.done.push(command);
        }
    }

    fn line(&mut self, number: usize, text: &str, uses: &[Use], map: &LineMap, unknowns: &mut Unknowns) {
        let chars: Vec<char> = text.chars().collect();
        self.map = map.clone();
        let mut continued = false;
        let mut i = 0;
        while i < chars.len() {
            self.position = i;
            let c = chars[i];
            if let Some((index, width)) = read_marker(&chars[i..]) {
                self.piece(RawPiece::Unknown(index), number, uses);
                i += width;
                continue;
            }
            match (self.quote, c) {
                (Quote::Single, '\'') | (Quote::Double, '"') => {
                    self.quote = Quote::None;
                    i += 1;
                }
                (Quote::Single, _) => {
                    self.push(c, true, number, uses);
                    i += 1;
                }
                (Quote::Double | Quote::None, '\\') if i + 1 == chars.len() => {
                    continued = true;
                    i += 1;
                }
                (Quote::Double, '\\') => {
                    let next = chars[i + 1];
                    if "$`\"\\".contains(next) {
                        self.push(next, true, number, uses);
                        i += 2;
                    } else {
                        self.push('\\', true, number, uses);
                        i += 1;
                    }
                }
                (Quote::None, '\\') => {
                    self.push(chars[i + 1], true, number, uses);
                    i += 2;
                }
                (_, '$') => i = self.dollar(&chars, i, number, uses, unknowns),
                (_, '`') => {
                    let end = chars[i + 1..].iter().position(|c| *c == '`').map_or(chars.len(), |e| i + 1 + e);
                    let written: String = chars[i..(end + 1).min(chars.len())].iter().collect();
                    let u = unknowns.add(Unknown::new(
                        format!("`{written}`"),
                        "it is the output of a command, which the importer does not run",
                    ));
                    self.shell_piece(RawPiece::Unknown(u), number, uses);
                    i = end + 1;
                }
                (Quote::Double, _) => {
                    self.push(c, true, number, uses);
                    i += 1;
                }
                (Quote::None, ' ' | '\t') => {
                    self.end_word();
                    i += 1;
                }
                (Quote::None, '#') if self.word.is_none() => break,
                (Quote::None, '\'') => {
                    self.word(number, uses);
                    self.quote = Quote::Single;
                    i += 1;
                }
                (Quote::None, '"') => {
                    self.word(number, uses);
                    self.quote = Quote::Double;
                    i += 1;
                }
                (Quote::None, ';' | '&' | '|') => {
                    self.end_command();
                    while i < chars.len() && chars[i] == c {
                        i += 1;
                    }
                }
                (Quote::None, _) => {
                    self.push(c, false, number, uses);
                    i += 1;
                }
            }
        }
        self.position = chars.len();
        if self.quote != Quote::None || continued {
            // The word goes on on the next line: no one line writes it.
            if let Some(word) = &mut self.word {
                word.start = None;
            }
        }
        if self.quote != Quote::None {
            self.push('\n', true, number, uses);
        } else if !continued {
            self.end_command();
        }
    }

    /// `$NAME`, `${NAME}`, `$1`, `${10}`, `$@`; other expansions are unknown.
    fn dollar(&mut self, chars: &[char], i: usize, line: usize, uses: &[Use], unknowns: &mut Unknowns) -> usize {
        let quoted = self.quote == Quote::Double;
        let unknown = |lexer: &mut Self, unknowns: &mut Unknowns, written: String, reason: &str| {
            let u = unknowns.add(Unknown::new(format!("`{written}`"), reason));
            lexer.shell_piece(RawPiece::Unknown(u), line, uses);
        };
        match chars.get(i + 1) {
            Some('{') => {
                let Some(end) = chars[i..].iter().position(|c| *c == '}').map(|e| i + e) else {
                    self.push('$', quoted, line, uses);
                    return i + 1;
                };
                let inner: String = chars[i + 2..end].iter().collect();
                if let Ok(n) = inner.parse::<usize>() {
                    self.shell_piece(RawPiece::Positional(n), line, uses);
                } else if is_name(&inner) {
                    self.shell_piece(RawPiece::Var(inner, quoted), line, uses);
                } else if inner == "@" || inner == "*" {
                    self.shell_piece(RawPiece::AllArgs, line, uses);
                } else {
                    unknown(self, unknowns, format!("${{{inner}}}"), "this parameter expansion is not interpreted");
                }
                end + 1
            }
            Some('(') => {
                let mut depth = 0;
                let mut end = chars.len() - 1;
                for (offset, c) in chars[i + 1..].iter().enumerate() {
                    match c {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                end = i + 1 + offset;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let written: String = chars[i..=end].iter().collect();
                unknown(self, unknowns, written, "it is the output of a command, which the importer does not run");
                end + 1
            }
            Some('@' | '*') => {
                self.shell_piece(RawPiece::AllArgs, line, uses);
                i + 2
            }
            Some(c) if c.is_ascii_digit() => {
                self.shell_piece(RawPiece::Positional(c.to_digit(10).unwrap_or(0) as usize), line, uses);
                i + 2
            }
            Some(c @ ('#' | '?' | '$' | '!' | '-')) => {
                unknown(self, unknowns, format!("${c}"), "this special parameter is not known before the build runs");
                i + 2
            }
            Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
                let mut end = i + 1;
                while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                self.shell_piece(RawPiece::Var(chars[i + 1..end].iter().collect(), quoted), line, uses);
                end
            }
            _ => {
                self.push('$', quoted, line, uses);
                i + 1
            }
        }
    }
}

fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `NAME=` at the start of an unquoted word: an assignment.
fn assignment(word: &RawWord) -> Option<(String, RawWord)> {
    let Some(RawPiece::Text(text, false)) = word.pieces.first() else { return None };
    let (name, rest) = text.split_once('=')?;
    if !is_name(name) {
        return None;
    }
    let mut value = word.clone();
    value.pieces[0] = RawPiece::Text(rest.to_string(), false);
    if rest.is_empty() {
        value.pieces.remove(0);
    }
    Some((name.to_string(), value))
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

#[derive(Debug, Clone)]
struct Var {
    pieces: Vec<Piece>,
    uses: Vec<Use>,
}

struct Interpreter<'a> {
    file: &'a str,
    source: &'a [SourceLine],
    sets: &'a IndexMap<String, String>,
    assigned: &'a HashSet<String>,
    unknowns: &'a mut Unknowns,
    vars: IndexMap<String, Var>,
    shift: usize,
    conditionals: Conditionals,
    function: Option<String>,
    out: Outcome,
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
    let mut interpreter = Interpreter {
        file,
        source,
        sets,
        assigned: &assigned,
        unknowns,
        vars: IndexMap::new(),
        shift: 0,
        conditionals: Conditionals::default(),
        function: None,
        out: Outcome::default(),
    };
    let mut lexer = Lexer {
        command: RawCommand::default(),
        word: None,
        quote: Quote::None,
        done: Vec::new(),
        position: 0,
        map: LineMap::default(),
    };
    let mut in_unknown_command = false;
    for line in lines {
        match line {
            ShellLine::Active { number, text, uses, map } => {
                in_unknown_command = false;
                lexer.line(*number, text, uses, map, interpreter.unknowns);
            }
            ShellLine::Unknown { number, unknown } => {
                let raw = interpreter.raw(*number).trim().to_string();
                let continues = raw.ends_with('\\');
                if lexer.in_command() {
                    // A line of the command being read: rpm may or may not pass it on.
                    lexer.command.skipped.push((*number, *unknown));
                    if !continues {
                        lexer.end_command();
                    }
                } else if !in_unknown_command {
                    let first = raw.split_whitespace().find(|w| !w.contains('=')).unwrap_or("");
                    if is_configure(first) {
                        interpreter.out.skipped.push(SkippedInvocation { line: *number, unknown: *unknown });
                        in_unknown_command = continues;
                    } else if let Some((name, _)) = raw.split_once('=')
                        && is_name(name)
                    {
                        interpreter.poison(name, *number, *unknown);
                    }
                } else {
                    in_unknown_command = continues;
                }
            }
        }
        for command in std::mem::take(&mut lexer.done) {
            interpreter.execute(command);
        }
    }
    lexer.end_command();
    for command in std::mem::take(&mut lexer.done) {
        interpreter.execute(command);
    }
    interpreter.out.imbalances = interpreter.conditionals.imbalances();
    interpreter.out
}

/// `./configure`, `../configure`, `$srcdir/configure`: a word that ends in `configure`.
fn is_configure(word: &str) -> bool {
    word == "configure" || word.ends_with("/configure")
}

impl Interpreter<'_> {
    fn raw(&self, line: usize) -> &str {
        self.source.get(line.wrapping_sub(1)).map_or("", |l| l.text.as_str())
    }

    /// The bytes of the source line `line` that its chars `chars` take.
    fn columns(&self, line: usize, chars: &Range<usize>) -> Option<Range<usize>> {
        let text = self.raw(line);
        let byte = |at: usize| text.char_indices().map(|(b, _)| b).chain([text.len()]).nth(at);
        Some(byte(chars.start)?..byte(chars.end)?)
    }

    /// A keyword (`if`, `fi`, ...) where the file writes it.
    fn keyword(&self, word: &RawWord, text: &str) -> Keyword {
        let columns = word.written.as_ref().and_then(|chars| self.columns(word.line, chars));
        Keyword { at: Place { line: word.line, columns }, word: text.to_string() }
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

    fn positional(&mut self, n: usize) -> Piece {
        let whose = match &self.function {
            Some(f) => format!("the {} argument of the shell function `{f}`", ordinal(n)),
            None => format!("the script's {} argument", ordinal(n + self.shift)),
        };
        Piece::Unknown(self.unknowns.add(Unknown::new(format!("`${n}`"), format!("it is {whose}"))))
    }

    fn all_args(&mut self) -> Result<Vec<String>, Piece> {
        if let Some(value) = self.set_value("@") {
            return Ok(value.split_whitespace().map(str::to_string).collect());
        }
        let whose = match &self.function {
            Some(f) => format!("the arguments the shell function `{f}` is called with"),
            None => "the arguments the script is called with".to_string(),
        };
        let u = self.unknowns.add(
            Unknown::new("`\"$@\"`", format!("it passes on {whose}, which the importer does not follow"))
                .with_help("pass --set @=\"--flag ...\" to give them (--set @= for none)"),
        );
        Err(Piece::Unknown(u))
    }

    fn var(&mut self, name: &str, uses: &mut Vec<Use>) -> Vec<Piece> {
        self.reference(name);
        if let Some(value) = self.set_value(name) {
            return vec![Piece::Text(value)];
        }
        if let Some(var) = self.vars.get(name) {
            uses.extend(var.uses.iter().cloned());
            return var.pieces.clone();
        }
        if self.assigned.contains(name) {
            return Vec::new();
        }
        let u = self.unknowns.add(
            Unknown::new(
                format!("`${name}`"),
                format!("{} does not set `{name}` (it would come from the environment)", self.file),
            )
            .with_help(format!("pass --set {name}=VALUE")),
        );
        vec![Piece::Unknown(u)]
    }

    /// A word after expansion: one or more fields (unquoted expansions split on blanks).
    fn expand(&mut self, raw: &RawWord, split: bool) -> Vec<Word> {
        let columns = raw.written.as_ref().and_then(|chars| self.columns(raw.line, chars));
        let new_word = || Word {
            pieces: Vec::new(),
            line: raw.line,
            uses: raw.uses.clone(),
            written: None,
            columns: columns.clone(),
        };
        let push_text = |word: &mut Word, text: &str| match word.pieces.last_mut() {
            Some(Piece::Text(t)) => t.push_str(text),
            _ => word.pieces.push(Piece::Text(text.to_string())),
        };
        let meaningful = |word: &Word| word.pieces.iter().any(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
        let quoted = raw.pieces.iter().any(|p| matches!(p, RawPiece::Text(_, true) | RawPiece::Var(_, true)));
        let mut fields: Vec<Word> = Vec::new();
        let mut current = new_word();
        for piece in &raw.pieces {
            match piece {
                RawPiece::Text(text, _) => push_text(&mut current, text),
                RawPiece::Unknown(u) => current.pieces.push(Piece::Unknown(*u)),
                RawPiece::Positional(n) => {
                    let p = self.positional(*n);
                    current.pieces.push(p);
                }
                RawPiece::AllArgs => match self.all_args() {
                    Ok(args) => {
                        for (index, arg) in args.iter().enumerate() {
                            if index > 0 {
                                fields.push(std::mem::replace(&mut current, new_word()));
                            }
                            push_text(&mut current, arg);
                        }
                    }
                    Err(p) => current.pieces.push(p),
                },
                RawPiece::Var(name, var_quoted) => {
                    let mut uses = Vec::new();
                    let value = self.var(name, &mut uses);
                    current.uses.extend(uses);
                    for p in value {
                        match p {
                            Piece::Text(text) if split && !var_quoted => {
                                let mut parts = text.split(char::is_whitespace);
                                if let Some(first) = parts.next() {
                                    push_text(&mut current, first);
                                }
                                for part in parts {
                                    let done = std::mem::replace(&mut current, new_word());
                                    if meaningful(&done) {
                                        fields.push(done);
                                    }
                                    push_text(&mut current, part);
                                }
                            }
                            Piece::Text(text) => push_text(&mut current, &text),
                            unknown => current.pieces.push(unknown),
                        }
                    }
                }
            }
        }
        if !split || quoted || meaningful(&current) {
            fields.push(current);
        }
        if let ([field], Some(range), false) = (fields.as_mut_slice(), &raw.written, raw.shell) {
            let source = self.raw(raw.line);
            field.written = Some(source.chars().skip(range.start).take(range.len()).collect());
        }
        fields
    }

    fn literal(word: &RawWord) -> Option<String> {
        let mut text = String::new();
        for piece in &word.pieces {
            match piece {
                RawPiece::Text(t, _) => text.push_str(t),
                _ => return None,
            }
        }
        Some(text)
    }

    fn execute(&mut self, command: RawCommand) {
        let Some(first) = command.words.first() else { return };
        let keyword = Self::literal(first).unwrap_or_default();
        let rest = || RawCommand {
            words: command.words[1..].to_vec(),
            line: command.words.get(1).map_or(command.line, |w| w.line),
            skipped: command.skipped.clone(),
        };
        let at = self.keyword(first, &keyword);
        match keyword.as_str() {
            "if" => {
                let mut conditionals = std::mem::take(&mut self.conditionals);
                conditionals.open(at, "fi", || self.condition(&command.words[1..], command.line));
                self.conditionals = conditionals;
                return;
            }
            "elif" => {
                let mut conditionals = std::mem::take(&mut self.conditionals);
                conditionals.elif(at, || self.condition(&command.words[1..], command.line));
                self.conditionals = conditionals;
                return;
            }
            "else" => {
                self.conditionals.otherwise(at);
                return self.execute(rest());
            }
            "then" | "do" | "{" => return self.execute(rest()),
            "fi" | "done" | "esac" => {
                self.conditionals.close(at);
                return self.execute(rest());
            }
            "}" => {
                self.function = None;
                return;
            }
            "case" | "for" | "while" | "until" | "select" => {
                let what = format!("`{}` (line {})", self.raw(command.line).trim(), command.line);
                let unknowns = &mut *self.unknowns;
                let closer = if keyword == "case" { "esac" } else { "done" };
                self.conditionals.open_unknown(at, closer, || {
                    unknowns.add(Unknown::new(what, "the importer does not follow loops and case statements"))
                });
                return;
            }
            "function" => {
                self.function = command.words.get(1).and_then(Self::literal);
                return;
            }
            name if name.ends_with("()") => {
                self.function = Some(name.trim_end_matches("()").to_string());
                return;
            }
            _ => {}
        }

        let mut index = 0;
        let mut assignments = Vec::new();
        while let Some((name, value)) = command.words.get(index).and_then(assignment) {
            assignments.push((name, value));
            index += 1;
        }
        let Some(word) = command.words.get(index) else {
            for (name, value) in assignments {
                self.assign(&name, &value, command.line);
            }
            return;
        };
        let name = self.expand(word, true).first().and_then(Word::known).unwrap_or_default();
        let arguments = &command.words[index + 1..];
        match name.as_str() {
            "shift" if matches!(self.conditionals.reach(), Reach::Runs) => {
                let n = arguments.first().and_then(Self::literal).and_then(|n| n.parse().ok()).unwrap_or(1);
                self.shift += n;
            }
            "export" | "local" | "declare" | "readonly" | "typeset" => {
                for (name, value) in arguments.iter().filter_map(assignment) {
                    self.assign(&name, &value, command.line);
                }
            }
            _ if is_configure(&name) => match self.conditionals.reach() {
                Reach::Runs => {
                    let words = arguments.iter().flat_map(|w| self.expand(w, true)).collect();
                    self.out.invocations.push(Invocation { line: command.line, words, skipped: command.skipped });
                }
                Reach::Unknown(u) => self.out.skipped.push(SkippedInvocation { line: command.line, unknown: u }),
                Reach::Skipped => {}
            },
            _ => {}
        }
    }

    fn assign(&mut self, name: &str, value: &RawWord, line: usize) {
        match self.conditionals.reach() {
            Reach::Skipped => {}
            Reach::Unknown(u) => self.poison(name, line, u),
            Reach::Runs => {
                if self.sets.contains_key(name) {
                    self.set_value(name);
                    return;
                }
                let var = if let [RawPiece::Positional(n)] = value.pieces.as_slice() {
                    let whose = match &self.function {
                        Some(f) => format!("the {} argument of the shell function `{f}`", ordinal(*n)),
                        None => format!("the script's {} argument", ordinal(n + self.shift)),
                    };
                    let u = self.unknowns.add(
                        Unknown::new(
                            format!("`${name}`"),
                            format!("`{name}` is {whose} ({}:{line}: `{name}=${n}`)", self.file),
                        )
                        .with_help(format!("pass --set {name}=VALUE")),
                    );
                    Var { pieces: vec![Piece::Unknown(u)], uses: Vec::new() }
                } else {
                    let word = self.expand(value, false).into_iter().next();
                    let (pieces, mut uses) = word.map(|w| (w.pieces, w.uses)).unwrap_or_default();
                    uses.push(Use { what: format!("${name}"), line });
                    Var { pieces, uses }
                };
                self.vars.insert(name.to_string(), var);
            }
        }
    }

    /// `[ A = B ]`, `[ A == B ]`, `[ A != B ]`, `[ -n A ]`, `[ -z A ]`, `[ A ]`, `test ...`, `!`.
    fn condition(&mut self, words: &[RawWord], line: usize) -> Branch {
        let written = format!("`{}` (line {line})", self.raw(line).trim());
        let mut fields = Vec::new();
        for word in words {
            let mut expanded = self.expand(word, true);
            // `if [ ... ]; then`: the lexer already split at `;`.
            fields.append(&mut expanded);
        }
        if let Some(u) = fields.iter().flat_map(|w| w.unknowns()).next() {
            let inner = self.unknowns.get(u).clone();
            let mut unknown = Unknown::new(written, format!("it depends on {}: {}", inner.what, inner.reason));
            unknown.help = inner.help;
            return Branch::Unknown(self.unknowns.add(unknown));
        }
        let mut texts: Vec<String> = fields.iter().filter_map(Word::known).collect();
        let mut negate = false;
        while texts.first().map(String::as_str) == Some("!") {
            negate = !negate;
            texts.remove(0);
        }
        let inner: Option<&[String]> = match texts.first().map(String::as_str) {
            Some("[") if texts.last().map(String::as_str) == Some("]") => Some(&texts[1..texts.len() - 1]),
            Some("[[") if texts.last().map(String::as_str) == Some("]]") => Some(&texts[1..texts.len() - 1]),
            Some("test") => Some(&texts[1..]),
            _ => None,
        };
        let result = inner.and_then(|args| {
            let (mut args, mut inner_negate) = (args, false);
            while args.first().map(String::as_str) == Some("!") {
                inner_negate = !inner_negate;
                args = &args[1..];
            }
            let r = match args {
                [] => Some(false),
                [a] => Some(!a.is_empty()),
                [op, a] if op == "-n" => Some(!a.is_empty()),
                [op, a] if op == "-z" => Some(a.is_empty()),
                [a, op, b] if op == "=" || op == "==" => Some(a == b),
                [a, op, b] if op == "!=" => Some(a != b),
                _ => None,
            };
            r.map(|r| r != inner_negate)
        });
        match result {
            Some(r) if r != negate => Branch::Taken,
            Some(_) => Branch::NotTaken,
            None => Branch::Unknown(
                self.unknowns.add(Unknown::new(written, "the importer reads only `[ A = B ]`-style tests")),
            ),
        }
    }
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
        let words = &out.invocations[0].words;
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
            texts(&out.invocations[0]),
            [
                Some("--prefix=/usr".to_string()),
                Some("--enable-rbd".into()),
                Some("--extra-cflags=-O2 -g".into()),
                Some("--block-drv-rw-whitelist=qcow2,rbd,raw".into()),
            ]
        );
        assert_eq!(out.used_sets, ["prefix", "have_rbd", "@"]);
        let (out, _) = script(BUILD, &[("have_rbd", "disable"), ("@", "")]);
        assert_eq!(out.invocations[0].words[3].known().as_deref(), Some("--block-drv-rw-whitelist=qcow2,raw"));
    }

    #[test]
    fn functions_comments_and_splitting() {
        let text = "extra=\"--enable-a --enable-b\"\ndobuild() {\n    # ./configure --no\n    ./configure $extra \\\n        \"$extra\" # trailing\n}\ndobuild --target-list=x\n";
        let (out, _) = script(text, &[]);
        assert_eq!(out.invocations.len(), 1);
        assert_eq!(
            texts(&out.invocations[0]),
            [Some("--enable-a".to_string()), Some("--enable-b".into()), Some("--enable-a --enable-b".into())]
        );
    }

    #[test]
    fn unknown_rpm_lines_inside_a_command_are_skipped() {
        let source = split_lines("./configure \\\n  --a \\\n  --b \\\n  --c\n");
        let lines = vec![
            ShellLine::Active { number: 1, text: source[0].text.clone(), uses: Vec::new(), map: LineMap::default() },
            ShellLine::Active { number: 2, text: source[1].text.clone(), uses: Vec::new(), map: LineMap::default() },
            ShellLine::Unknown { number: 3, unknown: 7 },
            ShellLine::Active { number: 4, text: source[3].text.clone(), uses: Vec::new(), map: LineMap::default() },
        ];
        let mut unknowns = Unknowns::default();
        let out = run("x.spec", &source, &lines, &IndexMap::new(), &mut unknowns);
        assert_eq!(texts(&out.invocations[0]), [Some("--a".to_string()), Some("--c".into())]);
        assert_eq!(out.invocations[0].skipped, [(3, 7)]);
    }

    #[test]
    fn words_keep_how_the_file_writes_them() {
        let (out, _) = script(BUILD, &[("have_rbd", "enable"), ("prefix", "/usr"), ("@", "--target-list=x")]);
        let written: Vec<Option<&str>> = out.invocations[0].words.iter().map(|w| w.written.as_deref()).collect();
        // `${prefix}` and "$@" are the shell's: their words have only their values.
        assert_eq!(
            written,
            [None, None, Some("--extra-cflags=\"-O2 -g\""), None, None],
            "{:?}",
            out.invocations[0].words
        );
    }

    #[test]
    fn rpm_macros_stay_as_written_where_one_word_holds_them() {
        let spec = "%global opts --enable-a --enable-b\n%global ver 1.0\n%build\n./configure --prefix=%{_prefix} \\\n  %{opts} --with-pkgversion=%{ver} \\\n  --extra-cflags=\"%{optflags} -g\" --long\\\nname\n";
        let source = split_lines(spec);
        let mut unknowns = Unknowns::default();
        let pass = crate::import::rpm::walk("q.spec", &source, Some("x86_64"), &IndexMap::new(), &mut unknowns);
        let lines: Vec<ShellLine> = pass
            .lines
            .iter()
            .zip(&source)
            .filter_map(|((_, state), line)| match state {
                crate::import::rpm::LineState::Active { text, uses, map } => Some(ShellLine::Active {
                    number: line.number,
                    text: text.clone(),
                    uses: uses.clone(),
                    map: map.clone(),
                }),
                _ => None,
            })
            .collect();
        let out = run("q.spec", &source, &lines, &IndexMap::new(), &mut unknowns);
        let words: Vec<(Option<String>, Option<&str>)> =
            out.invocations[0].words.iter().map(|w| (w.known(), w.written.as_deref())).collect();
        assert_eq!(
            words,
            [
                (None, Some("--prefix=%{_prefix}")),
                // Two words from one macro: neither is written on its own.
                (Some("--enable-a".into()), None),
                (Some("--enable-b".into()), None),
                (Some("--with-pkgversion=1.0".into()), Some("--with-pkgversion=%{ver}")),
                (None, Some("--extra-cflags=\"%{optflags} -g\"")),
                // A word that a continuation line ends.
                (Some("--longname".into()), None),
            ]
        );
    }

    #[test]
    fn keywords_that_do_not_balance_and_the_bytes_of_each_word() {
        let (out, _) =
            script("fi\nx=1; if [ a = a ]; then\nfor f in a; do\ndone\n./configure --é=1 --enable-rbd\n", &[]);
        let keyword = |line, columns, word: &str| Keyword { at: Place { line, columns }, word: word.to_string() };
        assert_eq!(
            out.imbalances,
            [
                Imbalance::Stray { at: keyword(1, Some(0..2), "fi") },
                Imbalance::Unclosed { at: keyword(2, Some(5..7), "if"), closer: "fi" },
            ]
        );
        // Bytes, not chars: `é` takes two.
        let columns: Vec<Option<Range<usize>>> = out.invocations[0].words.iter().map(|w| w.columns.clone()).collect();
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
