//! The timeline table: built for the visible rows only.

use crate::model::{TzSpec, format_display};
use crate::tui::app::{Focus, State};
use crate::tui::sanitize;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState};
use regex::Regex;

/// Splits `text` into spans, the regex matches in `hl`.
pub fn highlighted<'a>(text: &'a str, re: Option<&Regex>, base: Style, hl: Style) -> Line<'a> {
    let Some(re) = re else {
        return Line::from(Span::styled(text, base));
    };
    let mut spans = Vec::new();
    let mut last = 0;
    for m in re.find_iter(text) {
        if m.start() == m.end() {
            continue;
        }
        if m.start() > last {
            spans.push(Span::styled(&text[last..m.start()], base));
        }
        spans.push(Span::styled(m.as_str(), hl));
        last = m.end();
    }
    if last < text.len() {
        spans.push(Span::styled(&text[last..], base));
    }
    Line::from(spans)
}

/// The part of a source's path worth a narrow column: the file name without its
/// extension, and for Windows channel logs without `Microsoft-Windows-` and
/// `%4Operational` (`Microsoft-Windows-Sysmon%4Operational.evtx` → `Sysmon`).
pub fn short_label(label: &str) -> &str {
    let name = label.rsplit(['/', '\\']).next().unwrap_or(label);
    let name = [
        ".evtx", ".log", ".ndjson", ".jsonl", ".json", ".csv", ".gz", ".zst",
    ]
    .iter()
    .fold(name, |n, ext| n.strip_suffix(ext).unwrap_or(n));
    let name = name.strip_prefix("Microsoft-Windows-").unwrap_or(name);
    match name.find("%4") {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

pub fn render(st: &State, f: &mut Frame, area: Rect) {
    let theme = st.theme();
    let t = &st.timeline;
    let rows_total = st.rows();
    let (zlabel, zone) = st.zone();
    let w = area.width;
    let (src_w, host_w, tag_w) = match w {
        140.. => (18, 18, 10),
        110.. => (14, 15, 8),
        _ => (10, 12, 6),
    };
    let time_w = if zone == TzSpec::Utc { 23 } else { 29 };
    let widths = [
        Constraint::Length(2),
        Constraint::Length(time_w),
        Constraint::Length(src_w),
        Constraint::Length(host_w),
        Constraint::Length(tag_w),
        Constraint::Fill(1),
    ];
    let header = Row::new([
        Cell::from(""),
        Cell::from(format!("time ({zlabel})")),
        Cell::from("source"),
        Cell::from("host"),
        Cell::from("id/act"),
        Cell::from("message"),
    ])
    .style(theme.header());
    if rows_total == 0 {
        let msg = if !st.ingest.done {
            "loading: events appear here as each source finishes"
        } else if st.view.is_some() {
            "no events match the filter (F clears it)"
        } else {
            "no events"
        };
        let table = Table::new(Vec::<Row>::new(), widths).header(header);
        f.render_widget(table, area);
        let r = Rect::new(
            area.x + 2,
            area.y + 2.min(area.height),
            area.width.saturating_sub(2),
            1,
        );
        f.render_widget(Paragraph::new(msg).style(theme.dim()), r.intersection(area));
        return;
    }
    let h = area.height.saturating_sub(1) as usize;
    let end = (st.top + h).min(rows_total);
    let max_msg = w as usize;
    let re = st.search.as_ref();
    let mut rows = Vec::with_capacity(end.saturating_sub(st.top));
    for row in st.top..end {
        let Some(ev) = st.event_of_row(row) else {
            continue;
        };
        let Some(e) = t.events.get(ev) else {
            continue;
        };
        let time = if e.flags.bad_time() {
            format!(
                "bad time {}",
                sanitize::line(&t.time_text(ev), 40, theme.ascii)
            )
        } else {
            format_display(e.ts, &zone)
        };
        let label = t.source_of(ev).map_or("", |s| short_label(&s.label));
        let host = t.host(ev);
        let tag = t.tag(ev);
        let msg = t.message(ev);
        let cells = [
            // Annotation marker: symbols, so it does not depend on colour.
            Cell::from(
                st.marks
                    .marker(ev)
                    .or(t.flag_marker(ev).map(Into::into))
                    .unwrap_or_default(),
            )
            .style(theme.label()),
            Cell::from(time),
            Cell::from(sanitize::line(label, 64, theme.ascii).into_owned()),
            Cell::from(sanitize::line(&host, 64, theme.ascii).into_owned()),
            Cell::from(sanitize::line(&tag, 32, theme.ascii).into_owned()),
            Cell::from(
                highlighted(
                    &sanitize::line(&msg, max_msg, theme.ascii),
                    re,
                    Style::new(),
                    theme.matched(),
                )
                .into_owned(),
            ),
        ];
        rows.push(Row::new(cells));
    }
    let focus_table = st.focus == Focus::Table || !st.detail_open;
    let sel_style = if focus_table {
        theme.selected()
    } else {
        theme.selected().add_modifier(ratatui::style::Modifier::DIM)
    };
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(sel_style)
        .highlight_symbol(theme.select_symbol())
        .highlight_spacing(HighlightSpacing::Always);
    let mut ts = TableState::default().with_selected(Some(st.cursor.saturating_sub(st.top)));
    f.render_stateful_widget(table, area, &mut ts);
}

trait IntoOwnedLine {
    fn into_owned(self) -> Line<'static>;
}

impl IntoOwnedLine for Line<'_> {
    fn into_owned(self) -> Line<'static> {
        Line::from(
            self.spans
                .into_iter()
                .map(|s| Span::styled(s.content.into_owned(), s.style))
                .collect::<Vec<_>>(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::short_label;

    #[test]
    fn short_labels_keep_what_tells_sources_apart() {
        let cases = [
            (
                "samples/evtx/WS-01/Microsoft-Windows-Sysmon%4Operational.evtx",
                "Sysmon",
            ),
            ("C:\\logs\\Security.evtx", "Security"),
            ("fw/fortigate-perimeter.log", "fortigate-perimeter"),
            ("edr/mde-DeviceProcessEvents.csv", "mde-DeviceProcessEvents"),
            ("x/%4odd.evtx", "%4odd"),
            ("", ""),
        ];
        for (label, want) in cases {
            assert_eq!(short_label(label), want, "{label}");
        }
    }
}
