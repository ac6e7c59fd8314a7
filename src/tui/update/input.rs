//! Input that is not a key: bracketed paste (into the input line, never run as keys)
//! and the opt-in mouse.

use super::annotate;
use crate::tui::action::Effect;
use crate::tui::state::{Mode, PromptKind, State};
use ratatui::crossterm::event::{MouseEvent, MouseEventKind};

/// Pasted text goes into the input line, never runs as keys: into the open prompt, or a
/// new search prompt.
pub fn paste(st: &mut State, text: &str) -> Vec<Effect> {
    let one_line: String = text
        .trim_end_matches(['\r', '\n'])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match st.mode {
        Mode::Prompt(_) => {
            st.prompt.text.insert_str(&one_line);
            st.prompt.error = None;
        }
        Mode::AnnEdit => annotate::paste(st, text),
        Mode::Normal => {
            st.open_prompt(PromptKind::Search, &one_line);
            st.info("pasted into the search line: Enter searches, Esc cancels");
        }
        _ => {}
    }
    Vec::new()
}

pub fn mouse(st: &mut State, m: MouseEvent) -> Vec<Effect> {
    if st.mode != Mode::Normal {
        return Vec::new();
    }
    match m.kind {
        MouseEventKind::ScrollDown => {
            st.table.cursor = st.table.cursor.saturating_add(3);
        }
        MouseEventKind::ScrollUp => {
            st.table.cursor = st.table.cursor.saturating_sub(3);
        }
        MouseEventKind::Down(_) => {
            if let Some(table) = st.areas().table {
                // Row 0 of the table area is the header.
                let y = m.row.saturating_sub(table.y);
                if m.row > table.y && m.row < table.y + table.height {
                    st.table.cursor = st.table.top + y as usize - 1;
                }
            }
        }
        _ => {}
    }
    Vec::new()
}
