//! Words after expansion: parameters (`$x`, `${x:-default}`, `$1`, `"$@"`, `$#`), quotes,
//! field splitting; a command's output, arithmetic and `~` stay unknown.

use super::{Args, Interpreter, Var};
use crate::import::rpm::Use;
use crate::import::shell::ordinal;
use crate::import::shell::{MAX_VALUE, Word};
use crate::import::unknown::{Piece, Unknown, pieces};
use brush_parser::ast;
use brush_parser::word::{Parameter, ParameterExpr, ParameterTestType, SpecialParameter, WordPiece};

impl<'a> Interpreter<'a, '_> {
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
    pub(super) fn expand(&mut self, word: &'a ast::Word, split: bool) -> Vec<Word> {
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
