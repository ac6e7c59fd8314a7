//! Report tests: a golden file for a small incident, and the escaping of hostile text.

use super::*;
use crate::case::{
    Annotation, CaseFile, EventCopy, Kind, Severity, SourceEntry, SourceStatus, Verify,
};
use crate::model::{EventKey, ymd_hms};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/case_report.md");
const SEC: &str = "4f2a9b1c0d3e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff";
const FW: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00";

fn t(d: u32, h: u32, m: u32) -> i64 {
    ymd_hms(2022, 12, d, h, m, 0).unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn ann(
    id: &str,
    ts: i64,
    sha: &str,
    loc: &str,
    host: &str,
    eid: &str,
    msg: &str,
    kind: Kind,
    author: &str,
) -> Annotation {
    let src = if sha == SEC {
        "evtx/Security.evtx"
    } else {
        "fw/pfirewall.log"
    };
    let key = EventKey {
        sha256: sha.into(),
        locator: loc.into(),
        ts,
    };
    let mut a = Annotation::new_at(
        key,
        EventCopy::new(ts, src, host, eid, msg),
        kind,
        author,
        t(5, 9, 0),
    );
    a.id = id.into();
    a
}

/// A small intrusion: password spray, logon, service persistence, lateral movement, exfil,
/// with one hostile event message and one multi-line note.
fn incident() -> CaseFile {
    let mut spray = ann(
        "a1b2c3d4e5f60718",
        t(3, 18, 4),
        SEC,
        "1:4711",
        "DC01",
        "4625",
        "An account failed to log on. TargetUserName: svc_backup",
        Kind::EarlyDetection,
        "alice",
    );
    spray.severity = Some(Severity::Medium);
    spray.note =
        "first of 212 failures from 203.0.113.7 in 3 min\n- spray, not a typo\n1. see fw".into();
    spray.tags = vec!["brute-force".into(), "T1110.003".into()];

    let mut fw = ann(
        "0f0e0d0c0b0a0908",
        t(3, 18, 2),
        FW,
        "@5120",
        "FW01",
        "",
        "ALLOW TCP 203.0.113.7:51122 -> 10.0.0.5:445",
        Kind::Ioc,
        "bob",
    );
    fw.tags = vec!["203.0.113.7".into()];

    let mut svc = ann(
        "7777aaaabbbbcccc",
        t(3, 18, 40),
        SEC,
        "2:4802",
        "DC01",
        "7045",
        "A service was installed: name=|evil| path=C:\\Windows\\x.exe\n<script>alert(1)</script> [click](http://x) \u{1b}[31mred\u{202e}txt.exe",
        Kind::Persistence,
        "alice",
    );
    svc.severity = Some(Severity::Critical);
    svc.note = "PSEXESVC | renamed".into();

    let mut lat = ann(
        "5555666677778888",
        t(4, 2, 15),
        SEC,
        "3:5001",
        "WS07",
        "4624",
        "An account was successfully logged on. LogonType: 3",
        Kind::LateralMovement,
        "bob",
    );
    lat.severity = Some(Severity::High);
    lat.modified = "2022-12-05T11:30:00Z".into();

    let mut early2 = ann(
        "9999000011112222",
        t(4, 2, 10),
        SEC,
        "3:4990",
        "WS07",
        "4648",
        "A logon was attempted using explicit credentials.",
        Kind::EarlyDetection,
        "bob",
    );
    early2.severity = Some(Severity::High);

    let exfil = ann(
        "deadbeefdeadbeef",
        t(4, 22, 16),
        FW,
        "@88211",
        "FW01",
        "",
        "ALLOW TCP 10.0.0.5:50212 -> 198.51.100.9:443 bytes=4812331",
        Kind::Exfiltration,
        "bob",
    );

    CaseFile {
        annotations: vec![exfil, lat, svc, fw, early2, spray],
        sources: vec![
            SourceEntry {
                path: "fw/pfirewall.log".into(),
                sha256: FW.into(),
                bytes: 1_482_113,
                format: "wfw".into(),
                tz: "Europe/Berlin".into(),
                skew: -90_500_000_000,
            },
            SourceEntry {
                path: "evtx/Security.evtx".into(),
                sha256: SEC.into(),
                bytes: 20_975_616,
                format: "evtx".into(),
                tz: "UTC".into(),
                skew: 0,
            },
            SourceEntry {
                path: "evtx/System.evtx".into(),
                sha256: "zz|not-hex".into(),
                ..Default::default()
            },
        ],
        ..CaseFile::default()
    }
}

fn statuses() -> Vec<SourceStatus> {
    vec![
        SourceStatus {
            path: "evtx/Security.evtx".into(),
            status: Verify::Ok,
        },
        SourceStatus {
            path: "fw/pfirewall.log".into(),
            status: Verify::Changed {
                expected: FW.into(),
                found: "ab".repeat(32),
            },
        },
        SourceStatus {
            path: "evtx/System.evtx".into(),
            status: Verify::Missing,
        },
    ]
}

#[test]
fn golden_report() {
    let got = markdown(&incident(), &statuses());
    if std::env::var_os("VIGIL_BLESS").is_some() {
        std::fs::write(GOLDEN, &got).unwrap();
    }
    let want = std::fs::read_to_string(GOLDEN)
        .unwrap_or_else(|e| panic!("{GOLDEN}: {e} (run with VIGIL_BLESS=1 to create it)"));
    assert!(
        got == want,
        "report differs from {GOLDEN} (VIGIL_BLESS=1 to update):\n{got}"
    );
}

#[test]
fn report_structure_follows_the_incident() {
    let md = markdown(&incident(), &statuses());
    // Early-detection points in time order, each with its reason.
    let p1 = md.find("### 1. 2022-12-03 18:04:00.000 — DC01").unwrap();
    let p2 = md.find("### 2. 2022-12-04 02:10:00.000 — WS07").unwrap();
    assert!(p1 < p2);
    assert!(md.contains("first of 212 failures"));
    // Dwell: 2022-12-03 18:04 → 2022-12-04 22:16.
    assert!(md.contains("1 d 4 h 12 min"));
    // Every annotation is one timeline row.
    let tl = md.split("## Timeline of annotated events").nth(1).unwrap();
    let tl = tl.split("\n## ").next().unwrap();
    assert_eq!(tl.lines().filter(|l| l.starts_with("| 2022-")).count(), 6);
    assert!(md.contains("| FW01 | 2022-12-03 18:02:00.000 | 2022-12-04 22:16:00.000 | 2 |"));
    assert!(md.contains("**changed**") && md.contains("**missing**"));
}

#[test]
fn hostile_text_cannot_break_tables_or_inject_markup() {
    let md = markdown(&incident(), &statuses());
    assert!(!md.contains('\u{1b}'), "escape characters must be stripped");
    assert!(
        !md.contains('\u{202e}'),
        "bidi overrides must not pass through raw"
    );
    assert!(md.contains("⟨U+202E⟩"));
    assert!(md.contains("\\<script>"));
    let bytes = md.as_bytes();
    for (i, _) in md.match_indices('<') {
        assert_eq!(
            bytes.get(i.wrapping_sub(1)),
            Some(&b'\\'),
            "unescaped '<' at {i}"
        );
    }
    assert!(!md.contains("[click]("));
    // Every table row keeps its column count whatever the cell text holds.
    for table in md.split("\n\n").filter(|b| b.starts_with('|')) {
        let cols = |l: &str| l.replace("\\|", "").matches('|').count();
        let mut lines = table.lines();
        let head = cols(lines.next().unwrap());
        for l in lines {
            assert_eq!(cols(l), head, "row breaks its table: {l}");
        }
    }
}

#[test]
fn empty_case_renders_placeholders() {
    let md = markdown(&CaseFile::default(), &[]);
    assert!(md.contains("_No early-detection points were marked._"));
    assert!(md.contains("n/a (no early-detection point marked)"));
    assert!(md.contains("_No sources recorded._"));
    assert!(md.starts_with("# Incident timeline report\n"));
}

#[test]
fn durations_and_skews() {
    let s = 1_000_000_000i64;
    assert_eq!(duration(0), "0 s");
    assert_eq!(duration(59 * s), "59 s");
    assert_eq!(duration(60 * s), "1 min");
    assert_eq!(duration(2 * 3600 * s), "2 h 0 min");
    assert_eq!(
        duration((86_400 + 4 * 3600 + 12 * 60 + 7) * s),
        "1 d 4 h 12 min"
    );
    assert_eq!(duration(-5), "0 s");
    assert_eq!(signed(-90_500_000_000), "-1 min 30 s 500 ms");
    assert_eq!(signed(3600 * s), "+1 h");
    assert_eq!(signed(7), "+7 ns");
    assert_eq!(signed(i64::MIN).chars().next(), Some('-'));
}

#[test]
fn clean_escapes_and_truncates() {
    assert_eq!(cell("a|b\r\nc\td", 50), "a\\|b c d");
    assert_eq!(cell("x\u{7}\u{85}y", 50), "xy");
    assert_eq!(cell("abcdef", 3), "abc…");
    assert_eq!(
        cell("**bold** _i_ `c` #h &amp;", 80),
        "\\*\\*bold\\*\\* \\_i\\_ \\`c\\` \\#h \\&amp;"
    );
    assert_eq!(block_line("- item"), "\\- item");
    assert_eq!(block_line("12. item"), "12\\. item");
    assert_eq!(block_line("> quote"), "\\> quote");
    assert_eq!(block_line("plain 1. text"), "plain 1. text");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// Any text in any annotation field keeps every table row at its column count and
        /// lets no control character or raw '<' through.
        #[test]
        fn any_text_keeps_tables_intact(
            host in "\\PC{0,20}|[|\\n\\r\\t<>`\\\\]{0,8}",
            msg in ".{0,60}",
            note in "(?s).{0,60}",
            tag in "\\PC{0,10}",
            author in "\\PC{0,10}",
        ) {
            let mut a = ann("abcdefabcdefabcd", t(3, 1, 0), SEC, "@1", &host, "4688", &msg, Kind::EarlyDetection, &author);
            a.note = note;
            a.tags = vec![tag];
            let f = CaseFile { annotations: vec![a], ..CaseFile::default() };
            let md = markdown(&f, &[]);
            prop_assert!(!md.chars().any(|c| c.is_control() && c != '\n'));
            let bytes = md.as_bytes();
            for (i, _) in md.match_indices('<') {
                prop_assert_eq!(bytes.get(i.wrapping_sub(1)), Some(&b'\\'));
            }
            for table in md.split("\n\n").filter(|b| b.starts_with('|')) {
                let cols = |l: &str| l.replace("\\\\", "").replace("\\|", "").matches('|').count();
                let mut lines = table.lines();
                let head = cols(lines.next().unwrap_or_default());
                for l in lines {
                    prop_assert_eq!(cols(l), head, "{}", l);
                }
            }
        }
    }
}
