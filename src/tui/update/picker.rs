//! The pivot picker (`=`): the selected event's fields; choosing one adds
//! `field:"value"` to the filter with AND (or `NOT field:"value"`), or searches the value
//! in every field of every event.

use super::jobs::{add_term, apply_filter};
use crate::tui::action::Effect;
use crate::tui::commands::commands;
use crate::tui::state::PromptKind;
use crate::tui::state::{Mode, Picker, State};
use ratatui::crossterm::event::KeyEvent;

commands! {
    pub enum PickerCmd in Picker with [Down, Up, PageDown, PageUp, First, Last] {
        Pick = "pick", Exclude = "exclude", SearchAll = "search_all", Close = "close",
    }
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
    format!("{field}:{}", phrase(value))
}

/// `"value"`, quotes and backslashes escaped.
pub fn phrase(value: &str) -> String {
    let v = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{v}\"")
}

/// Replaces the filter with a search of `value` in every field of every event; the
/// filter it replaces goes into the filter history (`f` then `↑` brings it back).
pub fn search_everywhere(st: &mut State, value: &str) -> Vec<Effect> {
    let old = st.filter_text();
    let mut fx = Vec::new();
    if !old.trim().is_empty() && st.history.push(PromptKind::Filter.history_name(), &old) {
        fx.push(Effect::History {
            kind: PromptKind::Filter.history_name(),
            entry: old.clone(),
        });
    }
    fx.extend(apply_filter(st, phrase(value)));
    fx
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
        Some(cmd @ (PickerCmd::Pick | PickerCmd::Exclude | PickerCmd::SearchAll)) => {
            st.mode = Mode::Normal;
            let Some((name, value)) = st.picker.items.get(st.picker.sel).cloned() else {
                return Vec::new();
            };
            return match cmd {
                PickerCmd::Pick => add_term(st, &pivot_term(&name, &value)),
                PickerCmd::Exclude => add_term(st, &format!("NOT {}", pivot_term(&name, &value))),
                _ => search_everywhere(st, &value),
            };
        }
        None => {}
    }
    Vec::new()
}
