use super::*;
use evtx::{EvtxParser, ParserSettings};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The size of the sample's files together.
fn bytes_on_disk(s: &SampleSummary) -> u64 {
    s.files
        .iter()
        .map(|(p, _)| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum()
}

fn dir_hashes(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("prefix")
                    .to_string_lossy()
                    .into_owned();
                out.insert(
                    rel,
                    hex::encode(Sha256::digest(std::fs::read(&p).expect("read"))),
                );
            }
        }
    }
    out
}

/// Text every early-detection point's record must contain, by a phrase of its description.
const NEEDLES: &[(&str, &str)] = &[
    ("Word macro", "WINWORD"),
    ("Encoded PowerShell", "-enc"),
    ("download cradle", "DownloadString"),
    ("First C2", "185.225.73.18"),
    ("4625 burst", "\"EventID\":4625"),
    ("lsass.exe opened", "0x1FFFFF"),
    ("comsvcs.dll MiniDump", "comsvcs.dll"),
    ("PSEXESVC", "PSEXESVC"),
    ("support_svc created", "\"EventID\":4720"),
    ("Administrators group", "\"EventID\":4732"),
    ("procdump64", "procdump64"),
    ("Scheduled task", "\"EventID\":4698"),
    ("rclone", "rclone.exe"),
    ("large outbound", "31.220.45.110"),
    ("Defender real-time", "\"EventID\":5001"),
    ("vssadmin", "vssadmin"),
    ("Security log cleared", "\"EventID\":1102"),
    ("encrypted file", ".locked"),
];

#[test]
fn sample_is_deterministic_readable_and_its_ground_truth_points_at_the_events() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let c = tempfile::tempdir().expect("tempdir");
    let opts = SampleOptions { scale: 1, seed: 7 };
    let sa = generate(a.path(), &opts).expect("generate");
    generate(b.path(), &opts).expect("generate");
    generate(c.path(), &SampleOptions { scale: 1, seed: 8 }).expect("generate");
    let (ha, hb, hc) = (
        dir_hashes(a.path()),
        dir_hashes(b.path()),
        dir_hashes(c.path()),
    );
    assert_eq!(ha, hb, "same seed must give identical bytes");
    assert_eq!(ha.keys().collect::<Vec<_>>(), hc.keys().collect::<Vec<_>>());
    assert_ne!(ha, hc, "another seed must give other bytes");
    assert!(ha.len() > 40, "{} files", ha.len());

    // Every EVTX file reads back with valid checksums and the counted records.
    let settings = ParserSettings::new().validate_checksums(true).indent(false);
    let mut total = 0u64;
    for (path, count) in &sa.files {
        if path.extension().is_some_and(|e| e == "evtx") {
            let mut p = EvtxParser::from_path(path)
                .expect("open")
                .with_configuration(settings.clone());
            let mut n = 0u64;
            for r in p.records_json() {
                r.expect("record reads with valid checksums");
                n += 1;
            }
            assert_eq!(n, *count, "{}", path.display());
        } else {
            let text = std::fs::read_to_string(path).expect("utf-8 text");
            let lines = text.lines().count() as u64
                - u64::from(path.extension().is_some_and(|e| e == "csv"));
            assert_eq!(lines, *count, "{}", path.display());
        }
        total += count;
    }
    assert_eq!(total, sa.events);
    let bytes = bytes_on_disk(&sa);
    assert!(
        bytes < 40 << 20,
        "default output should stay small, got {bytes}"
    );

    // Ground truth: each locator finds a record/line of that time whose text matches.
    let gt: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.path().join("ground-truth.json")).expect("gt"))
            .expect("json");
    assert_eq!(gt["zone"], "Europe/Berlin");
    let points = gt["early_detection"].as_array().expect("points");
    assert!(points.len() >= 18, "{} points", points.len());
    let mut sources = std::collections::HashSet::new();
    for p in points {
        let what = p["what"].as_str().expect("what");
        let source = p["source"].as_str().expect("source");
        sources.insert(source.split('/').next().unwrap_or("").to_string());
        let path = a.path().join(source);
        let text = if let Some(id) = p["locator"]["record_id"].as_u64() {
            let mut parser = EvtxParser::from_path(&path)
                .expect("open")
                .with_configuration(settings.clone());
            let rec = parser
                .records_json()
                .map(|r| r.expect("record"))
                .find(|r| r.event_record_id == id)
                .expect("record id exists");
            let ts = crate::model::format_rfc3339(rec.timestamp.as_nanosecond() as i64);
            assert_eq!(ts, p["time"].as_str().expect("time"), "{what}");
            let v: serde_json::Value = serde_json::from_str(&rec.data).expect("json");
            serde_json::to_string(&v).expect("compact")
        } else {
            let off = p["locator"]["offset"].as_u64().expect("offset") as usize;
            let data = std::fs::read(&path).expect("read");
            assert!(
                off == 0 || data[off - 1] == b'\n',
                "{what}: offset not at a line start"
            );
            let end = data[off..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(data.len(), |e| off + e);
            String::from_utf8_lossy(&data[off..end]).into_owned()
        };
        let needle = NEEDLES
            .iter()
            .find(|(k, _)| what.contains(k))
            .map(|(_, n)| *n)
            .unwrap_or_else(|| panic!("no needle for {what:?}"));
        assert!(
            text.contains(needle),
            "{what} ({source}): {needle:?} not in {text}"
        );
        let host = p["host"].as_str().expect("host");
        assert!(
            text.contains(host)
                || text.to_lowercase().contains(&host.to_lowercase())
                || source.contains("fortigate"),
            "{what}: host {host} not in record"
        );
    }
    for kind in ["evtx", "firewall", "edr"] {
        assert!(sources.contains(kind), "no ground truth in {kind}");
    }
}

/// Writes a corpus for manual inspection and timing:
/// `VIGIL_SAMPLE_OUT=/tmp/s VIGIL_SAMPLE_SCALE=100 cargo test --release --lib write_sample_for_inspection -- --ignored --nocapture`
#[test]
#[ignore]
fn write_sample_for_inspection() {
    let out = std::env::var("VIGIL_SAMPLE_OUT").unwrap_or_else(|_| "/tmp/vigil-sample".into());
    let scale = std::env::var("VIGIL_SAMPLE_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let t = std::time::Instant::now();
    let s = generate(Path::new(&out), &SampleOptions { scale, seed: 7 }).expect("generate");
    let bytes = bytes_on_disk(&s);
    eprintln!(
        "{} files, {} events, {} bytes in {:?}",
        s.files.len(),
        s.events,
        bytes,
        t.elapsed()
    );
}
