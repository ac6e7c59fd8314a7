//! The pivot picker (`=`): the selected event's fields; choosing one adds
//! `field:"value"` to the filter with AND.

use super::jobs::apply_filter;
use super::nav::Nav;
use crate::tui::action::Effect;
use crate::tui::keymap::{Command, Layer};
use crate::tui::state::{Mode, Picker, State};
use ratatui::crossterm::event::KeyEvent;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickerCmd {
    Nav(Nav),
    Pick,
    Close,
}

impl Command for PickerCmd {
    const LAYER: Layer = Layer::Picker;
    const ALL: &'static [(Self, &'static str)] = &[
        (PickerCmd::Nav(Nav::Down), "down"),
        (PickerCmd::Nav(Nav::Up), "up"),
        (PickerCmd::Nav(Nav::PageDown), "page_down"),
        (PickerCmd::Nav(Nav::PageUp), "page_up"),
        (PickerCmd::Nav(Nav::First), "first"),
        (PickerCmd::Nav(Nav::Last), "last"),
        (PickerCmd::Pick, "pick"),
        (PickerCmd::Close, "close"),
    ];
}

pub fn open_picker(st: &mut State) {
    let Some(ev) = st.cursor_event() else {
        st.error("no event to pivot on");
        return;
    };
    let f = st.timeline.fields(ev);
    let mut items: Vec<(String, String)> = f
        .norm_iter()
        .filter(|(n, v)| *n != crate::model::Norm::Message && !v.is_empty())
        .map(|(n, v)| (n.name().to_string(), v.to_string()))
        .collect();
    items.extend(
        f.raw
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    if items.is_empty() {
        st.error("this event has no fields to pivot on");
        return;
    }
    st.picker = Picker { items, sel: 0 };
    st.mode = Mode::Picker;
}

/// `field:"value"` for the query language; quotes and backslashes in the value escaped.
pub fn pivot_term(field: &str, value: &str) -> String {
    let v = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("{field}:\"{v}\"")
}

/// Rows of the picker on screen (as the view sizes its box).
fn page(st: &State) -> usize {
    (st.size.1 as usize).saturating_sub(8).max(1)
}

pub fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let n = st.picker.items.len();
    match st.keymap.command::<PickerCmd>(&k) {
        Some(PickerCmd::Close) => st.mode = Mode::Normal,
        Some(PickerCmd::Nav(nav)) => st.picker.sel = nav.apply(st.picker.sel, n, page(st)),
        Some(PickerCmd::Pick) => {
            st.mode = Mode::Normal;
            if let Some((name, value)) = st.picker.items.get(st.picker.sel) {
                let term = pivot_term(name, value);
                let base = st.filter_text();
                let text = if base.trim().is_empty() {
                    term
                } else {
                    format!("{base} AND {term}")
                };
                return apply_filter(st, text);
            }
        }
        None => {}
    }
    Vec::new()
}
