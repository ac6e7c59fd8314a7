//! DuckDB reads vigil's Parquet dataset as vigil reads the evidence: the same counts by
//! format, host and event id, the same time span, two shards as one dataset, the Sigma
//! titles of each event. Needs `duckdb` in the venv `.ci/run` makes (`$TIMESKETCH_VENV`),
//! or in `python3`; under `CI=true` its absence is a failure.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

mod common;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

use common::vigil_ok as vigil;

fn duckdb(python: &Path, dataset: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/duckdb/check.py");
    let out = common::python_ok(python, &[script.as_os_str(), dataset.as_os_str()]);
    serde_json::from_slice(&out).unwrap()
}

/// Counts of `key`'s values over vigil's jsonl export ("" when absent).
fn counts(lines: &[Value], key: &str) -> Value {
    let mut m: BTreeMap<String, u64> = BTreeMap::new();
    for l in lines {
        let v = l.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
        *m.entry(v).or_default() += 1;
    }
    serde_json::to_value(m).unwrap()
}

fn ns(rfc3339: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339.as_str().unwrap())
        .unwrap()
        .timestamp_nanos_opt()
        .unwrap()
}

#[test]
fn duckdb_reads_two_shards_as_vigil_reads_the_evidence() {
    let Some(python) = common::python_with("duckdb") else {
        return;
    };
    let samples = common::samples();
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    let (evtx, fw, edr) = (
        samples.join("evtx"),
        samples.join("firewall"),
        samples.join("edr"),
    );
    vigil(
        &["export", "-F", "parquet", "--shard", "site-a", "-o"],
        &[&ds, &evtx],
    );
    vigil(
        &["export", "-F", "parquet", "--shard", "site-b", "-o"],
        &[&ds, &fw, &edr],
    );

    let lines: Vec<Value> = String::from_utf8(vigil(&["export", "-F", "jsonl"], &[&samples]))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let stats: Value = serde_json::from_slice(&vigil(&["stats", "--json"], &[&samples])).unwrap();
    let got = duckdb(&python, &ds);
    assert_eq!(got["rows"], lines.len() as u64);
    assert_eq!(got["rows"], stats["events"]);
    for key in ["format", "host", "event_id"] {
        assert_eq!(got[key], counts(&lines, key), "{key}");
    }
    assert_eq!(got["first"].as_i64(), Some(ns(&stats["first"])));
    assert_eq!(got["last"].as_i64(), Some(ns(&stats["last"])));
    assert_eq!(got["misplaced"], 0, "rows outside their date= partition");
    assert_eq!(got["rules"], Value::Null, "no detections ran");
    let parts = common::files(&ds, "parquet");
    assert_eq!(got["files"], parts.len() as u64);
    for shard in ["part-site-a-", "part-site-b-"] {
        assert!(
            parts.iter().any(|p| p.to_str().unwrap().contains(shard)),
            "{shard}"
        );
    }
}

#[test]
fn duckdb_sees_the_sigma_titles_of_each_event() {
    let Some(python) = common::python_with("duckdb") else {
        return;
    };
    let samples = common::samples();
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    vigil(
        &["export", "--detect", "-F", "parquet", "-o"],
        &[&ds, &samples],
    );
    let titles: usize =
        String::from_utf8(vigil(&["export", "--detect", "-F", "jsonl"], &[&samples]))
            .unwrap()
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                v.get("rules").and_then(Value::as_array).map_or(0, Vec::len)
            })
            .sum();
    assert!(titles > 0, "the sample fires rules");
    assert_eq!(duckdb(&python, &ds)["rules"], titles as u64);
}
