use super::*;
use evtx::{EvtxParser, ParserSettings};
use serde_json::Value;
use std::io::Cursor;

const SEC_GUID: &str = "{54849625-5478-4994-A5BA-3E3B0328C30D}";

fn shapes() -> Vec<Shape> {
    vec![
        Shape::new(
            "Microsoft-Windows-Security-Auditing",
            SEC_GUID,
            4624,
            2,
            0,
            12544,
            0x8020_0000_0000_0000,
            &[
                "TargetUserName",
                "TargetDomainName",
                "LogonType",
                "IpAddress",
            ],
        ),
        Shape::new(
            "Microsoft-Windows-Sysmon",
            "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}",
            1,
            5,
            4,
            1,
            0x8000_0000_0000_0000,
            &["UtcTime", "Image", "CommandLine"],
        ),
        Shape::new(
            "Service Control Manager",
            "{555908d1-a6d7-4695-8e1e-26931d2012f4}",
            7045,
            0,
            4,
            0,
            0x8080_0000_0000_0000,
            &[],
        ),
    ]
}

struct Written {
    id: u64,
    ts: i64,
    shape: usize,
    computer: String,
    data: Vec<String>,
    sid: Option<&'static str>,
}

fn write_sample(n: usize) -> (Vec<u8>, Vec<Written>, Vec<Shape>) {
    let shapes = shapes();
    let mut w = EvtxWriter::new(Cursor::new(Vec::new())).expect("header");
    let mut written = Vec::new();
    let base = 1_773_417_600_000_000_000i64; // 2026-03-13T16:00:00Z
    for i in 0..n {
        let s = i % 3;
        let ts = base + (i as i64) * 1_234_567_891; // 100 ns resolution kept, ns dropped below
        let computer = format!("WS-{:02}.clinic.local", i % 7);
        let data: Vec<String> = shapes[s]
            .data
            .iter()
            .enumerate()
            .map(|(k, name)| match k {
                // Long and non-ASCII values push records across chunk boundaries.
                2 => format!("{name} ü→ {}", "x".repeat(i % 900)),
                _ => format!("{name}-{i}"),
            })
            .collect();
        let refs: Vec<&str> = data.iter().map(String::as_str).collect();
        let sid = if i % 2 == 0 {
            Some("S-1-5-21-1111-2222-3333-1104")
        } else {
            None
        };
        let id = w
            .append(&Event {
                shape: &shapes[s],
                ts_ns: ts,
                pid: 4 + i as u32,
                tid: 100 + i as u32,
                channel: "Security",
                computer: &computer,
                user_sid: sid,
                data: &refs,
            })
            .expect("append");
        written.push(Written {
            id,
            ts: ts - ts.rem_euclid(100),
            shape: s,
            computer,
            data,
            sid,
        });
    }
    let (cur, count) = w.finish().expect("finish");
    assert_eq!(count, n as u64);
    (cur.into_inner(), written, shapes)
}

#[test]
fn round_trip_through_the_evtx_crate() {
    let (bytes, written, shapes) = write_sample(1500);
    let chunks = (bytes.len() - FILE_HEADER_SIZE) / CHUNK_SIZE;
    assert!(chunks >= 3, "expected several chunks, got {chunks}");
    let settings = ParserSettings::new().validate_checksums(true).indent(false);
    let mut p = EvtxParser::from_buffer(bytes)
        .expect("parser")
        .with_configuration(settings);
    assert!(p.header().validate_checksum());
    let mut seen = 0;
    for (rec, w) in p.records_json_value().zip(&written) {
        let rec = rec.expect("record parses with valid checksums");
        assert_eq!(rec.event_record_id, w.id);
        let ns = rec.timestamp.as_second() as i128 * 1_000_000_000
            + rec.timestamp.subsec_nanosecond() as i128;
        assert_eq!(ns, w.ts as i128, "record {}", w.id);
        let ev = &rec.data["Event"];
        let sys = &ev["System"];
        let shape = &shapes[w.shape];
        assert_eq!(
            sys["EventID"],
            Value::from(shape.event_id),
            "record {}",
            w.id
        );
        assert_eq!(sys["EventRecordID"], Value::from(w.id));
        assert_eq!(sys["Channel"], "Security");
        assert_eq!(sys["Computer"], w.computer.as_str());
        assert_eq!(sys["Provider"]["#attributes"]["Name"], shape.provider);
        assert_eq!(
            sys["Execution"]["#attributes"]["ProcessID"],
            Value::from(4 + w.id - 1)
        );
        let want_kw = format!("0x{:x}", shape.keywords);
        assert_eq!(
            sys["Keywords"].as_str().map(str::to_lowercase),
            Some(want_kw)
        );
        match w.sid {
            Some(sid) => assert_eq!(sys["Security"]["#attributes"]["UserID"], sid),
            None => assert!(sys["Security"]["#attributes"]["UserID"].is_null()),
        }
        let data = &ev["EventData"];
        for (name, value) in shape.data.iter().zip(&w.data) {
            assert_eq!(data[*name], value.as_str(), "record {} field {name}", w.id);
        }
        seen += 1;
    }
    assert_eq!(seen, written.len());
}

#[test]
fn guid_text_to_windows_layout() {
    let g = guid_bytes(SEC_GUID);
    assert_eq!(&g[..4], &[0x25, 0x96, 0x84, 0x54]);
    assert_eq!(&g[8..], &[0xA5, 0xBA, 0x3E, 0x3B, 0x03, 0x28, 0xC3, 0x0D]);
    assert_eq!(guid_bytes("nonsense"), [0; 16]);
}

#[test]
fn filetime_of_unix_epoch() {
    assert_eq!(filetime(0), FILETIME_UNIX_EPOCH);
    assert_eq!(filetime(1_000), FILETIME_UNIX_EPOCH + 10);
}
