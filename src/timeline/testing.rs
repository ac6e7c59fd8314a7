//! Test support: a timeline built from a tiny line format, so that UI tests do not need
//! evidence files. `TIME|HOST|TAG|MESSAGE|key=value;key=value`, TIME in RFC 3339.

use super::Timeline;
use crate::ingest::{
    self, Evidence, Kind, Loaded, Prepared, Reason, RecordParser, Records, SourceReport,
};
use crate::model::{Fields, Norm, TzSpec, parse_time_prefix};

struct TestLines;

impl RecordParser for TestLines {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        let s = std::str::from_utf8(rec).map_err(|_| Reason::from("not UTF-8"))?;
        let mut parts = s.splitn(5, '|');
        let time = parts.next().unwrap_or("");
        out.ts = parse_time_prefix(time, &TzSpec::Utc).ok_or(Reason::from("bad time"))?;
        let host = parts.next().unwrap_or("");
        if !host.is_empty() {
            out.set(Norm::Host, host);
        }
        let tag = parts.next().unwrap_or("");
        if !tag.is_empty() {
            out.set(Norm::EventId, tag);
        }
        out.set(Norm::Message, parts.next().unwrap_or(""));
        for kv in parts.next().unwrap_or("").split(';') {
            if let Some((k, v)) = kv.split_once('=') {
                match Norm::from_name(k) {
                    Some(n) => out.set(n, v),
                    None => out.push_raw(k, v),
                }
            }
        }
        Ok(())
    }
}

/// One source of test lines, as the ingest driver would produce it.
pub fn test_source(label: &str, text: &str) -> Loaded {
    let evidence = Evidence::Owned(text.as_bytes().to_vec());
    let prepared = Prepared {
        parser: Box::new(TestLines),
        records: Records::Lines {
            start: 0,
            comment: &[b"#"],
        },
        note: None,
    };
    let mut report = SourceReport {
        path: label.into(),
        format: "test".into(),
        ..Default::default()
    };
    let batch = ingest::text::load(&prepared, evidence.bytes(), 1, &mut report, &|_, _| {});
    let mut batch = batch;
    report.events = batch.events.len() as u64;
    ingest::note_bad_times(&mut batch.events, &mut report);
    Loaded {
        label: label.into(),
        report,
        evidence: Some(evidence),
        kind: Kind::Text(prepared),
        batch,
    }
}

impl Timeline {
    /// A sorted timeline from `(label, text)` sources in the test line format.
    #[doc(hidden)]
    pub fn from_test_lines(sources: &[(&str, &str)]) -> Timeline {
        let mut t = Timeline::new();
        for (label, text) in sources {
            t.add(test_source(label, text));
        }
        t.sort();
        t
    }
}
