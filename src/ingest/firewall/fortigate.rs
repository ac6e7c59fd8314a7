//! `fortigate`: FortiGate / FortiOS `key=value` logs (traffic, utm, event), raw or behind a
//! syslog envelope. Time: the `date=`+`time=` the line shows (with `tz=`, else the source
//! zone), refined by `eventtime=` (epoch s/ms/µs/ns) when that falls in the same second;
//! `eventtime` alone when there is no date.

use super::kv::{self, Kv};
use super::stamp;
use super::syslog;
use super::text::{self, Utf8Line, find};
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser};
use crate::model::{Fields, Norm, TzSpec, swar};
use aho_corasick::packed;
use std::sync::LazyLock;

pub static DEF: FormatDef = FormatDef::new("fortigate", Family::Firewall, prepare)
    .with_line(is_line)
    .with_samples(&[
    "<189>date=2020-04-23 time=01:16:08 devname=\"t\" logid=\"0000000013\" type=\"traffic\" eventtime=1592961368 srcip=10.10.10.10 srcport=60899 dstip=175.16.199.1 proto=17 action=\"deny\"",
    // The comma-separated form some collectors and FortiAnalyzer exports write.
    "date=2024-05-01,time=10:11:12,devname=\"fgt-1\",devid=\"FG100F\",logid=\"0000000013\",type=\"traffic\",subtype=\"forward\",level=\"notice\",srcip=192.0.2.1,srcport=5353,dstip=198.51.100.2,dstport=443,proto=6,action=\"deny\",policyid=7",
    // Only `time=` and `eventtime=` (ns) with `tz=`: the epoch dates the line.
    "time=10:11:13 devname=\"fgt-1\" logid=\"0100032001\" type=\"event\" subtype=\"system\" eventtime=1714558273123456789 tz=\"+0200\" logdesc=\"Admin login successful\" user=\"admin\" action=\"login\" status=\"success\"",
    ]);

/// FortiOS lines carry `logid=` (`log_id=` before 5.0), `type=` and a `date=`/`eventtime=`
/// time or the device's name (a line without a date is still FortiOS: `no timestamp`).
pub(super) fn is_line(l: &[u8]) -> bool {
    let has = |k: &[u8]| {
        find(l, k).is_some_and(|i| i == 0 || matches!(l[i - 1], b' ' | b'\t' | b'>' | b':' | b','))
    };
    (has(b"logid=") || has(b"log_id="))
        && has(b"type=")
        && (has(b"date=") || has(b"eventtime=") || has(b"devname=") || has(b"devid="))
}

fn prepare(_data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    Ok(Prepared::lines(Fortigate { tz: ctx.tz }))
}

pub(super) struct Fortigate {
    pub(super) tz: TzSpec,
}

impl RecordParser for Fortigate {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        let line = Utf8Line::new(rec);
        // The payload starts at the first key FortiOS always writes first.
        let mut h = syslog::Header::default();
        let env = syslog::parse_into(rec, &mut h).then_some(&h);
        let body = env.map_or(rec, |h| h.msg);
        // Most lines open with `date=`: skip building two substring searchers for them.
        let starts = body.starts_with(b"date=") || body.starts_with(b"logid=");
        let body = if starts {
            body
        } else {
            // The first of the keys FortiOS writes first (some lines have no `date=`).
            let keys: [&[u8]; 4] = [b"date=", b"devname=", b"logid=", b"log_id="];
            match keys.iter().filter_map(|k| find(body, k)).min() {
                Some(a) => &body[a..],
                None => return Err(Reason::Borrowed("no date= or logid= (not FortiOS)")),
            }
        };
        let (mut date, mut time, mut tz, mut epoch) = (None, None, None, None);
        let mut host_set = false;
        // The comma form (`date=…,time=…,logid=…`): a comma ends the first bare value.
        let first = body.iter().position(|&c| matches!(c, b' ' | b'\t' | b','));
        let mut pairs = match first.map(|i| body[i]) {
            Some(b',') => Kv::commas(body, b'='),
            _ => Kv::new(body, b'='),
        };
        // Ingest reads only the time, host and tag, from keys FortiOS writes up to `tz`
        // (after `logid`, or before it in some versions): once both are read, a valid
        // line's other pairs cannot change those unless one of the keys comes again, which
        // one search of the rest tells. Lines without `tz` are read in full.
        let mut cut = out.is_ingest() && line.is_text();
        let (mut id, mut zone) = (false, false);
        let pairs = std::iter::from_fn(|| {
            let (k, v) = pairs.next()?;
            if cut {
                match k {
                    b"logid" | b"log_id" => id = !v.is_empty() && v != b"-",
                    b"tz" => zone = true,
                    _ => {}
                }
                if id && zone {
                    cut = false;
                    if !names_ingest_key(pairs.rest()) {
                        pairs = Kv::new(&[], b'=');
                    }
                }
            }
            Some((k, v))
        });
        kv::read(pairs, &line, out, |k, v, out| {
            match k {
                b"date" => date = Some(v),
                b"time" => time = Some(v),
                b"tz" => tz = Some(v),
                b"eventtime" => epoch = stamp::epoch_auto(v),
                b"devname" => {
                    out.set(Norm::Host, line.cow(v));
                    host_set = true;
                }
                b"devid" | b"device_id" if !host_set => out.set(Norm::Host, line.cow(v)),
                b"logid" | b"log_id" => out.set(Norm::EventId, line.cow(v)),
                b"level" | b"pri" => out.set(Norm::Severity, line.cow(v)),
                // FortiOS 3/4 spell the flow `src=`, `dst=`, `src_port=`, `status=`.
                b"srcip" | b"src" => out.set(Norm::SrcIp, line.req(v, "srcip")?),
                b"remip" => out.set_default(Norm::SrcIp, line.req(v, "remip")?),
                b"dstip" | b"dst" => out.set(Norm::DstIp, line.req(v, "dstip")?),
                b"srcport" | b"src_port" => out.set(Norm::SrcPort, line.req(v, "srcport")?),
                b"dstport" | b"dst_port" => out.set(Norm::DstPort, line.req(v, "dstport")?),
                b"status" if !v.is_empty() => {
                    out.set_default(Norm::Action, text::action(line.req(v, "status")?))
                }
                b"proto" => out.set(Norm::Proto, text::proto(line.req(v, "proto")?)),
                b"action" => out.set(Norm::Action, text::action(line.req(v, "action")?)),
                b"user" | b"srcuser" | b"unauthuser" if v != b"N/A" => {
                    out.set_default(Norm::User, kv::unescape(line.cow(v)))
                }
                _ => {}
            }
            Ok(())
        })?;
        if let Some(h) = env
            && !host_set
            && out.get(Norm::Host).is_none()
        {
            out.set(Norm::Host, line.cow(h.host));
        }
        // `date=`/`time=` is the time the line shows (and what a reader checks it by);
        // `eventtime` adds the fraction when it is in that second. They often differ by a
        // second, and by months in some real exports: then the shown time wins.
        let shown = date_time(date, time, tz, &self.tz);
        const SEC: i64 = 1_000_000_000;
        out.ts = match (epoch, shown) {
            (Some(e), Some(d)) if e.div_euclid(SEC) != d.div_euclid(SEC) => d,
            (Some(e), _) => e,
            (None, Some(d)) => d,
            // A relay's dated envelope (with a year) around a line without a date.
            (None, None) => env
                .and_then(|h| h.civil.filter(|_| !h.no_year).zip(Some(h.offset)))
                .and_then(|(c, off)| c.resolve(off, &self.tz))
                .ok_or(syslog::NO_TIME)?,
        };
        text::finish(out, message);
        Ok(())
    }
}

/// Whether `rest` may hold another pair whose key ingest reads: one of those keys is
/// there (inside a quoted value too: then the line is just read in full). One SIMD pass
/// for all of them (Teddy; `time=` also finds `eventtime=`), else a word-at-a-time scan.
fn names_ingest_key(rest: &[u8]) -> bool {
    static KEYS: LazyLock<Option<packed::Searcher>> = LazyLock::new(|| {
        let keys = ["date=", "time=", "tz=", "devname=", "devid=", "device_id=", "logid=", "log_id="];
        packed::Config::new().builder().extend(keys).build()
    });
    match &*KEYS {
        Some(k) => k.find(rest).is_some(),
        None => names_ingest_key_swar(rest),
    }
}

/// [`names_ingest_key`] without SIMD: the `=`s found eight bytes at a time, each checked by
/// the byte before it.
fn names_ingest_key_swar(rest: &[u8]) -> bool {
    let key_before = |i: usize| {
        let k = &rest[..i];
        match k.last() {
            Some(b'e') => k.ends_with(b"date") || k.ends_with(b"time") || k.ends_with(b"devname"),
            Some(b'z') => k.ends_with(b"tz"),
            Some(b'd') => {
                k.ends_with(b"devid")
                    || k.ends_with(b"device_id")
                    || k.ends_with(b"logid")
                    || k.ends_with(b"log_id")
            }
            _ => false,
        }
    };
    let mut words = rest.chunks_exact(8);
    let mut last = 0u64;
    for (n, w) in words.by_ref().enumerate() {
        let w = u64::from_le_bytes(w.try_into().unwrap_or_default());
        // Each byte's predecessor (the last word's top byte first): only an `=` after `e`,
        // `z` or `d` can end one of the keys.
        let before = (w << 8) | (last >> 56);
        last = w;
        let ends = swar::bytes_eq(before, b'e') | swar::bytes_eq(before, b'z');
        let mut m = swar::bytes_eq(w, b'=') & (ends | swar::bytes_eq(before, b'd'));
        while m != 0 {
            if key_before(n * 8 + m.trailing_zeros() as usize / 8) {
                return true;
            }
            m &= m - 1;
        }
    }
    let tail = rest.len() - words.remainder().len();
    (tail..rest.len()).any(|i| rest[i] == b'=' && key_before(i))
}

fn date_time(
    date: Option<&[u8]>,
    time: Option<&[u8]>,
    tz: Option<&[u8]>,
    zone: &TzSpec,
) -> Option<i64> {
    let c = stamp::date_and_time(date?, time?)?;
    let off = tz.and_then(|z| stamp::zone(z).0);
    c.resolve(off, zone)
}

/// Flow events: `deny udp 10.10.10.10:60899 -> 175.16.199.1:161 (policy 0)`; others lead
/// with their description.
pub fn message(f: &Fields<'_>) -> String {
    if f.get(Norm::DstIp).is_some() {
        let note = f.raw("policyid").map(|p| format!("policy {p}"));
        super::flow_message(f, note.as_deref())
    } else {
        super::flow_message(f, f.raw("logdesc").or(f.raw("msg")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::firewall::tests::ParseOne;
    use crate::model::ymd_hms;

    fn parse(l: &[u8]) -> Result<Fields<'_>, Reason> {
        Fortigate { tz: TzSpec::Utc }.parse_one(l)
    }

    #[test]
    fn date_time_with_tz_when_no_eventtime() {
        let f = parse(br#"date=2024-01-02 time=03:04:05 tz="+0100" logid="0000000013" type="traffic" srcip=fe80::1 dstip=2001:db8::5 srcport=1 dstport=443 proto=6 action="accept" policyid=7"#).unwrap();
        assert_eq!(f.ts, ymd_hms(2024, 1, 2, 2, 4, 5).unwrap());
        assert_eq!(f.get(Norm::Action), Some("allow"));
        assert_eq!(f.raw("action"), Some("accept"));
        assert_eq!(
            f.get(Norm::Message),
            Some("allow tcp [fe80::1]:1 -> [2001:db8::5]:443 (policy 7)")
        );
    }

    /// The shown second wins; `eventtime` only refines it within that second.
    #[test]
    fn shown_time_refined_by_eventtime_in_the_same_second() {
        let line = |ev: &str| {
            format!(
                r#"date=2024-10-14 time=13:46:41 tz="-0700" logid="0100039426" type="event" eventtime={ev} srcip=1.2.3.4"#
            )
        };
        let at = ymd_hms(2024, 10, 14, 20, 46, 41).unwrap();
        let f = parse(line("1728938801250000000").as_bytes()).unwrap().ts;
        assert_eq!(f, at + 250_000_000);
        // A second later (common in real FortiOS 7 logs): the shown time.
        let f = parse(line("1728938802127358411").as_bytes()).unwrap().ts;
        assert_eq!(f, at);
        // Eventtime alone still dates the line.
        let mut only = Fields::new();
        let l = br#"logid="0100039426" type="event" eventtime=1728938802 srcip=1.2.3.4"#;
        Fortigate { tz: TzSpec::Utc }.parse(l, &mut only).unwrap();
        assert_eq!(only.ts, at + 1_000_000_000);
    }

    /// FortiOS 3/4 traffic (Wazuh ruleset tests): `log_id=`, `src=`, `status=`.
    #[test]
    fn fortios4_keys() {
        let l = br#"Feb 20 12:26:25 date=2011-02-20 time=12:26:24 devname=Device_Name device_id=FGXXXX0000000001 log_id=9999999999 type=traffic subtype=other pri=notice status=deny vd="root" src=10.10.10.10 srcname=10.10.10.10 src_port=1111 dst=10.20.30.40 dstname=10.20.30.40 dst_port=2222 service=65535/tcp proto=6"#;
        assert!(is_line(l));
        let f = parse(l).unwrap();
        assert_eq!(f.ts, ymd_hms(2011, 2, 20, 12, 26, 24).unwrap());
        assert_eq!(
            f.get(Norm::Message),
            Some("deny tcp 10.10.10.10:1111 -> 10.20.30.40:2222")
        );
    }

    #[test]
    fn syslog_wrapped_and_damaged() {
        let f = parse(br#"Jan  2 03:04:05 fgt1 date=2024-01-02 time=03:04:05 logid="0100032001" type="event" subtype="system" msg="User admin \"x\" logged in""#).unwrap();
        assert_eq!(f.get(Norm::Host), Some("fgt1"));
        assert_eq!(f.raw("msg"), Some(r#"User admin "x" logged in"#));
        assert!(parse(b"hello world").is_err());
        assert!(parse(br#"date=2024-01-02 time=03:04 logid="1""#).is_err());
        assert!(parse(b"date=2024-01-02 time=03:04:05 logid=1 srcip=\xff").is_err());
        // Empty values and a truncated quote are fine.
        let f = parse(br#"date=2024-01-02 time=03:04:05 logid= user="" msg="cut"#).unwrap();
        assert_eq!(f.get(Norm::EventId), None);
        assert_eq!(f.raw("msg"), Some("cut"));
    }

    #[test]
    fn comma_form_and_damage() {
        let f = parse(br#"date=2024-05-01,time=10:11:12,tz="+0200",devname="fgt-1",logid="0000000013",type="traffic",srcip=192.0.2.1,srcport=5353,dstip=198.51.100.2,dstport=443,proto=6,action="deny",msg="a, b""#).unwrap();
        assert_eq!(f.ts, ymd_hms(2024, 5, 1, 8, 11, 12).unwrap());
        assert_eq!(f.get(Norm::Host), Some("fgt-1"));
        assert_eq!(f.get(Norm::SrcIp), Some("192.0.2.1"));
        assert_eq!(f.get(Norm::DstPort), Some("443"));
        assert_eq!(f.raw("msg"), Some("a, b"));
        assert!(is_line(br#"date=2024-05-01,time=10:11:12,logid="0000000013",type="traffic""#));
        // Cut before its time, or with a time that is no time: rejected, not misdated.
        assert!(parse(br#"date=2024-05-01,logid="0000000013",type="traffic""#).is_err());
        assert!(parse(br#"date=2024-05-01,time=25:61,logid="1",type="traffic""#).is_err());
    }

    #[test]
    fn eventtime_and_tz_without_date() {
        let f = parse(br#"time=10:11:13 logid="0100032001" type="event" eventtime=1714558273123456789 tz="+0200" user="admin""#).unwrap();
        assert_eq!(f.ts, ymd_hms(2024, 5, 1, 10, 11, 13).unwrap() + 123_456_789);
        let f = parse(br#"logid="0100032001" type="event" eventtime=1714558273 tz="+0200""#).unwrap();
        assert_eq!(f.ts, ymd_hms(2024, 5, 1, 10, 11, 13).unwrap());
        assert!(parse(br#"time=10:11:13 logid="1" type="event" tz="+0200""#).is_err());
    }

    /// The word-at-a-time scan (used where the SIMD searcher cannot be built) answers as
    /// the SIMD search does, for every key and near miss at every offset in a word.
    #[test]
    fn the_key_scan_without_simd_agrees_with_the_simd_one() {
        let keys = [
            "date=", "time=", "eventtime=", "tz=", "devname=", "devid=", "device_id=",
            "logid=", "log_id=",
        ];
        let misses = [
            "dat=", "tim=", "t z=", "devnam=", "logi=", "type=", "sessionid=", "vd=",
            "policyid=", "date", "tz",
        ];
        for (word, found) in keys.iter().map(|k| (k, true)).chain(misses.iter().map(|m| (m, false))) {
            for pad in 0..17 {
                let line = format!("{}{word} a=\"b c\"", "x".repeat(pad));
                let b = line.as_bytes();
                assert_eq!(names_ingest_key_swar(b), found, "{line:?}");
                assert_eq!(names_ingest_key(b), found, "{line:?}");
            }
        }
    }
}
