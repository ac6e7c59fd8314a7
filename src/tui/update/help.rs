//! The help screen (`?`), generated from the keymap: scrolling and closing.

use super::nav::Nav;
use crate::tui::action::Effect;
use crate::tui::keymap::{Command, Layer};
use crate::tui::layout;
use crate::tui::state::{Mode, State};
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelpCmd {
    Nav(Nav),
    Close,
}

impl Command for HelpCmd {
    const LAYER: Layer = Layer::Help;
    const ALL: &'static [(Self, &'static str)] = &[
        (HelpCmd::Nav(Nav::Down), "down"),
        (HelpCmd::Nav(Nav::Up), "up"),
        (HelpCmd::Nav(Nav::PageDown), "page_down"),
        (HelpCmd::Nav(Nav::PageUp), "page_up"),
        (HelpCmd::Nav(Nav::First), "first"),
        (HelpCmd::Nav(Nav::Last), "last"),
        (HelpCmd::Close, "close"),
    ];
}

pub fn open(st: &mut State) {
    st.mode = Mode::Help;
    st.help.scroll = 0;
}

pub fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    match st.keymap.command::<HelpCmd>(&k) {
        Some(HelpCmd::Close) => st.mode = Mode::Normal,
        Some(HelpCmd::Nav(nav)) => {
            let screen = Rect::new(0, 0, st.size.0, st.size.1);
            let area = layout::help_box(screen);
            let h = layout::inner_height(area);
            let width = area.width.saturating_sub(2) as usize;
            let lines = st.keymap.help_rows(st.theme().ascii, width).len();
            // The scroll position is the first line shown: at most one page from the end.
            let positions = lines.saturating_sub(h) + 1;
            st.help.scroll = nav.apply(st.help.scroll, positions, h);
        }
        None => {}
    }
    Vec::new()
}
