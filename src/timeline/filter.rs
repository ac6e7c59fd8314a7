//! Filtering and searching the timeline in parallel, cancellable.

use super::Timeline;
use crate::model::{Fields, Norm, TzSpec};
use crate::query::{Query, Subject};
use rayon::prelude::*;
use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A filter that could not be parsed: where (1-based column) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    pub col: usize,
    pub msg: String,
}

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "column {}: {}", self.col, self.msg)
    }
}

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
}

/// No annotations.
pub struct NoMarks;
impl Marks for NoMarks {}

/// A compiled filter: the query language of DESIGN §6 over the timeline.
pub struct Filter {
    query: Query,
}

/// One event seen by the query: fields are parsed only if a term needs them.
struct EventSubject<'t> {
    t: &'t Timeline,
    i: usize,
    fields: OnceCell<Fields<'t>>,
    marks: &'t dyn Marks,
}

impl<'t> EventSubject<'t> {
    fn fields(&self) -> &Fields<'t> {
        self.fields.get_or_init(|| self.t.fields(self.i))
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
            "format" => self.t.source_of(self.i).map(|s| Cow::Borrowed(s.format())),
            "ts" => Some(Cow::Owned(self.t.time_text(self.i))),
            // Host is kept per event: no parse needed.
            "host" => Some(self.t.host(self.i)).filter(|h| !h.is_empty()),
            "message" => {
                let f = self.fields();
                Some(match f.get(Norm::Message) {
                    Some(m) => Cow::Borrowed(m),
                    None => Cow::Owned(super::generic_message(f)),
                })
            }
            _ => self.fields().lookup(name).map(Cow::Borrowed),
        }
    }

    fn any_text(&self, f: &mut dyn FnMut(&str) -> bool) -> bool {
        let fs = self.fields();
        if fs.norm_iter().any(|(_, v)| f(v)) || fs.raw.iter().any(|(_, v)| f(v)) {
            return true;
        }
        let raw = self.t.raw_bytes(self.i);
        !raw.is_empty() && f(&String::from_utf8_lossy(raw))
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
}

impl Filter {
    /// Compiles filter text (DESIGN §6); naive times in it are read in `tz`. Empty text
    /// matches everything.
    pub fn parse(text: &str, tz: &TzSpec) -> Result<Filter, FilterError> {
        Query::parse(text, tz)
            .map(|query| Filter { query })
            .map_err(|e| FilterError {
                col: e.col,
                msg: e.msg,
            })
    }

    pub fn is_empty(&self) -> bool {
        self.query.is_empty()
    }

    pub fn text(&self) -> &str {
        self.query.as_str()
    }

    pub fn matches(&self, t: &Timeline, i: usize, marks: &dyn Marks) -> bool {
        let s = EventSubject {
            t,
            i,
            fields: OnceCell::new(),
            marks,
        };
        self.query.matches(&s)
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
    const BLOCK: usize = 16_384;
    let (a, z) = f.range(t);
    done.fetch_add(t.len() - (z - a), Ordering::Relaxed);
    let parts: Vec<Option<Vec<u32>>> = (0..(z - a).div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let lo = a + b * BLOCK;
            let hi = (lo + BLOCK).min(z);
            let v: Vec<u32> = (lo..hi)
                .filter(|&i| f.matches(t, i, marks))
                .map(|i| i as u32)
                .collect();
            done.fetch_add(hi - lo, Ordering::Relaxed);
            Some(v)
        })
        .collect();
    let mut out = Vec::new();
    for p in parts {
        out.extend(p?);
    }
    Some(out)
}

/// Rows whose fields contain `text` (the headless `export --filter`).
pub fn rows(t: &Timeline, text: &str, tz: &TzSpec) -> Result<Vec<usize>, FilterError> {
    let f = Filter::parse(text, tz)?;
    let cancel = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    Ok(run(t, &f, &NoMarks, &cancel, &done)
        .unwrap_or_default()
        .into_iter()
        .map(|i| i as usize)
        .collect())
}
