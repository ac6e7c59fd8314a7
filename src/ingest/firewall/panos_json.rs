//! `panos` in JSON: HTTP log forwarding payloads (PAN-OS field names: `time_generated`,
//! `src`, `sport`, `from`, `serial`), Cortex Data Lake / Strata Logging Service records
//! (`TimeGenerated`, `SourceAddress`, `LogType`, `FromZone`, `DeviceName`), and syslog
//! whose message is such an object. NDJSON, arrays and single documents.
//!
//! Field names are matched case-insensitively with `_` ignored, so `time_generated`,
//! `TimeGenerated` and `timegenerated` are one name; every field is kept under its own
//! name. Times: `time_generated` (naive → the envelope's offset, else ctx.tz; ISO with a
//! zone or an epoch number as written), else `receive_time`, else the envelope.

use super::panos::TYPES;
use super::stamp;
use super::syslog::Header;
use super::text;
use crate::ingest::Reason;
use crate::ingest::edr::json;
use crate::model::{Fields, Norm, TzSpec};
use std::borrow::Cow;

/// Where a JSON field goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Time,
    Received,
    Src,
    Dst,
    Sport,
    Dport,
    Proto,
    Action,
    User,
    Host,
    Serial,
    Severity,
    ThreatId,
    Other,
}

/// `name` lowercased without `_` into `buf`; `None` when too long to be a known name.
fn canon<'b>(name: &str, buf: &'b mut [u8; 24]) -> Option<&'b [u8]> {
    let mut n = 0;
    for c in name.bytes().filter(|&c| c != b'_') {
        *buf.get_mut(n)? = c.to_ascii_lowercase();
        n += 1;
    }
    buf.get(..n)
}

fn slot(name: &str) -> Slot {
    // Cortex Data Lake nests some values: `"source_ip": {"value": "10.0.0.1"}`.
    let name = name.strip_suffix(".value").unwrap_or(name);
    let mut buf = [0u8; 24];
    let Some(c) = canon(name, &mut buf) else {
        return Slot::Other;
    };
    match c {
        b"timegenerated" | b"generatedtime" => Slot::Time,
        b"receivetime" | b"timereceived" | b"logtime" => Slot::Received,
        b"src" | b"sourceaddress" | b"sourceip" | b"srcip" => Slot::Src,
        b"dst" | b"destinationaddress" | b"destip" | b"dstip" | b"destinationip" => Slot::Dst,
        b"sport" | b"sourceport" | b"srcport" => Slot::Sport,
        b"dport" | b"destinationport" | b"destport" | b"dstport" => Slot::Dport,
        b"proto" | b"protocol" | b"ipprotocol" => Slot::Proto,
        b"action" => Slot::Action,
        b"srcuser" | b"sourceuser" | b"sourceusername" => Slot::User,
        b"devicename" | b"devname" | b"logsourcename" => Slot::Host,
        b"serial" | b"devicesn" | b"serialnumber" | b"logsourceid" => Slot::Serial,
        b"severity" => Slot::Severity,
        b"threatid" => Slot::ThreatId,
        _ => Slot::Other,
    }
}

/// The quoted string value of `"key"` in `b` (first occurrence, `: "` spacing allowed).
fn str_value<'a>(b: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(i) = text::find(b.get(from..)?, key) {
        let at = from + i + key.len();
        from = at;
        let rest = b.get(at..)?;
        let rest = rest
            .trim_ascii_start()
            .strip_prefix(b":")?
            .trim_ascii_start();
        if let Some(v) = rest.strip_prefix(b"\"") {
            let e = memchr::memchr(b'"', v)?;
            return v.get(..e);
        }
    }
    None
}

fn any_key(b: &[u8], keys: &[&[u8]]) -> bool {
    keys.iter().any(|k| text::find(b, k).is_some())
}

/// Whether a JSON text (one record, or the head of an array) looks like PAN-OS: a log type
/// (one PAN-OS writes under `type`, any under the Strata Logging Service / Cortex Data
/// Lake names), a generation or receive time, and a key only PAN-OS records carry.
pub(super) fn looks_like(b: &[u8]) -> bool {
    let typed = any_key(b, &[b"\"LogType\"", b"\"log_type\""])
        || [&b"\"type\""[..], b"\"Type\""]
            .iter()
            .filter_map(|k| str_value(b, k))
            .any(|v| TYPES.iter().any(|t| t.eq_ignore_ascii_case(v)));
    let timed = any_key(
        b,
        &[
            b"\"time_generated\"",
            b"\"TimeGenerated\"",
            b"\"receive_time\"",
            b"\"TimeReceived\"",
            b"\"ReceiveTime\"",
        ],
    );
    let panos = any_key(
        b,
        &[
            b"\"serial\"",
            b"\"DeviceSN\"",
            b"\"log_source_id\"",
            b"\"sessionid\"",
            b"\"SessionID\"",
            b"\"from\"",
            b"\"FromZone\"",
            b"\"from_zone\"",
            b"\"LogSetting\"",
            b"\"device_name\"",
        ],
    );
    typed && timed && panos
}

/// One NDJSON line (bare or behind a syslog envelope).
fn is_json_line(l: &[u8]) -> bool {
    let (_, p) = super::panos::payload(l);
    p.first() == Some(&b'{') && looks_like(p)
}

/// Sniff score of a JSON head: per line for NDJSON and syslog JSON, else the whole head
/// for arrays and pretty-printed documents.
pub(super) fn sniff(head: &[u8]) -> u8 {
    let lines = crate::ingest::sniffing::by_lines(head, is_json_line);
    if lines > 0 {
        return lines;
    }
    if json::opens_json(head) && looks_like(head) {
        85
    } else {
        0
    }
}

/// Parses one JSON record (`obj` borrows the record); `env` is the syslog envelope if any.
pub(super) fn parse<'a>(
    obj: &'a [u8],
    env: Option<Header<'a>>,
    tz: &TzSpec,
    out: &mut Fields<'a>,
) -> Result<(), Reason> {
    let mut pairs = json::Pairs::new();
    json::flatten(obj, &mut pairs)?;
    let env_off = env.and_then(|h| h.offset);
    let (mut t, mut recv, mut serial) = (None, None, None);
    for (k, v) in pairs {
        match slot(&k) {
            Slot::Time if t.is_none() => {
                t = Some(
                    stamp::epoch_or_iso(&v, env_off, tz)
                        .ok_or(Reason::Borrowed("bad time_generated"))?,
                )
            }
            Slot::Received if recv.is_none() => recv = stamp::epoch_or_iso(&v, env_off, tz),
            Slot::Src => out.set_default(Norm::SrcIp, v.clone()),
            Slot::Dst => out.set_default(Norm::DstIp, v.clone()),
            Slot::Sport => out.set_default(Norm::SrcPort, v.clone()),
            Slot::Dport => out.set_default(Norm::DstPort, v.clone()),
            Slot::Proto => out.set_default(Norm::Proto, Cow::Owned(text::proto(&v).into_owned())),
            Slot::Action => {
                out.set_default(Norm::Action, Cow::Owned(text::action(&v).into_owned()))
            }
            Slot::User => out.set_default(Norm::User, v.clone()),
            Slot::Host => out.set_default(Norm::Host, v.clone()),
            Slot::Serial if serial.is_none() => serial = Some(v.clone()),
            Slot::Severity => out.set_default(Norm::Severity, v.clone()),
            Slot::ThreatId => {
                // "Name(40015)" → 40015
                let id = v
                    .rfind('(')
                    .and_then(|o| v.get(o + 1..))
                    .and_then(|s| s.strip_suffix(')'))
                    .map(str::to_owned);
                out.set_default(Norm::EventId, id.map_or(v.clone(), Cow::Owned));
            }
            _ => {}
        }
        out.push_raw(k, v);
    }
    out.ts = t
        .or(recv)
        // An RFC 3164 envelope has no year (civil year 0): not usable as the only time.
        .or_else(|| {
            env.and_then(|h| h.civil)
                .and_then(|c| c.resolve(env_off, tz))
        })
        .ok_or(Reason::Borrowed("no time_generated"))?;
    if let Some(s) = serial {
        out.set_default(Norm::Host, s);
    }
    if let Some(h) = env.filter(|h| !h.host.is_empty()) {
        out.set_default(Norm::Host, text::cow(h.host));
    }
    text::firewall(out);
    let m = super::panos::message(out);
    out.set(Norm::Message, m);
    Ok(())
}
