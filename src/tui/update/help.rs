//! The help screen (`?`), generated from the keymap: scrolling and closing.

use crate::tui::action::Effect;
use crate::tui::commands::commands;
use crate::tui::layout;
use crate::tui::state::{Mode, State};
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

commands! {
    pub enum HelpCmd in Help with [Down, Up, PageDown, PageUp, First, Last] {
        Close = "close",
    }
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
