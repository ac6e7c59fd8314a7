//! `checkpoint`: the Log Exporter layouts besides syslog structured data (CEF is `cef`'s):
//! the Splunk layout `time=1700000000|hostname=gw|product=VPN-1 & FireWall-1|action=Accept|…`
//! (unquoted values, `|` between pairs) and LEEF
//! (`LEEF:2.0|Check Point|VPN-1 & FireWall-1|1.0|Accept|<delim>|k=v<delim>k=v…`, or 1.0
//! with tabs). Both may sit behind a syslog envelope. Time: `time` / `devTime` (epoch, ISO,
//! `MMM dd yyyy HH:mm:ss`, or the old `3May2024 10:00:00`), else the envelope.

use super::kv;
use super::stamp::{self, Civil};
use super::syslog::{self, Clock, Header};
use super::text::{self, cow, find};
use crate::ingest::Reason;
use crate::model::{Fields, Norm, TzSpec};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    Leef,
    Pipes,
}

fn is_key(k: &[u8]) -> bool {
    !k.is_empty()
        && k.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'/' | b':' | b'.'))
}

/// The layout of a message body, if it is one of these.
pub(super) fn kind(msg: &[u8]) -> Option<Kind> {
    if msg.starts_with(b"LEEF:") {
        return Some(Kind::Leef);
    }
    // `key=value|key=value`: the first pair is unquoted and a second key follows the `|`.
    let bar = memchr::memchr(b'|', msg)?;
    let first = &msg[..bar];
    let eq = memchr::memchr(b'=', first)?;
    let next = &msg[bar + 1..];
    let eq2 = memchr::memchr(b'=', next)?;
    (is_key(&first[..eq]) && !first.contains(&b'"') && is_key(&next[..eq2])).then_some(Kind::Pipes)
}

/// A Check Point line in one of these layouts (for sniffing): LEEF naming Check Point, or
/// the `|` layout with Check Point's `product` and `loguid`/`origin` keys (OPSEC LEA exports
/// say `orig` and `i/f_dir`).
pub(super) fn is_line(l: &[u8]) -> bool {
    // Check Point's log uid `{0x65ee1a35,0x0,…}` in any key/value layout.
    if [&b"loguid={0x"[..], b"loguid=\"{0x", b"loguid:\"{0x"]
        .iter()
        .any(|m| find(l, m).is_some())
    {
        return true;
    }
    if let Some(i) = find(l, b"LEEF:") {
        return find(&l[i..], b"|Check Point|").is_some();
    }
    let Some(i) = find(l, b"product=") else {
        return false;
    };
    let body_at = l[..i]
        .iter()
        .rposition(|&c| c == b' ' || c == b'>')
        .map_or(0, |p| p + 1);
    // A time with a space (`time=3May2024 10:00:00|…`) starts the body before that space.
    let whole = super::syslog::parse(l).map_or(l, |h| h.msg);
    (kind(&l[body_at..]) == Some(Kind::Pipes) || kind(whole) == Some(Kind::Pipes))
        && [&b"|loguid="[..], b"|origin=", b"|orig=", b"|i/f_dir="]
            .iter()
            .any(|m| find(l, m).is_some())
}

/// `3May2024 10:00:00` / `03May2024 10:00:00` (fw log, OPSEC exports).
fn dmy(v: &[u8]) -> Option<Civil> {
    let dd = v.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&dd) {
        return None;
    }
    let d = text::uint(&v[..dd])? as u32;
    let mo = stamp::month(v.get(dd..)?)?;
    let y = text::uint(v.get(dd + 3..dd + 7)?)? as i32;
    // Reuse the BSD reader for the clock: "Jan 01 HH:MM:SS".
    let rest = v.get(dd + 7..)?.strip_prefix(b" ")?;
    let mut probe = *b"Jan 01 00:00:00";
    probe[7..].copy_from_slice(rest.get(..8)?);
    let (c, _) = stamp::bsd(&probe)?;
    Some(Civil {
        y,
        mo,
        d,
        ns: 0,
        ..c
    })
}

/// A Check Point time value in any of its forms.
fn time_of(v: &[u8], tz: &TzSpec) -> Option<i64> {
    let v = text::trim(v);
    if let Some(t) = stamp::epoch_auto(v) {
        return Some(t);
    }
    if let Some((c, off, _)) = stamp::iso(v) {
        return c.resolve(off, tz);
    }
    if let Some((c, n)) = stamp::bsd(v).filter(|(c, _)| c.y != 0) {
        let rest = text::trim(&v[n..]);
        let off = match rest {
            b"UTC" | b"GMT" => Some(0),
            _ => stamp::zone(rest).0,
        };
        return c.resolve(off, tz);
    }
    dmy(v)?.in_tz(tz)
}

/// LEEF 2.0 delimiter field: one character, or its hex code (`x09`, `0x7C`); empty → tab.
fn leef_delim(f: &[u8]) -> Option<u8> {
    match f {
        [] => Some(b'\t'),
        [c] => Some(*c),
        _ => {
            let h = f
                .strip_prefix(b"0x")
                .or_else(|| f.strip_prefix(b"x"))
                .or_else(|| f.strip_prefix(b"0X"))
                .or_else(|| f.strip_prefix(b"X"))?;
            let s = std::str::from_utf8(h).ok()?;
            u8::from_str_radix(s, 16).ok().filter(u8::is_ascii)
        }
    }
}

/// Splits the LEEF header; returns the attribute text and its delimiter.
fn leef<'a>(msg: &'a [u8], out: &mut Fields<'a>) -> Result<(&'a [u8], u8), Reason> {
    let mut rest = msg;
    let mut head: [&[u8]; 5] = [&[]; 5];
    for h in head.iter_mut() {
        let p = memchr::memchr(b'|', rest).ok_or(Reason::Borrowed("LEEF header cut short"))?;
        *h = &rest[..p];
        rest = &rest[p + 1..];
    }
    let names = [
        "leef_version",
        "device_vendor",
        "device_product",
        "device_version",
    ];
    for (k, v) in names.iter().zip(head) {
        out.push_raw(*k, cow(v));
    }
    out.push_raw("event_id", cow(head[4]));
    out.set(Norm::EventId, cow(head[4]));
    out.set(Norm::Provider, cow(head[2]));
    let mut delim = b'\t';
    if head[0].starts_with(b"LEEF:2") {
        // 2.0 names its delimiter in a sixth field — unless the sender left it out.
        if let Some(p) = memchr::memchr(b'|', rest)
            && p <= 4
            && !rest[..p].contains(&b'=')
        {
            delim = leef_delim(&rest[..p]).ok_or(Reason::Borrowed("bad LEEF delimiter"))?;
            rest = &rest[p + 1..];
        }
    }
    Ok((rest, delim))
}

/// Parses a LEEF or `|` layout message; `env` is the syslog envelope if any.
pub(super) fn parse<'a>(
    kind: Kind,
    msg: &'a [u8],
    env: Option<Header<'a>>,
    clock: &Clock,
    out: &mut Fields<'a>,
) -> Result<(), Reason> {
    let (body, delim) = match kind {
        Kind::Leef => leef(msg, out)?,
        Kind::Pipes => (msg, b'|'),
    };
    let mut t = None;
    let mut n = 0;
    for pair in body.split(|&c| c == delim) {
        let Some(eq) = memchr::memchr(b'=', pair) else {
            continue;
        };
        let (k, v) = (text::trim(&pair[..eq]), text::trim(&pair[eq + 1..]));
        if k.is_empty() {
            continue;
        }
        n += 1;
        match k {
            _ if super::checkpoint::flow_field(k, v, out) => {}
            b"time" | b"devTime" => t = time_of(v, &clock.tz),
            b"hostname" | b"origin_sic_name" => out.set_default(Norm::Host, cow(v)),
            b"product" => out.set(Norm::Provider, cow(v)),
            b"severity" | b"sev" => out.set_default(Norm::Severity, cow(v)),
            _ => {}
        }
        if let Ok(k) = std::str::from_utf8(k) {
            out.push_raw(k, kv::unescape(cow(v)));
        }
    }
    if n == 0 {
        return Err(Reason::Borrowed("no Check Point fields"));
    }
    if kind == Kind::Leef
        && out.get(Norm::Action).is_none()
        && let Some(a) = out.get(Norm::EventId).map(str::to_owned)
    {
        out.set(Norm::Action, text::action(&a).into_owned());
    }
    out.ts = t
        .or_else(|| env.and_then(|h| clock.of(&h)))
        .ok_or(syslog::NO_TIME)?;
    if let Some(h) = env.filter(|h| !h.host.is_empty()) {
        out.set_default(Norm::Host, cow(h.host));
    }
    if out.get(Norm::Host).is_none()
        && let Some(o) = out.raw("origin").map(str::to_owned)
    {
        out.set(Norm::Host, o);
    }
    text::firewall(out);
    let m = super::checkpoint::message(out);
    out.set(Norm::Message, m);
    Ok(())
}
