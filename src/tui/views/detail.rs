//! The detail pane: every normalised and source field and the raw record, scrollable.

use crate::tui::keymap::Layer;
use crate::tui::state::{DetailLine, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

const NAME_W: usize = 22;

pub fn render(st: &State, f: &mut Frame, area: Rect) {
    let theme = st.theme();
    let focused = st.detail.focused;
    let key = |action: &str| st.keymap.keys(Layer::Table, action, theme.ascii);
    let title = if focused {
        format!(
            "{} detail (focused: {}/{} select, {} copies, {}: on, {}: close) ",
            theme.select_symbol(),
            key("down"),
            key("up"),
            key("copy"),
            key("focus"),
            key("cancel"),
        )
    } else {
        format!(
            " detail ({}: focus, {}/{}: close) ",
            key("focus"),
            key("detail"),
            key("cancel")
        )
    };
    let mut title_style = theme.header();
    if focused {
        title_style = title_style.add_modifier(Modifier::REVERSED);
    }
    let block = Block::new()
        .borders(Borders::TOP)
        .border_set(theme.border())
        .title(Span::styled(title, title_style));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(d) = &st.detail.lines else {
        f.render_widget(
            Paragraph::new("no event selected").style(theme.dim()),
            inner,
        );
        return;
    };
    let h = inner.height as usize;
    let scroll = st.detail.scroll.min(d.lines.len().saturating_sub(h.max(1)));
    let lines: Vec<Line> = d
        .lines
        .iter()
        .skip(scroll)
        .take(h)
        .map(|l| match l {
            DetailLine::Heading(s) => {
                let r = if theme.ascii { "--" } else { "──" };
                Line::from(Span::styled(format!("{r} {s} {r}"), theme.header()))
            }
            DetailLine::Field(k, v) => Line::from(vec![
                Span::styled(format!("{k:<NAME_W$} "), theme.label()),
                Span::raw(v.as_str()),
            ]),
            DetailLine::Raw(s) => Line::raw(s.as_str()),
        })
        .enumerate()
        .map(|(i, l)| {
            // The line `y` copies, when the pane has the focus.
            if focused && scroll + i == st.detail.sel {
                l.style(theme.selected())
            } else {
                l
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
