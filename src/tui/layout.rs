//! Screen geometry, shared by `update` (page size, mouse rows) and the views: pure
//! functions of the terminal size and what is switched on.

use ratatui::layout::{Constraint, Layout, Rect};

pub const MIN_W: u16 = 80;
pub const MIN_H: u16 = 24;

/// What the layout depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub width: u16,
    pub height: u16,
    /// The histogram strip is switched on.
    pub hist: bool,
    /// The detail pane is open.
    pub detail: bool,
}

/// The named areas of the screen (`None`: not shown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    pub hist: Option<Rect>,
    pub table: Option<Rect>,
    pub detail: Option<Rect>,
    pub status: Rect,
    pub input: Rect,
}

pub fn too_small(width: u16, height: u16) -> bool {
    width < MIN_W || height < MIN_H
}

/// Top to bottom: histogram strip, table, detail pane, status line, input line.
pub fn areas(s: Shape) -> Areas {
    if too_small(s.width, s.height) {
        return Areas::default();
    }
    let area = Rect::new(0, 0, s.width, s.height);
    let mut cons = Vec::with_capacity(5);
    if s.hist {
        cons.push(Constraint::Length(3));
    }
    cons.push(Constraint::Fill(1));
    if s.detail {
        cons.push(Constraint::Percentage(45));
    }
    cons.push(Constraint::Length(1));
    cons.push(Constraint::Length(1));
    let parts = Layout::vertical(cons).split(area);
    let mut it = parts.iter().copied();
    let hist = if s.hist { it.next() } else { None };
    let table = it.next();
    let detail = if s.detail { it.next() } else { None };
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

/// A rectangle of at most `w`×`h` centred in `r`.
pub fn centered(r: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(r.width);
    let h = h.min(r.height);
    Rect::new(r.x + (r.width - w) / 2, r.y + (r.height - h) / 2, w, h)
}

/// The help overlay's box on a screen of `screen`.
pub fn help_box(screen: Rect) -> Rect {
    centered(screen, 78, screen.height.saturating_sub(2))
}

/// Lines inside a bordered box.
pub fn inner_height(r: Rect) -> usize {
    r.height.saturating_sub(2) as usize
}
