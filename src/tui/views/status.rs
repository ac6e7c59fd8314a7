//! Status line (position, filter, jobs, ingest, zone) and input line (prompt, messages,
//! ingest progress bar, key hints).

use crate::tui::app::{Mode, Msg, State};
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
    if let (Mode::Prompt(kind), Some(e)) = (st.mode, &st.prompt_error) {
        // The caret sits above the input line's column of the error.
        let indent = kind.prefix().chars().count() + e.col.saturating_sub(1);
        let caret = if theme.ascii { "^" } else { "↓" };
        let text = format!("{}{caret} error: {}", " ".repeat(indent), e.msg);
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(text, theme.error()))),
            area,
        );
        return;
    }
    let total = st.timeline.len();
    let rows = st.rows();
    let pos = if rows == 0 { 0 } else { st.cursor + 1 };
    let mut left = format!(" {pos}/{rows}");
    if st.view.is_some() {
        left.push_str(&format!(" of {total}"));
    }
    left.push_str(" events");
    if let Some(c) = &st.case {
        left.push_str(&format!(" | {} annotations", c.annotations().len()));
    }
    if st.unsaved {
        left.push_str(" [+] unsaved");
    }
    match &st.filter_pending {
        Some(p) => {
            let pct = (st.filter_progress * 100)
                .checked_div(total)
                .unwrap_or(0)
                .min(100);
            left.push_str(&format!(" | filtering {pct}%: {}", p.text));
        }
        None if !st.filter.is_empty() => left.push_str(&format!(" | filter: {}", st.filter)),
        None => {}
    }
    if st.search_pending.is_some() {
        left.push_str(" | searching...");
    } else if !st.search_text.is_empty() {
        left.push_str(&format!(" | /{}", st.search_text));
    }
    let mut right = String::new();
    if !st.ingest.done {
        right.push_str(&format!(
            "loading {}/{} files | ",
            st.ingest.files_done, st.ingest.files_total
        ));
    } else if st.ingest.rejected > 0 {
        right.push_str(&format!("{} rejected | ", st.ingest.rejected));
    }
    if st.index == super::super::app::IndexStatus::Building {
        let pct = st.index_progress * 100 / st.timeline.len().max(1);
        right.push_str(&format!("indexing {}% | ", pct.min(99)));
    }
    right.push_str(st.zone().0);
    right.push(' ');
    let left = crate::tui::sanitize::line(&left, 512, theme.ascii);
    let text = pad_between(&left, &right, area.width as usize);
    f.render_widget(Paragraph::new(text).style(theme.status()), area);
}

fn progress_line(st: &State, width: usize) -> Line<'static> {
    let theme = st.theme();
    let i = &st.ingest;
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
    match st.mode {
        Mode::Prompt(kind) => {
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
            f.render_widget(&st.prompt, rest);
            return;
        }
        Mode::ConfirmQuit => {
            let l = Span::styled(
                "case not saved (the journal keeps annotations): quit anyway? (y/n)",
                theme.error(),
            );
            f.render_widget(Paragraph::new(l), area);
            return;
        }
        _ => {}
    }
    if let Some(h) = super::annot::hint(st)
        && !(st.mode == Mode::AnnList && st.msg.is_some())
    {
        let style = if st.mode == Mode::ConfirmDelete {
            theme.error()
        } else {
            theme.header()
        };
        f.render_widget(Paragraph::new(Span::styled(h, style)), area);
        return;
    }
    let line = match &st.msg {
        Some(Msg::Error(e)) => Line::from(Span::styled(format!("! {e}"), theme.error())),
        Some(Msg::Info(s)) => Line::from(Span::styled(s.clone(), theme.info())),
        None if !st.ingest.done => progress_line(st, area.width as usize),
        None => Line::from(Span::styled(
            "? help  / search  f filter  t time  m mark  a annotate  A list  s save  q quit",
            Style::new(),
        )),
    };
    f.render_widget(Paragraph::new(line), area);
}
