//! Rendering: `render(&State, &mut Frame)` only borrows the state, and every view builds
//! what is on screen only (the visible rows), so a frame costs the same at 10 M events.
//! Views import the state, the layout and display helpers, nothing else of the TUI.

mod annot;
mod cands;
mod detail;
mod detections;
mod histogram;
mod overlay;
mod panels;
mod popup;
mod status;
mod table;

use crate::tui::layout::{MIN_H, MIN_W, wrap};
use crate::tui::state::{Confirm, Mode, State};
use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub fn render(st: &State, f: &mut Frame) {
    if st.too_small() {
        // Only q, Ctrl-C and resizes act here (and the answer to q's question).
        let (w, h) = st.size;
        let mut msg = format!("enlarge terminal (need {MIN_W}x{MIN_H}, have {w}x{h})");
        if st.mode == Mode::Quit {
            let hint = st
                .keymap
                .hint(crate::tui::keymap::Layer::Quit, st.theme().ascii);
            msg = format!("{msg} {} {hint}", st.quit_question());
        }
        let lines: Vec<Line> = wrap(&msg, w as usize, h as usize)
            .into_iter()
            .map(Line::raw)
            .collect();
        f.render_widget(Paragraph::new(lines), f.area());
        return;
    }
    let a = st.areas();
    if let Some(r) = a.hist {
        histogram::render(st, f, r);
    }
    if let Some(r) = a.table {
        table::render(st, f, r);
    }
    if let Some(r) = a.detail {
        detail::render(st, f, r);
    }
    status::render_status(st, f, a.status);
    if let Some(r) = a.input {
        status::render_input(st, f, r);
    }
    match st.mode {
        Mode::Help => overlay::help(st, f),
        Mode::Picker => overlay::picker(st, f),
        Mode::AnnKind => annot::kind_picker(st, f),
        Mode::AnnEdit => annot::editor(st, f),
        Mode::AnnList => annot::list(st, f),
        Mode::Detections => detections::view(st, f),
        Mode::Candidates => cands::view(st, f),
        Mode::Confirm if matches!(st.confirm, Some(Confirm::Delete(_))) => annot::list(st, f),
        Mode::Counts => panels::counts(st, f),
        Mode::Sources => panels::sources(st, f),
        Mode::Columns => panels::chooser(st, f),
        _ => {}
    }
}
