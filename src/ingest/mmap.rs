//! The one place that maps evidence into memory.
// Mapping a file, advising the kernel about mapped pages and trimming the heap have no
// safe API; the crate denies `unsafe` everywhere else (Cargo.toml [lints]) but for the
// background pool's thread priority (tui/effects/pool.rs).
#![allow(unsafe_code)]

use memmap2::Mmap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// A file changed less than this long ago is taken as a live log, still being written
/// (or rotated): it is read, not mapped.
pub const LIVE_AGE: Duration = Duration::from_secs(5);

/// The bytes of one piece of evidence: mapped read-only, read into memory (`--no-mmap`,
/// tiny files, live files, maps that fail), or decompressed.
pub enum Evidence {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

/// Opens a regular file read-only without blocking: a FIFO named on the command line
/// would block `open` itself until a writer came.
fn open_regular(path: &Path) -> io::Result<(File, std::fs::Metadata)> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    let file = o.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (FIFO, device or socket)",
        ));
    }
    Ok((file, meta))
}

/// Reads at most `len` bytes: a file still growing is read as it was when opened.
fn read_upto(file: &File, len: u64) -> io::Result<Evidence> {
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0).min(1 << 30));
    file.take(len).read_to_end(&mut buf)?;
    Ok(Evidence::Owned(buf))
}

/// Whether a file is read rather than mapped although mapping was asked for, and the
/// note to report: it changed between discovery (`seen`: size, mtime) and opening (noted:
/// the evidence is changing under examination), or within `LIVE_AGE` (a live log or a
/// file just written; not noted). A mapped file truncated by its writer kills the reader
/// with SIGBUS.
fn live(
    meta: &std::fs::Metadata,
    seen: Option<(u64, Option<SystemTime>)>,
) -> Option<Option<String>> {
    let mtime = meta.modified().ok();
    if let Some((size, modified)) = seen
        && (size != meta.len() || modified != mtime)
    {
        return Some(Some(
            "changed between discovery and reading (a live file): read as it was when opened"
                .into(),
        ));
    }
    // A time in the future (clock skew, `touch`) counts as just changed.
    let age = mtime.map(|t| t.elapsed().unwrap_or_default());
    match age {
        Some(a) if a >= LIVE_AGE => None,
        _ => Some(None),
    }
}

impl Evidence {
    /// Opens `path` read-only and maps it (or reads it when `no_mmap`, when it is a live
    /// file, or when mapping fails).
    pub fn open(path: &Path, no_mmap: bool) -> io::Result<Evidence> {
        Self::open_seen(path, no_mmap, None).map(|(e, _)| e)
    }

    /// As `open`, for a file found with size and mtime `seen`; also returns a note when
    /// it changed since then.
    pub fn open_seen(
        path: &Path,
        no_mmap: bool,
        seen: Option<(u64, Option<SystemTime>)>,
    ) -> io::Result<(Evidence, Option<String>)> {
        let (file, meta) = open_regular(path)?;
        let len = meta.len();
        if no_mmap || len == 0 {
            return Ok((read_upto(&file, len)?, None));
        }
        if let Some(note) = live(&meta, seen) {
            return Ok((read_upto(&file, len)?, note));
        }
        match map(&file) {
            Ok(m) => {
                #[cfg(unix)]
                let _ = m.advise(memmap2::Advice::Sequential);
                Ok((Evidence::Mapped(m), None))
            }
            // Some filesystems (FUSE, some network mounts) cannot map: read instead.
            Err(_) => Ok((read_upto(&file, len)?, None)),
        }
    }

    /// Maps an already open file (a decompressed temp file), or reads it if mapping fails.
    pub fn from_file(file: &File) -> io::Result<Evidence> {
        let len = file.metadata()?.len();
        if len == 0 {
            return Ok(Evidence::Owned(Vec::new()));
        }
        match map(file) {
            Ok(m) => Ok(Evidence::Mapped(m)),
            Err(_) => read_upto(file, len),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Evidence::Mapped(m) => m,
            Evidence::Owned(v) => v,
        }
    }

    /// Drops this process's page-table entries for `len` bytes at `at` once ingest is done
    /// with them and nothing will read them again (`stats`): that unmapping work then runs
    /// on the workers beside parsing instead of all at exit. The pages stay in the page
    /// cache; a later read maps them again.
    pub fn release(&self, at: usize, len: usize) {
        #[cfg(target_os = "linux")]
        if let Evidence::Mapped(m) = self {
            // SAFETY: the map is a shared, read-only file mapping (`Mmap::map`), never
            // written: after MADV_DONTNEED a read faults the same file bytes back in, so
            // borrowed slices keep their contents (the assumption of `open` that the file
            // does not change still holds them).
            let _ =
                unsafe { m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, at, len) };
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (at, len);
    }

    /// Tells the kernel that access is now random (detail view, filters).
    pub fn advise_random(&self) {
        #[cfg(unix)]
        if let Evidence::Mapped(m) = self {
            let _ = m.advise(memmap2::Advice::Random);
        }
    }
}

/// Maps `file` read-only: the only place evidence is mapped.
fn map(file: &File) -> io::Result<Mmap> {
    // SAFETY: the map is read-only and private to this process. Evidence is not expected to
    // change while it is examined: files that changed since discovery or within `LIVE_AGE`
    // (live logs) are read instead (`open_seen`), and decompressed temp files are private
    // and never written again. If another process still truncates a mapped file, reads past
    // the new end raise SIGBUS; `--no-mmap` avoids that, at the cost of holding the file in
    // memory.
    unsafe { Mmap::map(file) }
}

/// Returns memory freed by ingest's worker threads to the system. glibc keeps freed
/// blocks of its per-thread arenas mapped; after a load that is tens of MB per million
/// events of transient per-chunk batches.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages; it takes no pointers and is
    // thread-safe in glibc.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file last changed an hour ago (not live).
    fn settled(data: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, data).unwrap();
        let hour_ago = SystemTime::now() - Duration::from_secs(3600);
        f.as_file().set_modified(hour_ago).unwrap();
        f
    }

    #[test]
    fn released_pages_read_back_the_same_bytes() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let f = settled(&data);
        let ev = Evidence::open(f.path(), false).unwrap();
        assert!(matches!(ev, Evidence::Mapped(_)));
        // Unaligned ranges, one past the end: rounded by the kernel, harmless.
        ev.release(5_000, 100_000);
        ev.release(0, data.len());
        ev.release(299_999, 10);
        assert_eq!(ev.bytes(), &data[..]);
    }

    /// A mapped file truncated by its writer killed vigil with SIGBUS: a file that changed
    /// since it was found, or within the last seconds, is read instead.
    #[test]
    fn live_or_changed_files_are_read_not_mapped() {
        let f = settled(b"0123456789");
        let m = std::fs::metadata(f.path()).unwrap();
        let (len, mtime) = (m.len(), m.modified().ok());
        let (ev, note) = Evidence::open_seen(f.path(), false, Some((len, mtime))).unwrap();
        assert!(matches!(ev, Evidence::Mapped(_)) && note.is_none());
        // Grown since it was found.
        let (ev, note) = Evidence::open_seen(f.path(), false, Some((4, mtime))).unwrap();
        assert!(matches!(ev, Evidence::Owned(_)));
        assert!(
            note.unwrap()
                .contains("changed between discovery and reading")
        );
        assert_eq!(ev.bytes(), b"0123456789");
        // Written just now: a live log.
        let mut live = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut live, b"abc").unwrap();
        let (ev, note) = Evidence::open_seen(live.path(), false, None).unwrap();
        assert!(matches!(ev, Evidence::Owned(_)) && note.is_none());
        // `--no-mmap`: read, no note.
        let (ev, note) = Evidence::open_seen(f.path(), true, None).unwrap();
        assert!(matches!(ev, Evidence::Owned(_)) && note.is_none());
    }

    /// Opening a FIFO for reading blocks until a writer comes: vigil hung forever.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pipe");
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let t = std::time::Instant::now();
        let e = Evidence::open(&p, false).err().unwrap();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        assert!(t.elapsed() < Duration::from_secs(2));
        let e = Evidence::open(Path::new("/dev/zero"), true).err().unwrap();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }
}
