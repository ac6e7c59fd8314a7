//! The timeline table: built for the visible rows only.

use crate::model::{TzSpec, format_display};
use crate::tui::detect::level_symbol;
use crate::tui::layout;
use crate::tui::sanitize;
use crate::tui::state::State;
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
    // Narrow terminals drop the source column, then milliseconds (layout::columns).
    let cols = layout::columns(w, zone == TzSpec::Utc);
    let with_source = cols.source > 0;
    let mut widths = vec![Constraint::Length(2)];
    let mut header = vec![Cell::from("")];
    // Sigma level markers, once rules are loaded (a symbol each: see `level_symbol`).
    let hits = st.detect.current(t.len()).map(|(_, h)| h);
    let with_level = st.detect.rules.is_some();
    if with_level {
        widths.push(Constraint::Length(2));
        header.push(Cell::from(""));
    }
    widths.push(Constraint::Length(cols.time));
    header.push(Cell::from(format!("time ({zlabel})")));
    if with_source {
        widths.push(Constraint::Length(cols.source));
        header.push(Cell::from("source"));
    }
    widths.extend([
        Constraint::Length(cols.host),
        Constraint::Length(cols.tag),
        Constraint::Fill(1),
    ]);
    header.extend([
        Cell::from("host"),
        Cell::from("id/act"),
        Cell::from("message"),
    ]);
    let header = Row::new(header).style(theme.header());
    if rows_total == 0 {
        let mut lines = vec![if !st.ingest.status.done {
            "loading: events appear here as each source finishes".to_string()
        } else if st.table.view.is_some() {
            "no events match the filter (F clears it)".to_string()
        } else {
            "no events".to_string()
        }];
        if st.ingest.status.done && st.timeline.is_empty() {
            // Why: every input that gave nothing, one per line.
            let w = area.width.saturating_sub(4) as usize;
            for (path, why) in st.unusable_inputs() {
                let line = format!("{path}: {why}");
                let line = sanitize::line(&line, 4096, theme.ascii);
                lines.extend(layout::wrap(&line, w, 3));
            }
        }
        let table = Table::new(Vec::<Row>::new(), widths).header(header);
        f.render_widget(table, area);
        let r = Rect::new(
            area.x + 2,
            area.y + 2.min(area.height),
            area.width.saturating_sub(2),
            area.height.saturating_sub(2),
        );
        let text: Vec<Line> = lines.into_iter().map(Line::raw).collect();
        f.render_widget(
            Paragraph::new(text).style(theme.dim()),
            r.intersection(area),
        );
        return;
    }
    let h = area.height.saturating_sub(1) as usize;
    let top = st.table.top;
    let end = (top + h).min(rows_total);
    let max_msg = w as usize;
    let re = st.query.search.as_ref();
    let mut rows = Vec::with_capacity(end.saturating_sub(top));
    for row in top..end {
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
        } else if cols.millis {
            format_display(e.ts, &zone)
        } else {
            without_millis(format_display(e.ts, &zone))
        };
        let label = t.source_of(ev).map_or("", |s| short_label(&s.label));
        let host = t.host(ev);
        let tag = t.tag(ev);
        let msg = t.message(ev);
        let mut cells = vec![
            // Annotation marker: symbols, so it does not depend on colour.
            Cell::from(
                st.case
                    .marks
                    .marker(ev)
                    .or(t.flag_marker(ev).map(Into::into))
                    .unwrap_or_default(),
            )
            .style(theme.label()),
        ];
        if with_level {
            cells.push(match hits.and_then(|h| h.max_level(ev)) {
                Some(l) => {
                    Cell::from(level_symbol(l)).style(super::detections::level_style(&theme, l))
                }
                None => Cell::from(""),
            });
        }
        cells.push(Cell::from(time));
        if with_source {
            cells.push(Cell::from(
                sanitize::line(label, 64, theme.ascii).into_owned(),
            ));
        }
        cells.extend([
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
        ]);
        rows.push(Row::new(cells));
    }
    let focus_table = !(st.detail.open && st.detail.focused);
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
    let mut ts = TableState::default().with_selected(Some(st.table.cursor.saturating_sub(top)));
    f.render_stateful_widget(table, area, &mut ts);
}

/// `2022-12-03 20:05:30.000+01:00` → `2022-12-03 20:05:30+01:00`.
fn without_millis(mut s: String) -> String {
    if s.get(19..20) == Some(".") && s.len() >= 23 {
        s.replace_range(19..23, "");
    }
    s
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
