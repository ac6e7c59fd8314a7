//! Panels that answer questions: value counts, the sources panel, the column chooser.

use super::popup::{self, boxed};
use crate::model::format_display;
use crate::tui::cells::source_tag;
use crate::tui::columns::Column;
use crate::tui::keymap::Layer;
use crate::tui::layout::centered;
use crate::tui::sanitize;
use crate::tui::state::{State, passed_over_why};
use crate::tui::window::SourceRow;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// `rows` lines of `items` around `sel`, the selected one reversed.
fn list<'a>(st: &State, items: Vec<String>, sel: usize, rows: usize, w: usize) -> Vec<Line<'a>> {
    let theme = st.theme();
    let first = sel.saturating_sub(rows.saturating_sub(1));
    items
        .into_iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, text)| {
            let on = i == sel;
            let mark = if on { theme.select_symbol() } else { " " };
            let text = sanitize::line(&format!("{mark} {text}"), w, theme.ascii).into_owned();
            let style = if on { theme.selected() } else { Style::new() };
            Line::from(Span::styled(text, style))
        })
        .collect()
}

pub fn counts(st: &State, f: &mut Frame) {
    let Some(c) = &st.counts.result else { return };
    let area = centered(f.area(), 78, f.area().height.saturating_sub(4));
    let filter = if st.counts.filter.is_empty() {
        String::new()
    } else {
        format!(" (filter: {})", st.counts.filter)
    };
    let title = sanitize::line(
        &format!(
            " {}: {} value(s) in {} events{filter} ",
            c.field,
            c.values.len(),
            c.events
        ),
        area.width.saturating_sub(4) as usize,
        st.theme().ascii,
    )
    .into_owned();
    let block = boxed(st, title);
    let inner = block.inner(area);
    let total = c.events.max(1) as f64;
    let mut items: Vec<String> = c
        .values
        .iter()
        .map(|(v, n)| format!("{n:>9} {:>5.1}%  {v}", *n as f64 * 100.0 / total))
        .collect();
    if c.without > 0 {
        items.push(format!(
            "{:>9} {:>5.1}%  (no {})",
            c.without,
            c.without as f64 * 100.0 / total,
            c.field
        ));
    }
    let lines = list(
        st,
        items,
        st.counts.sel,
        inner.height as usize,
        inner.width as usize,
    );
    popup::clear(f, area);
    f.render_widget(block, area);
    f.render_widget(Paragraph::new(lines), inner);
}

/// One line per source: tag, format, events, rejects, path.
fn source_rows(st: &State) -> Vec<String> {
    st.source_rows()
        .into_iter()
        .filter_map(|row| match row {
            SourceRow::Loaded(i) => {
                let s = st.timeline.sources.get(i)?;
                let r = &s.report;
                Some(format!(
                    "{:<4} {:<11} {:>8} {:>5}  {}",
                    source_tag(&s.label, s.format()),
                    r.format,
                    r.events,
                    r.rejected,
                    s.label
                ))
            }
            SourceRow::Passed(i) => {
                let r = st.ingest.skipped.get(i)?;
                Some(format!(
                    "{:<4} {:<11} {:>8} {:>5}  {}",
                    "-", r.format, 0, r.rejected, r.path
                ))
            }
        })
        .collect()
}

/// What is known of the selected source.
fn source_details(st: &State) -> Vec<(String, String)> {
    let zone = st.zone().1;
    let shown = |t: &Option<String>| {
        t.as_deref()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .and_then(|d| d.timestamp_nanos_opt())
            .map_or_else(|| "-".to_string(), |ns| format_display(ns, &zone))
    };
    let mut out = Vec::new();
    let row = st.source_rows().get(st.sources.sel).copied();
    if let Some(SourceRow::Loaded(i)) = row
        && let Some(s) = st.timeline.sources.get(i)
    {
        let r = &s.report;
        let opts = &st.config.ingest;
        out.push(("path".into(), s.label.clone()));
        out.push((
            "read".into(),
            format!(
                "{} events, {} rejected, {} bytes, format {}",
                r.events, r.rejected, r.bytes, r.format
            ),
        ));
        out.push((
            "first .. last".into(),
            format!("{} .. {}", shown(&r.first), shown(&r.last)),
        ));
        let skew = opts.skew_for(&s.label).map_or("none".to_string(), |ns| {
            format!("{:+.3} s", ns as f64 / 1e9)
        });
        out.push((
            "zone, skew".into(),
            format!(
                "naive times read in {}; clock skew correction {skew}",
                opts.tz_for(&s.label)
            ),
        ));
        if r.bad_time > 0 {
            out.push(("bad_time".into(), format!("{} events", r.bad_time)));
        }
        for (id, c) in &r.formats {
            out.push((
                "lines of".into(),
                format!("{id}: {} events, {} rejected", c.events, c.rejected),
            ));
        }
        for n in &r.notes {
            out.push(("note".into(), n.clone()));
        }
        for rj in &r.reasons {
            out.push((
                "rejected".into(),
                format!("at offset {}: {}", rj.offset, rj.reason),
            ));
        }
        if r.rejected as usize > r.reasons.len() {
            out.push((
                "rejected".into(),
                format!(
                    "... {} more (vigil stats lists them)",
                    r.rejected as usize - r.reasons.len()
                ),
            ));
        }
        out.push(("sha256".into(), r.sha256.clone()));
    } else if let Some(SourceRow::Passed(i)) = row
        && let Some(r) = st.ingest.skipped.get(i)
    {
        out.push(("path".into(), r.path.clone()));
        out.push((r.format.clone(), passed_over_why(r)));
    }
    out
}

pub fn sources(st: &State, f: &mut Frame) {
    let theme = st.theme();
    let area = centered(
        f.area(),
        f.area().width.saturating_sub(2),
        f.area().height.saturating_sub(2),
    );
    let n = st.timeline.sources.len();
    let title = format!(
        " sources: {n} loaded, {} passed over (Enter filters on one) ",
        st.ingest.skipped.len()
    );
    let block = boxed(st, title);
    let inner = block.inner(area);
    popup::clear(f, area);
    f.render_widget(block, area);
    let [head, top, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Percentage(45),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let w = inner.width as usize;
    let heading = format!(
        "  {:<4} {:<11} {:>8} {:>5}  path",
        "tag", "format", "events", "rej"
    );
    f.render_widget(Paragraph::new(Span::styled(heading, theme.header())), head);
    let rows = source_rows(st);
    let lines = list(st, rows, st.sources.sel, top.height as usize, w);
    f.render_widget(Paragraph::new(lines), top);
    let rule = if theme.ascii { "-" } else { "─" };
    let mut lines = vec![Line::from(Span::styled(rule.repeat(w), theme.dim()))];
    for (k, v) in source_details(st) {
        let k = format!("{k:<14} ");
        let v = sanitize::line(&v, 4096, theme.ascii).into_owned();
        lines.push(Line::from(vec![
            Span::styled(k, theme.label()),
            Span::raw(v),
        ]));
    }
    let lines: Vec<Line> = lines.into_iter().take(bottom.height as usize).collect();
    f.render_widget(Paragraph::new(lines), bottom);
}

pub fn chooser(st: &State, f: &mut Frame) {
    let theme = st.theme();
    let area = centered(f.area(), 66, Column::ALL.len() as u16 + 4);
    let key = |a: &str| st.keymap.keys(Layer::Columns, a, theme.ascii);
    let title = format!(
        " columns ({} shows/hides, {} done) ",
        key("toggle"),
        key("close")
    );
    let block = boxed(st, title);
    let inner = block.inner(area);
    let items: Vec<String> = Column::ALL
        .iter()
        .map(|c| {
            let on = if st.table.cols.get(*c) { "x" } else { " " };
            format!("[{on}] {}", c.label())
        })
        .collect();
    let mut lines = vec![Line::from(Span::styled(
        "  time and message always show",
        theme.dim(),
    ))];
    let rows = (inner.height as usize).saturating_sub(1);
    lines.extend(list(st, items, st.chooser.sel, rows, inner.width as usize));
    popup::clear(f, area);
    f.render_widget(block, area);
    f.render_widget(Paragraph::new(lines), inner);
}
