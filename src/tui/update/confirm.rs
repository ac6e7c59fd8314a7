//! y/n questions: deleting an annotation, replacing a file by an export. Anything but a
//! `yes` key is a no. Quitting with unsaved changes has three answers of its own
//! (`quit.rs`).

use super::export;
use crate::tui::action::Effect;
use crate::tui::commands::commands;
use crate::tui::state::{Confirm, Mode, State};
use ratatui::crossterm::event::KeyEvent;

commands! {
    pub enum ConfirmCmd in Confirm {
        Yes = "yes", No = "no",
    }
}

pub fn ask(st: &mut State, what: Confirm) {
    st.confirm = Some(what);
    st.mode = Mode::Confirm;
}

pub fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let yes = st.keymap.command::<ConfirmCmd>(&k) == Some(ConfirmCmd::Yes);
    let Some(what) = st.confirm.take() else {
        st.mode = Mode::Normal;
        return Vec::new();
    };
    match what {
        Confirm::Overwrite(path) => export::overwrite(st, &path, yes),
        Confirm::Delete(id) => {
            st.mode = Mode::AnnList;
            if yes {
                vec![Effect::Delete(id)]
            } else {
                st.info("delete cancelled");
                Vec::new()
            }
        }
    }
}
