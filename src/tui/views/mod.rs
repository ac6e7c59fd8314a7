//! Rendering: `render(&State, &mut Frame)` only borrows the state, and every view builds
//! what is on screen only (the visible rows), so a frame costs the same at 10 M events.

mod annot;
mod detail;
mod histogram;
mod overlay;
mod status;
mod table;

use super::app::{Mode, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub const MIN_W: u16 = 80;
pub const MIN_H: u16 = 24;

/// The named areas of the screen (`None`: not shown).
#[derive(Clone, Copy, Debug, Default)]
pub struct Areas {
    pub hist: Option<Rect>,
    pub table: Option<Rect>,
    pub detail: Option<Rect>,
    pub status: Rect,
    pub input: Rect,
}

pub fn too_small(st: &State) -> bool {
    st.size.0 < MIN_W || st.size.1 < MIN_H
}

/// Top to bottom: histogram strip, table, detail pane, status line, input line.
pub fn layout(st: &State) -> Areas {
    let area = Rect::new(0, 0, st.size.0, st.size.1);
    if too_small(st) {
        return Areas::default();
    }
    let mut cons = Vec::with_capacity(5);
    if st.hist.on {
        cons.push(Constraint::Length(3));
    }
    cons.push(Constraint::Fill(1));
    if st.detail_open {
        cons.push(Constraint::Percentage(45));
    }
    cons.push(Constraint::Length(1));
    cons.push(Constraint::Length(1));
    let parts = Layout::vertical(cons).split(area);
    let mut it = parts.iter().copied();
    let hist = if st.hist.on { it.next() } else { None };
    let table = it.next();
    let detail = if st.detail_open { it.next() } else { None };
    let status = it.next().unwrap_or_default();
    let input = it.next().unwrap_or_default();
    Areas {
        hist,
        table,
        detail,
        status,
        input,
    }
}

pub fn render(st: &State, f: &mut Frame) {
    if too_small(st) {
        let (w, h) = st.size;
        let msg = format!("enlarge terminal (need {MIN_W}x{MIN_H}, have {w}x{h})");
        f.render_widget(Paragraph::new(Line::raw(msg)), f.area());
        return;
    }
    let a = layout(st);
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
    status::render_input(st, f, a.input);
    match st.mode {
        Mode::Help => overlay::help(st, f),
        Mode::Picker => overlay::picker(st, f),
        Mode::AnnKind => annot::kind_picker(st, f),
        Mode::AnnEdit => annot::editor(st, f),
        Mode::AnnList | Mode::ConfirmDelete => annot::list(st, f),
        _ => {}
    }
}

/// A rectangle of at most `w`×`h` centred in `r`.
pub fn centered(r: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(r.width);
    let h = h.min(r.height);
    Rect::new(r.x + (r.width - w) / 2, r.y + (r.height - h) / 2, w, h)
}
