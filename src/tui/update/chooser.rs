//! The column chooser (`C`, `:cols`): which optional columns the table shows. The choice
//! is kept in the case view when the case is saved.

use crate::tui::action::Effect;
use crate::tui::columns::{Column, ColumnSet};
use crate::tui::commands::commands;
use crate::tui::state::{Mode, State};
use ratatui::crossterm::event::KeyEvent;

commands! {
    pub enum ChooserCmd in Columns with [Down, Up] {
        Toggle = "toggle", Close = "close",
    }
}

pub fn open(st: &mut State) {
    st.chooser.sel = st.chooser.sel.min(Column::ALL.len() - 1);
    st.mode = Mode::Columns;
}

/// `:cols LIST`.
pub fn set(st: &mut State, list: &str) {
    match ColumnSet::parse(list) {
        Ok(c) => {
            st.table.cols = c;
            st.info(format!("columns: {}", c.to_text()));
        }
        Err(e) => st.error(e.to_string()),
    }
}

pub fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let n = Column::ALL.len();
    match st.keymap.command::<ChooserCmd>(&k) {
        Some(ChooserCmd::Nav(nav)) => st.chooser.sel = nav.apply_wrapping(st.chooser.sel, n, n),
        Some(ChooserCmd::Toggle) => {
            if let Some(&c) = Column::ALL.get(st.chooser.sel) {
                let on = !st.table.cols.get(c);
                st.table.cols.set(c, on);
            }
        }
        Some(ChooserCmd::Close) => {
            st.mode = Mode::Normal;
            st.info(format!("columns: {}", st.table.cols.to_text()));
        }
        None => {}
    }
    Vec::new()
}
