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

/// Clears `area` and a column beside it on each side, or the whole side when at most
/// two columns are left there: the timeline showing through a strip that narrow is a
/// torn character or two per row (at 80 columns the views leave one), read as stray text.
pub fn clear(f: &mut Frame, area: Rect) {
    let screen = f.area();
    let (left, end) = (screen.x, screen.x + screen.width);
    let x = match area.x.saturating_sub(left) {
        0..=2 => left,
        _ => area.x - 1,
    };
    let right = area.x + area.width;
    let right = match end.saturating_sub(right) {
        0..=2 => end,
        _ => right + 1,
    };
    f.render_widget(
        Clear,
        Rect::new(x, area.y, right.saturating_sub(x), area.height),
    );
}

/// Clears `area` (see [`clear`]), draws a box titled `title` there and gives its inner
/// area.
pub fn open(st: &State, f: &mut Frame, area: Rect, title: String) -> Rect {
    let block = boxed(st, title);
    let inner = block.inner(area);
    clear(f, area);
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
