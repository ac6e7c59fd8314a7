//! Filtering and searching the timeline in parallel, cancellable.

use super::Timeline;
use super::blocks::{self, Blocks};
use super::textindex::Prepared;
use crate::model::{Fields, Norm, TzSpec};
use crate::query::{Query, QueryError, Subject, TextTerm};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What the filter knows of annotations: kinds and tags on an event.
pub trait Marks: Sync {
    fn annotated(&self, _i: usize) -> bool {
        false
    }
    fn has_mark(&self, _i: usize, _kind: &str) -> bool {
        false
    }
    fn has_tag(&self, _i: usize, _tag: &str) -> bool {
        false
    }
    /// Sigma rules that fired on event `i` (see `query::Subject::any_rule`).
    fn any_rule(&self, _i: usize, _f: &mut dyn FnMut(&crate::detect::RuleMeta) -> bool) -> bool {
        false
    }
    /// Event `i` is an early-detection candidate (`candidate`).
    fn candidate(&self, _i: usize) -> bool {
        false
    }
    /// A candidate on event `i` was reviewed (`reviewed`).
    fn reviewed(&self, _i: usize) -> bool {
        false
    }
    /// A candidate on event `i` was dismissed (`dismissed`).
    fn dismissed(&self, _i: usize) -> bool {
        false
    }
}

/// The record flag a field name stands for (`recovered`, `bad_time`), if any.
fn flag_field(name: &str) -> Option<fn(crate::model::EventFlags) -> bool> {
    if name.eq_ignore_ascii_case("recovered") {
        Some(crate::model::EventFlags::recovered)
    } else if name.eq_ignore_ascii_case("bad_time") {
        Some(crate::model::EventFlags::bad_time)
    } else {
        None
    }
}

/// No annotations.
pub struct NoMarks;
impl Marks for NoMarks {}

/// A compiled filter: the query language of DESIGN §6 over the timeline.
#[derive(Debug, Clone)]
pub struct Filter {
    query: Query,
}

/// A query already compiled becomes a filter as it is (never parsed twice).
impl From<Query> for Filter {
    fn from(query: Query) -> Filter {
        Filter { query }
    }
}

/// One event seen by the query: fields are parsed only if a term needs them.
struct EventSubject<'t> {
    t: &'t Timeline,
    i: usize,
    fields: OnceCell<Fields<'t>>,
    marks: &'t dyn Marks,
    /// The query reads the message (else EVTX events skip building it).
    message: bool,
    /// Free-text terms answered from the index, and the query's own copies of them.
    index: Option<(&'t Prepared<'t>, &'t [TextTerm])>,
}

impl<'t> EventSubject<'t> {
    fn fields(&self) -> &Fields<'t> {
        self.fields
            .get_or_init(|| self.t.fields_for(self.i, self.message))
    }
}

impl Subject for EventSubject<'_> {
    fn ts(&self) -> i64 {
        self.t.events.get(self.i).map(|e| e.ts).unwrap_or(0)
    }

    fn field(&self, name: &str) -> Option<Cow<'_, str>> {
        match name {
            "source" => self
                .t
                .source_of(self.i)
                .map(|s| Cow::Borrowed(s.label.as_str())),
            "format" => Some(Cow::Borrowed(self.t.event_format(self.i))).filter(|f| !f.is_empty()),
            "ts" => Some(Cow::Owned(self.t.time_text(self.i))),
            n if flag_field(n).is_some() => self.field_known(n).flatten(),
            // Host is kept per event: no parse needed.
            "host" => Some(self.t.host(self.i)).filter(|h| !h.is_empty()),
            "message" => {
                let f = self.fields();
                Some(match f.get(Norm::Message) {
                    Some(m) => Cow::Borrowed(m),
                    None => Cow::Owned(super::generic_message(f)),
                })
            }
            _ => match self.field_known(name) {
                Some(v) => v,
                None => self.fields().lookup(name).map(Cow::Borrowed),
            },
        }
    }

    fn any_text(&self, f: &mut dyn FnMut(&str) -> bool) -> bool {
        // The raw line first: a hit there needs no parse (the answer is the same `any`).
        let raw = self.t.raw_bytes(self.i);
        if !raw.is_empty() && f(&String::from_utf8_lossy(raw)) {
            return true;
        }
        let fs = self.fields();
        fs.norm_iter().any(|(_, v)| f(v)) || fs.raw.iter().any(|(_, v)| f(v))
    }

    fn field_known(&self, name: &str) -> Option<Option<Cow<'_, str>>> {
        // Record flags are kept per event: `recovered:true`, `bad_time`.
        if let Some(f) = flag_field(name) {
            let on = self.t.events.get(self.i).is_some_and(|e| f(e.flags));
            return Some(on.then_some(Cow::Borrowed("true")));
        }
        // Normalised fields come from the index's columns when it has them, EVTX fields
        // from their stored symbols.
        let (p, _) = self.index?;
        match Norm::from_name(name) {
            Some(n) => p.norm(self.i, n),
            None => p.raw_field(self.i, name),
        }
    }

    fn text_hit(&self, k: usize) -> Option<bool> {
        let (p, terms) = self.index?;
        p.hit(self.i, k, terms.get(k)?)
    }

    fn field_if_present(&self, name: &str) -> Option<Cow<'_, str>> {
        // Text ingest keeps as tag the parsed `event_id` when there is one (else the
        // action), and a re-parse gives the same fields: a set `event_id` is the tag.
        // EVTX tags come from another reading of the record, so they are not used.
        if name == "event_id" && self.t.tag_is_event_id(self.i) {
            return Some(self.t.tag(self.i));
        }
        None
    }

    fn annotated(&self) -> bool {
        self.marks.annotated(self.i)
    }
    fn has_mark(&self, kind: &str) -> bool {
        self.marks.has_mark(self.i, kind)
    }
    fn has_tag(&self, tag: &str) -> bool {
        self.marks.has_tag(self.i, tag)
    }
    fn any_rule(&self, f: &mut dyn FnMut(&crate::detect::RuleMeta) -> bool) -> bool {
        self.marks.any_rule(self.i, f)
    }
    fn candidate(&self) -> bool {
        self.marks.candidate(self.i)
    }
    fn reviewed(&self) -> bool {
        self.marks.reviewed(self.i)
    }
    fn dismissed(&self) -> bool {
        self.marks.dismissed(self.i)
    }
}

impl Filter {
    /// Compiles filter text (DESIGN §6); naive times in it are read in `tz`. Empty text
    /// matches everything.
    pub fn parse(text: &str, tz: &TzSpec) -> Result<Filter, QueryError> {
        Query::parse(text, tz).map(Filter::from)
    }

    /// The compiled query (for what else it decides: annotation terms, unknown fields).
    pub fn query(&self) -> &Query {
        &self.query
    }

    pub fn is_empty(&self) -> bool {
        self.query.is_empty()
    }

    pub fn text(&self) -> &str {
        self.query.as_str()
    }

    pub fn matches(&self, t: &Timeline, i: usize, marks: &dyn Marks) -> bool {
        matches(&self.query, t, i, marks, None)
    }

    /// Events a run without the free-text index would read for the query's text terms
    /// (0 when it has none): the events its time bounds allow.
    pub fn text_scan_len(&self, t: &Timeline) -> usize {
        if self.query.text_terms().is_empty() {
            return 0;
        }
        let (a, z) = self.range(t);
        z - a
    }

    /// The index range the query's time bounds allow (the timeline is sorted by time).
    fn range(&self, t: &Timeline) -> (usize, usize) {
        let (lo, hi) = self.query.time_bounds();
        let a = lo.map(|x| t.lower_bound(x)).unwrap_or(0);
        let b = hi
            .map(|x| t.events.partition_point(|e| e.ts <= x))
            .unwrap_or(t.len());
        (a, b.max(a))
    }
}

fn matches<'t>(
    q: &'t Query,
    t: &'t Timeline,
    i: usize,
    marks: &'t dyn Marks,
    prep: Option<&'t Prepared<'t>>,
) -> bool {
    let s = EventSubject {
        t,
        i,
        fields: OnceCell::new(),
        marks,
        message: q.needs_message(),
        index: prep.map(|p| (p, q.text_terms())),
    };
    q.matches(&s)
}

/// Rows matching `f`, in timeline order. Returns `None` when `cancel` is set midway.
/// `done` counts events examined (for a progress bar).
pub fn run(
    t: &Timeline,
    f: &Filter,
    marks: &dyn Marks,
    cancel: &AtomicBool,
    done: &AtomicUsize,
) -> Option<Vec<u32>> {
    if f.is_empty() {
        done.store(t.len(), Ordering::Relaxed);
        return Some((0..t.len() as u32).collect());
    }
    let (a, z) = f.range(t);
    let terms = f.query.text_terms();
    let prep = t.text_index().map(|idx| idx.prepare(t, terms));
    done.fetch_add(t.len() - (z - a), Ordering::Relaxed);
    let parts = blocks::run(a..z, Blocks::new(16_384), cancel, done, |r| {
        // A clone per block: its regexes get their own match caches, so that threads
        // do not contend on one shared cache pool for every event.
        let q = f.query.clone();
        r.filter(|&i| matches(&q, t, i, marks, prep.as_ref()))
            .map(|i| i as u32)
            .collect::<Vec<u32>>()
    });
    Some(parts?.concat())
}

/// Rows whose fields contain `text` (the headless `export --filter`).
pub fn rows(t: &Timeline, text: &str, tz: &TzSpec) -> Result<Vec<usize>, QueryError> {
    let f = Filter::parse(text, tz)?;
    let cancel = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    Ok(run(t, &f, &NoMarks, &cancel, &done)
        .unwrap_or_default()
        .into_iter()
        .map(|i| i as usize)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(t: &Timeline, q: &str) -> Vec<usize> {
        rows(t, q, &TzSpec::Utc).unwrap()
    }

    /// Event ids, actions that look like event ids, and words only in the raw line.
    fn t() -> Timeline {
        let text = "\
2022-01-01T00:00:00Z|dc1|4624|logon ok|user=alice
2022-01-01T00:00:01Z|dc1||no id here|action=4624;dst_port=443
2022-01-01T00:00:02Z|dc1|4625|logon failed|user=bob
2022-01-01T00:00:03Z|fw||allow|action=allow;dst_port=443
2022-01-01T00:00:04Z|fw|4624|second logon|event_id=4624;note=rclone.exe
";
        Timeline::from_test_lines(&[("a.log", text)])
    }

    #[test]
    fn event_id_terms_use_the_tag_only_to_reject() {
        let t = t();
        assert_eq!(rows_of(&t, "event_id:4624"), [0, 4]);
        // Row 1's tag is its action 4624, but it has no event id.
        assert_eq!(rows_of(&t, "action:4624"), [1]);
        assert_eq!(rows_of(&t, "event_id:4624,4625 AND host:dc*"), [0, 2]);
        assert_eq!(rows_of(&t, "event_id>4624"), [2]);
        assert_eq!(rows_of(&t, "event_id~/^462[45]$/"), [0, 2, 4]);
        assert_eq!(rows_of(&t, "NOT event_id:*"), [1, 3]);
    }

    #[test]
    fn free_text_hits_fields_and_raw_line() {
        let t = t();
        assert_eq!(rows_of(&t, "RCLONE"), [4]);
        // `note=` is only in the raw line, `alice` in a field and the line.
        assert_eq!(rows_of(&t, "note="), [4]);
        assert_eq!(rows_of(&t, "alice OR bob"), [0, 2]);
        assert_eq!(rows_of(&t, "dst_port:443 AND allow"), [3]);
        assert!(rows_of(&t, "nowhere-at-all").is_empty());
    }

    /// `bad_time` selects the events flagged at ingest; with the free-text index built
    /// too (its hints must not rule the flag out: no record holds the text `true`).
    #[test]
    fn bad_time_and_recovered_are_flag_terms() {
        let text = "\
1974-03-12T10:00:00Z|dc1|4624|filetime read as ns|
2023-05-01T10:00:00Z|dc1|4625|fine|
2200-01-01T00:00:00Z|dc1|4624|far future|
";
        let t = Timeline::from_test_lines(&[("a.log", text)]);
        for indexed in [false, true] {
            if indexed {
                let (none, done) = (AtomicBool::new(false), AtomicUsize::new(0));
                assert!(t.build_text_index(&none, &done));
            }
            assert_eq!(rows_of(&t, "bad_time"), [0, 2], "indexed {indexed}");
            assert_eq!(rows_of(&t, "BAD_TIME:true"), [0, 2]);
            assert_eq!(rows_of(&t, "NOT bad_time"), [1]);
            assert_eq!(rows_of(&t, "bad_time event_id:4624"), [0, 2]);
            assert!(rows_of(&t, "recovered:true").is_empty());
            assert_eq!(rows_of(&t, "NOT recovered:true"), [0, 1, 2]);
        }
    }
}
