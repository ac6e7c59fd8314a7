//! Streaming start: sources arrive while the user works. A new source is merged once no
//! worker holds the timeline (running jobs are cancelled first, and the merge is retried
//! on the next tick); the cursor stays on the same event, and an active filter is re-run.

use super::app::{Effect, IndexStatus, State};
use super::jobs::apply_filter;
use std::sync::Arc;
use std::time::Duration;

/// Above this many events a merge (a sort of the whole index) is not repeated for every
/// source that arrives, but at most once per `MERGE_EVERY` of ingest time.
const BIG: usize = 1 << 20;
const MERGE_EVERY: Duration = Duration::from_secs(1);

pub fn try_merge(st: &mut State) -> Vec<Effect> {
    if st.pending_sources.is_empty() {
        return Vec::new();
    }
    let now = st.ingest.elapsed;
    if st.timeline.len() >= BIG
        && !st.ingest.done
        && now.saturating_sub(st.last_merge) < MERGE_EVERY
    {
        return Vec::new();
    }
    // The sort key of the cursor's event is unique and survives the merge (existing
    // sources keep their ids), so the same event is found again by binary search.
    let anchor = st
        .touched
        .then(|| st.cursor_event())
        .flatten()
        .and_then(|e| st.timeline.events.get(e))
        .map(|e| (e.ts, e.source, e.loc));
    // Hit lists are positions in the old timeline.
    st.search_hits = None;
    let Some(t) = Arc::get_mut(&mut st.timeline) else {
        return Vec::new();
    };
    let mut added = 0;
    for l in st.pending_sources.drain(..) {
        added += l.batch.events.len();
        t.add(l);
    }
    t.sort_here();
    // Per-chunk batches freed on ingest threads stay mapped by glibc until trimmed.
    if added >= 10_000 {
        crate::ingest::mmap::release_freed_memory();
    }
    st.last_merge = now;
    // Event numbers changed: the cached detail belongs to another event now.
    st.detail = None;
    let ev = anchor.map(|k| t.events.partition_point(|e| (e.ts, e.source, e.loc) < k));
    // Results computed on the old timeline are now stale.
    st.job += 1;
    if st.search_pending.take().is_some() {
        st.info("search interrupted by new events: press n to search again");
    }
    let filter = st
        .filter_pending
        .take()
        .map_or(st.filter.clone(), |p| p.text);
    st.view = None;
    st.cursor = ev.unwrap_or(0);
    // Event numbers changed: annotations are matched again by key.
    st.rebuild_marks();
    if filter.trim().is_empty() {
        return Vec::new();
    }
    // Show everything until the filter has been re-run over the grown timeline.
    let fx = apply_filter(st, filter);
    st.info("new events: filtering again");
    fx
}

/// Once every source is in: the cursor goes back to where a reopened case was left, and
/// the free-text index is built in the background (filters and searches started before it
/// is ready take the slow way).
pub fn on_loaded(st: &mut State) -> Vec<Effect> {
    if !st.ingest.done || !st.pending_sources.is_empty() {
        return Vec::new();
    }
    if let Some(ts) = st.resume_at.take()
        && !st.touched
    {
        st.goto_ts(ts);
        st.touched = true;
    }
    if st.index != IndexStatus::NotYet || st.timeline.is_empty() {
        return Vec::new();
    }
    st.index = IndexStatus::Building;
    vec![Effect::BuildIndex(st.timeline.clone())]
}
