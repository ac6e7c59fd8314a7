//! Overlays: the help screen (generated from the keymap) and the pivot picker.

use crate::tui::app::State;
use crate::tui::sanitize;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn help(st: &State, f: &mut Frame) {
    let theme = st.theme();
    let area = super::centered(f.area(), 78, f.area().height.saturating_sub(2));
    let block = Block::new()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .title(Span::styled(
            " keys (j/k scroll, Esc closes) ",
            theme.header(),
        ));
    let inner = block.inner(area);
    let mut lines: Vec<Line> = Vec::new();
    let mut section = String::new();
    for (sec, keys, desc) in st.keymap.help_rows(theme.ascii) {
        if sec != section {
            if !lines.is_empty() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::from(Span::styled(sec.clone(), theme.label())));
            section = sec;
        }
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<16} "), theme.header()),
            Span::raw(desc),
        ]));
    }
    let h = inner.height as usize;
    let scroll = st.help_scroll.min(lines.len().saturating_sub(h));
    let visible: Vec<Line> = lines.into_iter().skip(scroll).take(h).collect();
    f.render_widget(Clear, area);
    f.render_widget(block, area);
    f.render_widget(Paragraph::new(visible), inner);
}

pub fn picker(st: &State, f: &mut Frame) {
    let theme = st.theme();
    let items = &st.picker.items;
    let h = (items.len() as u16 + 2)
        .min(f.area().height.saturating_sub(6))
        .max(3);
    let area = super::centered(f.area(), 72, h);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .title(Span::styled(
            " pivot: filter on (Enter), Esc closes ",
            theme.header(),
        ));
    let inner = block.inner(area);
    let rows = inner.height as usize;
    let first = st.picker.sel.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = items
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, (k, v))| {
            let sel = i == st.picker.sel;
            let mark = if sel { theme.select_symbol() } else { " " };
            let text = format!(
                "{mark} {}: {}",
                sanitize::line(k, 40, theme.ascii),
                sanitize::line(v, inner.width as usize, theme.ascii)
            );
            let style = if sel {
                theme.selected()
            } else {
                ratatui::style::Style::new()
            };
            Line::from(Span::styled(text, style))
        })
        .collect();
    f.render_widget(Clear, area);
    f.render_widget(block, area);
    f.render_widget(Paragraph::new(lines), inner);
}
