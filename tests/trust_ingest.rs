//! What issue 11 found by trying vigil on unseen evidence, at the command line: misdated
//! events, silent losses (CR-only and NUL-separated lines, EVTX cut at a chunk boundary,
//! gzip junk), and special files that hung it. Each test would have caught its bug.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs vigil with a deadline: a hang is a failure, not a stuck test run.
fn vigil(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    for a in args {
        c.arg(a);
    }
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("vigil {:?} hung", c.get_args().collect::<Vec<_>>());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn stats_json(paths: &[&Path]) -> (serde_json::Value, i32) {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"stats", &"--json"];
    for p in paths {
        args.push(p);
    }
    let o = vigil(&args);
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("{e}: {} / {}", text(&o.stdout), text(&o.stderr));
    });
    (v, o.status.code().unwrap_or(-1))
}

fn netfilter_lines(n: usize) -> Vec<Vec<u8>> {
    let data = std::fs::read(root().join("samples/firewall/netfilter-fw-int.log")).unwrap();
    data.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .take(n)
        .map(<[u8]>::to_vec)
        .collect()
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo {}", p.display());
}

/// A FILETIME read as Unix nanoseconds dated a 2023 alert in 1974 and stretched the span
/// over 49 years. Events before 1990 or more than a day ahead are flagged `bad_time`:
/// counted in `stats`, outside its span, and selectable with the `bad_time` term.
#[test]
fn misdated_events_are_flagged_counted_and_filterable() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("falcon.ndjson");
    std::fs::write(
        &p,
        concat!(
            r#"{"event_simpleName":"IdpDetectionSummaryEvent","ContextTimeStamp":"133274088000000000","ComputerName":"DC01"}"#,
            "\n",
            r#"{"event_simpleName":"UserLogon","ContextTimeStamp":"1985-06-01T00:00:00Z","ComputerName":"DC01"}"#,
            "\n",
            r#"{"event_simpleName":"UserLogon","ContextTimeStamp":"2200-01-01T00:00:00Z","ComputerName":"DC01"}"#,
            "\n",
        ),
    )
    .unwrap();
    let (v, code) = stats_json(&[&p]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["events"], 3);
    assert_eq!(v["bad_time"], 2);
    assert_eq!(v["first"], "2023-05-01T10:00:00Z");
    assert_eq!(v["last"], "2023-05-01T10:00:00Z");
    let src = &v["sources"][0];
    assert_eq!(src["bad_time"], 2);
    let notes = src["notes"].to_string();
    assert!(notes.contains("flagged bad_time"), "{notes}");
    assert!(
        notes.contains("1985-06-01T00:00:00Z .. 2200-01-01T00:00:00Z"),
        "{notes}"
    );
    let o = vigil(&[&"stats", &p]);
    assert!(text(&o.stdout).starts_with("3 events, 0 rejected, 2 bad_time, 1 sources"));
    let count = |q: &str| {
        let o = vigil(&[&"export", &"--filter", &q, &p]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        text(&o.stdout).lines().count()
    };
    assert_eq!(count("bad_time"), 2);
    assert_eq!(count("NOT bad_time"), 1);
    assert_eq!(count("recovered:true"), 0);
    let o = vigil(&[&"export", &"--filter", &"bad_time", &p]);
    assert!(
        text(&o.stdout)
            .lines()
            .all(|l| l.contains("\"bad_time\":true"))
    );
}

/// Old Mac exports end lines with CR only: the whole file was one event carrying the last
/// record's fields, exit 0. NUL-separated records were merged the same way.
#[test]
fn cr_only_and_nul_separated_lines_are_not_merged() {
    let dir = tempfile::tempdir().unwrap();
    let lines = netfilter_lines(12);
    for (name, sep) in [
        ("lf.log", &b"\n"[..]),
        ("crlf.log", b"\r\n"),
        ("cr.log", b"\r"),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, lines.join(sep)).unwrap();
        let (v, code) = stats_json(&[&p]);
        assert_eq!((v["events"].as_u64(), code), (Some(12), 0), "{name}: {v}");
        assert_eq!(v["sources"][0]["format"], "netfilter", "{name}");
    }
    let p = dir.path().join("nul.log");
    let mut data = lines[..3].join(&b"\0"[..]);
    data.push(b'\n');
    data.extend(lines[3..].join(&b"\n"[..]));
    std::fs::write(&p, data).unwrap();
    let (v, code) = stats_json(&[&p]);
    assert_eq!(
        (v["events"].as_u64(), v["rejected"].as_u64()),
        (Some(9), Some(1)),
        "{v}"
    );
    assert_eq!(code, 2);
    let reason = v["sources"][0]["reasons"][0]["reason"].to_string();
    assert!(reason.contains("NUL byte"), "{reason}");
}

/// An EVTX cut exactly at a chunk boundary read cleanly (53 of 450 events, exit 0): the
/// header's chunk count tells the rest is missing.
#[test]
fn evtx_cut_at_a_chunk_boundary_reports_the_missing_chunks() {
    let data = std::fs::read(root().join("samples/evtx/DC-01/Security.evtx")).unwrap();
    assert_eq!(data.len(), 4096 + 3 * 65536, "the sample holds 3 chunks");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cut.evtx");
    std::fs::write(&p, &data[..4096 + 65536]).unwrap();
    let (v, code) = stats_json(&[&p]);
    assert_eq!(code, 2, "{v}");
    let src = &v["sources"][0];
    assert_eq!(src["rejected"], 2, "{src}");
    let r = &src["reasons"][0];
    assert_eq!(r["offset"], 4096 + 65536);
    assert!(r["reason"].to_string().contains("2 chunks"), "{r}");
    // The whole file: nothing missing.
    let (v, code) = stats_json(&[&root().join("samples/evtx/DC-01/Security.evtx")]);
    assert_eq!((v["rejected"].as_u64(), code), (Some(0), 0), "{v}");
}

/// A gzip with trailing junk lost the members that decompressed fine.
#[test]
fn gzip_members_before_junk_are_read_and_the_junk_reported() {
    let lines = netfilter_lines(10);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("fw.log.gz");
    let mut f = std::fs::File::create(&p).unwrap();
    for part in [&lines[..5], &lines[5..]] {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for l in part {
            e.write_all(l).unwrap();
            e.write_all(b"\n").unwrap();
        }
        f.write_all(&e.finish().unwrap()).unwrap();
    }
    f.write_all(b"this is not gzip").unwrap();
    drop(f);
    let (v, code) = stats_json(&[&p]);
    assert_eq!(
        (v["events"].as_u64(), v["rejected"].as_u64()),
        (Some(10), Some(1)),
        "{v}"
    );
    assert_eq!(code, 2);
    assert!(
        v["sources"][0]["reasons"][0]["reason"]
            .to_string()
            .contains("not gzip")
    );
}

/// A FIFO in the evidence folder or on the command line hung vigil forever, and
/// `/dev/zero` was read until memory ran out. Both are skipped with a note; when nothing
/// is usable `stats` and `export` exit 1 saying how many files were skipped and why.
#[cfg(unix)]
#[test]
fn special_files_are_skipped_and_nothing_usable_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mkfifo(&d.join("pipe.log"));
    std::fs::write(d.join("README.txt"), "not evidence\n").unwrap();
    std::os::unix::fs::symlink(d.join("nowhere"), d.join("dangling.log")).unwrap();
    for cmd in ["stats", "export"] {
        let o = vigil(&[&cmd, &d, &"/dev/zero"]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{cmd}: {err}");
        assert!(
            err.contains("nothing usable: 4 files skipped"),
            "{cmd}: {err}"
        );
        assert!(err.contains("named pipe (FIFO)"), "{cmd}: {err}");
        assert!(err.contains("format not recognised"), "{cmd}: {err}");
        assert!(err.contains("dangling symbolic link"), "{cmd}: {err}");
        assert!(err.contains("character device"), "{cmd}: {err}");
    }
    // `stats` lists each skipped file and why.
    let o = vigil(&[&"stats", &d]);
    let out = text(&o.stdout);
    assert!(
        out.contains("note: skipped: named pipe (FIFO), not a regular file"),
        "{out}"
    );
    // A FIFO named beside good evidence: the evidence is read, the FIFO noted, exit 0.
    let good = root().join("samples/firewall/netfilter-fw-int.log");
    let fifo = d.join("pipe.log");
    let (v, code) = stats_json(&[&fifo, &good]);
    assert_eq!(code, 0, "{v}");
    let srcs = v["sources"].as_array().unwrap();
    let skipped: Vec<_> = srcs.iter().filter(|s| s["format"] == "skipped").collect();
    assert_eq!(skipped.len(), 1, "{v}");
    assert!(skipped[0]["notes"].to_string().contains("FIFO"));
    assert!(v["events"].as_u64().unwrap() > 100);
}

/// `export` wrote events only: rejected records went without a word.
#[test]
fn export_says_how_many_records_were_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("fw.log");
    let mut data = netfilter_lines(5).join(&b"\n"[..]);
    data.extend_from_slice(b"\nthis line is not netfilter at all\n");
    std::fs::write(&p, data).unwrap();
    let o = vigil(&[&"export", &p]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(text(&o.stdout).lines().count(), 5);
    let err = text(&o.stderr);
    assert!(
        err.contains("1 records rejected in 1 of 1 sources"),
        "{err}"
    );
}
