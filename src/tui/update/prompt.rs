//! The input line: search, filter, go-to-time, `:` commands and paths. Enter submits; a
//! bad entry keeps the line open with the error (and a caret at its column); Esc cancels.

use super::parse::{compile_search, parse_goto};
use super::{command, export, jobs};
use crate::query::QueryError;
use crate::timeline::filter::Filter;
use crate::timeline::search::Dir;
use crate::tui::action::Effect;
use crate::tui::keymap::{Command, Layer};
use crate::tui::state::{Mode, PromptKind, State};
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptCmd {
    Submit,
    Cancel,
    /// Readline's Ctrl-U (the text area would undo): a pre-filled path goes in one key.
    KillLine,
}

impl Command for PromptCmd {
    const LAYER: Layer = Layer::Prompt;
    const ALL: &'static [(Self, &'static str)] = &[
        (PromptCmd::Submit, "submit"),
        (PromptCmd::Cancel, "cancel"),
        (PromptCmd::KillLine, "kill_line"),
    ];
}

pub fn key(st: &mut State, kind: PromptKind, k: KeyEvent) -> Vec<Effect> {
    match st.keymap.command::<PromptCmd>(&k) {
        Some(PromptCmd::Cancel) => {
            st.mode = Mode::Normal;
            st.prompt.error = None;
            if kind == PromptKind::CasePath {
                st.case.then = None;
                st.info("cancelled: annotations need a case file");
            }
            Vec::new()
        }
        Some(PromptCmd::Submit) => submit(st, kind),
        Some(PromptCmd::KillLine) => {
            if st.prompt.text.delete_line_by_head() {
                st.prompt.error = None;
            }
            Vec::new()
        }
        // A tab in one line of text would be invisible; completion may come later.
        None if matches!(k.code, KeyCode::Tab | KeyCode::BackTab) => Vec::new(),
        None => {
            if st.prompt.text.input(k) {
                st.prompt.error = None;
            }
            Vec::new()
        }
    }
}

fn fail(st: &mut State, col: usize, msg: impl Into<String>) -> Vec<Effect> {
    st.prompt.error = Some(QueryError {
        col: col.max(1),
        msg: msg.into(),
    });
    Vec::new()
}

fn submit(st: &mut State, kind: PromptKind) -> Vec<Effect> {
    let text = st.prompt_text();
    match kind {
        PromptKind::Search => {
            if text.is_empty() {
                st.mode = Mode::Normal;
                return Vec::new();
            }
            match compile_search(&text) {
                Ok(re) => {
                    st.mode = Mode::Normal;
                    st.query.search = Some(re);
                    st.query.search_text = text;
                    jobs::start_search(st, Dir::Forward)
                }
                Err(e) => fail(st, 1, e),
            }
        }
        PromptKind::Filter => {
            // Parse here so that a bad query keeps the line open; the previous filter stays.
            match Filter::parse(&text, &st.zone().1) {
                Ok(f) => {
                    st.mode = Mode::Normal;
                    jobs::run_filter(st, Arc::new(f))
                }
                Err(e) => {
                    st.prompt.error = Some(e);
                    Vec::new()
                }
            }
        }
        PromptKind::Time => match parse_goto(&text, st.cursor_ts(), &st.zone().1) {
            Ok(ts) => {
                st.mode = Mode::Normal;
                st.goto_ts(ts);
                Vec::new()
            }
            Err(e) => fail(st, 1, e),
        },
        PromptKind::Command => {
            st.mode = Mode::Normal;
            command::run(st, text.trim())
        }
        PromptKind::CasePath => {
            let path = text.trim();
            if path.is_empty() {
                return fail(st, 1, "a path is needed (e.g. ./case.vigil.json)");
            }
            st.mode = Mode::Normal;
            vec![Effect::OpenCase(path.into())]
        }
        PromptKind::ExportPath => {
            st.mode = Mode::Normal;
            export::export_to(st, &text, false)
        }
    }
}
