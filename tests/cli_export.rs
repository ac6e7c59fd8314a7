//! The `vigil` binary's headless output against committed golden files: `export` as jsonl,
//! csv and timesketch with a case file, and `stats --json`; plus a closed pipe
//! (`vigil export … | head -1`) ending quietly.
//!
//! Set `UPDATE_GOLDEN=1` to rewrite the golden files after an intended change, then review
//! the diff.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const NETFILTER: &str = "\
2026-03-13T06:12:08.882720+01:00 fw-int kernel: [1044008.882720] FWD-ACCEPT IN=vlan10 OUT=vlan20 SRC=10.20.1.22 DST=10.20.2.73 LEN=52 TTL=127 ID=125 DF PROTO=TCP SPT=59475 DPT=631 WINDOW=64240 RES=0x00 SYN URGP=0
2026-03-13T06:18:16.634848+01:00 fw-int kernel: [1044376.634848] FWD-DROP IN=vlan20 OUT=vlan10 SRC=10.20.2.73 DST=185.225.73.18 LEN=52 TTL=127 ID=273 DF PROTO=TCP SPT=59092 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0
";

const FORTIGATE: &str = r#"<189>date=2026-03-13 time=06:15:00 devname="FG-PERIMETER" devid="FG1" logid="0000000013" type="traffic" subtype="forward" level="notice" tz="+0100" srcip=10.20.1.21 srcport=50123 srcintf="internal" dstip=185.225.73.18 dstport=443 dstintf="wan1" proto=6 action="accept" policyid=12 service="HTTPS"
<189>date=2026-03-13 time=06:16:30 devname="=HYPERLINK(1)" devid="FG1" logid="0100032001" type="event" subtype="system" level="information" user="@admin" logdesc="-2+3 admin login" tz="+0100"
"#;

fn vigil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Compares `actual` with `tests/golden/<name>` (or writes it when UPDATE_GOLDEN is set).
fn check_golden(name: &str, actual: &str) {
    let path = golden(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from the golden file at line {}:\nexpected: {:?}\nactual:   {:?}",
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

/// The fixture: `ev/fw.log`, `ev/fg.log` and `case.vigil.json` annotating the DROP line
/// (ioc + early-detection), the FortiGate admin login, and an event of a source that is
/// not given (missing evidence).
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("ev");
    std::fs::create_dir(&ev).unwrap();
    std::fs::write(ev.join("fw.log"), NETFILTER).unwrap();
    std::fs::write(ev.join("fg.log"), FORTIGATE).unwrap();
    let sha = |p: &str| vigil::case::sha256_file(&ev.join(p)).unwrap();
    // Text locators are the line's byte offset (EventKey contract).
    let drop_at = NETFILTER.find("\n2026").unwrap() + 1;
    let login_at = FORTIGATE.find("\n<189>").unwrap() + 1;
    let ann = |id: &str, sha: &str, loc: usize, ts: i64, copy: serde_json::Value, kind: &str| {
        json!({
            "id": id,
            "key": {"sha256": sha, "locator": format!("@{loc}"), "ts": ts},
            "event": copy,
            "kind": kind,
            "severity": null,
            "tags": [],
            "note": "",
            "author": "alice",
            "created": "2026-03-20T10:00:00Z",
            "modified": "2026-03-20T10:00:00Z",
        })
    };
    let drop_ts = 1_773_379_096_634_848_000i64;
    let login_ts = 1_773_378_990_000_000_000i64;
    let gone_ts = 1_773_379_000_000_000_000i64;
    let mut a = ann(
        "00000000000000a1",
        &sha("fw.log"),
        drop_at,
        drop_ts,
        json!({"ts": "2026-03-13T05:18:16.634848Z", "source": "ev/fw.log", "host": "fw-int", "event_id": "drop", "message": "drop tcp"}),
        "ioc",
    );
    a["severity"] = json!("high");
    a["tags"] = json!(["c2", "=cmd"]);
    a["note"] = json!("beacon to the C2 address\nblocked here");
    let mut b = ann(
        "00000000000000b2",
        &sha("fw.log"),
        drop_at,
        drop_ts,
        json!({"ts": "2026-03-13T05:18:16.634848Z", "source": "ev/fw.log", "host": "fw-int", "event_id": "drop", "message": "drop tcp"}),
        "early-detection",
    );
    b["author"] = json!("bob");
    b["created"] = json!("2026-03-20T11:00:00Z");
    b["modified"] = json!("2026-03-20T11:00:00Z");
    let mut c = ann(
        "00000000000000c3",
        &sha("fg.log"),
        login_at,
        login_ts,
        json!({"ts": "2026-03-13T05:16:30Z", "source": "ev/fg.log", "host": "=HYPERLINK(1)", "event_id": "0100032001", "message": "admin login"}),
        "lateral-movement",
    );
    c["note"] = json!("+ admin from the phished host");
    let d = ann(
        "00000000000000d4",
        &"ab".repeat(32),
        0,
        gone_ts,
        json!({"ts": "2026-03-13T05:16:40Z", "source": "ev/gone.evtx", "host": "DC-01", "event_id": "4624", "message": "4624 logon KLINIKUM\\adm"}),
        "initial-access",
    );
    let case = json!({
        "format": "vigil-case",
        "version": 1,
        "sources": [{"path": "ev/gone.evtx", "sha256": "ab".repeat(32), "bytes": 1, "format": "evtx", "tz": "UTC", "skew": 0}],
        "annotations": [a, b, c, d],
        "filters": [],
        "view": {},
    });
    std::fs::write(
        dir.path().join("case.vigil.json"),
        serde_json::to_vec_pretty(&case).unwrap(),
    )
    .unwrap();
    dir
}

/// Runs vigil in `dir` and returns stdout with the tempdir path normalised.
fn run(dir: &Path, args: &[&str]) -> String {
    let out = vigil().current_dir(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "vigil {args:?}: {:?}\n{stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    String::from_utf8(out.stdout)
        .unwrap()
        .replace(&dir.display().to_string(), "<TMP>")
}

#[test]
fn export_jsonl_with_case_matches_golden() {
    let d = fixture();
    let out = run(
        d.path(),
        &[
            "export",
            "ev",
            "--format",
            "jsonl",
            "--case",
            "case.vigil.json",
        ],
    );
    check_golden("export_case.jsonl", &out);
}

#[test]
fn export_jsonl_without_case_matches_golden() {
    let d = fixture();
    check_golden("export_plain.jsonl", &run(d.path(), &["export", "ev"]));
}

#[test]
fn export_csv_with_case_matches_golden() {
    let d = fixture();
    let out = run(
        d.path(),
        &[
            "export",
            "ev",
            "--format",
            "csv",
            "--case",
            "case.vigil.json",
        ],
    );
    check_golden("export_case.csv", &out);
}

#[test]
fn export_timesketch_annotated_only_matches_golden() {
    let d = fixture();
    let out = run(
        d.path(),
        &[
            "export",
            "ev",
            "--format",
            "timesketch",
            "--case",
            "case.vigil.json",
            "--annotated-only",
        ],
    );
    check_golden("export_annotated.timesketch.jsonl", &out);
}

#[test]
fn export_filter_sees_marks() {
    let d = fixture();
    let out = run(
        d.path(),
        &[
            "export",
            "ev",
            "--case",
            "case.vigil.json",
            "--filter",
            "mark:ioc OR mark:initial-access",
        ],
    );
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    // Time order: the missing logon (05:16:40) before the DROP line (05:18:16).
    assert_eq!(lines[0]["evidence"], "missing");
    assert_eq!(
        lines[0]["format"], "evtx",
        "format from the case's source list"
    );
    assert_eq!(lines[0]["annotation"]["kind"], "initial-access");
    assert_eq!(lines[1]["annotation"]["kind"], "ioc");
    assert!(lines[1].get("evidence").is_none());
}

#[test]
fn annotated_only_without_case_is_refused() {
    let d = fixture();
    let out = vigil()
        .current_dir(d.path())
        .args(["export", "ev", "--annotated-only"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--case"));
}

#[test]
fn a_missing_case_file_is_an_error_not_an_empty_case() {
    let d = fixture();
    let out = vigil()
        .current_dir(d.path())
        .args(["export", "ev", "--case", "nope.vigil.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.vigil.json"));
    assert!(!d.path().join("nope.vigil.json").exists());
}

#[test]
fn stats_json_matches_golden() {
    let d = fixture();
    check_golden(
        "stats.json",
        &run(d.path(), &["stats", "ev/fg.log", "ev/fw.log", "--json"]),
    );
}

#[test]
fn closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    // Far more than a pipe buffer, so vigil is still writing when the reader goes away.
    let line = NETFILTER.lines().next().unwrap();
    let big: String = std::iter::repeat_n(format!("{line}\n"), 40_000).collect();
    std::fs::write(dir.path().join("big.log"), big).unwrap();
    for format in ["jsonl", "csv", "timesketch"] {
        let mut child = vigil()
            .args(["export", "--format", format])
            .arg(dir.path().join("big.log"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        assert!(!first.is_empty(), "{format}: no output");
        drop(stdout);
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
        assert!(
            stderr.trim().is_empty(),
            "{format}: unexpected stderr {stderr:?}"
        );
        assert_eq!(status.code(), Some(0), "{format}: {status:?}");
    }
}
