//! Tokeniser for the query language (DESIGN §6). Terms are lexed whole here because how a
//! value is read depends on the operator before it (`user:"a b"`, `cmd~/x y/i`, `port>=80`).
//! Columns are 1-based character columns, as shown to the user.

use super::QueryError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Gt,
    Ge,
    Lt,
    Le,
}

/// One value after `FIELD:` or a comparison operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Value {
    pub text: String,
    /// Quoted values are literal: `*` is not a wildcard inside quotes.
    pub quoted: bool,
    pub col: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldOp {
    /// `FIELD:a,b,"c d"`: any of the values.
    Values(Vec<Value>),
    /// `FIELD~/REGEX/flags`.
    Regex { src: String, ci: bool, col: usize },
    /// `FIELD>VALUE` and friends.
    Cmp(CmpOp, Value),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokKind {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Annotated,
    /// `detected`: the event has a Sigma hit.
    Detected,
    /// `candidate`, `reviewed`, `dismissed`: early-detection candidates and their reviews.
    Candidate,
    Reviewed,
    Dismissed,
    /// A bare word: case-insensitive substring over the free text (`*` is a wildcard).
    Word(String),
    /// A `"quoted phrase"`: literal case-insensitive substring.
    Phrase(String),
    /// A bare `/REGEX/flags` over the free text.
    Regex {
        src: String,
        ci: bool,
    },
    Field {
        name: String,
        op: FieldOp,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tok {
    pub kind: TokKind,
    pub col: usize,
}

fn err(col: usize, msg: impl Into<String>) -> QueryError {
    QueryError {
        col,
        msg: msg.into(),
    }
}

fn is_delim(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')'
}

// Field names start like identifiers so that times (`2022-12-03T18:04`) and
// `ip:port` pairs (`10.0.0.1:443`) stay free-text words.
fn ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '@'
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '-')
}

struct Lexer {
    cs: Vec<char>,
    i: usize,
    out: Vec<Tok>,
}

/// Splits a query into tokens, or reports the first lexical error.
pub(crate) fn lex(text: &str) -> Result<Vec<Tok>, QueryError> {
    let mut lx = Lexer {
        cs: text.chars().collect(),
        i: 0,
        out: Vec::new(),
    };
    lx.run()?;
    Ok(lx.out)
}

impl Lexer {
    fn at(&self, i: usize) -> Option<char> {
        self.cs.get(i).copied()
    }

    fn push(&mut self, kind: TokKind, start: usize) {
        self.out.push(Tok {
            kind,
            col: start + 1,
        });
    }

    fn run(&mut self) -> Result<(), QueryError> {
        while let Some(c) = self.at(self.i) {
            let start = self.i;
            if c.is_whitespace() {
                self.i += 1;
            } else if c == '(' {
                self.i += 1;
                self.push(TokKind::LParen, start);
            } else if c == ')' {
                self.i += 1;
                self.push(TokKind::RParen, start);
            } else if c == '"' {
                let s = self.quoted()?;
                self.expect_end_of_term("closing quote")?;
                self.push(TokKind::Phrase(s), start);
            } else if c == '/' {
                let (src, ci) = self.regex()?;
                self.push(TokKind::Regex { src, ci }, start);
            } else if c == '-'
                && self
                    .at(self.i + 1)
                    .is_some_and(|n| ident_start(n) || "\"/(".contains(n))
            {
                // `-term` is shorthand for `NOT term`; `-1` stays a word.
                self.i += 1;
                self.push(TokKind::Not, start);
            } else {
                self.word_or_field()?;
            }
        }
        Ok(())
    }

    /// After a closing quote or regex, the term must end.
    fn expect_end_of_term(&self, what: &str) -> Result<(), QueryError> {
        match self.at(self.i) {
            Some(c) if !is_delim(c) => {
                Err(err(self.i + 1, format!("unexpected `{c}` after {what}")))
            }
            _ => Ok(()),
        }
    }

    /// Reads `"..."` starting at the opening quote. `\"` and `\\` are escapes; any other
    /// backslash is kept, so Windows paths need no doubling.
    fn quoted(&mut self) -> Result<String, QueryError> {
        let open = self.i;
        self.i += 1;
        let mut s = String::new();
        while let Some(c) = self.at(self.i) {
            self.i += 1;
            match c {
                '"' => return Ok(s),
                '\\' => match self.at(self.i) {
                    Some(n @ ('"' | '\\')) => {
                        s.push(n);
                        self.i += 1;
                    }
                    _ => s.push('\\'),
                },
                _ => s.push(c),
            }
        }
        Err(err(open + 1, "unclosed quote (missing closing \")"))
    }

    /// Reads `/REGEX/flags` starting at the opening slash. The source is kept verbatim
    /// (`\/` is a valid escape for the regex crate) so its error columns line up.
    fn regex(&mut self) -> Result<(String, bool), QueryError> {
        let open = self.i;
        self.i += 1;
        let mut s = String::new();
        loop {
            match self.at(self.i) {
                None => return Err(err(open + 1, "unclosed /regex/ (missing closing /)")),
                Some('/') => {
                    self.i += 1;
                    break;
                }
                Some('\\') => {
                    s.push('\\');
                    self.i += 1;
                    if let Some(n) = self.at(self.i) {
                        s.push(n);
                        self.i += 1;
                    }
                }
                Some(c) => {
                    s.push(c);
                    self.i += 1;
                }
            }
        }
        let mut ci = false;
        while let Some(c) = self.at(self.i) {
            if c == 'i' {
                ci = true;
            } else if c.is_alphanumeric() {
                return Err(err(
                    self.i + 1,
                    format!("unknown regex flag `{c}` (only `i` is supported)"),
                ));
            } else {
                break;
            }
            self.i += 1;
        }
        self.expect_end_of_term("/regex/")?;
        Ok((s, ci))
    }

    fn word_or_field(&mut self) -> Result<(), QueryError> {
        let start = self.i;
        if self.at(start).is_some_and(ident_start) {
            let mut j = start;
            while self.at(j).is_some_and(ident_char) {
                j += 1;
            }
            let op = self.at(j);
            // `fe80::1` and `http://` are words, not fields.
            let not_field = op == Some(':')
                && (self.at(j + 1) == Some(':')
                    || (self.at(j + 1) == Some('/') && self.at(j + 2) == Some('/')));
            if matches!(op, Some(':' | '~' | '<' | '>')) && !not_field {
                let name: String = self.cs[start..j].iter().collect();
                self.i = j;
                let op = self.field_op(&name)?;
                self.push(TokKind::Field { name, op }, start);
                return Ok(());
            }
        }
        let mut j = start;
        while self.at(j).is_some_and(|c| !is_delim(c)) {
            j += 1;
        }
        let w: String = self.cs[start..j].iter().collect();
        self.i = j;
        // Keywords are case-insensitive.
        let kind = match w.to_ascii_lowercase().as_str() {
            "and" => TokKind::And,
            "or" => TokKind::Or,
            "not" => TokKind::Not,
            "annotated" => TokKind::Annotated,
            "bad_time" => {
                // The record flag, read as the field term `bad_time:true` (DESIGN §6).
                let text = "true".into();
                let (quoted, col) = (false, start + 1);
                let op = FieldOp::Values(vec![Value { text, quoted, col }]);
                TokKind::Field { name: w, op }
            }
            "detected" => TokKind::Detected,
            "candidate" => TokKind::Candidate,
            "reviewed" => TokKind::Reviewed,
            "dismissed" => TokKind::Dismissed,
            _ => TokKind::Word(w),
        };
        self.push(kind, start);
        Ok(())
    }

    /// Lexes what follows a field name; `self.i` is on the operator character.
    fn field_op(&mut self, name: &str) -> Result<FieldOp, QueryError> {
        let op_col = self.i + 1;
        let c = self.at(self.i).unwrap_or(':');
        self.i += 1;
        match c {
            '~' => {
                if self.at(self.i) != Some('/') {
                    return Err(err(self.i + 1, format!("expected /REGEX/ after `{name}~`")));
                }
                let col = self.i + 1;
                let (src, ci) = self.regex()?;
                Ok(FieldOp::Regex { src, ci, col })
            }
            '<' | '>' => self.cmp(c, name),
            _ => match self.at(self.i) {
                // `port:>1024` reads as `port>1024`.
                Some(n @ ('<' | '>')) => {
                    self.i += 1;
                    self.cmp(n, name)
                }
                _ => self.values(name, op_col),
            },
        }
    }

    fn cmp(&mut self, c: char, name: &str) -> Result<FieldOp, QueryError> {
        let eq = self.at(self.i) == Some('=');
        if eq {
            self.i += 1;
        }
        let op = match (c, eq) {
            ('>', false) => CmpOp::Gt,
            ('>', true) => CmpOp::Ge,
            ('<', false) => CmpOp::Lt,
            _ => CmpOp::Le,
        };
        let sym = if eq { format!("{c}=") } else { c.to_string() };
        match self.value(false)? {
            Some(v) => Ok(FieldOp::Cmp(op, v)),
            None => Err(err(
                self.i + 1,
                format!("missing value after `{name}{sym}`"),
            )),
        }
    }

    /// One value: quoted, or bare up to a delimiter (and up to `,` inside lists).
    fn value(&mut self, in_list: bool) -> Result<Option<Value>, QueryError> {
        let start = self.i;
        match self.at(start) {
            None => Ok(None),
            Some(c) if is_delim(c) => Ok(None),
            Some('"') => {
                let text = self.quoted()?;
                match self.at(self.i) {
                    Some(c) if !(is_delim(c) || (in_list && c == ',')) => Err(err(
                        self.i + 1,
                        format!("unexpected `{c}` after closing quote"),
                    )),
                    _ => Ok(Some(Value {
                        text,
                        quoted: true,
                        col: start + 1,
                    })),
                }
            }
            Some(_) => {
                let mut j = start;
                while self
                    .at(j)
                    .is_some_and(|c| !(is_delim(c) || (in_list && c == ',')))
                {
                    j += 1;
                }
                if j == start {
                    return Ok(None);
                }
                let text = self.cs[start..j].iter().collect();
                self.i = j;
                Ok(Some(Value {
                    text,
                    quoted: false,
                    col: start + 1,
                }))
            }
        }
    }

    fn values(&mut self, name: &str, op_col: usize) -> Result<FieldOp, QueryError> {
        let mut vals = Vec::new();
        loop {
            match self.value(true)? {
                Some(v) => vals.push(v),
                None if vals.is_empty() => {
                    return Err(err(op_col, format!("missing value after `{name}:`")));
                }
                None => return Err(err(self.i + 1, "empty item in value list")),
            }
            if self.at(self.i) == Some(',') {
                self.i += 1;
                // `event_id:4624, 4625` is one list: a space after the comma is habit, and
                // reading `4625` as free text silently matched almost nothing.
                while self.at(self.i).is_some_and(|c| c.is_whitespace()) {
                    self.i += 1;
                }
            } else {
                return Ok(FieldOp::Values(vals));
            }
        }
    }
}
