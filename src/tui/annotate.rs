//! Annotating (no I/O here): `m` asks a severity and marks an early-detection point, `a`
//! opens the form (kind picker, then tags and a multi-line note). A finished form becomes
//! an `Effect::Upsert`, which the executor journals (fsync) before the marker shows.
//! Without a case file the first `m`/`a` asks for its path, so nothing is ever unjournalled.

use super::app::{Effect, Mode, PromptKind, State, open_prompt};
use crate::case::{Annotation, EventCopy, Kind, Severity};
use crate::model::Norm;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

/// What to continue with once the case file's path is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    Mark,
    Annotate,
    Save,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormField {
    Tags,
    Note,
}

/// The annotation being made or edited.
#[derive(Clone, Debug)]
pub struct AnnForm {
    /// New, or a copy of the stored one (pre-filled) when editing.
    pub ann: Annotation,
    pub editing: bool,
    pub kind_sel: usize,
    pub tags: TextArea<'static>,
    pub note: TextArea<'static>,
    pub field: FormField,
}

pub const DEFAULT_CASE: &str = "./case.vigil.json";

fn plain(lines: Vec<String>) -> TextArea<'static> {
    let mut ta = TextArea::new(lines);
    ta.set_cursor_line_style(ratatui::style::Style::default());
    ta.move_cursor(ratatui_textarea::CursorMove::Bottom);
    ta.move_cursor(ratatui_textarea::CursorMove::End);
    ta
}

impl AnnForm {
    pub fn new(ann: Annotation, editing: bool) -> AnnForm {
        let kind_sel = Kind::ALL.iter().position(|k| *k == ann.kind).unwrap_or(0);
        let tags = plain(vec![ann.tags.join(", ")]);
        let note = plain(ann.note.lines().map(str::to_owned).collect());
        AnnForm {
            ann,
            editing,
            kind_sel,
            tags,
            note,
            field: FormField::Tags,
        }
    }

    /// The annotation with the form's kind, tags and note.
    pub fn finish(&self) -> Annotation {
        let mut a = self.ann.clone();
        a.kind = Kind::ALL.get(self.kind_sel).copied().unwrap_or(a.kind);
        a.tags.clear();
        for t in self.tags.lines().join(",").split(',') {
            a.add_tag(t);
        }
        a.note = self.note.lines().join("\n").trim_end().to_owned();
        if self.editing {
            a.touch();
        }
        a
    }
}

/// A fresh annotation on the selected event, or `None` (with a message) when there is no
/// event or no case yet (then the case path is asked for and `then` follows).
fn new_for_cursor(st: &mut State, kind: Kind, then: Then) -> Option<Annotation> {
    let Some(ev) = st.cursor_event() else {
        st.error("no event to annotate");
        return None;
    };
    if st.case.is_none() {
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
    let case = st.case.as_ref()?;
    Some(case.new_annotation(key, copy, kind))
}

pub fn ask_case_path(st: &mut State, then: Then) {
    st.case_then = Some(then);
    open_prompt(st, PromptKind::CasePath, DEFAULT_CASE);
    st.info("annotations are journalled at once: where should the case file live?");
}

/// The stored annotations on the cursor's event (ids), early-detection first.
fn on_cursor(st: &State, kind: Option<Kind>) -> Option<Annotation> {
    let ev = st.cursor_event()?;
    let case = st.case.as_ref()?;
    let marks = st.marks.on(ev);
    let pick = match kind {
        Some(k) => marks.iter().find(|m| m.kind == k),
        None => marks.first(),
    }?;
    case.get(&pick.id).cloned()
}

/// `m`: severity picker for an early-detection point (an existing one is re-graded).
pub fn begin_mark(st: &mut State) {
    let existing = on_cursor(st, Some(Kind::EarlyDetection));
    let form = match existing {
        Some(a) => AnnForm::new(a, true),
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
    let form = match on_cursor(st, None) {
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
    let sev = match k.code {
        KeyCode::Esc => return cancel(st, "mark"),
        KeyCode::Char('l') => Severity::Low,
        KeyCode::Char('m') => Severity::Medium,
        KeyCode::Char('h') => Severity::High,
        KeyCode::Char('c') => Severity::Critical,
        _ => return Vec::new(),
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
    let Some(form) = st.form.as_mut() else {
        st.mode = Mode::Normal;
        return Vec::new();
    };
    match k.code {
        KeyCode::Esc => return cancel(st, "annotation"),
        KeyCode::Char('j') | KeyCode::Down => form.kind_sel = (form.kind_sel + 1) % n,
        KeyCode::Char('k') | KeyCode::Up => form.kind_sel = (form.kind_sel + n - 1) % n,
        // A digit only chooses, as the hint says ("1-8 choose, Enter next"): advancing
        // too would send the Enter that follows into the tags line.
        KeyCode::Char(c @ '1'..='8') => form.kind_sel = (c as usize - '1' as usize).min(n - 1),
        KeyCode::Enter => st.mode = Mode::AnnEdit,
        _ => {}
    }
    Vec::new()
}

/// Keys that finish the form: F2 and Ctrl-D work over tmux and SSH (Ctrl-S can be eaten
/// by XON/XOFF flow control), Alt-Enter where the terminal sends it.
fn is_finish(k: &KeyEvent) -> bool {
    k.code == KeyCode::F(2)
        || (k.code == KeyCode::Char('d') && k.modifiers.contains(KeyModifiers::CONTROL))
        || (k.code == KeyCode::Enter && k.modifiers.contains(KeyModifiers::ALT))
}

pub fn edit_key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    if k.code == KeyCode::Esc {
        return cancel(st, "annotation");
    }
    let Some(form) = st.form.as_mut() else {
        st.mode = Mode::Normal;
        return Vec::new();
    };
    if is_finish(&k) {
        let a = form.finish();
        st.form = None;
        st.mode = Mode::Normal;
        return vec![Effect::Upsert(Box::new(a))];
    }
    match (form.field, k.code) {
        (_, KeyCode::Tab) | (_, KeyCode::BackTab) => {
            form.field = match form.field {
                FormField::Tags => FormField::Note,
                FormField::Note => FormField::Tags,
            }
        }
        // Tags are one line: Enter moves on to the note.
        (FormField::Tags, KeyCode::Enter) => form.field = FormField::Note,
        (FormField::Tags, _) => {
            form.tags.input(k);
        }
        (FormField::Note, _) => {
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
