//! The lines as one text for the parser, and the parse: what sh would read of them.

use super::{MAX_RETRIES, Outcome, ShellLine, SkippedInvocation, Stop, Text, TextLine, is_configure, is_name};
use crate::import::place::Place;
use crate::import::rpm::SourceLine;
use crate::import::unknown::{Unknown, Unknowns, marker_text};
use brush_parser::ast;
use indexmap::IndexMap;
use std::ops::Range;

/// The lines as one text for the parser. A line under an unknown rpm condition becomes a
/// word that stands for that condition, so that a configure argument on it is read as
/// unknown; a `configure` run under one is recorded as skipped; an assignment under one
/// becomes an assignment of an unknown value.
pub(super) fn text(
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
pub(super) fn parse(
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
