//! The dataset writer: the pinned schema, typed columns that keep every value exactly,
//! the file layout, shards, and the folder's protections.

use super::{DatasetOptions, Layout, write_with};
use crate::export::{Format, Request};
use crate::output::Protected;
use crate::timeline::{self, Timeline};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::{Path, PathBuf};

const LINES: &str = "\
2022-01-01T23:59:59.123456789Z|h1|4624|logon|pid=0x1a4;src_port=443;dst_port=http;src_ip=10.0.0.1;LogonType=3;LogonType=5
2022-01-02T00:00:01Z|h2|4625||user=bob;record_id=77
2022-01-02T00:00:02Z||allow|x|proto=tcp
2022-01-02T00:00:03Z|h2|9|y|
2022-01-03T10:00:00Z|h3|1|z|
";

const SMALL: Layout = Layout {
    rows_per_file: 2,
    row_group: 1,
    batch: 1,
};

/// The test lines as one source with a SHA-256, as real evidence has.
fn timeline(lines: &str) -> Timeline {
    let mut src = crate::timeline::testing::test_source("a.log", lines);
    src.report.sha256 = "ab".repeat(32);
    let mut t = Timeline::new();
    t.add(src);
    t.sort();
    t
}

fn shard(name: &str, replace: bool) -> DatasetOptions<'_> {
    DatasetOptions {
        shard: name,
        replace,
    }
}

fn write(t: &Timeline, dir: &Path, opts: DatasetOptions<'_>) -> Result<(), super::ExportError> {
    let req = Request::new(Format::Parquet);
    write_with(t, &req, dir, &Protected::new(), opts, SMALL).map(drop)
}

/// The dataset's files, relative to `dir`, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walk(dir)
        .into_iter()
        .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
        .collect();
    v.sort();
    v
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

fn read(path: &Path) -> (Vec<RecordBatch>, parquet::file::metadata::ParquetMetaData) {
    let b = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap()).unwrap();
    let meta = b.metadata().as_ref().clone();
    (b.build().unwrap().map(|b| b.unwrap()).collect(), meta)
}

/// The metadata of the first file of the test lines' dataset.
fn first_file_meta() -> parquet::file::metadata::ParquetMetaData {
    let t = timeline(LINES);
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("ds");
    write(&t, &ds, shard("s", false)).unwrap();
    read(&ds.join("date=2022-01-01/part-s-00000.parquet")).1
}

#[test]
fn schema_is_pinned() {
    let meta = first_file_meta();
    let mut text = Vec::new();
    parquet::schema::printer::print_schema(&mut text, meta.file_metadata().schema());
    let text = String::from_utf8(text).unwrap();
    assert_eq!(text.trim(), SCHEMA.trim(), "\n{text}");
    // A case adds `annotations` and `evidence`, detections `rules`, after the rest.
    let base = super::schema::schema(false, false).fields().len();
    let names = |s: arrow_schema::Schema| -> Vec<String> {
        s.fields()
            .iter()
            .skip(base)
            .map(|f| f.name().clone())
            .collect()
    };
    assert_eq!(
        names(super::schema::schema(true, true)),
        ["annotations", "evidence", "rules"]
    );
}

/// The Parquet schema engines see (README "Parquet dataset"). Changing it is a contract
/// change: say so in the README.
const SCHEMA: &str = "
message arrow_schema {
  REQUIRED INT64 ts (TIMESTAMP(MICROS,true));
  REQUIRED INT32 ts_nanos (INTEGER(16,true));
  REQUIRED BYTE_ARRAY source (STRING);
  REQUIRED BYTE_ARRAY format (STRING);
  OPTIONAL BYTE_ARRAY host (STRING);
  OPTIONAL BYTE_ARRAY user (STRING);
  OPTIONAL BYTE_ARRAY src_ip (STRING);
  OPTIONAL INT32 src_port;
  OPTIONAL BYTE_ARRAY dst_ip (STRING);
  OPTIONAL INT32 dst_port;
  OPTIONAL BYTE_ARRAY proto (STRING);
  OPTIONAL BYTE_ARRAY action (STRING);
  OPTIONAL INT64 event_id;
  OPTIONAL BYTE_ARRAY channel (STRING);
  OPTIONAL BYTE_ARRAY provider (STRING);
  OPTIONAL BYTE_ARRAY process (STRING);
  OPTIONAL INT64 pid;
  OPTIONAL BYTE_ARRAY parent (STRING);
  OPTIONAL BYTE_ARRAY cmdline (STRING);
  OPTIONAL BYTE_ARRAY hash (STRING);
  OPTIONAL BYTE_ARRAY file (STRING);
  OPTIONAL BYTE_ARRAY category (STRING);
  OPTIONAL BYTE_ARRAY severity (STRING);
  OPTIONAL INT64 record_id;
  REQUIRED BYTE_ARRAY message (STRING);
  OPTIONAL group norm_text (MAP) {
    REPEATED group entries {
      REQUIRED BYTE_ARRAY key (STRING);
      OPTIONAL BYTE_ARRAY value (STRING);
    }
  }
  REQUIRED group raw (MAP) {
    REPEATED group entries {
      REQUIRED BYTE_ARRAY key (STRING);
      OPTIONAL BYTE_ARRAY value (STRING);
    }
  }
  REQUIRED BOOLEAN recovered;
  REQUIRED BOOLEAN bad_time;
  REQUIRED BYTE_ARRAY source_sha256 (STRING);
  REQUIRED BYTE_ARRAY locator (STRING);
}
";

#[test]
fn typed_columns_keep_every_value_exactly() {
    let t = timeline(LINES);
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("ds");
    write(&t, &ds, shard("s", false)).unwrap();
    let (batches, meta) = read(&ds.join("date=2022-01-01/part-s-00000.parquet"));
    let b = &batches[0];
    let col = |n: &str| b.column_by_name(n).unwrap().clone();
    let ts = col("ts");
    assert_eq!(
        ts.as_primitive::<TimestampMicrosecondType>().value(0),
        1_641_081_599_123_456
    );
    assert_eq!(
        col("ts_nanos")
            .as_primitive::<arrow_array::types::Int16Type>()
            .value(0),
        789
    );
    assert_eq!(col("event_id").as_primitive::<Int64Type>().value(0), 4624);
    assert_eq!(col("src_port").as_primitive::<Int32Type>().value(0), 443);
    assert!(col("dst_port").is_null(0) && col("pid").is_null(0));
    assert_eq!(col("src_ip").as_string::<i32>().value(0), "10.0.0.1");
    let text = col("norm_text");
    let m = text.as_map();
    let pairs: Vec<(String, String)> = (0..m.value(0).len())
        .map(|k| {
            let e = m.value(0);
            (
                e.column(0).as_string::<i32>().value(k).to_owned(),
                e.column(1).as_string::<i32>().value(k).to_owned(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("dst_port".into(), "http".into()),
            ("pid".into(), "0x1a4".into())
        ]
    );
    // A source field given twice: its first place, its last value.
    let raw = col("raw");
    let e = raw.as_map().value(0);
    assert_eq!(e.len(), 1);
    assert_eq!(e.column(1).as_string::<i32>().value(0), "5");
    assert_eq!(
        meta.row_groups()[0].sorting_columns().map(|s| s.len()),
        Some(1)
    );

    // Read back, every event is exported as it was (the test format is not one vigil
    // registers, so the events read back say `parquet`).
    let back = timeline::load_paths(
        &[ds],
        &crate::ingest::Options::default(),
        &Default::default(),
    )
    .0;
    assert_eq!(back.len(), t.len());
    let jsonl = |t: &Timeline| {
        let mut out = Vec::new();
        crate::export::run(t, &Request::new(Format::Jsonl), &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                let o = v.as_object_mut().unwrap();
                o.remove("source");
                o.remove("format");
                v.to_string()
            })
            .collect::<Vec<_>>()
    };
    let (a, b) = (jsonl(&t), jsonl(&back));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        // The duplicate `LogonType` is written once by both.
        assert_eq!(x, y);
    }
    // The events keep the original evidence's identity.
    for i in 0..t.len() {
        assert_eq!(back.key(i), t.key(i), "row {i}");
    }
}

#[test]
fn files_are_cut_by_day_and_size_in_time_order() {
    let t = timeline(LINES);
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("ds");
    write(&t, &ds, shard("s", false)).unwrap();
    assert_eq!(
        files(&ds),
        [
            "date=2022-01-01/part-s-00000.parquet",
            "date=2022-01-02/part-s-00000.parquet",
            "date=2022-01-02/part-s-00001.parquet",
            "date=2022-01-03/part-s-00000.parquet",
        ]
    );
    let (_, meta) = read(&ds.join("date=2022-01-02/part-s-00000.parquet"));
    assert_eq!(meta.row_groups().len(), 2, "one row per group");
    let (batches, _) = read(&ds.join("date=2022-01-02/part-s-00001.parquet"));
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1);

    // Batches smaller than a row group are gathered into whole row groups.
    let ds = dir.path().join("batched");
    let layout = Layout {
        rows_per_file: 10,
        row_group: 2,
        batch: 1,
    };
    let req = Request::new(Format::Parquet);
    write_with(&t, &req, &ds, &Protected::new(), shard("s", false), layout).unwrap();
    let (_, meta) = read(&ds.join("date=2022-01-02/part-s-00000.parquet"));
    let groups: Vec<i64> = meta.row_groups().iter().map(|g| g.num_rows()).collect();
    assert_eq!(groups, [2, 1]);
}

/// Row groups carry the statistics `--filter` pushdown reads (`ts`, `format`, the
/// normalised fields), not those of the free-form columns nor the source's name and hash
/// (a comparison per value for nothing).
#[test]
fn statistics_are_kept_where_pushdown_reads_them() {
    let meta = first_file_meta();
    let rg = &meta.row_groups()[0];
    let has_stats = |name: &str| {
        let c = rg
            .columns()
            .iter()
            .find(|c| c.column_path().string() == name)
            .unwrap();
        c.statistics().is_some_and(|s| s.min_bytes_opt().is_some())
    };
    for c in ["ts", "format", "host", "event_id", "src_port", "src_ip"] {
        assert!(has_stats(c), "{c}");
    }
    for c in [
        "message",
        "locator",
        "source",
        "source_sha256",
        "raw.entries.key",
        "raw.entries.value",
    ] {
        assert!(!has_stats(c), "{c}");
    }
}

/// Dictionaries only where values repeat (names, hosts, ids); the mostly distinct columns,
/// and the field names (repeated in the same order, which zstd takes whole), are written
/// plain, times and record ids as deltas (a dictionary built per page for them was given
/// up, or hashed every value for nothing).
#[test]
fn dictionaries_only_where_values_repeat() {
    use parquet::basic::Encoding;
    let meta = first_file_meta();
    let rg = &meta.row_groups()[0];
    let encodings = |name: &str| {
        rg.columns()
            .iter()
            .find(|c| c.column_path().string() == name)
            .unwrap()
            .encodings()
            .collect::<Vec<_>>()
    };
    let dict = |name: &str| encodings(name).contains(&Encoding::RLE_DICTIONARY);
    for c in ["source", "format", "host", "event_id", "source_sha256"] {
        assert!(dict(c), "{c}: {:?}", encodings(c));
    }
    for c in [
        "message",
        "locator",
        "raw.entries.key",
        "raw.entries.value",
        "ts",
        "record_id",
    ] {
        assert!(!dict(c), "{c}: {:?}", encodings(c));
    }
    for c in ["ts", "record_id"] {
        assert!(
            encodings(c).contains(&Encoding::DELTA_BINARY_PACKED),
            "{c}: {:?}",
            encodings(c)
        );
    }
}

#[test]
fn a_shard_rerun_replaces_its_own_files_only() {
    let t = timeline(LINES);
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("ds");
    write(&t, &ds, shard("a", false)).unwrap();
    write(&t, &ds, shard("b", false)).unwrap();
    // Not a file of shard `a` (shard `a-1`'s), nor a file of the dataset at all.
    std::fs::write(ds.join("date=2022-01-03/part-a-1-00000.parquet"), "x").unwrap();
    std::fs::write(ds.join("date=2022-01-03/notes.txt"), "y").unwrap();
    let before = files(&ds);
    assert_eq!(before.iter().filter(|f| f.contains("part-b-")).count(), 4);
    // Without leave to replace, the shard's existing files are refused untouched.
    let e = write(&t, &ds, shard("a", false)).unwrap_err();
    assert!(e.is_exists(), "{e}");
    assert_eq!(files(&ds), before);
    // A rerun of `a` over fewer days: its files of the other days go, nothing else.
    let one_day = timeline(LINES.lines().next().unwrap());
    write(&one_day, &ds, shard("a", true)).unwrap();
    let after = files(&ds);
    let own: Vec<&String> = after.iter().filter(|f| f.contains("part-a-0")).collect();
    assert_eq!(own, ["date=2022-01-01/part-a-00000.parquet"]);
    for f in before.iter().filter(|f| !f.contains("/part-a-0")) {
        assert!(after.contains(f), "{f} went");
    }
    let (batches, _) = read(&ds.join("date=2022-01-01/part-a-00000.parquet"));
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
}

#[test]
fn the_folder_is_protected_like_a_file() {
    let t = timeline(LINES);
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("ev.log");
    std::fs::write(&evidence, LINES).unwrap();
    let mut protected = Protected::new();
    protected.evidence(&[&evidence]);
    let req = Request::new(Format::Parquet);
    // A folder holding evidence, and the evidence file itself.
    for out in [dir.path(), evidence.as_path()] {
        let e = write_with(&t, &req, out, &protected, shard("s", true), SMALL).unwrap_err();
        assert!(e.to_string().contains("evidence"), "{e}");
    }
    assert_eq!(std::fs::read_to_string(&evidence).unwrap(), LINES);
    let file = dir.path().join("plain");
    std::fs::write(&file, "x").unwrap();
    let e = write_with(&t, &req, &file, &Protected::new(), shard("s", true), SMALL).unwrap_err();
    assert!(e.to_string().contains("not a directory"), "{e}");
    for bad in ["", "../x", ".hidden", "a/b", "a b"] {
        assert!(super::check_shard(bad).is_err(), "{bad:?}");
    }
    // A line export of a dataset format is refused, not written as a stream.
    assert!(crate::export::run(&t, &req, &mut Vec::new()).is_err());
}

#[test]
fn annotations_are_a_list_of_structs_on_their_events() {
    use crate::case::{Annotation, Case, EventCopy, Kind, Severity};
    let t = timeline(LINES);
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::new(dir.path().join("c.vigil.json"), "alice");
    let key = t.key(1).unwrap();
    let copy = EventCopy::new(key.ts, "a.log", &t.host(1), &t.tag(1), &t.message(1));
    let mut a = Annotation::new_at(key, copy, Kind::Ioc, "alice", 1_000);
    a.tags = vec!["c2".into(), "=x".into()];
    a.note = "beacon".into();
    a.severity = Some(Severity::High);
    case.upsert(a).unwrap();
    let req = Request {
        case: Some(case.file()),
        ..Request::new(Format::Parquet)
    };
    let ds = dir.path().join("ds");
    write_with(&t, &req, &ds, &Protected::new(), shard("s", false), SMALL).unwrap();
    let (batches, _) = read(&ds.join("date=2022-01-02/part-s-00000.parquet"));
    let nulls: Vec<bool> = batches
        .iter()
        .flat_map(|b| {
            let l = b
                .column_by_name("annotations")
                .unwrap()
                .as_list::<i32>()
                .clone();
            (0..l.len()).map(move |k| l.is_null(k))
        })
        .collect();
    assert_eq!(nulls, [false, true], "row 1 of the timeline only");
    let anns = batches[0].column_by_name("annotations").unwrap();
    let list = anns.as_list::<i32>();
    let s = list.value(0);
    let s = s.as_struct();
    assert_eq!(s.len(), 1);
    let text = |name: &str| {
        s.column_by_name(name)
            .unwrap()
            .as_string::<i32>()
            .value(0)
            .to_owned()
    };
    assert_eq!(
        (text("kind"), text("severity"), text("note")),
        ("ioc".into(), "high".into(), "beacon".into())
    );
    let tags = s.column_by_name("tags").unwrap().as_list::<i32>().value(0);
    let tags: Vec<&str> = tags.as_string::<i32>().iter().flatten().collect();
    assert_eq!(tags, ["c2", "=x"]);
}

/// An annotation whose evidence is not in the export (its source absent, or its record
/// not found) is a row of its own, from the case file's copy, flagged `evidence` =
/// `missing` as jsonl and csv flag it, with the original source path and locator: the
/// analyst's work is not lost in the dataset.
#[test]
fn annotations_whose_evidence_is_missing_are_rows_flagged_missing() {
    use crate::case::{Annotation, Case, EventCopy, Kind};
    let t = timeline(LINES);
    let dir = tempfile::tempdir().unwrap();
    let mut case = Case::new(dir.path().join("c.vigil.json"), "alice");
    let on = |key: crate::model::EventKey, source: &str, event_id: &str, note: &str| {
        let copy = EventCopy::new(key.ts, source, "gone-host", event_id, "the copy's message");
        let mut a = Annotation::new_at(key, copy, Kind::Ioc, "alice", 1_000);
        a.note = note.into();
        a
    };
    // A source not given this time (another SHA-256), and a record its source lacks.
    let mut other = t.key(0).unwrap();
    other.sha256 = "cd".repeat(32);
    other.locator = "7:42".into();
    case.upsert(on(other, "/evidence/gone.evtx", "4688", "absent source"))
        .unwrap();
    let mut lost = t.key(4).unwrap();
    lost.locator = "@999999".into();
    case.upsert(on(lost, "a.log", "0x10", "record not found"))
        .unwrap();
    case.upsert(on(t.key(2).unwrap(), "a.log", "", "present"))
        .unwrap();
    let req = Request {
        case: Some(case.file()),
        missing_evidence: true,
        ..Request::new(Format::Parquet)
    };
    let ds = dir.path().join("ds");
    let summary = write_with(&t, &req, &ds, &Protected::new(), shard("s", false), SMALL).unwrap();
    assert_eq!((summary.rows, summary.missing), (t.len(), 2));
    let mut rows = Vec::new();
    for f in files(&ds) {
        for b in read(&ds.join(f)).0 {
            let s = |n: &str, r: usize| {
                let c = b.column_by_name(n).unwrap();
                (!c.is_null(r)).then(|| c.as_string::<i32>().value(r).to_owned())
            };
            for r in 0..b.num_rows() {
                let anns = b.column_by_name("annotations").unwrap().as_list::<i32>();
                let notes: Vec<String> = match anns.is_null(r) {
                    true => Vec::new(),
                    false => {
                        let v = anns.value(r);
                        let note = v
                            .as_struct()
                            .column_by_name("note")
                            .unwrap()
                            .as_string::<i32>();
                        note.iter().flatten().map(str::to_owned).collect()
                    }
                };
                let event_id = b.column_by_name("event_id").unwrap();
                let event_id = event_id.as_primitive::<Int64Type>();
                rows.push((
                    s("evidence", r),
                    s("source", r),
                    s("locator", r),
                    s("host", r),
                    (!event_id.is_null(r)).then(|| event_id.value(r)),
                    notes,
                ));
            }
        }
    }
    assert_eq!(rows.len(), t.len() + 2);
    let missing: Vec<_> = rows.iter().filter(|r| r.0.is_some()).collect();
    let note = |n: &str| vec![n.to_owned()];
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        missing,
        [
            &(
                some("missing"),
                some("/evidence/gone.evtx"),
                some("7:42"),
                some("gone-host"),
                Some(4688),
                note("absent source")
            ),
            &(
                some("missing"),
                some("a.log"),
                some("@999999"),
                some("gone-host"),
                None,
                note("record not found")
            ),
        ]
    );
    // The event present in the evidence is a row of its own, not flagged.
    assert!(rows.iter().any(|r| r.0.is_none() && r.5 == note("present")));
}
