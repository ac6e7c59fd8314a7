//! The `vigil` binary never writes over evidence, a case file, a journal or an input, and
//! replaces an existing file only with `--force` (issue 11); a case that is only a journal
//! exports like the TUI shows it; filter mistakes are errors or warnings, not silent zeros;
//! `stats` shows hostile file names harmlessly.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NETFILTER: &str = "\
2026-03-13T06:12:08.882720+01:00 fw-int kernel: [1044008.882720] FWD-ACCEPT IN=vlan10 OUT=vlan20 SRC=10.20.1.22 DST=10.20.2.73 LEN=52 TTL=127 ID=125 DF PROTO=TCP SPT=59475 DPT=631 WINDOW=64240 RES=0x00 SYN URGP=0
2026-03-13T06:18:16.634848+01:00 fw-int kernel: [1044376.634848] FWD-DROP IN=vlan20 OUT=vlan10 SRC=10.20.2.73 DST=185.225.73.18 LEN=52 TTL=127 ID=273 DF PROTO=TCP SPT=59092 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0
";

fn vigil(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `ev/fw.log` and an empty case `case.vigil.json` with one annotation in its journal only.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("ev")).unwrap();
    let fw = d.path().join("ev/fw.log");
    std::fs::write(&fw, NETFILTER).unwrap();
    (d, fw)
}

/// Asserts a refusal: exit 1, one line naming `path` and saying why, nothing on stdout.
fn refused(o: &Output, path: &str, why: &str) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{path}: {e}");
    assert!(o.stdout.is_empty());
    assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
    assert!(e.contains(path) && e.contains(why), "{e}");
}

#[test]
fn export_onto_its_own_evidence_is_refused_under_every_name() {
    let (d, fw) = fixture();
    std::os::unix::fs::symlink(&fw, d.path().join("link.log")).unwrap();
    std::fs::hard_link(&fw, d.path().join("hard.log")).unwrap();
    for out in [
        "ev/fw.log",
        "./ev/fw.log",
        "ev/../ev/fw.log",
        "link.log",
        "hard.log",
    ] {
        for force in [false, true] {
            let mut args = vec!["export", "ev/fw.log", "-o", out];
            if force {
                args.push("--force");
            }
            refused(&vigil(d.path(), &args), out, "loaded evidence");
        }
    }
    // A file found inside a folder given as evidence, with --force.
    let o = vigil(d.path(), &["export", "ev", "-o", "ev/fw.log", "--force"]);
    refused(&o, "ev/fw.log", "loaded evidence");
    assert_eq!(std::fs::read_to_string(&fw).unwrap(), NETFILTER);
}

#[test]
fn an_existing_output_needs_force() {
    let (d, _) = fixture();
    std::fs::write(d.path().join("out.jsonl"), "keep me\n").unwrap();
    let o = vigil(d.path(), &["export", "ev", "-o", "out.jsonl"]);
    refused(&o, "out.jsonl", "--force");
    assert_eq!(
        std::fs::read_to_string(d.path().join("out.jsonl")).unwrap(),
        "keep me\n"
    );
    let o = vigil(d.path(), &["export", "ev", "-o", "out.jsonl", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(d.path().join("out.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 2);
    // No temporary files left behind.
    let names: Vec<String> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

/// A case with one annotation, saved, plus a second one only in its journal.
fn case_in(d: &Path) -> PathBuf {
    let case = d.join("case.vigil.json");
    let mut c = vigil::case::Case::new(&case, "alice");
    let sha = vigil::case::sha256_file(&d.join("ev/fw.log")).unwrap();
    let at = NETFILTER.find("\n2026").unwrap() + 1;
    let key = vigil::model::EventKey {
        sha256: sha,
        locator: format!("@{at}"),
        ts: 1_773_379_096_634_848_000,
    };
    let copy = vigil::case::EventCopy::new(key.ts, "ev/fw.log", "fw-int", "drop", "drop tcp");
    let a = c.new_annotation(key, copy, vigil::case::Kind::Ioc);
    c.upsert(a).unwrap();
    case
}

#[test]
fn case_file_journal_and_inputs_are_never_outputs() {
    let (d, _) = fixture();
    let case = case_in(d.path());
    let mut c = vigil::case::Case::open(&case, "alice").unwrap().0;
    let fw = d.path().join("ev/fw.log");
    c.set_source(vigil::case::SourceEntry {
        path: fw.to_string_lossy().into_owned(),
        sha256: vigil::case::sha256_file(&fw).unwrap(),
        format: "netfilter".into(),
        ..Default::default()
    });
    c.save().unwrap();
    let saved = std::fs::read(&case).unwrap();
    let o = vigil(
        d.path(),
        &[
            "report",
            "case.vigil.json",
            "-o",
            "case.vigil.json",
            "--force",
        ],
    );
    refused(&o, "case.vigil.json", "the case file");
    let o = vigil(
        d.path(),
        &[
            "report",
            "case.vigil.json",
            "-o",
            "case.vigil.json.journal",
            "--force",
        ],
    );
    refused(&o, "case.vigil.json.journal", "the case journal");
    let o = vigil(
        d.path(),
        &["report", "./case.vigil.json", "-o", "ev/fw.log", "--force"],
    );
    refused(&o, "ev/fw.log", "evidence");
    let o = vigil(
        d.path(),
        &[
            "export",
            "ev",
            "--case",
            "case.vigil.json",
            "-o",
            "./case.vigil.json",
            "--force",
        ],
    );
    refused(&o, "./case.vigil.json", "the case file");
    std::fs::copy(&case, d.path().join("b.vigil.json")).unwrap();
    let o = vigil(
        d.path(),
        &[
            "merge",
            "case.vigil.json",
            "b.vigil.json",
            "-o",
            "b.vigil.json",
            "--force",
        ],
    );
    refused(&o, "b.vigil.json", "an input");
    assert_eq!(std::fs::read(&case).unwrap(), saved);
    // Merge into a new file works and makes a private case file; again needs --force.
    let o = vigil(
        d.path(),
        &[
            "merge",
            "case.vigil.json",
            "b.vigil.json",
            "-o",
            "m.vigil.json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = vigil(
        d.path(),
        &[
            "merge",
            "case.vigil.json",
            "b.vigil.json",
            "-o",
            "m.vigil.json",
        ],
    );
    refused(&o, "m.vigil.json", "--force");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(d.path().join("m.vigil.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_case_that_is_only_a_journal_exports_and_reports() {
    let (d, _) = fixture();
    let case = case_in(d.path());
    assert!(
        !case.exists(),
        "killed before the first save: only the journal"
    );
    let o = vigil(
        d.path(),
        &[
            "export",
            "ev",
            "--case",
            "case.vigil.json",
            "--annotated-only",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("\"kind\":\"ioc\""), "{out}");
    assert!(
        stderr(&o).contains("recovered 1 unsaved change"),
        "{}",
        stderr(&o)
    );
    let o = vigil(d.path(), &["report", "case.vigil.json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ioc"));
    assert!(!case.exists(), "reading never writes the case");
}

#[test]
fn sample_into_a_folder_that_holds_something_needs_force() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("evidence.evtx"), b"mine").unwrap();
    let o = vigil(d.path(), &["sample", "-o", "."]);
    refused(&o, ".", "not empty");
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
}

#[test]
fn filter_mistakes_are_errors_or_warnings() {
    let (d, _) = fixture();
    for (filter, col) in [
        ("dst_port>=abc", "column 11"),
        ("src_ip<10.0.0.300", "column 8"),
        ("event_id:>abc", "column 11"),
    ] {
        let o = vigil(d.path(), &["export", "ev", "--filter", filter]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{filter}: {e}");
        assert!(e.contains(col), "{filter}: {e}");
    }
    let o = vigil(d.path(), &["export", "ev", "--filter", "mark:ioc"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--case"), "{}", stderr(&o));
    // A list continued after ", " matches both values.
    let o = vigil(d.path(), &["export", "ev", "--filter", "dst_port:631, 443"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2);
    // An unknown field: still runs, but says so.
    let o = vigil(d.path(), &["export", "ev", "--filter", "dstport:443"]);
    assert!(o.status.success());
    assert!(o.stdout.is_empty());
    let e = stderr(&o);
    assert!(
        e.contains("no loaded source has field `dstport`") && e.contains("dst_port"),
        "{e}"
    );
}

#[test]
fn stats_shows_hostile_file_names_harmlessly() {
    let d = tempfile::tempdir().unwrap();
    let name = "fw\u{1b}[2J\u{202e}gol.log";
    std::fs::write(d.path().join(name), NETFILTER).unwrap();
    let o = vigil(d.path(), &["stats", "."]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{202e}'),
        "{out:?}"
    );
    assert!(out.contains("fw^[[2J⟨U+202E⟩gol.log"), "{out}");
}

/// Issue 11: `--threads 1000` panicked and huge values aborted on memory; `--tz -05:00`
/// was refused (only `--tz=-05:00` worked).
#[test]
fn threads_are_capped_and_negative_offsets_are_values() {
    let (d, _) = fixture();
    for n in ["1000", "18446744073709551615"] {
        let o = vigil(d.path(), &["stats", "ev", "--threads", n]);
        let e = stderr(&o);
        assert!(o.status.success(), "--threads {n}: {e}");
        assert!(e.contains(&format!("--threads {n} capped to")), "{e}");
        assert!(!e.contains("panicked"), "{e}");
    }
    let o = vigil(d.path(), &["stats", "ev", "--json", "--tz", "-05:00"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = vigil(d.path(), &["export", "ev", "--skew", "*fw*", "-5m"]);
    assert_eq!(o.status.code(), Some(1), "GLOB=DURATION is one value");
}
