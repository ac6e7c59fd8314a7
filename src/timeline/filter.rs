//! Filtering and searching the timeline in parallel, cancellable.

use super::Timeline;
use crate::model::TzSpec;
use rayon::prelude::*;
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

/// A compiled filter.
pub struct Filter {
    needle: String,
}

impl Filter {
    /// Compiles filter text. Empty text matches everything.
    pub fn parse(text: &str, _tz: &TzSpec) -> Result<Filter, FilterError> {
        Ok(Filter {
            needle: text.trim().to_lowercase(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.needle.is_empty()
    }

    pub fn matches(&self, t: &Timeline, i: usize, _marks: &dyn Marks) -> bool {
        if self.needle.is_empty() {
            return true;
        }
        let hit = |s: &str| s.to_lowercase().contains(&self.needle);
        let f = t.fields(i);
        f.norm_iter().any(|(_, v)| hit(v)) || f.raw.iter().any(|(_, v)| hit(v))
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
    let parts: Vec<Option<Vec<u32>>> = (0..t.len().div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let lo = b * BLOCK;
            let hi = (lo + BLOCK).min(t.len());
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
