//! Overlays: the help screen (generated from the keymap) and the pivot picker.

use super::popup::{self, keys_title};
use crate::tui::keymap::{HELP_KEYS_W, HelpRow, Layer};
use crate::tui::layout::{centered, help_box};
use crate::tui::sanitize;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn help(st: &State, f: &mut Frame) {
    let theme = st.theme();
    let area = help_box(f.area());
    let title = keys_title(
        st,
        Layer::Help,
        "keys",
        &[(&["down", "up"], "scroll"), (&["close"], "closes")],
    );
    let inner = popup::open(st, f, area, title);
    let pad = " ".repeat(HELP_KEYS_W);
    let lines: Vec<Line> = st
        .keymap
        .help_rows(theme.ascii, inner.width as usize)
        .into_iter()
        .map(|l| match l {
            HelpRow::Section(s) => Line::from(Span::styled(s, theme.label())),
            HelpRow::Key { keys, desc } => Line::from(vec![
                Span::styled(format!("  {keys:<16} "), theme.header()),
                Span::raw(desc),
            ]),
            HelpRow::More(desc) => Line::from(vec![Span::raw(pad.clone()), Span::raw(desc)]),
        })
        .collect();
    let h = inner.height as usize;
    let scroll = st.help.scroll.min(lines.len().saturating_sub(h));
    let visible: Vec<Line> = lines.into_iter().skip(scroll).take(h).collect();
    f.render_widget(Paragraph::new(visible), inner);
}

pub fn picker(st: &State, f: &mut Frame) {
    let theme = st.theme();
    let items = &st.picker.items;
    let h = (items.len() as u16 + 2)
        .min(f.area().height.saturating_sub(6))
        .max(3);
    let area = centered(f.area(), 72, h);
    let key = |action: &str| st.keymap.keys(Layer::Picker, action, theme.ascii);
    let title = format!(
        " pivot: filter on ({}), {} closes ",
        key("pick"),
        key("close")
    );
    let inner = popup::open(st, f, area, title);
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
    f.render_widget(Paragraph::new(lines), inner);
}
