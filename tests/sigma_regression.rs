//! SigmaHQ's own regression data (`../shared/sigma/regression_data`: an EVTX file and the
//! expected match count per rule) run through vigil's ingest, mapping and engine: every
//! rule fires, its count equals the one rsigma gives on the same records flattened the
//! plain way (`common::plain`, with the same mapping), and so equals the expected count
//! wherever that plain count does.
#![cfg(test)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use vigil::detect::{self, RuleOptions, RuleSet, Status};

struct Case {
    rule_file: PathBuf,
    evtx: PathBuf,
    expected: u64,
}

/// The rule file holding `id` (renamed rules leave the regression folder's name behind).
fn find_rule(root: &Path, guess: PathBuf, id: &str) -> PathBuf {
    let has = |p: &Path| {
        std::fs::read_to_string(p).is_ok_and(|t| t.lines().any(|l| l.trim() == format!("id: {id}")))
    };
    if has(&guess) {
        return guess;
    }
    for dir in [
        "rules",
        "rules-emerging-threats",
        "rules-threat-hunting",
        "rules-placeholder",
    ] {
        if let Some(p) = common::files(&root.join(dir), "yml")
            .into_iter()
            .find(|p| has(p))
        {
            return p;
        }
    }
    panic!("no rule with id {id}");
}

fn cases(root: &Path) -> Vec<Case> {
    let mut infos = common::files(&root.join("regression_data"), "yml");
    infos.retain(|p| p.file_name().is_some_and(|n| n == "info.yml"));
    let mut out = Vec::new();
    for info in infos {
        let text = std::fs::read_to_string(&info).unwrap();
        let v: serde_json::Value = yaml_serde::from_str(&text).unwrap();
        let Some(tests) = v["regression_tests_info"].as_array() else {
            continue;
        };
        let rule_id = v["rule_metadata"][0]["id"].as_str().unwrap().to_owned();
        // regression_data/<rules dir>/…/<rule name>/info.yml ↔ <rules dir>/…/<rule name>.yml
        let dir = info.parent().unwrap();
        let rel = dir.strip_prefix(root.join("regression_data")).unwrap();
        let rule_file = find_rule(root, root.join(rel).with_extension("yml"), &rule_id);
        for t in tests.iter().filter(|t| t["type"] == "evtx") {
            out.push(Case {
                rule_file: rule_file.clone(),
                evtx: root.join(t["path"].as_str().unwrap()),
                expected: t["match_count"].as_u64().unwrap_or(1),
            });
        }
    }
    out
}

#[test]
fn sigmahq_regression_cases_fire_through_vigil() {
    let Some(root) = common::sigma("") else {
        return;
    };
    let cases = cases(&root);
    assert!(cases.len() >= 200, "{} cases", cases.len());
    let mut failures = Vec::new();
    let (mut fired, mut exact, mut plain_exact) = (0, 0, 0);
    for c in &cases {
        let name = c.rule_file.display().to_string();
        let opts = RuleOptions {
            dirs: vec![c.rule_file.clone()],
            builtin: false,
            min_level: detect::Level::Informational,
            statuses: vec![
                Status::Stable,
                Status::Test,
                Status::Experimental,
                Status::Deprecated,
            ],
            mapping: None,
        };
        let (rules, report) = RuleSet::load(&opts).unwrap();
        if rules.len() != 1 {
            failures.push(format!(
                "{name}: not loaded: {:?} {:?}",
                report.unsupported, report.invalid
            ));
            continue;
        }
        let t = common::load(std::slice::from_ref(&c.evtx));
        let hits = detect::run(&t, &rules, &AtomicBool::new(false), &AtomicUsize::new(0)).unwrap();
        // The plain parse reads live records; vigil also carves records from slack space
        // (flagged recovered), which the comparison leaves out.
        let live = |i: usize| !t.events[i].flags.recovered();
        let got = hits.iter().filter(|(i, _)| live(*i)).count() as u64;
        let plain = common::plain::records(&c.evtx)
            .iter()
            .filter(|(_, r)| !rules.evaluate_record(r).is_empty())
            .count() as u64;
        fired += usize::from(got >= 1);
        exact += usize::from(got == c.expected);
        plain_exact += usize::from(plain == c.expected);
        if got == 0 {
            failures.push(format!(
                "{name}: did not fire (expected {}, plain {plain})",
                c.expected
            ));
        } else if got != plain {
            failures.push(format!(
                "{name}: {got} hits, plain flattening {plain} (expected {})",
                c.expected
            ));
        }
    }
    eprintln!(
        "{} cases: fired {fired}, exact count {exact}; plain flattening exact {plain_exact}",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
