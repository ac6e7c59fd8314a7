//! `NAME.vigil.json.journal`: one JSON op per line, appended and fsynced before the change
//! is applied in memory, so a crash or a dropped SSH session loses nothing the UI showed.
//! Ops are idempotent (upsert by id, delete by id), so replaying a journal whose ops already
//! reached the case file (crash between save and journal removal) changes nothing.

use super::annotation::{Annotation, now_rfc3339};
use super::file::{CaseFile, parent_dir, sync_dir};
use super::review::{self, Review};
use crate::model::EventKey;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// One journalled change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Op {
    /// Add or replace the annotation with this id.
    Upsert {
        at: String,
        annotation: Box<Annotation>,
    },
    /// Remove the annotation with this id (no-op when absent).
    Delete { at: String, id: String },
    /// Record a candidate review (replacing an earlier one of the same event and
    /// candidate) and, for an accepted one, the annotation made from it: one line, so
    /// that a crash never keeps one without the other.
    Review {
        at: String,
        review: Box<Review>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        annotation: Option<Box<Annotation>>,
    },
    /// Forget the reviews of this event and candidate (undo).
    Unreview {
        at: String,
        key: EventKey,
        candidate: String,
    },
}

impl Op {
    pub fn upsert(annotation: Annotation) -> Op {
        Op::Upsert {
            at: now_rfc3339(),
            annotation: Box::new(annotation),
        }
    }
    pub fn delete(id: &str) -> Op {
        Op::Delete {
            at: now_rfc3339(),
            id: id.to_owned(),
        }
    }

    /// Applies the op to a case file's annotations and reviews, keeping them in the
    /// file's order.
    pub(crate) fn apply(&self, file: &mut CaseFile) {
        match self {
            Op::Upsert { annotation, .. } => upsert(file, annotation),
            Op::Delete { id, .. } => file.annotations.retain(|a| &a.id != id),
            Op::Review {
                review: r,
                annotation,
                ..
            } => {
                if let Some(a) = annotation {
                    upsert(file, a);
                }
                review::put(&mut file.reviews, Review::clone(r));
            }
            Op::Unreview { key, candidate, .. } => {
                file.reviews.retain(|r| !r.is_about(key, candidate));
            }
        }
    }
}

fn upsert(file: &mut CaseFile, annotation: &Annotation) {
    file.annotations.retain(|a| a.id != annotation.id);
    let k = annotation.order_key();
    let at = file.annotations.partition_point(|a| a.order_key() < k);
    file.annotations.insert(at, annotation.clone());
}

/// The journal path for a case file: the case path with `.journal` appended.
pub fn journal_path(case: &Path) -> PathBuf {
    let mut s = case.as_os_str().to_owned();
    s.push(".journal");
    PathBuf::from(s)
}

/// What reading a journal found.
#[derive(Debug, Default)]
pub(crate) struct Replay {
    pub ops: Vec<Op>,
    /// A last line without its newline (crash mid-write), ignored.
    pub torn_tail: bool,
    /// 1-based numbers of complete lines that did not parse, ignored.
    pub bad_lines: Vec<usize>,
    /// Length up to the end of the last complete line: appends must start there.
    pub good_len: u64,
}

/// Reads a journal. A missing file is an empty replay, not an error.
pub(crate) fn read(path: &Path) -> io::Result<Option<Replay>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut r = Replay::default();
    let mut pos = 0usize;
    let mut line_no = 0usize;
    while pos < bytes.len() {
        line_no += 1;
        let rest = bytes.get(pos..).unwrap_or(&[]);
        let Some(nl) = memchr::memchr(b'\n', rest) else {
            // No newline: the write that was in flight when we died. Its op was never
            // acknowledged to the user, so dropping it loses nothing they saw.
            r.torn_tail = !rest.iter().all(u8::is_ascii_whitespace);
            break;
        };
        let line = rest.get(..nl).unwrap_or(&[]);
        pos += nl + 1;
        r.good_len = pos as u64;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Op>(line) {
            Ok(op) => r.ops.push(op),
            Err(_) => r.bad_lines.push(line_no),
        }
    }
    Ok(Some(r))
}

/// The append side of the journal. The file is opened on the first change only, so opening
/// a case (e.g. for `vigil report`) never writes.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    file: Option<File>,
    /// Cut the file to this length before the first append: drops a torn tail (so the next
    /// op does not get glued onto it) or, for a brand-new case, a stale journal.
    truncate_to: Option<u64>,
}

impl Journal {
    pub fn new(path: PathBuf, truncate_to: Option<u64>) -> Journal {
        Journal {
            path,
            file: None,
            truncate_to,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn handle(&mut self) -> io::Result<&mut File> {
        if self.file.is_none() {
            let existed = self.path.exists();
            let mut oo = OpenOptions::new();
            oo.create(true).truncate(false).read(true).write(true);
            // The journal holds what the case file holds, which is created 0600: so is it.
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut oo, 0o600);
            let f = oo.open(&self.path)?;
            #[cfg(unix)]
            if existed {
                use std::os::unix::fs::PermissionsExt;
                if f.metadata()?.permissions().mode() & 0o077 != 0 {
                    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
                }
            }
            if let Some(n) = self.truncate_to.take() {
                f.set_len(n)?;
            }
            if !existed {
                // The new directory entry must survive a crash too.
                sync_dir(parent_dir(&self.path))?;
            }
            self.file = Some(f);
        }
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("journal not open"))
    }

    /// Appends one op as a line and waits until it is on disk.
    pub fn append(&mut self, op: &Op) -> io::Result<()> {
        let mut line = serde_json::to_vec(op).map_err(io::Error::other)?;
        line.push(b'\n');
        let f = self.handle()?;
        let len = f.metadata()?.len();
        let res = write_at_end(f, len, &line).and_then(|()| f.sync_data());
        if res.is_err() {
            // Leave no partial line behind (disk full); the op counts as not done.
            let _ = f.set_len(len);
        }
        res
    }

    /// Deletes the journal after its ops reached the case file.
    pub fn remove(&mut self) -> io::Result<()> {
        self.file = None;
        self.truncate_to = None;
        match std::fs::remove_file(&self.path) {
            Ok(()) => sync_dir(parent_dir(&self.path)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn write_at_end(f: &mut File, len: u64, bytes: &[u8]) -> io::Result<()> {
    use std::io::{Seek, SeekFrom};
    f.seek(SeekFrom::Start(len))?;
    f.write_all(bytes)
}
