//! Moving among annotations (`u`/`U`) and the annotation list (`A`): jump, edit, delete.

use super::annotate::begin_edit;
use super::confirm;
use crate::tui::action::Effect;
use crate::tui::commands::commands;
use crate::tui::state::{Confirm, Mode, State};
use ratatui::crossterm::event::KeyEvent;

commands! {
    pub enum ListCmd in List with [Down, Up, PageDown, PageUp, First, Last] {
        Go = "go", Edit = "edit", Delete = "delete", Close = "close",
    }
}

/// `u` (forward) / `U`: the next annotated event in the current view, wrapping around.
pub fn jump(st: &mut State, forward: bool) {
    let anns = st.case.annotations().len();
    if anns == 0 {
        st.info("no annotations yet: m marks an early-detection point, a annotates");
        return;
    }
    // Annotated events that the view shows, as rows (ascending: events are in view order).
    let rows: Vec<usize> = st
        .case
        .marks
        .events()
        .iter()
        .filter_map(|&e| st.row_of_event(e as usize))
        .collect();
    if rows.is_empty() {
        let hidden = if st.table.view.is_some() {
            "none in the current view (F clears the filter)"
        } else {
            "none on a loaded event (evidence missing: A lists them)"
        };
        st.error(format!("{anns} annotation(s), {hidden}"));
        return;
    }
    let cur = st.table.cursor;
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
    st.table.cursor = target;
    set_anchor(st, target);
    let pos = rows.iter().position(|&r| r == target).map_or(0, |p| p + 1);
    let mut m = format!("annotation {pos}/{} in view", rows.len());
    if wrapped {
        m.push_str(" (wrapped around)");
    }
    st.info(m);
}

/// The relative-time column measures from the annotation on `row`.
fn set_anchor(st: &mut State, row: usize) {
    let Some(ev) = st.event_of_row(row) else {
        return;
    };
    let marks = st.case.marks.on(ev);
    let pick = marks
        .iter()
        .find(|m| m.kind == crate::case::Kind::EarlyDetection)
        .or(marks.first());
    if let Some(m) = pick {
        st.table.anchor = Some(m.id.clone());
    }
}

pub fn open_list(st: &mut State) {
    let anns = st.case.annotations();
    if anns.is_empty() {
        st.info("no annotations yet: m marks an early-detection point, a annotates");
        return;
    }
    // Start on the cursor's annotation, else the first one at or after its time.
    let ev = st.cursor_event();
    let ts = st.cursor_ts().unwrap_or(i64::MIN);
    st.list.sel = anns
        .iter()
        .position(|a| ev.is_some() && st.case.marks.event_of(&a.id) == ev)
        .unwrap_or_else(|| anns.partition_point(|a| a.key.ts < ts))
        .min(anns.len().saturating_sub(1));
    st.mode = Mode::AnnList;
}

/// Rows of the list on screen (its box leaves two lines around it, plus its borders).
fn page(st: &State) -> usize {
    (st.size.1 as usize).saturating_sub(6).max(1)
}

pub fn list_key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let anns = st.case.annotations();
    let n = anns.len();
    let sel = anns.get(st.list.sel).cloned();
    match st.keymap.command::<ListCmd>(&k) {
        Some(ListCmd::Close) => st.mode = Mode::Normal,
        Some(ListCmd::Nav(nav)) => st.list.sel = nav.apply(st.list.sel, n, page(st)),
        Some(ListCmd::Go) => {
            let Some(a) = sel else { return Vec::new() };
            match st.case.marks.event_of(&a.id) {
                None => st.error("its evidence is not loaded: shown from the case file's copy"),
                Some(ev) => match st.row_of_event(ev) {
                    Some(r) => {
                        st.table.cursor = r;
                        st.table.anchor = Some(a.id.clone());
                        st.mode = Mode::Normal;
                        st.msg = None;
                    }
                    None => st.error("that event is hidden by the filter (F clears it)"),
                },
            }
        }
        Some(ListCmd::Edit) => {
            if let Some(a) = sel {
                begin_edit(st, a);
            }
        }
        Some(ListCmd::Delete) => {
            if let Some(a) = sel {
                confirm::ask(st, Confirm::Delete(a.id));
            }
        }
        None => {}
    }
    Vec::new()
}
