//! Runs effects and returns their results as actions; never touches `State`. Filters,
//! searches, the index build and exports run on worker threads (cancellable, latest wins:
//! a new job of a kind cancels the previous one, and `update` drops results of older
//! `job`s) and report through the event channel. Case I/O runs here at once, on the UI
//! thread (it is small and must finish before anything is shown): this runner owns the
//! open case file and its journal, so the journal write returns before the marker shows.
//! Without a channel (`inline`), jobs run inline too: tests and scripted use.

use super::action::{Action, CaseIoError, Effect, JournalOp, SaveRequest};
use super::casepath::{case_file_path, same_file};
use super::state::CaseInfo;
use crate::case::{Case, CaseFile, OpenReport, SavedFilter};
use crate::export;
use crate::ingest::{self, Options, Progress};
use crate::output::{self, OutputOptions, Protected, Role};
use crate::timeline::Timeline;
use crate::timeline::{filter, search};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};

mod detect;

pub struct Effects {
    /// Where worker threads send their results; `None`: run jobs inline.
    tx: Option<Sender<Action>>,
    /// Recorded as the author of the case opened from the input line.
    author: String,
    /// The evidence paths given at start: no export or save-as may write there (files in
    /// given folders are protected once loaded, through the timeline).
    evidence: Vec<PathBuf>,
    case: Option<Case>,
    /// The case's journal holds changes the file lacks.
    journal_written: bool,
    filter_cancel: Option<Arc<AtomicBool>>,
    search_cancel: Option<Arc<AtomicBool>>,
    /// Events examined by the running filter (for its progress).
    filter_done: Arc<AtomicUsize>,
    /// Events indexed by the free-text index build.
    index_done: Arc<AtomicUsize>,
    /// Stops the running Sigma detection.
    detect_cancel: Option<Arc<AtomicBool>>,
}

fn cancel(flag: &mut Option<Arc<AtomicBool>>) {
    if let Some(f) = flag.take() {
        f.store(true, Ordering::Relaxed);
    }
}

impl Effects {
    /// Jobs on worker threads, reporting on `tx`.
    pub fn threaded(tx: Sender<Action>, author: String) -> Effects {
        Effects {
            tx: Some(tx),
            ..Effects::inline(author)
        }
    }

    /// Jobs run where `run` is called; their result is its return value.
    pub fn inline(author: String) -> Effects {
        Effects {
            tx: None,
            author,
            evidence: Vec::new(),
            case: None,
            journal_written: false,
            filter_cancel: None,
            search_cancel: None,
            filter_done: Arc::new(AtomicUsize::new(0)),
            index_done: Arc::new(AtomicUsize::new(0)),
            detect_cancel: None,
        }
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

    /// The evidence paths given at start (protected from every output).
    pub fn protect_evidence(&mut self, paths: &[PathBuf]) {
        self.evidence.extend_from_slice(paths);
    }

    /// What no output may replace: the evidence (as given and as loaded), the case file
    /// and its journal.
    fn protected(&self, t: Option<&Timeline>) -> Protected {
        let mut p = Protected::new();
        p.evidence(&self.evidence);
        if let Some(t) = t {
            p.timeline(t);
        }
        if let Some(c) = &self.case {
            p.case(c.path());
        }
        p
    }

    pub fn filter_progress(&self) -> usize {
        self.filter_done.load(Ordering::Relaxed)
    }

    pub fn index_progress(&self) -> usize {
        self.index_done.load(Ordering::Relaxed)
    }

    /// Runs one effect: case I/O now, jobs on a worker (or now, when inline). Returns the
    /// result when it is ready at once.
    pub fn run(&mut self, e: Effect) -> Option<Action> {
        match e {
            Effect::CancelJobs => {
                cancel(&mut self.filter_cancel);
                cancel(&mut self.search_cancel);
                None
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
            Effect::Detect(d) => detect::run(d, self.tx.as_ref(), &mut self.detect_cancel),
            Effect::SaveCaseTo {
                req,
                path,
                move_there,
            } => Some(Action::SavedTo {
                moved: move_there,
                result: self.save_to(&req, &path, move_there),
            }),
            Effect::Export {
                timeline,
                view,
                case,
                format,
                path,
                force,
            } => {
                let protected = self.protected(Some(&timeline));
                let opts = OutputOptions {
                    force,
                    private: false,
                };
                // Refused at once (a protected path; an existing file, which `update` asks
                // about before anything else happens), else written by a worker.
                if let Err(e) = output::check(&path, &protected, opts) {
                    return Some(Action::ExportDone {
                        path,
                        result: Err(e.into()),
                    });
                }
                self.dispatch(move || {
                    let view = view.as_deref().map(Vec::as_slice);
                    let result = export_view(
                        &timeline,
                        view,
                        case.as_deref(),
                        format,
                        &path,
                        &protected,
                        opts,
                    );
                    Some(Action::ExportDone { path, result })
                })
            }
            job => self.start(job),
        }
    }

    /// Runs `job` on a worker thread that sends its action, or here when inline.
    fn dispatch(&self, job: impl FnOnce() -> Option<Action> + Send + 'static) -> Option<Action> {
        match &self.tx {
            None => job(),
            Some(tx) => {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    if let Some(a) = job() {
                        let _ = tx.send(a);
                    }
                });
                None
            }
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
            _ => {}
        }
        let done = match e {
            Effect::BuildIndex(_) => self.index_done.clone(),
            _ => self.filter_done.clone(),
        };
        self.dispatch(move || work(e, &flag, &done))
    }

    fn open(&mut self, typed: &Path) -> Result<(CaseInfo, OpenReport), CaseIoError> {
        let path = case_file_path(typed)?;
        let (case, report) = Case::open(&path, &self.author)?;
        self.journal_written = report.replayed > 0;
        let info = snapshot(&case, self.journal_written);
        self.case = Some(case);
        Ok((info, report))
    }

    /// A journalled change: `Ok(true)` when something was written.
    fn journal(
        &mut self,
        change: impl FnOnce(&mut Case) -> std::io::Result<bool>,
    ) -> Result<CaseInfo, CaseIoError> {
        let case = self.case.as_mut().ok_or(CaseIoError::NoCase)?;
        let wrote = change(case)?;
        self.journal_written |= wrote;
        Ok(snapshot(case, self.journal_written))
    }

    /// Records the session (sources, filter, view) and writes the case file atomically.
    pub fn save(&mut self, req: &SaveRequest) -> Result<CaseInfo, CaseIoError> {
        let case = self.case.as_mut().ok_or(CaseIoError::NothingToSave)?;
        record(case, req);
        case.save()?;
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
    ) -> Result<(CaseInfo, PathBuf), CaseIoError> {
        let path = case_file_path(typed)?;
        let case = self.case.as_mut().ok_or(CaseIoError::NoCase)?;
        if same_file(&path, case.path()) {
            record(case, req);
            case.save()?;
            self.journal_written = false;
            return Ok((snapshot(case, false), path));
        }
        record(case, req);
        let bytes = case.file().to_bytes()?;
        let mut protected = self.protected(None);
        for s in &req.sources {
            protected.add(Path::new(&s.path), Role::Evidence);
        }
        let opts = OutputOptions {
            force: false,
            private: true,
        };
        output::write(&path, &bytes, &protected, opts)?;
        let case = self.case.as_mut().ok_or(CaseIoError::NoCase)?;
        if move_there {
            case.save_as(&path)?;
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

/// Does the work of a job effect (filter, search, index) where it is called and
/// returns its result.
fn work(e: Effect, cancel: &AtomicBool, done: &AtomicUsize) -> Option<Action> {
    Some(match e {
        Effect::Filter {
            job,
            timeline,
            filter,
            marks,
            det,
        } => {
            let rows = match &det {
                Some((rules, hits)) => {
                    let with = crate::detect::WithHits {
                        marks: &*marks,
                        det: crate::detect::Detected { rules, hits },
                    };
                    filter::run(&timeline, &filter, &with, cancel, done)
                }
                None => filter::run(&timeline, &filter, &*marks, cancel, done),
            };
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
        _ => return None,
    })
}

/// Writes the rows of `view` (every event when `None`) to `path` through the export
/// pipeline: the annotations of `case` go into jsonl objects and extra csv columns, as
/// with `vigil export --case`; only the shown events (no missing-evidence lines).
fn export_view(
    t: &Timeline,
    view: Option<&[u32]>,
    case: Option<&CaseFile>,
    format: export::Format,
    path: &Path,
    protected: &Protected,
    opts: OutputOptions,
) -> Result<export::Summary, export::ExportError> {
    let req = export::Request {
        format,
        rows: view.map_or(export::Rows::All, export::Rows::Only),
        case,
        annotated_only: false,
        missing_evidence: false,
        // The TUI runs no rules yet; its export gains them with the Detections view.
        detected: None,
    };
    export::to_file(t, &req, path, protected, opts)
}

/// Discovers and loads every path on a background thread, sending each source as it is
/// parsed, then `IngestDone` with the paths that could not be read.
pub fn spawn_ingest(
    paths: Vec<PathBuf>,
    opts: Options,
    progress: Arc<Progress>,
    tx: Sender<Action>,
) {
    std::thread::spawn(move || {
        let (found, errors) = ingest::discover::discover(&paths);
        let (ltx, lrx) = mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| ingest::load_all(&found, &opts, &progress, ltx));
            for (_, loaded) in lrx {
                if tx.send(Action::Loaded(Box::new(loaded))).is_err() {
                    break;
                }
            }
        });
        let errors = errors
            .into_iter()
            .map(|(p, e)| format!("{}: {e}", p.display()))
            .collect();
        let _ = tx.send(Action::IngestDone(errors));
    });
}
