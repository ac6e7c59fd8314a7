//! The binary over the whole corpus: `export --format jsonl` is sorted, every line parses,
//! and `stats --json` counts the same events.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

mod common;

use std::process::Command;

fn vigil(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .output()
        .expect("run vigil")
}

#[test]
fn corpus_export_is_sorted_parsable_and_matches_stats() {
    let Some(dir) = common::corpus("") else {
        return;
    };
    let dir = dir.display().to_string();
    let out = vigil(&["export", &dir, "--format", "jsonl", "--threads", "2"]);
    assert!(matches!(out.status.code(), Some(0 | 2)), "{:?}", out.status);
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let mut prev: Option<chrono::DateTime<chrono::FixedOffset>> = None;
    let mut n = 0u64;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("every line is JSON");
        let ts = v["ts"].as_str().expect("ts");
        for k in ["source", "format", "raw"] {
            assert!(!v[k].is_null(), "{k} missing in {line}");
        }
        // EVTX times outside the nanosecond range (FILETIME 0 = 1601) are shown as
        // written, and sort first, so the printed times are sorted too.
        let t = chrono::DateTime::parse_from_rfc3339(ts).expect("ts is RFC 3339");
        assert!(prev.is_none_or(|p| t >= p), "not sorted at {line}");
        prev = Some(t);
        n += 1;
    }
    let stats = vigil(&["stats", &dir, "--json", "--threads", "2"]);
    let s: serde_json::Value = serde_json::from_slice(&stats.stdout).expect("stats JSON");
    assert_eq!(s["events"].as_u64(), Some(n), "stats and export agree");
    let sources = s["sources"].as_array().expect("sources");
    assert!(sources.len() >= 230);
    for src in sources {
        for k in [
            "path", "format", "events", "rejected", "reasons", "sha256", "bytes",
        ] {
            assert!(!src[k].is_null(), "{k} missing in {src}");
        }
    }
}

#[test]
fn bad_arguments_exit_1_and_help_exits_0() {
    for args in [
        &["stats", "--tz", "Mars/Base", "x"][..],
        &["--bogus"],
        &["export", "x", "--format", "xml"],
        &[],
    ] {
        let out = vigil(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?} says why");
    }
    assert_eq!(vigil(&["--help"]).status.code(), Some(0));
    let missing = vigil(&["stats", "/nonexistent/evidence"]);
    assert_eq!(missing.status.code(), Some(1), "nothing usable");
}
