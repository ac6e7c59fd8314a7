//! The driver of text and JSON formats: cut the bytes into records, parse them in parallel
//! ranges, keep per event only time, host, tag and where the record is.

use super::batch::Batch;
use super::source::{Prepared, Records, SourceReport};
use crate::model::{Event, Fields, Interner, Norm, Sym};
use rayon::prelude::*;

/// Records longer than this are rejected rather than parsed (a runaway line).
pub const MAX_RECORD: usize = 16 << 20;

struct RangeOut {
    batch: Batch,
    rejects: Vec<(u64, String)>,
    rejected: u64,
    last_host: Sym,
    last_tag: Sym,
}

impl RangeOut {
    fn new() -> Self {
        RangeOut {
            batch: Batch::new(),
            rejects: Vec::new(),
            rejected: 0,
            last_host: Sym::EMPTY,
            last_tag: Sym::EMPTY,
        }
    }
}

fn record_event<'a>(
    p: &Prepared,
    rec: &'a [u8],
    off: u64,
    fields: &mut Fields<'a>,
    out: &mut RangeOut,
) {
    if rec.len() > MAX_RECORD {
        push_reject(
            out,
            off,
            format!("record of {} bytes is too long", rec.len()),
        );
        return;
    }
    fields.clear();
    match p.parser.parse(rec, fields) {
        Ok(()) => {
            let host = fields.get(Norm::Host).unwrap_or("");
            let tag = fields
                .get(Norm::EventId)
                .or(fields.get(Norm::Action))
                .unwrap_or("");
            // Consecutive lines mostly share host and tag: compare with the previous
            // symbol's text before hashing.
            let host = intern_near(&mut out.batch.strings, &mut out.last_host, host);
            let tag = intern_near(&mut out.batch.strings, &mut out.last_tag, tag);
            out.batch.events.push(Event {
                ts: fields.ts,
                loc: off,
                aux: rec.len() as u32,
                source: 0,
                // i64::MIN: a real time outside the nanosecond range (see edr::norm).
                flags: if fields.ts == i64::MIN {
                    super::evtx::FLAG_BAD_TIME
                } else {
                    0
                },
                host,
                tag,
            });
        }
        Err(reason) => push_reject(out, off, reason.into_owned()),
    }
}

fn intern_near(strings: &mut Interner, last: &mut Sym, s: &str) -> Sym {
    if strings.str_of(*last) == Some(s) {
        return *last;
    }
    *last = strings.intern(s);
    *last
}

fn push_reject(out: &mut RangeOut, off: u64, reason: String) {
    out.rejected += 1;
    if out.rejects.len() < super::source::MAX_REASONS {
        out.rejects.push((off, reason));
    }
}

/// Strips a trailing `\r`.
pub fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Splits `data[start..]` into about `parts` ranges that end on line boundaries.
fn line_ranges(data: &[u8], start: usize, parts: usize) -> Vec<(usize, usize)> {
    let len = data.len();
    let start = start.min(len);
    let step = ((len - start) / parts.max(1)).max(1 << 20);
    let mut v = Vec::new();
    let mut a = start;
    while a < len {
        let mut b = (a + step).min(len);
        if b < len {
            b = match memchr::memchr(b'\n', &data[b..]) {
                Some(i) => b + i + 1,
                None => len,
            };
        }
        v.push((a, b));
        a = b;
    }
    v
}

fn parse_lines(p: &Prepared, data: &[u8], (a, b): (usize, usize), comment: &[&[u8]]) -> RangeOut {
    let mut out = RangeOut::new();
    let mut fields = Fields::lean();
    let mut pos = a;
    let chunk = &data[a..b];
    let mut it = memchr::memchr_iter(b'\n', chunk);
    loop {
        let (line_end, next) = match it.next() {
            Some(i) => (a + i, a + i + 1),
            None if pos < b => (b, b),
            None => break,
        };
        let line = trim_cr(&data[pos..line_end]);
        let off = pos as u64;
        pos = next;
        if line.iter().all(u8::is_ascii_whitespace) || comment.iter().any(|c| line.starts_with(c)) {
            continue;
        }
        record_event(p, line, off, &mut fields, &mut out);
    }
    out
}

fn bom_end(data: &[u8], start: usize) -> usize {
    match data.get(start..) {
        Some(d) if d.starts_with(b"\xEF\xBB\xBF") => start + 3,
        _ => start,
    }
}

/// Parses every record of a prepared source.
pub fn load(p: &Prepared, data: &[u8], threads: usize, report: &mut SourceReport) -> Batch {
    let outs: Vec<RangeOut> = match &p.records {
        // A UTF-8 BOM before the first line is not part of it.
        Records::Lines { start, comment } => line_ranges(data, bom_end(data, *start), threads * 16)
            .into_par_iter()
            .map(|r| parse_lines(p, data, r, comment))
            .collect(),
        Records::Ranges(ranges) => ranges
            .par_chunks(4096)
            .map(|part| {
                let mut out = RangeOut::new();
                let mut fields = Fields::lean();
                for &(off, len) in part {
                    let s = off as usize;
                    match data.get(s..s.saturating_add(len as usize)) {
                        Some(rec) => record_event(p, rec, off, &mut fields, &mut out),
                        None => push_reject(&mut out, off, "record range past end of file".into()),
                    }
                }
                out
            })
            .collect(),
    };
    // Merge into the first range's batch, reserved once for every event: the other
    // ranges' vectors are freed one by one, so all events are never held twice.
    let total: usize = outs.iter().map(|o| o.batch.events.len()).sum();
    let mut batch: Option<Batch> = None;
    for o in outs {
        for (off, r) in o.rejects {
            if report.reasons.len() < super::source::MAX_REASONS {
                report.reasons.push(super::Reject {
                    offset: off,
                    reason: r,
                });
            }
        }
        report.rejected += o.rejected;
        match &mut batch {
            Some(b) => b.append(o.batch, false),
            None => {
                let mut b = o.batch;
                b.events.reserve_exact(total.saturating_sub(b.events.len()));
                batch = Some(b);
            }
        }
    }
    batch.unwrap_or_default()
}

/// The bytes of the record an event came from.
pub fn record_bytes(data: &[u8], loc: u64, len: u32) -> &[u8] {
    let s = loc as usize;
    data.get(s..s.saturating_add(len as usize)).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_everything_on_line_boundaries() {
        let mut data = Vec::new();
        for i in 0..300_000 {
            data.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        data.extend_from_slice(b"last without newline");
        let r = line_ranges(&data, 0, 8);
        assert_eq!(r.first().unwrap().0, 0);
        assert_eq!(r.last().unwrap().1, data.len());
        for w in r.windows(2) {
            assert_eq!(w[0].1, w[1].0);
            assert_eq!(data[w[0].1 - 1], b'\n');
        }
    }
}
