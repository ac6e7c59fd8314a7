//! Finding evidence: files and directories (recursive), decompression of `.gz`/`.zst`.

use super::mmap::Evidence;
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// A file found under the given paths, in a stable order.
#[derive(Clone, Debug)]
pub struct Found {
    pub path: PathBuf,
    /// The path as the user gave it or as found under a given directory.
    pub label: String,
}

fn is_case_file(p: &Path) -> bool {
    let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    n.ends_with(".vigil.json") || n.ends_with(".vigil.json.journal")
}

/// Walks `paths`; directories recursively in name order. Case files and hidden files in
/// walked directories are not evidence and are passed over. Paths that cannot be read are
/// returned as errors.
pub fn discover(paths: &[PathBuf]) -> (Vec<Found>, Vec<(PathBuf, String)>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut found, &mut errors),
            Ok(_) => found.push(Found {
                path: p.clone(),
                label: p.display().to_string(),
            }),
            Err(e) => errors.push((p.clone(), e.to_string())),
        }
    }
    (found, errors)
}

fn walk(dir: &Path, found: &mut Vec<Found>, errors: &mut Vec<(PathBuf, String)>) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            errors.push((dir.to_path_buf(), e.to_string()));
            return;
        }
    };
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || is_case_file(&p) {
            continue;
        }
        // Do not follow symlinked directories (loops); symlinked files are fine.
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, found, errors),
            Ok(m) if m.file_type().is_symlink() => {
                if p.is_file() {
                    found.push(Found {
                        label: p.display().to_string(),
                        path: p,
                    });
                }
            }
            Ok(_) => found.push(Found {
                label: p.display().to_string(),
                path: p,
            }),
            Err(e) => errors.push((p, e.to_string())),
        }
    }
}

/// Compression detected from content.
pub fn compression(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0x1f, 0x8b]) {
        Some("gzip")
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some("zstd")
    } else {
        None
    }
}

/// Decompresses into an anonymous temp file and maps it. Returns the evidence and the
/// decompressed size.
pub fn decompress(path: &Path, kind: &str) -> io::Result<(Evidence, u64)> {
    let f = File::open(path)?;
    let mut reader: Box<dyn Read> = match kind {
        "gzip" => Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::new(f))),
        _ => Box::new(
            ruzstd::decoding::StreamingDecoder::new(io::BufReader::new(f))
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?,
        ),
    };
    let mut tmp = tempfile::tempfile()?;
    let n = {
        let mut w = io::BufWriter::with_capacity(1 << 20, &mut tmp);
        let n = io::copy(&mut reader, &mut w)?;
        w.flush()?;
        n
    };
    tmp.rewind()?;
    Ok((Evidence::from_file(&tmp)?, n))
}
