//! `srx` in the unstructured (non `structured-data`) syslog form of `RT_FLOW`:
//! `RT_FLOW_SESSION_CREATE: session created 10.0.0.1/51234->8.8.8.8/53 0x0 junos-dns-udp …`.
//! The words are positional and Junos releases differ (connection tags `0x…` and the NAT
//! rule types came with 12.3X48 / 15.1), so the known anchors are found by shape — the two
//! `a/p->b/q` tuples, the numeric protocol — and fields are named as in the structured form
//! (`source-address`, `policy-name`, …), so both forms filter alike. Trailing words whose
//! meaning changes between releases are kept as `extra.N`.

use super::text::{self, find, next_token};
use crate::ingest::Reason;
use crate::model::{Fields, Norm};

/// `RT_FLOW_SESSION_…: session created|closed|denied`.
pub(super) fn is_line(l: &[u8]) -> bool {
    find(l, b"RT_FLOW_SESSION_").is_some() && find(l, b" session ").is_some()
}

/// Source address, source port, destination address, destination port.
type Tuple<'a> = (&'a [u8], &'a [u8], &'a [u8], &'a [u8]);

/// `a/p->b/q` → (a, p, b, q).
fn tuple(t: &[u8]) -> Option<Tuple<'_>> {
    let arrow = find(t, b"->")?;
    let (l, r) = (&t[..arrow], &t[arrow + 2..]);
    let sl = memchr::memrchr(b'/', l)?;
    let sr = memchr::memrchr(b'/', r)?;
    Some((&l[..sl], &l[sl + 1..], &r[..sr], &r[sr + 1..]))
}

fn is_tag(t: &[u8]) -> bool {
    t.starts_with(b"0x")
}

/// `N(M)` → (N, M); `N` → (N, "").
fn paren(t: &[u8]) -> (&[u8], &[u8]) {
    match memchr::memchr(b'(', t) {
        Some(o) => (
            &t[..o],
            t[o + 1..].strip_suffix(b")").unwrap_or(&t[o + 1..]),
        ),
        None => (t, &[]),
    }
}

/// Pushes the next token under `name`; returns false when the words ran out.
fn take<'a>(rest: &mut &'a [u8], out: &mut Fields<'a>, name: &'static str) -> Option<&'a [u8]> {
    let (t, tail) = next_token(rest);
    *rest = tail;
    if t.is_empty() {
        return None;
    }
    out.push_raw(name, text::cow(t));
    Some(t)
}

fn push<'a>(out: &mut Fields<'a>, name: &'static str, v: &'a [u8]) {
    if !v.is_empty() {
        out.push_raw(name, text::cow(v));
    }
}

/// Parses the message from the event word on; the envelope (time, host) is the caller's.
/// Sets event id, action, addresses and every named word.
pub(super) fn parse<'a>(rec: &'a [u8], out: &mut Fields<'a>) -> Result<&'a [u8], Reason> {
    let at = find(rec, b"RT_FLOW_SESSION_").ok_or(Reason::Borrowed("no RT_FLOW event"))?;
    let (ev, mut rest) = next_token(&rec[at..]);
    let ev = ev.strip_suffix(b":").unwrap_or(ev);
    // RFC 5424 puts a `-` (no structured data) between the MSGID and the text.
    let r = text::trim(rest);
    rest = r.strip_prefix(b"- ").unwrap_or(r);
    let body = rest.strip_prefix(b"session ").ok_or(Reason::Borrowed(
        "no 'session' text after the RT_FLOW event",
    ))?;
    let (verb, mut rest) = next_token(body);
    let kind = match verb {
        b"created" => b'c',
        b"closed" => b'x',
        b"denied" => b'd',
        _ => return Err(Reason::Borrowed("unknown RT_FLOW session verb")),
    };
    if kind == b'x' {
        // `session closed TCP FIN: …`: the reason runs to the first ": ".
        let e = find(rest, b": ").ok_or(Reason::Borrowed("close reason not ended by ':'"))?;
        push(out, "reason", text::trim(&rest[..e]));
        rest = &rest[e + 2..];
    }
    let (t, tail) = next_token(rest);
    rest = tail;
    let (sa, sp, da, dp) = tuple(t).ok_or(Reason::Borrowed("no a/p->b/q address tuple"))?;
    for (n, name, v) in [
        (Norm::SrcIp, "source-address", sa),
        (Norm::SrcPort, "source-port", sp),
        (Norm::DstIp, "destination-address", da),
        (Norm::DstPort, "destination-port", dp),
    ] {
        out.set(n, text::req(v, name)?);
        push(out, name, v);
    }
    if is_tag(next_token(rest).0) {
        take(&mut rest, out, "connection-tag");
    }
    take(&mut rest, out, "service-name");
    if kind == b'd' {
        deny_tail(rest, out);
    } else {
        flow_tail(rest, out, kind == b'x');
    }
    Ok(ev)
}

/// After the service name of a create/close: NAT tuple, NAT rules, protocol, policy, zones,
/// session id, then the create- or close-only words.
fn flow_tail<'a>(mut rest: &'a [u8], out: &mut Fields<'a>, close: bool) {
    let (t, tail) = next_token(rest);
    if let Some((a, p, b, q)) = tuple(t) {
        push(out, "nat-source-address", a);
        push(out, "nat-source-port", p);
        push(out, "nat-destination-address", b);
        push(out, "nat-destination-port", q);
        rest = tail;
    }
    if is_tag(next_token(rest).0) {
        take(&mut rest, out, "nat-connection-tag");
    }
    // NAT rule words up to the protocol number: 2 (name, name) or 4 (type, name, type, name).
    let mut rules: [&[u8]; 4] = [&[]; 4];
    let mut n = 0;
    let proto = loop {
        let (t, tail) = next_token(rest);
        rest = tail;
        if t.is_empty() {
            return;
        }
        if text::uint(t).is_some_and(|p| p < 256) {
            break t;
        }
        if let Some(slot) = rules.get_mut(n) {
            *slot = t;
        }
        n += 1;
    };
    let names: &[&'static str] = if n == 4 {
        &[
            "src-nat-rule-type",
            "src-nat-rule-name",
            "dst-nat-rule-type",
            "dst-nat-rule-name",
        ]
    } else {
        &["src-nat-rule-name", "dst-nat-rule-name"]
    };
    for (name, v) in names.iter().zip(rules) {
        push(out, name, v);
    }
    set_proto(out, proto);
    for name in [
        "policy-name",
        "source-zone-name",
        "destination-zone-name",
        "session-id-32",
    ] {
        if take(&mut rest, out, name).is_none() {
            return;
        }
    }
    let order: &[&'static str] = if close {
        &[
            "packets-from-client",
            "packets-from-server",
            "elapsed-time",
            "application",
            "nested-application",
            "username",
            "packet-incoming-interface",
            "encrypted",
        ]
    } else {
        &[
            "username",
            "packet-incoming-interface",
            "application",
            "nested-application",
            "encrypted",
        ]
    };
    named_words(rest, out, order);
}

/// After the service name of a deny: `proto(icmp-type) policy from to app nested user(roles)
/// interface encrypted reason …`.
fn deny_tail<'a>(mut rest: &'a [u8], out: &mut Fields<'a>) {
    let (t, tail) = next_token(rest);
    rest = tail;
    if t.is_empty() {
        return;
    }
    let (p, icmp) = paren(t);
    set_proto(out, p);
    push(out, "icmp-type", icmp);
    named_words(
        rest,
        out,
        &[
            "policy-name",
            "source-zone-name",
            "destination-zone-name",
            "application",
            "nested-application",
            "username",
            "packet-incoming-interface",
            "encrypted",
        ],
    );
}

fn set_proto<'a>(out: &mut Fields<'a>, p: &'a [u8]) {
    push(out, "protocol-id", p);
    if let Ok(s) = std::str::from_utf8(p) {
        out.set(Norm::Proto, text::proto(s));
    }
}

/// Names the next words in `order`, splitting `a(b)` words where the structured form has
/// two fields; the words left over are `extra.N`.
fn named_words<'a>(mut rest: &'a [u8], out: &mut Fields<'a>, order: &[&'static str]) {
    for name in order {
        let (t, tail) = next_token(rest);
        rest = tail;
        if t.is_empty() {
            return;
        }
        match *name {
            "username" => {
                let (u, roles) = paren(t);
                push(out, "username", u);
                push(out, "roles", roles);
                if u != b"N/A" {
                    out.set(Norm::User, text::cow(u));
                }
            }
            "packets-from-client" | "packets-from-server" => {
                let (pk, by) = paren(t);
                push(out, name, pk);
                let bytes = if *name == "packets-from-client" {
                    "bytes-from-client"
                } else {
                    "bytes-from-server"
                };
                push(out, bytes, by);
            }
            _ => push(out, name, t),
        }
    }
    const EXTRA: [&str; 12] = [
        "extra.1", "extra.2", "extra.3", "extra.4", "extra.5", "extra.6", "extra.7", "extra.8",
        "extra.9", "extra.10", "extra.11", "extra.12",
    ];
    for name in EXTRA {
        if take(&mut rest, out, name).is_none() {
            return;
        }
    }
    // Anything beyond stays together, unsplit.
    let r = text::trim(rest);
    push(out, "extra.rest", r);
}
