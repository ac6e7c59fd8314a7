//! The density strip: two rows of bars (events the filter keeps drawn solid, events it
//! hides drawn with a different, dimmer glyph) and a time axis with the cursor. Once
//! Sigma rules have hits, the top row shows them (a level symbol per bucket) and the
//! bars keep one row.

use crate::model::format_display;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;

fn short_time(ts: i64, st: &State) -> String {
    let s = format_display(ts, &st.zone().1);
    s.get(..16).unwrap_or(&s).to_string()
}

fn span_text(ns: i64) -> String {
    let s = ns / 1_000_000_000;
    match s {
        0 => format!("{}ms", ns / 1_000_000),
        1..120 => format!("{s}s"),
        120..7_200 => format!("{}m", s / 60),
        7_200..172_800 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// With the focus: the selected bucket reversed, and on the axis its time span and how
/// many events it holds (shown / all).
fn focused(st: &State, f: &mut Frame, area: Rect) {
    let theme = st.theme();
    let buf = f.buffer_mut();
    let b = st.hist.sel;
    if let Ok(x) = u16::try_from(b)
        && x < area.width
    {
        for row in 0..2 {
            if let Some(cell) = buf.cell_mut((area.x + x, area.y + row)) {
                cell.set_style(theme.selected());
                if cell.symbol() == " " {
                    cell.set_symbol(if theme.ascii { "|" } else { "│" });
                }
            }
        }
    }
    let Some((lo, hi)) = st.hist.range else {
        return;
    };
    let n = st.hist.all.len().max(1);
    let a = crate::timeline::histogram::edge(lo, hi, n, b);
    let z = crate::timeline::histogram::edge(lo, hi, n, b + 1);
    let shown = st.hist.shown.get(b).copied().unwrap_or(0);
    let all = st.hist.all.get(b).copied().unwrap_or(0);
    let count = if shown == all {
        format!("{all} events")
    } else {
        format!("{shown}/{all} events")
    };
    let text = format!(
        "bucket {} .. {} ({}): {count}",
        short_time(a, st),
        short_time(z, st).get(11..).unwrap_or(""),
        span_text(z.saturating_sub(a)),
    );
    let y = area.y + 2;
    buf.set_string(area.x, y, " ".repeat(area.width as usize), theme.dim());
    let text: String = text.chars().take(area.width as usize).collect();
    buf.set_string(area.x, y, text, theme.header());
}

pub fn render(st: &State, f: &mut Frame, area: Rect) {
    let theme = st.theme();
    let buf = f.buffer_mut();
    let Some((lo, hi)) = st.hist.range else {
        buf.set_string(area.x, area.y + 1, "(no events yet)", theme.dim());
        return;
    };
    let glyphs = theme.bar_glyphs();
    let max = st.hist.all.iter().copied().max().unwrap_or(0).max(1) as u128;
    // With Sigma hits the top row is theirs and the bars keep one row.
    let hit_row = super::detections::hist_has_hits(st);
    let bar_rows: u16 = if hit_row { 1 } else { 2 };
    // Rows of eight steps each.
    let top = 8 * bar_rows as u32;
    let steps = |n: u64| -> u32 {
        if n == 0 {
            0
        } else {
            ((n as u128 * top as u128).div_ceil(max)).clamp(1, top as u128) as u32
        }
    };
    for (x, (&all, &shown)) in st.hist.all.iter().zip(&st.hist.shown).enumerate() {
        let Ok(x) = u16::try_from(x) else { break };
        if x >= area.width {
            break;
        }
        let (ha, hs) = (steps(all), steps(shown));
        for row in 0..bar_rows {
            let base = (bar_rows - 1 - row) as u32 * 8;
            let fs = hs.saturating_sub(base).min(8);
            let fa = ha.saturating_sub(base).min(8);
            let (sym, style) = if fs > 0 {
                (glyphs[fs as usize], theme.bar())
            } else if fa > 0 {
                (theme.hidden_glyph(), theme.dim())
            } else {
                continue;
            };
            buf.set_string(area.x + x, area.y + 2 - bar_rows + row, sym, style);
        }
    }
    if hit_row {
        super::detections::hist_hits(st, f, area);
    }
    let buf = f.buffer_mut();
    // Axis: start, span and zoom, end; then the cursor on top.
    let y = area.y + 2;
    let left = short_time(lo, st);
    let right = short_time(hi, st);
    let mid = format!(
        "{} span{}",
        span_text(hi.saturating_sub(lo)),
        if st.hist.zoom > 0 {
            format!(", zoom {}x", 1u64 << st.hist.zoom.min(63))
        } else {
            String::new()
        }
    );
    buf.set_string(area.x, y, &left, theme.dim());
    let w = area.width as usize;
    if w > left.len() + right.len() + mid.len() + 4 {
        let mx = area.x + ((w - mid.len()) / 2) as u16;
        buf.set_string(mx, y, &mid, theme.dim());
    }
    if w > left.len() + right.len() + 1 {
        buf.set_string(area.x + (w - right.len()) as u16, y, &right, theme.dim());
    }
    if area.height > 3 {
        silence_lane(st, f, area);
    }
    super::annot::hist_marks(st, f, area);
    if st.mode == crate::tui::state::Mode::Hist {
        focused(st, f, area);
        return;
    }
    let buf = f.buffer_mut();
    // The cursor's column is shown reversed in the bars, and marked on the axis where
    // that does not cover a label.
    if let Some(c) = st.hist.cursor
        && let Ok(c) = u16::try_from(c)
        && c < area.width
    {
        for row in 0..2 {
            if let Some(cell) = buf.cell_mut((area.x + c, area.y + row)) {
                cell.set_style(theme.selected());
            }
        }
        let cu = c as usize;
        let on_label = cu < left.len() || cu + right.len() >= w;
        if !on_label {
            buf.set_string(area.x + c, y, theme.cursor_symbol(), theme.cursor_mark());
        }
    }
}

/// The silence lane under the axis: where some source fell silent while others logged
/// (`▒`, `#` in ASCII: a symbol, not a colour), labelled at its left when there is room.
fn silence_lane(st: &State, f: &mut Frame, area: Rect) {
    let theme = st.theme();
    let buf = f.buffer_mut();
    let y = area.y + 3;
    let sym = if theme.ascii { "#" } else { "▒" };
    for &b in &st.cands.lane {
        let Ok(x) = u16::try_from(b) else { continue };
        if x < area.width {
            buf.set_string(area.x + x, y, sym, theme.dim());
        }
    }
    const LABEL: &str = "silent sources ";
    let free = st.cands.lane.first().is_none_or(|&b| b > LABEL.len());
    if free && area.width as usize > LABEL.len() {
        buf.set_string(area.x, y, LABEL.trim_end(), theme.dim());
    }
}
