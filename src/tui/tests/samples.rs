//! Answers checked on the bundled samples: the counts of a field are what
//! `vigil export --filter` writes, counted; a pivot on an EVTX row's host finds the same
//! host's EDR rows, named without the domain there.

use super::*;
use crate::export::{self, Format, Request, Rows};
use crate::timeline::filter::Filter;
use crate::tui::state::Mode;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize};

fn samples(indexed: bool) -> Arc<Timeline> {
    let opts = crate::ingest::Options {
        threads: 2,
        ..Default::default()
    };
    let p = crate::testutil::samples();
    let t = crate::timeline::load_paths(&[p], &opts, &crate::ingest::Progress::default()).0;
    if indexed {
        assert!(t.build_text_index(&AtomicBool::new(false), &AtomicUsize::new(0)));
    }
    Arc::new(t)
}

/// `field` of what the export of `q` writes (jsonl, as `vigil export --filter q`), values
/// folded for ASCII case as counts fold them; and the number of events without it.
fn exported(t: &Timeline, q: &str, field: &str) -> (BTreeMap<String, u64>, u64, usize) {
    let f = Filter::parse(q, &crate::model::TzSpec::Utc).unwrap();
    let req = Request {
        rows: Rows::Matching(&f),
        ..Request::new(Format::Jsonl)
    };
    let mut out = Vec::new();
    export::run(t, &req, &mut out).unwrap();
    let (mut counts, mut without, mut n) = (BTreeMap::new(), 0, 0);
    for line in String::from_utf8(out).unwrap().lines() {
        n += 1;
        let v: Value = serde_json::from_str(line).unwrap();
        let got = v
            .get(field)
            .or_else(|| v.get("raw").and_then(|r| r.get(field)))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        match got {
            Some(s) => *counts.entry(s.to_ascii_lowercase()).or_insert(0) += 1,
            None => without += 1,
        }
    }
    (counts, without, n)
}

#[test]
fn counts_equal_an_export_of_the_filter_counted() {
    // With and without the free-text index: counts read its columns when it is there.
    for indexed in [false, true] {
        let t = samples(indexed);
        for (q, field) in [
            ("event_id:4625", "user"),
            ("dst_port:443", "dst_ip"),
            ("event_id:4624", "LogonType"),
        ] {
            let mut st = state_with(t.clone(), 80, 24);
            keys(&mut st, &format!("f<C-u>{q}<Enter>c{field}<Enter>"));
            assert_eq!(st.mode, Mode::Counts, "{q} {field}");
            let c = st.counts.result.clone().unwrap();
            let (want, without, n) = exported(&t, q, field);
            assert!(n > 0 && !want.is_empty(), "{q}: nothing to compare");
            let got: BTreeMap<String, u64> = c
                .values
                .iter()
                .map(|(v, k)| (v.to_ascii_lowercase(), *k))
                .collect();
            assert_eq!(got, want, "{q} {field} (indexed: {indexed})");
            assert_eq!((c.events, c.without), (n, without), "{q} {field}");
        }
    }
}

#[test]
fn a_pivot_on_an_evtx_host_finds_the_edr_rows_of_that_host() {
    let t = samples(true);
    let row = (0..t.len())
        .find(|&i| {
            t.host(i) == "FS-01.klinikum-see.local"
                && t.source_of(i).is_some_and(|s| s.format() == "evtx")
        })
        .expect("an EVTX event of FS-01");
    let mut st = state_with(t.clone(), 80, 24);
    st.table.cursor = row;
    keys(&mut st, "=");
    assert_eq!(st.mode, Mode::Picker);
    pick_field(&mut st, "host");
    keys(&mut st, "<Enter>");
    assert_eq!(st.query.filter, "host:\"FS-01.klinikum-see.local\"");
    let view = st.table.view.clone().unwrap();
    let formats: std::collections::BTreeSet<&str> = view
        .iter()
        .filter_map(|&e| t.source_of(e as usize).map(|s| s.format()))
        .collect();
    assert!(formats.contains("evtx"), "{formats:?}");
    let edr = view
        .iter()
        .filter(|&&e| t.host(e as usize) == "FS-01")
        .count();
    assert!(edr > 0, "no CrowdStrike row of FS-01: {formats:?}");
    for &e in view.iter() {
        let h = t.host(e as usize).to_ascii_uppercase();
        assert!(h == "FS-01" || h.starts_with("FS-01."), "{h}");
    }
}
