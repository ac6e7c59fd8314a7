//! Runs effects: filters and searches on worker threads, cancellable, latest wins (a new
//! job of a kind cancels the previous one, and `update` drops results of older `job`s).
//! `run_sync` runs the same jobs inline, for tests and scripted use.

use super::app::{Action, Effect, ExportFormat, State, update};
use super::casefx::ExportAnns;
use crate::timeline::Timeline;
use crate::timeline::filter;
use crate::timeline::search;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;

pub struct Executor {
    tx: Sender<Action>,
    filter_cancel: Option<Arc<AtomicBool>>,
    search_cancel: Option<Arc<AtomicBool>>,
    /// Events examined by the running filter (for its progress).
    pub filter_done: Arc<AtomicUsize>,
    /// Events indexed by the free-text index build.
    pub index_done: Arc<AtomicUsize>,
}

fn cancel(flag: &mut Option<Arc<AtomicBool>>) {
    if let Some(f) = flag.take() {
        f.store(true, Ordering::Relaxed);
    }
}

impl Executor {
    pub fn new(tx: Sender<Action>) -> Executor {
        Executor {
            tx,
            filter_cancel: None,
            search_cancel: None,
            filter_done: Arc::new(AtomicUsize::new(0)),
            index_done: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn run(&mut self, effects: Vec<Effect>) {
        for e in effects {
            let flag = Arc::new(AtomicBool::new(false));
            match &e {
                Effect::CancelJobs => {
                    cancel(&mut self.filter_cancel);
                    cancel(&mut self.search_cancel);
                    continue;
                }
                Effect::Filter { .. } => {
                    cancel(&mut self.filter_cancel);
                    self.filter_cancel = Some(flag.clone());
                    // A fresh counter, so that a cancelled job cannot move the new bar.
                    self.filter_done = Arc::new(AtomicUsize::new(0));
                }
                Effect::Search { .. } => {
                    cancel(&mut self.search_cancel);
                    self.search_cancel = Some(flag.clone());
                }
                Effect::Export { .. } | Effect::BuildIndex(_) => {}
                // Case effects are run by `dispatch` before reaching here.
                _ => continue,
            }
            let done = match e {
                Effect::BuildIndex(_) => self.index_done.clone(),
                _ => self.filter_done.clone(),
            };
            let tx = self.tx.clone();
            std::thread::spawn(move || {
                if let Ok(a) = work(e, &flag, &done) {
                    let _ = tx.send(a);
                }
            });
        }
    }

    pub fn filter_progress(&self) -> usize {
        self.filter_done.load(Ordering::Relaxed)
    }

    pub fn index_progress(&self) -> usize {
        self.index_done.load(Ordering::Relaxed)
    }
}

/// Does the work of a job effect (filter, search, export) where it is called and returns
/// its result; any other effect comes back unchanged.
fn work(e: Effect, cancel: &AtomicBool, done: &AtomicUsize) -> Result<Action, Effect> {
    Ok(match e {
        Effect::Filter {
            job,
            timeline,
            filter,
            marks,
        } => {
            let rows = filter::run(&timeline, &filter, &*marks, cancel, done);
            // Let go of the timeline before reporting, so that it can grow.
            drop(timeline);
            Action::FilterDone { job, rows }
        }
        Effect::Search {
            job,
            timeline,
            view,
            from,
            dir,
            re,
        } => {
            let rows = view.as_deref().map(Vec::as_slice);
            // With the index, list every hit once (for `n`/`N`); without, find the next.
            let hits = search::all_hits(&timeline, rows, &re, cancel);
            let hit = match &hits {
                Some(h) => Some(search::next_in(h, from, dir)),
                None => search::find(&timeline, rows, from, dir, &re, cancel),
            };
            drop(timeline);
            Action::SearchDone {
                job,
                hit,
                hits,
                view,
            }
        }
        Effect::BuildIndex(timeline) => {
            // Not cancellable by other jobs: `CancelJobs` comes with every filter change.
            timeline.build_text_index(&AtomicBool::new(false), done);
            Action::IndexDone
        }
        Effect::Export {
            timeline,
            view,
            anns,
            format,
            path,
        } => Action::ExportDone(export(&timeline, view.as_deref(), &anns, format, &path)),
        other => return Err(other),
    })
}

/// Runs `effects` and everything they lead to inline, until idle.
pub fn run_sync(st: &mut State, effects: Vec<Effect>) {
    let mut queue: VecDeque<Effect> = effects.into();
    let no = AtomicBool::new(false);
    while let Some(e) = queue.pop_front() {
        if matches!(e, Effect::CancelJobs) {
            continue;
        }
        match work(e, &no, &AtomicUsize::new(0)) {
            Ok(action) => queue.extend(update(st, action)),
            Err(case_fx) => {
                let fx = super::casefx::perform(st, case_fx);
                st.refresh();
                queue.extend(fx);
            }
        }
    }
}

/// One action from the loop: update, then its effects.
pub fn step(st: &mut State, exec: &mut Executor, a: Action) {
    let fx = update(st, a);
    dispatch(st, exec, fx);
}

/// Runs case effects here (journal I/O on the UI thread, before anything is shown), and
/// hands the rest to the executor.
pub fn dispatch(st: &mut State, exec: &mut Executor, effects: Vec<Effect>) {
    let mut rest = Vec::new();
    let mut had_case = false;
    let mut queue: VecDeque<Effect> = effects.into();
    while let Some(e) = queue.pop_front() {
        match e {
            Effect::OpenCase { .. }
            | Effect::Upsert(_)
            | Effect::Delete(_)
            | Effect::SaveCase
            | Effect::QuitIfSaved => {
                had_case = true;
                queue.extend(super::casefx::perform(st, e));
            }
            other => rest.push(other),
        }
    }
    if had_case {
        st.refresh();
    }
    exec.run(rest);
}

/// Writes the rows of `view` (every event when `None`) to `path`; the `annotation` of
/// annotated events goes into jsonl objects and extra csv columns.
pub fn export(
    t: &Timeline,
    view: Option<&Vec<u32>>,
    anns: &ExportAnns,
    format: ExportFormat,
    path: &std::path::Path,
) -> Result<String, String> {
    use crate::export::{csv, jsonl};
    use std::io::Write;
    let rows: Vec<usize> = match view {
        Some(v) => v.iter().map(|&e| e as usize).collect(),
        None => (0..t.len()).collect(),
    };
    let fail = |e: std::io::Error| format!("export to {} failed: {e}", path.display());
    let file = std::fs::File::create(path).map_err(fail)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    // The same writers and annotation columns as `vigil export --case`.
    let all: Vec<crate::case::Annotation> = anns.values().flatten().cloned().collect();
    let marks = crate::case::CaseMarks::from_annotations(&all, t);
    let ann = crate::export::annotated::Annotated::without_sources(&marks);
    let ann = (!all.is_empty()).then_some(&ann);
    let items = crate::export::annotated::plan(t, rows.clone(), ann, false, None);
    let r = match format {
        ExportFormat::Jsonl => jsonl::write(t, &items, ann, &mut out),
        ExportFormat::Csv => csv::write(t, &items, ann, &mut out),
    };
    r.and_then(|()| out.flush()).map_err(fail)?;
    Ok(format!(
        "exported {} events to {}",
        rows.len(),
        path.display()
    ))
}

/// Applies an action and runs what follows to idle (tests, scripted use).
pub fn apply_sync(st: &mut State, action: Action) {
    let fx = update(st, action);
    run_sync(st, fx);
}
