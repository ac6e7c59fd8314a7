//! The Timesketch export of the bundled sample incident, annotated by a case, validated
//! offline with Timesketch's own importer code (CRATES §7.3). Needs a venv with
//! `timesketch` installed: `$TIMESKETCH_VENV`, else `target/timesketch-venv` (`.ci/run` and
//! `tests/timesketch.sh` make it). Under `CI=true` its absence is a failure.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

mod common;

use std::path::Path;
use std::process::Command;
use vigil::case::{Annotation, Case, EventCopy, Kind};
use vigil::model::EventKey;

#[test]
fn sample_export_passes_timesketch_validation() {
    let Some(python) = common::timesketch_python() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let samples = common::samples();
    let t = common::load(std::slice::from_ref(&samples));
    // The count the validator must see is vigil's own (the binary's `stats`), not a guess.
    let stats = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["stats", "--json"])
        .arg(&samples)
        .output()
        .unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["events"].as_u64(), Some(t.len() as u64));
    assert!(!t.is_empty());

    // Annotate the first event of every format, and one event whose source is gone.
    let tmp = tempfile::tempdir().unwrap();
    let case_path = tmp.path().join("samples.vigil.json");
    let mut case = Case::new(&case_path, "tester");
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..t.len() {
        let src = t.source_of(i).unwrap();
        if !seen.insert(src.format().to_owned()) {
            continue;
        }
        let key = t.key(i).unwrap();
        let copy = EventCopy::new(key.ts, &src.label, &t.host(i), &t.tag(i), &t.message(i));
        let mut a = Annotation::new(key, copy, Kind::Ioc, "tester");
        a.tags = vec!["sample".into(), format!("fmt-{}", src.format())];
        a.note = format!("first {} event", src.format());
        case.upsert(a).unwrap();
    }
    let gone = EventKey {
        sha256: "ab".repeat(32),
        locator: "3:77".into(),
        ts: 1_773_400_000_000_000_000,
    };
    let copy = EventCopy::new(gone.ts, "gone/Security.evtx", "DC-01", "4624", "4624 logon");
    case.upsert(Annotation::new(gone, copy, Kind::EarlyDetection, "tester"))
        .unwrap();
    case.save().unwrap();
    let annotated = seen.len() + 1;

    for (n, (extra, expected)) in [(None, t.len() + 1), (Some("--annotated-only"), annotated)]
        .into_iter()
        .enumerate()
    {
        let out = tmp.path().join(format!("samples-{n}.jsonl"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigil"));
        cmd.current_dir(root)
            .args(["export", "samples", "--format", "timesketch", "--case"])
            .arg(&case_path)
            .arg("-o")
            .arg(&out);
        cmd.args(extra);
        let st = cmd.status().unwrap();
        assert_eq!(st.code(), Some(0));
        let res = Command::new(&python)
            .arg(root.join("tests/timesketch/check.py"))
            .arg(&out)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&res.stdout);
        eprintln!(
            "timesketch validator ({extra:?}): {stdout}{}",
            String::from_utf8_lossy(&res.stderr)
        );
        assert!(res.status.success(), "validator failed");
        assert_eq!(
            stdout.trim(),
            format!("ok {expected} tagged {annotated}"),
            "every line imported, every annotation tagged"
        );
    }
}
