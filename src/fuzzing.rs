//! Entry points for the fuzz targets in `fuzz/` and their regression tests
//! (`tests/fuzz_regressions.rs`): plain functions over bytes, so that neither depends on
//! which engine modules are public.
//!
//! Bad input is never an error here: it must come back as rejects and notes, as it does
//! from `vigil stats`. `Err` means an invariant the rest of vigil relies on is broken (a
//! bug), and the targets turn it into a crash. A panic anywhere below is a bug too.

use crate::case::{Case, CaseFile, CaseMarks};
use crate::ingest::{self, Batch, Evidence, Kind, Loaded, ParseCtx, SourceReport};
use crate::model::{EventFlags, Fields, Norm, TzSpec};
use crate::query::{FieldNames, Query, TextTerm};
use crate::timeline::filter::{self, Filter, Marks, NoMarks};
use crate::timeline::{Timeline, search};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize};

/// Firewall formats read line by line with their own grammar.
pub const FIREWALL_LINES: &[&str] = &["asa", "netfilter", "srx", "pflog", "pvefw"];
/// Firewall formats made of `key=value` pairs.
pub const KEY_VALUE: &[&str] = &["fortigate", "sophos", "checkpoint"];
/// W3C `#Fields:` and CSV-by-position firewall formats.
pub const BY_POSITION: &[&str] = &["wfw", "filterlog", "panos"];
/// ArcSight CEF.
pub const CEF: &[&str] = &["cef"];
/// The mixed syslog dispatcher (one format per line).
pub const SYSLOG: &[&str] = &["syslog"];
/// EDR exports read as JSON (arrays, NDJSON, wrapped objects).
pub const EDR_JSON: &[&str] = &[
    "winjson",
    "mde",
    "crowdstrike",
    "ecs",
    "velociraptor",
    "sentinelone",
    "carbonblack",
];
/// EDR exports read as CSV with a header.
pub const EDR_CSV: &[&str] = &["mde", "sentinelone"];

/// Zones naive times are read in: UTC, a fixed offset, and two with DST gaps and folds
/// (Lord Howe's is half an hour).
fn zone(sel: u8) -> TzSpec {
    let name = ["UTC", "+05:30", "America/New_York", "Australia/Lord_Howe"][usize::from(sel) % 4];
    name.parse().unwrap_or_default()
}

/// Events whose detail (fields, message, raw record, JSON) is rendered per input: enough
/// to reach every record shape of a small input without making big ones slow.
const RENDER: usize = 64;
/// EVTX raw records re-read from the file (each re-parses its chunk).
const RENDER_XML: usize = 16;

/// What one input gave.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub format: String,
    pub events: usize,
    pub rejected: u64,
}

/// A text format of `family` chosen by the first byte's low nibble (modulo the list and
/// one more choice, which sniffs the content), the zone by its high nibble; the rest of
/// the input is the file.
pub fn text_family(family: &[&str], data: &[u8]) -> Result<Summary, String> {
    let Some((&sel, body)) = data.split_first() else {
        return Ok(Summary::default());
    };
    let format = family
        .get(usize::from(sel & 0x0f) % (family.len() + 1))
        .copied();
    ingest_bytes(format, zone(sel >> 4), body)
}

/// A whole EVTX file.
pub fn evtx_file(data: &[u8]) -> Result<Summary, String> {
    ingest_bytes(Some("evtx"), TzSpec::Utc, data)
}

/// One EVTX chunk (64 KiB, zero-padded or cut), behind a valid file header.
pub fn evtx_chunk(data: &[u8]) -> Result<Summary, String> {
    let (h, c) = (ingest::evtx::FILE_HEADER, ingest::evtx::CHUNK);
    let mut file = vec![0u8; h + c];
    file[..8].copy_from_slice(ingest::evtx::MAGIC);
    file[32..36].copy_from_slice(&128u32.to_le_bytes());
    file[36..38].copy_from_slice(&1u16.to_le_bytes());
    file[38..40].copy_from_slice(&3u16.to_le_bytes());
    file[40..42].copy_from_slice(&4096u16.to_le_bytes());
    file[42..44].copy_from_slice(&1u16.to_le_bytes());
    let crc = evtx::checksum_ieee(&file[..120]);
    file[124..128].copy_from_slice(&crc.to_le_bytes());
    let n = data.len().min(c);
    file[h..h + n].copy_from_slice(&data[..n]);
    ingest_bytes(Some("evtx"), TzSpec::Utc, &file)
}

/// An export read through a `--map` mapping file (format `mapped`, never sniffed): the
/// first byte picks the zone (high nibble, as for the text families), then the mapping
/// JSON up to the first NUL byte, then the file. No NUL: no input.
pub fn edr_mapped(data: &[u8]) -> Result<Summary, String> {
    let Some((&sel, rest)) = data.split_first() else {
        return Ok(Summary::default());
    };
    let Some(nul) = memchr::memchr(0, rest) else {
        return Ok(Summary::default());
    };
    let dir = tempfile::tempdir().map_err(|e| format!("temp folder: {e}"))?;
    let map = dir.path().join("map.json");
    std::fs::write(&map, &rest[..nul]).map_err(|e| format!("write mapping: {e}"))?;
    ingest_with(Some("mapped"), zone(sel >> 4), Some(map), &rest[nul + 1..])
}

/// Parses `data` as `format` (`None`: sniffed) the way `ingest::load` does after reading
/// a file, checks what ingest promises, then builds a timeline and renders every view of
/// its events that the TUI and exports use.
pub fn ingest_bytes(format: Option<&str>, tz: TzSpec, data: &[u8]) -> Result<Summary, String> {
    ingest_with(format, tz, None, data)
}

/// `ingest_bytes` with a mapping file for the `mapped` format.
fn ingest_with(
    format: Option<&str>,
    tz: TzSpec,
    map: Option<std::path::PathBuf>,
    data: &[u8],
) -> Result<Summary, String> {
    let ctx = ParseCtx {
        tz,
        year: None,
        mtime_year: 2024,
        map,
    };
    let format = format.or_else(|| ingest::sniff(data));
    let loaded = load(format, data, &ctx, false);
    if format == Some("evtx") {
        // `stats` ingests index-only, the TUI and exports fully: one answer everywhere.
        let index = load(format, data, &ctx, true);
        same_events(&loaded, &index)?;
    }
    let summary = Summary {
        format: loaded.report.format.clone(),
        events: loaded.batch.events.len(),
        rejected: loaded.report.rejected,
    };
    if loaded.report.events != summary.events as u64 {
        return Err(format!(
            "report says {} events, the batch holds {}",
            loaded.report.events, summary.events
        ));
    }
    reparse_agrees(&loaded, data)?;
    let mut t = Timeline::new();
    t.add(loaded);
    t.sort();
    if !t.events.is_sorted_by_key(|e| (e.ts, e.source, e.loc)) {
        return Err("timeline not sorted after sort()".into());
    }
    render(&t)?;
    indexed_filters_agree(&t)?;
    Ok(summary)
}

/// One source parsed from memory, as `ingest::load` parses a file's bytes.
fn load(format: Option<&str>, data: &[u8], ctx: &ParseCtx, index_only: bool) -> Loaded {
    let mut report = SourceReport {
        path: "fuzz-input".into(),
        format: "unknown".into(),
        sha256: "00".repeat(32),
        bytes: data.len() as u64,
        ..Default::default()
    };
    let (mut batch, kind) = match format {
        Some("evtx") => {
            report.format = "evtx".into();
            let mut b = ingest::evtx::load(data, &mut report, index_only);
            let stored = ingest::evtx::Stored::take(&mut b);
            (b, Kind::Evtx(stored))
        }
        Some(id) => match ingest::format_by_id(id) {
            Some(def) => {
                report.format = def.id.into();
                match (def.prepare)(data, ctx) {
                    Ok(p) => {
                        let b = ingest::text::load(&p, data, 1, &mut report, &|_, _| {});
                        (b, Kind::Text(p))
                    }
                    Err(e) => {
                        report.reject(0, format!("{id}: {e}"));
                        (Batch::new(), Kind::None)
                    }
                }
            }
            None => (Batch::new(), Kind::None),
        },
        None => (Batch::new(), Kind::None),
    };
    report.events = batch.events.len() as u64;
    ingest::note_bad_times(&mut batch.events, &mut report);
    Loaded {
        label: "fuzz-input".into(),
        report,
        evidence: Some(Evidence::Owned(data.to_vec())),
        kind,
        batch,
    }
}

/// The same events (time, place, flags, host, id) and the same rejects.
fn same_events(a: &Loaded, b: &Loaded) -> Result<(), String> {
    let key = |l: &Loaded| -> Vec<(i64, u64, EventFlags, String, String)> {
        let s = &l.batch.strings;
        l.batch
            .events
            .iter()
            .map(|e| {
                let text = |y| s.str_of(y).unwrap_or("").to_owned();
                (e.ts, e.loc, e.flags, text(e.host), text(e.tag))
            })
            .collect()
    };
    let (ka, kb) = (key(a), key(b));
    if ka != kb {
        let at = ka.iter().zip(&kb).position(|(x, y)| x != y);
        return Err(format!(
            "full and index-only ingest differ: {} vs {} events, first difference at {at:?}",
            ka.len(),
            kb.len()
        ));
    }
    if (a.report.rejected, &a.report.reasons) != (b.report.rejected, &b.report.reasons) {
        return Err(format!(
            "full and index-only ingest reject differently: {:?} vs {:?}",
            a.report.reasons, b.report.reasons
        ));
    }
    Ok(())
}

/// Every per-event view: fields (re-parsed for text records), message, raw record, time,
/// flags, key, the export object and its sanitised lines.
fn render(t: &Timeline) -> Result<(), String> {
    for i in 0..t.len().min(RENDER) {
        let f = t.fields(i);
        let message = t.message(i);
        let _ = crate::sanitize::line(&message, 80, false);
        let _ = crate::sanitize::lines(&message, 40, true);
        // Text records render cheaply; EVTX XML only for the first few.
        if !t.raw_bytes(i).is_empty() || i < RENDER_XML {
            let raw = t.raw_record(i);
            let _ = crate::sanitize::lines(&raw, 80, false);
        }
        let _ = (t.time_text(i), t.flag_note(i), t.flag_marker(i));
        let _ = (t.host(i), t.tag(i), t.key(i));
        let _ = f;
    }
    // The export writes JSON by hand from borrowed fields: every line must parse.
    let mut out = Vec::new();
    let req = crate::export::Request::new(crate::export::Format::Jsonl);
    crate::export::run(t, &req, &mut out).map_err(|e| format!("JSON export: {e}"))?;
    for (n, line) in out
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        serde_json::from_slice::<serde_json::Value>(line)
            .map_err(|e| format!("JSON export line {}: {e}", n + 1))?;
    }
    Ok(())
}

/// A text record that ingest accepted parses again for the detail view (full fields, not
/// the lean ones ingest asks for), to the same time: otherwise the detail pane shows the
/// raw line as the message, or another time than the table.
fn reparse_agrees(l: &Loaded, data: &[u8]) -> Result<(), String> {
    let Kind::Text(p) = &l.kind else {
        return Ok(());
    };
    for e in l.batch.events.iter().take(RENDER) {
        let rec = ingest::text::record_bytes(data, e.loc, e.aux);
        let mut f = Fields::new();
        match p.parser.parse(rec, &mut f) {
            Ok(()) if f.ts == e.ts => {}
            Ok(()) => {
                return Err(format!(
                    "record at {} ingested at {} but re-parsed at {}",
                    e.loc, e.ts, f.ts
                ));
            }
            Err(why) => {
                return Err(format!(
                    "record at {} ingested but rejected when re-parsed: {why}",
                    e.loc
                ));
            }
        }
    }
    Ok(())
}

/// Queries made from the input's own values: the free-text index and the time bounds
/// are optimisations, so filters and searches must give the rows a full scan gives.
fn indexed_filters_agree(t: &Timeline) -> Result<(), String> {
    if t.is_empty() {
        return Ok(());
    }
    // Few queries: matching a term against every distinct string of the index is what
    // each costs, and it dominates an execution.
    let mut queries = vec!["event_id:* OR NOT action:allow OR recovered:true".to_owned()];
    let f = t.fields(0);
    let word = [f.get(Norm::Message), f.get(Norm::Host)]
        .into_iter()
        .flatten()
        .flat_map(|v| v.split(|c: char| !c.is_alphanumeric()))
        .find(|w| w.chars().count() >= 3);
    if let Some(w) = word {
        queries.push(w.to_owned());
        queries.push(format!("host:*{w}* OR user:{w}"));
    }
    // Parsed once: compiling the regexes of a query costs more than running it here.
    let filters: Vec<Filter> = queries
        .iter()
        .filter_map(|q| Filter::parse(q, &TzSpec::Utc).ok())
        .collect();
    let scans: Vec<Vec<u32>> = filters.iter().map(|f| scan(t, f, &NoMarks)).collect();
    t.build_text_index(&AtomicBool::new(false), &AtomicUsize::new(0));
    for (f, want) in filters.iter().zip(scans) {
        let got = run(t, f, &NoMarks);
        if got.as_ref() != Some(&want) {
            return Err(format!(
                "filter {:?}: indexed {got:?}, full scan {want:?}",
                f.text()
            ));
        }
    }
    Ok(())
}

/// Rows matching `f` by checking every event, without index or time bounds.
fn scan(t: &Timeline, f: &Filter, marks: &dyn Marks) -> Vec<u32> {
    (0..t.len())
        .filter(|&i| f.matches(t, i, marks))
        .map(|i| i as u32)
        .collect()
}

/// Rows matching `f` the way the TUI filters (time bounds, the index when built).
fn run(t: &Timeline, f: &Filter, marks: &dyn Marks) -> Option<Vec<u32>> {
    filter::run(t, f, marks, &AtomicBool::new(false), &AtomicUsize::new(0))
}

/// Annotation marks that hold on a fixed pattern of rows.
struct Pattern;
impl Marks for Pattern {
    fn annotated(&self, i: usize) -> bool {
        i.is_multiple_of(2)
    }
    fn has_mark(&self, i: usize, kind: &str) -> bool {
        i.is_multiple_of(3) && kind == "ioc"
    }
    fn has_tag(&self, i: usize, tag: &str) -> bool {
        i.is_multiple_of(4) && tag == "lateral"
    }
}

/// Lines of `timeline::testing`'s format: `TIME|HOST|TAG|MESSAGE|k=v;k=v`.
const TINY_LINES: &str = "\
2021-03-14T06:59:59Z|DC-01|4624|An account was successfully logged on.|user=CORP\\alice;src_ip=10.0.0.5;logon_type=3
2021-03-14T07:00:00Z|dc-01|4625|An account failed to log on.|user=NT AUTHORITY\\SYSTEM;src_ip=10.0.0.300
2021-03-14T07:30:00.123456789Z|fw1||allow tcp|action=allow;src_ip=192.168.1.10;dst_ip=8.8.8.8;dst_port=443;proto=tcp
2021-11-07T05:30:00Z|fw1||deny udp|action=deny;src_ip=fe80::1;dst_port=53;proto=udp
2022-12-03T18:04:05Z|WS-ADMIN-01|1|Process Create|process=C:\\Windows\\System32\\cmd.exe;cmdline=cmd /c whoami;pid=4242
2022-12-03T18:04:06Z|ws-admin-01|4688|\u{e9}v\u{e9}nement \u{202e}txt.exe|process=powershell.exe;cmdline=powershell -enc SQBFAFgA;ppid=4242
1970-01-01T00:00:00Z|old||epoch|bad=1
2099-01-01T00:00:00Z|future||ahead|
";

const TINY_FORTIGATE: &str = "\
date=2022-12-03 time=18:04:05 devname=\"FGT60F\" type=\"traffic\" subtype=\"forward\" srcip=10.1.2.3 srcport=51000 dstip=203.0.113.9 dstport=443 proto=6 action=\"accept\" policyid=3
date=2022-12-03 time=18:05:00 devname=\"FGT60F\" type=\"traffic\" subtype=\"forward\" srcip=10.1.2.4 srcport=51001 dstip=203.0.113.10 dstport=22 proto=6 action=\"deny\" policyid=4
";

/// The timeline queries run against: two sources, unindexed and indexed.
fn tiny() -> &'static (Timeline, Timeline) {
    static TINY: OnceLock<(Timeline, Timeline)> = OnceLock::new();
    TINY.get_or_init(|| {
        let build = || {
            let mut t = Timeline::new();
            let mut a = crate::timeline::testing::test_source("tiny.log", TINY_LINES);
            a.report.sha256 = "ab".repeat(32);
            t.add(a);
            let ctx = ParseCtx::default();
            let b = load(Some("fortigate"), TINY_FORTIGATE.as_bytes(), &ctx, false);
            t.add(b);
            t.sort();
            t
        };
        let plain = build();
        let indexed = build();
        indexed.build_text_index(&AtomicBool::new(false), &AtomicUsize::new(0));
        (plain, indexed)
    })
}

/// A filter typed by the user (first byte: the zone of naive times; the rest: the text):
/// parsed, checked for unknown fields, and run on a tiny timeline with and without the
/// free-text index and time bounds, which must agree. The same text is tried as a `/`
/// search.
pub fn query(data: &[u8]) -> Result<(), String> {
    let Some((&sel, body)) = data.split_first() else {
        return Ok(());
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return Ok(());
    };
    let tz = zone(sel);
    let (plain, indexed) = tiny();
    if let Ok(q) = Query::parse(text, &tz) {
        let _ = q.unknown_fields(&FieldNames::of_timeline(plain));
        let _ = (q.time_bounds(), q.needs_message(), q.uses_annotations());
        let _ = (q.field_terms(), q.as_str(), q.is_empty());
        let f = Filter::parse(text, &tz).map_err(|e| format!("Query parses, Filter not: {e:?}"))?;
        for marks in [&NoMarks as &dyn Marks, &Pattern] {
            let want = scan(plain, &f, marks);
            for t in [plain, indexed] {
                let got = run(t, &f, marks);
                if got.as_ref() != Some(&want) {
                    return Err(format!("filter {text:?}: run {got:?}, full scan {want:?}"));
                }
            }
        }
    }
    if let Ok(re) = crate::query::search_regex(text) {
        let term = TextTerm::from_search(re.clone());
        let want: Vec<u32> = (0..plain.len())
            .filter(|&i| search::event_matches(plain, i, &term))
            .map(|i| i as u32)
            .collect();
        let got = search::all_hits(indexed, None, &re, &AtomicBool::new(false));
        if got.as_ref() != Some(&want) {
            return Err(format!("search {text:?}: indexed {got:?}, scan {want:?}"));
        }
    }
    Ok(())
}

/// A case file and its journal, split at the first NUL byte (JSON holds none): before it
/// the case file (none when empty), after it the journal (none without a NUL). Opened as
/// the TUI and `export --case` open one, from a fresh folder; a case that opens must save
/// to bytes that open again to the same case, and its marks must apply to a timeline.
/// Returns how many annotations the case has (`None`: it did not open).
pub fn case(data: &[u8]) -> Result<Option<usize>, String> {
    let (file, journal) = match memchr::memchr(0, data) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let dir = tempfile::tempdir().map_err(|e| format!("temp folder: {e}"))?;
    let path = dir.path().join("fuzz.vigil.json");
    if !file.is_empty() {
        std::fs::write(&path, file).map_err(|e| format!("write case: {e}"))?;
    }
    if let Some(j) = journal {
        let jpath = crate::case::journal_path(&path);
        std::fs::write(&jpath, j).map_err(|e| format!("write journal: {e}"))?;
    }
    let Ok((case, _report)) = Case::open_existing(&path, "fuzz") else {
        return Ok(None);
    };
    let bytes = case
        .file()
        .to_bytes()
        .map_err(|e| format!("an opened case does not serialise: {e}"))?;
    let again = CaseFile::from_slice(&bytes, &path)
        .map_err(|e| format!("a saved case does not open again: {e}"))?;
    let twice = again
        .to_bytes()
        .map_err(|e| format!("a reopened case does not serialise: {e}"))?;
    if twice != bytes {
        return Err("a saved case opens to a different case".into());
    }
    let (merged, _) = crate::case::merge(case.file(), &again);
    if merged.annotations.len() < case.annotations().len() {
        return Err(format!(
            "merging a case with itself lost annotations: {} of {}",
            merged.annotations.len(),
            case.annotations().len()
        ));
    }
    let _ = crate::export::report::markdown(case.file(), &[]);
    let (plain, _) = tiny();
    let marks = CaseMarks::new(&case, plain);
    let _ = (marks.rows(), marks.missing(), marks.matched());
    let f = Filter::parse("annotated OR mark:ioc OR tag:lateral", &TzSpec::Utc)
        .map_err(|e| format!("fixed filter: {e:?}"))?;
    if run(plain, &f, &marks) != Some(scan(plain, &f, &marks)) {
        return Err("a filter on case marks disagrees with a scan".into());
    }
    Ok(Some(case.annotations().len()))
}
