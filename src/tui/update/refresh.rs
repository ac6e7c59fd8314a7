//! State derived from the cursor and view after each action: scroll position, histogram
//! counts for the visible window and the detail pane's lines. All cost O(screen), not
//! O(events).

use crate::model::format_display;
use crate::timeline::histogram;
use crate::tui::sanitize;
use crate::tui::state::{Detail, DetailLine, State};

/// Longest line of a raw record shown in the detail pane.
const MAX_RAW_LINE: usize = 4096;

pub fn refresh(st: &mut State) {
    st.clamp_cursor();
    st.ensure_visible();
    histogram(st);
    detail(st);
}

fn histogram(st: &mut State) {
    let n = st.areas().hist.map_or(0, |r| r.width as usize);
    let ext = histogram::extent(&st.timeline);
    let (Some((lo, hi)), true) = (ext, n > 0) else {
        st.hist.range = None;
        st.hist.all.clear();
        st.hist.shown.clear();
        st.hist.cursor = None;
        st.hist.marks.clear();
        st.detect.hist.clear();
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
    let ascii = st.theme().ascii;
    let clean = |s: &str| sanitize::line(s, MAX_RAW_LINE, ascii).into_owned();
    let t = &st.timeline;
    let (zlabel, zone) = st.zone();
    let mut lines = vec![DetailLine::Heading("event".into())];
    let ts = t.events.get(ev).map_or(0, |e| e.ts);
    lines.push(DetailLine::Field(
        format!("time ({zlabel})"),
        format_display(ts, &zone),
    ));
    lines.push(DetailLine::Field(
        "time (RFC 3339)".into(),
        clean(&t.time_text(ev)),
    ));
    lines.extend(
        t.flag_note(ev)
            .map(|n| DetailLine::Field("record".into(), n)),
    );
    if let Some(src) = t.source_of(ev) {
        lines.push(DetailLine::Field(
            "source".into(),
            clean(&format!("{} ({})", src.label, src.format())),
        ));
    }
    if let Some(k) = t.key(ev) {
        let sha = k.sha256.get(..16).unwrap_or(&k.sha256);
        lines.push(DetailLine::Field(
            "key".into(),
            format!("{sha}{} {}", if ascii { "~" } else { "…" }, k.locator),
        ));
    }
    if let Some(case) = &st.case.info {
        for m in st.case.marks.on(ev) {
            let Some(a) = case.get(&m.id) else { continue };
            let sev = a
                .severity
                .map_or(String::new(), |s| format!(" ({})", s.label()));
            lines.push(DetailLine::Heading(format!(
                "annotation: {}{sev}",
                a.kind.id()
            )));
            if !a.tags.is_empty() {
                lines.push(DetailLine::Field("tags".into(), clean(&a.tags.join(", "))));
            }
            for l in a.note.lines() {
                lines.push(DetailLine::Raw(clean(l)));
            }
            lines.push(DetailLine::Field(
                "by".into(),
                clean(&format!("{} {}", a.author, a.modified)),
            ));
        }
    }
    lines.extend(super::detections::detail_lines(st, ev, MAX_RAW_LINE));
    let f = t.fields(ev);
    lines.push(DetailLine::Heading("normalised fields".into()));
    for (n, v) in f.norm_iter() {
        lines.push(DetailLine::Field(n.name().into(), clean(v)));
    }
    if !f.raw.is_empty() {
        lines.push(DetailLine::Heading("source fields".into()));
        for (k, v) in &f.raw {
            lines.push(DetailLine::Field(clean(k), clean(v)));
        }
    }
    lines.push(DetailLine::Heading("raw record".into()));
    for l in sanitize::lines(&t.raw_record(ev), MAX_RAW_LINE, ascii) {
        lines.push(DetailLine::Raw(l));
    }
    st.detail.lines = Some(Detail {
        event: ev,
        zone: st.zone,
        lines,
    });
}
