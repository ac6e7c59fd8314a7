//! `asa`: Cisco ASA / FTD / PIX syslog (`%ASA-6-302013: …`). The message id becomes
//! `event_id`; flows are read from the message text for the common ids (connections,
//! translations, ACL denies, AAA, VPN, threat detection) and other ids keep their text.
//! Firepower events (`%FTD-…-4300nn`, `%NGIPS-…`) are `Key: value` lists; without a
//! syslog time they are dated by their `FirstPacketSecond`.
//!
//! Direction: "Built outbound … for A to B" means B (inside) opened the connection, so B
//! is the source; everywhere else the first endpoint ("for", "from", "src", "faddr") is the
//! source, as the device wrote it (teardowns do not say who opened the connection).

use super::syslog::{self, Clock};
use super::text::{self, cow, find};
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser};
use crate::model::{Fields, Norm, TzSpec};
use std::borrow::Cow;

pub static DEF: FormatDef = FormatDef::new("asa", Family::Firewall, prepare)
    .with_line(is_line)
    .with_samples(&[
    "Oct 10 2018 12:34:56 localhost CiscoASA[999]: %ASA-6-302013: Built outbound TCP connection 11757 for outside:100.66.205.104/80 (100.66.205.104/80) to inside:172.31.98.44/1772 (172.31.98.44/1772)",
    // A Firepower connection event without its syslog header: dated by its first packet.
    "%NGIPS-1-430002: EventPriority: Low, DeviceUUID: 0f1e2d3c-0000-1111-2222-333344445555, InstanceID: 1, FirstPacketSecond: 2024-06-02T08:00:00Z, ConnectionID: 9, AccessControlRuleAction: Block, SrcIP: 203.0.113.4, DstIP: 192.0.2.8, SrcPort: 40001, DstPort: 445, Protocol: tcp, AccessControlRuleName: block-smb",
    "2024-06-02T08:00:05Z ftd-1 %FTD-1-430003: EventPriority: Low, FirstPacketSecond: 2024-06-02T07:59:35Z, AccessControlRuleAction: Allow, SrcIP: 192.0.2.8, DstIP: 198.51.100.3, SrcPort: 50000, DstPort: 443, Protocol: tcp, User: CORP\\erin, ConnectionDuration: 30",
    ]);

/// Where `%ASA-n-NNNNNN:` (or FTD / PIX / FWSM) starts.
fn tag_at(l: &[u8]) -> Option<usize> {
    let i = memchr::memmem::find_iter(l, b"-")
        .take(16)
        .find_map(|dash| {
            let start = l[..dash].iter().rposition(|&c| c == b'%')?;
            matches!(
                &l[start + 1..dash],
                b"ASA" | b"FTD" | b"PIX" | b"FWSM" | b"NGIPS"
            )
            .then_some(start)
        })?;
    let t = &l[i..];
    let lv = level_at(t)?;
    let rest = &t[lv..];
    let ok = rest.first().is_some_and(u8::is_ascii_digit)
        && rest.get(1) == Some(&b'-')
        && rest
            .get(2..8)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    ok.then_some(i)
}

/// Index of the severity digit in a tag (`%ASA-6-…` → 5). ASA 9.x may put a message class
/// in between when `logging class` is set: `%ASA-session-3-106102`.
fn level_at(tag: &[u8]) -> Option<usize> {
    let d = memchr::memchr(b'-', tag)? + 1;
    let class = tag
        .get(d..)?
        .iter()
        .take(12)
        .take_while(|c| c.is_ascii_lowercase())
        .count();
    if class > 0 && tag.get(d + class) == Some(&b'-') {
        Some(d + class + 1)
    } else {
        Some(d)
    }
}

pub(super) fn is_line(l: &[u8]) -> bool {
    tag_at(l).is_some()
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    let p = Asa::new(data, ctx);
    let clock = p.clock;
    Ok(clock.lines(p))
}

pub(super) struct Asa {
    clock: Clock,
}

impl Asa {
    pub(super) fn new(data: &[u8], ctx: &ParseCtx) -> Self {
        Asa {
            clock: Clock::new(data, ctx),
        }
    }
}

/// `iface:addr/port`, `addr/port`, `iface:addr`, `iface/addr(port)` → (iface, addr, port).
fn endpoint(t: &[u8]) -> (&[u8], &[u8], &[u8]) {
    let mut t = t.strip_suffix(b",").unwrap_or(t);
    // 106100 form: inside/10.0.0.1(1234), maybe followed by `(LOCAL\user)`.
    if let (Some(slash), Some(open)) = (memchr::memchr(b'/', t), memchr::memchr(b'(', t))
        && slash < open
        && t.ends_with(b")")
    {
        if looks_ip(&t[slash + 1..open]) {
            let close = memchr::memchr(b')', &t[open..]).map_or(t.len() - 1, |c| open + c);
            return (&t[..slash], &t[slash + 1..open], &t[open + 1..close]);
        }
        // `if:addr/port(LOCAL\user)` or `…/port(host.name)`: the name is not the endpoint.
        t = &t[..open];
    }
    let (addr_if, port): (&[u8], &[u8]) = match memchr::memrchr(b'/', t) {
        Some(s) => (&t[..s], &t[s + 1..]),
        None => (t, &[]),
    };
    // An interface name before the first ':' unless it looks like an IPv6 group.
    match memchr::memchr(b':', addr_if) {
        Some(c) if !addr_if[..c].iter().all(u8::is_ascii_hexdigit) || c > 4 => {
            (&addr_if[..c], &addr_if[c + 1..], port)
        }
        _ => (&[], addr_if, port),
    }
}

fn looks_ip(a: &[u8]) -> bool {
    !a.is_empty()
        && a.iter()
            .all(|c| c.is_ascii_hexdigit() || *c == b'.' || *c == b':')
        && (a.contains(&b'.') || a.contains(&b':'))
}

const PROTOS: &[&str] = &[
    "tcp", "udp", "icmp", "icmp6", "gre", "esp", "ah", "ip", "sctp",
];

/// `(action, note)` per message id: the normalised action and the words of the summary.
fn id_action(id: &[u8], text: &[u8]) -> Option<&'static str> {
    Some(match id {
        b"106001" | b"106006" | b"106007" | b"106014" | b"106015" | b"106021" | b"106023"
        | b"710003" | b"106016" | b"106017" | b"106103" => "deny",
        // 106102: the per-user (downloadable) ACL form of 106100.
        b"106100" | b"106102" => {
            if find(text, b" permitted ").is_some() || find(text, b" est-allowed ").is_some() {
                "allow"
            } else {
                "deny"
            }
        }
        b"302013" | b"302015" | b"302017" | b"302020" | b"302303" => "allow",
        b"302014" | b"302016" | b"302018" | b"302021" | b"302304" => "close",
        b"305011" => "nat",
        b"305012" => "close",
        b"113004" | b"113008" | b"113012" | b"611101" | b"605005" => "success",
        b"113005" | b"113015" | b"611102" | b"605004" => "failure",
        b"113039" => "start",
        b"733100" => "alert",
        b"710002" | b"710005" => "allow",
        _ => return None,
    })
}

impl RecordParser for Asa {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        let at = tag_at(rec).ok_or(Reason::Borrowed("no %ASA-n-NNNNNN tag"))?;
        let mut h = syslog::Header::default();
        if let Err(e) = syslog::dated(&rec[..at], &self.clock, out, &mut h) {
            // A Firepower event whose header a collector stripped: its first packet's time.
            out.ts = first_packet(&rec[at..], &self.clock.tz).ok_or(e)?;
            h = syslog::Header::default();
        }
        // `Mmm dd HH:MM:SS dev01: %ASA-…`: the name before the colon is the device.
        out.set(
            Norm::Host,
            cow(if h.host.is_empty() { h.app } else { h.host }),
        );
        let tag = &rec[at + 1..];
        let dash = memchr::memchr(b'-', tag).unwrap_or(0);
        push(out, "vendor", &tag[..dash]);
        let lv = level_at(tag).ok_or(Reason::Borrowed("no %ASA-n-NNNNNN tag"))?;
        if lv > dash + 2 {
            push(out, "class", &tag[dash + 1..lv - 1]);
        }
        let level = tag.get(lv..lv + 1).unwrap_or_default();
        let id = tag.get(lv + 2..lv + 8).unwrap_or_default();
        out.set(Norm::Severity, cow(level));
        out.set(Norm::EventId, cow(id));
        let text = tag.get(lv + 8..).unwrap_or_default();
        let text = text::trim(text.strip_prefix(b":").unwrap_or(text));
        push(out, "text", text);
        if let Some(a) = id_action(id, text) {
            out.set(Norm::Action, a);
        } else if text.starts_with(b"Deny ") || text.starts_with(b"Denied ") {
            out.set(Norm::Action, "deny");
        }
        if id.starts_with(b"4300") {
            ftd_event(text, out);
        } else {
            flow(text, id, out);
        }
        text::finish(out, message);
        Ok(())
    }
}

fn push<'a>(out: &mut Fields<'a>, k: &'static str, v: &'a [u8]) {
    if !v.is_empty() && !out.is_lean() {
        out.push_raw(k, cow(v));
    }
}

fn set_ep<'a>(out: &mut Fields<'a>, src: bool, t: &'a [u8]) {
    let (iface, addr, port) = endpoint(t);
    if !looks_ip(addr) {
        return;
    }
    let (ni, np, ki) = if src {
        (Norm::SrcIp, Norm::SrcPort, "src_interface")
    } else {
        (Norm::DstIp, Norm::DstPort, "dst_interface")
    };
    out.set(ni, cow(addr));
    if port.iter().all(u8::is_ascii_digit) {
        out.set(np, cow(port));
    }
    push(out, ki, iface);
}

/// FTD Firepower events (430001–430005: intrusion, connection, file, malware) are
/// `Key: Value, Key: Value, …`; every pair is kept, the flow keys are normalised.
fn ftd_event<'a>(text: &'a [u8], out: &mut Fields<'a>) {
    for part in text.split(|&c| c == b',') {
        let part = text::trim(part);
        let Some(colon) = find(part, b": ") else {
            continue;
        };
        let (k, v) = (&part[..colon], text::trim(&part[colon + 2..]));
        let key_like = !k.is_empty()
            && k.iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b' ');
        if !key_like || v.is_empty() {
            continue;
        }
        match k {
            b"SrcIP" => out.set(Norm::SrcIp, cow(v)),
            b"DstIP" => out.set(Norm::DstIp, cow(v)),
            b"SrcPort" => out.set(Norm::SrcPort, cow(v)),
            b"DstPort" => out.set(Norm::DstPort, cow(v)),
            b"Protocol" => {
                if let Ok(p) = std::str::from_utf8(v) {
                    out.set(Norm::Proto, text::proto(p));
                }
            }
            // "Block with reset", "Interactive Block" are blocks too.
            b"AccessControlRuleAction" if find(v, b"Block").is_some() => {
                out.set(Norm::Action, text::action("block"))
            }
            b"AccessControlRuleAction" => {
                if let Ok(a) = std::str::from_utf8(v) {
                    out.set(Norm::Action, text::action(a));
                }
            }
            b"User" if v != b"No Authentication Required" && v != b"Not Found" => {
                out.set(Norm::User, cow(v))
            }
            _ => {}
        }
        if let Ok(k) = std::str::from_utf8(k)
            && !out.is_lean()
        {
            out.push_raw(k, cow(v));
        }
    }
}

/// `FirstPacketSecond: 2021-04-30T11:31:19Z` of a Firepower event, as UTC ns.
fn first_packet(text: &[u8], tz: &TzSpec) -> Option<i64> {
    let key = b"FirstPacketSecond: ";
    let v = &text[find(text, key)? + key.len()..];
    let (c, off, _) = super::stamp::iso(v)?;
    c.resolve(off, tz)
}

/// What a Firepower event id is.
fn ftd_kind(id: &str) -> Option<&'static str> {
    Some(match id {
        "430001" => "intrusion",
        "430002" => "connection start",
        "430003" => "connection end",
        "430004" => "file",
        "430005" => "file malware",
        _ => return None,
    })
}

/// Reads endpoints, protocol, user and the id-specific details from the message words.
fn flow<'a>(text: &'a [u8], id: &[u8], out: &mut Fields<'a>) {
    let outbound_built = text.starts_with(b"Built outbound");
    let toks = text
        .split(|&c| c == b' ')
        .filter(|t| !t.is_empty())
        .peekable();
    let mut prev: &[u8] = &[];
    let mut arrow_src: Option<&'a [u8]> = None;
    for t in toks {
        let lower_eq = |w: &str| t.eq_ignore_ascii_case(w.as_bytes());
        if out.get(Norm::Proto).is_none()
            && PROTOS.iter().any(|p| lower_eq(p))
            && let Ok(p) = std::str::from_utf8(t)
        {
            out.set(Norm::Proto, text::proto(p));
        }
        let first_slot = if outbound_built {
            Norm::DstIp
        } else {
            Norm::SrcIp
        };
        let second_slot = if outbound_built {
            Norm::SrcIp
        } else {
            Norm::DstIp
        };
        match prev {
            b"for" | b"from" | b"src" | b"faddr" if out.get(first_slot).is_none() => {
                set_ep(out, !outbound_built, t)
            }
            b"to" | b"dst" | b"laddr" if out.get(second_slot).is_none() => {
                // NAT: the "to" side is the mapped address of the same host.
                if id == b"305011" || id == b"305012" {
                    let (_, a, p) = endpoint(t);
                    push(out, "mapped_ip", a);
                    push(out, "mapped_port", p);
                } else {
                    set_ep(out, outbound_built, t)
                }
            }
            b"connection" if t.iter().all(u8::is_ascii_digit) => push(out, "connection_id", t),
            b"duration" => push(out, "duration", t),
            b"bytes" => push(out, "bytes", t),
            b"access-group" | b"access-list" => push(
                out,
                "acl",
                t.strip_prefix(b"\"")
                    .and_then(|t| t.strip_suffix(b"\""))
                    .unwrap_or(t),
            ),
            b"interface" => push(out, "interface", t.strip_suffix(b".").unwrap_or(t)),
            _ => {}
        }
        if t == b"->" {
            arrow_src = Some(prev);
        }
        if let Some(s) = arrow_src.take() {
            if t != b"->" {
                set_ep(out, true, s);
                set_ep(out, false, t);
            } else {
                arrow_src = Some(s);
            }
        }
        prev = t;
    }
    // AAA / VPN: "user = alice", "User <alice> IP <1.2.3.4>", "user IP = 10.2.2.2". Each
    // key holds `=` or `<`: a connection line, which has neither, skips the seven searches.
    if memchr::memchr2(b'=', b'<', text).is_some() {
        aaa(text, out);
    }
    if matches!(id, b"302014" | b"302016" | b"302018") {
        // Teardown reason: the words after "bytes N".
        if let Some(i) = find(text, b" bytes ") {
            let rest = &text[i + 7..];
            if let Some(sp) = memchr::memchr(b' ', rest) {
                let r = text::trim(&rest[sp..]);
                push(out, "teardown_reason", r);
            }
        }
    }
}

/// User, address, server, reason and group of an AAA / VPN message.
fn aaa<'a>(text: &'a [u8], out: &mut Fields<'a>) {
    if let Some(u) = after(text, b"user = ").or_else(|| angle(text, b"User <")) {
        out.set(Norm::User, cow(u));
    }
    if let Some(ip) = after(text, b"user IP = ").or_else(|| angle(text, b"IP <"))
        && looks_ip(ip)
    {
        out.set(Norm::SrcIp, cow(ip));
    }
    if let Some(s) = after(text, b"server = ") {
        push(out, "server", s);
    }
    if let Some(r) = after(text, b"reason = ") {
        push(out, "reason", r);
    }
    if let Some(g) = angle(text, b"Group <") {
        push(out, "group", g);
    }
}

/// The value after `key` up to the next ` :` or end (AAA messages).
fn after<'a>(text: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let i = find(text, key)? + key.len();
    let rest = &text[i..];
    let end = find(rest, b" :").unwrap_or(rest.len());
    Some(text::trim(&rest[..end]))
}

/// The value inside `<…>` after `key` (which ends with `<`).
fn angle<'a>(text: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let i = find(text, key)? + key.len();
    let rest = &text[i..];
    Some(&rest[..memchr::memchr(b'>', rest)?])
}

/// Flow ids read as `allow tcp a:1 -> b:2 (302013 built outbound, conn 11757)`; other ids
/// use the device's own text.
pub fn message(f: &Fields<'_>) -> String {
    let id = f.get(Norm::EventId).unwrap_or_default();
    let text = f.raw("text").unwrap_or_default();
    if f.get(Norm::SrcIp).is_none() && f.get(Norm::DstIp).is_none() {
        return format!("{id}: {text}");
    }
    let mut note = String::from(id);
    let words: String = match ftd_kind(id) {
        Some(k) => k.into(),
        None => text.split(' ').take(2).collect::<Vec<_>>().join(" "),
    };
    if !words.is_empty() {
        note.push(' ');
        note.push_str(&words.to_ascii_lowercase());
    }
    let mut add = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            note.push_str(", ");
            note.push_str(k);
            note.push_str(v);
        }
    };
    add("conn ", f.raw("connection_id"));
    add("acl ", f.raw("acl"));
    add("duration ", f.raw("duration"));
    add("bytes ", f.raw("bytes"));
    add("", f.raw("teardown_reason"));
    add("rule ", f.raw("AccessControlRuleName"));
    add("", f.raw("Message").or(f.raw("ThreatName")));
    if let (Some(ip), Some(p)) = (f.raw("mapped_ip"), f.raw("mapped_port")) {
        note.push_str(&format!(", mapped {ip}/{p}"));
    }
    let note: Cow<'_, str> = Cow::Owned(note);
    super::flow_message(f, Some(&note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::firewall::tests::{ParseOne, in_year};

    fn parse(l: &[u8]) -> Result<Fields<'_>, Reason> {
        Asa::new(b"", &in_year(2024)).parse_one(l)
    }

    fn get<'a>(f: &'a Fields<'_>, n: Norm) -> &'a str {
        f.get(n).unwrap_or("")
    }

    #[test]
    fn listed_ids() {
        let cases: &[(&[u8], &str, &str, &str, &str)] = &[
            (b"%ASA-2-106001: Inbound TCP connection denied from 10.1.1.1/2345 to 10.2.2.2/80 flags SYN on interface outside", "deny", "10.1.1.1", "10.2.2.2", "80"),
            (b"%ASA-2-106006: Deny inbound UDP from 10.1.1.1/2345 to 10.2.2.2/53 on interface outside.", "deny", "10.1.1.1", "10.2.2.2", "53"),
            (b"%ASA-6-106015: Deny TCP (no connection) from 10.1.1.1/443 to 10.2.2.2/5000 flags RST  on interface inside", "deny", "10.1.1.1", "10.2.2.2", "5000"),
            (b"%ASA-4-106023: Deny icmp src outside:2001:db8::1 dst inside:2001:db8::2 (type 8, code 0) by access-group \"in\" [0x0, 0x0]", "deny", "2001:db8::1", "2001:db8::2", ""),
            (b"%ASA-6-106100: access-list acl_in permitted tcp inside/10.0.0.1(1234) -> outside/8.8.8.8(53) hit-cnt 1 first hit [0x1, 0x0]", "allow", "10.0.0.1", "8.8.8.8", "53"),
            (b"%ASA-6-302020: Built inbound ICMP connection for faddr 10.1.1.1/0 gaddr 10.2.2.2/0 laddr 10.2.2.2/0 type 8 code 0", "allow", "10.1.1.1", "10.2.2.2", "0"),
            (b"%ASA-6-302021: Teardown ICMP connection for faddr 10.1.1.1/0 gaddr 10.2.2.2/0 laddr 10.2.2.2/0", "close", "10.1.1.1", "10.2.2.2", "0"),
            (b"%ASA-4-710003: TCP access denied by ACL from 10.1.1.1/2345 to outside:10.2.2.2/22", "deny", "10.1.1.1", "10.2.2.2", "22"),
            (b"%ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.9.9.9 : user = bob : user IP = 10.3.3.3", "failure", "10.3.3.3", "", ""),
            (b"%ASA-4-113039: Group <vpn> User <alice> IP <203.0.113.7> AnyConnect parent session started.", "start", "203.0.113.7", "", ""),
            // User or host names after the port (beats asa-fix / additional_messages tests).
            (b"%ASA-6-302016: Teardown UDP connection 1 for Outside:10.1.1.1/53723(LOCAL\\Elastic) to Inside:10.2.2.2/53 duration 0:00:00 bytes 148 (zzzzzz)", "close", "10.1.1.1", "10.2.2.2", "53"),
            (b"%ASA-4-106023: Deny tcp src outside:10.1.1.1/56444 dst srv:10.2.2.2/51635(host.domain) by access-group \"g\"", "deny", "10.1.1.1", "10.2.2.2", "51635"),
            (b"%ASA-6-106100: access-list in permitted udp dmz2/10.1.1.1(56575)(LOCAL\\\\user) -> inside/10.2.2.2(53) hit-cnt 1 first hit [0x1, 0x2]", "allow", "10.1.1.1", "10.2.2.2", "53"),
        ];
        for (msg, act, src, dst, dport) in cases {
            let mut l = b"<166>Mar 01 2024 10:00:00 fw1 : ".to_vec();
            l.extend_from_slice(msg);
            let f = parse(&l).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(msg)));
            let m = String::from_utf8_lossy(msg);
            assert_eq!(get(&f, Norm::Action), *act, "{m}");
            assert_eq!(get(&f, Norm::SrcIp), *src, "{m}");
            assert_eq!(get(&f, Norm::DstIp), *dst, "{m}");
            assert_eq!(get(&f, Norm::DstPort), *dport, "{m}");
        }
    }

    #[test]
    fn aaa_user_and_generic_ids() {
        let f = parse(b"Mar  1 10:00:00 fw1 %ASA-6-113004: AAA user authentication Successful : server = 10.9.9.9 : user = alice").unwrap();
        assert_eq!(f.get(Norm::User), Some("alice"));
        assert_eq!(f.raw("server"), Some("10.9.9.9"));
        let f = parse(b"Mar  1 10:00:00 fw1 %ASA-4-733100: [ Scanning] drop rate-1 exceeded. Current burst rate is 12 per second").unwrap();
        assert_eq!(f.get(Norm::Action), Some("alert"));
        assert_eq!(
            f.get(Norm::Message),
            Some("733100: [ Scanning] drop rate-1 exceeded. Current burst rate is 12 per second")
        );
        let f = parse(
            b"Mar  1 10:00:00 fw1 %FTD-5-111008: User 'enable_15' executed the 'write' command.",
        )
        .unwrap();
        assert_eq!(f.get(Norm::EventId), Some("111008"));
        assert_eq!(f.raw("vendor"), Some("FTD"));
        assert!(parse(b"Mar  1 10:00:00 fw1 %ASA-4-7100").is_err());
        assert!(parse(b"%ASA-4-710003: no time").is_err());
        assert!(parse(b"Mar  1 10:00:00 fw1 hello").is_err());
    }
}
