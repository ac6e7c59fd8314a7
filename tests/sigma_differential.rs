//! Differential test on the corpus EVTX (`../shared/corpus/evtx`) with every SigmaHQ
//! Windows rule (`../shared/sigma`): the hits `detect::run` finds through vigil's ingest
//! (stored shapes, interned values, name tables) equal, record by record, those rsigma
//! gives on the same records flattened the plain way from the evtx crate's JSON
//! (`common::plain`) with the same mapping (`RuleSet::evaluate_record`).
#![cfg(test)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use vigil::detect::{self, RuleOptions, RuleSet};

#[test]
fn vigil_hits_equal_plain_flattening_hits_on_the_corpus() {
    let (Some(root), corpus) = (common::sigma(""), common::corpus("evtx")) else {
        return;
    };
    let Some(corpus) = corpus else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "corpus missing under CI"
        );
        return;
    };
    let opts = RuleOptions {
        dirs: [
            "rules/windows",
            "rules-emerging-threats",
            "rules-threat-hunting",
        ]
        .iter()
        .map(|d| root.join(d))
        .collect(),
        builtin: false,
        ..RuleOptions::default()
    };
    let (rules, report) = RuleSet::load(&opts).unwrap();
    assert!(rules.len() > 2500, "{} rules", rules.len());
    assert!(
        report.invalid.is_empty(),
        "{:?}",
        &report.invalid[..report.invalid.len().min(5)]
    );
    let files = common::files(&corpus, "evtx");
    let t = common::load(&files);
    let hits = detect::run(&t, &rules, &AtomicBool::new(false), &AtomicUsize::new(0)).unwrap();
    // (file, record id) -> rules, live records only (the plain parse does not carve).
    type Key = (String, u64);
    let mut ours: BTreeMap<Key, BTreeSet<u32>> = BTreeMap::new();
    let mut live: BTreeSet<Key> = BTreeSet::new();
    for (i, e) in t.events.iter().enumerate() {
        if e.flags.recovered() {
            continue;
        }
        let key = (
            t.sources[e.source as usize].label.clone(),
            e.evtx_record_id(),
        );
        live.insert(key.clone());
        let on: BTreeSet<u32> = hits.of(i).iter().map(|r| r.0).collect();
        if !on.is_empty() {
            ours.entry(key).or_default().extend(on);
        }
    }
    let mut theirs: BTreeMap<Key, BTreeSet<u32>> = BTreeMap::new();
    let mut both: BTreeSet<Key> = BTreeSet::new();
    let mut compared = 0;
    for f in &files {
        let label = t
            .sources
            .iter()
            .find(|s| std::path::Path::new(&s.label) == f.as_path())
            .map(|s| s.label.clone())
            .unwrap_or_else(|| f.display().to_string());
        for (rid, rec) in common::plain::records(f) {
            let key = (label.clone(), rid);
            if !live.contains(&key) {
                continue;
            }
            compared += 1;
            both.insert(key.clone());
            let on: BTreeSet<u32> = rules.evaluate_record(&rec).iter().map(|r| r.0).collect();
            if !on.is_empty() {
                theirs.entry(key).or_default().extend(on);
            }
        }
    }
    // Records only vigil reads (the part present of a truncated last chunk) stay out.
    ours.retain(|k, _| both.contains(k));
    let mut diffs = Vec::new();
    for key in ours.keys().chain(theirs.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (ours.get(key), theirs.get(key));
        if a != b {
            let name = |s: Option<&BTreeSet<u32>>| -> Vec<String> {
                s.into_iter()
                    .flatten()
                    .map(|r| rules.rule(detect::RuleIdx(*r)).title.clone())
                    .collect()
            };
            diffs.push(format!(
                "{} #{}: vigil {:?} plain {:?}",
                key.0,
                key.1,
                name(a),
                name(b)
            ));
        }
    }
    let n_hits: usize = ours.values().map(BTreeSet::len).sum();
    eprintln!(
        "{} rules; {compared} records compared; vigil {n_hits} hits on {} records; {} differ",
        rules.len(),
        ours.len(),
        diffs.len()
    );
    assert!(compared > 10_000, "{compared} records compared");
    assert!(
        diffs.is_empty(),
        "{} records differ:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}
