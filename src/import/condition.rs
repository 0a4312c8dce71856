//! rpm `%if` expressions after macro expansion: integers, quoted strings, comparisons,
//! `!`, `&&`, `||`, `+ - * /` and parentheses. Anything else is an error, which the
//! importer reports as a condition it cannot evaluate rather than guessing.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Int(i64),
    Str(String),
}

impl Value {
    fn truthy(&self) -> bool {
        match self {
            Value::Int(i) => *i != 0,
            Value::Str(s) => !s.is_empty(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Int(i64),
    Str(String),
    Op(&'static str),
}

const OPERATORS: &[&str] = &["&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "+", "-", "*", "/"];

/// Nesting of `(`, `!` and `-` the parser follows before it gives up (rpm's own parser
/// recurses too; no real spec comes near this).
pub const MAX_DEPTH: usize = 256;

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = rest.get(c.len_utf8()..).unwrap_or("");
        } else if c.is_ascii_digit() {
            let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            let (digits, after) = rest.split_at(end);
            out.push(Token::Int(digits.parse().map_err(|_| format!("`{digits}` is too large"))?));
            rest = after;
        } else if c == '"' {
            let body = rest.get(1..).unwrap_or("");
            let end = body.find('"').ok_or("an unterminated string")?;
            let (string, after) = body.split_at(end);
            out.push(Token::Str(string.to_string()));
            rest = after.get(1..).unwrap_or("");
        } else {
            match OPERATORS.iter().find(|op| rest.starts_with(**op)) {
                Some(op) => {
                    out.push(Token::Op(op));
                    rest = rest.get(op.len()..).unwrap_or("");
                }
                None => {
                    let word: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
                    return Err(format!("`{word}` is neither a number nor a quoted string"));
                }
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    depth: usize,
}

fn overflow() -> String {
    "a number beyond 64 bits".into()
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn advance(&mut self) {
        self.position = self.position.saturating_add(1);
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Token::Op(o)) if *o == op) {
            self.advance();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Value, String> {
        let mut left = self.and()?;
        while self.eat("||") {
            let right = self.and()?;
            left = Value::Int(i64::from(left.truthy() || right.truthy()));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Value, String> {
        let mut left = self.comparison()?;
        while self.eat("&&") {
            let right = self.comparison()?;
            left = Value::Int(i64::from(left.truthy() && right.truthy()));
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Value, String> {
        let left = self.sum()?;
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            if self.eat(op) {
                let right = self.sum()?;
                let ordering = match (&left, &right) {
                    (Value::Int(a), Value::Int(b)) => a.cmp(b),
                    (Value::Str(a), Value::Str(b)) => a.cmp(b),
                    _ => return Err("a number compared with a string".into()),
                };
                let result = match op {
                    "==" => ordering.is_eq(),
                    "!=" => ordering.is_ne(),
                    "<=" => ordering.is_le(),
                    ">=" => ordering.is_ge(),
                    "<" => ordering.is_lt(),
                    _ => ordering.is_gt(),
                };
                return Ok(Value::Int(i64::from(result)));
            }
        }
        Ok(left)
    }

    fn sum(&mut self) -> Result<Value, String> {
        let mut left = self.product()?;
        loop {
            let op = if self.eat("+") {
                '+'
            } else if self.eat("-") {
                '-'
            } else {
                return Ok(left);
            };
            let right = self.product()?;
            left = match (left, right) {
                (Value::Int(a), Value::Int(b)) if op == '+' => Value::Int(a.checked_add(b).ok_or_else(overflow)?),
                (Value::Int(a), Value::Int(b)) => Value::Int(a.checked_sub(b).ok_or_else(overflow)?),
                _ => return Err("arithmetic on a string".into()),
            };
        }
    }

    fn product(&mut self) -> Result<Value, String> {
        let mut left = self.unary()?;
        loop {
            let op = if self.eat("*") {
                '*'
            } else if self.eat("/") {
                '/'
            } else {
                return Ok(left);
            };
            let right = self.unary()?;
            left = match (left, right) {
                (Value::Int(a), Value::Int(b)) if op == '*' => Value::Int(a.checked_mul(b).ok_or_else(overflow)?),
                (Value::Int(_), Value::Int(0)) => return Err("a division by zero".into()),
                (Value::Int(a), Value::Int(b)) => Value::Int(a.checked_div(b).ok_or_else(overflow)?),
                _ => return Err("arithmetic on a string".into()),
            };
        }
    }

    fn unary(&mut self) -> Result<Value, String> {
        if self.depth >= MAX_DEPTH {
            return Err(format!("an expression nested deeper than {MAX_DEPTH} levels"));
        }
        self.depth = self.depth.saturating_add(1);
        let value = self.operand();
        self.depth = self.depth.saturating_sub(1);
        value
    }

    fn operand(&mut self) -> Result<Value, String> {
        if self.eat("!") {
            return Ok(Value::Int(i64::from(!self.unary()?.truthy())));
        }
        if self.eat("-") {
            return match self.unary()? {
                Value::Int(i) => Ok(Value::Int(i.checked_neg().ok_or_else(overflow)?)),
                Value::Str(_) => Err("a negated string".into()),
            };
        }
        if self.eat("(") {
            let value = self.or()?;
            if !self.eat(")") {
                return Err("a `(` without `)`".into());
            }
            return Ok(value);
        }
        match self.peek().cloned() {
            Some(Token::Int(i)) => {
                self.advance();
                Ok(Value::Int(i))
            }
            Some(Token::Str(s)) => {
                self.advance();
                Ok(Value::Str(s))
            }
            Some(Token::Op(op)) => Err(format!("an unexpected `{op}`")),
            None => Err("an expression that ends too early".into()),
        }
    }
}

/// The truth of an expanded `%if` expression, or why it cannot be evaluated.
pub fn evaluate(text: &str) -> Result<bool, String> {
    let tokens = tokens(text)?;
    if tokens.is_empty() {
        return Err("an empty condition".into());
    }
    let mut parser = Parser { tokens, position: 0, depth: 0 };
    let value = parser.or()?;
    if parser.position != parser.tokens.len() {
        return Err("text after the end of the expression".into());
    }
    Ok(value.truthy())
}

#[cfg(test)]
mod tests {
    use super::evaluate;

    #[test]
    fn the_forms_real_specs_use() {
        // `%if %{rhev}` with rhev 0, `%if 0%{!?build_only_sub:1}` on x86_64 and elsewhere.
        assert_eq!(evaluate("0"), Ok(false));
        assert_eq!(evaluate("01"), Ok(true));
        assert_eq!(evaluate("0 >= 7"), Ok(false));
        assert_eq!(evaluate("8 >= 7 && !0"), Ok(true));
        assert_eq!(evaluate("\"x86_64\" == \"x86_64\""), Ok(true));
        assert_eq!(evaluate("(1 || 0) && 2 - 2"), Ok(false));
    }

    #[test]
    fn what_it_cannot_evaluate_is_an_error() {
        assert!(evaluate("").is_err());
        assert!(evaluate("%{rhev}").is_err());
        assert!(evaluate("rhev").is_err());
        assert!(evaluate("1 ==").is_err());
        assert!(evaluate("\"a\" == 1").is_err());
    }

    #[test]
    fn hostile_conditions_are_errors_not_panics() {
        let overflow = evaluate("(0 - 9223372036854775807 - 1) / (0 - 1)").unwrap_err();
        assert_eq!(overflow, "a number beyond 64 bits");
        assert!(evaluate("-(0 - 9223372036854775807 - 1)").is_err());
        assert!(evaluate("9223372036854775807 * 2").is_err());
        assert!(evaluate("99999999999999999999").unwrap_err().contains("too large"));
        for opener in ["(", "!", "-"] {
            let deep = opener.repeat(200_000) + "1";
            assert!(evaluate(&deep).unwrap_err().contains("nested deeper than 256"), "{opener}");
        }
        assert_eq!(evaluate(&("!".repeat(254) + "1")), Ok(true));
    }
}
