//! Status line (position, filter, jobs, ingest, zone) and input line (prompt, messages,
//! ingest progress bar, key hints).

use crate::tui::keymap::Layer;
use crate::tui::layout::wrap;
use crate::tui::sanitize;
use crate::tui::state::{IndexStatus, InputLine, Mode, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn mb(b: u64) -> String {
    format!("{:.1}", b as f64 / (1 << 20) as f64)
}

fn pad_between(left: &str, right: &str, width: usize) -> String {
    let lw = left.chars().count();
    let rw = right.chars().count();
    if lw + rw + 1 > width {
        let keep = width.saturating_sub(rw + 2);
        let cut: String = left.chars().take(keep).collect();
        format!("{cut}~ {right}")
    } else {
        format!("{left}{}{right}", " ".repeat(width - lw - rw))
    }
}

pub fn render_status(st: &State, f: &mut Frame, area: Rect) {
    let theme = st.theme();
    if let Some(text) = st.prompt_error_line() {
        // The caret sits above the input line's column of the error; a long error
        // wraps onto the status area's second row rather than being cut.
        let rows = wrap(&text, area.width as usize, area.height as usize);
        let lines: Vec<Line> = rows
            .into_iter()
            .map(|r| Line::from(Span::styled(r, theme.error())))
            .collect();
        f.render_widget(Paragraph::new(lines), area);
        return;
    }
    let total = st.timeline.len();
    let rows = st.rows();
    let pos = if rows == 0 { 0 } else { st.table.cursor + 1 };
    let mut left = format!(" {pos}/{rows}");
    if st.table.view.is_some() {
        left.push_str(&format!(" of {total}"));
    }
    left.push_str(" events");
    if let Some(c) = &st.case.info {
        left.push_str(&format!(" | {} annotations", c.annotations().len()));
    }
    if st.case.unsaved {
        left.push_str(" [+] unsaved");
    }
    let q = &st.query;
    match &q.filter_pending {
        Some(p) if p.for_index => {
            left.push_str(&format!(" | filter waits for the index: {}", p.text));
        }
        Some(p) => {
            let pct = (q.filter_progress * 100)
                .checked_div(total)
                .unwrap_or(0)
                .min(100);
            left.push_str(&format!(" | filtering {pct}%: {}", p.text));
        }
        None if !q.filter.is_empty() => left.push_str(&format!(" | filter: {}", q.filter)),
        None => {}
    }
    if q.search_pending.is_some() {
        left.push_str(" | searching...");
    } else if !q.search_text.is_empty() {
        left.push_str(&format!(" | /{}", q.search_text));
        match st.search_position() {
            Some((Some(i), n)) => left.push_str(&format!(" hit {i}/{n}")),
            Some((None, n)) => left.push_str(&format!(" {n} hits")),
            None => {}
        }
    }
    if let Some(p) = &st.counts.pending {
        let pct = (st.counts.progress * 100)
            .checked_div(st.counts.total)
            .unwrap_or(0)
            .min(99);
        left.push_str(&format!(" | counting {} {pct}%", p.field));
    }
    let mut right = String::new();
    let ingest = &st.ingest.status;
    if !ingest.done {
        right.push_str(&format!(
            "loading {}/{} files | ",
            ingest.files_done, ingest.files_total
        ));
    } else if ingest.rejected > 0 {
        right.push_str(&format!("{} rejected | ", ingest.rejected));
    }
    if st.ingest.index == IndexStatus::Building {
        let pct = st.ingest.index_progress * 100 / st.timeline.len().max(1);
        right.push_str(&format!("indexing {}% | ", pct.min(99)));
    }
    let left = sanitize::line(&left, 512, theme.ascii);
    // The Sigma summary gives way when the line is full: what the filter and search
    // say matters more (the histogram row and the detail pane still show hits).
    if let Some(d) = super::detections::status_text(st) {
        let need = [left.as_ref(), &right, &d, " | ", st.zone().0, "  "]
            .iter()
            .map(|s| s.chars().count())
            .sum::<usize>();
        if need <= area.width as usize {
            right.push_str(&d);
            right.push_str(" | ");
        }
    }
    if let Some(a) = super::cands::status_text(st) {
        right.push_str(&a);
        right.push_str(" | ");
    }
    right.push_str(st.zone().0);
    right.push(' ');
    let text = pad_between(&left, &right, area.width as usize);
    f.render_widget(Paragraph::new(text).style(theme.status()), area);
}

fn progress_line(st: &State, width: usize) -> Line<'static> {
    let theme = st.theme();
    let i = &st.ingest.status;
    let frac = if i.bytes_total > 0 {
        (i.bytes_done as f64 / i.bytes_total as f64).clamp(0.0, 1.0)
    } else if i.files_total > 0 {
        i.files_done as f64 / i.files_total as f64
    } else {
        0.0
    };
    let secs = i.elapsed.as_secs_f64().max(0.001);
    let info = format!(
        " {:>3}% {}/{} files {}/{} MB {} events {} rejected {} MB/s",
        (frac * 100.0) as u32,
        i.files_done,
        i.files_total,
        mb(i.bytes_done),
        mb(i.bytes_total),
        i.events,
        i.rejected,
        mb((i.bytes_done as f64 / secs) as u64),
    );
    let bar_w = width.saturating_sub(info.chars().count() + 2).clamp(4, 30);
    let filled = ((bar_w as f64) * frac).round() as usize;
    let (on, off) = theme.progress_glyphs();
    Line::from(vec![
        Span::raw("["),
        Span::styled(on.repeat(filled), theme.bar()),
        Span::styled(off.repeat(bar_w - filled.min(bar_w)), theme.dim()),
        Span::raw("]"),
        Span::raw(info),
    ])
}

pub fn render_input(st: &State, f: &mut Frame, area: Rect) {
    let theme = st.theme();
    let width = area.width as usize;
    let rows = area.height as usize;
    let text = |t: &str, style: Style| -> Paragraph<'static> {
        let lines: Vec<Line> = wrap(t, width, rows)
            .into_iter()
            .map(|r| Line::from(Span::styled(r, style)))
            .collect();
        Paragraph::new(lines)
    };
    let p = match st.input_line() {
        InputLine::Prompt => {
            let Mode::Prompt(kind) = st.mode else { return };
            let prefix = kind.prefix();
            let pw = prefix.chars().count() as u16;
            f.render_widget(
                Paragraph::new(Span::styled(prefix, theme.header())),
                Rect::new(area.x, area.y, pw.min(area.width), 1),
            );
            let rest = Rect::new(
                area.x + pw.min(area.width),
                area.y,
                area.width.saturating_sub(pw),
                1,
            );
            f.render_widget(&st.prompt.text, rest);
            return;
        }
        InputLine::Error(e) => text(&e, theme.error()),
        InputLine::Info(m) => text(&m, theme.info()),
        InputLine::Keys(k) => text(&k, theme.header()),
        InputLine::Question(q) => text(&q, theme.error()),
        InputLine::Idle if !st.ingest.status.done => {
            Paragraph::new(progress_line(st, area.width as usize))
        }
        InputLine::Idle => {
            let hint = st.keymap.hint(Layer::Table, theme.ascii);
            text(&hint, Style::new())
        }
    };
    f.render_widget(p, area);
}
