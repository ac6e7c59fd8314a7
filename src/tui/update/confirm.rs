//! y/n questions: quitting with unsaved changes, deleting an annotation, replacing a file
//! by an export. Anything but a `yes` key is a no.

use super::export;
use crate::tui::action::Effect;
use crate::tui::keymap::{Command, Layer};
use crate::tui::state::{Confirm, Mode, State};
use ratatui::crossterm::event::KeyEvent;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfirmCmd {
    Yes,
    No,
}

impl Command for ConfirmCmd {
    const LAYER: Layer = Layer::Confirm;
    const ALL: &'static [(Self, &'static str)] =
        &[(ConfirmCmd::Yes, "yes"), (ConfirmCmd::No, "no")];
}

pub fn ask(st: &mut State, what: Confirm) {
    st.confirm = Some(what);
    st.mode = Mode::Confirm;
}

/// `q` / `:q`: asks first when the case has unsaved changes.
pub fn request_quit(st: &mut State) {
    if st.case.unsaved {
        ask(st, Confirm::Quit);
    } else {
        st.quit = true;
    }
}

pub fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let yes = st.keymap.command::<ConfirmCmd>(&k) == Some(ConfirmCmd::Yes);
    let Some(what) = st.confirm.take() else {
        st.mode = Mode::Normal;
        return Vec::new();
    };
    match what {
        Confirm::Quit => {
            st.mode = Mode::Normal;
            if yes {
                st.quit = true;
            } else {
                st.info("quit cancelled");
            }
            Vec::new()
        }
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
