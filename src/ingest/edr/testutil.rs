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

/// Fields of one row, as `assert_row` reads them.
pub type Spec = &'static [(&'static str, &'static str)];

/// Checks `row` against `spec`, `(field, value)` pairs: `ts` is the time in RFC 3339,
/// `raw:NAME` the source's own field NAME, any other a normalised field by name.
#[track_caller]
pub fn assert_row(row: &Row, spec: &[(&str, &str)], what: &str) {
    for &(field, want) in spec {
        let got = if field == "ts" {
            Some(crate::model::format_rfc3339(row.ts))
        } else if let Some(raw) = field.strip_prefix("raw:") {
            row.raw(raw).map(str::to_owned)
        } else {
            assert!(Norm::from_name(field).is_some(), "no field {field}");
            row.get(field).map(str::to_owned)
        };
        assert_eq!(got.as_deref(), Some(want), "{what}: {field}");
    }
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

/// Checks that `format` gives `data` the sniffing score `score`, then parses it with the
/// default context.
#[track_caller]
pub fn parse_sample(data: &[u8], format: &str, score: u8) -> Outcome {
    let def = crate::ingest::edr::FORMATS.iter().find(|f| f.id == format);
    let def = def.unwrap_or_else(|| panic!("no EDR format {format}"));
    assert_eq!(def.sniff(data), score, "{format} sniffing score");
    parse_bytes(data, format, &ParseCtx::default())
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
        let files = crate::testutil::files_below(&root);
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

    /// What one corpus file must yield: every record parsed, and chosen rows' fields.
    struct CorpusFile {
        /// Directory under `edr/` and the file's name in it.
        dir: &'static str,
        file: &'static str,
        format: &'static str,
        records: usize,
        /// The prepare step's note, where it is checked.
        note: Option<&'static str>,
        rows: &'static [(usize, Spec)],
    }

    #[test]
    fn corpus_files_yield_their_rows() {
        let mut dirs: Vec<&str> = CORPUS.iter().map(|c| c.dir).collect();
        dirs.dedup();
        for dir in dirs {
            let Some(paths) = corpus_files(dir) else {
                return;
            };
            let expected = CORPUS.iter().filter(|c| c.dir == dir).count();
            assert_eq!(paths.len(), expected, "files in edr/{dir}");
            for path in paths {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let want = CORPUS.iter().find(|c| c.dir == dir && c.file == name);
                let Some(want) = want else {
                    panic!("no expectation for {}", path.display());
                };
                let r = parse_all(&path, want.format);
                assert_eq!(
                    (r.total, r.rejected),
                    (want.records, 0),
                    "{name}: {:?}",
                    r.reasons
                );
                if let Some(note) = want.note {
                    assert_eq!(r.note.as_deref(), Some(note), "{name}");
                }
                for &(i, spec) in want.rows {
                    assert_row(&r.rows[i], spec, &format!("{name} row {i}"));
                }
            }
        }
    }

    const CORPUS: &[CorpusFile] = &[
        CorpusFile {
            dir: "carbon-black",
            file: "integrations__cb_cloud_endpoint_event.head.ndjson",
            format: "carbonblack",
            records: 8,
            note: None,
            rows: &[
                (
                    0,
                    &[
                        ("ts", "2022-02-10T11:50:51.686294Z"),
                        ("host", "DESKTOP-001"),
                        ("user", "NT AUTHORITY\\LOCAL SERVICE"),
                        ("process", "sophoshealth.exe"),
                        ("category", "registry"),
                        (
                            "hash",
                            "3a55487d9a9247d7848785d1a8c76d1b9ed15d72137d81f7474be0a31ba523d0",
                        ),
                    ],
                ),
                // procstart: the reporting process becomes the parent.
                (
                    6,
                    &[
                        ("event_id", "endpoint.event.procstart"),
                        ("category", "process"),
                        ("parent", "windowsazureguestagent.exe"),
                    ],
                ),
            ],
        },
        CorpusFile {
            dir: "crowdstrike-fdr",
            file: "integrations__crowdstrike_fdr.head.ndjson",
            format: "crowdstrike",
            records: 23,
            note: None,
            rows: &[
                (
                    0,
                    &[
                        ("ts", "2021-07-07T17:05:21.137Z"),
                        ("event_id", "SyntheticProcessRollup2"),
                        ("process", "sh"),
                        ("cmdline", "/bin/sh -s unix:cmd"),
                        ("host", "ffffffffa63e404bba4bff7465ab3afb"),
                        ("category", "process"),
                    ],
                ),
                (2, &[("proto", "udp"), ("src_port", "547")]),
                (
                    19,
                    &[
                        ("event_id", "DnsRequest"),
                        ("category", "dns"),
                        ("message", "dns jss.dom1.com"),
                    ],
                ),
            ],
        },
        CorpusFile {
            dir: "elastic-endpoint",
            file: "endpoint-package__alerts.sample_event.json",
            format: "ecs",
            records: 1,
            note: None,
            rows: &[(
                0,
                &[
                    ("ts", "2022-04-04T12:15:41.594406200Z"),
                    ("host", "security-win-1"),
                    ("process", "System"),
                    ("user", "SYSTEM"),
                    ("category", "alert"),
                ],
            )],
        },
        CorpusFile {
            dir: "elastic-endpoint",
            file: "endpoint-package__file.sample_event.json",
            format: "ecs",
            records: 1,
            note: None,
            rows: &[(
                0,
                &[
                    ("ts", "2022-04-04T18:37:01.577577100Z"),
                    ("host", "response-win-1"),
                    ("process", "winlogbeat.exe"),
                    ("user", "SYSTEM"),
                    ("category", "file"),
                ],
            )],
        },
        CorpusFile {
            dir: "elastic-endpoint",
            file: "endpoint-package__network.sample_event.json",
            format: "ecs",
            records: 1,
            note: None,
            rows: &[(
                0,
                &[
                    ("ts", "2022-04-04T18:52:00.600780900Z"),
                    ("host", "mgmt-win-1"),
                    ("process", "GCEWindowsAgent.exe"),
                    ("user", "SYSTEM"),
                    ("category", "network"),
                    ("dst_ip", "64.233.191.95"),
                    ("dst_port", "443"),
                    ("proto", "tcp"),
                ],
            )],
        },
        CorpusFile {
            dir: "elastic-endpoint",
            file: "endpoint-package__process.sample_event.json",
            format: "ecs",
            records: 1,
            note: None,
            rows: &[(
                0,
                &[
                    ("ts", "2022-04-04T18:53:08.657898600Z"),
                    ("host", "data-viz-win-1"),
                    ("process", "svchost.exe"),
                    ("user", "SYSTEM"),
                    ("category", "process"),
                    ("parent", "services.exe"),
                    (
                        "cmdline",
                        "C:\\Windows\\System32\\svchost.exe -k WerSvcGroup",
                    ),
                    ("raw:process.Ext.token.integrity_level_name", "system"),
                ],
            )],
        },
        CorpusFile {
            dir: "elastic-endpoint",
            file: "endpoint-package__registry.sample_event.json",
            format: "ecs",
            records: 1,
            note: None,
            rows: &[(
                0,
                &[
                    ("ts", "2022-04-04T18:53:09.128384600Z"),
                    ("host", "data-viz-win-1"),
                    ("process", "svchost.exe"),
                    ("user", "SYSTEM"),
                    ("category", "registry"),
                ],
            )],
        },
        CorpusFile {
            dir: "mde-advanced-hunting",
            file: "integrations__m365_defender_device.head.ndjson",
            format: "mde",
            records: 8,
            note: None,
            rows: &[
                (
                    0,
                    &[
                        ("ts", "2022-11-07T17:07:42.025918600Z"),
                        ("host", "testmachine5"),
                        ("user", "administrator1"),
                        ("process", "backgroundtaskhost.exe"),
                        ("parent", "svchost.exe"),
                        ("action", "DpapiAccessed"),
                    ],
                ),
                (
                    2,
                    &[
                        ("file", "C:\\Windows\\System32\\VMAgentDisabler.dll"),
                        ("category", "file"),
                    ],
                ),
                (
                    7,
                    &[
                        ("category", "auth"),
                        ("src_ip", "67.43.156.1"),
                        ("user", "administrator"),
                    ],
                ),
            ],
        },
        CorpusFile {
            dir: "mde-advanced-hunting",
            file: "otrf__Microsoft365DefenderEvents.json",
            format: "mde",
            records: 9,
            note: None,
            rows: &[
                (
                    0,
                    &[
                        ("ts", "2021-08-02T13:11:39.772449100Z"),
                        ("host", "adfs01.simulandlabs.com"),
                        ("user", "wardog"),
                        ("process", "powershell.exe"),
                        ("event_id", "LdapSearch"),
                    ],
                ),
                (5, &[("user", "pgustavo")]),
            ],
        },
        CorpusFile {
            dir: "sentinelone-dv",
            file: "integrations__s1_cloud_funnel_process.json",
            format: "sentinelone",
            records: 1,
            note: None,
            rows: &[(
                0,
                &[
                    ("ts", "2022-10-03T15:32:29.470Z"),
                    ("host", "asdf1"),
                    ("process", "nr-winpkg.exe"),
                    ("parent", "newrelic-infra.exe"),
                    ("cmdline", "./nr-winpkg"),
                    ("pid", "4720"),
                    ("user", "NTAUTHORITY\\SYSTEM"),
                    ("category", "process"),
                ],
            )],
        },
        CorpusFile {
            dir: "velociraptor",
            file: "velociraptor__Windows.Events.ProcessCreation.jsonl",
            format: "velociraptor",
            records: 6,
            note: Some("JSON lines; time column Timestamp"),
            rows: &[(
                1,
                &[
                    ("ts", "2019-10-25T07:20:32Z"),
                    ("process", "PsExec.exe"),
                    ("pid", "5276"),
                    ("cmdline", "bin\\PsExec.exe  -s cmd.exe"),
                ],
            )],
        },
        CorpusFile {
            dir: "velociraptor",
            file: "velociraptor__Windows.Network.NetstatEnriched.jsonl",
            format: "velociraptor",
            records: 57,
            note: None,
            rows: &[(
                0,
                &[
                    ("ts", "2020-08-01T09:17:02Z"),
                    ("process", "svchost.exe"),
                    ("user", "NT AUTHORITY\\NETWORK SERVICE"),
                    ("src_port", "135"),
                    ("category", "network"),
                    ("raw:Authenticode.Trusted", "trusted"),
                ],
            )],
        },
    ];

    #[test]
    fn firewall_and_evtx_files_are_not_claimed() {
        let Some(corpus) = corpus_dir() else {
            return;
        };
        let mut files = crate::testutil::files_below(&corpus.join("firewall"));
        files.extend(crate::testutil::files_below(&corpus.join("evtx")));
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
