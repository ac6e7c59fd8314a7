//! Compiled predicates and how they match a [`Subject`]. Everything that can be prepared
//! (lowercase needles, regexes, parsed numbers/IPs/times) is prepared at parse time so that
//! matching does not allocate.

use super::lexer::CmpOp;
use super::{QueryError, Subject, TextTerm};
use crate::model::{TzSpec, parse_time_prefix};
use memchr::memmem::Finder;
use regex::{Regex, RegexBuilder};
use std::cmp::Ordering;
use std::net::IpAddr;

/// Compiled-size cap for user regexes: generous for real patterns, bounded for `\w{5000}`.
const REGEX_SIZE_LIMIT: usize = 4 << 20;

#[derive(Debug, Clone)]
pub(crate) enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Pred(Pred),
}

impl Node {
    pub(crate) fn eval(&self, s: &dyn Subject, tz: &TzSpec) -> bool {
        match self {
            Node::And(v) => {
                // Cheap terms first (in the order written); before the first costly one,
                // let the index rule the event out on any term.
                let mut hinted = false;
                for n in v {
                    if !hinted && !n.cheap() {
                        hinted = true;
                        if v.iter().any(|m| m.ruled_out(s)) {
                            return false;
                        }
                    }
                    if !n.eval(s, tz) {
                        return false;
                    }
                }
                true
            }
            Node::Or(v) => v.iter().any(|n| n.eval(s, tz)),
            Node::Not(n) => !n.eval(s, tz),
            Node::Pred(p) => p.eval(s, tz),
        }
    }

    /// Whether any term reads the message (free text, or the `message` field).
    pub(crate) fn needs_message(&self) -> bool {
        match self {
            Node::And(v) | Node::Or(v) => v.iter().any(Node::needs_message),
            Node::Not(n) => n.needs_message(),
            Node::Pred(p) => match p {
                Pred::FreeText(..) => true,
                Pred::Field(name, ..) | Pred::FieldRegex(name, _) | Pred::Cmp(name, _, _) => {
                    name.eq_ignore_ascii_case("message")
                }
                _ => false,
            },
        }
    }

    /// Numbers the free-text terms in tree order and collects them.
    pub(crate) fn number_terms(&mut self, out: &mut Vec<TextTerm>) {
        match self {
            Node::And(v) | Node::Or(v) => v.iter_mut().for_each(|n| n.number_terms(out)),
            Node::Not(n) => n.number_terms(out),
            Node::Pred(Pred::FreeText(t, k)) => {
                *k = out.len();
                out.push((**t).clone());
            }
            Node::Pred(Pred::Field(name, ms, hints)) => {
                // A field equal to `v` puts `v` in the event's free text, except for
                // event-level names and the message (which may be made up on the fly).
                let event_level = ["source", "format", "ts", "host", "message"];
                let exact: Vec<&str> = ms
                    .iter()
                    .map_while(|m| match m {
                        ValueMatch::Exact(v) if !v.is_empty() => Some(&**v),
                        _ => None,
                    })
                    .collect();
                if exact.len() == ms.len() && !event_level.contains(&&**name) {
                    for v in exact {
                        if let Ok(t) = TextTerm::word(v, 1) {
                            hints.push(out.len());
                            out.push(t);
                        }
                    }
                }
            }
            Node::Pred(_) => {}
        }
    }

    /// Answered without reading the event's fields.
    fn cheap(&self) -> bool {
        match self {
            Node::And(v) | Node::Or(v) => v.iter().all(Node::cheap),
            Node::Not(n) => n.cheap(),
            Node::Pred(p) => match p {
                Pred::Field(name, ..) | Pred::FieldRegex(name, _) | Pred::Cmp(name, _, _) => {
                    matches!(&**name, "host" | "source" | "format")
                }
                Pred::FreeText(..) => false,
                _ => true,
            },
        }
    }

    /// Certainly false for `s`, from what an index tells of free-text terms (run before
    /// the costly terms of an `AND`, so that `a:x AND b:y` rejects on either hint first).
    pub(crate) fn ruled_out(&self, s: &dyn Subject) -> bool {
        match self {
            Node::And(v) => v.iter().any(|n| n.ruled_out(s)),
            Node::Or(v) => v.iter().all(|n| n.ruled_out(s)),
            Node::Not(_) => false,
            Node::Pred(Pred::Field(name, _, hints)) => {
                // A field the subject knows cheaply is left to `eval`.
                !hints.is_empty()
                    && s.field_known(name).is_none()
                    && hints.iter().all(|&k| s.text_hit(k) == Some(false))
            }
            Node::Pred(_) => false,
        }
    }

    /// The `FIELD:a,b` terms every match satisfies (those of a top-level `AND`), with
    /// exact values only (lowercase), for storage that can rule values out (Parquet
    /// statistics). `user` and `host` match more than their value and are left out.
    pub(crate) fn required_values<'q>(&'q self, out: &mut Vec<(&'q str, Vec<&'q str>)>) {
        match self {
            Node::And(v) => v.iter().for_each(|n| n.required_values(out)),
            Node::Pred(Pred::Field(name, ms, _)) if !matches!(&**name, "user" | "host") => {
                let exact: Option<Vec<&str>> = ms
                    .iter()
                    .map(|m| match m {
                        ValueMatch::Exact(v) => Some(&**v),
                        _ => None,
                    })
                    .collect();
                if let Some(values) = exact.filter(|v| !v.is_empty()) {
                    out.push((name, values));
                }
            }
            _ => {}
        }
    }

    /// Inclusive `(lo, hi)` bounds on `ts` that every matching event satisfies.
    pub(crate) fn time_bounds(&self) -> (Option<i64>, Option<i64>) {
        match self {
            Node::And(v) => v
                .iter()
                .map(Node::time_bounds)
                .fold((None, None), |(lo, hi), (l, h)| {
                    (max_opt(lo, l), min_opt(hi, h))
                }),
            Node::Or(v) => {
                let bs: Vec<_> = v.iter().map(Node::time_bounds).collect();
                let lo = bs
                    .iter()
                    .map(|b| b.0)
                    .try_fold(i64::MAX, |acc, l| l.map(|l| acc.min(l)));
                let hi = bs
                    .iter()
                    .map(|b| b.1)
                    .try_fold(i64::MIN, |acc, h| h.map(|h| acc.max(h)));
                (lo, hi)
            }
            Node::Not(_) => (None, None),
            Node::Pred(Pred::Time(op, ns)) => match op {
                CmpOp::Gt => (Some(ns.saturating_add(1)), None),
                CmpOp::Ge => (Some(*ns), None),
                CmpOp::Lt => (None, Some(ns.saturating_sub(1))),
                CmpOp::Le => (None, Some(*ns)),
            },
            Node::Pred(Pred::TimeIn(a, b)) => (Some(*a), Some(b.saturating_sub(1))),
            Node::Pred(_) => (None, None),
        }
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Pred {
    /// Matches everything (a bare `*`).
    True,
    /// Free text; the number is the term's place in `Query::text_terms`.
    FreeText(Box<TextTerm>, usize),
    /// `FIELD:a,b`: the field is present and matches any of the values. The numbers are
    /// free-text terms (one per exact value) that must hit for the field to match.
    Field(Box<str>, Vec<ValueMatch>, Vec<usize>),
    FieldRegex(Box<str>, Regex),
    Cmp(Box<str>, CmpOp, CmpVal),
    /// `ts` compared with an instant (`after:`, `before:`, `ts>`…).
    Time(CmpOp, i64),
    /// `ts:PREFIX`: inside the half-open period `[start, end)`.
    TimeIn(i64, i64),
    Mark(Vec<Box<str>>),
    Tag(Vec<Box<str>>),
    Annotated,
    /// Sigma hits: any rule; a rule whose title or id matches; of a level; of an ATT&CK
    /// technique or tactic.
    Detected,
    Rule(Vec<ValueMatch>),
    Level(
        Vec<(CmpOp, crate::detect::Level)>,
        Vec<crate::detect::Level>,
    ),
    Attack(Vec<ValueMatch>),
    /// Early-detection candidates and their reviews.
    Candidate,
    Reviewed,
    Dismissed,
}

impl Pred {
    fn eval(&self, s: &dyn Subject, tz: &TzSpec) -> bool {
        match self {
            Pred::True => true,
            Pred::FreeText(t, k) => s
                .text_hit(*k)
                .unwrap_or_else(|| s.any_text(&mut |h| t.is_match(h))),
            Pred::Field(name, ms, hints) if &**name == "user" => field_holds(s, name, hints, |v| {
                // `user:SYSTEM` finds `NT AUTHORITY\SYSTEM`: the account part of
                // `DOMAIN\user` is matched too (the whole value still is).
                let account = v.rsplit_once('\\').map(|(_, a)| a);
                ms.iter()
                    .any(|m| m.matches(v) || account.is_some_and(|a| m.matches(a)))
            }),
            // `host:FS-01` finds `FS-01.klinikum-see.local` and the other way round:
            // EVTX gives the full name, an EDR export often the short one.
            Pred::Field(name, ms, hints) if &**name == "host" => field_holds(s, name, hints, |v| {
                ms.iter().any(|m| m.matches(v) || m.matches_host(v))
            }),
            Pred::Field(name, ms, hints) => {
                field_holds(s, name, hints, |v| ms.iter().any(|m| m.matches(v)))
            }
            Pred::FieldRegex(name, re) => field_holds(s, name, &[], |v| re.is_match(v)),
            Pred::Cmp(name, op, val) => field_holds(s, name, &[], |v| {
                val.cmp_field(v.trim(), tz)
                    .is_some_and(|o| op_holds(*op, o))
            }),
            Pred::Time(op, ns) => op_holds(*op, s.ts().cmp(ns)),
            Pred::TimeIn(a, b) => (*a..*b).contains(&s.ts()),
            Pred::Mark(ks) => ks.iter().any(|k| s.has_mark(k)),
            Pred::Tag(ts) => ts.iter().any(|t| s.has_tag(t)),
            Pred::Annotated => s.annotated(),
            Pred::Detected => s.any_rule(&mut |_| true),
            Pred::Candidate => s.candidate(),
            Pred::Reviewed => s.reviewed(),
            Pred::Dismissed => s.dismissed(),
            Pred::Rule(ms) => {
                s.any_rule(&mut |m| ms.iter().any(|v| v.matches(&m.title) || v.matches(&m.id)))
            }
            Pred::Level(cmps, eqs) => s.any_rule(&mut |m| {
                eqs.contains(&m.level) || cmps.iter().any(|(op, l)| op_holds(*op, m.level.cmp(l)))
            }),
            Pred::Attack(ms) => s.any_rule(&mut |m| {
                let tags = m.tags.iter().filter_map(|t| t.strip_prefix("attack."));
                m.attack
                    .iter()
                    .map(String::as_str)
                    .chain(tags)
                    .any(|a| ms.iter().any(|v| v.matches(a)))
            }),
        }
    }
}

/// `FIELD` is present and `test` holds for it. Cheaper answers first: a value an index
/// knows, a cheap known value that fails `test`, free-text `hints` that all miss (the
/// field's value would be among the event's text); only then the field itself.
fn field_holds(s: &dyn Subject, name: &str, hints: &[usize], test: impl Fn(&str) -> bool) -> bool {
    if let Some(v) = s.field_known(name) {
        return v.is_some_and(|v| test(&v));
    }
    if s.field_if_present(name).is_some_and(|v| !test(&v)) {
        return false;
    }
    if !hints.is_empty() && hints.iter().all(|&k| s.text_hit(k) == Some(false)) {
        return false;
    }
    s.field(name).is_some_and(|v| test(&v))
}

/// Whether `field OP value` holds, given `field.cmp(value)`.
fn op_holds(op: CmpOp, o: Ordering) -> bool {
    match op {
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
    }
}

/// A case-insensitive substring needle for free text.
#[derive(Debug, Clone)]
pub(crate) enum Text {
    /// ASCII needle with letters: an ASCII-only case-insensitive regex of the literal
    /// (its prefilter searches all case variants with SIMD; a first-byte memchr stalled
    /// on common letters).
    Ascii(regex::bytes::Regex),
    /// No letters at all (IPs, hashes of digits, paths of punctuation): exact bytes.
    Exact(Box<Finder<'static>>),
    /// Non-ASCII needle: Unicode case folding is left to the regex engine.
    Unicode(Regex),
}

impl Text {
    pub(crate) fn new(needle: &str, col: usize) -> Result<Text, QueryError> {
        if !needle.is_ascii() {
            return build_regex(&regex::escape(needle), true, col).map(Text::Unicode);
        }
        if needle.bytes().any(|b| b.is_ascii_alphabetic()) {
            return regex::bytes::RegexBuilder::new(&regex::escape(needle))
                .case_insensitive(true)
                .unicode(false)
                .build()
                .map(Text::Ascii)
                .map_err(|e| regex_error(&e, col));
        }
        Ok(Text::Exact(Box::new(
            Finder::new(needle.as_bytes()).into_owned(),
        )))
    }

    pub(crate) fn is_in(&self, hay: &str) -> bool {
        match self {
            Text::Ascii(re) => re.is_match(hay.as_bytes()),
            Text::Exact(f) => f.find(hay.as_bytes()).is_some(),
            Text::Unicode(re) => re.is_match(hay),
        }
    }

    /// `is_in` on raw bytes, for ASCII needles: they match the same in the bytes as in
    /// their lossy UTF-8 text (which keeps every ASCII byte and adds none). `None` for
    /// other needles.
    pub(crate) fn is_in_bytes(&self, hay: &[u8]) -> Option<bool> {
        match self {
            Text::Ascii(re) => Some(re.is_match(hay)),
            Text::Exact(f) => Some(f.find(hay).is_some()),
            Text::Unicode(_) => None,
        }
    }
}

/// One value of `FIELD:VALUE`.
#[derive(Debug, Clone)]
pub(crate) enum ValueMatch {
    /// Exact, ASCII case-insensitive; stored lowercase.
    Exact(Box<str>),
    /// With `*` wildcards or non-ASCII, as an anchored case-insensitive regex.
    Wild(Regex),
    /// `FIELD:*`: the field is present.
    Exists,
}

impl ValueMatch {
    pub(crate) fn new(text: &str, quoted: bool, col: usize) -> Result<ValueMatch, QueryError> {
        let wild = !quoted && text.contains('*');
        if !wild && text.is_ascii() {
            return Ok(ValueMatch::Exact(text.to_ascii_lowercase().into()));
        }
        if wild && text.chars().all(|c| c == '*') {
            return Ok(ValueMatch::Exists);
        }
        // Wildcards, and non-ASCII values whose case folding (σ/ς/Σ…) the regex engine
        // gets right.
        let body = if wild {
            wildcard_body(text)
        } else {
            regex::escape(text)
        };
        build_regex(&format!("^(?:{body})$"), true, col).map(ValueMatch::Wild)
    }

    fn matches(&self, v: &str) -> bool {
        match self {
            ValueMatch::Exact(n) => v.eq_ignore_ascii_case(n),
            ValueMatch::Wild(re) => re.is_match(v),
            ValueMatch::Exists => true,
        }
    }

    /// Host identity across sources: when exactly one side is a short name, it equals
    /// the other side's first label (`FS-01` ~ `FS-01.klinikum-see.local`). Two full
    /// names of different domains stay different.
    fn matches_host(&self, v: &str) -> bool {
        let ValueMatch::Exact(n) = self else {
            return false;
        };
        match (short_host(v), short_host(n)) {
            (Some(vs), None) => vs.eq_ignore_ascii_case(n),
            (None, Some(ns)) => ns.eq_ignore_ascii_case(v),
            _ => false,
        }
    }
}

/// The first label of a dotted host name; `None` for a name without a domain and for an
/// IP address (`10.0.0.5` is no host `10`).
fn short_host(h: &str) -> Option<&str> {
    if h.parse::<IpAddr>().is_ok() {
        return None;
    }
    let (first, rest) = h.split_once('.')?;
    (!first.is_empty() && !rest.is_empty()).then_some(first)
}

/// Regex text for a wildcard pattern: literal pieces joined by `.*`.
pub(crate) fn wildcard_body(text: &str) -> String {
    let pieces: Vec<String> = text.split('*').map(regex::escape).collect();
    format!("(?s:{})", pieces.join(".*"))
}

/// Lowercases char by char, the way `cmp_ci` folds the field side.
fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// Builds a user regex with the size limit, turning the regex crate's error into a
/// one-line message whose column points into the query (`col` is the pattern's first char).
pub(crate) fn build_regex(src: &str, ci: bool, col: usize) -> Result<Regex, QueryError> {
    RegexBuilder::new(src)
        .case_insensitive(ci)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| regex_error(&e, col))
}

fn regex_error(e: &regex::Error, col: usize) -> QueryError {
    match e {
        regex::Error::Syntax(text) => {
            // The crate's message is a multi-line diagram: the pattern indented by four
            // spaces, a line of `^` under the culprit, then `error: ...`.
            let lines: Vec<&str> = text.lines().collect();
            let msg = lines
                .iter()
                .find_map(|l| l.strip_prefix("error: "))
                .unwrap_or("invalid regex");
            let offset = lines
                .iter()
                .find(|l| l.trim_start().starts_with('^'))
                .and_then(|l| l.find('^'))
                .and_then(|p| p.checked_sub(4));
            QueryError {
                col: col + offset.unwrap_or(0),
                msg: format!("bad regex: {msg}"),
            }
        }
        regex::Error::CompiledTooBig(n) => QueryError {
            col,
            msg: format!("regex too big (compiled size over {n} bytes)"),
        },
        other => QueryError {
            col,
            msg: format!("bad regex: {other}"),
        },
    }
}

/// The right-hand side of a comparison, parsed once.
#[derive(Debug, Clone)]
pub(crate) enum CmpVal {
    Num(Num),
    Ip(IpAddr),
    Time(i64),
    /// Anything else: compared as lowercase text.
    Str(Box<str>),
}

impl CmpVal {
    pub(crate) fn new(text: &str, tz: &TzSpec) -> CmpVal {
        let t = text.trim();
        if let Some(n) = Num::parse(t) {
            CmpVal::Num(n)
        } else if let Ok(ip) = t.parse::<IpAddr>() {
            CmpVal::Ip(ip)
        } else if let Some(ns) = looks_like_time(t)
            .then(|| parse_time_prefix(t, tz))
            .flatten()
        {
            CmpVal::Time(ns)
        } else {
            CmpVal::Str(fold(t).into())
        }
    }

    /// `field.cmp(self)` when both sides are of the same kind; `None` when they are not.
    fn cmp_field(&self, v: &str, tz: &TzSpec) -> Option<Ordering> {
        match self {
            CmpVal::Num(n) => Num::parse(v)?.partial_cmp(n),
            CmpVal::Ip(ip) => {
                let f = v.parse::<IpAddr>().ok()?;
                // v4 and v6 do not order against each other.
                (f.is_ipv4() == ip.is_ipv4()).then(|| f.cmp(ip))
            }
            CmpVal::Time(ns) => {
                let f = match chrono::DateTime::parse_from_rfc3339(v) {
                    Ok(d) => d.timestamp_nanos_opt(),
                    Err(_) if looks_like_time(v) => parse_time_prefix(v, tz),
                    Err(_) => None,
                }?;
                Some(f.cmp(ns))
            }
            CmpVal::Str(s) => Some(cmp_ci(v, s)),
        }
    }
}

/// Cheap shape check before a costlier time parse: `YYYY-`.
fn looks_like_time(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() >= 7 && b.iter().take(4).all(u8::is_ascii_digit) && b.get(4) == Some(&b'-')
}

fn cmp_ci(v: &str, lower: &str) -> Ordering {
    v.chars().flat_map(char::to_lowercase).cmp(lower.chars())
}

/// A number: integers exactly (decimal or `0x` hex, as in Windows status codes), else float.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    pub(crate) fn parse(t: &str) -> Option<Num> {
        if t.is_empty() {
            return None;
        }
        let (neg, body) = match t.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let hex = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X"));
        let int = match hex {
            Some(h) if !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                i128::from_str_radix(h, 16).ok()
            }
            Some(_) => None,
            None if body.bytes().all(|b| b.is_ascii_digit()) => body.parse::<i128>().ok(),
            None => None,
        };
        if let Some(i) = int {
            return Some(Num::Int(if neg { -i } else { i }));
        }
        // Only plain decimal floats: "inf", "NaN" and "1e5" are words, not numbers.
        let plain = !body.is_empty()
            && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && body.bytes().filter(|&b| b == b'.').count() == 1
            && body.bytes().any(|b| b.is_ascii_digit());
        if !plain {
            return None;
        }
        t.parse::<f64>().ok().map(Num::Float)
    }

    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }
}
