//! `Case`: the open case file the TUI and CLI edit. Every annotation change goes to the
//! journal (fsynced) before memory; `save` writes the file atomically and drops the journal.

use super::CaseError;
use super::annotation::{Annotation, EventCopy, Kind};
use super::file::{self, CaseFile, SavedFilter, SourceEntry, SourceStatus, View};
use super::journal::{self, Journal, Op};
use super::review::{self, Decision, Review};
use crate::model::EventKey;
use std::io;
use std::path::{Path, PathBuf};

/// What `Case::open` found, for the status line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// The case file existed (otherwise this is a new case).
    pub existed: bool,
    /// A journal was found beside it (left by a crash or a dropped session).
    pub journal_found: bool,
    /// Journal ops replayed on top of the file.
    pub replayed: usize,
    /// The journal ended in a partial line (a write cut short), which was ignored.
    pub torn_tail: bool,
    /// 1-based journal lines that were complete but unreadable, ignored.
    pub bad_lines: Vec<usize>,
    /// One sentence per thing worth telling the user.
    pub notes: Vec<String>,
}

/// An open case.
#[derive(Debug)]
pub struct Case {
    path: PathBuf,
    author: String,
    file: CaseFile,
    journal: Journal,
    dirty: bool,
}

/// The analyst name to record when none is given: `$VIGIL_AUTHOR`, else the login name.
pub fn default_author() -> String {
    ["VIGIL_AUTHOR", "USER", "USERNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "analyst".to_owned())
}

impl Case {
    /// A new, empty case that will be saved at `path`. Nothing is written until the first
    /// change; a journal already at that path is discarded then (use `open` to recover one).
    pub fn new(path: impl Into<PathBuf>, author: &str) -> Case {
        let path = path.into();
        let journal = Journal::new(journal::journal_path(&path), Some(0));
        Case {
            path,
            author: author.to_owned(),
            file: CaseFile::default(),
            journal,
            dirty: false,
        }
    }

    /// Opens `path` (an absent file gives an empty case) and replays a journal left beside
    /// it. Refuses files of another format or a newer version without touching them.
    /// Reads only: nothing is written until the first change or save.
    pub fn open(path: impl Into<PathBuf>, author: &str) -> Result<(Case, OpenReport), CaseError> {
        let path = path.into();
        let mut report = OpenReport::default();
        let mut file = match std::fs::read(&path) {
            Ok(bytes) => {
                report.existed = true;
                CaseFile::from_slice(&bytes, &path)?
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => CaseFile::default(),
            Err(e) => return Err(CaseError::io(&path, e)),
        };
        // One spelling per source, relative to the case (older files: other forms).
        file.rebase_sources(&path, &path);
        let jpath = journal::journal_path(&path);
        let replay = journal::read(&jpath).map_err(|e| CaseError::io(&jpath, e))?;
        let mut truncate_to = None;
        if let Some(r) = replay {
            report.journal_found = true;
            for op in &r.ops {
                op.apply(&mut file);
            }
            report.replayed = r.ops.len();
            if report.replayed > 0 {
                report.notes.push(format!(
                    "recovered {} unsaved change(s) from {}",
                    report.replayed,
                    jpath.display()
                ));
            }
            if r.torn_tail {
                report.torn_tail = true;
                truncate_to = Some(r.good_len);
                report.notes.push(
                    "ignored a partial last journal line (a write interrupted by a crash)"
                        .to_owned(),
                );
            }
            if !r.bad_lines.is_empty() {
                report.notes.push(format!(
                    "ignored unreadable journal line(s) {:?}",
                    r.bad_lines
                ));
                report.bad_lines = r.bad_lines;
            }
        }
        let dirty = report.replayed > 0;
        let case = Case {
            journal: Journal::new(jpath, truncate_to),
            path,
            author: author.to_owned(),
            file,
            dirty,
        };
        Ok((case, report))
    }

    /// `open` for a case that must exist: as a file, or only as a journal (vigil was killed
    /// before the first save). The commands that read a case (`export --case`, `report`,
    /// `merge`) use this, so they see exactly what the TUI would after its replay.
    pub fn open_existing(
        path: impl Into<PathBuf>,
        author: &str,
    ) -> Result<(Case, OpenReport), CaseError> {
        let path = path.into();
        if !path.exists() && !journal::journal_path(&path).exists() {
            return Err(CaseError::NotFound { path });
        }
        Case::open(path, author)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn journal_path(&self) -> &Path {
        self.journal.path()
    }

    pub fn author(&self) -> &str {
        &self.author
    }

    pub fn set_author(&mut self, author: &str) {
        self.author = author.to_owned();
    }

    /// The in-memory case file (what `save` would write).
    pub fn file(&self) -> &CaseFile {
        &self.file
    }

    /// Changes not yet in the case file (they are in the journal if they are annotations).
    pub fn dirty(&self) -> bool {
        self.dirty
    }

    /// All annotations in (event time, id) order.
    pub fn annotations(&self) -> &[Annotation] {
        &self.file.annotations
    }

    pub fn get(&self, id: &str) -> Option<&Annotation> {
        self.file.annotations.iter().find(|a| a.id == id)
    }

    /// Annotations on one event (binary search on its time, then exact key match).
    pub fn annotations_for<'s>(
        &'s self,
        key: &'s EventKey,
    ) -> impl Iterator<Item = &'s Annotation> + 's {
        let v = &self.file.annotations;
        let start = v.partition_point(|a| a.key.ts < key.ts);
        v.get(start..)
            .unwrap_or(&[])
            .iter()
            .take_while(move |a| a.key.ts == key.ts)
            .filter(move |a| &a.key == key)
    }

    pub fn is_annotated(&self, key: &EventKey) -> bool {
        self.annotations_for(key).next().is_some()
    }

    /// The first annotation on an event strictly later than `ts` (`u`).
    pub fn next_after(&self, ts: i64) -> Option<&Annotation> {
        let v = &self.file.annotations;
        v.get(v.partition_point(|a| a.key.ts <= ts))
    }

    /// The last annotation on an event strictly earlier than `ts` (`U`).
    pub fn prev_before(&self, ts: i64) -> Option<&Annotation> {
        let v = &self.file.annotations;
        v.partition_point(|a| a.key.ts < ts)
            .checked_sub(1)
            .and_then(|i| v.get(i))
    }

    /// A new annotation by this case's author (not yet stored: edit it, then `upsert`).
    pub fn new_annotation(&self, key: EventKey, event: EventCopy, kind: Kind) -> Annotation {
        Annotation::new(key, event, kind, &self.author)
    }

    /// Adds or replaces (by id) an annotation: journalled and fsynced first, then applied.
    /// On error nothing changed and the UI must not show the change as done.
    pub fn upsert(&mut self, annotation: Annotation) -> io::Result<()> {
        self.commit(Op::upsert(annotation))
    }

    /// Removes an annotation by id: journalled first. Returns whether it existed (an absent
    /// id writes nothing).
    pub fn delete(&mut self, id: &str) -> io::Result<bool> {
        if self.get(id).is_none() {
            return Ok(false);
        }
        self.commit(Op::delete(id))?;
        Ok(true)
    }

    /// Every candidate review, in (event time, place, candidate) order.
    pub fn reviews(&self) -> &[Review] {
        &self.file.reviews
    }

    /// The decision that counts for `candidate` on `key`'s event (the latest; see
    /// `review::effective`).
    pub fn review_of(&self, key: &EventKey, candidate: &str) -> Option<&Review> {
        review::effective(&self.file.reviews, key, candidate)
    }

    /// Accepts a candidate as an early-detection point: an `early-detection` annotation
    /// on its event whose note is the candidate's reason (`why`) and whose tags are
    /// `tags` plus `candidate`, and an `accepted` review, journalled together as one op.
    /// Returns the annotation (the TUI may open it for editing, then `upsert` it).
    pub fn accept(
        &mut self,
        key: EventKey,
        event: EventCopy,
        candidate: &str,
        why: &str,
        tags: &[String],
    ) -> io::Result<Annotation> {
        let mut a = self.new_annotation(key.clone(), event, Kind::EarlyDetection);
        a.note = why.to_owned();
        for t in tags {
            a.add_tag(t);
        }
        a.add_tag("candidate");
        let review = self.review(key, candidate, Decision::Accepted);
        self.commit(Op::Review {
            at: review.at.clone(),
            review: Box::new(review),
            annotation: Some(Box::new(a.clone())),
        })?;
        Ok(a)
    }

    /// Records that `candidate` on `key`'s event was looked at and dismissed.
    pub fn dismiss(&mut self, key: EventKey, candidate: &str) -> io::Result<()> {
        self.decide(key, candidate, Decision::Dismissed)
    }

    /// Records that `candidate` on `key`'s event was accepted without making an annotation
    /// (the event has one already: one annotation per event).
    pub fn accept_annotated(&mut self, key: EventKey, candidate: &str) -> io::Result<()> {
        self.decide(key, candidate, Decision::Accepted)
    }

    fn decide(&mut self, key: EventKey, candidate: &str, decision: Decision) -> io::Result<()> {
        let review = self.review(key, candidate, decision);
        self.commit(Op::Review {
            at: review.at.clone(),
            review: Box::new(review),
            annotation: None,
        })
    }

    /// Forgets the review of `candidate` on `key`'s event (undo). Returns whether there
    /// was one (none writes nothing). An annotation made by accepting stays.
    pub fn unreview(&mut self, key: &EventKey, candidate: &str) -> io::Result<bool> {
        if self.review_of(key, candidate).is_none() {
            return Ok(false);
        }
        self.commit(Op::Unreview {
            at: super::annotation::now_rfc3339(),
            key: key.clone(),
            candidate: candidate.to_owned(),
        })?;
        Ok(true)
    }

    fn review(&self, key: EventKey, candidate: &str, decision: Decision) -> Review {
        Review {
            key,
            candidate: candidate.to_owned(),
            decision,
            author: self.author.clone(),
            at: super::annotation::now_rfc3339(),
        }
    }

    fn commit(&mut self, op: Op) -> io::Result<()> {
        self.journal.append(&op)?;
        op.apply(&mut self.file);
        self.dirty = true;
        Ok(())
    }

    /// Records an ingested source; `entry.path` is the path it was opened at (absolute or
    /// relative to the working directory). It is stored relative to the case file's folder
    /// and replaces the entries that are the same file (see `CaseFile::record_source`), so
    /// reopening from another folder never adds a source twice. Not journalled: sources are
    /// re-derived on every ingest.
    pub fn set_source(&mut self, entry: SourceEntry) {
        if self.file.record_source(&self.path, entry) {
            self.dirty = true;
        }
    }

    pub fn set_filters(&mut self, filters: Vec<SavedFilter>) {
        if self.file.filters != filters {
            self.file.filters = filters;
            self.dirty = true;
        }
    }

    pub fn set_view(&mut self, view: View) {
        if self.file.view != view {
            self.file.view = view;
            self.dirty = true;
        }
    }

    /// Writes the case file atomically, then removes the journal. If the journal removal
    /// fails the file is still saved; replaying the leftover journal later is harmless.
    pub fn save(&mut self) -> Result<(), CaseError> {
        self.file.save(&self.path)?;
        self.dirty = false;
        self.journal
            .remove()
            .map_err(|e| CaseError::io(self.journal.path(), e))
    }

    /// Saves to `path` and continues there. The old file stays as last saved; its journal is
    /// removed since every change in it is now in the new file.
    pub fn save_as(&mut self, path: impl Into<PathBuf>) -> Result<(), CaseError> {
        let path = path.into();
        let mut moved = self.file.clone();
        moved.rebase_sources(&self.path, &path);
        moved.save(&path)?;
        self.file = moved;
        let mut old = std::mem::replace(
            &mut self.journal,
            Journal::new(journal::journal_path(&path), None),
        );
        self.path = path;
        self.dirty = false;
        old.remove().map_err(|e| CaseError::io(old.path(), e))?;
        self.journal
            .remove()
            .map_err(|e| CaseError::io(self.journal.path(), e))
    }

    /// Re-hashes every recorded source (relative paths resolved from the case's directory).
    pub fn verify_sources(&self) -> Vec<SourceStatus> {
        file::verify_sources(&self.file, file::parent_dir(&self.path))
    }
}
