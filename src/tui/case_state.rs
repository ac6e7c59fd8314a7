//! The TUI's view of the case: the annotation form, the open case file as last written,
//! its recorded sources, and what to do once the case path is known. A read-only copy
//! (see `state`): the effect runner owns the file.

use super::annotations::AnnIndex;
use crate::case::{Annotation, CaseFile, Kind};
use ratatui_textarea::TextArea;
use std::path::PathBuf;
use std::sync::Arc;

/// What to continue with once the case file's path is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    Mark,
    Annotate,
    Save,
    /// Nothing more (`:case PATH`).
    Open,
    /// Review the selected candidate (`m` / `x` in the candidates view).
    Review(crate::case::Decision),
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
        let mut note = plain(ann.note.lines().map(str::to_owned).collect());
        // A note is prose: long lines wrap in the box instead of running off its edge.
        note.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
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

/// The open case as last written to disk (journal or file) by the effect runner.
#[derive(Clone, Debug)]
pub struct CaseInfo {
    pub path: PathBuf,
    pub journal_path: PathBuf,
    pub file: CaseFile,
    /// Changes not in the case file yet.
    pub dirty: bool,
    /// The journal on disk holds changes (replayed, or appended since the last save).
    pub journal_written: bool,
}

impl CaseInfo {
    /// All annotations in (event time, id) order.
    pub fn annotations(&self) -> &[Annotation] {
        &self.file.annotations
    }

    pub fn get(&self, id: &str) -> Option<&Annotation> {
        self.file.annotations.iter().find(|a| a.id == id)
    }
}

/// A source recorded in the case file, as found on disk at start.
#[derive(Clone, Debug)]
pub struct CaseSource {
    /// As recorded in the case file.
    pub recorded: String,
    /// The label ingest gives it (the resolved path).
    pub label: String,
    pub sha256: String,
    /// It was given to ingest (reopening `CASE.vigil.json`), so not loading it is news.
    pub expect_loaded: bool,
}

/// The case file and the annotations on the timeline.
#[derive(Default)]
pub struct CaseState {
    /// The open case file, if any.
    pub info: Option<CaseInfo>,
    /// Annotated events of the current timeline (rebuilt on change and merge).
    pub marks: Arc<AnnIndex>,
    /// What to do once the case path prompt is answered.
    pub then: Option<Then>,
    /// The case's recorded sources, checked against what ingest loaded.
    pub sources: Vec<CaseSource>,
    /// Evidence recorded in the case that is missing or changed.
    pub problems: Vec<String>,
    /// The recorded sources were checked against what loaded (done once loading ends).
    pub sources_checked: bool,
    /// The case has changes not yet saved to its file (`q` asks when true).
    pub unsaved: bool,
    /// `:wq`: quit once the save succeeded.
    pub quit_after_save: bool,
}

impl CaseState {
    pub fn annotations(&self) -> &[Annotation] {
        self.info.as_ref().map_or(&[], |c| c.annotations())
    }
}
