//! Finding evidence: files and directories (recursive), decompression of `.gz`/`.zst`.

use super::mmap::Evidence;
use std::fs::File;
use std::io::{self, BufRead, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// A file found under the given paths, in a stable order.
#[derive(Clone, Debug)]
pub struct Found {
    pub path: PathBuf,
    /// The path as the user gave it or as found under a given directory.
    pub label: String,
    /// Size and modification time when found: a file that changes before it is opened,
    /// or changed just now, is read rather than mapped (see `mmap::Evidence::open_found`).
    pub size: u64,
    pub modified: Option<std::time::SystemTime>,
}

/// A path that is not read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
    /// It should have been readable (a named path that is missing, a folder that cannot
    /// be listed): counted as a reject. Otherwise (FIFO, device, socket, link loop,
    /// dangling link) it is a note.
    pub unreadable: bool,
}

impl Skipped {
    /// The source report listing it: unreadable (a reject) or skipped (a note).
    pub fn report(self) -> super::SourceReport {
        let mut r = super::SourceReport {
            path: self.path.display().to_string(),
            format: if self.unreadable {
                "unreadable"
            } else {
                "skipped"
            }
            .into(),
            ..Default::default()
        };
        if self.unreadable {
            r.reject(0, format!("cannot read: {}", self.reason));
        } else {
            r.notes.push(self.reason);
        }
        r
    }
}

/// What `discover_all` found: files to load and paths passed over.
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    pub found: Vec<Found>,
    pub skipped: Vec<Skipped>,
}

fn is_case_file(p: &Path) -> bool {
    let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    n.ends_with(".vigil.json") || n.ends_with(".vigil.json.journal")
}

/// Walks `paths` (see `discover_all`); every path passed over comes back with its reason.
pub fn discover(paths: &[PathBuf]) -> (Vec<Found>, Vec<(PathBuf, String)>) {
    let d = discover_all(paths);
    let skipped = d.skipped.into_iter().map(|s| (s.path, s.reason)).collect();
    (d.found, skipped)
}

/// Walks `paths`; directories recursively in name order. Case files and hidden files in
/// walked directories are not evidence and are passed over silently. Only regular files
/// are read: a FIFO would block the reader forever and `/dev/zero` never ends, so those,
/// sockets, devices, symbolic link loops and dangling links are skipped with a reason.
/// Symbolic links to folders are not followed (loops).
pub fn discover_all(paths: &[PathBuf]) -> Discovery {
    let mut d = Discovery::default();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut d),
            Ok(m) => add_file(p.clone(), &m, &mut d),
            Err(e) => d.skipped.push(Skipped {
                path: p.clone(),
                reason: link_error(p, &e).unwrap_or_else(|| e.to_string()),
                unreadable: true,
            }),
        }
    }
    d
}

/// A regular file joins `found`; anything else is skipped with what it is.
fn add_file(path: PathBuf, m: &std::fs::Metadata, d: &mut Discovery) {
    if m.is_file() {
        d.found.push(Found {
            label: path.display().to_string(),
            path,
            size: m.len(),
            modified: m.modified().ok(),
        });
        return;
    }
    d.skipped.push(Skipped {
        path,
        reason: format!("skipped: {}, not a regular file", kind_of(m)),
        unreadable: false,
    });
}

fn kind_of(m: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_fifo() {
            return "named pipe (FIFO)";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    let _ = m;
    "special file"
}

/// The reason for a path whose target cannot be reached because it is a symbolic link
/// that loops or points nowhere.
fn link_error(p: &Path, e: &io::Error) -> Option<String> {
    let link = std::fs::symlink_metadata(p).ok()?;
    if !link.file_type().is_symlink() {
        return None;
    }
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return Some("skipped: symbolic link loop".into());
    }
    Some(match e.kind() {
        io::ErrorKind::NotFound => match std::fs::read_link(p) {
            Ok(t) => format!("skipped: dangling symbolic link (to {})", t.display()),
            Err(_) => "skipped: dangling symbolic link".into(),
        },
        _ => format!("skipped: symbolic link: {e}"),
    })
}

fn walk(dir: &Path, d: &mut Discovery) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            d.skipped.push(Skipped {
                path: dir.to_path_buf(),
                reason: e.to_string(),
                unreadable: true,
            });
            return;
        }
    };
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || is_case_file(&p) {
            continue;
        }
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, d),
            Ok(m) if m.file_type().is_symlink() => match std::fs::metadata(&p) {
                // Not followed: a link back up the tree would loop.
                Ok(t) if t.is_dir() => d.skipped.push(Skipped {
                    reason: "skipped: symbolic link to a folder, not followed".into(),
                    path: p,
                    unreadable: false,
                }),
                Ok(t) => add_file(p, &t, d),
                Err(e) => d.skipped.push(Skipped {
                    reason: link_error(&p, &e).unwrap_or_else(|| e.to_string()),
                    path: p,
                    unreadable: false,
                }),
            },
            Ok(m) => add_file(p, &m, d),
            Err(e) => d.skipped.push(Skipped {
                path: p,
                reason: e.to_string(),
                unreadable: true,
            }),
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

/// Decompressed evidence is written to a temp file up to this many bytes (16 GiB; the
/// environment variable `VIGIL_MAX_DECOMPRESSED`, in bytes, changes it): a small `.gz`
/// can expand a thousandfold. What was decompressed up to the limit is read; the rest is
/// reported as a reject, not read.
pub const MAX_DECOMPRESSED: u64 = 16 << 30;

/// The bound in force: `VIGIL_MAX_DECOMPRESSED` if set to a number, else the default.
pub fn max_decompressed() -> u64 {
    std::env::var("VIGIL_MAX_DECOMPRESSED")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(MAX_DECOMPRESSED)
}

/// Decompressed evidence and what went wrong on the way, if anything.
pub struct Decompressed {
    pub evidence: Evidence,
    /// Bytes decompressed (and read).
    pub bytes: u64,
    /// Where (compressed byte offset) and why decompression stopped early. What came
    /// before stays.
    pub stopped: Option<(u64, String)>,
    /// Only zero bytes followed the last member (tape or block padding): ignored.
    pub zero_padding: bool,
}

/// Counts the bytes read from the file, so that member boundaries have offsets.
struct Counting<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

type Input = io::BufReader<Counting<File>>;

/// Offset in the file of the next byte `input` will give.
fn position(input: &Input) -> u64 {
    input.get_ref().n - input.buffer().len() as u64
}

/// Copies `r` into `w` until it ends, fails or `room` bytes have been written. Returns
/// the bytes written and the error, if any; `Ok(true)` when the room ran out first.
fn copy_some(r: &mut dyn Read, w: &mut dyn Write, room: u64) -> (u64, io::Result<bool>) {
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        if n >= room {
            // One byte more tells whether the stream really goes on.
            let mut one = [0u8; 1];
            return match r.read(&mut one) {
                Ok(0) => (n, Ok(false)),
                Ok(_) => (n, Ok(true)),
                Err(e) => (n, Err(e)),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(room - n).unwrap_or(usize::MAX));
        let k = match r.read(&mut buf[..want]) {
            Ok(0) => return (n, Ok(false)),
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return (n, Err(e)),
        };
        if let Err(e) = w.write_all(&buf[..k]) {
            return (n, Err(e));
        }
        n += k as u64;
    }
}

/// Decompresses every gzip member or zstd frame of `path` into an anonymous temp file,
/// at most `limit` bytes, and maps it. Members decompressed before a damaged one, junk
/// after the last one or the limit are kept.
pub fn decompress(path: &Path, kind: &str, limit: u64) -> io::Result<Decompressed> {
    let file = File::open(path)?;
    let mut input: Input = io::BufReader::with_capacity(1 << 16, Counting { inner: file, n: 0 });
    let mut tmp = tempfile::tempfile()?;
    let mut total = 0u64;
    let mut stopped = None;
    let mut zero_padding = false;
    {
        let mut w = io::BufWriter::with_capacity(1 << 20, &mut tmp);
        let (magic, name): (&[u8], &str) = match kind {
            "gzip" => (&[0x1f, 0x8b], "gzip member"),
            _ => (&[0x28, 0xb5, 0x2f, 0xfd], "zstd frame"),
        };
        let mut first = true;
        loop {
            let at = position(&input);
            let head = input.fill_buf()?;
            if head.is_empty() {
                break;
            }
            if !head.starts_with(magic) {
                if !first && rest_is_zero(&mut input)? {
                    zero_padding = true;
                } else {
                    stopped = Some((at, format!("data after the last {name} is not {kind}")));
                }
                break;
            }
            first = false;
            let room = limit.saturating_sub(total);
            let (n, r) = match kind {
                "gzip" => {
                    let mut d = flate2::bufread::GzDecoder::new(&mut input);
                    copy_some(&mut d, &mut w, room)
                }
                _ => match ruzstd::decoding::StreamingDecoder::new(&mut input) {
                    Ok(mut d) => copy_some(&mut d, &mut w, room),
                    Err(e) => (
                        0,
                        Err(io::Error::new(io::ErrorKind::InvalidData, e.to_string())),
                    ),
                },
            };
            total += n;
            match r {
                Ok(false) => {}
                Ok(true) => {
                    stopped = Some((
                        at,
                        format!(
                            "decompressed size limit of {} MiB reached in the {name} at this offset: the rest is not read",
                            limit >> 20
                        ),
                    ));
                    break;
                }
                Err(e) => {
                    stopped = Some((at, format!("{name} at this offset is damaged: {e}")));
                    break;
                }
            }
        }
        w.flush()?;
    }
    tmp.rewind()?;
    Ok(Decompressed {
        evidence: Evidence::from_file(&tmp)?,
        bytes: total,
        stopped,
        zero_padding,
    })
}

/// Whether everything left in `input` is zero bytes (consumes it).
fn rest_is_zero(input: &mut Input) -> io::Result<bool> {
    loop {
        let b = input.fill_buf()?;
        if b.is_empty() {
            return Ok(true);
        }
        if b.iter().any(|&c| c != 0) {
            return Ok(false);
        }
        let k = b.len();
        input.consume(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, data).unwrap();
        p
    }

    /// A gzip with trailing junk lost the members that decompressed fine.
    #[test]
    fn gzip_members_before_junk_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut data = gz(b"one\n");
        data.extend(gz(b"two\n"));
        let good = data.len() as u64;
        data.extend_from_slice(b"junk after the members");
        let p = write(dir.path(), "a.gz", &data);
        let d = decompress(&p, "gzip", MAX_DECOMPRESSED).unwrap();
        assert_eq!(d.evidence.bytes(), b"one\ntwo\n");
        let (at, why) = d.stopped.unwrap();
        assert_eq!(at, good);
        assert!(why.contains("not gzip"), "{why}");
        // Zero padding after the members is no loss.
        let mut padded = gz(b"one\n");
        padded.extend_from_slice(&[0; 700]);
        let p = write(dir.path(), "b.gz", &padded);
        let d = decompress(&p, "gzip", MAX_DECOMPRESSED).unwrap();
        assert_eq!(
            (d.evidence.bytes(), d.stopped, d.zero_padding),
            (&b"one\n"[..], None, true)
        );
        // A member cut short: what it gave before the cut stays.
        let big: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("{i}\n").into_bytes())
            .collect();
        let mut cut = gz(b"first\n");
        let second = gz(&big);
        cut.extend_from_slice(&second[..second.len() / 2]);
        let p = write(dir.path(), "c.gz", &cut);
        let d = decompress(&p, "gzip", MAX_DECOMPRESSED).unwrap();
        assert!(d.evidence.bytes().starts_with(b"first\n0\n1\n"));
        assert!(d.stopped.unwrap().1.contains("damaged"));
    }

    /// Decompressed size had no bound: a small file could fill the disk.
    #[test]
    fn decompression_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "z.gz", &gz(&vec![b'a'; 1 << 20]));
        let d = decompress(&p, "gzip", 1000).unwrap();
        assert_eq!(d.bytes, 1000);
        assert_eq!(d.evidence.bytes().len(), 1000);
        assert!(d.stopped.unwrap().1.contains("limit"));
        // Exactly at the limit is not over it.
        let d = decompress(&p, "gzip", 1 << 20).unwrap();
        assert_eq!((d.bytes, d.stopped), (1 << 20, None));
    }

    #[test]
    fn zstd_frames_one_after_another() {
        let dir = tempfile::tempdir().unwrap();
        let z = |d: &[u8]| {
            ruzstd::encoding::compress_to_vec(d, ruzstd::encoding::CompressionLevel::Fastest)
        };
        let mut data = z(b"one\n");
        data.extend(z(b"two\n"));
        data.extend_from_slice(b"junk");
        let p = write(dir.path(), "a.zst", &data);
        let d = decompress(&p, "zstd", MAX_DECOMPRESSED).unwrap();
        assert_eq!(d.evidence.bytes(), b"one\ntwo\n");
        assert!(d.stopped.is_some());
    }

    /// FIFOs hung vigil; link loops and dangling links were passed over without a word.
    #[cfg(unix)]
    #[test]
    fn special_files_and_bad_links_are_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "a.log", b"x\n");
        let made = std::process::Command::new("mkfifo")
            .arg(d.join("pipe"))
            .status()
            .unwrap();
        assert!(made.success());
        std::os::unix::fs::symlink(d.join("loop"), d.join("loop")).unwrap();
        std::os::unix::fs::symlink(d.join("nowhere"), d.join("dangling")).unwrap();
        std::os::unix::fs::symlink(d.join("a.log"), d.join("b-link.log")).unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::os::unix::fs::symlink(d, d.join("sub/up")).unwrap();
        let all = discover_all(&[d.to_path_buf(), PathBuf::from("/dev/zero")]);
        let names: Vec<String> = all
            .found
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.log", "b-link.log"]);
        let why = |n: &str| {
            all.skipped
                .iter()
                .find(|s| s.path.ends_with(n))
                .map(|s| (s.reason.clone(), s.unreadable))
                .unwrap_or_else(|| panic!("{n} not reported: {:?}", all.skipped))
        };
        assert_eq!(
            why("pipe"),
            (
                "skipped: named pipe (FIFO), not a regular file".into(),
                false
            )
        );
        assert_eq!(why("loop"), ("skipped: symbolic link loop".into(), false));
        assert!(
            why("dangling")
                .0
                .starts_with("skipped: dangling symbolic link")
        );
        assert!(why("up").0.contains("folder, not followed"));
        assert_eq!(
            why("zero").0,
            "skipped: character device, not a regular file"
        );
        assert_eq!(all.skipped.len(), 5);
        // A missing named path is unreadable (a reject), as before.
        let gone = discover_all(&[d.join("gone.evtx")]);
        assert!(gone.skipped[0].unreadable);
    }
}
