//! The timeline table, built for the lines on screen only: columns as wide as what they
//! show (the message keeps at least 40 cells at 80 columns), the date in a separator row
//! when the day changes, the selected row's message wrapped on demand, the message
//! column scrolled sideways.

use crate::model::{TzSpec, format_display};
use crate::tui::cells::{self, RowText};
use crate::tui::columns::{RelFrom, rel_text};
use crate::tui::detect::level_symbol;
use crate::tui::layout::{self, Content, TableLine, TimeFmt, text_width};
use crate::tui::sanitize;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
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

/// `HH:MM:SS.mmm`, `HH:MM:SS` or the whole time, as the column writes it.
fn time_cell(ts: i64, zone: &TzSpec, fmt: TimeFmt) -> String {
    let s = format_display(ts, zone);
    let part = match fmt {
        TimeFmt::Full => return s,
        TimeFmt::Millis => s.get(11..23),
        TimeFmt::Secs => s.get(11..19),
    };
    part.map_or_else(|| s.clone(), str::to_string)
}

/// The date as the time column's header and separators write it.
fn date_text(ts: i64, zone: &TzSpec, fmt: TimeFmt) -> String {
    let s = format_display(ts, zone);
    let date = s.get(..10).unwrap_or(&s);
    match fmt {
        TimeFmt::Secs => date.get(5..).unwrap_or(date).to_string(),
        _ => date.to_string(),
    }
}

/// `Sat 14 Mar` for a separator.
fn weekday(date: &str) -> String {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|d| d.format("%A %-d %B %Y").to_string())
        .unwrap_or_default()
}

fn max_width<'a>(v: impl Iterator<Item = &'a str>) -> u16 {
    v.map(text_width).max().unwrap_or(0).min(u16::MAX as usize) as u16
}

/// Where the relative-time column measures from, when it measures from an annotation:
/// the one `u`/`U` or the list last went to, else the first early-detection point.
fn anchor_ts(st: &State) -> Option<i64> {
    let anns = st.case.annotations();
    let by_id = st
        .table
        .anchor
        .as_ref()
        .and_then(|id| anns.iter().find(|a| &a.id == id));
    let first_ed = || {
        anns.iter()
            .find(|a| a.kind == crate::case::Kind::EarlyDetection)
    };
    by_id.or_else(first_ed).or(anns.first()).map(|a| a.key.ts)
}

pub fn render(st: &State, f: &mut Frame, area: Rect) {
    let theme = st.theme();
    let ascii = theme.ascii;
    let t = &st.timeline;
    let (zlabel, zone) = st.zone();
    let utc = zone == TzSpec::Utc;
    let lines = st.table_lines();
    let opts = st.cell_opts();
    let texts: Vec<(usize, usize, RowText)> = lines
        .iter()
        .filter_map(|l| match l {
            TableLine::Row { row, .. } => st
                .event_of_row(*row)
                .map(|ev| (*row, ev, cells::row_text(t, ev, opts))),
            TableLine::Day(_) => None,
        })
        .collect();
    let full_hosts: Vec<&str> = texts.iter().map(|(_, _, r)| r.host.as_str()).collect();
    let hosts = cells::shown_hosts(&full_hosts);
    let content = Content {
        source: max_width(texts.iter().map(|(_, _, r)| r.source.as_str())),
        host: max_width(hosts.iter().map(String::as_str)),
        id: max_width(texts.iter().map(|(_, _, r)| r.id.as_str())),
    };
    // Sigma level markers, once rules are loaded: their own column (`!!` critical, `!`
    // high, `+` medium, `-` low, `.` informational), so they survive NO_COLOR.
    let hits = st.detect.current(t.len()).map(|(_, h)| h);
    // Below 80 columns the message needs those cells more (`src → dst:port` must still
    // fit at 60); hits stay visible in the histogram row, the status line and the detail pane.
    let with_level = st.detect.rules.is_some() && area.width >= 80;
    let level_w: u16 = if with_level { 2 } else { 0 };
    let cols = layout::columns(
        area.width.saturating_sub(level_w + u16::from(with_level)),
        utc,
        st.table.cols,
        content,
    );
    let hosts = cells::fit_names(&hosts, cols.host as usize, ascii);
    let pick = |get: fn(&RowText) -> &String, w: u16| {
        let v: Vec<String> = texts.iter().map(|(_, _, r)| get(r).clone()).collect();
        cells::fit_names(&v, w as usize, ascii)
    };
    let ids = pick(|r| &r.id, cols.id);
    let sources = pick(|r| &r.source, cols.source);

    // Columns: marker, time, then the optional ones, then the message.
    let mut widths = vec![Constraint::Length(layout::MARK_W)];
    if with_level {
        widths.push(Constraint::Length(level_w));
    }
    widths.push(Constraint::Length(cols.time));
    let top_ts = texts
        .first()
        .and_then(|(_, ev, _)| t.events.get(*ev))
        .map(|e| e.ts);
    let time_head = match (cols.fmt, top_ts) {
        (TimeFmt::Full, _) | (_, None) => format!("time ({zlabel})"),
        (fmt, Some(ts)) => date_text(ts, &zone, fmt),
    };
    let mut header = vec![Cell::from("")];
    if with_level {
        header.push(Cell::from(""));
    }
    header.push(Cell::from(time_head));
    let optional = [
        (
            cols.rel,
            if st.table.rel_from == RelFrom::Previous {
                "Δprev"
            } else {
                "Δann"
            },
        ),
        (
            cols.source,
            if layout::source_is_tag(area.width) {
                "src"
            } else {
                "source"
            },
        ),
        (cols.host, "host"),
        (cols.id, "id"),
    ];
    for (w, name) in optional {
        if w > 0 {
            widths.push(Constraint::Length(w));
            let name = if ascii {
                name.replace('Δ', "d")
            } else {
                name.to_string()
            };
            header.push(Cell::from(name));
        }
    }
    widths.push(Constraint::Fill(1));
    let msg_head = match st.table.hscroll {
        0 => "message".to_string(),
        n => format!("message (+{n}, {} back)", if ascii { "Left" } else { "←" }),
    };
    header.push(Cell::from(msg_head));
    let header = Row::new(header).style(theme.header());

    if st.rows() == 0 {
        empty(st, f, area, widths, header);
        return;
    }
    let re = st.query.search.as_ref();
    let rule = if ascii { "-" } else { "─" };
    let anchor = if st.table.rel_from == RelFrom::Annotation {
        anchor_ts(st)
    } else {
        None
    };
    let mut rows: Vec<Row> = Vec::with_capacity(lines.len());
    let mut selected = None;
    let mut k = 0;
    for l in &lines {
        let (row, height) = match *l {
            TableLine::Day(row) => {
                let ts = st
                    .event_of_row(row)
                    .and_then(|e| t.events.get(e))
                    .map_or(0, |e| e.ts);
                let date = format_display(ts, &zone);
                let date = date.get(..10).unwrap_or(&date).to_string();
                let mut c = vec![Cell::from(""), Cell::from(date_text(ts, &zone, cols.fmt))];
                for (w, _) in optional {
                    if w > 0 {
                        c.push(Cell::from(rule.repeat(w as usize)));
                    }
                }
                let label = format!("{rule}{rule} {} ", weekday(&date));
                let fill = (cols.message as usize).saturating_sub(text_width(&label));
                c.push(Cell::from(format!("{label}{}", rule.repeat(fill))));
                rows.push(Row::new(c).style(theme.dim()));
                continue;
            }
            TableLine::Row { row, height } => (row, height),
        };
        let Some((_, ev, text)) = texts.get(k) else {
            continue;
        };
        let (ev, text) = (*ev, text);
        let (host, id, source) = (&hosts[k], &ids[k], &sources[k]);
        k += 1;
        let Some(e) = t.events.get(ev) else {
            continue;
        };
        if row == st.table.cursor {
            selected = Some(rows.len());
        }
        let time = if e.flags.bad_time() {
            let text = t.time_text(ev);
            match cols.fmt {
                TimeFmt::Full => format!("bad time {}", sanitize::line(&text, 40, ascii)),
                _ => "bad time".to_string(),
            }
        } else {
            time_cell(e.ts, &zone, cols.fmt)
        };
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
        if cols.rel > 0 {
            let from = match st.table.rel_from {
                RelFrom::Previous => row
                    .checked_sub(1)
                    .and_then(|r| st.event_of_row(r))
                    .and_then(|p| t.events.get(p))
                    .map(|p| p.ts),
                RelFrom::Annotation => anchor,
            };
            let rel = from.map_or(String::new(), |p| rel_text(e.ts.saturating_sub(p)));
            cells.push(Cell::from(rel));
        }
        let clean = |s: &str| sanitize::line(s, 64, ascii).into_owned();
        if cols.source > 0 {
            cells.push(Cell::from(clean(source)));
        }
        if cols.host > 0 {
            cells.push(Cell::from(clean(host)));
        }
        if cols.id > 0 {
            cells.push(Cell::from(clean(id)));
        }
        let width = cols.message as usize;
        // A cut id is said in full in the message.
        let id_whole = cols.id > 0 && text_width(&text.id) <= usize::from(cols.id);
        let message = if id_whole {
            &text.message
        } else {
            &text.message_full
        };
        let msg = if height > 1 {
            // The selected row, wrapped: all of it from its start.
            let all = sanitize::line(message, 1 << 16, ascii);
            let parts = layout::wrap(&all, width.max(1), usize::from(height));
            Text::from(
                parts
                    .into_iter()
                    .map(|p| highlighted(&p, re, Style::new(), theme.matched()).into_owned())
                    .collect::<Vec<_>>(),
            )
        } else {
            let skip = st.table.hscroll;
            let shown = sanitize::line(message, skip + width + 64, ascii);
            let part: String = shown.chars().skip(skip).collect();
            Text::from(highlighted(&part, re, Style::new(), theme.matched()).into_owned())
        };
        cells.push(Cell::from(msg));
        rows.push(Row::new(cells).height(height.max(1)));
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
    let mut ts = TableState::default().with_selected(selected);
    f.render_stateful_widget(table, area, &mut ts);
}

/// No rows: why (loading, a filter that keeps nothing, inputs that gave nothing).
fn empty(st: &State, f: &mut Frame, area: Rect, widths: Vec<Constraint>, header: Row) {
    let theme = st.theme();
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
