//! The one place that maps evidence into memory.

use memmap2::Mmap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The bytes of one piece of evidence: mapped read-only, read into memory (`--no-mmap`,
/// tiny files), or decompressed.
pub enum Evidence {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

impl Evidence {
    /// Opens `path` read-only and maps it (or reads it when `no_mmap`).
    pub fn open(path: &Path, no_mmap: bool) -> io::Result<Evidence> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        if no_mmap || len == 0 {
            let mut buf = Vec::with_capacity(len as usize);
            (&file).read_to_end(&mut buf)?;
            return Ok(Evidence::Owned(buf));
        }
        // SAFETY: the map is read-only and private to this process. Evidence is not
        // expected to change while it is examined; if another process truncates the file
        // under us, reads past the new end raise SIGBUS. `--no-mmap` avoids that for live
        // logs, at the cost of holding the file in memory.
        let map = unsafe { Mmap::map(&file)? };
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::Sequential);
        Ok(Evidence::Mapped(map))
    }

    /// Maps an already open file (a decompressed temp file).
    pub fn from_file(file: &File) -> io::Result<Evidence> {
        if file.metadata()?.len() == 0 {
            return Ok(Evidence::Owned(Vec::new()));
        }
        // SAFETY: as in `open`; the temp file is private to this process and never written
        // again after decompression.
        let map = unsafe { Mmap::map(file)? };
        Ok(Evidence::Mapped(map))
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

    #[test]
    fn released_pages_read_back_the_same_bytes() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        std::io::Write::write_all(&mut f, &data).unwrap();
        let ev = Evidence::open(f.path(), false).unwrap();
        assert!(matches!(ev, Evidence::Mapped(_)));
        // Unaligned ranges, one past the end: rounded by the kernel, harmless.
        ev.release(5_000, 100_000);
        ev.release(0, data.len());
        ev.release(299_999, 10);
        assert_eq!(ev.bytes(), &data[..]);
    }
}
