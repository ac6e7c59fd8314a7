//! The export dialog (`e`): a format key, then the path; the file is written by a worker.

use crate::case::Annotation;
use crate::tui::action::{Effect, ExportAnns};
use crate::tui::keymap::{Command, Layer};
use crate::tui::state::{ExportFormat, Mode, PromptKind, State};
use ratatui::crossterm::event::KeyEvent;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportCmd {
    Format(ExportFormat),
    Cancel,
}

impl Command for ExportCmd {
    const LAYER: Layer = Layer::Export;
    const ALL: &'static [(Self, &'static str)] = &[
        (ExportCmd::Format(ExportFormat::Jsonl), "jsonl"),
        (ExportCmd::Format(ExportFormat::Csv), "csv"),
        (ExportCmd::Cancel, "cancel"),
    ];
}

/// `e`: format first (one key), then the path.
pub fn begin_export(st: &mut State) {
    if st.rows() == 0 {
        st.error("nothing to export: the view is empty");
        return;
    }
    st.mode = Mode::ExportFormat;
}

pub fn format_key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let fmt = match st.keymap.command::<ExportCmd>(&k) {
        Some(ExportCmd::Format(f)) => f,
        Some(ExportCmd::Cancel) => {
            st.mode = Mode::Normal;
            st.info("export cancelled");
            return Vec::new();
        }
        None => return Vec::new(),
    };
    st.export_format = fmt;
    let ext = match fmt {
        ExportFormat::Jsonl => "jsonl",
        ExportFormat::Csv => "csv",
    };
    st.open_prompt(PromptKind::ExportPath, &format!("./vigil-export.{ext}"));
    Vec::new()
}

/// The export of the current view to `path`, on a worker thread.
pub fn export_to(st: &mut State, path: &str) -> Vec<Effect> {
    let path = path.trim();
    if path.is_empty() {
        st.error("export: no path given");
        return Vec::new();
    }
    st.info(format!("exporting {} events to {path}...", st.rows()));
    vec![Effect::Export {
        timeline: st.timeline.clone(),
        view: st.table.view.clone(),
        anns: export_annotations(st),
        format: st.export_format,
        path: path.into(),
    }]
}

pub fn done(st: &mut State, r: Result<String, String>) {
    match r {
        Ok(m) => st.info(m),
        Err(e) => st.error(e),
    }
}

/// Annotations by the timeline event they are on.
fn export_annotations(st: &State) -> ExportAnns {
    let mut m: HashMap<u32, Vec<Annotation>> = HashMap::new();
    for a in st.case.annotations() {
        if let Some(ev) = st
            .case
            .marks
            .event_of(&a.id)
            .and_then(|e| u32::try_from(e).ok())
        {
            m.entry(ev).or_default().push(a.clone());
        }
    }
    Arc::new(m)
}
