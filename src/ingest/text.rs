//! The driver of text and JSON formats: cut the bytes into records, parse them in parallel
//! ranges, keep per event only time, host, tag and where the record is.

use super::batch::Batch;
use super::kind::Rec;
use super::source::{Prepared, Records, SourceReport};
use crate::model::{Event, EventFlags, Fields, Interner, Norm, Sym};
use rayon::prelude::*;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Records longer than this are rejected rather than parsed (a runaway line).
pub const MAX_RECORD: usize = 16 << 20;

struct RangeOut {
    batch: Batch,
    rejects: Vec<(u64, String)>,
    rejected: u64,
    hosts: Recent,
    tags: Recent,
    /// Per format of a mixed source: (id, events, rejects).
    formats: Vec<(&'static str, u64, u64)>,
}

impl RangeOut {
    fn new() -> Self {
        RangeOut {
            batch: Batch::new(),
            rejects: Vec::new(),
            rejected: 0,
            formats: Vec::new(),
            hosts: Recent::new(),
            tags: Recent::new(),
        }
    }
}

/// `nul`: the record may hold a NUL byte (line ranges without one skip the search).
fn record_event<'a>(
    p: &'a Prepared,
    rec: &'a [u8],
    off: u64,
    fields: &mut Fields<'a>,
    out: &mut RangeOut,
    nul: bool,
) {
    if nul && let Some(i) = memchr::memchr(0, rec) {
        // NUL-separated or NUL-padded records: parsed as one, the last record's fields
        // would win silently.
        push_reject(
            out,
            off,
            format!(
                "NUL byte at offset {} inside the record: NUL-separated or padded data is not read",
                off + i as u64
            ),
        );
        return;
    }
    if rec.len() > MAX_RECORD {
        push_reject(
            out,
            off,
            format!("record of {} bytes is too long", rec.len()),
        );
        return;
    }
    fields.clear();
    let (format, parsed) = p.parser.parse_as(rec, fields);
    if let Some(id) = format {
        let i = match out.formats.iter().position(|f| f.0 == id) {
            Some(i) => i,
            None => {
                out.formats.push((id, 0, 0));
                out.formats.len() - 1
            }
        };
        match &parsed {
            Ok(()) => out.formats[i].1 += 1,
            Err(_) => out.formats[i].2 += 1,
        }
    }
    match parsed {
        Ok(()) => {
            let host = fields.get(Norm::Host).unwrap_or("");
            let tag = fields
                .get(Norm::EventId)
                .or(fields.get(Norm::Action))
                .unwrap_or("");
            let host = out.hosts.intern(&mut out.batch.strings, host);
            let tag = out.tags.intern(&mut out.batch.strings, tag);
            out.batch.events.push(Event {
                ts: fields.ts,
                loc: off,
                aux: rec.len() as u32,
                source: 0,
                // i64::MIN: a real time outside the nanosecond range (see edr::norm).
                flags: EventFlags::NONE.with_bad_time(fields.ts == i64::MIN),
                host,
                tag,
            });
        }
        Err(reason) => push_reject(out, off, reason.into_owned()),
    }
}

/// The last few distinct strings of one column (hosts or tags), checked before the
/// interner's hash table: a log has a handful of hosts and actions, mixed line by line.
/// A slot is `(length, first eight bytes, symbol)`; up to eight bytes that pair is the
/// whole string, so most hits need no string compare at all.
struct Recent {
    slots: [(u32, u64, Sym); 8],
    next: usize,
}

impl Recent {
    fn new() -> Self {
        Recent {
            slots: [(u32::MAX, 0, Sym::EMPTY); 8],
            next: 0,
        }
    }

    /// Same symbol as `strings.intern(s)`.
    fn intern(&mut self, strings: &mut Interner, s: &str) -> Sym {
        let b = s.as_bytes();
        let head = match b.first_chunk::<8>() {
            Some(w) => u64::from_le_bytes(*w),
            None => b.iter().rev().fold(0, |acc, &c| (acc << 8) | u64::from(c)),
        };
        let len = b.len() as u32;
        for &(n, h, sym) in &self.slots {
            if n == len && h == head && (b.len() <= 8 || strings.str_of(sym) == Some(s)) {
                return sym;
            }
        }
        let sym = strings.intern(s);
        self.slots[self.next] = (len, head, sym);
        self.next = (self.next + 1) % self.slots.len();
        sym
    }
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

/// The byte that ends lines in `data`: `\n` (LF and CRLF files) unless the first MiB
/// holds none but holds `\r` (CR-only files: old Mac exports). Decided per file, so that
/// a stray CR inside a line of an LF file does not cut it.
pub fn eol_of(data: &[u8]) -> u8 {
    let head = &data[..data.len().min(1 << 20)];
    if memchr::memchr(b'\n', head).is_none() && memchr::memchr(b'\r', head).is_some() {
        b'\r'
    } else {
        b'\n'
    }
}

/// The lines of `data` whatever its line ends (LF, CRLF, CR), without them.
pub fn lines(data: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    let eol = eol_of(data);
    data.split(move |&c| c == eol).map(trim_cr)
}

/// Splits `data[start..]` into about `parts` ranges that end on line boundaries (`eol`).
fn line_ranges(data: &[u8], start: usize, parts: usize, eol: u8) -> Vec<(usize, usize)> {
    let len = data.len();
    let start = start.min(len);
    let step = ((len - start) / parts.max(1)).max(1 << 20);
    let mut v = Vec::new();
    let mut a = start;
    while a < len {
        let mut b = (a + step).min(len);
        if b < len {
            b = match memchr::memchr(eol, &data[b..]) {
                Some(i) => b + i + 1,
                None => len,
            };
        }
        v.push((a, b));
        a = b;
    }
    v
}

fn parse_lines(
    p: &Prepared,
    data: &[u8],
    (a, b): (usize, usize),
    comment: &[&[u8]],
    eol: u8,
) -> RangeOut {
    let mut out = RangeOut::new();
    let mut fields = Fields::ingest();
    let mut pos = a;
    let chunk = &data[a..b];
    // One search per range: most hold no NUL, and their lines need no search of their own.
    let nul = memchr::memchr(0, chunk).is_some();
    let mut it = memchr::memchr_iter(eol, chunk);
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
        record_event(p, line, off, &mut fields, &mut out, nul);
    }
    out
}

fn parse_records(p: &Prepared, data: &[u8], part: &[(u64, u32)]) -> RangeOut {
    let mut out = RangeOut::new();
    let mut fields = Fields::ingest();
    for &(off, len) in part {
        let s = off as usize;
        match data.get(s..s.saturating_add(len as usize)) {
            Some(rec) => record_event(p, rec, off, &mut fields, &mut out, true),
            None => push_reject(&mut out, off, "record range past end of file".into()),
        }
    }
    out
}

fn bom_end(data: &[u8], start: usize) -> usize {
    match data.get(start..) {
        Some(d) if d.starts_with(b"\xEF\xBB\xBF") => start + 3,
        _ => start,
    }
}

/// Parsed units waiting for every earlier one, and what is merged so far.
struct Merger<'r> {
    pending: Vec<Option<RangeOut>>,
    next: usize,
    batch: Option<Batch>,
    report: &'r mut SourceReport,
}

impl Merger<'_> {
    /// Takes unit `i`, then appends every unit that is now next in file order.
    fn add(&mut self, i: usize, out: RangeOut) {
        self.pending[i] = Some(out);
        while let Some(o) = self.pending.get_mut(self.next).and_then(Option::take) {
            self.next += 1;
            for (off, r) in o.rejects {
                if self.report.reasons.len() < super::source::MAX_REASONS {
                    self.report.reasons.push(super::Reject {
                        offset: off,
                        reason: r,
                    });
                }
            }
            self.report.rejected += o.rejected;
            for (id, ev, rej) in o.formats {
                let c = self.report.formats.entry(id).or_default();
                c.events += ev;
                c.rejected += rej;
            }
            match &mut self.batch {
                Some(b) => b.append(o.batch, false),
                None => {
                    // Units are about the same size: reserve for all of them once (only
                    // address space until written), a little over so it rarely grows.
                    let mut b = o.batch;
                    let guess = b.events.len() * self.pending.len() / self.next;
                    b.events
                        .reserve_exact((guess + guess / 16).saturating_sub(b.events.len()));
                    self.batch = Some(b);
                }
            }
        }
    }
}

/// Parses every record of a prepared source. Units (line ranges, record chunks) are taken
/// in file order by whichever worker is free and merged as soon as every earlier one is:
/// the merge runs beside parsing instead of after it, and the events of the whole source
/// are never held twice. `done(a, b)` is told when the bytes `a..b` have been parsed.
pub fn load(
    p: &Prepared,
    data: &[u8],
    threads: usize,
    report: &mut SourceReport,
    done: &(dyn Fn(usize, usize) + Sync),
) -> Batch {
    let eol = eol_of(data);
    let units: Vec<(usize, usize)> = match &p.records {
        // A UTF-8 BOM before the first line is not part of it.
        Records::Lines { start, .. } => line_ranges(data, bom_end(data, *start), threads * 64, eol),
        Records::Ranges(r) => (0..r.len())
            .step_by(4096)
            .map(|a| (a, (a + 4096).min(r.len())))
            .collect(),
    };
    let merger = Mutex::new(Merger {
        pending: (0..units.len()).map(|_| None).collect(),
        next: 0,
        batch: None,
        report,
    });
    let taken = AtomicUsize::new(0);
    (0..units.len())
        .into_par_iter()
        .with_max_len(1)
        .for_each(|_| {
            // A task parses the next unit in file order, not the one of its own index, so
            // units finish (and merge) about in order whichever worker runs them.
            let i = taken.fetch_add(1, Ordering::Relaxed);
            let out = match &p.records {
                Records::Lines { comment, .. } => {
                    let out = parse_lines(p, data, units[i], comment, eol);
                    done(units[i].0, units[i].1);
                    out
                }
                Records::Ranges(r) => parse_records(p, data, &r[units[i].0..units[i].1]),
            };
            merger.lock().unwrap_or_else(|e| e.into_inner()).add(i, out);
        });
    let merger = merger.into_inner().unwrap_or_else(|e| e.into_inner());
    merger.batch.unwrap_or_default()
}

/// The bytes of the record an event came from.
pub fn record_bytes(data: &[u8], loc: u64, len: u32) -> &[u8] {
    let s = loc as usize;
    data.get(s..s.saturating_add(len as usize)).unwrap_or(&[])
}

impl Prepared {
    /// Every field of the record of event `r`, parsed again from its bytes (the parser
    /// that read it at ingest); a record that no longer parses shows its text as the
    /// message.
    pub fn fields<'a>(&'a self, r: Rec<'a>) -> Fields<'a> {
        let mut f = Fields::new();
        self.fields_into(r, &mut f);
        f
    }

    /// As [`fields`](Self::fields), into `f` (`Fields::without_message`: no EDR summary).
    pub fn fields_into<'a>(&'a self, r: Rec<'a>, f: &mut Fields<'a>) {
        let rec = record_bytes(r.data, r.event.loc, r.event.aux);
        if self.parser.parse(rec, f).is_err() {
            f.set(Norm::Message, String::from_utf8_lossy(rec));
        }
        f.ts = r.event.ts;
    }

    /// The record parsed lean into `f` (a cleared `Fields::lean()`): what the parser sets
    /// without its source fields and message (empty but for the time when it does not
    /// parse).
    pub fn lean_fields_into<'a>(&'a self, r: Rec<'a>, f: &mut Fields<'a>) {
        let rec = record_bytes(r.data, r.event.loc, r.event.aux);
        if self.parser.parse(rec, f).is_err() {
            f.clear();
        }
        f.ts = r.event.ts;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{Reason, RecordParser};

    /// `N host tag`, rejected when the line says `bad`.
    struct Words;

    impl RecordParser for Words {
        fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
            let s = std::str::from_utf8(rec).map_err(|_| Reason::Borrowed("utf8"))?;
            let mut w = s.split(' ');
            out.ts = w.next().and_then(|t| t.parse().ok()).ok_or("no time")?;
            if s.contains("bad") {
                return Err(Reason::Owned(format!("bad at {}", out.ts)));
            }
            out.set(Norm::Host, w.next().unwrap_or(""));
            out.set(Norm::Action, w.next().unwrap_or(""));
            Ok(())
        }
    }

    #[test]
    fn units_merge_in_file_order_whatever_the_threads() {
        // Several MB so the lines are cut into many units; rejects spread all over.
        let mut data = Vec::new();
        for i in 0..200_000u32 {
            let host =
                ["a", "host-long-name-1", "host-long-name-2", "\u{e9}t\u{e9}"][i as usize % 4];
            let bad = if i % 9_973 == 5 { " bad" } else { "" };
            data.extend_from_slice(format!("{i} {host} act{}{bad}\n", i % 11).as_bytes());
        }
        let prepared = words_prepared();
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut report = SourceReport::default();
            let batch = pool.install(|| load(&prepared, &data, threads, &mut report, &|_, _| {}));
            let events: Vec<(i64, u64, String, String)> = batch
                .events
                .iter()
                .map(|e| {
                    let text = |s| batch.strings.str_of(s).unwrap_or("").to_owned();
                    (e.ts, e.loc, text(e.host), text(e.tag))
                })
                .collect();
            (events, report.rejected, report.reasons)
        };
        let (events, rejected, reasons) = run(1);
        assert_eq!(rejected, 21);
        assert_eq!(events.len(), 200_000 - 21);
        assert!(
            events
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1)
        );
        // Line 5 is rejected, so event 6 is line 7.
        assert_eq!(events[6], (7, 131, "\u{e9}t\u{e9}".into(), "act7".into()));
        let offsets: Vec<u64> = reasons.iter().map(|r| r.offset).collect();
        assert!(offsets.is_sorted() && reasons.len() == super::super::source::MAX_REASONS);
        assert_eq!(reasons[0].reason, "bad at 5");
        for threads in [2, 3, 8] {
            assert_eq!(run(threads), (events.clone(), rejected, reasons.clone()));
        }
    }

    #[test]
    fn recent_gives_the_interner_symbols() {
        let words = [
            "",
            "a",
            "ab",
            "abcdefgh",
            "abcdefgh1",
            "abcdefgh2",
            "abcdefgi1",
            "12345",
            "123456789",
            "1234567890",
            "a\0",
            "a\0\0",
            "\u{e9}",
            "deny",
            "allow",
            "drop",
            "reject",
            "log",
            "x1",
            "x2",
            "x3",
            "x4",
            "x5",
            "x6",
            "x7",
            "x8",
            "x9",
        ];
        let mut plain = Interner::new();
        let mut cached = Interner::new();
        let mut recent = Recent::new();
        for i in 0..2_000usize {
            let w = words[(i * 7 + i / 13) % words.len()];
            assert_eq!(recent.intern(&mut cached, w), plain.intern(w), "{w:?}");
        }
    }

    #[test]
    fn ranges_cover_everything_on_line_boundaries() {
        let mut data = Vec::new();
        for i in 0..300_000 {
            data.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        data.extend_from_slice(b"last without newline");
        let r = line_ranges(&data, 0, 8, b'\n');
        assert_eq!(r.first().unwrap().0, 0);
        assert_eq!(r.last().unwrap().1, data.len());
        for w in r.windows(2) {
            assert_eq!(w[0].1, w[1].0);
            assert_eq!(data[w[0].1 - 1], b'\n');
        }
    }

    /// The `Words` parser over plain lines.
    fn words_prepared() -> Prepared {
        Prepared {
            parser: Box::new(Words),
            records: Records::Lines {
                start: 0,
                comment: &[],
            },
            note: None,
        }
    }

    fn words(data: &[u8]) -> (Vec<(i64, u64, String)>, SourceReport) {
        let prepared = words_prepared();
        let mut report = SourceReport::default();
        let batch = load(&prepared, data, 2, &mut report, &|_, _| {});
        let events = batch
            .events
            .iter()
            .map(|e| {
                let host = batch.strings.str_of(e.host).unwrap_or("").to_owned();
                (e.ts, e.loc, host)
            })
            .collect();
        (events, report)
    }

    /// CR-only files (old Mac exports) collapsed to one event carrying the last record's
    /// fields; LF, CRLF and CR all give one event per line.
    #[test]
    fn cr_lf_and_crlf_line_ends() {
        let want = |step: u64| {
            vec![
                (1, 0, "a".to_owned()),
                (2, 6 + step, "b".to_owned()),
                (3, 12 + 2 * step, "c".to_owned()),
            ]
        };
        for (data, step) in [
            (&b"1 a x\n2 b y\n3 c z\n"[..], 0),
            (b"1 a x\r\n2 b y\r\n3 c z\r\n", 1),
            (b"1 a x\r2 b y\r3 c z", 0),
        ] {
            let (events, report) = words(data);
            assert_eq!(events, want(step), "{:?}", String::from_utf8_lossy(data));
            assert_eq!(report.rejected, 0);
        }
        // A stray CR inside a line of an LF file does not cut it.
        let (events, report) = words(b"1 a x\ry\n2 b y\n");
        assert_eq!((events.len(), report.rejected), (2, 0));
        let l: Vec<&[u8]> = lines(b"a\rb\r\rc").collect();
        assert_eq!(l, [&b"a"[..], b"b", b"", b"c"]);
    }

    /// NUL-separated records were parsed as one line (the last record's fields won): a NUL
    /// inside a line is a reject with its offset, never a merge.
    #[test]
    fn nul_inside_a_line_is_a_reject() {
        let (events, report) = words(b"1 a x\x002 b y\x003 c z\n4 d w\n\0\0\0\n");
        assert_eq!(events, [(4, 18, "d".to_owned())]);
        assert_eq!(report.rejected, 2);
        assert_eq!(report.reasons[0].offset, 0);
        assert!(
            report.reasons[0].reason.contains("NUL byte at offset 5"),
            "{:?}",
            report.reasons
        );
        assert_eq!(report.reasons[1].offset, 24);
    }
}
