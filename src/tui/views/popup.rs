//! The boxes drawn over the timeline (help, pivot picker, Detections and candidates views,
//! panels, the annotation forms): one border, one title style, one way to clear under them.

use crate::tui::keymap::Layer;
use crate::tui::layout::centered;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Clear};
use std::borrow::Cow;

/// A bordered block titled in the header style.
pub fn boxed<'a>(st: &State, title: impl Into<Cow<'a, str>>) -> Block<'a> {
    let theme = st.theme();
    Block::new()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .title(Span::styled(title.into(), theme.header()))
}

/// Clears `area`, draws a box titled `title` there and gives its inner area.
pub fn open(st: &State, f: &mut Frame, area: Rect, title: String) -> Rect {
    let block = boxed(st, title);
    let inner = block.inner(area);
    f.render_widget(Clear, area);
    f.render_widget(block, area);
    inner
}

/// A view over the whole timeline (Detections, candidates): a box at most `max_width`
/// wide, a line short of the screen on each side, titled as `keys_title` says.
pub fn open_view(
    st: &State,
    f: &mut Frame,
    max_width: u16,
    layer: Layer,
    what: &str,
    keys: &[(&[&str], &str)],
) -> Rect {
    let screen = f.area();
    let area = centered(
        screen,
        screen.width.saturating_sub(2).min(max_width),
        screen.height.saturating_sub(2),
    );
    // A column of blank beside each border: at 80 columns what the timeline would show
    // there is one torn character per row, read as stray text.
    let x = area.x.saturating_sub(1);
    let right = (area.x + area.width + 1).min(screen.x + screen.width);
    f.render_widget(Clear, Rect::new(x, area.y, right - x, area.height));
    let title = keys_title(st, layer, what, keys);
    open(st, f, area, title)
}

/// ` what (KEYS desc, …) `: each entry names the actions whose keys (joined by `/`) do
/// `desc` in `layer`, as the keymap binds them.
pub fn keys_title(st: &State, layer: Layer, what: &str, keys: &[(&[&str], &str)]) -> String {
    let ascii = st.theme().ascii;
    let parts: Vec<String> = keys
        .iter()
        .map(|(actions, desc)| {
            let k: Vec<String> = actions
                .iter()
                .map(|a| st.keymap.keys(layer, a, ascii))
                .collect();
            format!("{} {desc}", k.join("/"))
        })
        .collect();
    format!(" {what} ({}) ", parts.join(", "))
}
