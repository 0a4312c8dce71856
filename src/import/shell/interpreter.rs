//! drvpolicy's own evaluator of the parsed shell text: it follows assignments, `shift`,
//! shell functions, tests, `&&`/`||` and subshells far enough to collect the configure runs,
//! and keeps what it cannot know as unknown pieces of words.

mod words;

use super::{
    Invocation, MAX_CALLS, MAX_COMMANDS, MAX_DEPTH, MAX_VALUE, Outcome, SkippedInvocation, Stop, Text, TextLine, Word,
    is_configure, is_name, ordinal,
};
use crate::import::place::Place;
use crate::import::rpm::{SourceLine, Use};
use crate::import::unknown::{Piece, Unknown, Unknowns, clip};
use brush_parser::ast;
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// Runs `program` far enough to collect its configure runs into `out`.
#[allow(clippy::too_many_arguments)]
pub(super) fn run<'a>(
    file: &'a str,
    source: &'a [SourceLine],
    text: &'a Text,
    sets: &'a IndexMap<String, String>,
    assigned: &'a HashSet<String>,
    unknowns: &'a mut Unknowns,
    options: &'a brush_parser::ParserOptions,
    program: &'a ast::Program,
    out: &mut Outcome,
) {
    let mut interpreter = Interpreter {
        file,
        source,
        text,
        sets,
        assigned,
        unknowns,
        options,
        vars: HashMap::new(),
        functions: HashMap::new(),
        frames: vec![Frame::script(sets)],
        guards: Vec::new(),
        calls: Vec::new(),
        depth: 0,
        commands: 0,
        byte_offsets: HashMap::new(),
        out,
    };
    for list in &program.complete_commands {
        if interpreter.list(list) != Flow::Normal {
            break;
        }
    }
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
}

fn bool_status(b: bool) -> Status {
    if b { Status::True } else { Status::False }
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
