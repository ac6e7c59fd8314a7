//! The case file `NAME.vigil.json` (DESIGN §8, **contract**): its schema, strict version
//! check, byte-stable pretty serialisation, durable atomic writes, and source hashing.

use super::CaseError;
use super::annotation::Annotation;
use super::review::{self, Review};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The `format` value of every case file.
pub const FORMAT: &str = "vigil-case";
/// The newest case-file version this build reads and writes.
pub const VERSION: u32 = 1;

/// One evidence source and the adjustments applied to it at ingest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceEntry {
    /// The path as opened (relative paths are resolved against the case file's directory
    /// first, then the working directory).
    pub path: String,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    #[serde(default)]
    pub bytes: u64,
    /// Format id (§9), e.g. `evtx`, `wfw`.
    #[serde(default)]
    pub format: String,
    /// Zone assumed for naive timestamps (`UTC`, `+02:00`, `Europe/Paris`).
    #[serde(default = "utc")]
    pub tz: String,
    /// Clock correction added to this source's times, in nanoseconds (0: none).
    #[serde(default)]
    pub skew: i64,
}

fn utc() -> String {
    "UTC".to_owned()
}

/// A named filter the analyst kept (query language of §6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFilter {
    #[serde(default)]
    pub name: String,
    pub query: String,
}

/// Where the analyst was: restored on reopen. Unknown keys are kept so a newer TUI's
/// view state survives a save by an older one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct View {
    /// Active filter query, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Cursor position (UTC ns of the selected event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor_ts: Option<i64>,
    /// Display zone (`T` cycles it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_tz: Option<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// The whole case file. Field order is the file's key order (**contract**).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseFile {
    pub format: String,
    pub version: u32,
    #[serde(default)]
    pub sources: Vec<SourceEntry>,
    #[serde(default)]
    pub annotations: Vec<Annotation>,
    /// Candidate reviews (issue 14). Absent from files without any, so those stay as they
    /// were written; files written before reviews existed open as they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<Review>,
    #[serde(default)]
    pub filters: Vec<SavedFilter>,
    #[serde(default)]
    pub view: View,
}

impl Default for CaseFile {
    fn default() -> Self {
        CaseFile {
            format: FORMAT.to_owned(),
            version: VERSION,
            sources: Vec::new(),
            annotations: Vec::new(),
            reviews: Vec::new(),
            filters: Vec::new(),
            view: View::default(),
        }
    }
}

/// Just enough to decide whether we may read the rest.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u64>,
}

impl CaseFile {
    /// Parses case-file bytes. Wrong `format` or a `version` other than 1 is refused before
    /// anything else is interpreted, so a newer file is never half-read.
    pub fn from_slice(bytes: &[u8], path: &Path) -> Result<CaseFile, CaseError> {
        let json = |source| CaseError::Json {
            path: path.to_owned(),
            source,
        };
        let head: Header = serde_json::from_slice(bytes).map_err(json)?;
        if head.format.as_deref() != Some(FORMAT) {
            return Err(CaseError::NotACase {
                path: path.to_owned(),
                found: head.format,
            });
        }
        match head.version {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) if v > u64::from(VERSION) => {
                return Err(CaseError::FutureVersion {
                    path: path.to_owned(),
                    found: v,
                    supported: VERSION,
                });
            }
            other => {
                return Err(CaseError::BadVersion {
                    path: path.to_owned(),
                    found: other,
                });
            }
        }
        let mut f: CaseFile = serde_json::from_slice(bytes).map_err(json)?;
        f.normalise();
        Ok(f)
    }

    /// Reads and parses a case file.
    pub fn load(path: &Path) -> Result<CaseFile, CaseError> {
        let bytes = std::fs::read(path).map_err(|e| CaseError::io(path, e))?;
        Self::from_slice(&bytes, path)
    }

    /// Puts everything in the file's stable order: annotations by (event time, id),
    /// reviews by (event time, place, candidate), sources by path, tags as entered.
    pub fn normalise(&mut self) {
        self.annotations
            .sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        review::normalise(&mut self.reviews);
        self.sources
            .sort_by(|a, b| (&a.path, &a.sha256).cmp(&(&b.path, &b.sha256)));
    }

    /// Pretty JSON with a trailing newline; the same content always gives the same bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut sorted = self.clone();
        sorted.normalise();
        let mut out = serde_json::to_vec_pretty(&sorted)?;
        out.push(b'\n');
        Ok(out)
    }

    /// Writes atomically and durably (see `write_atomic`).
    pub fn save(&self, path: &Path) -> Result<(), CaseError> {
        let bytes = self.to_bytes().map_err(|source| CaseError::Json {
            path: path.to_owned(),
            source,
        })?;
        write_atomic(path, &bytes).map_err(|e| CaseError::io(path, e))
    }

    /// Adds or replaces (by path, as written) a source entry. See `record_source` for
    /// entries whose path is as opened.
    pub fn set_source(&mut self, entry: SourceEntry) {
        match self.sources.iter_mut().find(|s| s.path == entry.path) {
            Some(s) => *s = entry,
            None => self.sources.push(entry),
        }
        self.normalise();
    }

    /// Records a source for the case file at `case`. `entry.path` is the path as opened
    /// (absolute or relative to the working directory); it is stored relative to the case
    /// file's folder (see `record_path`). It replaces every entry that is the same file (same canonical path,
    /// however it was written: `x`, `./x`, `../c/x`, a link) and any entry with the same
    /// SHA-256 whose recorded file is gone (moved evidence). Returns whether anything changed.
    pub fn record_source(&mut self, case: &Path, entry: SourceEntry) -> bool {
        let opened = PathBuf::from(&entry.path);
        let here = canonical(&opened);
        let dir = parent_dir(case);
        // A source that is not on disk (deleted since it was loaded) cannot be located
        // relative to anything: it is kept as it was opened.
        let present = opened.exists();
        let path = if present {
            record_path(case, &opened)
        } else {
            entry.path.clone()
        };
        let entry = SourceEntry { path, ..entry };
        let before = self.sources.clone();
        self.sources.retain(|s| {
            let at = resolve_source(dir, &s.path);
            let same_file = canonical(&at) == here;
            let moved = present
                && !entry.sha256.is_empty()
                && s.sha256.eq_ignore_ascii_case(&entry.sha256)
                && !at.exists();
            !(same_file || moved)
        });
        self.sources.push(entry);
        self.normalise();
        self.sources != before
    }

    /// Re-expresses source paths recorded for the case file `from` as paths for the case
    /// file `to` (save-as, merge), and turns every other spelling of a file that exists
    /// (`samples/x`, `./samples/x`, `././samples/x`, paths written relative to the working
    /// directory by older versions) into the one form `record_source` writes, dropping the
    /// duplicates this reveals. Entries of missing files keep their text when the folder is
    /// the same. Reads the file system only.
    pub fn rebase_sources(&mut self, from: &Path, to: &Path) {
        let from_dir = parent_dir(from);
        let same_dir = canonical(from_dir) == canonical(parent_dir(to));
        for s in &mut self.sources {
            let at = resolve_source(from_dir, &s.path);
            if at.exists() {
                s.path = record_path(to, &at);
            } else if !same_dir {
                let at = if Path::new(&s.path).is_absolute() {
                    PathBuf::from(&s.path)
                } else {
                    from_dir.join(&s.path)
                };
                s.path = record_path(to, &at);
            }
            s.sha256.make_ascii_lowercase();
        }
        self.normalise();
        self.sources
            .dedup_by(|a, b| a.path == b.path && a.sha256 == b.sha256);
    }
}

/// The directory holding `path` ("." for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Temp file in the same directory (same filesystem, so the rename is atomic), write,
/// fsync, rename over `path`, fsync the directory so the rename itself survives a crash.
/// A reader sees the old file or the new one, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent_dir(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".vigil-save-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    // Temp files are created 0600; keep the mode the analyst gave an existing case file.
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.as_file_mut().flush()?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Makes directory-entry changes (create, rename, unlink) durable. A no-op where
/// directories cannot be opened (Windows).
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// SHA-256 of a file, lowercase hex, streamed in 256 KiB blocks (evidence can be many GB).
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(buf.get(..n).unwrap_or(&[]));
    }
    Ok(hex::encode(h.finalize()))
}

/// Result of re-hashing one recorded source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceStatus {
    /// The path as recorded in the case file.
    pub path: String,
    pub status: Verify,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verify {
    /// Present with the recorded SHA-256.
    Ok,
    /// Not found (annotations on it are kept).
    Missing,
    /// Present but different content.
    Changed { expected: String, found: String },
    /// Present but could not be read (permissions, I/O error).
    Unreadable { error: String },
}

impl Verify {
    pub fn label(&self) -> &'static str {
        match self {
            Verify::Ok => "ok",
            Verify::Missing => "missing",
            Verify::Changed { .. } => "changed",
            Verify::Unreadable { .. } => "unreadable",
        }
    }
}

/// The canonical form of `path`, also for a file that does not exist (yet): its deepest
/// existing folder canonicalised, plus the rest as written.
pub fn canonical(path: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(path) {
        return c;
    }
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut rest = Vec::new();
    let mut at = abs.as_path();
    while let (Some(parent), Some(name)) = (at.parent(), at.file_name()) {
        rest.push(name);
        if let Ok(mut c) = std::fs::canonicalize(parent) {
            c.extend(rest.iter().rev());
            return c;
        }
        at = parent;
    }
    abs
}

/// How a source opened at `opened` (absolute, or relative to the working directory) is
/// written in the case file `case`: relative to the case file's folder (DESIGN §8), so the
/// case reopens from any working directory and moves with its evidence. `..` steps are used
/// when the two share a folder below the root; otherwise the path is absolute (a relative
/// path through `/` would only break when either side moves).
pub fn record_path(case: &Path, opened: &Path) -> String {
    let dir = canonical(parent_dir(case));
    let src = canonical(opened);
    let rel = relative(&src, &dir);
    rel.unwrap_or(src).to_string_lossy().into_owned()
}

/// `target` relative to folder `base` (both canonical); `None` when they share only the root.
fn relative(target: &Path, base: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let t: Vec<Component<'_>> = target.components().collect();
    let b: Vec<Component<'_>> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let shares_a_folder = t
        .iter()
        .take(common)
        .any(|c| matches!(c, Component::Normal(_)));
    if !shares_a_folder {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in b.iter().skip(common) {
        out.push("..");
    }
    for c in t.iter().skip(common) {
        out.push(c);
    }
    Some(out)
}

/// Where a recorded source path is on disk: absolute as is; relative against the case
/// file's directory if it exists there, else as given (the working directory: case files
/// written before paths were stored relative to the case).
pub fn resolve_source(case_dir: &Path, recorded: &str) -> PathBuf {
    let p = Path::new(recorded);
    if p.is_absolute() {
        return p.to_owned();
    }
    let beside = case_dir.join(p);
    if beside.exists() {
        beside
    } else {
        p.to_owned()
    }
}

/// Re-hashes every source of `file` (paths resolved as in `resolve_source`).
pub fn verify_sources(file: &CaseFile, case_dir: &Path) -> Vec<SourceStatus> {
    file.sources
        .iter()
        .map(|s| {
            let path = resolve_source(case_dir, &s.path);
            let status = match sha256_file(&path) {
                Ok(found) if found.eq_ignore_ascii_case(&s.sha256) => Verify::Ok,
                Ok(found) => Verify::Changed {
                    expected: s.sha256.clone(),
                    found,
                },
                Err(e) if e.kind() == io::ErrorKind::NotFound => Verify::Missing,
                Err(e) => Verify::Unreadable {
                    error: e.to_string(),
                },
            };
            SourceStatus {
                path: s.path.clone(),
                status,
            }
        })
        .collect()
}
