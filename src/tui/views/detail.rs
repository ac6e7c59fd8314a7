//! The detail pane: every normalised and source field and the raw record, scrollable.

use crate::tui::keymap::Layer;
use crate::tui::layout::wrap;
use crate::tui::state::{DetailLine, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

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
    let w = inner.width as usize;
    // Each line wrapped to the pane: a field's value goes on under itself.
    let pad = " ".repeat(NAME_W + 1);
    let rows = |l: &DetailLine| -> Vec<Line<'static>> {
        match l {
            DetailLine::Heading(s) => {
                let r = if theme.ascii { "--" } else { "──" };
                vec![Line::from(Span::styled(
                    format!("{r} {s} {r}"),
                    theme.header(),
                ))]
            }
            DetailLine::Field(k, v) => {
                let parts = wrap(v, w.saturating_sub(NAME_W + 1).max(8), usize::MAX);
                parts
                    .into_iter()
                    .enumerate()
                    .map(|(i, part)| {
                        let head = if i == 0 {
                            Span::styled(format!("{k:<NAME_W$} "), theme.label())
                        } else {
                            Span::raw(pad.clone())
                        };
                        Line::from(vec![head, Span::raw(part)])
                    })
                    .collect()
            }
            DetailLine::Raw(s) => wrap(s, w.max(8), usize::MAX)
                .into_iter()
                .map(Line::raw)
                .collect(),
        }
    };
    // From the scroll position on; with the focus, far enough on that the selected line
    // shows whole.
    let n = d.lines.len();
    let mut first = st.detail.scroll.min(n.saturating_sub(1));
    let sel = st.detail.sel.min(n.saturating_sub(1));
    if focused && sel > first {
        // Rows from `first` to the selected line, dropped from the top until they fit.
        let heights: Vec<usize> = d.lines[first..=sel].iter().map(|l| rows(l).len()).collect();
        let mut total: usize = heights.iter().sum();
        for hgt in &heights {
            if total <= h || first == sel {
                break;
            }
            total -= hgt;
            first += 1;
        }
    } else if focused {
        first = sel;
    }
    let mut lines: Vec<Line> = Vec::with_capacity(h);
    for (i, l) in d.lines.iter().enumerate().skip(first) {
        if lines.len() >= h {
            break;
        }
        for r in rows(l) {
            // The line `y` copies, when the pane has the focus.
            lines.push(if focused && i == sel {
                r.style(theme.selected())
            } else {
                r
            });
        }
    }
    lines.truncate(h);
    f.render_widget(Paragraph::new(lines), inner);
}
