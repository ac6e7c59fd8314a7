//! Exports with a case: annotation columns and objects, missing evidence, --annotated-only,
//! CSV injection, Timesketch line shape. Built on a small firewall timeline in a tempdir.

use super::annotated::{Annotated, Item, MissingLines, plan};
use super::{Format, Request, Rows};
use crate::case::{Annotation, Case, CaseMarks, EventCopy, Kind, Severity};
use crate::ingest::{Options, Progress, options};
use crate::model::EventKey;
use crate::timeline::filter::{Filter, Marks, run};
use crate::timeline::{self, Timeline};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize};

const NETFILTER: &str = "\
2026-03-13T06:12:08.882720+01:00 fw-int kernel: [1044008.882720] FWD-ACCEPT IN=vlan10 OUT=vlan20 SRC=10.20.1.22 DST=10.20.2.73 LEN=52 TTL=127 ID=125 DF PROTO=TCP SPT=59475 DPT=631 WINDOW=64240 RES=0x00 SYN URGP=0
2026-03-13T06:18:16.634848+01:00 fw-int kernel: [1044376.634848] FWD-DROP IN=vlan20 OUT=vlan10 SRC=10.20.2.73 DST=185.225.73.18 LEN=52 TTL=127 ID=273 DF PROTO=TCP SPT=59092 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0
2026-03-13T06:23:36.303477+01:00 fw-int kernel: [1044696.303477] FWD-ACCEPT IN=vlan10 OUT=vlan20 SRC=10.20.1.21 DST=10.20.2.73 LEN=52 TTL=127 ID=3 DF PROTO=UDP SPT=5353 DPT=53 LEN=40
";

/// Attacker-controlled cells: device name, user and description all start like formulas.
const FORTIGATE: &str = r#"<189>date=2026-03-13 time=06:15:00 devname="=HYPERLINK(1)" devid="FG1" logid="0100032001" type="event" subtype="system" level="information" logdesc="-2+3 admin login" tz="+0100"
<189>date=2026-03-13 time=06:30:00 devname="+FG" devid="FG1" logid="0100032002" type="event" subtype="system" level="information" user="@SUM(1+1)" logdesc="tabbed" tz="+0100"
"#;

fn load(paths: &[PathBuf], opts: &Options) -> Timeline {
    timeline::load_paths(paths, opts, &Progress::default()).0
}

fn opts() -> Options {
    Options {
        threads: 1,
        ..Default::default()
    }
}

fn row_of(t: &Timeline, file: &str, nth: usize) -> usize {
    (0..t.len())
        .filter(|&i| t.source_of(i).is_some_and(|s| s.label.ends_with(file)))
        .nth(nth)
        .unwrap_or_else(|| panic!("{file} has no row {nth}"))
}

/// An annotation of row `i` by `author`, created at `created`.
pub(super) fn annotate(
    t: &Timeline,
    i: usize,
    kind: Kind,
    author: &str,
    created: i64,
) -> Annotation {
    let key = t.key(i).unwrap();
    let copy = EventCopy::new(
        key.ts,
        &t.source_of(i).unwrap().label,
        &t.host(i),
        &t.tag(i),
        &t.message(i),
    );
    Annotation::new_at(key, copy, kind, author, created)
}

/// A tempdir with `fw-a.log` (netfilter) and `fw-b.log` (fortigate), a case annotating
/// row 1 of a (twice) and row 0 of b, then b deleted. Returns the dir, the timeline
/// without b, and the case.
fn fixture() -> (tempfile::TempDir, Timeline, Case) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fw-a.log"), NETFILTER).unwrap();
    std::fs::write(dir.path().join("fw-b.log"), FORTIGATE).unwrap();
    let t = load(&[dir.path().to_owned()], &opts());
    assert_eq!(t.len(), 5, "fixture should load 5 events");
    let ra = row_of(&t, "fw-a.log", 1);
    let rb = row_of(&t, "fw-b.log", 0);
    let mut a = annotate(&t, ra, Kind::Ioc, "alice", 1_000);
    a.severity = Some(Severity::High);
    a.tags = vec!["=cmd|' /C calc'!A0".into(), "beacon".into()];
    a.note = "+ outbound to C2\n@admin check".into();
    let b = annotate(&t, ra, Kind::EarlyDetection, "bob", 2_000);
    let mut c = annotate(&t, rb, Kind::LateralMovement, "carol", 3_000);
    c.note = "-gone with the evidence".into();
    c.tags = vec!["\tx".into()];
    let case_path = dir.path().join("case.vigil.json");
    let mut case = Case::new(&case_path, "alice");
    for x in [a, b, c] {
        case.upsert(x).unwrap();
    }
    case.save().unwrap();
    std::fs::remove_file(dir.path().join("fw-b.log")).unwrap();
    let (case, _) = Case::open(&case_path, "reader").unwrap();
    let t = load(&[dir.path().join("fw-a.log")], &opts());
    (dir, t, case)
}

/// Every row of `t` and every missing event, as an export without a filter plans them.
pub(super) fn plan_all(
    t: &Timeline,
    ann: Option<&Annotated<'_, '_>>,
    annotated_only: bool,
) -> Vec<Item> {
    plan(
        t,
        (0..t.len()).collect(),
        ann,
        annotated_only,
        MissingLines::All,
    )
}

fn render(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    f(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn csv_write(
    t: &Timeline,
    items: &[Item],
    ann: Option<&Annotated<'_, '_>>,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    super::csv::write_header(ann.is_some(), false, out)?;
    super::csv::write_items(&lines_of(t, ann), items, out)
}

fn lines_of<'a>(t: &'a Timeline, ann: Option<&'a Annotated<'a, 'a>>) -> super::Lines<'a> {
    super::Lines {
        timeline: t,
        ann,
        det: None,
    }
}

fn lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn marks_find_rows_and_missing_evidence() {
    let (_d, t, case) = fixture();
    let m = CaseMarks::new(&case, &t);
    let ra = row_of(&t, "fw-a.log", 1);
    assert_eq!(m.rows(), [ra]);
    let kinds: Vec<Kind> = m.on_row(ra).iter().map(|a| a.kind).collect();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&Kind::Ioc) && kinds.contains(&Kind::EarlyDetection));
    assert_eq!(m.matched(), 2);
    assert_eq!(m.missing().len(), 1);
    let miss = &m.missing()[0];
    assert_eq!(miss.annotations.len(), 1);
    assert_eq!(miss.annotations[0].kind, Kind::LateralMovement);
    assert!(m.annotated(ra) && !m.annotated(row_of(&t, "fw-a.log", 0)));
    assert!(m.has_mark(ra, "ioc") && m.has_mark(ra, "early-detection"));
    assert!(!m.has_mark(ra, "impact"));
    assert!(m.has_tag(ra, "BEACON") && !m.has_tag(ra, "other"));
}

#[test]
fn marks_drive_the_query_language() {
    let (_d, t, case) = fixture();
    let m = CaseMarks::new(&case, &t);
    let ra = row_of(&t, "fw-a.log", 1);
    let q = |text: &str| {
        let f = Filter::parse(text, &crate::model::TzSpec::Utc).unwrap();
        run(&t, &f, &m, &AtomicBool::new(false), &AtomicUsize::new(0)).unwrap()
    };
    assert_eq!(q("mark:ioc"), [ra as u32]);
    assert_eq!(q("tag:beacon"), [ra as u32]);
    assert_eq!(q("annotated"), [ra as u32]);
    assert_eq!(q("NOT annotated").len(), t.len() - 1);
    assert!(q("mark:impact").is_empty());
}

#[test]
fn marks_survive_a_clock_correction_and_duplicate_evidence() {
    let (d, _t, case) = fixture();
    // The same file again under another name: same SHA-256, so both copies are marked.
    std::fs::copy(d.path().join("fw-a.log"), d.path().join("fw-c.log")).unwrap();
    let mut o = opts();
    o.skew = vec![options::parse_rule("*fw-c.log=+10s", options::parse_duration).unwrap()];
    let t = load(&[d.path().join("fw-a.log"), d.path().join("fw-c.log")], &o);
    let m = CaseMarks::new(&case, &t);
    let (ra, rc) = (row_of(&t, "fw-a.log", 1), row_of(&t, "fw-c.log", 1));
    // fw-c's event moved by 10 s: found by file and place, the time only breaks ties.
    assert_ne!(t.events[ra].ts, t.events[rc].ts);
    assert_eq!(m.rows().len(), 1, "a same-time match wins the tie-check");
    assert_eq!(m.rows(), [ra]);
    // With only the skewed copy loaded, the identity alone still finds it.
    let t = load(&[d.path().join("fw-c.log")], &o);
    let m = CaseMarks::new(&case, &t);
    assert_eq!(m.rows(), [row_of(&t, "fw-c.log", 1)]);
    assert_eq!(m.missing().len(), 1);
}

#[test]
fn marks_on_an_empty_case_or_timeline() {
    let t = Timeline::new();
    let m = CaseMarks::from_annotations(&[], &t);
    assert!(m.rows().is_empty() && m.missing().is_empty());
    let key = EventKey {
        sha256: "00".repeat(32),
        locator: "@0".into(),
        ts: 5,
    };
    let a = [Annotation::new_at(
        key,
        EventCopy::default(),
        Kind::Note,
        "x",
        1,
    )];
    let m = CaseMarks::from_annotations(&a, &t);
    assert_eq!(m.missing().len(), 1);
    assert!(!m.annotated(0));
}

#[test]
fn jsonl_carries_annotations_and_missing_events() {
    let (_d, t, case) = fixture();
    let m = CaseMarks::new(&case, &t);
    let ann = Annotated::new(&m, case.file());
    let items = plan_all(&t, Some(&ann), false);
    assert_eq!(items.len(), t.len() + 1);
    let out = lines(&render(|o| {
        super::jsonl::write_items(&lines_of(&t, Some(&ann)), &items, o)
    }));
    let ts: Vec<&str> = out.iter().map(|v| v["ts"].as_str().unwrap()).collect();
    assert!(ts.is_sorted(), "lines in time order: {ts:?}");
    let annotated: Vec<&Value> = out
        .iter()
        .filter(|v| v.get("annotation").is_some())
        .collect();
    assert_eq!(annotated.len(), 2);
    let row = annotated
        .iter()
        .find(|v| v.get("evidence").is_none())
        .unwrap();
    let a = &row["annotation"];
    for k in [
        "id", "kind", "severity", "tags", "note", "author", "created", "modified",
    ] {
        assert!(a.get(k).is_some(), "annotation.{k} missing: {a}");
    }
    assert_eq!(row["annotations"].as_array().unwrap().len(), 2);
    assert_eq!(row["annotations"][0], *a);
    assert_eq!(a["kind"], "ioc");
    assert_eq!(a["severity"], "high");
    assert_eq!(row["action"], "drop");
    let miss = annotated
        .iter()
        .find(|v| v.get("evidence").is_some())
        .unwrap();
    assert_eq!(miss["evidence"], "missing");
    assert_eq!(
        miss["format"], "",
        "case sources were never recorded in this fixture"
    );
    assert!(miss["source"].as_str().unwrap().ends_with("fw-b.log"));
    assert_eq!(miss["annotation"]["kind"], "lateral-movement");
    assert!(miss.get("annotations").is_none());
    assert_eq!(miss["message"], "(-2+3 admin login)");
    // Without a case there is no annotation key at all.
    let plain = plan_all(&t, None, false);
    let out = render(|o| super::jsonl::write_items(&lines_of(&t, None), &plain, o));
    assert!(!out.contains("\"annotation\""));
    assert_eq!(out.lines().count(), t.len());
}

#[test]
fn annotated_only_keeps_annotated_rows_and_missing_evidence() {
    let (_d, t, case) = fixture();
    let m = CaseMarks::new(&case, &t);
    let ann = Annotated::new(&m, case.file());
    let items = plan_all(&t, Some(&ann), true);
    assert_eq!(
        items,
        [Item::Missing(0), Item::Row(row_of(&t, "fw-a.log", 1))]
    );
    // A filter applies to the stored copies too.
    let q = crate::query::Query::parse("mark:early-detection", &crate::model::TzSpec::Utc).unwrap();
    let items = plan(
        &t,
        vec![row_of(&t, "fw-a.log", 1)],
        Some(&ann),
        true,
        MissingLines::Matching(&q),
    );
    assert_eq!(items, [Item::Row(row_of(&t, "fw-a.log", 1))]);
    let q =
        crate::query::Query::parse("mark:lateral-movement", &crate::model::TzSpec::Utc).unwrap();
    let items = plan(&t, vec![], Some(&ann), true, MissingLines::Matching(&q));
    assert_eq!(items, [Item::Missing(0)]);
}

/// Cells a spreadsheet would run as formulas never start with `= + - @ \t \r`.
fn assert_no_formula(cell: &str) {
    assert!(
        !matches!(
            cell.as_bytes().first(),
            Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
        ),
        "unescaped cell {cell:?}"
    );
}

#[test]
fn csv_escapes_injection_in_messages_notes_and_tags() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fw-b.log"), FORTIGATE).unwrap();
    let t = load(&[dir.path().to_owned()], &opts());
    assert_eq!(t.len(), 2);
    let mut a = annotate(&t, 0, Kind::Ioc, "@bob", 1);
    a.note = "=1+1".into();
    a.tags = vec!["+x".into(), "y".into()];
    // An event copy from evidence that is gone: its text came from the logs too.
    let gone = EventKey {
        sha256: "ff".repeat(32),
        locator: "@0".into(),
        ts: 1_773_400_000_000_000_000,
    };
    let copy = EventCopy::new(
        gone.ts,
        "=gone.log",
        "@host",
        "-1",
        "=HYPERLINK(\"http://x\")",
    );
    let mut g = Annotation::new_at(gone, copy, Kind::Impact, "\rcarol", 2);
    g.note = "\t=cmd".into();
    let anns = [a, g];
    let m = CaseMarks::from_annotations(&anns, &t);
    let file = crate::case::CaseFile::default();
    let ann = Annotated::new(&m, &file);
    let items = plan_all(&t, Some(&ann), false);
    let out = render(|o| csv_write(&t, &items, Some(&ann), o));
    let mut r = ::csv::Reader::from_reader(out.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let rows: Vec<::csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        row.iter().for_each(assert_no_formula);
    }
    let first = &rows[0];
    assert_eq!(&first[col("host")], "'=HYPERLINK(1)");
    assert_eq!(&first[col("message")], "(-2+3 admin login)");
    assert_eq!(&first[col("annotation_note")], "'=1+1");
    assert_eq!(&first[col("annotation_tags")], "'+x,y");
    assert_eq!(&first[col("annotation_author")], "'@bob");
    assert_eq!(&first[col("annotation_kind")], "ioc");
    assert_eq!(&first[col("evidence")], "");
    assert_eq!(&rows[1][col("host")], "'+FG");
    assert_eq!(&rows[1][col("user")], "'@SUM(1+1)");
    assert_eq!(&rows[1][col("annotation_kind")], "");
    let g = &rows[2];
    assert_eq!(&g[col("evidence")], "missing");
    assert_eq!(&g[col("message")], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&g[col("source")], "'=gone.log");
    assert_eq!(&g[col("host")], "'@host");
    assert_eq!(&g[col("event_id")], "'-1");
    assert_eq!(&g[col("annotation_note")], "'\t=cmd");
    assert_eq!(&g[col("annotation_author")], "'\rcarol");
}

#[test]
fn csv_annotation_columns_with_several_annotations_and_missing_rows() {
    let (_d, t, case) = fixture();
    let m = CaseMarks::new(&case, &t);
    let ann = Annotated::new(&m, case.file());
    let items = plan_all(&t, Some(&ann), true);
    let out = render(|o| csv_write(&t, &items, Some(&ann), o));
    let mut r = ::csv::Reader::from_reader(out.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    for c in super::annotated::CSV_COLUMNS {
        assert!(head.iter().any(|h| h == c), "{c} missing from {head:?}");
    }
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let rows: Vec<::csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row.len(), head.len());
        row.iter().for_each(assert_no_formula);
    }
    // Time order: the missing fortigate event (05:15Z) comes before the netfilter one.
    let (miss, row) = (&rows[0], &rows[1]);
    assert_eq!(&row[col("annotation_kind")], "ioc | early-detection");
    assert_eq!(&row[col("annotation_author")], "alice | bob");
    assert_eq!(&row[col("annotation_severity")], "high | ");
    assert_eq!(&row[col("evidence")], "");
    assert_eq!(
        &row[col("annotation_tags")],
        "'=cmd|' /C calc'!A0,beacon | "
    );
    assert_eq!(&miss[col("evidence")], "missing");
    assert_eq!(&miss[col("annotation_note")], "'-gone with the evidence");
    assert_eq!(&miss[col("annotation_tags")], "'\tx");
    assert_eq!(&miss[col("message")], "(-2+3 admin login)");
    assert_eq!(&miss[col("raw")], "{}");
}

#[test]
fn timesketch_lines_have_the_mandatory_shape() {
    let (_d, t, case) = fixture();
    let m = CaseMarks::new(&case, &t);
    let ann = Annotated::new(&m, case.file());
    let items = plan_all(&t, Some(&ann), false);
    let out = lines(&render(|o| {
        super::timesketch::write_items(&lines_of(&t, Some(&ann)), &items, o)
    }));
    assert_eq!(out.len(), t.len() + 1);
    for v in &out {
        check_timesketch_line(v);
    }
    let tagged: Vec<&Value> = out.iter().filter(|v| v.get("tag").is_some()).collect();
    assert_eq!(tagged.len(), 2);
    let row = tagged.iter().find(|v| v.get("evidence").is_none()).unwrap();
    let tags: Vec<&str> = row["tag"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"ioc") && tags.contains(&"early-detection") && tags.contains(&"beacon"),
        "{tags:?}"
    );
    assert_eq!(row["comment"], "+ outbound to C2\n@admin check");
    assert_eq!(row["data_type"], "fw:netfilter:line");
    assert_eq!(row["timestamp_desc"], "Event Logged");
    let miss = tagged.iter().find(|v| v.get("evidence").is_some()).unwrap();
    assert_eq!(miss["tag"][0], "lateral-movement");
}

/// What Timesketch needs of a line, and what keeps OpenSearch mappings clean.
pub(crate) fn check_timesketch_line(v: &Value) {
    let o = v.as_object().unwrap();
    for k in [
        "message",
        "datetime",
        "timestamp_desc",
        "timestamp",
        "data_type",
    ] {
        assert!(o.contains_key(k), "{k} missing: {v}");
    }
    assert!(!o["message"].as_str().unwrap().is_empty());
    let dt = o["datetime"].as_str().unwrap();
    assert!(dt.ends_with("+00:00"), "{dt}");
    let parsed = chrono::DateTime::parse_from_rfc3339(dt).unwrap();
    assert_eq!(
        parsed.timestamp_micros(),
        o["timestamp"].as_i64().unwrap(),
        "{v}"
    );
    for k in o.keys() {
        assert!(
            !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "not flat snake_case: {k:?}"
        );
        assert!(!k.starts_with('_'), "reserved-looking key {k}");
    }
    if let Some(tag) = o.get("tag") {
        assert!(
            tag.as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            "{tag}"
        );
    }
}

#[test]
fn timesketch_evtx_fields_on_the_corpus() {
    let file = crate::testutil::samples().join("evtx/DC-01/Security.evtx");
    let t = load(&[file], &opts());
    assert!(t.len() > 100);
    let items = plan_all(&t, None, false);
    let out = lines(&render(|o| {
        super::timesketch::write_items(&lines_of(&t, None), &items, o)
    }));
    assert_eq!(out.len(), t.len());
    for v in &out {
        check_timesketch_line(v);
        assert_eq!(v["data_type"], "windows:evtx:record");
        assert_eq!(v["timestamp_desc"], "Event Recorded");
        assert_eq!(v["source_name"], v["provider"]);
        assert!(
            v["event_identifier"].is_u64() && v["record_number"].is_u64(),
            "{v}"
        );
        assert_eq!(
            v["event_identifier"].as_u64().unwrap().to_string(),
            v["event_id"].as_str().unwrap()
        );
        assert!(v["computer_name"].as_str().unwrap().starts_with("DC-01"));
    }
}

#[test]
fn timesketch_and_jsonl_over_the_whole_corpus() {
    let Some(dir) = crate::testutil::corpus("") else {
        return;
    };
    let t = load(&[dir], &opts());
    assert!(t.len() > 1000, "{} events", t.len());
    let items = plan_all(&t, None, false);
    let out = lines(&render(|o| {
        super::timesketch::write_items(&lines_of(&t, None), &items, o)
    }));
    assert_eq!(out.len(), t.len());
    // One JSON type per key across all lines, or OpenSearch rejects later documents.
    let mut types: std::collections::HashMap<String, &'static str> = Default::default();
    for v in &out {
        check_timesketch_line(v);
        for (k, x) in v.as_object().unwrap() {
            let ty = match x {
                Value::String(_) => "string",
                Value::Number(_) => "number",
                Value::Bool(_) => "bool",
                Value::Array(_) => "array",
                _ => "other",
            };
            assert_eq!(
                *types.entry(k.clone()).or_insert(ty),
                ty,
                "{k} changes type"
            );
        }
    }
    let jl = lines(&render(|o| {
        super::jsonl::write_items(&lines_of(&t, None), &items, o)
    }));
    assert_eq!(jl.len(), t.len());
    assert!(
        jl.iter()
            .all(|v| v["ts"].is_string() && v["raw"].is_object())
    );
}

fn run_to_string(t: &Timeline, req: &Request<'_>) -> (String, super::Summary) {
    let mut out = Vec::new();
    let s = super::run(t, req, &mut out).unwrap();
    (String::from_utf8(out).unwrap(), s)
}

/// The contract parallel rendering relies on: lines rendered in separate runs and joined
/// are the bytes of one run, in every format, with and without a case.
#[test]
fn items_rendered_in_blocks_join_to_the_same_bytes() {
    let (_d, t, case) = fixture();
    let m = CaseMarks::new(&case, &t);
    let ann = Annotated::new(&m, case.file());
    let items = plan_all(&t, Some(&ann), false);
    assert!(items.len() >= 4);
    for format in Format::LINES {
        for a in [None, Some(&ann)] {
            let mut whole = Vec::new();
            let cx = lines_of(&t, a);
            super::write_items(format, &cx, &items, &mut whole).unwrap();
            for cut in 1..items.len() {
                let (x, y) = items.split_at(cut);
                let mut parts = Vec::new();
                super::write_items(format, &cx, x, &mut parts).unwrap();
                super::write_items(format, &cx, y, &mut parts).unwrap();
                assert_eq!(parts, whole, "{format}, cut at {cut}");
            }
        }
    }
}

#[test]
fn run_with_a_case_matches_the_filter_against_marks_and_copies() {
    let (_d, t, case) = fixture();
    let ra = row_of(&t, "fw-a.log", 1);
    let f = Filter::parse(
        "mark:ioc OR mark:lateral-movement",
        &crate::model::TzSpec::Utc,
    )
    .unwrap();
    let req = Request {
        rows: Rows::Matching(&f),
        case: Some(case.file()),
        missing_evidence: true,
        ..Request::new(Format::Jsonl)
    };
    let (out, s) = run_to_string(&t, &req);
    let out = lines(&out);
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(out[0]["evidence"], "missing");
    assert_eq!(out[1]["annotation"]["kind"], "ioc");
    assert_eq!(
        s,
        super::Summary {
            rows: 1,
            missing: 1,
            missing_in_case: 1
        }
    );
    // Without missing evidence: the filtered rows only, still annotated.
    let (out, s) = run_to_string(
        &t,
        &Request {
            missing_evidence: false,
            ..req
        },
    );
    assert_eq!((s.rows, s.missing, s.missing_in_case), (1, 0, 1));
    assert!(lines(&out)[0]["annotation"].is_object());
    // A view given as rows is written as it is.
    let view = [0u32, ra as u32];
    let (out, s) = run_to_string(
        &t,
        &Request {
            rows: Rows::Only(&view),
            case: None,
            ..Request::new(Format::Csv)
        },
    );
    assert_eq!((s.rows, s.missing), (2, 0));
    assert_eq!(out.lines().count(), 3, "header and two rows: {out}");
    assert!(!out.contains("annotation_kind"));
}

#[test]
fn to_file_refuses_evidence_and_an_existing_file_unless_forced() {
    let (d, t, _case) = fixture();
    let evidence = d.path().join("fw-a.log");
    let before = std::fs::read(&evidence).unwrap();
    let mut protected = crate::output::Protected::new();
    protected.timeline(&t);
    let opts = crate::output::OutputOptions::default();
    let req = Request::new(Format::Jsonl);
    let e = super::to_file(&t, &req, &evidence, &protected, opts).unwrap_err();
    assert!(e.to_string().contains("loaded evidence"), "{e}");
    assert!(!e.is_exists());
    assert_eq!(std::fs::read(&evidence).unwrap(), before);
    let out = d.path().join("out.jsonl");
    std::fs::write(&out, "keep me").unwrap();
    let e = super::to_file(&t, &req, &out, &protected, opts).unwrap_err();
    assert!(e.is_exists(), "{e}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    let force = crate::output::OutputOptions {
        force: true,
        ..opts
    };
    let s = super::to_file(&t, &req, &out, &protected, force).unwrap();
    assert_eq!(s.rows, t.len());
    assert_eq!(
        std::fs::read_to_string(&out).unwrap().lines().count(),
        t.len()
    );
}

#[test]
fn format_names_round_trip() {
    for f in Format::ALL {
        assert_eq!(f.id().parse::<Format>(), Ok(f));
        assert_eq!(f.to_string(), f.id());
    }
    assert_eq!(" CSV ".parse::<Format>(), Ok(Format::Csv));
    assert!(
        "xml"
            .parse::<Format>()
            .unwrap_err()
            .to_string()
            .contains("xml")
    );
    assert!(Format::Timesketch.default_file_name().ends_with(".jsonl"));
}
