//! The case file from the UI's side: what to ask for (open, journal, save: effects) and
//! what to do with the answers (`CaseOpened`, `Journalled`, `Saved`). The marker or
//! "saved" appears only once the effect runner reports that the write returned Ok.

use super::annotate::{ask_case_path, begin_annotate, begin_mark};
use super::jobs::{current_filter, run_filter};
use crate::case::{Decision, OpenReport, SourceEntry};
use crate::query::QueryError;
use crate::timeline::filter::Filter;
use crate::tui::action::{CaseIoError, Effect, JournalOp, SaveRequest};
use crate::tui::annotations::AnnIndex;
use crate::tui::state::{CaseInfo, Mode, PromptKind, State, Then};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rebuilds the annotation index (after a change or a merge of new sources).
pub fn rebuild_marks(st: &mut State) {
    let reviews = st
        .case
        .info
        .as_ref()
        .map_or(&[][..], |c| &c.file.reviews[..]);
    st.case.marks = Arc::new(AnnIndex::build(
        st.case.annotations(),
        reviews,
        &st.timeline,
    ));
    // The detail pane shows annotations: rebuild it.
    st.detail.lines = None;
    st.case.unsaved = st.case.info.as_ref().is_some_and(|c| c.dirty);
}

/// Takes an opened case: its notes go to the status line.
fn set_case(st: &mut State, case: CaseInfo, report: &OpenReport) {
    let n = case.annotations().len();
    let mut msg = if report.existed || report.replayed > 0 {
        format!("case {}: {n} annotation(s)", case.path.display())
    } else {
        format!("new case file {}", case.path.display())
    };
    for note in &report.notes {
        msg.push_str("; ");
        msg.push_str(note);
    }
    st.case.info = Some(case);
    rebuild_marks(st);
    st.info(msg);
}

/// A case was opened: at start (its saved filter and place come back), or after the
/// case path prompt (what asked for it continues).
pub fn opened(
    st: &mut State,
    typed: &Path,
    result: Result<(CaseInfo, OpenReport), CaseIoError>,
    at_start: bool,
) -> Vec<Effect> {
    let then = st.case.then.take();
    let (case, report) = match result {
        Ok(r) => r,
        // Asked by the case path prompt: it opens again on what was typed, with why.
        Err(e) if then.is_some() => {
            st.case.then = then;
            st.open_prompt(PromptKind::CasePath, &typed.to_string_lossy());
            st.prompt.error = Some(QueryError {
                col: 1,
                msg: e.to_string(),
            });
            return Vec::new();
        }
        Err(e) => {
            st.error(format!("cannot use the case file: {e}"));
            return Vec::new();
        }
    };
    let view = case.file.view.clone();
    set_case(st, case, &report);
    if at_start {
        st.table.resume_at = view.cursor_ts;
        // The columns chosen when it was saved (a value this TUI cannot read is left).
        if let Some(c) = view
            .extra
            .get("columns")
            .and_then(|v| v.as_str())
            .and_then(|s| crate::tui::columns::ColumnSet::parse(s).ok())
        {
            st.table.cols = c;
        }
        // Missing evidence is reported once loading has finished (`check_sources`).
        return match view
            .filter
            .and_then(|f| Filter::parse(&f, &st.zone().1).ok())
        {
            Some(f) => run_filter(st, Arc::new(f)),
            None => Vec::new(),
        };
    }
    match then {
        Some(Then::Mark) => begin_mark(st),
        Some(Then::Annotate) => begin_annotate(st),
        Some(Then::Save) => return vec![save_effect(st)],
        Some(Then::Review(d)) => return super::cands::resume(st, d),
        Some(Then::Open) | None => {}
    }
    Vec::new()
}

/// A filter on annotations (`mark:`, `tag:`, `annotated`) runs again when they change.
fn refilter(st: &mut State) -> Vec<Effect> {
    match current_filter(st).filter(|f| f.query().uses_annotations()) {
        Some(f) => {
            let msg = st.msg.clone();
            let fx = run_filter(st, f);
            st.msg = msg;
            fx
        }
        None => Vec::new(),
    }
}

pub fn journalled(
    st: &mut State,
    op: JournalOp,
    result: Result<CaseInfo, CaseIoError>,
) -> Vec<Effect> {
    let case = match result {
        Ok(c) => c,
        Err(e) => {
            st.error(match op {
                JournalOp::Upsert(_) => format!("annotation NOT saved: journal write failed: {e}"),
                JournalOp::Delete { .. } => format!("NOT deleted: journal write failed: {e}"),
                JournalOp::Review { decision, .. } => {
                    format!("NOT {}: journal write failed: {e}", decision.id())
                }
            });
            return Vec::new();
        }
    };
    let journal = case.journal_path.display().to_string();
    st.case.info = Some(case);
    rebuild_marks(st);
    match op {
        JournalOp::Upsert(kind) => st.info(format!(
            "{} saved (journal {journal}); s writes the case file",
            kind.id()
        )),
        JournalOp::Delete { existed } => {
            let n = st.case.annotations().len();
            st.list.sel = st.list.sel.min(n.saturating_sub(1));
            if n == 0 && st.mode == Mode::AnnList {
                st.mode = Mode::Normal;
            }
            st.info(if existed {
                "annotation deleted"
            } else {
                "annotation was already gone"
            });
        }
        JournalOp::Review {
            decision,
            annotated,
        } => st.info(match (decision, annotated) {
            (Decision::Accepted, true) => {
                format!("accepted: early-detection point saved with its reason (journal {journal})")
            }
            (Decision::Accepted, false) => {
                format!("accepted (the event keeps its annotation; journal {journal})")
            }
            (Decision::Dismissed, _) => format!("dismissed (journal {journal})"),
        }),
    }
    refilter(st)
}

pub fn saved(st: &mut State, result: Result<CaseInfo, CaseIoError>) {
    let quit = std::mem::take(&mut st.case.quit_after_save);
    match result {
        Ok(case) => {
            let n = case.annotations().len();
            let path = case.path.display().to_string();
            st.case.info = Some(case);
            st.case.unsaved = false;
            st.info(format!("saved {path} ({n} annotation(s))"));
            st.quit |= quit;
        }
        Err(e) => {
            st.case.unsaved = true;
            let journal = st.case.info.as_ref().is_some_and(|c| c.journal_written);
            st.error(if journal {
                format!("NOT saved: {e} (annotations are safe in the journal)")
            } else {
                format!("NOT saved: {e}")
            });
        }
    }
}

/// `:w PATH` wrote a copy, or `:case PATH` moved the case.
pub fn saved_to(st: &mut State, moved: bool, result: Result<(CaseInfo, PathBuf), CaseIoError>) {
    match result {
        Ok((case, path)) => {
            let n = case.annotations().len();
            let from = case.path.display().to_string();
            st.case.info = Some(case);
            rebuild_marks(st);
            let to = path.display();
            st.info(if moved {
                format!("the case file is now {to} ({n} annotation(s))")
            } else if st.case.unsaved {
                format!("wrote a copy to {to} ({n} annotation(s)); {from} is not saved")
            } else {
                format!("saved {to} ({n} annotation(s))")
            });
        }
        Err(e) => st.error(format!("NOT written: {e}")),
    }
}

/// `:w PATH` and `:case PATH`: without a case yet, the case is made there.
pub fn save_to(st: &mut State, path: &str, move_there: bool) -> Vec<Effect> {
    if st.case.info.is_none() {
        st.case.then = Some(if move_there { Then::Open } else { Then::Save });
        return vec![Effect::OpenCase(path.into())];
    }
    vec![Effect::SaveCaseTo {
        req: Box::new(save_request(st)),
        path: path.into(),
        move_there,
    }]
}

/// `s`: asks for a path first when there is no case yet.
pub fn save(st: &mut State) -> Vec<Effect> {
    if st.case.info.is_none() {
        ask_case_path(st, Then::Save);
        return Vec::new();
    }
    vec![save_effect(st)]
}

/// What the case file records of this session: sources, filter, cursor and zone.
pub fn save_request(st: &State) -> SaveRequest {
    let opts = &st.config.ingest;
    let sources = st
        .timeline
        .sources
        .iter()
        .map(|s| SourceEntry {
            path: s.label.clone(),
            sha256: s.report.sha256.clone(),
            bytes: s.report.bytes,
            format: s.report.format.clone(),
            tz: opts.tz_for(&s.label).to_string(),
            skew: opts.skew_for(&s.label).unwrap_or(0),
        })
        .collect();
    SaveRequest {
        sources,
        filter: st.query.filter.clone(),
        cursor_ts: st.cursor_ts(),
        display_tz: st.zone().1.to_string(),
        columns: st.table.cols.to_text(),
    }
}

fn save_effect(st: &State) -> Effect {
    Effect::SaveCase(Box::new(save_request(st)))
}

/// Once every source is loaded and merged: recorded sources whose SHA-256 differs from
/// what was loaded (or that were not loaded) join the missing ones found at start, and
/// the status line says so; annotations on them are kept. Before that, a source still on
/// its way is not news.
pub fn check_sources(st: &mut State) {
    for cs in &st.case.sources {
        let loaded = st
            .timeline
            .sources
            .iter()
            .find(|s| s.label == cs.label || s.label == cs.recorded);
        let problem = match loaded {
            Some(s) if !s.report.sha256.eq_ignore_ascii_case(&cs.sha256) => {
                format!("changed (SHA-256 differs) {}", cs.recorded)
            }
            None if cs.expect_loaded => format!("not loaded {}", cs.recorded),
            _ => continue,
        };
        if !st.case.problems.contains(&problem) {
            st.case.problems.push(problem);
        }
    }
    show_problems(st);
}

/// Puts the first evidence problem (and how many more) in the status line.
fn show_problems(st: &mut State) {
    if let Some(first) = st.case.problems.first() {
        let n = st.case.problems.len();
        let more = if n > 1 {
            format!(" (+{} more)", n - 1)
        } else {
            String::new()
        };
        let msg = format!("evidence {first}{more}: its annotations are kept (A lists them)");
        st.error(msg);
    }
}
