//! Recursive-descent parser (DESIGN §6):
//! `or := and ("OR" and)*`, `and := unary (["AND"] unary)*`,
//! `unary := "NOT" unary | "(" or ")" | term`. Terms are compiled as they are reached.

use super::eval::{CmpVal, Node, Pred, ValueMatch, build_regex};
use super::lexer::{CmpOp, FieldOp, Tok, TokKind, Value};
use super::{QueryError, TextTerm};
use crate::model::{Norm, TzSpec, parse_time_prefix};
use chrono::{DateTime, Duration, Months, Utc};

/// Nesting cap for `(` and `NOT`, so hostile input cannot overflow the stack.
const MAX_DEPTH: usize = 100;

fn err(col: usize, msg: impl Into<String>) -> QueryError {
    QueryError {
        col,
        msg: msg.into(),
    }
}

/// Parses the token list; `None` for an empty query. `end_col` is the column just past
/// the text, used for errors at the end.
pub(crate) fn parse(toks: &[Tok], tz: &TzSpec, end_col: usize) -> Result<Option<Node>, QueryError> {
    if toks.is_empty() {
        return Ok(None);
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        tz,
        end_col,
    };
    let node = p.or()?;
    match p.toks.get(p.pos) {
        None => Ok(Some(node)),
        Some(t) if t.kind == TokKind::RParen => Err(err(t.col, "unbalanced `)`: no matching `(`")),
        Some(t) => Err(err(t.col, "unexpected token")),
    }
}

struct Parser<'a> {
    toks: &'a [Tok],
    pos: usize,
    depth: usize,
    tz: &'a TzSpec,
    end_col: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&TokKind> {
        self.toks.get(self.pos).map(|t| &t.kind)
    }

    fn or(&mut self) -> Result<Node, QueryError> {
        let mut items = vec![self.and()?];
        while self.peek() == Some(&TokKind::Or) {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Node::Or(items)
        })
    }

    fn and(&mut self) -> Result<Node, QueryError> {
        let mut items = vec![self.unary()?];
        loop {
            match self.peek() {
                None | Some(TokKind::Or | TokKind::RParen) => break,
                Some(TokKind::And) => {
                    self.pos += 1;
                    items.push(self.unary()?);
                }
                Some(_) => items.push(self.unary()?),
            }
        }
        Ok(if items.len() == 1 {
            items.swap_remove(0)
        } else {
            Node::And(items)
        })
    }

    /// Describes the token before the current one, for "missing term after …" messages.
    fn after_prev(&self) -> (usize, String) {
        match self.pos.checked_sub(1).and_then(|i| self.toks.get(i)) {
            Some(t) => {
                let what = match t.kind {
                    TokKind::And => "AND",
                    TokKind::Or => "OR",
                    TokKind::Not => "NOT",
                    TokKind::LParen => "`(`",
                    _ => "this",
                };
                (t.col, format!("missing term after {what}"))
            }
            None => (self.end_col, "missing term".to_string()),
        }
    }

    fn unary(&mut self) -> Result<Node, QueryError> {
        let Some(tok) = self.toks.get(self.pos) else {
            let (col, msg) = self.after_prev();
            return Err(err(col, msg));
        };
        match &tok.kind {
            TokKind::Not => {
                self.pos += 1;
                self.enter(tok.col)?;
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Node::Not(Box::new(inner)))
            }
            TokKind::LParen => {
                self.pos += 1;
                self.enter(tok.col)?;
                if self.peek() == Some(&TokKind::RParen) {
                    return Err(err(tok.col, "empty parentheses"));
                }
                let inner = self.or()?;
                if self.peek() != Some(&TokKind::RParen) {
                    return Err(err(tok.col, "unbalanced `(`: missing `)`"));
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(inner)
            }
            TokKind::RParen => {
                if self.pos == 0 {
                    Err(err(tok.col, "unbalanced `)`: no matching `(`"))
                } else {
                    let (col, msg) = self.after_prev();
                    Err(err(col, msg))
                }
            }
            TokKind::And | TokKind::Or => {
                let op = if tok.kind == TokKind::And {
                    "AND"
                } else {
                    "OR"
                };
                Err(err(tok.col, format!("{op} needs a term before it")))
            }
            kind => {
                self.pos += 1;
                term(kind, tok.col, self.tz)
            }
        }
    }

    fn enter(&mut self, col: usize) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(
                col,
                format!("query nested too deeply (over {MAX_DEPTH} levels)"),
            ));
        }
        Ok(())
    }
}

/// The name the subject is asked for: canonical lowercase for the normalised fields and the
/// event properties, the user's spelling otherwise (subjects look those up case-insensitively).
fn canon(name: &str) -> Box<str> {
    if let Some(n) = Norm::from_name(name) {
        return n.name().into();
    }
    for k in ["source", "format", "ts"] {
        if name.eq_ignore_ascii_case(k) {
            return k.into();
        }
    }
    name.into()
}

fn term(kind: &TokKind, col: usize, tz: &TzSpec) -> Result<Node, QueryError> {
    let pred = match kind {
        TokKind::Annotated => Pred::Annotated,
        TokKind::Detected => Pred::Detected,
        TokKind::Candidate => Pred::Candidate,
        TokKind::Reviewed => Pred::Reviewed,
        TokKind::Dismissed => Pred::Dismissed,
        TokKind::Word(w) if w.chars().all(|c| c == '*') => Pred::True,
        TokKind::Word(w) if w.contains('*') => {
            Pred::FreeText(Box::new(TextTerm::wildcard(w, col)?), 0)
        }
        TokKind::Word(w) => Pred::FreeText(Box::new(TextTerm::word(w, col)?), 0),
        TokKind::Phrase(p) if p.is_empty() => return Err(err(col, "empty phrase")),
        TokKind::Phrase(p) => Pred::FreeText(Box::new(TextTerm::word(p, col)?), 0),
        TokKind::Regex { src, ci } => {
            let ci = *ci || !super::has_literal_upper(src);
            Pred::FreeText(Box::new(TextTerm::regex(src, ci, col + 1)?), 0)
        }
        TokKind::Field { name, op } => return field_term(name, op, tz),
        // Operators and parentheses are consumed by the parser before reaching here.
        _ => return Err(err(col, "unexpected token")),
    };
    Ok(Node::Pred(pred))
}

fn field_term(name: &str, op: &FieldOp, tz: &TzSpec) -> Result<Node, QueryError> {
    let lname = name.to_ascii_lowercase();
    let pred = match (lname.as_str(), op) {
        ("after" | "before", FieldOp::Values(vs)) => {
            let v = single(&lname, vs)?;
            let ns = time_value(v, tz)?;
            // `before:` a prefix means before the start of that period.
            Pred::Time(
                if lname == "after" {
                    CmpOp::Ge
                } else {
                    CmpOp::Lt
                },
                ns,
            )
        }
        ("mark" | "tag", FieldOp::Values(vs)) => {
            let ks = vs
                .iter()
                .map(|v| v.text.trim().to_lowercase().into())
                .collect();
            if lname == "mark" {
                Pred::Mark(ks)
            } else {
                Pred::Tag(ks)
            }
        }
        ("rule" | "attack", FieldOp::Values(vs)) => {
            // Titles have spaces, so they are quoted: `*` stays a wildcard inside quotes
            // here (`rule:"*Shadow*"`).
            let ms = vs
                .iter()
                .map(|v| ValueMatch::new(&v.text, false, v.col))
                .collect::<Result<_, _>>()?;
            if lname == "rule" {
                Pred::Rule(ms)
            } else {
                Pred::Attack(ms)
            }
        }
        // `level` with a Sigma level name is about hits; other values (EVTX's numeric
        // System Level) stay a field term.
        ("level", FieldOp::Values(vs))
            if vs
                .iter()
                .all(|v| crate::detect::Level::parse(v.text.trim()).is_some()) =>
        {
            let eqs = vs
                .iter()
                .filter_map(|v| crate::detect::Level::parse(v.text.trim()))
                .collect();
            Pred::Level(Vec::new(), eqs)
        }
        ("level", FieldOp::Cmp(op, v)) if crate::detect::Level::parse(v.text.trim()).is_some() => {
            let l = crate::detect::Level::parse(v.text.trim())
                .unwrap_or(crate::detect::Level::Informational);
            Pred::Level(vec![(*op, l)], Vec::new())
        }
        ("ts", FieldOp::Values(vs)) => {
            if vs
                .iter()
                .any(|v| !v.quoted && v.text.chars().all(|c| c == '*'))
            {
                return Ok(Node::Pred(Pred::True));
            }
            let mut periods = Vec::with_capacity(vs.len());
            for v in vs {
                let (a, b) = period(&v.text, tz).ok_or_else(|| unknown_time(v))?;
                periods.push(Node::Pred(Pred::TimeIn(a, b)));
            }
            return Ok(match periods.pop() {
                Some(one) if periods.is_empty() => one,
                Some(last) => {
                    periods.push(last);
                    Node::Or(periods)
                }
                None => Node::Pred(Pred::True),
            });
        }
        ("ts", FieldOp::Cmp(op, v)) => Pred::Time(*op, time_value(v, tz)?),
        (_, FieldOp::Values(vs)) => {
            let ms = vs
                .iter()
                .map(|v| ValueMatch::new(&v.text, v.quoted, v.col))
                .collect::<Result<_, _>>()?;
            Pred::Field(canon(name), ms, Vec::new())
        }
        // Smart case, as the `/` search: a pattern without an upper-case letter of its
        // own ignores case; `i` makes any pattern ignore it.
        (_, FieldOp::Regex { src, ci, col }) => {
            let ci = *ci || !super::has_literal_upper(src);
            Pred::FieldRegex(canon(name), build_regex(src, ci, col + 1)?)
        }
        (_, FieldOp::Cmp(op, v)) => Pred::Cmp(canon(name), *op, cmp_value(name, op, v, tz)?),
    };
    Ok(Node::Pred(pred))
}

/// The right-hand side of `FIELD<VALUE`, checked against what the field holds: ports,
/// ids and pids compare as numbers, addresses as IPs. A value of the wrong kind is an
/// error (it used to match nothing, or compare as text), as is anything shaped like an
/// IPv4 address that is not one (`10.0.0.300`).
fn cmp_value(name: &str, op: &CmpOp, v: &Value, tz: &TzSpec) -> Result<CmpVal, QueryError> {
    let val = CmpVal::new(&v.text, tz);
    let sym = match op {
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
    };
    let text = v.text.trim();
    match (Norm::from_name(name), &val) {
        (
            Some(Norm::SrcPort | Norm::DstPort | Norm::Pid | Norm::EventId | Norm::RecordId),
            CmpVal::Num(_),
        )
        | (Some(Norm::SrcIp | Norm::DstIp), CmpVal::Ip(_)) => Ok(val),
        (Some(Norm::SrcPort | Norm::DstPort | Norm::Pid | Norm::EventId | Norm::RecordId), _) => {
            Err(err(
                v.col,
                format!("`{name}{sym}` needs a number, not `{text}`"),
            ))
        }
        (Some(Norm::SrcIp | Norm::DstIp), _) => Err(err(
            v.col,
            format!("`{name}{sym}` needs an IP address, not `{text}`"),
        )),
        (_, CmpVal::Str(_)) if looks_like_ipv4(text) => Err(err(
            v.col,
            format!("`{text}` is not an IPv4 address (each part is 0-255)"),
        )),
        _ => Ok(val),
    }
}

/// Four dot-separated groups of digits.
fn looks_like_ipv4(t: &str) -> bool {
    let parts: Vec<&str> = t.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn single<'v>(name: &str, vs: &'v [Value]) -> Result<&'v Value, QueryError> {
    match vs {
        [v] => Ok(v),
        [_, second, ..] => Err(err(
            second.col,
            format!("`{name}:` takes a single time, not a list"),
        )),
        [] => Err(err(1, format!("missing value after `{name}:`"))),
    }
}

fn unknown_time(v: &Value) -> QueryError {
    err(
        v.col,
        format!(
            "unknown time `{}` (use RFC 3339 or a prefix like 2022-12-03T18)",
            v.text
        ),
    )
}

fn time_value(v: &Value, tz: &TzSpec) -> Result<i64, QueryError> {
    parse_time_prefix(&v.text, tz).ok_or_else(|| unknown_time(v))
}

/// The half-open period a time prefix names: `2022-12-03` is that whole day in `tz`,
/// `2022-12-03T18` that hour, a full timestamp that second (or fraction digit).
pub(crate) fn period(text: &str, tz: &TzSpec) -> Option<(i64, i64)> {
    let start = parse_time_prefix(text, tz)?;
    let norm = text.trim().replace(' ', "T");
    let (body, zone) = split_zone(&norm);
    let (main, frac) = match body.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (body, None),
    };
    // Step the wall-clock time by one unit of the prefix's precision, then convert
    // again, so that DST days (23 or 25 hours) come out right.
    let naive =
        DateTime::<Utc>::from_timestamp_nanos(parse_time_prefix(body, &TzSpec::Utc)?).naive_utc();
    let next = match (main.len(), frac) {
        (_, Some(f)) => {
            let step = 10i64.checked_pow(9u32.checked_sub(u32::try_from(f.len()).ok()?)?)?;
            naive.checked_add_signed(Duration::nanoseconds(step))?
        }
        (..=4, None) => naive.checked_add_months(Months::new(12))?,
        (..=7, None) => naive.checked_add_months(Months::new(1))?,
        (..=10, None) => naive.checked_add_signed(Duration::days(1))?,
        (..=13, None) => naive.checked_add_signed(Duration::hours(1))?,
        (..=16, None) => naive.checked_add_signed(Duration::minutes(1))?,
        (_, None) => naive.checked_add_signed(Duration::seconds(1))?,
    };
    let next_text = format!(
        "{}{}",
        next.format("%Y-%m-%dT%H:%M:%S%.9f"),
        zone.unwrap_or("")
    );
    let end = parse_time_prefix(&next_text, tz)?;
    (end > start).then_some((start, end))
}

/// Splits a trailing zone (`Z`, `+02:00`) off a timestamp, as `parse_time_prefix` does.
fn split_zone(s: &str) -> (&str, Option<&str>) {
    if let Some(b) = s.strip_suffix(['Z', 'z']) {
        return (b, Some("Z"));
    }
    if let Some(t) = s.find('T')
        && let Some(p) = s.get(t..).and_then(|r| r.rfind(['+', '-']))
    {
        return (s.get(..t + p).unwrap_or(s), s.get(t + p..));
    }
    (s, None)
}
