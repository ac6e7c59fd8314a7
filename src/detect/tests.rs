//! Engine-level tests of the detect module on the bundled sample and small records.

use super::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize};

fn builtin_only() -> RuleOptions {
    RuleOptions {
        dirs: Vec::new(),
        ..RuleOptions::default()
    }
}

fn sample() -> crate::timeline::Timeline {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/samples"));
    let opts = crate::ingest::Options {
        threads: 2,
        ..Default::default()
    };
    crate::timeline::load_paths(&[p], &opts, &crate::ingest::Progress::default()).0
}

#[test]
fn builtin_rules_all_load() {
    let (rs, report) = RuleSet::load(&builtin_only()).unwrap();
    assert!(report.unsupported.is_empty(), "{:?}", report.unsupported);
    assert!(report.invalid.is_empty(), "{:?}", report.invalid);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert_eq!(rs.len(), builtin::RULES.len());
    for r in rs.rules() {
        assert_eq!(r.author, "vigil");
        assert!(!r.id.is_empty() && r.path.starts_with("builtin:"));
    }
}

fn sample_hits() -> (crate::timeline::Timeline, RuleSet, Hits) {
    let t = sample();
    let (rs, _) = RuleSet::load(&builtin_only()).unwrap();
    let hits = run(&t, &rs, &AtomicBool::new(false), &AtomicUsize::new(0)).unwrap();
    (t, rs, hits)
}

#[test]
fn hits_api_agrees_with_itself() {
    let (t, rs, hits) = sample_hits();
    assert_eq!(hits.covered(), t.len());
    let mut pairs = 0;
    let mut prev = None;
    for (i, on) in hits.iter() {
        assert!(prev.is_none_or(|p| p < i), "sorted, unique events");
        prev = Some(i);
        assert_eq!(hits.of(i), on);
        assert!(!on.is_empty());
        let max = on.iter().map(|r| rs.rule(*r).level).max();
        assert_eq!(hits.max_level(i), max);
        pairs += on.len();
    }
    assert_eq!(pairs, hits.hit_count());
    let c = hits.level_counts(&rs);
    assert_eq!(c.hits.iter().sum::<usize>(), hits.hit_count());
    assert_eq!(c.events.iter().sum::<usize>(), hits.event_count());
    assert_eq!(hits.per_rule(&rs).iter().sum::<usize>(), hits.hit_count());
    // next/prev at a level walk exactly the events whose highest level reaches it.
    let high: Vec<usize> = hits
        .iter()
        .filter(|(i, _)| hits.max_level(*i) >= Some(Level::High))
        .map(|(i, _)| i)
        .collect();
    let mut walked = Vec::new();
    let mut at = hits.next(0, Level::High, true);
    while let Some(i) = at {
        walked.push(i);
        at = hits.next(i, Level::High, false);
    }
    assert_eq!(walked, high);
    assert_eq!(hits.prev(t.len(), Level::High), high.last().copied());
    assert!(hits.of(t.len() + 5).is_empty());
    // Sparse: well under 8 bytes per event even on an attack sample.
    assert!(
        hits.heap_bytes() <= 8 * t.len(),
        "{} bytes",
        hits.heap_bytes()
    );
}

/// The memo (one evaluation per distinct tuple of the fields rules read) gives exactly what
/// evaluating every record does (`evaluate_record` has no memo).
#[test]
fn memo_gives_the_same_hits_as_evaluating_every_record() {
    let (t, rs, hits) = sample_hits();
    let reused: u64 = rs.bucket_stats().iter().map(|b| b.reused).sum();
    assert!(reused > 0, "process creations repeat in the sample");
    let mut checked = 0;
    for i in 0..t.len() {
        let Some((_, slots)) = t.evtx_slots(i) else {
            continue;
        };
        let mut rec = serde_json::Map::new();
        let names: Vec<String> = slots.map(|(k, _)| t.strings.text(k).into_owned()).collect();
        let f = t.fields_for(i, false);
        let sys = names::evtx_system_len(names.iter().map(String::as_str));
        for (k, (name, v)) in f.raw.iter().enumerate() {
            let key = match rs.mapping.system.get(&**name) {
                Some(s) if k < sys => s.clone(),
                _ => name.to_string(),
            };
            rec.entry(key).or_insert_with(|| v.to_string().into());
        }
        if !rec.contains_key("Channel") {
            continue;
        }
        let direct: Vec<RuleIdx> = rs.evaluate_record(&rec);
        if rec.keys().any(|k| k.starts_with("Data")) {
            continue; // joined Data: covered by the differential test
        }
        assert_eq!(hits.of(i), &direct[..], "event {i}");
        checked += 1;
    }
    assert!(checked > 2000, "{checked}");
}

#[test]
fn cancel_stops_and_progress_counts_every_event() {
    let t = sample();
    let (rs, _) = RuleSet::load(&builtin_only()).unwrap();
    let done = AtomicUsize::new(0);
    assert!(run(&t, &rs, &AtomicBool::new(true), &done).is_none());
    let done = AtomicUsize::new(0);
    assert!(run(&t, &rs, &AtomicBool::new(false), &done).is_some());
    assert_eq!(done.into_inner(), t.len());
}

#[test]
fn query_terms_read_the_hits() {
    use crate::timeline::filter::{Filter, NoMarks};
    let (t, rs, hits) = sample_hits();
    let marks = WithHits {
        marks: &NoMarks,
        det: Detected {
            rules: &rs,
            hits: &hits,
        },
    };
    let count = |q: &str| {
        let f = Filter::parse(q, &crate::model::TzSpec::Utc).unwrap();
        (0..t.len()).filter(|&i| f.matches(&t, i, &marks)).count()
    };
    let c = hits.level_counts(&rs);
    assert_eq!(count("detected"), hits.event_count());
    assert_eq!(count("NOT detected"), t.len() - hits.event_count());
    let at_least_high = c.events[Level::High as usize] + c.events[Level::Critical as usize];
    assert_eq!(count("level>=high"), at_least_high);
    assert_eq!(count("level:critical"), c.events[Level::Critical as usize]);
    let per = hits.per_rule(&rs);
    let shadow = rs
        .rules()
        .iter()
        .position(|m| m.title.contains("Shadow"))
        .unwrap();
    assert_eq!(count("rule:\"*shadow*\""), per[shadow]);
    assert_eq!(
        count(&format!("rule:{}", rs.rules()[shadow].id)),
        per[shadow]
    );
    // attack: a technique prefix, or a tactic from the tags.
    let t1003: usize = hits
        .iter()
        .filter(|(_, on)| {
            on.iter()
                .any(|r| rs.rule(*r).attack.iter().any(|a| a.starts_with("T1003")))
        })
        .count();
    assert!(t1003 > 0);
    assert_eq!(count("attack:T1003*"), t1003);
    assert!(count("attack:credential-access") >= t1003);
    // Without hits the terms match nothing; `level:4` is still EVTX's own Level field.
    let none = |q: &str| {
        let f = Filter::parse(q, &crate::model::TzSpec::Utc).unwrap();
        (0..t.len()).filter(|&i| f.matches(&t, i, &NoMarks)).count()
    };
    assert_eq!(none("detected"), 0);
    assert!(none("level:4") > 0);
}

#[test]
fn dropped_rules_keep_indices_dense_and_reasons_are_given() {
    let dir = tempfile::tempdir().unwrap();
    let ok = "title: ok\nid: 11111111-1111-1111-1111-111111111111\nlogsource: {product: windows, service: security}\ndetection: {s: {EventID: 4624}, condition: s}\nlevel: low\n";
    let bad_re = "title: bad regex\nid: 22222222-2222-2222-2222-222222222222\nlogsource: {product: windows, service: security}\ndetection: {s: {TargetUserName|re: '(?<=a)b'}, condition: s}\nlevel: high\n";
    let linux = "title: linux\nlogsource: {product: linux, category: process_creation}\ndetection: {s: {Image: /bin/sh}, condition: s}\nlevel: high\n";
    let dup = ok.replace("title: ok", "title: dup");
    let low = "title: info\nlogsource: {product: windows, service: system}\ndetection: {s: {EventID: 1}, condition: s}\nlevel: informational\nstatus: deprecated\n";
    for (n, y) in [
        ("a.yml", ok),
        ("b.yml", bad_re),
        ("c.yml", linux),
        ("d.yml", dup.as_str()),
        ("e.yml", low),
        ("f.yml", "title: [unclosed"),
    ] {
        std::fs::write(dir.path().join(n), y).unwrap();
    }
    let (rs, rep) = RuleSet::load(&RuleOptions {
        dirs: vec![dir.path().to_path_buf()],
        builtin: false,
        min_level: Level::Low,
        ..RuleOptions::default()
    })
    .unwrap();
    assert_eq!(rs.len(), 1);
    assert_eq!(rs.rule(RuleIdx(0)).title, "ok");
    let reasons = |v: &[RuleNote]| {
        v.iter()
            .map(|n| n.reason.clone())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    assert_eq!(rep.invalid.len(), 2, "{}", reasons(&rep.invalid));
    assert!(reasons(&rep.invalid).contains("rejected by the engine"));
    assert!(reasons(&rep.invalid).contains("parse error"));
    assert_eq!(rep.unsupported.len(), 1);
    assert!(rep.unsupported[0].reason.contains("product linux"));
    assert_eq!(rep.skipped.len(), 2, "{}", reasons(&rep.skipped));
    assert!(reasons(&rep.skipped).contains("duplicate id"));
    assert!(reasons(&rep.skipped).contains("below the minimum"));
    assert!(
        RuleSet::load(&RuleOptions {
            dirs: vec![dir.path().join("nope")],
            ..RuleOptions::default()
        })
        .is_err()
    );
}
