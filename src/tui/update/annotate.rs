//! Annotating: `m` asks a severity and marks an early-detection point, `a` opens the form
//! (kind picker, then tags and a multi-line note). A finished form becomes an
//! `Effect::Upsert`, which is journalled (fsync) before the marker shows. Without a case
//! file the first `m`/`a` asks for its path, so nothing is ever unjournalled.
//!
//! On an event that already has an annotation, `m` and `a` both edit it (one annotation
//! per event, never a second by accident): `a` opens its form, `m` asks its severity and
//! makes it an early-detection point, keeping its tags and note. Early-detection points
//! are edited first when an event has several (from a merged case).

use crate::case::{Annotation, EventCopy, Kind, Severity};
use crate::model::Norm;
use crate::tui::action::Effect;
use crate::tui::commands::commands;
use crate::tui::state::{AnnForm, FormField, Mode, PromptKind, State, Then};
use ratatui::crossterm::event::KeyEvent;

pub const DEFAULT_CASE: &str = "./case.vigil.json";

commands! {
    pub enum SeverityCmd in Severity {
        Pick(Severity) [
            Severity::Low => "low", Severity::Medium => "medium", Severity::High => "high",
            Severity::Critical => "critical",
        ],
        Cancel = "cancel",
    }
}

commands! {
    pub enum KindCmd in Kind with [Down, Up, First, Last] {
        /// A digit key: the kind of that number.
        Choose = "choose",
        Next = "next", Cancel = "cancel",
    }
}

commands! {
    pub enum EditorCmd in Editor {
        Finish = "finish", SwitchField = "switch_field",
        /// Enter: on to the note from the tags line; a new line inside the note.
        NextField = "next_field",
        Cancel = "cancel",
    }
}

/// A fresh annotation on the selected event, or `None` (with a message) when there is no
/// event or no case yet (then the case path is asked for and `then` follows).
fn new_for_cursor(st: &mut State, kind: Kind, then: Then) -> Option<Annotation> {
    let Some(ev) = st.cursor_event() else {
        st.error("no event to annotate");
        return None;
    };
    if st.case.info.is_none() {
        ask_case_path(st, then);
        return None;
    }
    let t = &st.timeline;
    let key = t.key(ev)?;
    let f = t.fields(ev);
    let event_id = f.get(Norm::EventId).map_or_else(|| t.tag(ev), Into::into);
    let copy = EventCopy::new(
        key.ts,
        t.source_of(ev).map_or("", |s| s.label.as_str()),
        &t.host(ev),
        &event_id,
        &t.message(ev),
    );
    let mut a = Annotation::new(key, copy, kind, &st.author());
    super::detections::prefill(st, ev, &mut a);
    Some(a)
}

pub fn ask_case_path(st: &mut State, then: Then) {
    st.case.then = Some(then);
    st.open_prompt(PromptKind::CasePath, DEFAULT_CASE);
    st.info("annotations are journalled at once: where should the case file live?");
}

/// The stored annotation on the cursor's event, early-detection first.
fn on_cursor(st: &State) -> Option<Annotation> {
    let ev = st.cursor_event()?;
    let case = st.case.info.as_ref()?;
    let marks = st.case.marks.on(ev);
    let pick = marks
        .iter()
        .find(|m| m.kind == Kind::EarlyDetection)
        .or(marks.first())?;
    case.get(&pick.id).cloned()
}

/// `m`: severity picker for an early-detection point; on an annotated event its
/// annotation is re-graded (made an early-detection point if it was another kind).
pub fn begin_mark(st: &mut State) {
    let existing = on_cursor(st);
    let form = match existing {
        Some(mut a) => {
            a.kind = Kind::EarlyDetection;
            AnnForm::new(a, true)
        }
        None => match new_for_cursor(st, Kind::EarlyDetection, Then::Mark) {
            Some(a) => AnnForm::new(a, false),
            None => return,
        },
    };
    st.form = Some(form);
    st.mode = Mode::Severity;
}

/// `a`: the form, pre-filled when the event already has an annotation.
pub fn begin_annotate(st: &mut State) {
    let form = match on_cursor(st) {
        Some(a) => AnnForm::new(a, true),
        None => match new_for_cursor(st, Kind::Note, Then::Annotate) {
            // The picker starts at the top (early detection) for a new annotation.
            Some(a) => AnnForm {
                kind_sel: 0,
                ..AnnForm::new(a, false)
            },
            None => return,
        },
    };
    st.form = Some(form);
    st.mode = Mode::AnnKind;
}

/// Edits a stored annotation (from the list), evidence loaded or not.
pub fn begin_edit(st: &mut State, a: Annotation) {
    st.form = Some(AnnForm::new(a, true));
    st.mode = Mode::AnnKind;
}

fn cancel(st: &mut State, what: &str) -> Vec<Effect> {
    st.form = None;
    st.mode = Mode::Normal;
    st.info(format!("{what} cancelled"));
    Vec::new()
}

pub fn severity_key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let sev = match st.keymap.command::<SeverityCmd>(&k) {
        Some(SeverityCmd::Pick(s)) => s,
        Some(SeverityCmd::Cancel) => return cancel(st, "mark"),
        None => return Vec::new(),
    };
    let Some(form) = st.form.take() else {
        st.mode = Mode::Normal;
        return Vec::new();
    };
    st.mode = Mode::Normal;
    let mut a = form.finish();
    a.severity = Some(sev);
    vec![Effect::Upsert(Box::new(a))]
}

pub fn kind_key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let n = Kind::ALL.len();
    let cmd = st.keymap.command::<KindCmd>(&k);
    let Some(form) = st.form.as_mut() else {
        st.mode = Mode::Normal;
        return Vec::new();
    };
    match cmd {
        Some(KindCmd::Cancel) => return cancel(st, "annotation"),
        Some(KindCmd::Nav(nav)) => form.kind_sel = nav.apply_wrapping(form.kind_sel, n, n),
        // A digit only chooses, as the hint says: advancing too would send the Enter
        // that follows into the tags line.
        Some(KindCmd::Choose) => {
            if let Some(d) = key_digit(&k) {
                form.kind_sel = d.saturating_sub(1).min(n - 1);
            }
        }
        Some(KindCmd::Next) => st.mode = Mode::AnnEdit,
        None => {}
    }
    Vec::new()
}

fn key_digit(k: &KeyEvent) -> Option<usize> {
    match k.code {
        ratatui::crossterm::event::KeyCode::Char(c) => c.to_digit(10).map(|d| d as usize),
        _ => None,
    }
}

pub fn edit_key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let cmd = st.keymap.command::<EditorCmd>(&k);
    if cmd == Some(EditorCmd::Cancel) {
        return cancel(st, "annotation");
    }
    let Some(form) = st.form.as_mut() else {
        st.mode = Mode::Normal;
        return Vec::new();
    };
    match (cmd, form.field) {
        (Some(EditorCmd::Finish), _) => {
            let a = form.finish();
            st.form = None;
            st.mode = Mode::Normal;
            return vec![Effect::Upsert(Box::new(a))];
        }
        (Some(EditorCmd::SwitchField), _) => {
            form.field = match form.field {
                FormField::Tags => FormField::Note,
                FormField::Note => FormField::Tags,
            }
        }
        // Tags are one line: Enter moves on to the note.
        (Some(EditorCmd::NextField), FormField::Tags) => form.field = FormField::Note,
        (_, FormField::Tags) => {
            form.tags.input(k);
        }
        (_, FormField::Note) => {
            form.note.input(k);
        }
    }
    Vec::new()
}

/// Pasted text in the form: tags get one line, the note keeps its line breaks (control
/// characters other than newlines become spaces; display sanitises the rest).
pub fn paste(st: &mut State, text: &str) {
    let Some(form) = st.form.as_mut() else {
        return;
    };
    let clean = |keep_nl: bool| -> String {
        text.chars()
            .filter(|&c| c != '\r')
            .map(|c| {
                if c.is_control() && !(keep_nl && c == '\n') {
                    ' '
                } else {
                    c
                }
            })
            .collect()
    };
    match form.field {
        FormField::Tags => {
            form.tags.insert_str(clean(false));
        }
        FormField::Note => {
            form.note.insert_str(clean(true));
        }
    }
}
