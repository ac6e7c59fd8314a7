//! Runs effects and returns their results as actions; never touches `State`. Filters,
//! searches, the index build and exports run on worker threads (cancellable, latest wins:
//! a new job of a kind cancels the previous one, and `update` drops results of older
//! `job`s) and report through the event channel. Case I/O runs here at once, on the UI
//! thread (it is small and must finish before anything is shown): this runner owns the
//! open case file and its journal, so the journal write returns before the marker shows.
//! Without a channel (`inline`), jobs run inline too: tests and scripted use.

use super::action::{Action, Effect, ExportAnns, JournalOp, SaveRequest};
use super::casepath::{case_file_path, same_file, write_new};
use super::state::{CaseInfo, ExportFormat};
use crate::case::{Case, OpenReport, SavedFilter};
use crate::ingest::{self, Options, Progress, SourceReport};
use crate::timeline::Timeline;
use crate::timeline::{filter, search};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, PoisonError};

pub struct Effects {
    /// Where worker threads send their results; `None`: run jobs inline.
    tx: Option<Sender<Action>>,
    /// Recorded as the author of the case opened from the input line.
    author: String,
    case: Option<Case>,
    /// The case's journal holds changes the file lacks.
    journal_written: bool,
    filter_cancel: Option<Arc<AtomicBool>>,
    search_cancel: Option<Arc<AtomicBool>>,
    /// Events examined by the running filter (for its progress).
    filter_done: Arc<AtomicUsize>,
    /// Events indexed by the free-text index build.
    index_done: Arc<AtomicUsize>,
    count_cancel: Option<Arc<AtomicBool>>,
    /// Events looked at by the running counts job.
    count_done: Arc<AtomicUsize>,
    /// Where prompt histories are kept (`None`: not kept).
    history_dir: Option<PathBuf>,
    /// A history write failed once already (said once, not at every prompt).
    history_failed: bool,
    /// Where OSC 52 sequences go: the terminal (`None`), or this buffer (tests).
    pub osc: Option<Arc<Mutex<Vec<u8>>>>,
}

fn cancel(flag: &mut Option<Arc<AtomicBool>>) {
    if let Some(f) = flag.take() {
        f.store(true, Ordering::Relaxed);
    }
}

impl Effects {
    /// Jobs on worker threads, reporting on `tx`; histories kept in `history_dir`.
    pub fn threaded(tx: Sender<Action>, author: String, history_dir: Option<PathBuf>) -> Effects {
        Effects {
            tx: Some(tx),
            history_dir,
            osc: None,
            ..Effects::inline(author)
        }
    }

    /// Jobs run where `run` is called; their result is its return value.
    pub fn inline(author: String) -> Effects {
        Effects {
            tx: None,
            author,
            case: None,
            journal_written: false,
            filter_cancel: None,
            search_cancel: None,
            filter_done: Arc::new(AtomicUsize::new(0)),
            index_done: Arc::new(AtomicUsize::new(0)),
            count_cancel: None,
            count_done: Arc::new(AtomicUsize::new(0)),
            history_dir: None,
            history_failed: false,
            osc: Some(Arc::default()),
        }
    }

    /// Keeps prompt histories in `dir` (tests; `threaded` takes it at start).
    pub fn with_history_dir(mut self, dir: PathBuf) -> Effects {
        self.history_dir = Some(dir);
        self
    }

    /// Takes the case opened at start (before the terminal was set up).
    pub fn adopt_case(&mut self, case: Case, report: OpenReport) -> Action {
        self.journal_written = report.replayed > 0;
        let info = snapshot(&case, self.journal_written);
        let typed = case.path().to_owned();
        self.case = Some(case);
        Action::CaseOpened {
            typed,
            result: Ok((info, report)),
            at_start: true,
        }
    }

    /// The open case has changes its file lacks.
    pub fn case_dirty(&self) -> bool {
        self.case.as_ref().is_some_and(Case::dirty)
    }

    pub fn filter_progress(&self) -> usize {
        self.filter_done.load(Ordering::Relaxed)
    }

    pub fn index_progress(&self) -> usize {
        self.index_done.load(Ordering::Relaxed)
    }

    pub fn count_progress(&self) -> usize {
        self.count_done.load(Ordering::Relaxed)
    }

    /// Sends the OSC 52 sequence for `text` to the terminal.
    fn copy(&mut self, what: &str, text: &str) -> Result<String, String> {
        use std::io::Write;
        let (seq, cut) = super::clipboard::osc52(text);
        match &self.osc {
            Some(buf) => buf
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(&seq),
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(&seq)
                    .and_then(|()| out.flush())
                    .map_err(|e| e.to_string())?;
            }
        }
        let n = text.chars().count();
        Ok(if cut {
            format!(
                "copied the first {} KiB of {what} ({n} chars) to the clipboard (OSC 52)",
                super::clipboard::MAX_COPY / 1024
            )
        } else {
            format!("copied {what} ({n} chars) to the clipboard (OSC 52)")
        })
    }

    /// Runs one effect: case I/O now, jobs on a worker (or now, when inline). Returns the
    /// result when it is ready at once.
    pub fn run(&mut self, e: Effect) -> Option<Action> {
        match e {
            Effect::CancelJobs => {
                cancel(&mut self.filter_cancel);
                cancel(&mut self.search_cancel);
                cancel(&mut self.count_cancel);
                None
            }
            Effect::Copy { what, text } => Some(Action::Copied(self.copy(&what, &text))),
            Effect::History { kind, entry } => {
                let dir = self.history_dir.as_ref()?;
                match super::history::record(dir, kind, &entry) {
                    Ok(()) => None,
                    Err(_) if self.history_failed => None,
                    Err(e) => {
                        self.history_failed = true;
                        Some(Action::HistoryFailed(format!("{}: {e}", dir.display())))
                    }
                }
            }
            Effect::OpenCase(typed) => Some(Action::CaseOpened {
                result: self.open(&typed),
                typed,
                at_start: false,
            }),
            Effect::Upsert(a) => {
                let op = JournalOp::Upsert(a.kind);
                let result = self.journal(|c| c.upsert(*a).map(|()| true));
                Some(Action::Journalled { op, result })
            }
            Effect::Delete(id) => {
                let mut existed = true;
                let result = self.journal(|c| {
                    let r = c.delete(&id);
                    existed = *r.as_ref().unwrap_or(&true);
                    r
                });
                Some(Action::Journalled {
                    op: JournalOp::Delete { existed },
                    result,
                })
            }
            Effect::SaveCase(req) => Some(Action::Saved(self.save(&req))),
            Effect::SaveCaseTo {
                req,
                path,
                move_there,
            } => Some(Action::SavedTo {
                moved: move_there,
                result: self.save_to(&req, &path, move_there),
            }),
            job => self.start(job),
        }
    }

    /// Starts a job: on a worker thread, or here when inline.
    fn start(&mut self, e: Effect) -> Option<Action> {
        let flag = Arc::new(AtomicBool::new(false));
        match &e {
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
            Effect::Count { .. } => {
                cancel(&mut self.count_cancel);
                self.count_cancel = Some(flag.clone());
                self.count_done = Arc::new(AtomicUsize::new(0));
            }
            _ => {}
        }
        let done = match e {
            Effect::BuildIndex(_) => self.index_done.clone(),
            Effect::Count { .. } => self.count_done.clone(),
            _ => self.filter_done.clone(),
        };
        match &self.tx {
            None => work(e, &flag, &done),
            Some(tx) => {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    if let Some(a) = work(e, &flag, &done) {
                        let _ = tx.send(a);
                    }
                });
                None
            }
        }
    }

    fn open(&mut self, typed: &Path) -> Result<(CaseInfo, OpenReport), String> {
        let path = case_file_path(typed)?;
        let (case, report) = Case::open(&path, &self.author).map_err(|e| e.to_string())?;
        self.journal_written = report.replayed > 0;
        let info = snapshot(&case, self.journal_written);
        self.case = Some(case);
        Ok((info, report))
    }

    /// A journalled change: `Ok(true)` when something was written.
    fn journal(
        &mut self,
        change: impl FnOnce(&mut Case) -> std::io::Result<bool>,
    ) -> Result<CaseInfo, String> {
        let case = self.case.as_mut().ok_or("no case file open")?;
        let wrote = change(case).map_err(|e| e.to_string())?;
        self.journal_written |= wrote;
        Ok(snapshot(case, self.journal_written))
    }

    /// Records the session (sources, filter, view) and writes the case file atomically.
    pub fn save(&mut self, req: &SaveRequest) -> Result<CaseInfo, String> {
        let case = self.case.as_mut().ok_or("no case file to save")?;
        record(case, req);
        case.save().map_err(|e| e.to_string())?;
        self.journal_written = false;
        Ok(snapshot(case, self.journal_written))
    }

    /// `:w PATH` (a copy; the case stays where it is) and `:case PATH` (the case moves
    /// there; the old file stays as last saved). Never onto an existing file.
    fn save_to(
        &mut self,
        req: &SaveRequest,
        typed: &Path,
        move_there: bool,
    ) -> Result<(CaseInfo, PathBuf), String> {
        let path = case_file_path(typed)?;
        let case = self.case.as_mut().ok_or("no case file open")?;
        if same_file(&path, case.path()) {
            record(case, req);
            case.save().map_err(|e| e.to_string())?;
            self.journal_written = false;
            return Ok((snapshot(case, false), path));
        }
        record(case, req);
        let bytes = case.file().to_bytes().map_err(|e| e.to_string())?;
        write_new(&path, &bytes)?;
        if move_there {
            case.save_as(&path).map_err(|e| e.to_string())?;
            self.journal_written = false;
        }
        Ok((snapshot(case, self.journal_written), path))
    }
}

/// Puts what the session knows (sources, filter, place, zone) into the case.
fn record(case: &mut Case, req: &SaveRequest) {
    for s in &req.sources {
        case.set_source(s.clone());
    }
    let filter = req.filter.trim();
    if !filter.is_empty() {
        let mut fs = case.file().filters.clone();
        if !fs.iter().any(|f| f.query == req.filter) {
            fs.push(SavedFilter {
                name: String::new(),
                query: req.filter.clone(),
            });
            case.set_filters(fs);
        }
    }
    let mut view = case.file().view.clone();
    view.filter = (!filter.is_empty()).then(|| req.filter.clone());
    view.cursor_ts = req.cursor_ts;
    view.display_tz = Some(req.display_tz.clone());
    // A view setting of this TUI, kept among the view's other keys (when not the
    // default, so that other case files do not change).
    if req.columns.is_empty() || req.columns == super::columns::ColumnSet::default().to_text() {
        view.extra.remove("columns");
    } else {
        view.extra.insert(
            "columns".into(),
            serde_json::Value::String(req.columns.clone()),
        );
    }
    case.set_view(view);
}

/// What `update` may know of the case: a copy, without the journal.
fn snapshot(case: &Case, journal_written: bool) -> CaseInfo {
    CaseInfo {
        path: case.path().to_owned(),
        journal_path: case.journal_path().to_owned(),
        file: case.file().clone(),
        dirty: case.dirty(),
        journal_written,
    }
}

/// Does the work of a job effect (filter, search, index, export) where it is called and
/// returns its result.
fn work(e: Effect, cancel: &AtomicBool, done: &AtomicUsize) -> Option<Action> {
    Some(match e {
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
        Effect::Count {
            job,
            timeline,
            view,
            field,
        } => {
            let rows = view.as_deref().map(Vec::as_slice);
            let counts = super::counts::count(&timeline, rows, &field, cancel, done);
            drop(timeline);
            Action::CountsDone { job, counts }
        }
        Effect::FieldNames(timeline) => {
            let names = crate::query::FieldNames::of_timeline(&timeline);
            Action::FieldNames(Arc::new(names))
        }
        Effect::Export {
            timeline,
            view,
            anns,
            format,
            path,
        } => Action::ExportDone(export(&timeline, view.as_deref(), &anns, format, &path)),
        _ => return None,
    })
}

/// Writes the rows of `view` (every event when `None`) to `path`; the `annotation` of
/// annotated events goes into jsonl objects and extra csv columns.
fn export(
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

/// The files under `paths`, each once: a file reached twice (a folder and a file in it,
/// `./x` and `x`, a link) is loaded once, under the name it was first found by (compared
/// by canonical path, not by path text). Paths passed over come back as their reports.
pub fn found_inputs(paths: &[PathBuf]) -> (Vec<ingest::Found>, Vec<SourceReport>) {
    let d = ingest::discover::discover_all(paths);
    let mut seen = std::collections::HashSet::new();
    let found = d
        .found
        .into_iter()
        .filter(|f| seen.insert(std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone())))
        .collect();
    let skipped = d.skipped.into_iter().map(|s| s.report()).collect();
    (found, skipped)
}

/// Discovers and loads every path on a background thread, sending each source as it is
/// parsed, then `IngestDone` with the reports of the paths passed over.
pub fn spawn_ingest(
    paths: Vec<PathBuf>,
    opts: Options,
    progress: Arc<Progress>,
    tx: Sender<Action>,
) {
    std::thread::spawn(move || {
        let (found, skipped) = found_inputs(&paths);
        let (ltx, lrx) = mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| ingest::load_all(&found, &opts, &progress, ltx));
            for (_, loaded) in lrx {
                if tx.send(Action::Loaded(Box::new(loaded))).is_err() {
                    break;
                }
            }
        });
        let _ = tx.send(Action::IngestDone(skipped));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: `vigil C.vigil.json samples/` loaded every recorded source twice (the
    /// folder and the case's own paths); `./x`, `dir/../x` and a link are the same file.
    #[test]
    fn a_file_reached_twice_is_loaded_once() {
        let dir = tempfile::tempdir().unwrap();
        let ev = dir.path().join("ev");
        std::fs::create_dir(&ev).unwrap();
        std::fs::write(ev.join("a.log"), "x").unwrap();
        std::fs::write(ev.join("b.log"), "y").unwrap();
        std::os::unix::fs::symlink(ev.join("a.log"), dir.path().join("link.log")).unwrap();
        let paths = vec![
            ev.join("a.log"),
            ev.clone(),
            dir.path().join("ev/../ev/./a.log"),
            dir.path().join("link.log"),
            dir.path().join("missing.log"),
        ];
        let (found, skipped) = found_inputs(&paths);
        let labels: Vec<String> = found.iter().map(|f| f.label.clone()).collect();
        assert_eq!(
            labels,
            [
                ev.join("a.log").display().to_string(),
                ev.join("b.log").display().to_string()
            ]
        );
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].format, "unreadable");
    }
}
