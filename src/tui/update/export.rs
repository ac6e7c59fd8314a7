//! The export dialog (`e`): a format key, then the path; the file is written by a worker
//! through `export::to_file`. A path that exists is asked about (y/n) and written with
//! `force` on yes; evidence, the case file and its journal are refused.

use crate::export::{self, ExportError, Format};
use crate::tui::action::Effect;
use crate::tui::commands::commands;
use crate::tui::state::{Confirm, Mode, PromptKind, State};
use ratatui::crossterm::event::KeyEvent;
use std::path::{Path, PathBuf};
use std::sync::Arc;

commands! {
    pub enum ExportCmd in Export {
        Format(Format) [
            Format::Jsonl => "jsonl", Format::Csv => "csv", Format::Timesketch => "timesketch",
        ],
        Cancel = "cancel",
    }
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
    let name = format!("./{}", fmt.default_file_name());
    st.open_prompt(PromptKind::ExportPath, &name);
    Vec::new()
}

/// The export of the current view to `path`, on a worker thread; `force` replaces an
/// existing file (the user said yes).
pub fn export_to(st: &mut State, path: &str, force: bool) -> Vec<Effect> {
    let path = path.trim();
    if path.is_empty() {
        st.error("export: no path given");
        return Vec::new();
    }
    // The case's annotations go along as the table shows them: with annotation columns
    // once an annotation sits on a loaded event.
    let case = st
        .case
        .info
        .as_ref()
        .filter(|_| !st.case.marks.is_empty())
        .map(|c| Arc::new(c.file.clone()));
    st.info(format!("exporting {} events to {path}...", st.rows()));
    // Hits go along only when the run covered every event the export may write.
    let d = &st.detect;
    let detections = d
        .rules
        .clone()
        .zip(d.hits.clone())
        .filter(|(_, h)| h.covered() == st.timeline.len());
    vec![Effect::Export {
        timeline: st.timeline.clone(),
        view: st.table.view.clone(),
        case,
        detections,
        format: st.export_format,
        path: path.into(),
        force,
    }]
}

pub fn done(st: &mut State, path: PathBuf, r: Result<export::Summary, ExportError>) {
    match r {
        Ok(s) => st.info(format!("exported {} events to {}", s.rows, path.display())),
        // Asked now if nothing else is on screen; else said, and `e` asks next time.
        // (`confirm` answers it and calls `overwrite`.)
        Err(e) if e.is_exists() && st.mode == Mode::Normal => {
            st.confirm = Some(Confirm::Overwrite(path));
            st.mode = Mode::Confirm;
        }
        Err(e) if e.is_exists() => st.error(format!("{} exists: not replaced", path.display())),
        Err(e) => st.error(format!("export NOT written: {e}")),
    }
}

/// The answer to "exists: replace it?".
pub fn overwrite(st: &mut State, path: &Path, yes: bool) -> Vec<Effect> {
    st.mode = Mode::Normal;
    if yes {
        export_to(st, &path.to_string_lossy(), true)
    } else {
        st.info(format!(
            "export cancelled; {} left as it was",
            path.display()
        ));
        Vec::new()
    }
}
