//! Screen geometry, shared by `update` (page size, mouse rows) and the views: pure
//! functions of the terminal size and what is switched on. Usable down to 60×16 (an
//! 80×24 terminal inside tmux or screen is 80×23): as space shrinks the histogram goes,
//! then the idle hint line, and the table drops columns.

use super::columns::ColumnSet;
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
    /// The histogram has a silence lane under its axis (some source fell silent).
    pub lane: bool,
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
        cons.push(Constraint::Length(3 + u16::from(s.lane)));
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

/// How the time column writes a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeFmt {
    /// `2026-03-13 14:47:53.318` (and the offset outside UTC): wide terminals.
    Full,
    /// `14:47:53.318`, the date in a separator row when the day changes.
    Millis,
    /// `14:47:53`: below 70 columns.
    Secs,
}

pub fn time_fmt(width: u16) -> TimeFmt {
    match width {
        140.. => TimeFmt::Full,
        70.. => TimeFmt::Millis,
        _ => TimeFmt::Secs,
    }
}

/// Below 110 columns the source column holds a short tag (`Sec`, `FGT`), above it the
/// file name.
pub fn source_is_tag(width: u16) -> bool {
    width < 110
}

/// The selection symbol's column and the annotation marker's.
pub const SEL_W: u16 = 1;
pub const MARK_W: u16 = 2;

/// Widths of the table's columns; 0: not shown. The message takes what is left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    pub fmt: TimeFmt,
    pub time: u16,
    pub rel: u16,
    pub source: u16,
    pub host: u16,
    pub id: u16,
    pub message: u16,
}

/// The widest value of each optional column among the rows on screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Content {
    pub source: u16,
    pub host: u16,
    pub id: u16,
}

impl Content {
    /// As wide as the columns may get (for estimates before the rows are known).
    pub const WIDEST: Content = Content {
        source: u16::MAX,
        host: u16::MAX,
        id: u16::MAX,
    };
}

/// The table's columns at `width`: each optional column as wide as its widest value on
/// screen, up to a cap that grows with the terminal; the message keeps the rest (40
/// cells at 80 columns). Below 80 columns the source goes.
pub fn columns(width: u16, utc: bool, set: ColumnSet, content: Content) -> Columns {
    let fmt = time_fmt(width);
    let time = match fmt {
        TimeFmt::Full => 23 + if utc { 0 } else { 6 },
        TimeFmt::Millis => 12,
        TimeFmt::Secs => 8,
    };
    let (source_cap, host_cap, id_cap) = match width {
        140.. => (24, 30, 18),
        110.. => (14, 20, 10),
        80.. => (3, 12, 5),
        70.. => (0, 12, 5),
        _ => (0, 10, 5),
    };
    let fit = |on: bool, cap: u16, want: u16, min: u16| {
        if on && cap > 0 {
            want.clamp(min.min(cap), cap)
        } else {
            0
        }
    };
    let mut c = Columns {
        fmt,
        time,
        rel: if set.rel { 7 } else { 0 },
        // Never narrower than the header (`src`, `source`).
        source: fit(
            set.source,
            source_cap,
            content.source,
            if source_cap > 4 { 6 } else { 3 },
        ),
        host: fit(set.host, host_cap, content.host, 4),
        id: fit(set.id, id_cap, content.id, 2),
        message: 0,
    };
    let used: u16 = SEL_W
        + MARK_W
        + [c.time, c.rel, c.source, c.host, c.id]
            .iter()
            .filter(|w| **w > 0)
            .map(|w| w + 1)
            .sum::<u16>()
        + 1;
    c.message = width.saturating_sub(used);
    c
}

/// The message column's width when every optional column is as wide as it may get.
pub fn message_width_min(width: u16, set: ColumnSet, utc: bool) -> u16 {
    columns(width, utc, set, Content::WIDEST).message
}

/// A line of the table's body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableLine {
    /// The date of the row that follows, which starts a new day.
    Day(usize),
    Row {
        row: usize,
        height: u16,
    },
}

/// The body's lines from row `top` in `h` lines over `rows` rows: a day separator
/// before a row whose `day` differs from the row above's (never as the last line), and
/// each row `height` lines (a row too tall for what is left shows clipped only when it
/// is the first).
pub fn table_lines<D: PartialEq>(
    top: usize,
    rows: usize,
    h: usize,
    day: impl Fn(usize) -> Option<D>,
    height: impl Fn(usize) -> u16,
) -> Vec<TableLine> {
    let mut out = Vec::new();
    let mut used = 0;
    let mut prev = if top < rows { day(top) } else { None };
    let mut r = top;
    while r < rows && used < h {
        let d = day(r);
        if r > top && d.is_some() && d != prev {
            if used + 1 >= h {
                break;
            }
            out.push(TableLine::Day(r));
            used += 1;
        }
        prev = d;
        let ht = usize::from(height(r).max(1));
        if used + ht > h {
            if r == top {
                out.push(TableLine::Row {
                    row: r,
                    height: (h - used) as u16,
                });
            }
            break;
        }
        out.push(TableLine::Row {
            row: r,
            height: ht as u16,
        });
        used += ht;
        r += 1;
    }
    out
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
            lane: false,
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
        // A silence lane: one more row for the histogram.
        let a = areas(Shape {
            lane: true,
            ..shape(80, 24)
        });
        assert_eq!(a.hist.map(|r| r.height), Some(4));
        assert_eq!(a.table.map(|r| r.height), Some(18));
        assert_eq!(areas(shape(59, 24)), Areas::default());
        assert_eq!(areas(shape(80, 15)), Areas::default());
    }

    #[test]
    fn the_message_keeps_forty_cells_at_80_columns() {
        let set = ColumnSet::default();
        let c = columns(80, true, set, Content::WIDEST);
        assert_eq!(
            (c.fmt, c.time, c.source, c.host, c.id),
            (TimeFmt::Millis, 12, 3, 12, 5)
        );
        assert_eq!(c.message, 40);
        // Short hosts and ids give the message their room.
        let narrow = Content {
            source: 3,
            host: 6,
            id: 4,
        };
        assert_eq!(columns(80, true, set, narrow).message, 47);
        let c = columns(79, false, set, Content::WIDEST);
        assert_eq!((c.source, c.host, c.fmt), (0, 12, TimeFmt::Millis));
        let c = columns(60, false, set, Content::WIDEST);
        assert_eq!((c.source, c.host, c.id, c.time), (0, 10, 5, 8));
        assert!(c.message >= 30, "{c:?}");
        let c = columns(200, false, set, Content::WIDEST);
        assert_eq!((c.fmt, c.time), (TimeFmt::Full, 29));
        // Hidden columns give their room to the message; the relative column takes 8.
        let bare = ColumnSet {
            source: false,
            host: false,
            id: false,
            rel: true,
        };
        assert_eq!(
            columns(80, true, bare, Content::WIDEST).message,
            80 - 1 - 2 - 13 - 8 - 1
        );
    }

    #[test]
    fn day_separators_and_wrapped_rows_take_lines() {
        let day = |r: usize| Some(r / 3);
        let lines = table_lines(1, 10, 5, day, |_| 1);
        assert_eq!(
            lines,
            [
                TableLine::Row { row: 1, height: 1 },
                TableLine::Row { row: 2, height: 1 },
                TableLine::Day(3),
                TableLine::Row { row: 3, height: 1 },
                TableLine::Row { row: 4, height: 1 },
            ]
        );
        // No separator as the last line; a tall row shows whole or not at all.
        let lines = table_lines(0, 10, 4, day, |r| if r == 1 { 2 } else { 1 });
        assert_eq!(
            lines,
            [
                TableLine::Row { row: 0, height: 1 },
                TableLine::Row { row: 1, height: 2 },
                TableLine::Row { row: 2, height: 1 },
            ]
        );
        let lines = table_lines(0, 10, 3, day, |_| 5);
        assert_eq!(lines, [TableLine::Row { row: 0, height: 3 }]);
        assert!(table_lines(4, 3, 5, day, |_| 1).is_empty());
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
