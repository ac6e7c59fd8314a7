//! The filter language (DESIGN §6, **contract**): text → tokens → compiled predicate tree.
//! Errors carry the 1-based character column of the offending token so the TUI can point
//! at it and keep the previous filter.

mod eval;
mod fields;
mod lexer;
mod parser;
mod term;

pub(crate) use fields::EVENT_LEVEL;
pub use fields::FieldNames;
pub use term::TextTerm;

use crate::model::TzSpec;
use std::borrow::Cow;

/// What a query is matched against: one event, as the engine presents it.
pub trait Subject {
    /// UTC nanoseconds.
    fn ts(&self) -> i64;
    /// A field by name: normalised names (`model::Norm`), `source`, `format`, `ts`, or the
    /// source's own field names. Normalised and event-level names are passed in their
    /// canonical lowercase spelling; other names as the user typed them, so implementations
    /// should look those up case-insensitively (as `Fields::lookup` does).
    fn field(&self, name: &str) -> Option<Cow<'_, str>>;
    /// Calls `f` with each free-text piece (message, then raw field values / raw line);
    /// stops and returns true when `f` does.
    fn any_text(&self, f: &mut dyn FnMut(&str) -> bool) -> bool;
    /// Whether free-text term `k` of `Query::text_terms` matches, when an index can tell
    /// without `any_text`; `None` falls back to `any_text`.
    fn text_hit(&self, _k: usize) -> Option<bool> {
        None
    }
    /// The value `field(name)` has *if it has one*, when that is known without parsing
    /// the event (an index entry that holds the field whenever it is set). Lets
    /// `FIELD:VALUE` terms reject most events cheaply; `field` still decides the rest.
    fn field_if_present(&self, _name: &str) -> Option<Cow<'_, str>> {
        None
    }
    /// `Some(field(name))` when an index gives it without parsing the event; `None`
    /// when it cannot tell.
    fn field_known(&self, _name: &str) -> Option<Option<Cow<'_, str>>> {
        None
    }
    fn annotated(&self) -> bool;
    /// Annotation kind, e.g. `early-detection`, `ioc`. Passed lowercase.
    fn has_mark(&self, kind: &str) -> bool;
    /// Passed lowercase.
    fn has_tag(&self, tag: &str) -> bool;
    /// Calls `f` with each Sigma rule that fired on the event until it returns true;
    /// whether it did (`detected`, `rule:`, `level>=`, `attack:`).
    fn any_rule(&self, _f: &mut dyn FnMut(&crate::detect::RuleMeta) -> bool) -> bool {
        false
    }
    /// The event is an early-detection candidate (`candidate`).
    fn candidate(&self) -> bool {
        false
    }
    /// A candidate on the event was reviewed, accepted or dismissed (`reviewed`).
    fn reviewed(&self) -> bool {
        false
    }
    /// A candidate on the event was dismissed (`dismissed`).
    fn dismissed(&self) -> bool {
        false
    }
}

/// A query error: where (1-based character column) and what.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("column {col}: {msg}")]
pub struct QueryError {
    pub col: usize,
    pub msg: String,
}

/// A compiled query. Cheap to clone (regexes share their programs).
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
    root: Option<eval::Node>,
    tz: TzSpec,
    bounds: (Option<i64>, Option<i64>),
    needs_message: bool,
    terms: Vec<TextTerm>,
    /// `FIELD:…` terms: the name as typed and its column.
    fields: Vec<(String, usize)>,
    /// Has a `mark:`, `tag:`, `annotated`, `reviewed` or `dismissed` term.
    annotations: bool,
    /// Has a `candidate` term.
    candidates: bool,
}

impl Query {
    /// Compiles a query. `tz` is the zone for times written without an offset
    /// (`after:2022-12-03T18`); times with `Z` or `±HH:MM` keep their own.
    ///
    /// Terms, combined with `AND` (or just a space), `OR`, `NOT` (or a leading `-`) and
    /// parentheses; `AND` binds tighter than `OR`; keywords and field names are
    /// case-insensitive:
    ///
    /// | term | meaning |
    /// |---|---|
    /// | `user:alice`, `user:"Alice Smith"` | field equals value, case-insensitive (`user:SYSTEM` also matches the account part of `NT AUTHORITY\SYSTEM`) |
    /// | `event_id:4624,4625`, `event_id:4624, 4625` | any of a list |
    /// | `host:FS-01` | a short name matches the same host with its domain (`FS-01.corp.local`), and a full name the bare one: EVTX and EDR name hosts differently |
    /// | `process:*powershell*` | `*` wildcards (not inside quotes); `field:*` = field present |
    /// | `cmdline~/enc(oded)?command/` | regex on a field; smart case (as `/` search): case-insensitive unless the pattern has an upper-case letter; flag `i` = always case-insensitive |
    /// | `dst_port>=1024`, `src_ip<10.0.0.128` | compare as numbers, IPs, else text; ports, ids and pids need a number, `src_ip`/`dst_ip` an address (else an error) |
    /// | `after:2022-12-03T18`, `before:2022-12-04` | `ts` at/after the start, or before the start, of that period |
    /// | `ts:2022-12-03`, `ts>2022-12-03T18:04:05Z` | `ts` within a period; compared as a time |
    /// | `mimikatz`, `"lsass dump"`, `/s[e]kurlsa/` | free text (message and raw fields): substring or regex |
    /// | `mark:ioc`, `tag:lateral`, `annotated` | annotations |
    /// | `detected`, `rule:"*Shadow*"`, `level>=high`, `attack:T1003*` | Sigma hits (title or id; level; ATT&CK technique or tactic) |
    /// | `candidate`, `reviewed`, `dismissed` | early-detection candidates; reviewed (accepted or dismissed) and dismissed ones (case file) |
    ///
    /// A field term is a name starting with a letter, `_` or `@`; so `10.0.0.1:443` and
    /// `2022-12-03T18:04` are free-text words. Empty or blank text matches everything.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use vigil::model::TzSpec;
    /// use vigil::query::{Query, Subject};
    ///
    /// struct Ev;
    /// impl Subject for Ev {
    ///     fn ts(&self) -> i64 { vigil::model::ymd_hms(2022, 12, 3, 18, 4, 5).unwrap() }
    ///     fn field(&self, name: &str) -> Option<Cow<'_, str>> {
    ///         match name {
    ///             "event_id" => Some("4625".into()),
    ///             "user" => Some("Administrator".into()),
    ///             "src_ip" => Some("10.1.2.3".into()),
    ///             _ => None,
    ///         }
    ///     }
    ///     fn any_text(&self, f: &mut dyn FnMut(&str) -> bool) -> bool {
    ///         f("An account failed to log on.")
    ///     }
    ///     fn annotated(&self) -> bool { false }
    ///     fn has_mark(&self, _: &str) -> bool { false }
    ///     fn has_tag(&self, _: &str) -> bool { false }
    /// }
    ///
    /// let utc = TzSpec::Utc;
    /// let q = Query::parse("event_id:4624,4625 user:admin* src_ip<10.2.0.0", &utc).unwrap();
    /// assert!(q.matches(&Ev));
    /// assert!(Query::parse("\"failed to log\" after:2022-12-03T18", &utc).unwrap().matches(&Ev));
    /// assert!(!Query::parse("NOT event_id:4625 OR annotated", &utc).unwrap().matches(&Ev));
    ///
    /// let e = Query::parse("user:\"bob", &utc).unwrap_err();
    /// assert_eq!((e.col, e.to_string().as_str()), (6, "column 6: unclosed quote (missing closing \")"));
    /// ```
    pub fn parse(text: &str, tz: &TzSpec) -> Result<Query, QueryError> {
        let toks = lexer::lex(text)?;
        let mut root = parser::parse(&toks, tz, text.chars().count() + 1)?;
        let mut terms = Vec::new();
        if let Some(r) = root.as_mut() {
            r.number_terms(&mut terms);
        }
        let bounds = root.as_ref().map_or((None, None), eval::Node::time_bounds);
        let needs_message = root.as_ref().is_some_and(eval::Node::needs_message);
        let mut fields = Vec::new();
        let mut annotations = false;
        let mut candidates = false;
        for t in &toks {
            match &t.kind {
                lexer::TokKind::Annotated
                | lexer::TokKind::Reviewed
                | lexer::TokKind::Dismissed => annotations = true,
                lexer::TokKind::Candidate => candidates = true,
                lexer::TokKind::Field { name, .. } => {
                    if name.eq_ignore_ascii_case("mark") || name.eq_ignore_ascii_case("tag") {
                        annotations = true;
                    }
                    fields.push((name.clone(), t.col));
                }
                _ => {}
            }
        }
        Ok(Query {
            text: text.to_string(),
            root,
            tz: *tz,
            bounds,
            needs_message,
            terms,
            fields,
            annotations,
            candidates,
        })
    }

    pub fn matches(&self, s: &dyn Subject) -> bool {
        self.root.as_ref().is_none_or(|n| n.eval(s, &self.tz))
    }

    /// True for an empty or blank query, which matches everything.
    pub fn is_empty(&self) -> bool {
        self.root.is_none()
    }

    /// Inclusive `(lo, hi)` bounds on `ts` implied by the query (from `after:`, `before:`
    /// and `ts` terms that every match must satisfy); the engine can skip events outside
    /// them without building a `Subject`. `None` means unbounded on that side.
    pub fn time_bounds(&self) -> (Option<i64>, Option<i64>) {
        self.bounds
    }

    /// `(field, values)`: every match has `field` equal (ASCII case-insensitively) to one
    /// of `values` (lowercase). From the top-level `AND` terms without wildcards; `user`
    /// and `host`, which also match parts of names, are never listed.
    pub fn required_values(&self) -> Vec<(&str, Vec<&str>)> {
        let mut out = Vec::new();
        if let Some(r) = &self.root {
            r.required_values(&mut out);
        }
        out
    }

    /// Whether matching may read the message (free text or `message:`); when not, the
    /// engine can skip building it.
    pub fn needs_message(&self) -> bool {
        self.needs_message
    }

    /// The free-text terms, numbered as `Subject::text_hit` is asked about them.
    pub fn text_terms(&self) -> &[TextTerm] {
        &self.terms
    }

    /// The `FIELD:…` terms as typed, with their 1-based columns (`mark:`, `after:` and
    /// the like included).
    pub fn field_terms(&self) -> &[(String, usize)] {
        &self.fields
    }

    /// Whether the query asks about annotations or reviews (`mark:`, `tag:`,
    /// `annotated`, `reviewed`, `dismissed`): it then needs a case to mean anything.
    pub fn uses_annotations(&self) -> bool {
        self.annotations
    }

    /// Whether the query asks which events are candidates (`candidate`): the engine then
    /// needs the candidate list (`detect::analyze`).
    pub fn uses_candidates(&self) -> bool {
        self.candidates
    }

    /// The text the query was compiled from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Regex search helper for `/` in the TUI: case-insensitive unless the pattern has an
/// uppercase character of its own (smart case; escapes like `\W` or `\P{Lu}` and group
/// names do not count). Errors point into the pattern (column 1 = its first character).
pub fn search_regex(pattern: &str) -> Result<regex::Regex, QueryError> {
    eval::build_regex(pattern, !has_literal_upper(pattern), 1)
}

pub(crate) fn has_literal_upper(p: &str) -> bool {
    let mut it = p.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => {
                // Skip the escaped char, and the class name after `\p`/`\P` (`\pL`, `\p{Lu}`).
                if let Some('p' | 'P') = it.next() {
                    if it.peek() == Some(&'{') {
                        it.by_ref().take_while(|&c| c != '}').for_each(drop);
                    } else {
                        it.next();
                    }
                }
            }
            '(' if it.peek() == Some(&'?') => {
                // `(?P<Name>` / `(?<Name>`: skip the group name; flags are lowercase anyway.
                it.next();
                if it.peek() == Some(&'P') {
                    it.next();
                }
                if it.peek() == Some(&'<') {
                    it.by_ref().take_while(|&c| c != '>').for_each(drop);
                }
            }
            c if c.is_uppercase() => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests;
