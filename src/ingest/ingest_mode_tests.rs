//! Ingest parses lines with `Fields::ingest()`, and parsers may then skip whatever cannot
//! change the time, host, tag or validity of a record (FortiGate stops after `tz`, netfilter
//! only looks for `SRC=`). These tests hold ingest to the full parse: the same events, with
//! the same time, host and tag, and the same rejects, on every firewall sample and on lines
//! made to trip a shortcut (keys repeated late, keys inside quoted values, bad UTF-8 past
//! the cut, a `SRC=` only in a quoted packet).

use super::{Family, ParseCtx, Records, SourceReport, format_by_id, text, text_formats};
use crate::model::{Fields, Norm};

/// What ingest keeps of each line: `Ok((ts, host, tag))` or `Err(())` for a reject.
type Kept = Result<(i64, String, String), ()>;

/// Each line of `data` through ingest (`text::load`) and through a full parse.
fn both(id: &str, data: &[u8]) -> (Vec<Kept>, Vec<Kept>) {
    let d = format_by_id(id).unwrap_or_else(|| panic!("format {id}"));
    let ctx = ParseCtx {
        mtime_year: 2024,
        ..ParseCtx::default()
    };
    let p = (d.prepare)(data, &ctx).unwrap_or_else(|e| panic!("{id}: {e}"));
    let mut report = SourceReport::default();
    let batch = text::load(&p, data, 1, &mut report, &|_, _| {});
    let mut ingest: Vec<(u64, Kept)> = batch
        .events
        .iter()
        .map(|e| {
            let host = batch.strings.text(e.host).into_owned();
            let tag = batch.strings.text(e.tag).into_owned();
            (e.loc, Ok((e.ts, host, tag)))
        })
        .collect();
    ingest.extend(report.reasons.iter().map(|r| (r.offset, Err(()))));
    ingest.sort_by_key(|(off, _)| *off);
    // The records ingest reads: lines from `start` but blank and comment lines, or ranges.
    let records: Vec<&[u8]> = match &p.records {
        Records::Lines { start, comment } => data[*start..]
            .split(|&c| c == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| {
                !l.iter().all(u8::is_ascii_whitespace) && !comment.iter().any(|c| l.starts_with(c))
            })
            .collect(),
        Records::Ranges(r) => r
            .iter()
            .map(|&(off, len)| &data[off as usize..off as usize + len as usize])
            .collect(),
    };
    let mut full = Vec::new();
    for line in records {
        let mut f = Fields::new();
        full.push(match p.parser.parse(line, &mut f) {
            Ok(()) => {
                let host = f.get(Norm::Host).unwrap_or("").to_owned();
                let tag = f.get(Norm::EventId).or(f.get(Norm::Action));
                Ok((f.ts, host, tag.unwrap_or("").to_owned()))
            }
            Err(_) => Err(()),
        });
    }
    (ingest.into_iter().map(|(_, k)| k).collect(), full)
}

#[test]
fn ingest_keeps_what_a_full_parse_reads_on_every_firewall_sample() {
    for d in text_formats()
        .iter()
        .filter(|d| d.family == Family::Firewall)
    {
        for (k, s) in d.samples.iter().enumerate() {
            let (ingest, full) = both(d.id, s.as_bytes());
            assert_eq!(ingest, full, "{} sample {k}", d.id);
        }
    }
}

const FG: &str = r#"<189>date=2026-03-13 time=05:07:25 devname="FG-A" devid="FG100F" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" eventtime=1773378445006476948 tz="+0100" srcip=10.0.0.1 srcport=3333 dstip=10.0.0.2 dstport=80 proto=6 action="accept""#;

#[test]
fn fortigate_ingest_reads_keys_that_come_again_after_tz() {
    let lines = [
        // As is: the cut after `tz`.
        FG.to_owned(),
        // Each key ingest reads, again after the cut: the later one wins, as in full.
        format!("{FG} devname=\"FG-LATER\""),
        format!("{FG} logid=\"0100032001\""),
        format!("{FG} date=2026-03-14"),
        format!("{FG} time=06:00:00"),
        format!("{FG} eventtime=1773378999000000000"),
        format!("{FG} tz=\"-0500\""),
        FG.replace("devname=\"FG-A\" ", "") + " devid=\"FG-ID\"",
        // A key's text inside a quoted value: not a key, the line read in full.
        format!("{FG} msg=\"user set date=2020-01-01 time=00:00:00 logid=1\""),
        // Text that is not ASCII past the cut.
        FG.replace("srcip=10.0.0.1", "srcip=10.0.\u{FFFD}1"),
        // No `logid` value before `tz`: the tag is the action.
        FG.replace("logid=\"0000000013\"", "logid=\"\""),
        FG.replace("logid=\"0000000013\"", "logid=\"-\""),
        // `tz` before `logid` (some versions), and no `tz` at all.
        FG.replace(" tz=\"+0100\"", "")
            .replace("devid=", "tz=\"+0200\" devid="),
        FG.replace(" tz=\"+0100\"", ""),
        // The comma form.
        FG.replace("<189>", "").replace(' ', ","),
    ];
    let mut data = lines.join("\n").into_bytes();
    // Invalid UTF-8 bytes past the cut: in a required field, then in a free one.
    for (field, bad) in [
        ("srcip=", &b"10.0.\xff.1"[..]),
        ("level=", &b"\"n\xffte\""[..]),
    ] {
        let at = FG.find(field).expect("field") + field.len();
        let end = at + FG[at..].find(' ').expect("value end");
        data.push(b'\n');
        data.extend_from_slice(&FG.as_bytes()[..at]);
        data.extend_from_slice(bad);
        data.extend_from_slice(&FG.as_bytes()[end..]);
    }
    let (ingest, full) = both("fortigate", &data);
    assert_eq!(ingest, full);
    assert_eq!(full.len(), lines.len() + 2);
    assert_eq!(full.iter().filter(|k| k.is_err()).count(), 1, "{full:?}");
    // The shortcuts were on the way: later keys won, an empty id left the action.
    let tags: Vec<(&str, &str)> = full
        .iter()
        .flatten()
        .map(|(_, h, t)| (h.as_str(), t.as_str()))
        .collect();
    assert!(tags.contains(&("FG-LATER", "0000000013")), "{tags:?}");
    assert!(tags.contains(&("FG-A", "0100032001")), "{tags:?}");
    assert!(tags.contains(&("FG-ID", "0000000013")), "{tags:?}");
    assert!(tags.contains(&("FG-A", "allow")), "{tags:?}");
}

const NF: &str = "2026-03-13T06:07:25.006476+01:00 fw-dmz kernel: [1422445.006476] [UFW BLOCK] IN=vlan30 OUT=vlan10 MAC=13:2c:de:d6:23:7b SRC=10.20.1.19 DST=25.187.29.233 LEN=492 PROTO=TCP SPT=10477 DPT=8080 URGP=0";

#[test]
fn netfilter_ingest_finds_the_outer_src_as_a_full_parse_does() {
    let lines = [
        NF.to_owned(),
        // The only `SRC=` inside an ICMP error's quoted packet: rejected.
        NF.replace("SRC=10.20.1.19 ", "") + " [SRC=1.2.3.4 DST=5.6.7.8 PROTO=UDP]",
        NF.replace("SRC=10.20.1.19 ", "") + " [DST=5.6.7.8 SRC=1.2.3.4 PROTO=UDP]",
        // A quoted packet after the outer `SRC=`.
        NF.to_owned() + " [SRC=1.2.3.4 DST=5.6.7.8 PROTO=UDP]",
        // `SRC=` after a tab; glued to another token (not a key); missing.
        NF.replace(" SRC=", "\tSRC="),
        NF.replace(" SRC=", " XSRC="),
        NF.replace("SRC=10.20.1.19 ", ""),
        // The body starting with `SRC=`, and prefixes naming an action or none.
        NF.replace("IN=vlan30 OUT=vlan10 MAC=13:2c:de:d6:23:7b ", ""),
        NF.replace("[UFW BLOCK] ", "[UFW ALLOW] "),
        NF.replace("[UFW BLOCK] ", ""),
    ];
    let mut data = lines.join("\n").into_bytes();
    // Bad UTF-8 in a value a full parse requires as text.
    let at = NF.find("29.233").expect("DST value");
    data.push(b'\n');
    data.extend_from_slice(&NF.as_bytes()[..at]);
    data.push(0xff);
    data.extend_from_slice(&NF.as_bytes()[at + 2..]);
    let (ingest, full) = both("netfilter", &data);
    assert_eq!(ingest, full);
    assert_eq!(full.len(), lines.len() + 1);
    let rejected: Vec<usize> = (0..full.len()).filter(|&i| full[i].is_err()).collect();
    assert_eq!(rejected, [1, 2, 5, 6, 10], "{full:?}");
}
