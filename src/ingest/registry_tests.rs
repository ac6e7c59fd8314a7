//! The format registry checks itself: every registered format carries samples, each sample
//! sniffs as its own format (higher than every other) and parses without a reject, and
//! each line of a format with a line test goes to that format inside a mixed syslog file.
//! A new format is covered here by being registered with its samples.

use super::sniffing::{MIN_CONFIDENCE, best};
use super::{Family, FormatDef, ParseCtx, SourceReport, format_by_id, sniff, text, text_formats};
use crate::model::{Fields, Norm};

/// The context samples are parsed in: a year for syslog stamps without one, and a mapping
/// for `mapped` (which only reads `--map`).
fn ctx(dir: &std::path::Path) -> ParseCtx {
    let map = dir.join("map.json");
    std::fs::write(&map, r#"{"time":{"field":"ts"},"fields":{"host":"host"}}"#)
        .expect("write the sample mapping");
    ParseCtx {
        mtime_year: 2024,
        map: Some(map),
        ..ParseCtx::default()
    }
}

/// Formats with neither a line nor a head test are chosen only with `--format`.
fn sniffable(d: &FormatDef) -> bool {
    d.line.is_some() || d.head.is_some()
}

#[test]
fn ids_are_unique_and_found() {
    let all = text_formats();
    for (i, d) in all.iter().enumerate() {
        assert!(
            all[..i].iter().all(|e| e.id != d.id),
            "{} registered twice",
            d.id
        );
        assert!(std::ptr::eq(format_by_id(d.id).expect("found"), *d));
        assert_ne!(d.id, crate::ingest::evtx::ID);
    }
}

#[test]
fn every_format_has_samples() {
    let bare: Vec<&str> = text_formats()
        .iter()
        .filter(|d| d.samples.is_empty())
        .map(|d| d.id)
        .collect();
    assert!(bare.is_empty(), "formats without samples: {bare:?}");
}

#[test]
fn every_sample_sniffs_as_its_format() {
    for d in text_formats() {
        for (k, s) in d.samples.iter().enumerate() {
            let (top, score) = best(s.as_bytes(), text_formats()).expect("formats registered");
            if sniffable(d) {
                assert_eq!(top.id, d.id, "{} sample {k}: sniffed as {}", d.id, top.id);
                assert!(score >= MIN_CONFIDENCE, "{} sample {k}: {score}", d.id);
                assert_eq!(sniff(s.as_bytes()), Some(d.id), "{} sample {k}", d.id);
            } else {
                assert_eq!(d.sniff(s.as_bytes()), 0, "{} is never sniffed", d.id);
            }
        }
    }
}

#[test]
fn every_sample_parses_without_a_reject() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ctx = ctx(dir.path());
    for d in text_formats() {
        for (k, s) in d.samples.iter().enumerate() {
            let data = s.as_bytes();
            let p = (d.prepare)(data, &ctx).unwrap_or_else(|e| panic!("{} sample {k}: {e}", d.id));
            let mut report = SourceReport::default();
            let batch = text::load(&p, data, 1, &mut report, &|_, _| {});
            assert_eq!(
                report.rejected, 0,
                "{} sample {k}: {:?}",
                d.id, report.reasons
            );
            assert!(!batch.events.is_empty(), "{} sample {k}: no event", d.id);
            for e in &batch.events {
                let rec = text::record_bytes(data, e.loc, e.aux);
                let mut f = Fields::new();
                p.parser
                    .parse(rec, &mut f)
                    .unwrap_or_else(|r| panic!("{} sample {k}: {r}", d.id));
                assert_eq!(f.ts, e.ts, "{} sample {k}", d.id);
                if d.family == Family::Firewall {
                    assert_eq!(f.get(Norm::Category), Some("firewall"), "{}", d.id);
                    assert!(f.get(Norm::Message).is_some(), "{} sample {k}", d.id);
                }
            }
        }
    }
}

/// A lean parse of a firewall line keeps every normalised field but the message: the
/// candidates' analyzers read connections from it (`Kind::fields_into` with `Fields::lean()`).
#[test]
fn lean_firewall_parses_keep_the_normalised_fields() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ctx = ctx(dir.path());
    for d in text_formats()
        .iter()
        .filter(|d| d.family == Family::Firewall)
    {
        for (k, s) in d.samples.iter().enumerate() {
            let data = s.as_bytes();
            let p = (d.prepare)(data, &ctx).unwrap_or_else(|e| panic!("{} sample {k}: {e}", d.id));
            let mut report = SourceReport::default();
            let batch = text::load(&p, data, 1, &mut report, &|_, _| {});
            for e in &batch.events {
                let rec = text::record_bytes(data, e.loc, e.aux);
                let (mut full, mut lean) = (Fields::new(), Fields::lean());
                p.parser.parse(rec, &mut full).expect("parses");
                p.parser.parse(rec, &mut lean).expect("parses lean");
                let norm = |f: &Fields<'_>| -> Vec<(Norm, String)> {
                    f.norm_iter()
                        .filter(|(n, _)| *n != Norm::Message)
                        .map(|(n, v)| (n, v.to_owned()))
                        .collect()
                };
                assert_eq!(norm(&lean), norm(&full), "{} sample {k}", d.id);
                assert_eq!(lean.ts, full.ts, "{} sample {k}", d.id);
            }
        }
    }
}

/// Each line of a format with a line test, relayed into a syslog server's file, is read
/// by that format's parser (the dispatcher is derived from the registry).
#[test]
fn mixed_syslog_dispatches_every_line_format() {
    let mixed = format_by_id("syslog").expect("registered");
    let with_line: Vec<&FormatDef> = text_formats()
        .into_iter()
        .filter(|d| d.line.is_some())
        .collect();
    assert!(with_line.len() >= 2);
    let lines: Vec<(&str, &str)> = with_line
        .iter()
        .flat_map(|d| {
            d.samples
                .iter()
                .flat_map(|s| s.lines())
                .map(move |l| (d.id, l))
        })
        .collect();
    let all: String = lines.iter().map(|(_, l)| format!("{l}\n")).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let p = (mixed.prepare)(all.as_bytes(), &ctx(dir.path())).expect("prepare");
    for (id, l) in lines {
        assert_eq!(p.parser.format_of(l.as_bytes()), Some(id), "{l}");
        let mut f = Fields::new();
        p.parser
            .parse(l.as_bytes(), &mut f)
            .unwrap_or_else(|r| panic!("{id}: {r}: {l}"));
    }
    assert_eq!(sniff(all.as_bytes()), Some("syslog"));
}
