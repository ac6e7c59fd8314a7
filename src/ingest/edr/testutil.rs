//! Test helper doing what the ingest driver does: sniff with every format, prepare, cut
//! the records per `Records`, parse each and count rejects.

use crate::ingest::sniffing::{MIN_CONFIDENCE, SNIFF_BYTES, best};
use crate::ingest::{FormatDef, ParseCtx, Records, text_formats};
use crate::model::{Fields, Norm, TzSpec};
use std::path::{Path, PathBuf};

/// The corpus (`crate::testutil`: under `CI=true` its absence fails the test).
pub fn corpus_dir() -> Option<PathBuf> {
    crate::testutil::corpus("")
}

/// Files of `edr/<sub>`, sorted; `None` (with a note) when the corpus is absent.
pub fn corpus_files(sub: &str) -> Option<Vec<PathBuf>> {
    let dir = crate::testutil::corpus(&format!("edr/{sub}"))?;
    let rd = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    Some(v)
}

/// One parsed record, detached from the file.
pub struct Row {
    pub ts: i64,
    pub fields: Fields<'static>,
}

impl Row {
    pub fn get(&self, norm: &str) -> Option<&str> {
        Norm::from_name(norm).and_then(|n| self.fields.get(n))
    }
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.fields
            .raw
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| &**v)
    }
}

pub struct Outcome {
    pub total: usize,
    pub rejected: usize,
    pub reasons: Vec<String>,
    pub rows: Vec<Row>,
    pub note: Option<String>,
}

/// The winning format id for `data`, as the driver picks it.
pub fn sniffed(data: &[u8]) -> Option<&'static str> {
    sniffed_among(data, &text_formats())
}

/// The EDR format that would claim `data`, ignoring the other families.
pub fn edr_sniffed(data: &[u8]) -> Option<&'static str> {
    sniffed_among(data, crate::ingest::edr::FORMATS)
}

fn sniffed_among(data: &[u8], formats: &[&'static FormatDef]) -> Option<&'static str> {
    let head = &data[..data.len().min(SNIFF_BYTES)];
    best(head, formats.iter().copied())
        .filter(|&(_, s)| s >= MIN_CONFIDENCE)
        .map(|(f, _)| f.id)
}

/// Reads `path`, checks it sniffs as `format`, and parses every record.
pub fn parse_all(path: &Path, format: &str) -> Outcome {
    let data = std::fs::read(path).unwrap();
    assert_eq!(
        sniffed(&data),
        Some(format),
        "{} sniffed wrong",
        path.display()
    );
    parse_bytes(&data, format, &ParseCtx::default())
}

/// Prepares `data` as `format` and parses every record.
pub fn parse_bytes(data: &[u8], format: &str, ctx: &ParseCtx) -> Outcome {
    let def = text_formats().into_iter().find(|f| f.id == format).unwrap();
    let prep = (def.prepare)(data, ctx).unwrap();
    let recs: Vec<&[u8]> = match &prep.records {
        Records::Ranges(v) => v
            .iter()
            .map(|&(o, l)| &data[o as usize..(o as usize + l as usize).min(data.len())])
            .collect(),
        Records::Lines { start, comment } => data[*start..]
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .filter(|l| !comment.iter().any(|c| l.starts_with(c)))
            .collect(),
    };
    let mut out = Outcome {
        total: recs.len(),
        rejected: 0,
        reasons: vec![],
        rows: vec![],
        note: prep.note.clone(),
    };
    for r in recs {
        let mut f = Fields::new();
        match prep.parser.parse(r, &mut f) {
            Ok(()) => out.rows.push(Row {
                ts: f.ts,
                fields: f.into_owned(),
            }),
            Err(e) => {
                out.rejected += 1;
                out.reasons.push(e.into_owned());
            }
        }
    }
    out
}

/// A context reading naive times in `tz`.
pub fn ctx_tz(tz: &str) -> ParseCtx {
    ParseCtx {
        tz: tz.parse::<TzSpec>().unwrap(),
        ..ParseCtx::default()
    }
}

/// Cross-format tests: sniffing over the whole corpus, damaged input, no panics.
mod tests {
    use super::*;
    use crate::ingest::edr::FORMATS;
    use proptest::prelude::*;

    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }

    #[test]
    fn every_edr_corpus_file_sniffs_to_its_format() {
        let Some(root) = crate::testutil::corpus("edr") else {
            return;
        };
        let expect = [
            ("sysmon-json", "winjson"),
            ("mde-advanced-hunting", "mde"),
            ("crowdstrike-fdr", "crowdstrike"),
            ("elastic-endpoint", "ecs"),
            ("velociraptor", "velociraptor"),
            ("sentinelone-dv", "sentinelone"),
            ("carbon-black", "carbonblack"),
        ];
        let mut files = Vec::new();
        walk(&root, &mut files);
        assert_eq!(files.len(), 21);
        for p in files {
            let sub = p
                .strip_prefix(&root)
                .ok()
                .and_then(|r| r.iter().next())
                .and_then(|s| s.to_str())
                .unwrap_or("");
            let want = expect.iter().find(|(d, _)| *d == sub).map(|(_, f)| *f);
            assert!(want.is_some(), "no expectation for {}", p.display());
            let r = parse_all(&p, want.unwrap_or(""));
            eprintln!(
                "{}: {} records, {} rejected; {:?}",
                p.display(),
                r.total,
                r.rejected,
                r.note
            );
            assert!(
                r.rejected * 100 <= r.total,
                "{}: {:?}",
                p.display(),
                r.reasons
            );
        }
    }

    #[test]
    fn firewall_and_evtx_files_are_not_claimed() {
        let Some(corpus) = corpus_dir() else {
            return;
        };
        let mut files = Vec::new();
        walk(&corpus.join("firewall"), &mut files);
        walk(&corpus.join("evtx"), &mut files);
        assert!(!files.is_empty(), "no firewall or EVTX files in the corpus");
        for p in files {
            let data = std::fs::read(&p).unwrap();
            let head = &data[..data.len().min(64 * 1024)];
            for f in FORMATS {
                assert!(f.sniff(head) < 50, "{} claims {}", f.id, p.display());
            }
        }
    }

    #[test]
    fn sniffers_do_not_claim_each_others_samples() {
        let samples: &[(&str, &[u8])] = &[
            ("winjson", br#"{"@timestamp":"2024-01-01T00:00:00Z","ecs":{"version":"1"},"winlog":{"channel":"Security","event_id":"4624"}}"#),
            ("ecs", br#"{"@timestamp":"2024-01-01T00:00:00Z","ecs":{"version":"8"},"event":{"kind":"event"}}"#),
            ("crowdstrike", br#"{"event_simpleName":"ProcessRollup2","timestamp":"1625677521162","ComputerName":"h"}"#),
            ("mde", br#"{"Timestamp":"2024-01-01T00:00:00Z","DeviceName":"h","ActionType":"ProcessCreated","InitiatingProcessFileName":"a"}"#),
            ("carbonblack", br#"{"type":"endpoint.event.procstart","device_name":"h","process_guid":"g"}"#),
            ("velociraptor", br#"{"_ts":1571988000,"Timestamp":"2019-10-25T07:18:20Z","Name":"x"}"#),
        ];
        for (want, data) in samples {
            assert_eq!(
                sniffed(data),
                Some(*want),
                "{}",
                String::from_utf8_lossy(data)
            );
        }
        assert_eq!(
            edr_sniffed(b"date=2024-01-01 time=00:00:00 devname=fg type=traffic"),
            None
        );
        assert_eq!(
            edr_sniffed(b"#Version: 1.5\n#Fields: date time action protocol src-ip dst-ip"),
            None
        );
        assert_eq!(
            edr_sniffed(b"Timestamp,Src,Dst\n2024-01-01,1.2.3.4,5.6.7.8\n"),
            None
        );
    }

    #[test]
    fn huge_command_line_and_non_utf8() {
        let big = "A".repeat(64 * 1024);
        let data = format!(
            "{{\"event_simpleName\":\"ProcessRollup2\",\"timestamp\":\"1625677521162\",\"CommandLine\":\"powershell -enc {big}\",\"ImageFileName\":\"\\\\Device\\\\x\\\\po\u{e9}\\xFF.exe\"}}\n"
        );
        let mut bytes = data.into_bytes();
        // Put a raw invalid byte inside the JSON string.
        let pos = bytes.windows(4).position(|w| w == b"\\xFF").unwrap();
        bytes.splice(pos..pos + 4, [0xFFu8]);
        let r = parse_bytes(&bytes, "crowdstrike", &ParseCtx::default());
        assert_eq!((r.total, r.rejected), (1, 0), "{:?}", r.reasons);
        let row = &r.rows[0];
        assert_eq!(row.get("cmdline").map(str::len), Some(64 * 1024 + 16));
        assert!(
            row.get("message").unwrap().len() < 400,
            "summary is clipped"
        );
        assert_eq!(row.get("process"), Some("po\u{e9}\u{fffd}.exe"));
    }

    #[test]
    fn truncated_array_loses_only_the_last_record() {
        let data = br#"[{"Timestamp":"2024-01-01T00:00:00Z","DeviceName":"a","ActionType":"X"},{"Timestamp":"2024-01-01T00:00:01Z","DeviceName":"b","ActionType":"X"},{"Timestamp":"2024-01-01T00:00:02Z","Devi"#;
        let r = parse_bytes(data, "mde", &ParseCtx::default());
        assert_eq!((r.total, r.rejected), (3, 1));
        assert_eq!(r.rows[1].get("host"), Some("b"));
    }

    #[test]
    fn naive_times_follow_the_source_zone() {
        let data = b"{\"EventID\":4624,\"Channel\":\"Security\",\"Hostname\":\"h\",\"TimeCreated\":\"2020-10-19 03:30:41.104\"}\n";
        let r = parse_bytes(data, "winjson", &ctx_tz("America/New_York"));
        assert_eq!(
            crate::model::format_rfc3339(r.rows[0].ts),
            "2020-10-19T07:30:41.104Z"
        );
        let note = r.note.unwrap_or_default();
        assert!(
            note.contains("TimeCreated (no zone: read in America/New_York"),
            "{note}"
        );
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            for f in FORMATS {
                let _ = f.sniff(&data);
                if let Ok(p) = (f.prepare)(&data, &ParseCtx::default()) {
                    let recs: Vec<&[u8]> = match &p.records {
                        Records::Ranges(v) => v.iter().filter_map(|&(o, l)| data.get(o as usize..(o as usize).saturating_add(l as usize))).collect(),
                        Records::Lines { .. } => data.split(|&b| b == b'\n').collect(),
                    };
                    for r in recs {
                        let mut fl = Fields::new();
                        let _ = p.parser.parse(r, &mut fl);
                    }
                }
            }
        }

        #[test]
        fn never_panics_on_json_like_input(s in r#"[\[\]{}",:0-9a-zA-Z\\. \n-]{0,300}"#) {
            let data = format!("{{\"EventID\":1,\"TimeCreated\":\"2020-01-01T00:00:00Z\",{s}");
            for f in FORMATS {
                let _ = f.sniff(data.as_bytes());
                if let Ok(p) = (f.prepare)(data.as_bytes(), &ParseCtx::default()) {
                    let mut fl = Fields::new();
                    let _ = p.parser.parse(data.as_bytes(), &mut fl);
                }
            }
        }
    }
}
