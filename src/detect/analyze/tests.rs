use super::*;
use crate::detect::candidates::{self, Candidates};
use crate::testutil;
use std::path::Path;

fn load(p: &Path) -> Timeline {
    let opts = crate::ingest::Options::default();
    crate::timeline::load_paths(
        &[p.to_path_buf()],
        &opts,
        &crate::ingest::Progress::default(),
    )
    .0
}

fn run(t: &Timeline) -> Analysis {
    let (c, p) = (AtomicBool::new(false), AtomicUsize::new(0));
    let a = analyze(t, &c, &p).unwrap();
    assert_eq!(p.load(std::sync::atomic::Ordering::Relaxed), t.len());
    a
}

/// The sample's ranked candidates with the built-in Sigma rules.
fn sample_candidates() -> (Timeline, Candidates) {
    let t = load(&testutil::samples());
    let a = run(&t);
    let o = crate::detect::RuleOptions {
        dirs: Vec::new(),
        ..Default::default()
    };
    let (rules, _) = crate::detect::RuleSet::load(&o).unwrap();
    let hits = crate::detect::hunt::detect_with_progress(&t, &rules);
    let c = candidates::rank(&t, Some((&hits, &rules)), &a);
    (t, c)
}

/// Ground-truth entries (`what`, host) a candidate's event is, by file and record id or
/// byte offset.
fn planted(t: &Timeline, event: usize, truth: &serde_json::Value) -> Vec<(String, String)> {
    let (Some(src), Some(key)) = (t.source_of(event), t.key(event)) else {
        return Vec::new();
    };
    let label = src.label.replace('\\', "/");
    let mut out = Vec::new();
    for e in truth["early_detection"].as_array().unwrap() {
        let file = e["source"].as_str().unwrap();
        if !label.ends_with(file) {
            continue;
        }
        let loc = &e["locator"];
        let hit = match (loc["record_id"].as_u64(), loc["offset"].as_u64()) {
            (Some(r), _) => key.locator.ends_with(&format!(":{r}")),
            (_, Some(o)) => key.locator == format!("@{o}"),
            _ => false,
        };
        if hit {
            out.push((
                e["what"].as_str().unwrap().to_owned(),
                e["host"].as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

fn golden_line(t: &Timeline, n: usize, c: &candidates::Candidate) -> String {
    format!(
        "{:>2} {:.3} {} {:<16} {:<28} {}{}",
        n + 1,
        c.score,
        crate::model::format_rfc3339(c.ts),
        c.host,
        c.label(),
        crate::sanitize::line(&c.why, 150, true),
        t.key(c.event)
            .map(|k| format!(" [{}]", k.locator))
            .unwrap_or_default()
    )
}

/// Every finding and silence on the sample, pinned as the analyzers found them before
/// their scan was made cheaper (borrowed keys, records read without their message): a
/// faster scan must find exactly the same.
#[test]
fn sample_analysis_is_pinned() {
    let dir = testutil::samples();
    let t = load(&dir);
    let a = run(&t);
    // Reasons name their file by the path it was loaded from.
    let text = format!("{:#?}\n{:#?}\n", a.findings, a.silences)
        .replace(&format!("{}/", dir.display()), "samples/");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/analysis_sample.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &text).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&golden).unwrap_or_default(),
        text,
        "the analysis of the sample changed (UPDATE_GOLDEN=1 to accept)"
    );
}

#[test]
fn sample_top_25_hold_15_planted_behaviours() {
    let (t, c) = sample_candidates();
    let truth: serde_json::Value = serde_json::from_slice(
        &std::fs::read(testutil::samples().join("ground-truth.json")).unwrap(),
    )
    .unwrap();
    let found: std::collections::BTreeSet<String> = c
        .list
        .iter()
        .take(25)
        .flat_map(|x| planted(&t, x.event, &truth))
        .map(|(w, _)| w)
        .collect();
    assert!(found.len() >= 15, "{} behaviours", found.len());
}

#[test]
fn sample_top_candidates_hold_the_planted_behaviours() {
    let (t, c) = sample_candidates();
    let truth: serde_json::Value = serde_json::from_slice(
        &std::fs::read(testutil::samples().join("ground-truth.json")).unwrap(),
    )
    .unwrap();
    let mut found = std::collections::BTreeSet::new();
    let mut lines = Vec::new();
    for (n, cand) in c.list.iter().enumerate().take(25) {
        for (what, _) in planted(&t, cand.event, &truth) {
            found.insert(what);
        }
        lines.push(golden_line(&t, n, cand));
    }
    let all: std::collections::BTreeSet<&str> = truth["early_detection"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    let text = lines.join("\n") + "\n";
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/candidates_sample.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &text).unwrap();
    }
    eprintln!("{text}");
    let missing: Vec<&&str> = all.iter().filter(|w| !found.contains(**w)).collect();
    eprintln!(
        "{} of {} behaviours in the first 25; missing {missing:#?}",
        found.len(),
        all.len()
    );
    // What the ranking reaches today (issue 14 asks 15, pinned above): a floor, so that a
    // change that loses behaviours fails.
    assert!(found.len() >= 16, "{} of {}", found.len(), all.len());
    // The earliest sign on the first host is among that host's first 5.
    let macro_first5 = c.of_host("WS-RECEPTION-01").take(5).any(|x| {
        planted(&t, x.event, &truth)
            .iter()
            .any(|(w, _)| w.starts_with("Word macro"))
    });
    assert!(
        macro_first5,
        "the document macro is not in WS-RECEPTION-01's first 5"
    );
    assert_eq!(
        std::fs::read_to_string(&golden).unwrap_or_default(),
        text,
        "the first 25 changed (UPDATE_GOLDEN=1 to accept)"
    );
}

/// A small Security.evtx: `n` 4624 records, ids `skip_at+1 ..= skip_at+skip` left out
/// (records cut from the middle of the one chunk), the header marked dirty on request.
fn handmade_evtx(n: usize, skip_at: usize, skip: u64, dirty_flag: bool) -> Vec<u8> {
    use crate::sample::evtx_writer::{Event, EvtxWriter, Shape};
    use std::io::Cursor;
    let shape = Shape::new(
        "Microsoft-Windows-Security-Auditing",
        "{54849625-5478-4994-a5ba-3e3b0328c30d}",
        4624,
        2,
        0,
        12544,
        0x8020_0000_0000_0000,
        &["TargetUserName", "LogonType"],
    );
    let mut w = EvtxWriter::new(Cursor::new(Vec::new())).unwrap();
    let base = 1_773_417_600_000_000_000i64;
    for i in 0..n {
        if i == skip_at {
            w.skip_record_ids(skip);
        }
        w.append(&Event {
            shape: &shape,
            ts_ns: base + i as i64 * 60_000_000_000,
            pid: 684,
            tid: 4888,
            channel: "Security",
            computer: "WS-07.clinic.local",
            user_sid: None,
            data: &["alice", "3"],
        })
        .unwrap();
    }
    let (cur, _) = w.finish().unwrap();
    let mut b = cur.into_inner();
    if dirty_flag {
        // Flags are outside the header checksum (bytes 0..120).
        b[0x78] |= 1;
    }
    b
}

fn findings_of(bytes: &[u8]) -> Vec<Finding> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("Security.evtx");
    std::fs::write(&p, bytes).unwrap();
    let t = load(&p);
    assert!(!t.is_empty());
    run(&t).findings
}

#[test]
fn records_cut_from_the_middle_of_a_chunk_are_a_gap() {
    let f = findings_of(&handmade_evtx(40, 17, 3, false));
    let gaps: Vec<&Finding> = f.iter().filter(|x| x.kind == Kind::RecordGap).collect();
    assert_eq!(gaps.len(), 1, "{f:#?}");
    assert!(
        gaps[0].reason.starts_with("3 records missing"),
        "{}",
        gaps[0].reason
    );
    assert!(
        gaps[0].reason.contains("record ids 18–20"),
        "{}",
        gaps[0].reason
    );
    assert_eq!(gaps[0].host, "WS-07");
    assert!(!f.iter().any(|x| x.kind == Kind::NotClosedCleanly));
    // The same file without the cut: nothing.
    let clean = findings_of(&handmade_evtx(40, 17, 0, false));
    assert!(
        !clean.iter().any(|x| x.kind == Kind::RecordGap),
        "{clean:#?}"
    );
}

#[test]
fn a_header_not_closed_cleanly_is_flagged() {
    let f = findings_of(&handmade_evtx(12, 0, 0, true));
    assert_eq!(
        f.iter()
            .filter(|x| x.kind == Kind::NotClosedCleanly)
            .count(),
        1,
        "{f:#?}"
    );
    assert!(tamper::dirty(&handmade_evtx(3, 0, 0, true)));
    assert!(!tamper::dirty(&handmade_evtx(3, 0, 0, false)));
    assert!(!tamper::dirty(b"ElfFil"));
}

/// Record ids as written in each chunk (walking record headers, independent of the
/// parser): the oracle for gaps in the corpus.
fn written_ids(b: &[u8]) -> Vec<u64> {
    let mut ids = Vec::new();
    let mut c = 4096;
    while c + 65536 <= b.len() {
        if &b[c..c + 8] != b"ElfChnk\0" {
            c += 65536;
            continue;
        }
        let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap());
        let free = u32::from_le_bytes(b[c + 48..c + 52].try_into().unwrap()) as usize;
        let end = c + free.clamp(512, 65536);
        let mut r = c + 512;
        while r + 24 <= end {
            if b[r..r + 4] != [0x2a, 0x2a, 0, 0] {
                break;
            }
            let size = u32::from_le_bytes(b[r + 4..r + 8].try_into().unwrap()) as usize;
            ids.push(u64_at(r + 8));
            if size < 24 {
                break;
            }
            r += size;
        }
        if r + 24 <= end {
            // The walk stopped on a record it cannot step over: the rest of the chunk is
            // unknown here, so take the chunk header's id range as present.
            let (first, last) = (u64_at(c + 24), u64_at(c + 32));
            if first <= last && last - first < 100_000 {
                ids.extend(first..=last);
            }
        }
        c += 65536;
    }
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// `(A, B)` of a gap reason's `record ids A–B`.
fn reported_range(reason: &str) -> Option<(u64, u64)> {
    let rest = reason.split("record ids ").nth(1)?;
    let (a, b) = rest.split_once('–')?;
    let b: String = b.chars().take_while(char::is_ascii_digit).collect();
    Some((a.parse().ok()?, b.parse().ok()?))
}

#[test]
fn corpus_log_clears_and_record_gaps_are_all_found() {
    let Some(dir) = testutil::corpus("evtx") else {
        return;
    };
    let t = load(&dir);
    let a = run(&t);
    // Every 1102 (Security) and 104 (System) the timeline holds is a finding.
    let mut clears = 0;
    for i in 0..t.len() {
        let f = t.fields_for(i, false);
        let (ch, id) = (
            f.get(crate::model::Norm::Channel).unwrap_or(""),
            f.get(crate::model::Norm::EventId).unwrap_or(""),
        );
        if (ch == "Security" && id == "1102") || (ch == "System" && id == "104") {
            clears += 1;
            assert!(
                a.findings
                    .iter()
                    .any(|x| x.event == i && x.kind == Kind::LogCleared),
                "{} {id} at {i} not found",
                t.source_of(i).unwrap().label
            );
        }
    }
    assert!(clears >= 2, "the corpus has log clears ({clears})");
    // Every gap between record ids as written is reported on its file.
    let mut gaps = 0;
    for (s, src) in t.sources.iter().enumerate() {
        if src.format() != "evtx" {
            continue;
        }
        let ids = written_ids(src.bytes());
        for w in ids.windows(2) {
            if w[1] <= w[0] + 1 {
                continue;
            }
            gaps += 1;
            // Found when a gap reported on the file covers it (a record vigil rejected
            // beside the gap widens it).
            let (lo, hi) = (w[0] + 1, w[1] - 1);
            let covered = a.findings.iter().any(|x| {
                x.kind == Kind::RecordGap
                    && t.events[x.event].source as usize == s
                    && reported_range(&x.reason).is_some_and(|(a, b)| a <= lo && hi <= b)
            });
            assert!(covered, "{}: gap {lo}–{hi} not found", src.label);
        }
    }
    eprintln!("corpus: {clears} log clears, {gaps} record-id gaps, all found");
}

fn line(ts: i64, host: &str, tag: &str, kv: &str) -> String {
    format!("{}|{host}|{tag}|m|{kv}\n", crate::model::format_rfc3339(ts))
}

const T0: i64 = 1_773_417_600_000_000_000;
const S: i64 = 1_000_000_000;

#[test]
fn regular_connections_are_a_beacon_and_irregular_ones_are_not() {
    let mut text = String::new();
    // ws-01 → 185.225.73.18 every 60 s ± 2 s, 12 times; ws-02 → 93.184.216.34 at
    // irregular times, 12 times; ws-03 → the C2 only 9 times.
    let jitter = [0, 2, -1, 1, -2, 0, 1, 2, -1, 0, 1, -2];
    let irregular = [
        0, 7, 300, 340, 1000, 1011, 2400, 2460, 5000, 5090, 7000, 9900,
    ];
    for k in 0..12 {
        let c2 = T0 + (k * 60 + jitter[k as usize]) * S;
        text += &line(
            c2,
            "ws-01",
            "3",
            "category=network;src_ip=10.0.0.1;dst_ip=185.225.73.18",
        );
        let other = T0 + irregular[k as usize] * S;
        text += &line(
            other,
            "ws-02",
            "3",
            "category=network;src_ip=10.0.0.2;dst_ip=93.184.216.34",
        );
        if k < 9 {
            text += &line(
                c2 + 5 * S,
                "ws-03",
                "3",
                "category=network;src_ip=10.0.0.3;dst_ip=185.225.73.18",
            );
        }
    }
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort();
    let text = lines.join("\n");
    let t = Timeline::from_test_lines(&[("net", &text)]);
    let f = run(&t).findings;
    let b: Vec<&Finding> = f.iter().filter(|x| x.kind == Kind::Beacon).collect();
    assert_eq!(b.len(), 1, "{b:#?}");
    assert_eq!(b[0].host, "ws-01");
    assert!(
        b[0].reason.contains("185.225.73.18 every 1m 0"),
        "{}",
        b[0].reason
    );
    assert!(b[0].reason.contains("12 contacts"), "{}", b[0].reason);
    assert_eq!(t.events[b[0].event].ts, T0);
    // First-seen destinations: the C2 is on 2 of 3 hosts; the other on 1.
    let d: Vec<&Finding> = f
        .iter()
        .filter(|x| x.kind == Kind::FirstDestination)
        .collect();
    assert!(
        d.iter()
            .any(|x| x.host == "ws-02" && x.reason.contains("on 1 of 3 hosts, 12 times")),
        "{d:#?}"
    );
}

#[test]
fn regularity_measures_jitter() {
    let times: Vec<i64> = (0..10).map(|k| k * 30 * S).collect();
    let r = beacon::regularity(&times).unwrap();
    assert_eq!((r.contacts, r.median_ns), (10, 30 * S));
    assert!(r.jitter.abs() < 1e-9);
    assert!(
        beacon::regularity(&times[..9]).is_none(),
        "9 contacts are not enough"
    );
    // Build and close lines under a second apart are one contact.
    let mut doubled: Vec<i64> = times.iter().flat_map(|&t| [t, t + S / 2]).collect();
    doubled.sort_unstable();
    assert_eq!(beacon::regularity(&doubled).unwrap().contacts, 10);
}

#[test]
fn a_source_that_stops_while_others_talk_is_silent() {
    // "dc" logs every 10 s for 2 h, stops for 3 h, resumes for an hour; "fw" logs every
    // 10 s throughout. "fw" is never silent; "dc" is, once.
    let mut dc = String::new();
    let mut fw = String::new();
    for k in 0..(6 * 3600 / 10) {
        let ts = T0 + k * 10 * S;
        fw += &line(ts, "fw", "allow", "category=x");
        let h = k * 10 / 3600;
        if !(2..5).contains(&h) {
            dc += &line(ts + S, "dc-01.corp.local", "4624", "category=y");
        }
    }
    let t = Timeline::from_test_lines(&[("dc", &dc), ("fw", &fw)]);
    let a = run(&t);
    assert_eq!(a.silences.len(), 1, "{:#?}", a.silences);
    let s = &a.silences[0];
    assert_eq!(s.host, "dc-01");
    assert_eq!(s.to.unwrap() - s.from, 3 * 3600 * S + 10 * S);
    assert!(s.others > 1000);
    let f: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|x| x.kind == Kind::Silence)
        .collect();
    assert_eq!(f.len(), 1);
    assert!(f[0].reason.contains("silent for 3h 00m"), "{}", f[0].reason);
}

#[test]
fn cancelling_stops_the_analysis() {
    let t = load(&testutil::samples());
    let (c, p) = (AtomicBool::new(true), AtomicUsize::new(0));
    assert!(analyze(&t, &c, &p).is_none());
}

#[test]
fn a_host_clock_shifted_on_purpose_is_found_with_the_skew_to_undo_it() {
    const SYSMON: &str = "*WS-RECEPTION-01/Microsoft-Windows-Sysmon%4Operational.evtx";
    let skews = |t: &Timeline| -> Vec<Finding> {
        run(t)
            .findings
            .into_iter()
            .filter(|f| f.kind == Kind::ClockSkew)
            .collect()
    };
    // As generated, the sources agree: no skew.
    let plain = skews(&load(&testutil::samples()));
    assert!(plain.is_empty(), "{plain:#?}");
    // The first host's Sysmon shifted 90 s ahead.
    let opts = crate::ingest::Options {
        skew: vec![
            crate::ingest::options::parse_rule(
                &format!("{SYSMON}=+90s"),
                crate::ingest::options::parse_duration,
            )
            .unwrap(),
        ],
        ..Default::default()
    };
    let t = crate::timeline::load_paths(
        &[testutil::samples()],
        &opts,
        &crate::ingest::Progress::default(),
    )
    .0;
    let f = skews(&t);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].host, "WS-RECEPTION-01");
    assert!(
        f[0].reason.contains("runs 1m 30s ahead of"),
        "{}",
        f[0].reason
    );
    assert!(
        f[0].reason.contains(&format!("--skew '{SYSMON}=-90s'")),
        "{}",
        f[0].reason
    );
    let src = t.source_of(f[0].event).unwrap();
    assert!(
        src.label
            .ends_with("Microsoft-Windows-Sysmon%4Operational.evtx")
    );
}

/// An ASA teardown line repeats its build line: a connection counts once, not twice.
#[test]
fn asa_teardown_lines_do_not_count_as_connections() {
    let dir = tempfile::tempdir().unwrap();
    let head = "<166>1 2026-03-13T06:13:26.891+01:00 asa-srv01 - - - - %ASA-6-";
    let log = format!(
        "{head}302013: Built inbound TCP connection 7 for clients:10.20.1.41/49905 (10.20.1.41/49905) to outside:45.155.229.87/443 (45.155.229.87/443)\n\
         {head}302014: Teardown TCP connection 7 for clients:10.20.1.41/49905 to outside:45.155.229.87/443 duration 0:01:28 bytes 135033 TCP FINs\n"
    );
    std::fs::write(dir.path().join("asa.log"), log).unwrap();
    let t = load(dir.path());
    assert_eq!(t.len(), 2);
    let seen = scan::scan(&t, &AtomicBool::new(false), &AtomicUsize::new(0)).unwrap();
    let times: Vec<usize> = seen.conns.values().map(|c| c.times.len()).collect();
    assert_eq!(times, [1], "{:?}", seen.conns.keys().collect::<Vec<_>>());
}
