//! The case: analyst annotations on events, kept in `NAME.vigil.json` with a crash journal
//! beside it, plus merging of two analysts' files (DESIGN §8, **contract**).
//!
//! - `annotation`: `Annotation`, `Kind`, `Severity`, `EventCopy`.
//! - `file`: the on-disk schema `CaseFile`, atomic save, `sha256_file`, source verification.
//! - `journal`: the append-only op log that makes every change durable before it shows.
//! - `session`: `Case`, the open case the TUI and CLI edit (journal first, then memory).
//! - `merge`: union of two case files by annotation id, conflicts kept and reported.
//! - `review`: candidate reviews (accepted / dismissed), merged like annotations.

mod annotation;
mod file;
mod journal;
mod marks;
mod merge;
mod review;
mod session;

pub use annotation::{Annotation, EventCopy, Kind, Severity, now_rfc3339};
pub use file::{
    CaseFile, FORMAT, SavedFilter, SourceEntry, SourceStatus, VERSION, Verify, View, canonical,
    record_path, resolve_source, sha256_file, verify_sources, write_atomic,
};
pub(crate) use file::{parent_dir, sync_dir};
pub use journal::{Op, journal_path};
pub use marks::{CaseMarks, MissingEvent};
pub use merge::{Conflict, MergeReport, merge, merge_all};
pub use review::{Decision, Review, ReviewConflict, effective as effective_review};
pub use session::{Case, OpenReport, default_author};

use std::io;
use std::path::{Path, PathBuf};

/// Why a case file could not be opened or saved. The file on disk is never modified when
/// one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: not valid case-file JSON: {source}", .path.display())]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{}: not a vigil case file (format is {found:?}, expected \"vigil-case\")", .path.display())]
    NotACase {
        path: PathBuf,
        found: Option<String>,
    },
    #[error(
        "{}: case-file version {found} is newer than this vigil supports (version {supported}); \
         upgrade vigil to open it (the file was left untouched)",
        .path.display()
    )]
    FutureVersion {
        path: PathBuf,
        found: u64,
        supported: u32,
    },
    #[error("{}: no such case file (and no journal beside it)", .path.display())]
    NotFound { path: PathBuf },
    #[error("{}: unsupported case-file version {found:?}", .path.display())]
    BadVersion { path: PathBuf, found: Option<u64> },
}

impl CaseError {
    pub(crate) fn io(path: &Path, source: io::Error) -> CaseError {
        CaseError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_paths;
