//! Safe output files: nothing vigil writes may replace evidence, a case file or its journal,
//! or an existing file the analyst did not agree to replace.
//!
//! Used by every command that writes a file (`export -o`, `report -o`, `merge -o`) and by
//! the TUI's export and save-as. The API is small:
//!
//! - [`Protected`]: the set of paths no output may touch. Add every loaded evidence file
//!   ([`Protected::evidence`]), the case file and its journal ([`Protected::case`]), and
//!   anything else the command reads ([`Protected::add`] with a [`Role`]). Paths are compared
//!   by canonical path *and* by device + inode, so `./x` vs `x`, symlinks and hard links all
//!   count as the same file.
//! - [`check`]: the pre-flight, cheap and side-effect free; call it before long work (an
//!   ingest) so a bad `-o` fails fast. [`OutputError::Exists`] is the "ask first" case: the
//!   CLI says "use --force", the TUI asks y/n and calls again with `force: true`.
//! - [`create`] → [`Output`] (a `Write`) → [`Output::commit`]: data goes to a temporary file
//!   in the destination's folder, is fsynced, then renamed into place (without `force`, with
//!   a no-replace rename, so a file that appeared meanwhile is not clobbered either). If the
//!   `Output` is dropped without `commit` (an error mid-write), the temporary file is removed
//!   and the destination is untouched. [`write`] does all three for a byte buffer.
//!
//! Destinations that are streams rather than files (`/dev/null`, `/dev/stdout`, a FIFO,
//! `>(…)`) are written directly: there is nothing to replace. Block devices are refused
//! (they may be disk evidence). An existing file reached through a symlink is replaced at
//! the link's target, so the link stays.

use crate::timeline::Timeline;
use std::fs::{File, Permissions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// What a protected path is, for the refusal message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// An evidence file that is loaded (or about to be).
    Evidence,
    /// A `*.vigil.json` case file in use.
    CaseFile,
    /// A case file's crash journal (`*.vigil.json.journal`).
    Journal,
    /// Another input of the command (a case file given to `merge`).
    Input,
}

impl Role {
    fn describe(self) -> &'static str {
        match self {
            Role::Evidence => "loaded evidence",
            Role::CaseFile => "the case file",
            Role::Journal => "the case journal",
            Role::Input => "an input of this command",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

/// Why an output was not written. Every message is one line naming the path.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The destination is (a link to, or another name of) a protected file.
    #[error("{}: refusing to write there: it is {role}{}", .path.display(), same_as(.path, .of))]
    Protected {
        path: PathBuf,
        role: Role,
        /// The protected path as it was given (may differ from `path` by links or `./`).
        of: PathBuf,
    },
    /// A file is already there and `force` was not given.
    #[error("{}: already exists; not replaced (use --force to replace it)", .path.display())]
    Exists { path: PathBuf },
    #[error("{}: folder {} does not exist", .path.display(), .dir.display())]
    NoFolder { path: PathBuf, dir: PathBuf },
    #[error("{}: is a directory; give a file name", .path.display())]
    Directory { path: PathBuf },
    /// Block devices may be disk evidence.
    #[error("{}: is a block device; refusing to write to it", .path.display())]
    Device { path: PathBuf },
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    /// A dataset folder that holds a protected file (evidence, the case): writing there
    /// would mix outputs with inputs.
    #[error("{}: refusing to write a dataset there: it holds {role} ({})", .path.display(), .of.display())]
    Holds {
        path: PathBuf,
        role: Role,
        of: PathBuf,
    },
    #[error("{}: is not a directory; a dataset is written into a folder", .path.display())]
    NotDirectory { path: PathBuf },
}

fn same_as(path: &Path, of: &Path) -> String {
    if path == of {
        String::new()
    } else {
        format!(" ({})", of.display())
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_owned(),
        source,
    }
}

/// One file's identity: where it really is and, when it exists, which inode it is.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Identity {
    canonical: PathBuf,
    inode: Option<(u64, u64)>,
}

impl Identity {
    fn of(path: &Path) -> Identity {
        Identity {
            canonical: crate::case::canonical(path),
            inode: std::fs::metadata(path).ok().and_then(|m| inode(&m)),
        }
    }

    fn same(&self, other: &Identity) -> bool {
        self.canonical == other.canonical
            || matches!((self.inode, other.inode), (Some(a), Some(b)) if a == b)
    }
}

#[cfg(unix)]
fn inode(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// Paths no output may replace.
#[derive(Clone, Debug, Default)]
pub struct Protected {
    entries: Vec<(PathBuf, Role, Identity)>,
}

impl Protected {
    pub fn new() -> Protected {
        Protected::default()
    }

    /// What a command reading `evidence` (and the case file `case`, if any) must not
    /// write over.
    pub fn inputs<P: AsRef<Path>>(evidence: &[P], case: Option<&Path>) -> Protected {
        let mut p = Protected::new();
        p.evidence(evidence);
        if let Some(c) = case {
            p.case(c);
        }
        p
    }

    /// Protects `path` (which need not exist yet: a new case file is protected before its
    /// first save).
    pub fn add(&mut self, path: &Path, role: Role) -> &mut Self {
        self.entries
            .push((path.to_owned(), role, Identity::of(path)));
        self
    }

    /// Protects a case file and its journal.
    pub fn case(&mut self, case: &Path) -> &mut Self {
        self.add(case, Role::CaseFile);
        self.add(&crate::case::journal_path(case), Role::Journal)
    }

    /// Protects evidence paths as given (files; a folder protects nothing by itself, its
    /// files are protected once loaded, see `timeline`).
    pub fn evidence<P: AsRef<Path>>(&mut self, paths: &[P]) -> &mut Self {
        for p in paths {
            let p = p.as_ref();
            if !p.is_dir() {
                self.add(p, Role::Evidence);
            }
        }
        self
    }

    /// Protects every source file of a loaded timeline.
    pub fn timeline(&mut self, t: &Timeline) -> &mut Self {
        for s in &t.sources {
            self.add(Path::new(&s.label), Role::Evidence);
        }
        self
    }

    /// Refuses `out` when it is one of the protected files.
    pub fn check(&self, out: &Path) -> Result<(), OutputError> {
        let id = Identity::of(out);
        match self.entries.iter().find(|(_, _, p)| p.same(&id)) {
            Some((of, role, _)) => Err(OutputError::Protected {
                path: out.to_owned(),
                role: *role,
                of: of.clone(),
            }),
            None => Ok(()),
        }
    }
}

impl Protected {
    /// The first protected path inside the folder `dir`, with its role.
    fn inside(&self, dir: &Path) -> Option<(&Path, Role)> {
        let dir = crate::case::canonical(dir);
        self.entries
            .iter()
            .find(|(_, _, id)| id.canonical.starts_with(&dir))
            .map(|(p, r, _)| (p.as_path(), *r))
    }
}

/// Pre-flight of a dataset folder (an export that writes many files): not a protected
/// path, not holding one, a folder if it exists, else its parent must exist. The files
/// in it are then each written through [`create`].
pub fn check_dir(dir: &Path, protected: &Protected) -> Result<(), OutputError> {
    protected.check(dir)?;
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(OutputError::NotDirectory {
                path: dir.to_owned(),
            });
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => folder_there(dir)?,
        Err(e) => return Err(io_err(dir)(e)),
    }
    match protected.inside(dir) {
        Some((of, role)) => Err(OutputError::Holds {
            path: dir.to_owned(),
            role,
            of: of.to_owned(),
        }),
        None => Ok(()),
    }
}

/// [`check_dir`], then creates the folder when it is missing.
pub fn create_dir(dir: &Path, protected: &Protected) -> Result<(), OutputError> {
    check_dir(dir, protected)?;
    match std::fs::create_dir(dir) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(io_err(dir)(e)),
        _ => Ok(()),
    }
}

/// How to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutputOptions {
    /// Replace an existing file (the analyst said so: `--force`, or "y" in the TUI).
    pub force: bool,
    /// Create the file 0600 (case files: they hold the analyst's notes). Otherwise new files
    /// get the usual 0666 less the umask; a replaced file keeps its mode.
    pub private: bool,
}

/// Where the bytes will go.
#[derive(Debug)]
enum Target {
    /// A regular file (new or replaced): written through a temporary file and renamed.
    File {
        /// The final path (the target of a symlink given as `out`).
        dest: PathBuf,
        replace: bool,
        mode: Option<Permissions>,
    },
    /// A character device, FIFO or socket: written in place.
    Stream,
}

/// Pre-flight: refuses protected files, folders, block devices, and existing files without
/// `force`. Writes nothing.
pub fn check(out: &Path, protected: &Protected, opts: OutputOptions) -> Result<(), OutputError> {
    target(out, protected, opts).map(|_| ())
}

fn target(out: &Path, protected: &Protected, opts: OutputOptions) -> Result<Target, OutputError> {
    protected.check(out)?;
    let link = std::fs::symlink_metadata(out);
    match std::fs::metadata(out) {
        Ok(m) if m.is_dir() => Err(OutputError::Directory {
            path: out.to_owned(),
        }),
        Ok(m) if m.is_file() => {
            if !opts.force {
                return Err(OutputError::Exists {
                    path: out.to_owned(),
                });
            }
            Ok(Target::File {
                dest: std::fs::canonicalize(out).map_err(io_err(out))?,
                replace: true,
                mode: Some(m.permissions()),
            })
        }
        Ok(m) if is_block_device(&m) => Err(OutputError::Device {
            path: out.to_owned(),
        }),
        Ok(_) => Ok(Target::Stream),
        // A dangling symlink: something is there; replacing it needs `force`.
        Err(_) if link.is_ok() => {
            if !opts.force {
                return Err(OutputError::Exists {
                    path: out.to_owned(),
                });
            }
            Ok(Target::File {
                dest: out.to_owned(),
                replace: true,
                mode: None,
            })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            folder_there(out)?;
            Ok(Target::File {
                dest: out.to_owned(),
                replace: false,
                mode: None,
            })
        }
        Err(e) => Err(io_err(out)(e)),
    }
}

/// The folder a new `path` would go in exists: said now, not after a long ingest when
/// the temporary file (or the dataset's first file) cannot be made.
fn folder_there(path: &Path) -> Result<(), OutputError> {
    let dir = crate::case::parent_dir(path);
    if dir.is_dir() {
        Ok(())
    } else {
        Err(OutputError::NoFolder {
            path: path.to_owned(),
            dir: dir.to_owned(),
        })
    }
}

#[cfg(unix)]
fn is_block_device(m: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    m.file_type().is_block_device()
}

#[cfg(not(unix))]
fn is_block_device(_: &std::fs::Metadata) -> bool {
    false
}

/// An output being written. `commit` puts it in place; dropping it instead leaves the
/// destination as it was.
#[derive(Debug)]
pub struct Output {
    out: PathBuf,
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Temp {
        file: BufWriter<tempfile::NamedTempFile>,
        dest: PathBuf,
        replace: bool,
    },
    Stream(BufWriter<File>),
}

/// Checks `out` (as `check`) and opens the temporary file beside it.
pub fn create(
    out: &Path,
    protected: &Protected,
    opts: OutputOptions,
) -> Result<Output, OutputError> {
    let inner = match target(out, protected, opts)? {
        Target::Stream => {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(out)
                .map_err(io_err(out))?;
            Inner::Stream(BufWriter::with_capacity(1 << 16, f))
        }
        Target::File {
            dest,
            replace,
            mode,
        } => {
            let dir = crate::case::parent_dir(&dest);
            let mut b = tempfile::Builder::new();
            b.prefix(".vigil-out-").suffix(".tmp");
            if let Some(m) = new_file_mode(opts.private) {
                b.permissions(m);
            }
            let tmp = b.tempfile_in(dir).map_err(io_err(out))?;
            // A replaced file keeps its mode exactly (not narrowed by the umask).
            if let Some(m) = mode {
                tmp.as_file().set_permissions(m).map_err(io_err(out))?;
            }
            Inner::Temp {
                file: BufWriter::with_capacity(1 << 20, tmp),
                dest,
                replace,
            }
        }
    };
    Ok(Output {
        out: out.to_owned(),
        inner,
    })
}

/// Mode of a new file. Applied through open(2), so the umask still narrows it.
#[cfg(unix)]
fn new_file_mode(private: bool) -> Option<Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(Permissions::from_mode(if private { 0o600 } else { 0o666 }))
}

#[cfg(not(unix))]
fn new_file_mode(_: bool) -> Option<Permissions> {
    None
}

impl Output {
    /// The path as the caller gave it.
    pub fn path(&self) -> &Path {
        &self.out
    }

    /// Flushes, fsyncs and renames the temporary file into place (no-replace unless the
    /// destination existed and `force` was given), then fsyncs the folder.
    pub fn commit(self) -> Result<(), OutputError> {
        let out = self.out;
        match self.inner {
            Inner::Stream(mut w) => w.flush().map_err(io_err(&out)),
            Inner::Temp {
                file,
                dest,
                replace,
            } => {
                let tmp = file
                    .into_inner()
                    .map_err(|e| io_err(&out)(e.into_error()))?;
                tmp.as_file().sync_all().map_err(io_err(&out))?;
                let done = if replace {
                    tmp.persist(&dest).map(drop)
                } else {
                    tmp.persist_noclobber(&dest).map(drop)
                };
                match done {
                    Ok(()) => {}
                    Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                        return Err(OutputError::Exists { path: out });
                    }
                    Err(e) => return Err(io_err(&out)(e.error)),
                }
                crate::case::sync_dir(crate::case::parent_dir(&dest)).map_err(io_err(&out))
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            Inner::Temp { file, .. } => file.write(buf),
            Inner::Stream(w) => w.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.inner {
            Inner::Temp { file, .. } => file.write_all(buf),
            Inner::Stream(w) => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Inner::Temp { file, .. } => file.flush(),
            Inner::Stream(w) => w.flush(),
        }
    }
}

/// `create`, write `bytes`, `commit`.
pub fn write(
    out: &Path,
    bytes: &[u8],
    protected: &Protected,
    opts: OutputOptions,
) -> Result<(), OutputError> {
    let mut o = create(out, protected, opts)?;
    o.write_all(bytes).map_err(io_err(out))?;
    o.commit()
}

#[cfg(test)]
#[path = "output_tests.rs"]
mod tests;
