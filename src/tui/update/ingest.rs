//! Streaming start: sources arrive while the user works. A new source is merged once no
//! worker holds the timeline (running jobs are cancelled first, and the merge is retried
//! on the next tick); the cursor stays on the same event, and an active filter is re-run.

use super::case::{check_sources, rebuild_marks};
use super::jobs::{current_filter, run_filter};
use crate::ingest::{Loaded, SourceReport};
use crate::tui::action::Effect;
use crate::tui::state::{IndexStatus, IngestStatus, State, passed_over_why};
use std::sync::Arc;
use std::time::Duration;

/// Above this many events a merge (a sort of the whole index) is not repeated for every
/// source that arrives, but at most once per `MERGE_EVERY` of ingest time.
const BIG: usize = 1 << 20;
const MERGE_EVERY: Duration = Duration::from_secs(1);

/// The loader's counters, read by the event loop.
pub fn tick(
    st: &mut State,
    status: IngestStatus,
    filter_done: usize,
    index_done: usize,
) -> Vec<Effect> {
    st.ingest.status = status;
    st.query.filter_progress = filter_done;
    st.ingest.index_progress = index_done;
    let mut fx = try_merge(st);
    fx.extend(on_loaded(st));
    fx
}

pub fn loaded(st: &mut State, l: Loaded) -> Vec<Effect> {
    st.ingest.pending.push(l);
    // Jobs hold the timeline; stop them so that it can be extended.
    let mut fx = vec![Effect::CancelJobs];
    fx.extend(try_merge(st));
    fx
}

pub fn done(st: &mut State, skipped: Vec<SourceReport>) -> Vec<Effect> {
    st.ingest.status.done = true;
    if let Some(first) = skipped.first() {
        // A FIFO or a link loop is passed over on purpose (a note); a path that should
        // have been readable is an error.
        let unreadable = skipped.iter().filter(|r| r.format == "unreadable").count();
        let passed = skipped.len() - unreadable;
        let mut what = Vec::new();
        if unreadable > 0 {
            what.push(format!("{unreadable} path(s) unreadable"));
        }
        if passed > 0 {
            what.push(format!("{passed} path(s) skipped"));
        }
        let msg = format!(
            "{}: {}: {}",
            what.join(", "),
            first.path,
            passed_over_why(first)
        );
        if unreadable > 0 {
            st.error(msg);
        } else {
            st.info(msg);
        }
    }
    st.ingest.skipped = skipped;
    let mut fx = try_merge(st);
    fx.extend(on_loaded(st));
    fx
}

fn try_merge(st: &mut State) -> Vec<Effect> {
    if st.ingest.pending.is_empty() {
        return Vec::new();
    }
    let now = st.ingest.status.elapsed;
    if st.timeline.len() >= BIG
        && !st.ingest.status.done
        && now.saturating_sub(st.ingest.last_merge) < MERGE_EVERY
    {
        return Vec::new();
    }
    // The sort key of the cursor's event is unique and survives the merge (existing
    // sources keep their ids), so the same event is found again by binary search.
    let anchor = st
        .table
        .touched
        .then(|| st.cursor_event())
        .flatten()
        .and_then(|e| st.timeline.events.get(e))
        .map(|e| (e.ts, e.source, e.loc));
    // Hit lists are positions in the old timeline.
    st.query.search_hits = None;
    let Some(t) = Arc::get_mut(&mut st.timeline) else {
        return Vec::new();
    };
    let mut added = 0;
    for l in st.ingest.pending.drain(..) {
        added += l.batch.events.len();
        t.add(l);
    }
    t.sort_here();
    if st.ingest.status.done {
        // The last sources are in: the strings' lookup table (≈ 7 B an event) is only
        // needed to add more, and is rebuilt then.
        t.strings.drop_table();
    }
    // Per-chunk batches freed on ingest threads stay mapped by glibc until trimmed.
    if added >= 10_000 {
        crate::ingest::mmap::release_freed_memory();
    }
    st.ingest.last_merge = now;
    // Event numbers changed: the cached detail belongs to another event now.
    st.detail.lines = None;
    let ev = anchor.map(|k| t.events.partition_point(|e| (e.ts, e.source, e.loc) < k));
    // Results computed on the old timeline are now stale.
    st.query.job += 1;
    if st.query.search_pending.take().is_some() {
        st.info("search interrupted by new events: press n to search again");
    }
    let filter = current_filter(st);
    st.query.filter_pending = None;
    st.table.view = None;
    st.table.cursor = ev.unwrap_or(0);
    // Event numbers changed: annotations are matched again by key.
    rebuild_marks(st);
    let Some(filter) = filter.filter(|f| !f.is_empty()) else {
        return Vec::new();
    };
    // Show everything until the filter has been re-run over the grown timeline.
    let fx = run_filter(st, filter);
    st.info("new events: filtering again");
    fx
}

/// Loading is done and no event came of it: how many inputs were skipped and why,
/// instead of an empty screen (the table lists them one by one).
fn nothing_usable(st: &mut State) {
    // A reopened case whose evidence is missing says so already: that is the news.
    if !st.case.problems.is_empty() {
        return;
    }
    let inputs = st.unusable_inputs();
    if inputs.is_empty() {
        st.error("no events: no files found");
        return;
    }
    // The reasons, most frequent first.
    let mut why: Vec<(usize, String)> = Vec::new();
    for (_, w) in &inputs {
        match why.iter_mut().find(|(_, x)| x == w) {
            Some((n, _)) => *n += 1,
            None => why.push((1, w.clone())),
        }
    }
    why.sort_by_key(|w| std::cmp::Reverse(w.0));
    let reasons: Vec<String> = why.iter().map(|(n, w)| format!("{n} {w}")).collect();
    st.error(format!(
        "no events: {} file(s) skipped ({})",
        inputs.len(),
        reasons.join("; ")
    ));
}

/// Once every source is in: the cursor goes back to where a reopened case was left, and
/// the free-text index is built in the background (filters and searches started before it
/// is ready take the slow way).
fn on_loaded(st: &mut State) -> Vec<Effect> {
    if !st.ingest.status.done || !st.ingest.pending.is_empty() {
        return Vec::new();
    }
    if !std::mem::replace(&mut st.case.sources_checked, true) {
        check_sources(st);
    }
    if let Some(ts) = st.table.resume_at.take()
        && !st.table.touched
    {
        st.goto_ts(ts);
        st.table.touched = true;
    }
    if st.timeline.is_empty() {
        if !std::mem::replace(&mut st.ingest.told_empty, true) {
            nothing_usable(st);
        }
        return Vec::new();
    }
    if st.ingest.index != IndexStatus::NotYet {
        return Vec::new();
    }
    st.ingest.index = IndexStatus::Building;
    vec![
        Effect::BuildIndex(st.timeline.clone()),
        Effect::FieldNames(st.timeline.clone()),
    ]
}
