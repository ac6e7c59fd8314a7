//! What happens (`Action`: input, a worker's result, ingest news, the outcome of case I/O)
//! and what `update` asks for (`Effect`: jobs and case I/O, run by `effects.rs`, whose
//! results come back as actions).

use super::annotations::AnnIndex;
use super::casepath::CasePathError;
use super::counts::Counts;
use super::state::{CaseInfo, IngestStatus, Stop};
use crate::case::{Annotation, CaseError, CaseFile, Kind, OpenReport, SourceEntry};
use crate::detect::{Hits, RuleSet};
use crate::export::{self, ExportError};
use crate::ingest::{Loaded, SourceReport};
use crate::timeline::Timeline;
use crate::timeline::filter::Filter;
use crate::timeline::search::{Dir, Hit};
use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use regex::Regex;
use std::path::PathBuf;
use std::sync::Arc;

/// Why the case file could not be opened, journalled to or written.
#[derive(Debug, thiserror::Error)]
pub enum CaseIoError {
    #[error("no case file open")]
    NoCase,
    #[error("no case file to save")]
    NothingToSave,
    #[error(transparent)]
    Path(#[from] CasePathError),
    #[error(transparent)]
    Case(#[from] CaseError),
    /// A journal write.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Encode(#[from] serde_json::Error),
    /// `:w PATH` / `:case PATH` onto a file that exists (never replaced).
    #[error("{} exists: choose another name (nothing is overwritten)", .0.display())]
    Exists(PathBuf),
    /// `:w PATH` / `:case PATH` onto evidence, the case journal, or not writable.
    #[error(transparent)]
    Output(crate::output::OutputError),
}

impl From<crate::output::OutputError> for CaseIoError {
    fn from(e: crate::output::OutputError) -> CaseIoError {
        match e {
            crate::output::OutputError::Exists { path } => CaseIoError::Exists(path),
            e => CaseIoError::Output(e),
        }
    }
}

/// A journalled change, for the message once it is on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JournalOp {
    Upsert(Kind),
    /// `existed`: there was such an annotation (an absent one writes nothing).
    Delete {
        existed: bool,
    },
}

pub enum Action {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Tick {
        ingest: IngestStatus,
        filter_done: usize,
        index_done: usize,
        /// Events the running counts job has looked at.
        count_done: usize,
    },
    /// A counts job finished (`None`: cancelled).
    CountsDone {
        job: u64,
        counts: Option<Counts>,
    },
    /// Text went to the clipboard (what to say), or why not.
    Copied(Result<String, std::io::Error>),
    /// A message has been shown long enough (`seq`: `State::msg_seq` when it was set).
    ExpireMsg(u64),
    /// A prompt's history could not be written.
    HistoryFailed(String),
    Loaded(Box<Loaded>),
    /// Loading ended; the reports of paths passed over (skipped or unreadable).
    IngestDone(Vec<SourceReport>),
    FilterDone {
        job: u64,
        rows: Option<Vec<u32>>,
    },
    SearchDone {
        job: u64,
        hit: Option<Option<Hit>>,
        /// Every hit, when the index could list them, and the view searched.
        hits: Option<Vec<u32>>,
        view: Option<Arc<Vec<u32>>>,
    },
    /// The free-text index of the timeline is built.
    IndexDone,
    /// The field names of the loaded events were collected.
    FieldNames(Arc<crate::query::FieldNames>),
    /// An export to `path` (as typed) finished: what it wrote, or why not (an existing
    /// file without `force` is the "ask first" case).
    ExportDone {
        path: PathBuf,
        result: Result<export::Summary, ExportError>,
    },
    /// A case file was opened (`at_start`: the one given on the command line; `typed`:
    /// the path as entered).
    CaseOpened {
        typed: PathBuf,
        result: Result<(CaseInfo, OpenReport), CaseIoError>,
        at_start: bool,
    },
    /// The case was written to another file: a copy (`:w PATH`), or the case moved there
    /// (`:case PATH`). The path written, or why not.
    SavedTo {
        moved: bool,
        result: Result<(CaseInfo, PathBuf), CaseIoError>,
    },
    /// An annotation change reached the journal (fsynced), or why not.
    Journalled {
        op: JournalOp,
        result: Result<CaseInfo, CaseIoError>,
    },
    /// The case file was written, or why not.
    Saved(Result<CaseInfo, CaseIoError>),
    /// The session must end now: a signal, or the terminal is gone.
    Stopped(Stop),
    /// Sigma detection news (rules loaded, progress, hits).
    Detect(super::detect::DetectAction),
}

/// What the case file records of the session when it is saved.
#[derive(Clone, Debug, Default)]
pub struct SaveRequest {
    pub sources: Vec<SourceEntry>,
    /// The filter shown (empty: none).
    pub filter: String,
    pub cursor_ts: Option<i64>,
    pub display_tz: String,
    /// The table's columns (`time,host,id,message`), kept in the case view.
    pub columns: String,
}

/// Work for the effect runner.
pub enum Effect {
    Filter {
        job: u64,
        timeline: Arc<Timeline>,
        filter: Arc<Filter>,
        marks: Arc<AnnIndex>,
        /// Sigma hits for `detected`, `rule:`, `level>=`, `attack:` (none yet: no match).
        det: Option<(Arc<crate::detect::RuleSet>, Arc<crate::detect::Hits>)>,
    },
    Search {
        job: u64,
        timeline: Arc<Timeline>,
        view: Option<Arc<Vec<u32>>>,
        from: usize,
        dir: Dir,
        re: Regex,
    },
    /// Stop running filters and searches (their results will be stale).
    CancelJobs,
    /// Count the values of `field` over `view` (every event when `None`).
    Count {
        job: u64,
        timeline: Arc<Timeline>,
        view: Option<Arc<Vec<u32>>>,
        field: String,
    },
    /// Put `text` on the clipboard of the user's terminal (OSC 52); `what` names it.
    Copy { what: String, text: String },
    /// Add `entry` to the history file of prompt `kind`.
    History { kind: &'static str, entry: String },
    /// Build the timeline's free-text index on a worker thread.
    BuildIndex(Arc<Timeline>),
    /// Collect the field names of the loaded events on a worker thread.
    FieldNames(Arc<Timeline>),
    /// Write the view (all rows when `view` is `None`) on a worker thread, with the
    /// annotations of `case`; never onto evidence, the case file or its journal, and onto
    /// an existing file only with `force`.
    Export {
        timeline: Arc<Timeline>,
        view: Option<Arc<Vec<u32>>>,
        case: Option<Arc<CaseFile>>,
        /// The Sigma rules and their hits, once a run has covered the whole timeline:
        /// each event's rules are written (DRL 1.1: title, id, author).
        detections: Option<(Arc<RuleSet>, Arc<Hits>)>,
        format: export::Format,
        path: PathBuf,
        force: bool,
    },
    /// Open (or create) the case file at the path.
    OpenCase(PathBuf),
    /// Journal an annotation (new or edited).
    Upsert(Box<Annotation>),
    /// Journal the deletion of an annotation by id.
    Delete(String),
    /// Record the session and write the case file atomically.
    SaveCase(Box<SaveRequest>),
    /// Record the session and write it to a new file; `move_there`: the case continues
    /// in that file. An existing file is never overwritten.
    SaveCaseTo {
        req: Box<SaveRequest>,
        path: PathBuf,
        move_there: bool,
    },
    /// Sigma rules: load, run, cancel.
    Detect(super::detect::DetectEffect),
}
