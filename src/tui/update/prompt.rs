//! The input line: search, filter, go-to-time, `:` commands, paths, the field to count.
//! Enter submits; a bad entry keeps the line open with the error (and a caret at its
//! column); Esc cancels. Readline keys edit it, `↑`/`↓` recall what was entered before
//! at the same prompt (kept across runs), Tab completes field names and values.

use super::parse::{compile_search, parse_goto};
use super::{command, counts, export, jobs};
use crate::query::QueryError;
use crate::timeline::filter::Filter;
use crate::timeline::search::Dir;
use crate::tui::action::Effect;
use crate::tui::commands::commands;
use crate::tui::complete::{self, Want};
use crate::tui::panels::Cycle;
use crate::tui::state::{Mode, PromptKind, State};
use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::CursorMove;
use std::sync::Arc;

commands! {
    pub enum PromptCmd in Prompt {
        Submit = "submit", Cancel = "cancel",
        /// Readline's Ctrl-U (the text area would undo): a pre-filled path goes in one key.
        KillLine = "kill_line",
        KillEnd = "kill_end", KillWord = "kill_word", Home = "home", End = "end",
        WordBack = "word_back", WordForward = "word_forward", HistoryPrev = "history_prev",
        HistoryNext = "history_next", Complete = "complete",
    }
}

pub fn key(st: &mut State, kind: PromptKind, k: KeyEvent) -> Vec<Effect> {
    let cmd = st.keymap.command::<PromptCmd>(&k);
    // Any key but Tab ends a round of Tab cycling.
    if cmd != Some(PromptCmd::Complete) {
        st.prompt.cycle = None;
    }
    let ta = &mut st.prompt.text;
    let edited = match cmd {
        Some(PromptCmd::Cancel) => {
            st.mode = Mode::Normal;
            st.prompt.error = None;
            if kind == PromptKind::CasePath {
                st.case.then = None;
                st.info("cancelled: annotations need a case file");
            }
            return Vec::new();
        }
        Some(PromptCmd::Submit) => return submit(st, kind),
        Some(PromptCmd::Complete) => return complete(st),
        Some(PromptCmd::HistoryPrev) => return recall(st, kind, true),
        Some(PromptCmd::HistoryNext) => return recall(st, kind, false),
        Some(PromptCmd::KillLine) => ta.delete_line_by_head(),
        Some(PromptCmd::KillEnd) => ta.delete_line_by_end(),
        Some(PromptCmd::Home) => {
            ta.move_cursor(CursorMove::Head);
            false
        }
        Some(PromptCmd::End) => {
            ta.move_cursor(CursorMove::End);
            false
        }
        Some(cmd @ (PromptCmd::KillWord | PromptCmd::WordBack | PromptCmd::WordForward)) => {
            word(st, cmd);
            return Vec::new();
        }
        // Keys the keymap leaves to the line itself: characters, ←/→, Backspace, Delete.
        // A tab or a new line in one line of text would be invisible.
        None if is_text_key(&k) => ta.input(k),
        None => false,
    };
    if edited {
        st.prompt.error = None;
    }
    Vec::new()
}

/// Readline's words: runs of letters and digits (`event_id:4624` is three of them).
fn word(st: &mut State, cmd: PromptCmd) {
    let text: Vec<char> = st.prompt_text().chars().collect();
    let at = st.prompt_cursor().min(text.len());
    let alnum = |i: usize| text.get(i).is_some_and(|c| c.is_alphanumeric());
    let back = || {
        let mut i = at;
        while i > 0 && !alnum(i - 1) {
            i -= 1;
        }
        while i > 0 && alnum(i - 1) {
            i -= 1;
        }
        i
    };
    match cmd {
        PromptCmd::WordBack => st.set_prompt(&text.iter().collect::<String>(), back()),
        PromptCmd::WordForward => {
            let mut i = at;
            while i < text.len() && !alnum(i) {
                i += 1;
            }
            while i < text.len() && alnum(i) {
                i += 1;
            }
            st.set_prompt(&text.iter().collect::<String>(), i);
        }
        _ => {
            let from = back();
            let kept: String = text[..from].iter().chain(&text[at..]).collect();
            st.set_prompt(&kept, from);
        }
    }
}

/// Keys that edit the line as the text area has them, without its own shortcuts (its
/// Ctrl-U would undo; every shortcut this line has is in the keymap).
fn is_text_key(k: &KeyEvent) -> bool {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    let mods = k.modifiers - KeyModifiers::SHIFT;
    match k.code {
        KeyCode::Char(_) => mods.is_empty(),
        KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right => mods.is_empty(),
        _ => false,
    }
}

/// `↑` (`back`) / `↓`: the previous / next entry of this prompt's history; past the
/// newest, the line as it was being typed.
fn recall(st: &mut State, kind: PromptKind, back: bool) -> Vec<Effect> {
    let list = st.history.entries(kind.history_name()).to_vec();
    if list.is_empty() {
        return Vec::new();
    }
    let typed = st.prompt_text();
    let r = &mut st.prompt.recall;
    let next = match (r.at, back) {
        (None, true) => {
            r.draft = typed;
            Some(list.len() - 1)
        }
        (None, false) => return Vec::new(),
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) if i + 1 < list.len() => Some(i + 1),
        (Some(_), false) => None,
    };
    let r = &mut st.prompt.recall;
    r.at = next;
    let text = match next {
        Some(i) => list[i].clone(),
        None => std::mem::take(&mut r.draft),
    };
    st.set_prompt(&text, text.chars().count());
    Vec::new()
}

/// The field names a query may use: those the loaded events have, and the event-level
/// ones every event has.
fn field_names(st: &State) -> Vec<String> {
    let mut v: Vec<String> = crate::query::EVENT_LEVEL.map(String::from).into();
    if let Some(f) = &st.query.fields {
        let mut known: Vec<String> = f.names().map(str::to_owned).collect();
        known.sort_by_key(|n| (crate::model::Norm::from_name(n).is_none(), n.to_lowercase()));
        v.splice(0..0, known);
    }
    v
}

/// Where Tab applies: the query of the filter prompt, and the argument of `:filter` and
/// `:top`, and the count prompt's field name. The query's text and where it starts.
fn query_part(st: &State) -> Option<(usize, bool)> {
    let Mode::Prompt(kind) = st.mode else {
        return None;
    };
    let text = st.prompt_text();
    match kind {
        PromptKind::Filter => Some((0, false)),
        PromptKind::Count => Some((0, true)),
        PromptKind::Command => {
            let (name, _) = text.split_once(' ')?;
            match name {
                "filter" => Some((name.len() + 1, false)),
                "top" => Some((name.len() + 1, true)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Tab: completes the word before the cursor (a field name, or a value of the field it
/// follows); with several candidates, what they share, then each in turn.
pub fn complete(st: &mut State) -> Vec<Effect> {
    let Some((offset, names_only)) = query_part(st) else {
        return Vec::new();
    };
    let text = st.prompt_text();
    let cursor = st.prompt_cursor();
    if let Some(c) = st.prompt.cycle.clone() {
        return cycle(st, c, &text, cursor);
    }
    let query: String = text.chars().skip(offset).collect();
    let mut w = complete::word_at(&query, cursor.saturating_sub(offset));
    w.start += offset;
    if names_only {
        w.want = Want::Name;
    }
    let cands = match &w.want {
        Want::Name => {
            let names = field_names(st);
            let mut c = complete::candidates(&w, names.iter().map(String::as_str));
            if names_only {
                for x in &mut c {
                    x.pop();
                }
            }
            c
        }
        Want::Value(field) => match st.query.values.get(&field.to_ascii_lowercase()).cloned() {
            Some(counts) => complete::candidates(&w, counts.values.iter().map(|(v, _)| v.as_str())),
            None => {
                let field = field.clone();
                return counts::values_for_completion(st, &field);
            }
        },
    };
    let typed_len = cursor.saturating_sub(w.start);
    match cands.len() {
        0 => {
            let what = match &w.want {
                Want::Name => "field name".to_string(),
                Want::Value(f) => format!("value of {f}"),
            };
            st.info(format!("no {what} starts with {:?}", w.typed));
        }
        1 => replace(st, &text, w.start, cursor, &cands[0]),
        n => {
            let common = complete::common_prefix(&cands);
            if common.chars().count() > typed_len {
                replace(st, &text, w.start, cursor, &common);
            } else {
                let c = Cycle {
                    start: w.start,
                    candidates: cands,
                    next: 0,
                };
                return cycle(st, c, &text, cursor);
            }
            let shown: Vec<&str> = cands.iter().take(8).map(String::as_str).collect();
            let more = if n > 8 {
                format!(" (+{} more)", n - 8)
            } else {
                String::new()
            };
            st.info(format!("{n} candidates: {}{more}", shown.join("  ")));
        }
    }
    Vec::new()
}

/// The next candidate of a round of Tab cycling in place of the word.
fn cycle(st: &mut State, mut c: Cycle, text: &str, cursor: usize) -> Vec<Effect> {
    let Some(cand) = c.candidates.get(c.next).cloned() else {
        st.prompt.cycle = None;
        return Vec::new();
    };
    let n = c.candidates.len();
    st.info(format!("{}/{n}: {cand} (Tab: next)", c.next + 1));
    c.next = (c.next + 1) % n;
    let start = c.start;
    st.prompt.cycle = Some(c);
    replace(st, text, start, cursor, &cand);
    Vec::new()
}

/// `text` with chars `start..end` replaced by `with`, the cursor after it.
fn replace(st: &mut State, text: &str, start: usize, end: usize, with: &str) {
    let head: String = text.chars().take(start).collect();
    let tail: String = text.chars().skip(end).collect();
    let cycle = st.prompt.cycle.take();
    st.set_prompt(&format!("{head}{with}{tail}"), start + with.chars().count());
    st.prompt.cycle = cycle;
}

fn fail(st: &mut State, col: usize, msg: impl Into<String>) -> Vec<Effect> {
    st.prompt.error = Some(QueryError {
        col: col.max(1),
        msg: msg.into(),
    });
    Vec::new()
}

/// Keeps what was entered in the prompt's history (this run and the file).
fn remember(st: &mut State, kind: PromptKind, text: &str) -> Option<Effect> {
    let name = kind.history_name();
    st.history.push(name, text).then(|| Effect::History {
        kind: name,
        entry: text.to_string(),
    })
}

fn submit(st: &mut State, kind: PromptKind) -> Vec<Effect> {
    let text = st.prompt_text();
    let mut fx: Vec<Effect> = remember(st, kind, text.trim()).into_iter().collect();
    fx.extend(run(st, kind, text));
    fx
}

fn run(st: &mut State, kind: PromptKind, text: String) -> Vec<Effect> {
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
                Err(e) => fail(st, 1, e.msg),
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
            Err(e) => fail(st, 1, e.to_string()),
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
        PromptKind::Count => {
            if text.trim().is_empty() {
                return fail(st, 1, "which field? (Tab completes names)");
            }
            st.mode = Mode::Normal;
            counts::start(st, &text)
        }
    }
}
