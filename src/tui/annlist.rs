//! Moving among annotations (`u`/`U`), the annotation list (`A`), saving (`s`) and the
//! export dialog (`e`). No I/O: journal, save and export writes are effects.

use super::annotate::{Then, ask_case_path, begin_edit};
use super::app::{Effect, ExportFormat, Mode, PromptKind, State, open_prompt};
use ratatui::crossterm::event::{KeyCode, KeyEvent};

/// `u` (forward) / `U`: the next annotated event in the current view, wrapping around.
pub fn jump(st: &mut State, forward: bool) {
    let anns = st.case.as_ref().map_or(0, |c| c.annotations().len());
    if anns == 0 {
        st.info("no annotations yet: m marks an early-detection point, a annotates");
        return;
    }
    // Annotated events that the view shows, as rows (ascending: events are in view order).
    let rows: Vec<usize> = st
        .marks
        .events()
        .iter()
        .filter_map(|&e| match &st.view {
            Some(v) => v.binary_search(&e).ok(),
            None => Some(e as usize),
        })
        .collect();
    if rows.is_empty() {
        let hidden = if st.view.is_some() {
            "none in the current view (F clears the filter)"
        } else {
            "none on a loaded event (evidence missing: A lists them)"
        };
        st.error(format!("{anns} annotation(s), {hidden}"));
        return;
    }
    let cur = st.cursor;
    let (target, wrapped) = if forward {
        match rows.iter().find(|&&r| r > cur) {
            Some(&r) => (r, false),
            None => (rows[0], true),
        }
    } else {
        match rows.iter().rev().find(|&&r| r < cur) {
            Some(&r) => (r, false),
            None => (rows[rows.len() - 1], true),
        }
    };
    st.cursor = target;
    let pos = rows.iter().position(|&r| r == target).map_or(0, |p| p + 1);
    let mut m = format!("annotation {pos}/{} in view", rows.len());
    if wrapped {
        m.push_str(" (wrapped around)");
    }
    st.info(m);
}

pub fn open_list(st: &mut State) {
    if st.case.as_ref().is_none_or(|c| c.annotations().is_empty()) {
        st.info("no annotations yet: m marks an early-detection point, a annotates");
        return;
    }
    // Start on the cursor's annotation, else the first one at or after its time.
    let anns = st.case.as_ref().map(|c| c.annotations()).unwrap_or(&[]);
    let ev = st.cursor_event();
    let ts = st.cursor_ts().unwrap_or(i64::MIN);
    st.list_sel = anns
        .iter()
        .position(|a| ev.is_some() && st.marks.event_of(&a.id) == ev)
        .unwrap_or_else(|| anns.partition_point(|a| a.key.ts < ts))
        .min(anns.len().saturating_sub(1));
    st.mode = Mode::AnnList;
}

pub fn list_key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let anns = st.case.as_ref().map(|c| c.annotations()).unwrap_or(&[]);
    let n = anns.len();
    let sel = anns.get(st.list_sel).cloned();
    match k.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('A') => st.mode = Mode::Normal,
        KeyCode::Char('j') | KeyCode::Down => {
            st.list_sel = (st.list_sel + 1).min(n.saturating_sub(1))
        }
        KeyCode::Char('k') | KeyCode::Up => st.list_sel = st.list_sel.saturating_sub(1),
        KeyCode::Char('g') | KeyCode::Home => st.list_sel = 0,
        KeyCode::Char('G') | KeyCode::End => st.list_sel = n.saturating_sub(1),
        KeyCode::Enter => {
            let Some(a) = sel else { return Vec::new() };
            match st.marks.event_of(&a.id) {
                None => st.error("its evidence is not loaded: shown from the case file's copy"),
                Some(ev) => {
                    let row = match &st.view {
                        Some(v) => u32::try_from(ev)
                            .ok()
                            .and_then(|e| v.binary_search(&e).ok()),
                        None => Some(ev),
                    };
                    match row {
                        Some(r) => {
                            st.cursor = r;
                            st.mode = Mode::Normal;
                            st.msg = None;
                        }
                        None => st.error("that event is hidden by the filter (F clears it)"),
                    }
                }
            }
        }
        KeyCode::Char('e') => {
            if let Some(a) = sel {
                begin_edit(st, a);
            }
        }
        KeyCode::Char('d') if sel.is_some() => st.mode = Mode::ConfirmDelete,
        _ => {}
    }
    Vec::new()
}

pub fn confirm_delete_key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    st.mode = Mode::AnnList;
    if !matches!(k.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
        st.info("delete cancelled");
        return Vec::new();
    }
    let id = st
        .case
        .as_ref()
        .and_then(|c| c.annotations().get(st.list_sel))
        .map(|a| a.id.clone());
    match id {
        Some(id) => vec![Effect::Delete(id)],
        None => Vec::new(),
    }
}

/// `s`: asks for a path first when there is no case yet.
pub fn save(st: &mut State) -> Vec<Effect> {
    if st.case.is_none() {
        ask_case_path(st, Then::Save);
        return Vec::new();
    }
    vec![Effect::SaveCase]
}

/// `e`: format first (one key), then the path.
pub fn begin_export(st: &mut State) {
    if st.rows() == 0 {
        st.error("nothing to export: the view is empty");
        return;
    }
    st.mode = Mode::ExportFormat;
}

pub fn export_format_key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let fmt = match k.code {
        KeyCode::Char('j') => ExportFormat::Jsonl,
        KeyCode::Char('c') => ExportFormat::Csv,
        KeyCode::Esc => {
            st.mode = Mode::Normal;
            st.info("export cancelled");
            return Vec::new();
        }
        _ => return Vec::new(),
    };
    st.export_format = fmt;
    let ext = match fmt {
        ExportFormat::Jsonl => "jsonl",
        ExportFormat::Csv => "csv",
    };
    open_prompt(st, PromptKind::ExportPath, &format!("./vigil-export.{ext}"));
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
        view: st.view.clone(),
        anns: st.export_annotations(),
        format: st.export_format,
        path: path.into(),
    }]
}
