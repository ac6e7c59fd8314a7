//! The pivot picker (`=`): the selected event's fields; choosing one adds
//! `field:"value"` to the filter with AND.

use super::app::{Effect, Mode, Picker, State};
use super::jobs::apply_filter;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

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

pub fn picker_key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let n = st.picker.items.len();
    match k.code {
        KeyCode::Esc | KeyCode::Char('q') => st.mode = Mode::Normal,
        KeyCode::Char('j') | KeyCode::Down => {
            st.picker.sel = (st.picker.sel + 1).min(n.saturating_sub(1))
        }
        KeyCode::Char('k') | KeyCode::Up => st.picker.sel = st.picker.sel.saturating_sub(1),
        KeyCode::Char('g') | KeyCode::Home => st.picker.sel = 0,
        KeyCode::Char('G') | KeyCode::End => st.picker.sel = n.saturating_sub(1),
        KeyCode::Enter => {
            st.mode = Mode::Normal;
            if let Some((name, value)) = st.picker.items.get(st.picker.sel) {
                let term = pivot_term(name, value);
                let base = st
                    .filter_pending
                    .as_ref()
                    .map_or(st.filter.clone(), |p| p.text.clone());
                let text = if base.trim().is_empty() {
                    term
                } else {
                    format!("{base} AND {term}")
                };
                return apply_filter(st, text);
            }
        }
        _ => {}
    }
    Vec::new()
}
