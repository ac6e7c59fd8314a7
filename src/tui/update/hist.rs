//! The histogram with the focus (`Tab` to it): keys walk its buckets, Enter goes to the
//! first event of the selected bucket (at the top of the table).

use crate::timeline::histogram;
use crate::tui::action::Effect;
use crate::tui::commands::commands;
use crate::tui::state::{Mode, State};
use ratatui::crossterm::event::KeyEvent;

commands! {
    pub enum HistCmd in Hist {
        Left = "left", Right = "right", First = "first", Last = "last", Jump = "jump",
        ZoomIn = "zoom_in", ZoomOut = "zoom_out", Close = "close",
    }
}

/// Gives the histogram the focus, on the cursor's bucket. False when it is not on screen.
pub fn focus(st: &mut State) -> bool {
    if st.areas().hist.is_none() || st.hist.range.is_none() {
        return false;
    }
    st.hist.sel = st.hist.cursor.unwrap_or(0);
    st.mode = Mode::Hist;
    true
}

/// The start time and end (exclusive) of bucket `b` as the strip shows it now.
pub fn bucket_span(st: &State, b: usize) -> Option<(i64, i64)> {
    let (lo, hi) = st.hist.range?;
    let n = st.hist.all.len();
    let a = histogram::edge(lo, hi, n, b);
    let z = if b + 1 >= n {
        hi.saturating_add(1)
    } else {
        histogram::edge(lo, hi, n, b + 1)
    };
    Some((a, z))
}

pub fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let n = st.hist.all.len();
    let last = n.saturating_sub(1);
    match st.keymap.command::<HistCmd>(&k) {
        Some(HistCmd::Left) => st.hist.sel = st.hist.sel.saturating_sub(1),
        Some(HistCmd::Right) => st.hist.sel = (st.hist.sel + 1).min(last),
        Some(HistCmd::First) => st.hist.sel = 0,
        Some(HistCmd::Last) => st.hist.sel = last,
        Some(HistCmd::Jump) => {
            if let Some((a, z)) = bucket_span(st, st.hist.sel) {
                st.goto_ts(a);
                let in_bucket = st.cursor_ts().is_some_and(|ts| ts < z);
                st.mode = Mode::Normal;
                if !in_bucket {
                    st.info("no event shown in that bucket: went to the next one");
                }
            }
        }
        // Zooming re-centres on the cursor; the selection follows its bucket.
        Some(HistCmd::ZoomIn) => {
            if let Some((a, _)) = bucket_span(st, st.hist.sel) {
                st.goto_ts(a);
            }
            st.hist.zoom = (st.hist.zoom + 1).min(40);
            st.hist.sel = usize::MAX;
        }
        Some(HistCmd::ZoomOut) => {
            st.hist.zoom = st.hist.zoom.saturating_sub(1);
            st.hist.sel = usize::MAX;
        }
        Some(HistCmd::Close) => st.mode = Mode::Normal,
        None => {}
    }
    Vec::new()
}
