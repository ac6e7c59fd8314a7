//! Screen geometry, shared by `update` (page size, mouse rows) and the views: pure
//! functions of the terminal size and what is switched on. Usable down to 60×16 (an
//! 80×24 terminal inside tmux or screen is 80×23): as space shrinks the histogram goes,
//! then the idle hint line, and the table drops columns.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;

pub const MIN_W: u16 = 60;
pub const MIN_H: u16 = 16;
/// Below this height the histogram strip gives its three rows to the table.
pub const HIST_MIN_H: u16 = 20;
/// Below this height the input line shows only when it has something to say (a prompt,
/// a message, a dialog's keys), not the idle key hints or the progress bar.
pub const HINT_MIN_H: u16 = 18;
/// Most rows a message or an error may take (it wraps rather than being cut).
pub const MAX_MSG_ROWS: u16 = 3;

/// What the layout depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub width: u16,
    pub height: u16,
    /// The histogram strip is switched on.
    pub hist: bool,
    /// The detail pane is open.
    pub detail: bool,
    /// Rows the status line needs (an input error may wrap onto a second).
    pub status_rows: u16,
    /// Rows the input line needs (a long message wraps).
    pub input_rows: u16,
    /// The input line would show only the idle hints or the progress bar.
    pub input_idle: bool,
}

/// The named areas of the screen (`None`: not shown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    pub hist: Option<Rect>,
    pub table: Option<Rect>,
    pub detail: Option<Rect>,
    pub status: Rect,
    pub input: Option<Rect>,
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
    let hist_on = s.hist && s.height >= HIST_MIN_H;
    let input_rows = if s.input_idle && s.height < HINT_MIN_H {
        0
    } else {
        s.input_rows.clamp(1, MAX_MSG_ROWS)
    };
    let status_rows = s.status_rows.clamp(1, 2);
    let mut cons = Vec::with_capacity(5);
    if hist_on {
        cons.push(Constraint::Length(3));
    }
    cons.push(Constraint::Fill(1));
    if s.detail {
        cons.push(Constraint::Percentage(45));
    }
    cons.push(Constraint::Length(status_rows));
    cons.push(Constraint::Length(input_rows));
    let parts = Layout::vertical(cons).split(area);
    let mut it = parts.iter().copied();
    let hist = if hist_on { it.next() } else { None };
    let table = it.next();
    let detail = if s.detail { it.next() } else { None };
    let status = it.next().unwrap_or_default();
    let input = it.next().filter(|r| r.height > 0);
    Areas {
        hist,
        table,
        detail,
        status,
        input,
    }
}

/// Widths of the table's columns; 0 drops a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    pub time: u16,
    /// Times carry milliseconds.
    pub millis: bool,
    pub source: u16,
    pub host: u16,
    pub tag: u16,
}

/// The table's columns at `width`: the source goes below 80 columns, milliseconds and
/// some of the host below 70; the message keeps what is left.
pub fn columns(width: u16, utc: bool) -> Columns {
    let zone = if utc { 0 } else { 6 };
    let (source, host, tag) = match width {
        140.. => (18, 18, 10),
        110.. => (14, 15, 8),
        80.. => (10, 12, 6),
        70.. => (0, 12, 6),
        _ => (0, 10, 6),
    };
    let millis = width >= 70;
    Columns {
        time: if millis { 23 } else { 19 } + zone,
        millis,
        source,
        host,
        tag,
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

/// Display width of `s` in terminal cells.
pub fn text_width(s: &str) -> usize {
    Span::raw(s).width()
}

/// `text` in rows of at most `width` cells, broken after spaces where it can be; at most
/// `max_rows`, the last one ending in `…` when text was left over.
pub fn wrap(text: &str, width: usize, max_rows: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    let mut row_w = 0;
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let cw = text_width(c.encode_utf8(&mut buf));
        if row_w + cw > width {
            // Break after the last space of the row when there is one.
            let carry = match row.rfind(' ') {
                Some(at) if at > 0 => row.split_off(at + 1),
                _ => String::new(),
            };
            rows.push(std::mem::take(&mut row));
            row_w = text_width(&carry);
            row = carry;
        }
        row.push(c);
        row_w += cw;
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    if rows.len() > max_rows.max(1) {
        rows.truncate(max_rows.max(1));
        if let Some(last) = rows.last_mut() {
            while text_width(last) + 1 > width && last.pop().is_some() {}
            last.push('…');
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(width: u16, height: u16) -> Shape {
        Shape {
            width,
            height,
            hist: true,
            detail: false,
            status_rows: 1,
            input_rows: 1,
            input_idle: true,
        }
    }

    #[test]
    fn space_shrinks_histogram_first_then_the_idle_hint_line() {
        let a = areas(shape(80, 24));
        assert_eq!(a.hist.map(|r| r.height), Some(3));
        assert_eq!(a.table.map(|r| r.height), Some(19));
        assert!(a.input.is_some());
        // tmux/screen inside an 80×24 terminal.
        let a = areas(shape(80, 23));
        assert_eq!(a.hist.map(|r| r.height), Some(3));
        assert_eq!(a.table.map(|r| r.height), Some(18));
        let a = areas(shape(60, 19));
        assert_eq!(a.hist, None);
        assert_eq!(a.table.map(|r| r.height), Some(17));
        let a = areas(shape(60, 16));
        assert_eq!((a.hist, a.input), (None, None));
        assert_eq!(a.table.map(|r| r.height), Some(15));
        assert_eq!(a.status, Rect::new(0, 15, 60, 1));
        // Something to say: the input line comes back.
        let a = areas(Shape {
            input_idle: false,
            input_rows: 2,
            ..shape(60, 16)
        });
        assert_eq!(a.input, Some(Rect::new(0, 14, 60, 2)));
        assert_eq!(areas(shape(59, 24)), Areas::default());
        assert_eq!(areas(shape(80, 15)), Areas::default());
    }

    #[test]
    fn columns_drop_as_width_shrinks() {
        let c = columns(80, true);
        assert_eq!((c.source, c.host, c.time), (10, 12, 23));
        let c = columns(79, true);
        assert_eq!((c.source, c.host, c.time), (0, 12, 23));
        let c = columns(60, false);
        assert_eq!((c.source, c.host, c.time, c.millis), (0, 10, 25, false));
    }

    #[test]
    fn wrap_breaks_at_spaces_and_marks_what_is_left() {
        assert_eq!(wrap("abc def ghi", 7, 3), ["abc ", "def ghi"]);
        assert_eq!(wrap("abcdefghij", 4, 3), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("abcdefghijklm", 4, 2), ["abcd", "efg…"]);
        assert_eq!(wrap("", 10, 3), [""]);
        assert_eq!(wrap("日本語です", 4, 3), ["日本", "語で", "す"]);
    }
}
