//! The sources panel (`S`, `:sources`): every loaded source, then the paths passed over;
//! Enter filters on the selected source.

use super::jobs::apply_filter;
use super::picker::pivot_term;
use crate::tui::action::Effect;
use crate::tui::commands::commands;
use crate::tui::state::{Mode, State};
use crate::tui::window::SourceRow;
use ratatui::crossterm::event::KeyEvent;

commands! {
    pub enum SourcesCmd in Sources with [Down, Up, PageDown, PageUp, First, Last] {
        Pick = "pick", Close = "close",
    }
}

/// Rows of the panel: loaded sources, then paths passed over.
pub fn count(st: &State) -> usize {
    st.timeline.sources.len() + st.ingest.skipped.len()
}

/// The loaded source on the panel's selected row.
fn selected(st: &State) -> Option<usize> {
    match st.source_rows().get(st.sources.sel)? {
        SourceRow::Loaded(i) => Some(*i),
        SourceRow::Passed(_) => None,
    }
}

pub fn open(st: &mut State) {
    if count(st) == 0 {
        st.info("no sources yet");
        return;
    }
    // Start on the source of the selected event.
    let of_cursor = st
        .cursor_event()
        .and_then(|e| st.timeline.events.get(e))
        .map(|e| e.source as usize);
    let rows = st.source_rows();
    st.sources.sel = of_cursor
        .and_then(|s| rows.iter().position(|r| *r == SourceRow::Loaded(s)))
        .unwrap_or(st.sources.sel)
        .min(count(st) - 1);
    st.mode = Mode::Sources;
}

/// List rows on screen (the panel's upper half).
pub fn page(st: &State) -> usize {
    (st.size.1 as usize / 2).saturating_sub(2).max(1)
}

pub fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let n = count(st);
    match st.keymap.command::<SourcesCmd>(&k) {
        Some(SourcesCmd::Close) => st.mode = Mode::Normal,
        Some(SourcesCmd::Nav(nav)) => st.sources.sel = nav.apply(st.sources.sel, n, page(st)),
        Some(SourcesCmd::Pick) => {
            let Some(src) = selected(st).and_then(|i| st.timeline.sources.get(i)) else {
                st.error("nothing was loaded from this path");
                return Vec::new();
            };
            let term = pivot_term("source", &src.label);
            st.mode = Mode::Normal;
            let base = st.filter_text();
            let text = if base.trim().is_empty() {
                term
            } else {
                format!("{base} AND {term}")
            };
            return apply_filter(st, text);
        }
        None => {}
    }
    Vec::new()
}
