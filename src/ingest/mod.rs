//! Discovery, format sniffing and parsing of evidence into events (DESIGN §1, §4).

/// Registers format modules: `formats![a, b]` declares `pub mod a; pub mod b;` and
/// `FORMATS = [&a::DEF, &b::DEF]`, so a format file cannot be declared and forgotten in
/// the registry. Order matters (see `sniffing::best`).
macro_rules! formats {
    ($($m:ident),* $(,)?) => {
        $(pub mod $m;)*
        /// Registered formats, in the order of `formats!`.
        pub const FORMATS: &[&crate::ingest::FormatDef] = &[$(&$m::DEF),*];
    };
}
use formats;

pub mod batch;
pub mod discover;
pub(crate) mod edr;
pub(crate) mod evtx;
pub(crate) mod firewall;
#[cfg(test)]
mod ingest_mode_tests;
pub mod kind;
pub mod mmap;
pub mod options;
pub(crate) mod parquet;
#[cfg(test)]
mod registry_tests;
pub mod sniffing;
pub mod source;
pub mod text;

pub use batch::Batch;
pub use discover::Found;
/// The EVTX record id an event's locator holds (tests and tools outside the crate).
pub use evtx::schema::record_id_of as evtx_record_id;
pub use kind::{FreeText, Kind, Rec};
pub use mmap::Evidence;
pub use options::{Options, Progress};
pub use sniffing::{SNIFF_BYTES, sniff};
pub use source::{
    Family, FormatCount, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser,
    Records, Reject, SourceReport,
};

use crate::model::format_rfc3339;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Every text/JSON format vigil knows, firewall then EDR: the registry.
pub fn text_formats() -> Vec<&'static FormatDef> {
    firewall::FORMATS
        .iter()
        .chain(edr::FORMATS)
        .copied()
        .collect()
}

/// Finds a format by id.
pub fn format_by_id(id: &str) -> Option<&'static FormatDef> {
    firewall::FORMATS
        .iter()
        .chain(edr::FORMATS)
        .find(|f| f.id == id)
        .copied()
}

/// The family and Timesketch `timestamp_desc` of a format id (`evtx` and every registered
/// format); `None` for ids vigil does not register (`unknown`, test sources).
pub fn format_family(id: &str) -> Option<(Family, &'static str)> {
    if id == evtx::ID {
        return Some((Family::Evtx, Family::Evtx.timestamp_desc()));
    }
    format_by_id(id).map(|f| (f.family, f.timestamp_desc))
}

/// One source, parsed.
pub struct Loaded {
    pub label: String,
    pub report: SourceReport,
    pub evidence: Option<Evidence>,
    pub kind: Kind,
    pub batch: Batch,
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// SHA-256 of `data`, publishing in `done` how many leading bytes it has read.
fn sha256_tracked(data: &[u8], done: &AtomicUsize) -> String {
    const CHUNK: usize = 4 << 20;
    let mut h = Sha256::new();
    for c in data.chunks(CHUNK) {
        h.update(c);
        done.fetch_add(c.len(), Ordering::Release);
    }
    hex::encode(h.finalize())
}

fn mtime_year(path: &Path) -> i32 {
    use chrono::Datelike;
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map(|t| chrono::DateTime::<chrono::Utc>::from(t).year())
        .unwrap_or_else(|_| chrono::Utc::now().year())
}

/// Opens, sniffs and parses one file. Never fails: problems go into the report.
pub fn load(found: &Found, opts: &Options, progress: &Progress) -> Loaded {
    let mut report = SourceReport {
        path: found.label.clone(),
        format: "unknown".into(),
        ..Default::default()
    };
    let mut loaded = Loaded {
        label: found.label.clone(),
        report: SourceReport::default(),
        evidence: None,
        kind: Kind::None,
        batch: Batch::new(),
    };
    let seen = Some((found.size, found.modified));
    let original = match Evidence::open_seen(&found.path, opts.no_mmap, seen) {
        Ok((e, note)) => {
            report.notes.extend(note);
            e
        }
        Err(e) => {
            report.reject(0, format!("cannot open: {e}"));
            loaded.report = report;
            return loaded;
        }
    };
    report.bytes = original.bytes().len() as u64;
    let (evidence, sha) = match discover::compression(original.bytes()) {
        Some(kind) => {
            let sha = sha256_hex(original.bytes());
            let limit = discover::max_decompressed();
            match discover::decompress(&found.path, kind, limit) {
                Ok(d) => {
                    report.notes.push(format!(
                        "{kind}-compressed; decompressed {} bytes to a temp file",
                        d.bytes
                    ));
                    if d.zero_padding {
                        report
                            .notes
                            .push("zero bytes after the last member ignored (padding)".into());
                    }
                    if let Some((at, why)) = d.stopped {
                        // Offsets of records are in the decompressed bytes; this one is in
                        // the file.
                        report.reject(
                            at,
                            format!("{why} (compressed offset; what came before was read)"),
                        );
                    }
                    (d.evidence, sha)
                }
                Err(e) => {
                    report.reject(0, format!("{kind} decompression failed: {e}"));
                    report.sha256 = sha;
                    loaded.report = report;
                    progress.add_file(report_bytes(&loaded.report));
                    return loaded;
                }
            }
        }
        None => (original, String::new()),
    };
    let data = evidence.bytes();
    let ctx = ParseCtx {
        tz: opts.tz_for(&found.label),
        year: opts.year,
        mtime_year: mtime_year(&found.path),
        map: opts.map.clone(),
    };
    let format = match &opts.format {
        Some(f) => Some(f.as_str()),
        None => sniff(data),
    };
    // Bytes hashed so far. `stats` reads nothing again after ingest, so the pages that
    // both the hash and the parser are done with are unmapped as it goes.
    let hashed = AtomicUsize::new(if sha.is_empty() { 0 } else { data.len() });
    let release = |a: usize, b: usize| {
        if opts.index_only && hashed.load(Ordering::Acquire) >= b {
            evidence.release(a, b - a);
        }
    };
    let ((batch, kind), sha) = rayon::join(
        || -> (Batch, Kind) {
            match format {
                Some(evtx::ID) => {
                    report.format = evtx::ID.into();
                    let mut b = evtx::load(data, &mut report, opts.index_only);
                    let stored = evtx::Stored::take(&mut b);
                    (b, Kind::Evtx(stored))
                }
                Some(parquet::ID) => {
                    report.format = parquet::ID.into();
                    let (b, stored) = parquet::load(data, opts.pushdown.as_ref(), &mut report);
                    (b, stored.map_or(Kind::None, Kind::Parquet))
                }
                Some(id) => match format_by_id(id) {
                    Some(def) => {
                        report.format = def.id.into();
                        match (def.prepare)(data, &ctx) {
                            Ok(p) => {
                                if let Some(n) = &p.note {
                                    report.notes.push(n.clone());
                                }
                                let b = text::load(&p, data, opts.threads, &mut report, &release);
                                (b, Kind::Text(p))
                            }
                            Err(e) => {
                                report.reject(0, format!("{id}: {e}"));
                                (Batch::new(), Kind::None)
                            }
                        }
                    }
                    None => {
                        report.reject(0, format!("unknown format id {id:?}"));
                        (Batch::new(), Kind::None)
                    }
                },
                None => {
                    report
                        .notes
                        .push("skipped: format not recognised from content".into());
                    (Batch::new(), Kind::None)
                }
            }
        },
        || {
            if sha.is_empty() {
                sha256_tracked(data, &hashed)
            } else {
                sha
            }
        },
    );
    report.sha256 = sha;
    let mut batch = batch;
    if kind.is_text() && !ctx.tz.eq(&crate::model::TzSpec::Utc) {
        report
            .notes
            .push(format!("naive times read in zone {}", ctx.tz));
    }
    if let Some(skew) = opts.skew_for(&found.label) {
        // An unrepresentable time (i64::MIN) has no clock to correct.
        for e in batch.events.iter_mut().filter(|e| e.ts != i64::MIN) {
            e.ts = e.ts.saturating_add(skew);
        }
        report
            .notes
            .push(format!("clock skew corrected by {} ns", skew));
    }
    report.events = batch.events.len() as u64;
    note_bad_times(&mut batch.events, &mut report);
    let (first, last) = batch
        .events
        .iter()
        .filter(|e| !e.flags.bad_time())
        .fold((i64::MAX, i64::MIN), |(a, b), e| (a.min(e.ts), b.max(e.ts)));
    if first <= last {
        report.first = Some(format_rfc3339(first));
        report.last = Some(format_rfc3339(last));
    }
    if kind.is_text() {
        evidence.advise_random();
    }
    progress.events.fetch_add(report.events, Ordering::Relaxed);
    progress
        .rejected
        .fetch_add(report.rejected, Ordering::Relaxed);
    progress.add_file(report.bytes);
    loaded.report = report;
    loaded.evidence = Some(evidence);
    loaded.kind = kind;
    loaded.batch = batch;
    loaded
}

/// Flags the events dated outside 1990 .. now + 1 day as `bad_time` and says so in the
/// report, with the earliest and latest of them.
pub fn note_bad_times(events: &mut [crate::model::Event], report: &mut SourceReport) {
    let n = crate::model::flag_bad_times(events, crate::model::now_ns());
    report.bad_time = n;
    if n == 0 {
        return;
    }
    // i64::MIN stands for a time that could not be represented at all.
    let unreadable = events.iter().filter(|e| e.ts == i64::MIN).count();
    let (lo, hi) = events
        .iter()
        .filter(|e| e.flags.bad_time() && e.ts != i64::MIN)
        .fold((i64::MAX, i64::MIN), |(a, b), e| (a.min(e.ts), b.max(e.ts)));
    let mut what = Vec::new();
    if lo == hi {
        what.push(format!("at {}", format_rfc3339(lo)));
    } else if lo < hi {
        what.push(format!("{} .. {}", format_rfc3339(lo), format_rfc3339(hi)));
    }
    if unreadable > 0 {
        what.push(format!("{unreadable} unreadable"));
    }
    report.notes.push(format!(
        "{n} events dated before 1990 or more than a day ahead ({}): flagged bad_time, kept out of the time span",
        what.join(", ")
    ));
}

fn report_bytes(r: &SourceReport) -> u64 {
    r.bytes
}

/// Parses every found file on a pool of `opts.threads` workers (files and, inside them,
/// chunks or line ranges in parallel), sending each source as it completes with its index
/// in `found`.
pub fn load_all(
    found: &[Found],
    opts: &Options,
    progress: &Progress,
    tx: std::sync::mpsc::Sender<(usize, Loaded)>,
) {
    progress
        .files_total
        .fetch_add(found.len() as u64, Ordering::Relaxed);
    let total: u64 = found
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    progress.bytes_total.fetch_add(total, Ordering::Relaxed);
    let run = || {
        use rayon::prelude::*;
        found
            .par_iter()
            .enumerate()
            .for_each_with(tx, |tx, (i, f)| {
                let _ = tx.send((i, load(f, opts, progress)));
            });
    };
    // The global pool when it already has the asked size (the binary sets it up once);
    // a pool of our own otherwise.
    if rayon::current_num_threads() == opts.threads.max(1) {
        return run();
    }
    match rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
    {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}
