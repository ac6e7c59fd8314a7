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

#[test]
fn sample_probe() {
    let t = sample();
    let (rs, _) = RuleSet::load(&builtin_only()).unwrap();
    let hits = run(&t, &rs, &AtomicBool::new(false), &AtomicUsize::new(0)).unwrap();
    let per = hits.per_rule(&rs);
    for (i, n) in per.iter().enumerate() {
        eprintln!("{n:6} {}", rs.rules()[i].title);
    }
}
