//! `netfilter` in systemd journal JSON exports (`journalctl -o json`, one object a line, or
//! `-o json-pretty`, objects spread over lines): the kernel LOG line is in `MESSAGE`, the
//! time in `__REALTIME_TIMESTAMP` (µs since the epoch, UTC), the host in `_HOSTNAME`.
//! Every other journal field is kept under its own name.

use super::netfilter;
use super::text;
use crate::ingest::edr::json;
use crate::ingest::{Reason, Records};
use crate::model::{Fields, Norm};
use std::borrow::Cow;

/// One `journalctl -o json` line holding a kernel LOG message.
fn is_json_line(l: &[u8]) -> bool {
    l.first() == Some(&b'{') && looks_like(l)
}

fn looks_like(b: &[u8]) -> bool {
    let has = |n: &[u8]| text::find(b, n).is_some();
    has(b"\"__REALTIME_TIMESTAMP\"") && has(b"\"MESSAGE\"") && has(b" SRC=") && has(b" DST=")
}

/// Per line for `-o json`, else the whole head for `-o json-pretty`.
pub(super) fn sniff(head: &[u8]) -> u8 {
    let lines = crate::ingest::sniffing::by_lines(head, is_json_line);
    if lines > 0 {
        return lines;
    }
    match head.get(json::skip_ws(head, 0)) {
        Some(b'{') if looks_like(head) => 85,
        _ => 0,
    }
}

/// Records of a journal JSON export: lines when the first object fits on its line,
/// else the ranges of the concatenated objects. `None` when `data` is not JSON.
pub(super) fn records(data: &[u8]) -> Option<(Records, Option<String>)> {
    let p = json::skip_ws(data, 0);
    if data.get(p) != Some(&b'{') {
        return None;
    }
    let first_end = json::value_end(data, p);
    let line_end = memchr::memchr(b'\n', &data[p..]).map_or(data.len(), |e| p + e);
    if first_end.is_some_and(|e| e <= line_end) {
        let lines = Records::Lines {
            start: 0,
            comment: &[],
        };
        return Some((lines, Some("journal JSON lines".into())));
    }
    let mut v = Vec::new();
    let mut q = p;
    while q < data.len() {
        let end = json::value_end(data, q).unwrap_or(data.len());
        if end <= q {
            break;
        }
        let len = u32::try_from(end - q).unwrap_or(u32::MAX);
        v.push((q as u64, len));
        q = json::skip_ws(data, end);
    }
    Some((Records::Ranges(v), Some("journal JSON (pretty)".into())))
}

/// `MESSAGE` as journalctl writes non-UTF-8 text: an array of byte values, which the
/// flattener joined as `"73, 78, …"`.
fn byte_array(v: &str) -> Option<Vec<u8>> {
    if !v.contains(", ") {
        return None;
    }
    v.split(", ").map(|n| n.parse::<u8>().ok()).collect()
}

/// Copies the fields parsed from an owned message into `out`.
fn merge<'a>(tmp: Fields<'_>, out: &mut Fields<'a>) {
    for (n, v) in tmp.norm_iter() {
        out.set(n, Cow::<'a, str>::Owned(v.to_owned()));
    }
    for (k, v) in tmp.raw {
        out.push_raw(Cow::Owned(k.into_owned()), Cow::Owned(v.into_owned()));
    }
}

pub(super) fn parse<'a>(rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
    let mut pairs = json::Pairs::new();
    json::flatten(rec, &mut pairs)?;
    let mut msg = None;
    let mut ts = None;
    let mut rest = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        match &*k {
            "MESSAGE" => msg = Some(v),
            "__REALTIME_TIMESTAMP" => {
                ts = text::uint(v.as_bytes())
                    .and_then(|us| i64::try_from(us).ok())
                    .and_then(|us| us.checked_mul(1000));
                rest.push((k, v));
            }
            _ => rest.push((k, v)),
        }
    }
    let msg = msg.ok_or(Reason::Borrowed("journal record without MESSAGE"))?;
    out.ts = ts.ok_or(Reason::Borrowed("bad or missing __REALTIME_TIMESTAMP"))?;
    match msg {
        Cow::Borrowed(m) => {
            netfilter::parse_msg(&super::text::Utf8Line::new(m.as_bytes()), m.as_bytes(), out)?
        }
        Cow::Owned(m) => {
            let bytes = byte_array(&m);
            let body = bytes.as_deref().unwrap_or(m.as_bytes());
            let mut tmp = Fields::new();
            netfilter::parse_msg(&super::text::Utf8Line::new(body), body, &mut tmp)?;
            merge(tmp, out);
        }
    }
    for (k, v) in rest {
        if k == "_HOSTNAME" {
            out.set(Norm::Host, v.clone());
        } else if k == "SYSLOG_IDENTIFIER" {
            out.push_raw("syslog_tag", v.clone());
        }
        out.push_raw(k, v);
    }
    Ok(())
}
