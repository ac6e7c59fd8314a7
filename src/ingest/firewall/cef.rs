//! `cef`: ArcSight Common Event Format from any vendor
//! (`CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|ext`), raw or behind syslog,
//! also without its `CEF:` prefix once a collector stripped it (Check Point).
//! Time: `rt` (epoch ms or `MMM dd yyyy HH:mm:ss`), else the vendor's own event time
//! (FortiGate `FTNTFGTeventtime`), else `end`/`start`, else the envelope.

use super::kv;
use super::stamp;
use super::syslog::{self, Clock, YearRule};
use super::text::{self, cow, find};
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser};
use crate::model::{Fields, Norm, TzSpec};

pub static DEF: FormatDef = FormatDef::new("cef", Family::Firewall, prepare)
    .with_line(is_line)
    .with_samples(&[
    "CEF:0|Security|threatmanager|1.0|100|worm stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 rt=1700000000123",
    // Check Point's, the `CEF:` prefix stripped by a collector.
    "<134>Jun  2 08:00:00 cp-mgmt 0|Check Point|VPN-1 & FireWall-1|Check Point|Log|Drop|Unknown|act=Drop rt=1717315200000 src=203.0.113.7 dst=192.0.2.9 spt=50000 dpt=23 proto=6",
    // FortiGate's: the time only in its vendor-prefixed keys.
    "CEF:0|Fortinet|Fortigate|v7.4.1|00013|traffic:forward deny|3|deviceExternalId=FG100F FTNTFGTlogid=0000000013 cat=traffic:forward FTNTFGTeventtime=1717315200123456789 FTNTFGTtz=+0200 src=192.0.2.5 spt=40000 dst=198.51.100.9 dpt=443 proto=6 act=deny",
    "Jun  2 08:00:01 fgt-2 CEF: 0|Fortinet|Fortigate|v7.2.4|0100032002|event:system login failed|7|FortinetFortiGatelogid=0100032002 FortinetFortiGateeventtime=1717315201 duser=admin src=198.51.100.7 act=login",
    ]);

pub(super) fn is_line(l: &[u8]) -> bool {
    header_at(l).is_some()
}

/// Where the 7-field header (`0|Vendor|…|Severity|`) starts: after `CEF:`, or at the start
/// of the message when a collector stripped the prefix (then it must look the part: a
/// version, a vendor, a short severity and `key=value` after).
fn header_at(l: &[u8]) -> Option<usize> {
    let pipes = |t: &[u8]| t.iter().filter(|&&c| c == b'|').count() >= 7;
    if let Some(i) = find(l, b"CEF:") {
        let t = &l[i + 4..];
        let at = i + 4 + t.iter().take_while(|&&c| c == b' ').count();
        let t = &l[at..];
        return (t.first().is_some_and(u8::is_ascii_digit) && pipes(t)).then_some(at);
    }
    let body = syslog::parse(l).map_or(l, |h| h.msg);
    let at = l.len() - body.len();
    let mut f = body.splitn(8, |&c| c == b'|');
    let version = f.next()?;
    let head: Vec<&[u8]> = f.by_ref().take(6).collect();
    let ext = f.next()?;
    let bare = matches!(version, b"0" | b"1")
        && head.len() == 6
        && !head[0].is_empty()
        && head[5].len() <= 16
        && !head.iter().any(|h| h.contains(&b'='))
        && memchr::memchr(b'=', ext).is_some();
    bare.then_some(at)
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    let clock = Clock::new(data, ctx);
    Ok(clock.lines(Cef { clock }))
}

struct Cef {
    clock: Clock,
}

const HEADER: [&str; 7] = [
    "cef_version",
    "device_vendor",
    "device_product",
    "device_version",
    "signature_id",
    "name",
    "cef_severity",
];

/// Next unescaped `|` in `b`.
fn pipe(b: &[u8]) -> Option<usize> {
    unescaped(b, 0, b'|')
}

fn is_key(k: &[u8]) -> bool {
    !k.is_empty()
        && k.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'[' | b']'))
}

/// Next `=` at or after `from` that is not escaped.
fn unescaped_eq(b: &[u8], from: usize) -> Option<usize> {
    unescaped(b, from, b'=')
}

/// Next `c` at or after `from` that no backslash escapes.
fn unescaped(b: &[u8], from: usize, c: u8) -> Option<usize> {
    let mut i = from;
    while let Some(&x) = b.get(i) {
        match x {
            b'\\' => i += 2,
            _ if x == c => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Extension pairs: a value runs until the space before the next `key=`.
fn extension<'a>(e: &'a [u8], mut f: impl FnMut(&'a [u8], &'a [u8])) {
    let mut key_start = 0;
    let Some(mut eq) = unescaped_eq(e, 0) else {
        return;
    };
    loop {
        let key = text::trim(&e[key_start..eq]);
        let vstart = eq + 1;
        // Find the next "<space>key=" after this value.
        let mut search = vstart;
        let next = loop {
            match unescaped_eq(e, search) {
                Some(n) => {
                    let sp = e[vstart..n].iter().rposition(|&c| c == b' ');
                    match sp {
                        Some(s) if is_key(&e[vstart + s + 1..n]) => break Some((vstart + s, n)),
                        _ => search = n + 1,
                    }
                }
                None => break None,
            }
        };
        match next {
            Some((sp, n)) => {
                if is_key(key) {
                    f(key, text::trim(&e[vstart..sp]));
                }
                key_start = sp + 1;
                eq = n;
            }
            None => {
                if is_key(key) {
                    f(key, text::trim(&e[vstart..]));
                }
                return;
            }
        }
    }
}

/// `rt`-style times: epoch ms/s, `MMM dd [yyyy] HH:mm:ss[.SSS] [zone]` (the spec's forms;
/// no year → the syslog year rule), or ISO.
fn cef_time(v: &[u8], tz: &TzSpec, years: &YearRule) -> Option<i64> {
    if let Some(t) = stamp::epoch_auto(v) {
        return Some(t);
    }
    if let Some((c, off, _)) = stamp::iso(v) {
        return c.resolve(off, tz);
    }
    let (mut c, n) = stamp::bsd(v)?;
    if c.y == 0 {
        c.y = years.year_of(c.mo);
    }
    let rest = text::trim(&v[n..]);
    let rest = rest
        .strip_prefix(b"GMT")
        .filter(|r| !r.is_empty())
        .unwrap_or(rest);
    c.resolve(stamp::zone_name(rest), tz)
}

impl RecordParser for Cef {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        let at = header_at(rec).ok_or(Reason::Borrowed("no CEF header"))?;
        let env = syslog::parse(&rec[..at]);
        let mut rest = &rec[at..];
        let mut head: [&[u8]; 7] = [&[]; 7];
        for h in head.iter_mut() {
            let p = pipe(rest).ok_or(Reason::Borrowed("CEF header has fewer than 7 fields"))?;
            *h = &rest[..p];
            rest = &rest[p + 1..];
        }
        let lean = out.is_lean();
        for (k, v) in HEADER.iter().zip(head).filter(|_| !lean) {
            out.push_raw(*k, kv::unescape(cow(v)));
        }
        out.set(Norm::EventId, cow(head[4]));
        out.set(Norm::Severity, cow(head[6]));
        let (mut rt, mut end, mut start, mut vendor) = (None, None, None, None);
        extension(rest, |k, v| {
            match k {
                b"src" | b"c6a2" if out.get(Norm::SrcIp).is_none() => out.set(Norm::SrcIp, cow(v)),
                b"dst" | b"c6a3" if out.get(Norm::DstIp).is_none() => out.set(Norm::DstIp, cow(v)),
                b"spt" => out.set(Norm::SrcPort, cow(v)),
                b"dpt" => out.set(Norm::DstPort, cow(v)),
                b"proto" => text::set_proto(out, v),
                b"act" => text::set_action(out, v),
                b"suser" => out.set(Norm::User, kv::unescape(cow(v))),
                b"duser" => out.set_default(Norm::User, kv::unescape(cow(v))),
                b"dvchost" => out.set(Norm::Host, cow(v)),
                b"dvc" => out.set_default(Norm::Host, cow(v)),
                b"sproc" | b"dproc" => out.set_default(Norm::Process, kv::unescape(cow(v))),
                b"spid" | b"dpid" => out.set_default(Norm::Pid, cow(v)),
                b"fname" | b"filePath" => out.set_default(Norm::File, kv::unescape(cow(v))),
                b"fileHash" => out.set(Norm::Hash, cow(v)),
                // Full ArcSight names appear beside the short ones.
                b"rt" | b"deviceReceiptTime" => rt = Some(v),
                b"end" | b"endTime" => end = Some(v),
                b"start" | b"startTime" => start = Some(v),
                // FortiOS CEF carries its own fields under a vendor prefix.
                b"FTNTFGTeventtime" | b"FortinetFortiGateeventtime" => vendor = Some(v),
                _ => {}
            }
            if !out.is_lean()
                && let Ok(k) = std::str::from_utf8(k)
            {
                out.push_raw(k, kv::unescape(cow(v)));
            }
        });
        labelled(out);
        if let Some(h) = env
            && out.get(Norm::Host).is_none()
        {
            out.set(Norm::Host, cow(h.host));
        }
        let ts = [rt, vendor, end, start]
            .into_iter()
            .flatten()
            .find_map(|v| cef_time(v, &self.clock.tz, &self.clock.years))
            .or_else(|| env.and_then(|h| self.clock.of(&h)));
        out.ts = ts.ok_or(syslog::NO_TIME)?;
        text::finish(out, message);
        Ok(())
    }
}

/// `cs1Label=Rule cs1=allow` → also `Rule=allow`, so vendor custom fields (cs1..cs6, cn1..,
/// cfp1.., c6a1.., flexString1..) are found by what they mean.
fn labelled(out: &mut Fields<'_>) {
    let mut add = Vec::new();
    for (k, label) in &out.raw {
        let Some(base) = k.strip_suffix("Label") else {
            continue;
        };
        if label.is_empty() || base.is_empty() {
            continue;
        }
        if let Some((_, v)) = out.raw.iter().find(|(k2, _)| k2 == base) {
            add.push((label.clone(), v.clone()));
        }
    }
    for (k, v) in add {
        out.push_raw(k, v);
    }
}

/// `deny tcp a:1 -> b:2 (Vendor Product: Name)`.
pub fn message(f: &Fields<'_>) -> String {
    let note = format!(
        "{} {}: {}",
        f.raw("device_vendor").unwrap_or(""),
        f.raw("device_product").unwrap_or(""),
        f.raw("name").unwrap_or("")
    );
    super::flow_message(f, Some(&note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::firewall::tests::{ParseOne, in_year};
    use crate::model::ymd_hms;

    fn parse(l: &[u8]) -> Result<Fields<'_>, Reason> {
        prepare(b"", &in_year(2024)).unwrap().parser.parse_one(l)
    }

    #[test]
    fn extension_values_with_spaces_and_escapes() {
        let l = br"Sep 19 08:26:10 host CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 dpt=80 proto=TCP act=blocked msg=Detected a threat. No action needed a\=b request=http://x/?a=b rt=1700000000123 suser=bob smith";
        let f = parse(l).unwrap();
        assert_eq!(
            f.raw("msg"),
            Some("Detected a threat. No action needed a=b")
        );
        assert_eq!(f.raw("request"), Some("http://x/?a=b"));
        assert_eq!(f.get(Norm::User), Some("bob smith"));
        assert_eq!(f.get(Norm::Action), Some("deny"));
        assert_eq!(f.get(Norm::Proto), Some("tcp"));
        assert_eq!(f.get(Norm::EventId), Some("100"));
        assert_eq!(f.get(Norm::Host), Some("host"));
        assert_eq!(f.ts, 1_700_000_000_123_000_000);
        assert_eq!(
            f.get(Norm::Message),
            Some(
                "deny tcp 10.0.0.1:1232 -> 2.1.2.2:80 user bob smith (Security threatmanager: worm successfully stopped)"
            )
        );
    }

    #[test]
    fn header_pipes_and_time_forms() {
        let l = br"CEF:0|Ven\|dor|P|1|sig|N|5|rt=Jan 02 2024 03:04:05 UTC dvchost=fw9";
        let f = parse(l).unwrap();
        assert_eq!(f.raw("device_vendor"), Some("Ven|dor"));
        assert_eq!(f.ts, ymd_hms(2024, 1, 2, 3, 4, 5).unwrap());
        assert_eq!(f.get(Norm::Host), Some("fw9"));
        assert!(parse(b"CEF:0|a|b|c").is_err());
        assert!(parse(b"CEF:0|a|b|c|d|e|f|src=1.1.1.1").is_err());
        let f = parse(b"<13>Jan  2 03:04:05 h CEF:0|a|b|c|d|e|f|").unwrap();
        assert_eq!(f.ts, ymd_hms(2024, 1, 2, 3, 4, 5).unwrap());
    }

    /// The CEF spec's other `rt` forms: no year, a zone name, `GMT+hh:mm`, full key names.
    #[test]
    fn rt_without_year_and_zone_names() {
        let t = |l: &[u8]| parse(l).unwrap().ts;
        let base = ymd_hms(2024, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            t(b"CEF:0|a|b|c|d|e|f|rt=Jan 02 03:04:05.250 UTC"),
            base + 250_000_000
        );
        assert_eq!(t(b"CEF:0|a|b|c|d|e|f|rt=Jan 02 2024 04:04:05 CET"), base);
        assert_eq!(
            t(b"CEF:0|a|b|c|d|e|f|end=Jan 02 2024 04:04:05 GMT+01:00"),
            base
        );
        assert_eq!(
            t(b"CEF:0|a|b|c|d|e|f|deviceReceiptTime=Jan 02 2024 03:04:05 GMT"),
            base
        );
    }
}
