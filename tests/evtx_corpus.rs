//! Every corpus EVTX file: vigil keeps every record the evtx crate yields, with the same
//! record id, UTC time, EventID and Computer; damaged files are reported, never fatal.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

mod common;

use std::collections::HashMap;
use vigil::model::Norm;

type Rec = (String, String, String, String); // time µs, EventID, Computer, EventRecordID

fn reference(path: &std::path::Path) -> (HashMap<u64, Vec<Rec>>, usize) {
    let settings = evtx::ParserSettings::new().num_threads(1);
    let mut p = evtx::EvtxParser::from_path(path)
        .expect("open")
        .with_configuration(settings);
    let mut m: HashMap<u64, Vec<Rec>> = HashMap::new();
    let mut n = 0;
    for r in p.records_json_value().flatten() {
        let sys = &r.data["Event"]["System"];
        let t = sys["TimeCreated"]["#attributes"]["SystemTime"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let eid = match &sys["EventID"] {
            serde_json::Value::Object(o) => {
                o.get("#text").map(|v| v.to_string()).unwrap_or_default()
            }
            v => v.to_string(),
        };
        let comp = sys["Computer"].as_str().unwrap_or("").to_string();
        let rid = sys["EventRecordID"]
            .to_string()
            .trim_matches('"')
            .to_string();
        m.entry(r.event_record_id).or_default().push((
            micros(&t),
            eid.trim_matches('"').to_string(),
            comp,
            rid,
        ));
        n += 1;
    }
    (m, n)
}

/// RFC 3339 → "YYYY-MM-DDTHH:MM:SS.ffffff" (µs, UTC), comparable across precisions.
fn micros(t: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(d) => d
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%S%.6f")
            .to_string(),
        Err(_) => t.to_string(),
    }
}

#[test]
fn every_corpus_evtx_matches_the_evtx_crate() {
    let Some(dir) = common::corpus("evtx") else {
        return;
    };
    let files = common::files(&dir, "evtx");
    assert!(files.len() >= 200, "expected the corpus EVTX files");
    let mut total = 0;
    for f in &files {
        let (want, n) = reference(f);
        let t = common::load(std::slice::from_ref(f));
        let live: Vec<usize> = (0..t.len())
            .filter(|&i| !t.events[i].flags.recovered())
            .collect();
        assert!(
            live.len() >= n,
            "{}: vigil {} < evtx crate {}",
            f.display(),
            live.len(),
            n
        );
        let mut matched = 0;
        for &i in &live {
            let fields = t.fields(i);
            // The record header's id locates the record; the BinXML EventRecordID is the
            // `record_id` field (they differ in some files).
            let id = t.events[i].evtx_record_id();
            let got = (
                micros(&t.time_text(i)),
                fields.get(Norm::EventId).unwrap_or("").to_string(),
                fields.get(Norm::Host).unwrap_or("").to_string(),
                fields.get(Norm::RecordId).unwrap_or("null").to_string(),
            );
            if let Some(w) = want.get(&id) {
                // A record without SystemTime gets its header's time, which the crate's
                // JSON does not show.
                let ok = w.iter().any(|r| {
                    (r.0 == got.0 || r.0.is_empty())
                        && (&r.1, &r.2, &r.3) == (&got.1, &got.2, &got.3)
                });
                assert!(ok, "{} record {id}: {got:?} not in {w:?}", f.display());
                matched += 1;
            }
        }
        assert!(matched >= n, "{}: matched {matched} of {n}", f.display());
        total += n;
    }
    eprintln!("{} files, {total} records checked", files.len());
}

#[test]
fn damaged_files_report_counts_and_reasons() {
    let Some(dir) = common::corpus("evtx") else {
        return;
    };
    // (file, minimum events, rejected, a word of the first reason or note)
    let cases = [
        (
            "evtx-crate/sample_with_a_bad_chunk_magic.evtx",
            301,
            3,
            "magic",
        ),
        ("evtx-crate/sysmon.evtx", 358, 8, "magic"),
        (
            "evtx-crate/sample-with-zero-data-size-event.evtx",
            335,
            1,
            "data size",
        ),
        ("evtx-crate/2-vss_7-System.evtx", 1160, 0, ""),
        (
            "evtx-crate/security_bad_string_cache.evtx",
            2261,
            0,
            "CRC32",
        ),
        ("evtx-crate/Application_no_crc32.evtx", 17, 0, ""),
        // Cut at 200 000 bytes: 93 of the 96 chunks its header lists are missing.
        ("other/plaso__System2.evtx", 194, 93, "missing"),
    ];
    for (name, min_events, rejected, word) in cases {
        let p = dir.join(name);
        let t = common::load(std::slice::from_ref(&p));
        let r = &t.sources[0].report;
        assert!(r.events >= min_events, "{name}: {} events", r.events);
        assert_eq!(r.rejected, rejected, "{name}: {:?}", r.reasons);
        let text = format!("{:?} {:?}", r.reasons, r.notes);
        assert!(text.contains(word), "{name}: {text}");
        for rj in &r.reasons {
            assert!(
                rj.reason.contains("chunk"),
                "{name}: reason names the chunk: {}",
                rj.reason
            );
        }
    }
}

#[test]
fn truncated_and_garbage_input_never_panics() {
    let Some(dir) = common::corpus("evtx/evtx-crate") else {
        return;
    };
    let data = std::fs::read(dir.join("security_bad_string_cache.evtx")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // Cut at odd places and flip bytes; every variant must load without panicking.
    for (k, cut) in [4096usize, 5000, 70_000, 200_001].into_iter().enumerate() {
        let mut d = data[..cut.min(data.len())].to_vec();
        for j in (600..d.len()).step_by(997) {
            d[j] ^= 0x5a;
        }
        let p = tmp.path().join(format!("cut{k}.evtx"));
        std::fs::write(&p, &d).unwrap();
        let t = common::load(std::slice::from_ref(&p));
        assert_eq!(t.sources.len(), 1);
        assert_eq!(t.sources[0].report.format, "evtx");
    }
}

/// Filters that never read the message skip building it for EVTX events; the rows they
/// match must be those a full look at every event finds.
#[test]
fn structured_filter_without_messages_matches_a_full_scan() {
    let Some(dir) = common::corpus("evtx") else {
        return;
    };
    let t = common::load(&[dir]);
    let q = "event_id:4624,4688 AND user:*";
    let rows = vigil::timeline::filter::rows(&t, q, &vigil::model::TzSpec::Utc).unwrap();
    let want: Vec<usize> = (0..t.len())
        .filter(|&i| {
            let f = t.fields(i);
            matches!(f.get(Norm::EventId), Some("4624" | "4688")) && f.get(Norm::User).is_some()
        })
        .collect();
    assert!(want.len() > 50, "{}", want.len());
    assert_eq!(rows, want);
}

/// `stats` (index only) and the TUI/export (every field) read the same file twice: they
/// disagreed on which records to keep (40 747 events and 6 rejects against 40 725 and
/// 28). Both modes must keep and reject the same records, with the same times and flags.
#[test]
fn stats_and_full_ingest_keep_and_reject_the_same_records() {
    let Some(dir) = common::corpus("evtx") else {
        return;
    };
    let files = common::files(&dir, "evtx");
    assert!(files.len() >= 200, "expected the corpus EVTX files");
    let (mut events, mut rejected) = (0, 0);
    for f in &files {
        let run = |index_only| {
            let opts = vigil::ingest::Options {
                index_only,
                ..common::opts()
            };
            let progress = vigil::ingest::Progress::default();
            let (t, _) = vigil::timeline::load_paths(std::slice::from_ref(f), &opts, &progress);
            let ev: Vec<_> = t.events.iter().map(|e| (e.ts, e.loc, e.flags)).collect();
            let r = &t.sources[0].report;
            (ev, r.rejected, r.reasons.clone())
        };
        let (stats, full) = (run(true), run(false));
        assert_eq!(
            (stats.0.len(), stats.1),
            (full.0.len(), full.1),
            "{}: (events, rejected) differ between stats and full ingest",
            f.display()
        );
        assert_eq!(stats, full, "{}", f.display());
        events += full.0.len();
        rejected += full.1;
    }
    eprintln!(
        "{} files: {events} events, {rejected} rejected in both modes",
        files.len()
    );
}

/// Records carved from slack space that do not decode (no record id, no time, names
/// from misaligned UTF-16, `Name`/`Name_1` fields) are rejected with a reason and an
/// offset; the ones kept are flagged and match `recovered:true`.
#[test]
fn carved_records_kept_decode_and_are_flagged() {
    let Some(dir) = common::corpus("evtx") else {
        return;
    };
    let files = common::files(&dir, "evtx");
    let (mut kept, mut refused) = (0, 0);
    for f in &files {
        let t = common::load(std::slice::from_ref(f));
        let r = &t.sources[0].report;
        refused += r
            .reasons
            .iter()
            .filter(|x| x.reason.contains("carved record does not decode"))
            .inspect(|x| assert!(x.offset > 4096, "{}: {x:?}", f.display()))
            .count();
        let flagged: Vec<usize> = (0..t.len())
            .filter(|&i| t.events[i].flags.recovered())
            .collect();
        let q = vigil::timeline::filter::rows(&t, "recovered:true", &vigil::model::TzSpec::Utc);
        assert_eq!(q.unwrap(), flagged, "{}", f.display());
        for &i in &flagged {
            let fields = t.fields(i);
            let names: Vec<&str> = fields.raw.iter().map(|(k, _)| &**k).collect();
            let ok = |n: &str| n.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
            assert!(names.iter().all(|n| ok(n)), "{}: {names:?}", f.display());
            assert!(
                fields.get(Norm::RecordId).is_some(),
                "{}: {names:?}",
                f.display()
            );
            assert!(
                names
                    .iter()
                    .filter(|n| **n == "Name" || n.starts_with("Name_"))
                    .count()
                    < 2,
                "{}: {names:?}",
                f.display()
            );
            assert!(t.events[i].ts > i64::MIN);
            assert_eq!(t.flag_marker(i), Some("~"));
        }
        kept += flagged.len();
    }
    eprintln!("carved records: {kept} kept, {refused} rejected (first reasons)");
    assert!(
        kept > 100 && refused > 20,
        "{kept} kept, {refused} rejected"
    );
}
