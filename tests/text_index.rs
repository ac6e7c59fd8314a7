//! The free-text index gives the same answers as matching each event the slow way: per
//! event and term on the bundled samples and the whole corpus, and for whole filters and
//! searches (with and without the index).
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use vigil::model::{Norm, TzSpec};
use vigil::query::{Query, TextTerm, search_regex};
use vigil::timeline::Timeline;
use vigil::timeline::filter::{self, Filter, NoMarks};
use vigil::timeline::search::{self, Dir};

/// Words, phrases and regexes that probe every kind of piece: raw lines, stored EVTX
/// values, inline numbers, made-up times and record ids, messages, derived values.
const TERMS: &[&str] = &[
    "rclone",
    "lsass",
    "443",
    "DENY",
    "allow",
    "tcp",
    "4624",
    "0",
    "a",
    "-",
    ":",
    "2026-03-13T05",
    "10.",
    "S-1-5-18",
    "logon",
    "\"network logon\"",
    "firewall",
    "zq-nowhere",
    "/(?i)\\.locked\\b/",
    "/vssadmin.*delete/i",
    "/^4624$/",
    "/^S-1-5/",
    "/443$/",
    "/\\d{6}/",
    "/\\bcmd\\b/i",
    "/[^a-z]/",
    "/(?i)powershell.*-enc/",
    "/T0[0-9]:/",
    "/^$/",
    "/x|y/",
];

fn build(t: &Timeline) {
    assert!(t.build_text_index(&AtomicBool::new(false), &AtomicUsize::new(0)));
    assert!(t.text_index().is_some());
}

/// Every term, every event: the index's answer (when it gives one) is the slow answer.
fn per_event(t: &Timeline) -> usize {
    let idx = t.text_index().expect("index built");
    let mut answered = 0;
    for q in TERMS {
        let query = Query::parse(q, &TzSpec::Utc).expect("parses");
        let terms = query.text_terms();
        assert_eq!(terms.len(), 1, "{q}");
        let term: &TextTerm = &terms[0];
        let prep = idx.prepare(t, terms);
        for i in 0..t.len() {
            let slow = search::event_matches(t, i, term);
            if let Some(fast) = prep.hit(i, 0, term) {
                answered += 1;
                assert_eq!(fast, slow, "term {q} event {i}: {}", t.raw_record(i));
            }
        }
    }
    answered
}

/// The index's normalised columns give what `Fields::get` gives.
fn columns(t: &Timeline) -> usize {
    let idx = t.text_index().expect("index built");
    let prep = idx.prepare(t, &[]);
    let mut answered = 0;
    for i in 0..t.len() {
        let f = t.fields(i);
        for n in Norm::ALL {
            if let Some(v) = prep.norm(i, n) {
                answered += 1;
                assert_eq!(
                    v.as_deref(),
                    f.get(n),
                    "{n:?} of event {i}: {}",
                    t.raw_record(i)
                );
            }
        }
        let names = f.raw.iter().map(|(k, _)| k.to_string());
        for k in names.chain(["SystemTime", "eventrecordid", "NoSuchField"].map(String::from)) {
            if let Some(v) = prep.raw_field(i, &k) {
                answered += 1;
                assert_eq!(
                    v.as_deref(),
                    f.raw(&k),
                    "{k} of event {i}: {}",
                    t.raw_record(i)
                );
            }
        }
    }
    answered
}

fn filter_rows(t: &Timeline, q: &str) -> Vec<u32> {
    let f = Filter::parse(q, &TzSpec::Utc).expect("parses");
    filter::run(
        t,
        &f,
        &NoMarks,
        &AtomicBool::new(false),
        &AtomicUsize::new(0),
    )
    .expect("not cancelled")
}

const FILTERS: &[&str] = &[
    "dst_port:443 AND action:deny",
    "action:allow,deny proto:tcp",
    "user:administrator OR event_id:4688",
    "NOT src_port:53 AND lsass",
    "process:*powershell* OR cmdline~/-enc/",
    "LogonType:3 rclone OR mimikatz",
    "category:firewall dst_ip:10.0.0.5",
    "message:foo OR host:dc01",
    "dst_port>=1024 proto:udp",
    "user:*admin* OR src_ip:10.20.*",
    "event_id:4624,4625 AND NOT user:system",
    "pid:4 OR parent~/services/",
    "category:auth severity:info",
    "action:deny",
    "dst_port:443",
    "process:\"C:\\Windows\\System32\\svchost.exe\"",
    "LogonType:3 OR TargetUserName:*admin*",
    "EventRecordID>100 AND SystemTime:2026*",
];

#[test]
fn samples_index_agrees_with_slow_matching() {
    let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    let slow = common::load(std::slice::from_ref(&samples));
    let fast = common::load(&[samples]);
    build(&fast);
    let answered = per_event(&fast);
    assert!(columns(&fast) > fast.len() * Norm::ALL.len() / 2);
    // The index answers nearly everything (anchored regexes on text lines excepted).
    assert!(
        answered > fast.len() * TERMS.len() * 8 / 10,
        "{answered} answered"
    );
    for q in FILTERS.iter().chain(TERMS) {
        assert_eq!(filter_rows(&slow, q), filter_rows(&fast, q), "filter {q}");
    }
    for p in [
        "(?i)rclone",
        "powershell",
        "^4624$",
        "zq-nowhere",
        "10\\.0\\.",
    ] {
        let re = search_regex(p).expect("regex");
        let no = AtomicBool::new(false);
        for from in [0, fast.len() / 2] {
            for dir in [Dir::Forward, Dir::Backward] {
                assert_eq!(
                    search::find(&slow, None, from, dir, &re, &no),
                    search::find(&fast, None, from, dir, &re, &no),
                    "search /{p}/ from {from} {dir:?}"
                );
            }
        }
    }
}

#[test]
fn corpus_index_agrees_with_slow_matching() {
    let Some(corpus) = common::corpus("") else {
        return;
    };
    let t = common::load(&[corpus]);
    build(&t);
    let answered = per_event(&t);
    columns(&t);
    eprintln!(
        "corpus: {} events, {answered} index answers checked",
        t.len()
    );
    let slow = common::load(&[common::corpus("").expect("present")]);
    for q in FILTERS {
        assert_eq!(filter_rows(&slow, q), filter_rows(&t, q), "filter {q}");
    }
}

#[test]
fn events_added_later_drop_the_index() {
    let mut t = Timeline::from_test_lines(&[("a.log", "2022-01-01T00:00:00Z|h|1|one|k=v\n")]);
    build(&t);
    t.add(vigil::timeline::testing::test_source(
        "b.log",
        "2022-01-01T00:00:01Z|h|1|two|k=v\n",
    ));
    assert!(t.text_index().is_none());
    t.sort();
    build(&t);
    assert_eq!(filter_rows(&t, "two"), [1]);
}
