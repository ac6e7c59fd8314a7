//! `vigil export` of the whole `samples/` incident (EVTX, firewall and EDR sources) pinned
//! byte for byte in every output format. The outputs are megabytes, so the golden file
//! holds digests: one per source (its lines, in output order) and one of the whole output,
//! so a change names the format and source it touched (and a reordering shows in `*`).
//!
//! Set `UPDATE_GOLDEN=1` to rewrite `tests/golden/samples_export.digest` after an intended
//! change, and say in the commit why the bytes moved.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const FORMATS: [&str; 3] = ["jsonl", "csv", "timesketch"];

fn export(format: &str) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .current_dir(root)
        .args(["export", "samples", "--threads", "2", "--format", format])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{format}: {:?}\n{stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out.stdout
}

/// The output cut into records, each with the source it came from.
fn records(format: &str, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    if format == "csv" {
        // Records may span lines (quoted newlines): cut at the reader's byte positions.
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes);
        let mut rec = csv::StringRecord::new();
        let mut out = Vec::new();
        let mut at = 0usize;
        let mut first = true;
        while r.read_record(&mut rec).unwrap() {
            let end = r.position().byte() as usize;
            let source = if first { "<header>" } else { &rec[1] };
            out.push((source.to_owned(), bytes[at..end].to_vec()));
            at = end;
            first = false;
        }
        assert_eq!(at, bytes.len(), "csv: trailing bytes");
        return out;
    }
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(|line| {
            let v: serde_json::Value = serde_json::from_slice(line)
                .unwrap_or_else(|e| panic!("{format}: {e}: {}", String::from_utf8_lossy(line)));
            let source = v["source"].as_str().unwrap_or("<none>").to_owned();
            (source, line.to_vec())
        })
        .collect()
}

fn hex(d: impl AsRef<[u8]>) -> String {
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// `FORMAT SOURCE RECORDS SHA256` lines, sources sorted, then `FORMAT * RECORDS SHA256`.
fn digest(format: &str, bytes: &[u8]) -> String {
    let mut by_source: BTreeMap<String, (usize, Sha256)> = BTreeMap::new();
    let recs = records(format, bytes);
    for (source, rec) in &recs {
        let e = by_source
            .entry(source.clone())
            .or_insert_with(|| (0, Sha256::new()));
        e.0 += 1;
        e.1.update(rec);
    }
    let mut s = String::new();
    for (source, (n, h)) in by_source {
        s.push_str(&format!("{format} {source} {n} {}\n", hex(h.finalize())));
    }
    let all = Sha256::digest(bytes);
    s.push_str(&format!("{format} * {} {}\n", recs.len(), hex(all)));
    s
}

#[test]
fn sample_exports_are_byte_identical_to_the_golden_digests() {
    let actual: String = FORMATS.iter().map(|f| digest(f, &export(f))).collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/samples_export.digest");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
    let differ: Vec<String> = expected
        .lines()
        .zip(actual.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("expected {a}\nactual   {b}"))
        .collect();
    assert!(
        differ.is_empty() && expected.lines().count() == actual.lines().count(),
        "sample exports changed:\n{}",
        differ.join("\n")
    );
    // The pin covers every kind of source the samples have.
    for kind in ["/evtx/", "/firewall/", "/edr/"] {
        assert!(
            expected
                .lines()
                .any(|l| l.starts_with("timesketch ") && l.contains(kind)),
            "no {kind} source pinned"
        );
    }
}
