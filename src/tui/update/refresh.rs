//! State derived from the cursor and view after each action: scroll position, histogram
//! counts for the visible window and the detail pane's lines. All cost O(screen), not
//! O(events).

use crate::timeline::histogram;
use crate::tui::state::{Mode, State};

pub fn refresh(st: &mut State) {
    st.clamp_cursor();
    st.ensure_visible();
    histogram(st);
    detail(st);
}

fn histogram(st: &mut State) {
    let n = st.areas().hist.map_or(0, |r| r.width as usize);
    // The histogram went (`i`, a smaller terminal): the focus goes back to the table.
    if st.mode == Mode::Hist && n == 0 {
        st.mode = Mode::Normal;
    }
    let ext = histogram::extent(&st.timeline);
    let (Some((lo, hi)), true) = (ext, n > 0) else {
        st.hist.range = None;
        st.hist.all.clear();
        st.hist.shown.clear();
        st.hist.cursor = None;
        st.hist.marks.clear();
        st.detect.hist.clear();
        st.cands.lane.clear();
        return;
    };
    // Zoom: 2^zoom times narrower, centred on the cursor, kept inside the extent, and
    // never narrower than one nanosecond per bucket.
    let full = hi as i128 - lo as i128;
    let span = (full >> st.hist.zoom.min(100)).max(n as i128).min(full);
    let center = st.cursor_ts().unwrap_or(lo) as i128;
    let wlo = (center - span / 2).clamp(lo as i128, (hi as i128 - span).max(lo as i128));
    let (wlo, whi) = (wlo as i64, (wlo + span) as i64);
    let t = &st.timeline;
    st.hist.all = histogram::buckets_all(t, wlo, whi, n);
    st.hist.shown = match &st.table.view {
        Some(v) => histogram::buckets_rows(t, v, wlo, whi, n),
        None => st.hist.all.clone(),
    };
    st.hist.range = Some((wlo, whi));
    st.hist.cursor = st
        .cursor_ts()
        .and_then(|ts| histogram::bucket_of(ts, wlo, whi, n));
    // After a zoom the selection is the cursor's bucket again.
    if st.hist.sel >= n {
        st.hist.sel = if st.hist.sel == usize::MAX {
            st.hist.cursor.unwrap_or(0)
        } else {
            n - 1
        };
    }
    // O(annotated events): one bucket lookup each.
    let marks_ix = &st.case.marks;
    let mut marks: Vec<(usize, bool)> = Vec::new();
    for &e in marks_ix.events() {
        let Some(ts) = t.events.get(e as usize).map(|x| x.ts) else {
            continue;
        };
        let Some(b) = histogram::bucket_of(ts, wlo, whi, n) else {
            continue;
        };
        let early = marks_ix
            .on(e as usize)
            .iter()
            .any(|m| m.kind == crate::case::Kind::EarlyDetection);
        match marks.last_mut() {
            Some((lb, le)) if *lb == b => *le |= early,
            _ => marks.push((b, early)),
        }
    }
    st.hist.marks = marks;
    st.detect.hist = super::detections::hist_hits(st, wlo, whi, n);
    st.cands.lane = silence_lane(st, wlo, whi, n);
}

/// Buckets of the window `lo..=hi` (`n` wide) inside a silence of some source: O(silences).
fn silence_lane(st: &State, lo: i64, hi: i64, n: usize) -> Vec<usize> {
    let end = histogram::extent(&st.timeline).map_or(hi, |(_, e)| e);
    let mut on = vec![false; n];
    for s in st.cands.silences.iter() {
        let (a, z) = (s.from.max(lo), s.to.unwrap_or(end).min(hi));
        if a > z {
            continue;
        }
        let (Some(ba), Some(bz)) = (
            histogram::bucket_of(a, lo, hi, n),
            histogram::bucket_of(z, lo, hi, n),
        ) else {
            continue;
        };
        for b in on.iter_mut().take(bz + 1).skip(ba) {
            *b = true;
        }
    }
    on.iter()
        .enumerate()
        .filter_map(|(i, b)| b.then_some(i))
        .collect()
}

fn detail(st: &mut State) {
    if !st.detail.open {
        st.detail.lines = None;
        return;
    }
    let Some(ev) = st.cursor_event() else {
        st.detail.lines = None;
        return;
    };
    if st
        .detail
        .lines
        .as_ref()
        .is_some_and(|d| d.event == ev && d.zone == st.zone)
    {
        return;
    }
    let old_kind = st.detail.lines.as_ref().map(|d| d.kind.clone());
    let d = super::detail::build(st, ev);
    // Between events of the same kind the pane stays where it was (the same field is
    // where the eye is); another kind starts at the top.
    if old_kind.as_deref() != Some(d.kind.as_str()) {
        st.detail.scroll = 0;
        st.detail.sel = 0;
    }
    let n = d.lines.len();
    st.detail.sel = st.detail.sel.min(n.saturating_sub(1));
    st.detail.scroll = st.detail.scroll.min(n.saturating_sub(1));
    st.detail.lines = Some(d);
}
