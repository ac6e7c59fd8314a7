//! EVTX ingest with the evtx crate's per-chunk API, straight from the mapped file,
//! chunk-parallel on the rayon pool.

use super::batch::Batch;
pub(crate) mod json;
pub mod msg;
pub mod schema;
mod stored;

pub use stored::{Slot, Slots, Stored, record_xml};

use super::source::SourceReport;
use crate::model::{Event, EventFlags, Sym};
use evtx::{ChunkFlags, EvtxChunk, EvtxChunkHeader, ParserSettings};
use json::{self as evtx_json, Sink};
use rayon::prelude::*;
use std::collections::HashSet;
use std::sync::Arc;

pub const FILE_HEADER: usize = 4096;
pub const CHUNK: usize = 65536;
pub const MAGIC: &[u8; 8] = b"ElfFile\0";
/// The format id of EVTX files (not a text format: read by `load`, not a `FormatDef`).
pub const ID: &str = "evtx";

/// Number of chunk slots in a file of `len` bytes, counting a trailing partial one: the
/// header's own count is not trusted (dirty files under-count).
pub fn chunk_slots(len: usize) -> usize {
    len.saturating_sub(FILE_HEADER).div_ceil(CHUNK)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

fn settings() -> Arc<ParserSettings> {
    Arc::new(
        ParserSettings::new()
            .num_threads(1)
            .indent(false)
            .recover_records(true),
    )
}

/// Collects one record's leaves into the chunk batch's arena.
struct RecordSink<'b> {
    b: &'b mut Batch,
    /// `(name as stored, slot)` (names with `_N` suffixes), and names as seen (for
    /// counting repeats).
    keys: Vec<(Sym, Sym)>,
    names: Vec<Sym>,
    record_id: u64,
    /// The event's time: a SystemTime that renders back from it is not stored.
    event_ts: i64,
    /// The chunk's [`Recent`] symbols.
    recent: &'b mut Recent,
}

/// The name and value symbols of the previous record's leaves, by position: records of
/// one chunk mostly share their template, so the n-th leaf's name (and often its value)
/// is the previous record's n-th. Comparing with that symbol's text is far cheaper than
/// interning, and gives the same symbol (the interner keeps one per text).
#[derive(Default)]
struct Recent {
    names: Vec<Sym>,
    values: Vec<Sym>,
}

/// `text`'s symbol: `recent[at]` when it holds that text, else interned (and remembered).
fn intern_at(
    strings: &mut crate::model::Interner,
    recent: &mut Vec<Sym>,
    at: usize,
    text: &str,
) -> Sym {
    if let Some(&s) = recent.get(at)
        && strings.str_of(s) == Some(text)
    {
        return s;
    }
    let s = strings.intern(text);
    if let Some(r) = recent.get_mut(at) {
        *r = s;
    } else if recent.len() == at {
        recent.push(s);
    }
    s
}

/// Value slot of a SystemTime equal to the event's own time in evtx's 7-digit form: the
/// text is rebuilt from `ts` instead of being stored once per record.
pub const TIME_FROM_TS: Sym = Sym(u32::MAX);
/// Value slot of an EventRecordID equal to the record header's id (kept in `Event::loc`).
pub const RID_FROM_LOC: Sym = Sym(u32::MAX - 2);

/// A SystemTime text as UTC nanoseconds.
fn system_time(value: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(value)
        .ok()
        .and_then(|d| d.timestamp_nanos_opt())
}

/// SystemTime as the evtx crate renders it (100 ns, 7 digits, `Z`).
pub fn system_time_text(ts: i64) -> String {
    let b = system_time_bytes(ts);
    String::from_utf8_lossy(&b).into_owned()
}

/// `system_time_text` without allocating (free-text checks run it for every EVTX event).
pub fn system_time_bytes(ts: i64) -> [u8; 28] {
    use chrono::{Datelike, Timelike};
    let d = chrono::DateTime::<chrono::Utc>::from_timestamp_nanos(ts);
    // Written by hand: chrono has no 7-digit fraction, and its format strings are parsed
    // on every call.
    let mut b = *b"0000-00-00T00:00:00.0000000Z";
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (at..at + width).rev() {
            b[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, d.year().clamp(0, 9999) as u32);
    put(5, 2, d.month());
    put(8, 2, d.day());
    put(11, 2, d.hour());
    put(14, 2, d.minute());
    put(17, 2, d.second());
    put(20, 7, d.nanosecond() / 100);
    b
}

impl Sink for RecordSink<'_> {
    fn leaf(&mut self, section: &str, name: &str, value: &str) {
        let at = self.names.len();
        let base = intern_at(&mut self.b.strings, &mut self.recent.names, at, name);
        // Repeated names (unnamed Data, arrays) get _1, _2… suffixes.
        let dup = self.names.iter().filter(|k| **k == base).count();
        let key = if dup > 0 {
            self.b.strings.intern(&format!("{name}_{dup}"))
        } else {
            base
        };
        self.names.push(base);
        let system = section == "System" && dup == 0;
        if system
            && name == schema::SYSTEM_TIME
            && let Some(t) = system_time(value)
            && t == self.event_ts
            && system_time_bytes(t) == value.as_bytes()
        {
            self.keys.push((key, TIME_FROM_TS));
            return;
        }
        if system && name == schema::RECORD_ID && value.parse::<u64>() == Ok(self.record_id) {
            self.keys.push((key, RID_FROM_LOC));
            return;
        }
        let val = intern_at(&mut self.b.strings, &mut self.recent.values, at, value);
        if system && schema::SHAPE_FIXED.contains(&name) {
            self.keys.push((key, val));
            return;
        }
        self.keys.push((key, super::batch::VAR));
        self.b.arena.push(val);
    }
}

struct ChunkOut {
    batch: Batch,
    rejects: Vec<(u64, String)>,
    notes: Vec<String>,
    /// (record id, recovered) of each event, to drop carved copies of live records.
    ids: Vec<(u64, bool)>,
    /// Records kept whose fields could not be walked.
    unwalked: usize,
}

fn parse_chunk(
    data: &[u8],
    n: usize,
    settings: &Arc<ParserSettings>,
    index_only: bool,
) -> ChunkOut {
    let mut out = ChunkOut {
        batch: Batch::new(),
        rejects: Vec::new(),
        notes: Vec::new(),
        ids: Vec::new(),
        unwalked: 0,
    };
    let off = FILE_HEADER + n * CHUNK;
    let end = (off + CHUNK).min(data.len());
    let Some(raw) = data.get(off..end) else {
        return out;
    };
    if raw.iter().all(|b| *b == 0) {
        return out;
    }
    // A truncated last chunk: parse what is there, zero-padded.
    let padded;
    let slice: &[u8] = if raw.len() < CHUNK {
        out.notes.push(format!(
            "chunk {n}: truncated at {} of {CHUNK} bytes; records in the part present were read",
            raw.len()
        ));
        let mut v = vec![0u8; CHUNK];
        v[..raw.len()].copy_from_slice(raw);
        padded = v;
        &padded
    } else {
        raw
    };
    let header = match EvtxChunkHeader::from_bytes(slice) {
        Ok(h) => h,
        Err(e) => {
            out.rejects
                .push((off as u64, format!("chunk {n}: {}", error_chain(&e))));
            return out;
        }
    };
    if !header.flags.contains(ChunkFlags::NO_CRC32) {
        let hcrc = {
            let mut h = crc32fast::Hasher::new();
            h.update(&slice[..120]);
            h.update(&slice[128..512]);
            h.finalize()
        };
        if hcrc != header.header_chunk_checksum {
            out.notes
                .push(format!("chunk {n}: header CRC32 mismatch (records kept)"));
        }
        let data_ok = slice
            .get(512..header.free_space_offset as usize)
            .is_some_and(|d| evtx::checksum_ieee(d) == header.events_checksum);
        if !data_ok {
            out.notes
                .push(format!("chunk {n}: records CRC32 mismatch (records kept)"));
        }
    }
    let mut chunk = match EvtxChunk::new(slice, &header, Arc::clone(settings)) {
        Ok(c) => c,
        Err(e) => {
            out.rejects
                .push((off as u64, format!("chunk {n}: {}", error_chain(&e))));
            return out;
        }
    };
    let mut recent = Recent::default();
    for rec in chunk.iter() {
        let r = match rec {
            Ok(r) => r,
            Err(e) => {
                out.rejects
                    .push((off as u64, format!("chunk {n}: {}", error_chain(&e))));
                continue;
            }
        };
        let record_id = r.event_record_id;
        let recovered = r.recovered;
        let at = (off as u64 + r.binxml_offset).saturating_sub(RECORD_HEADER as u64);
        let header_ts = i64::try_from(r.timestamp.as_nanosecond()).ok();
        let json = match r.into_json_bytes() {
            Ok(j) => j,
            Err(e) => {
                out.rejects.push((
                    at,
                    format!("chunk {n} record {record_id}: {}", error_chain(&e)),
                ));
                continue;
            }
        };
        // What decides whether a record is kept, and its time, host and id, is read the
        // same way whatever the mode: `stats` (index only) and the TUI/export must keep and
        // reject the same records.
        let (ts, host, tag) = scan_system(&json.data);
        let (ts, bad_time) = event_time(ts, header_ts);
        if recovered && let Some(why) = carved_defect(&json.data, ts) {
            out.rejects.push((
                at,
                format!("chunk {n} record {record_id}: carved record does not decode: {why}"),
            ));
            continue;
        }
        let host = out.batch.strings.intern(&host);
        let tag = out.batch.strings.intern(&tag);
        let aux = if index_only {
            NO_FIELDS
        } else {
            store_fields(&mut out, &mut recent, &json.data, record_id, ts)
        };
        let flags = EventFlags::NONE
            .with_recovered(recovered)
            .with_bad_time(bad_time);
        out.batch.events.push(Event {
            ts,
            loc: schema::loc(n as u64, record_id),
            aux,
            source: 0,
            flags,
            host,
            tag,
        });
        out.ids.push((record_id, recovered));
    }
    if out.unwalked > 0 {
        out.notes.push(format!(
            "chunk {n}: {} records whose fields could not be read are kept with time, host and id only",
            out.unwalked
        ));
    }
    out
}

/// Size of an EVTX record header (magic, size, id, time) before its BinXML.
const RECORD_HEADER: usize = 24;

/// The event time from the record's SystemTime (`Some(None)`: present but outside i64
/// nanoseconds) or else its header, and whether it is unusable.
fn event_time(system: Option<Option<i64>>, header: Option<i64>) -> (i64, bool) {
    match (system, header) {
        (Some(Some(t)), _) => (t, false),
        // An unrepresentable time (FILETIME 0 = 1601) sorts first, where its shown
        // SystemTime puts it, so exports stay sorted by the time they print.
        (Some(None), _) => (i64::MIN, true),
        (None, Some(h)) => (h, false),
        (None, None) => (i64::MIN, true),
    }
}

/// Walks the record's JSON into the chunk's arena; returns the event's `aux`, or
/// `NO_FIELDS` (the record is kept, its fields re-rendered on demand) when it cannot be
/// read even with control characters escaped.
fn store_fields(
    out: &mut ChunkOut,
    recent: &mut Recent,
    json: &[u8],
    record_id: u64,
    event_ts: i64,
) -> u32 {
    let start = out.batch.arena.len();
    out.batch.arena.push(Sym::EMPTY);
    let mut sink = RecordSink {
        b: &mut out.batch,
        keys: Vec::with_capacity(32),
        names: Vec::with_capacity(32),
        record_id,
        event_ts,
        recent,
    };
    let mut walked = evtx_json::walk(json, &mut sink);
    if walked.is_err() {
        // The renderer passes raw control characters through inside strings, which
        // is not JSON; escape them and read again.
        sink.b.arena.truncate(start + 1);
        sink.keys.clear();
        sink.names.clear();
        walked = evtx_json::walk(&escape_controls(json), &mut sink);
    }
    if walked.is_err() {
        out.batch.arena.truncate(start);
        out.unwalked += 1;
        return NO_FIELDS;
    }
    let shape = sink.b.shapes.intern(&sink.keys);
    out.batch.arena[start] = Sym::from_num(shape);
    start as u32
}

/// Why a carved record did not decode, if it did not: a template applied at the wrong
/// offset gives no record id, an unreadable time, names read from misaligned UTF-16
/// (`Ԁଁ倀`), or `Data` elements whose `Name` attributes come out as fields `Name`,
/// `Name_1`… instead of naming the values.
fn carved_defect(json: &[u8], ts: i64) -> Option<String> {
    if ts == i64::MIN {
        return Some("no readable time".into());
    }
    let mut c = CarvedCheck::default();
    if evtx_json::walk(json, &mut c).is_err() {
        c = CarvedCheck::default();
        if evtx_json::walk(&escape_controls(json), &mut c).is_err() {
            return Some("unreadable JSON".into());
        }
    }
    if let Some(name) = c.bad_name {
        let shown: String = name.chars().take(16).collect();
        return Some(format!(
            "field name {shown:?} is not text (misaligned UTF-16)"
        ));
    }
    if !c.record_id {
        return Some("no EventRecordID".into());
    }
    if c.attr_names >= 2 {
        return Some("Data names read as Name/Name_1 fields (template misapplied)".into());
    }
    None
}

#[derive(Default)]
struct CarvedCheck {
    record_id: bool,
    bad_name: Option<String>,
    attr_names: usize,
}

impl Sink for CarvedCheck {
    fn leaf(&mut self, section: &str, name: &str, _value: &str) {
        if section == "System" && name == schema::RECORD_ID {
            self.record_id = true;
        }
        if section != "System" && name == "Name" {
            self.attr_names += 1;
        }
        if self.bad_name.is_none() {
            for n in [section, name] {
                if !plausible_name(n) {
                    self.bad_name = Some(n.to_owned());
                    break;
                }
            }
        }
    }
}

/// Element and attribute names of real events are printable ASCII (providers define
/// them in manifests); misaligned UTF-16 reads as CJK, control and private-use text.
fn plausible_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 256 && s.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
}

/// `aux` of an event whose fields were not stored (index-only ingest): they are
/// re-rendered from the file when asked for.
pub const NO_FIELDS: u32 = u32::MAX;

/// The JSON string value after `key` (first occurrence), unescaped when needed.
fn json_str_after<'a>(
    json: &'a [u8],
    key: &memchr::memmem::Finder<'static>,
) -> Option<std::borrow::Cow<'a, str>> {
    let at = key.find(json)? + key.needle().len();
    let rest = json.get(at..)?;
    if rest.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    let mut escaped = false;
    while let Some(&b) = rest.get(i) {
        match b {
            b'\\' => {
                escaped = true;
                i += 1;
            }
            b'"' => break,
            _ => {}
        }
        i += 1;
    }
    let quoted = rest.get(..=i)?;
    if escaped {
        serde_json::from_slice::<String>(quoted)
            .ok()
            .map(Into::into)
    } else {
        std::str::from_utf8(rest.get(1..i)?).ok().map(Into::into)
    }
}

/// Time, Computer and EventID of a record from its JSON without parsing all of it: the
/// System element comes first, so the first occurrence of each key is its own.
fn scan_system(json: &[u8]) -> (Option<Option<i64>>, String, String) {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    static TIME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"SystemTime\":"));
    static HOST: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"Computer\":"));
    static EID: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"EventID\":"));
    static TEXT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"#text\":"));
    let ts = json_str_after(json, &TIME).and_then(|t| {
        // A valid time outside i64 nanoseconds (FILETIME 0 = 1601) is `Some(None)`:
        // flagged, shown as written. Text that is no time at all (carved garbage) leaves
        // the record header's time in charge.
        chrono::DateTime::parse_from_rfc3339(&t)
            .ok()
            .map(|d| d.timestamp_nanos_opt())
    });
    let host = json_str_after(json, &HOST).unwrap_or_default().into_owned();
    let tag = EID
        .find(json)
        .and_then(|at| {
            let rest = json.get(at + 10..)?;
            // A number, a string, or {"#attributes":{…},"#text":N}.
            let rest = match rest.first()? {
                b'{' => rest.get(TEXT.find(rest)? + 8..)?,
                _ => rest,
            };
            let rest = rest.strip_prefix(b"\"").unwrap_or(rest);
            let end = rest
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b'"'))
                .unwrap_or(rest.len());
            std::str::from_utf8(rest.get(..end)?)
                .ok()
                .map(str::to_owned)
        })
        .unwrap_or_default();
    (ts, host, tag)
}

/// Escapes bytes below 0x20 as `\u00XX` (compact JSON has none outside strings).
fn escape_controls(json: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(json.len() + 64);
    for &b in json {
        if b < 0x20 {
            v.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            v.push(b);
        }
    }
    v
}

/// Parses a whole EVTX file. Never fails as a whole: what cannot be read is reported.
/// `index_only`: keep only time, host and event id per record (what `stats` needs); the
/// fields are re-rendered from the file if ever asked for.
pub fn load(data: &[u8], report: &mut SourceReport, index_only: bool) -> Batch {
    let mut batch = Batch::new();
    if data.len() < FILE_HEADER || !data.starts_with(MAGIC) {
        report.reject(0, "not an EVTX file (no ElfFile header)");
        return batch;
    }
    let slots = chunk_slots(data.len());
    note_missing_chunks(data, slots, report);
    let settings = settings();
    // Chunks are parsed a group at a time and merged at once, so that only one group's
    // per-chunk batches (with their own copies of strings) exist besides the result.
    let group = (rayon::current_num_threads() * 32).max(32);
    let mut live: HashSet<u64> = HashSet::new();
    let mut starts = 0;
    while starts < slots {
        let end = (starts + group).min(slots);
        let mut outs: Vec<ChunkOut> = (starts..end)
            .into_par_iter()
            .map(|n| parse_chunk(data, n, &settings, index_only))
            .collect();
        // The strings merged into `batch` are sized for at once (grown as it went, the
        // merge spent much of its time re-hashing); an empty batch takes the first chunk's
        // whole, so that one is sized for the rest.
        if let Some((first, rest)) = outs.split_first_mut() {
            let into = match batch.is_empty() {
                true => &mut first.batch.strings,
                false => &mut batch.strings,
            };
            into.reserve_for(rest.iter().map(|o| &o.batch.strings));
        }
        for mut o in outs {
            live.extend(
                o.ids
                    .iter()
                    .filter(|(_, rec)| !rec)
                    .map(|(id, _)| schema::record_id_of(*id)),
            );
            for (off, reason) in o.rejects.drain(..) {
                report.reject(off, reason);
            }
            report.notes.append(&mut o.notes);
            batch.append(o.batch, true);
        }
        starts = end;
    }
    // A carved record whose id is also live is a stale copy: keep the live one only.
    let before = batch.events.len();
    batch
        .events
        .retain(|e| !e.flags.recovered() || !live.contains(&schema::record_id_of(e.loc)));
    let carved_dups = (before - batch.events.len()) as u64;
    let recovered = batch.events.iter().filter(|e| e.flags.recovered()).count();
    if recovered > 0 {
        report.notes.push(format!(
            "{recovered} records carved from slack space (flagged recovered)"
        ));
    }
    if carved_dups > 0 {
        report.notes.push(format!(
            "{carved_dups} carved stale copies of live records skipped"
        ));
    }
    batch
}

/// A file cut at a chunk boundary reads cleanly up to the cut: only the header's chunk
/// count tells that chunks are missing. (Dirty files under-count, so a count below the
/// slots present says nothing; one above them is a cut.)
fn note_missing_chunks(data: &[u8], slots: usize, report: &mut SourceReport) {
    let declared = data
        .get(42..44)
        .map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])));
    if declared > slots {
        let missing = declared - slots;
        report.reject_many(
            data.len() as u64,
            missing as u64,
            format!(
                "file ends after {slots} chunks but its header lists {declared}: {missing} chunks (64 KiB each) missing, their records lost"
            ),
        );
    }
}
