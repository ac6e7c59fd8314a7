//! `q` with unsaved changes: quit anyway (the journal keeps every annotation), save the
//! case file and then quit, or stay. Anything else stays.

use super::case;
use crate::tui::action::Effect;
use crate::tui::commands::commands;
use crate::tui::state::{Mode, State};
use ratatui::crossterm::event::KeyEvent;

commands! {
    pub enum QuitCmd in Quit {
        Yes = "yes", Save = "save", No = "no",
    }
}

/// `q` / `:q`: asks first when the case has unsaved changes.
pub fn request(st: &mut State) {
    if st.case.unsaved {
        st.mode = Mode::Quit;
    } else {
        st.quit = true;
    }
}

pub fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    st.mode = Mode::Normal;
    match st.keymap.command::<QuitCmd>(&k) {
        Some(QuitCmd::Yes) => {
            st.quit = true;
            Vec::new()
        }
        // As `:wq`: quit once the save has succeeded (a failed one keeps the session).
        Some(QuitCmd::Save) => {
            let fx = case::save(st);
            st.case.quit_after_save = !fx.is_empty();
            fx
        }
        Some(QuitCmd::No) | None => {
            st.info("quit cancelled");
            Vec::new()
        }
    }
}
