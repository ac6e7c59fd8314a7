//! Runs effects and returns their results as actions; never touches `State`. Filters,
//! searches, the index build and exports run on worker threads (cancellable, latest wins:
//! a new job of a kind cancels the previous one, and `update` drops results of older
//! `job`s) and report through the event channel. Case I/O runs here at once, on the UI
//! thread (it is small and must finish before anything is shown): this runner owns the
//! open case file and its journal, so the journal write returns before the marker shows.
//! Without a channel (`inline`), jobs run inline too: tests and scripted use.

use super::action::{Action, CaseIoError, Effect, JournalOp, ReviewRequest, SaveRequest};
use super::casepath::{case_file_path, same_file};
use super::state::CaseInfo;
use crate::case::{Case, Decision, OpenReport, SavedFilter};
use crate::detect::Detected;
use crate::export;
use crate::ingest::{self, Options, Progress, SourceReport};
use crate::output::{self, OutputOptions, Protected, Role};
use crate::timeline::Timeline;
use crate::timeline::{filter, search};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, PoisonError};

mod cands;
mod detect;
mod pool;

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
    count_cancel: Option<Arc<AtomicBool>>,
    /// Events looked at by the running counts job.
    count_done: Arc<AtomicUsize>,
    /// Where prompt histories are kept (`None`: not kept).
    history_dir: Option<PathBuf>,
    /// A history write failed once already (said once, not at every prompt).
    history_failed: bool,
    /// Where OSC 52 sequences go: the terminal (`None`), or this buffer (tests).
    pub osc: Option<Arc<Mutex<Vec<u8>>>>,
    /// Stops the running Sigma detection.
    detect_cancel: Option<Arc<AtomicBool>>,
    /// Stops the running analyzers.
    cands_cancel: Option<Arc<AtomicBool>>,
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
            evidence: Vec::new(),
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
            detect_cancel: None,
            cands_cancel: None,
        }
    }

    /// Keeps prompt histories in `dir` (tests; `threaded` takes it at start).
    #[cfg(test)]
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

    pub fn count_progress(&self) -> usize {
        self.count_done.load(Ordering::Relaxed)
    }

    /// Sends the OSC 52 sequence for `text` to the terminal.
    fn copy(&mut self, what: &str, text: &str) -> Result<String, std::io::Error> {
        use std::io::Write;
        let (seq, cut) = super::clipboard::osc52(text);
        match &self.osc {
            Some(buf) => buf
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(&seq),
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(&seq).and_then(|()| out.flush())?;
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
            Effect::Detect(d) => detect::run(d, self.tx.as_ref(), &mut self.detect_cancel),
            Effect::Cands(c) => cands::run(c, self.tx.as_ref(), &mut self.cands_cancel),
            Effect::Review(r) => {
                let op = JournalOp::Review {
                    decision: r.decision,
                    annotated: r.annotate,
                };
                let result = self.journal(|c| review(c, *r).map(|()| true));
                Some(Action::Journalled { op, result })
            }
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
                detections,
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
                    let detected = detections.as_ref().map(|(rules, hits)| Detected {
                        rules: rules.as_ref(),
                        hits: hits.as_ref(),
                    });
                    let req = export::Request {
                        format,
                        rows: view.map_or(export::Rows::All, export::Rows::Only),
                        case: case.as_deref(),
                        annotated_only: false,
                        missing_evidence: false,
                        detected,
                    };
                    let result = export::to_file(&timeline, &req, &path, &protected, opts);
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
            Effect::Filter { .. } | Effect::LedHere { .. } => {
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

/// Journals a candidate review (and the annotation an acceptance makes).
fn review(case: &mut Case, r: ReviewRequest) -> std::io::Result<()> {
    match (r.decision, r.annotate) {
        (Decision::Accepted, true) => case
            .accept(r.key, r.event, &r.candidate, &r.why, &r.tags)
            .map(|_| ()),
        (Decision::Accepted, false) => case.accept_annotated(r.key, &r.candidate),
        (Decision::Dismissed, _) => case.dismiss(r.key, &r.candidate),
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
            cands,
        } => {
            let with_cands;
            let marks: &dyn filter::Marks = match &cands {
                Some(c) => {
                    with_cands = crate::detect::candidates::WithCandidates {
                        marks: &*marks,
                        cands: c,
                    };
                    &with_cands
                }
                None => &*marks,
            };
            let rows = match &det {
                Some((rules, hits)) => {
                    let with = crate::detect::WithHits {
                        marks,
                        det: crate::detect::Detected { rules, hits },
                    };
                    filter::run(&timeline, &filter, &with, cancel, done)
                }
                None => filter::run(&timeline, &filter, marks, cancel, done),
            };
            // Let go of the timeline before reporting, so that it can grow.
            drop(timeline);
            Action::FilterDone { job, rows }
        }
        Effect::LedHere {
            job,
            timeline,
            event,
        } => {
            let rows = crate::detect::lineage::led_here(&timeline, event, cancel, done).map(|l| {
                l.rows
                    .iter()
                    .filter_map(|(i, _)| u32::try_from(*i).ok())
                    .collect()
            });
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
            // On the pool keypress work uses, not the background one: free-text filters
            // wait for it (`State::filter_waits_for_index`).
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
        _ => return None,
    })
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
        let (mut found, mut skipped) = found_inputs(&paths);
        let outside = ingest::parquet::skip_partitions(&mut found, opts.pushdown.as_ref());
        skipped.extend(outside.into_iter().map(|s| s.report()));
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
