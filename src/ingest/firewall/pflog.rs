//! `pflog`: OpenBSD / FreeBSD pf packet logs as `tcpdump -n -e -ttt -r pflog` prints them
//! (`Mar 14 10:45:43.123456 rule 3/(match) block in on em0: 192.0.2.1.51234 >
//! 198.51.100.2.22: S …`), raw or relayed by syslog (`… fw pf: <the same>`). The packet's
//! own time wins over the envelope's; a year-less time follows `syslog::YearRule`.
//! (pf's CSV log, shared with pfSense and OPNsense, is `filterlog`.)

use super::syslog::{self, Clock};
use super::text::{self, cow, find, next_token, push};
use super::stamp;
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser};
use crate::model::{Fields, Norm};

pub static DEF: FormatDef = FormatDef::new("pflog", Family::Firewall, prepare)
    .with_line(is_line)
    .with_samples(&[concat!(
        "Jun  2 08:00:01.250000 rule 4/(match) block in on em0: 203.0.113.5.41000 > 192.0.2.15.22: S 1:1(0) win 1024\n",
        "2024-06-02 08:00:02.000001 rule 9.anchor.1/(match) pass out on vio0: 192.0.2.15 > 198.51.100.1: ICMP echo request, id 7, seq 1, length 64\n",
        "Jun  2 08:00:03 gw pf: Jun  2 08:00:03.500000 rule 2/0(match): block in on em1: 2001:db8::5.5353 > 2001:db8::1.53: UDP, length 40\n",
    )]);

/// The log part of a line: from `rule ` on.
fn rule_at(l: &[u8]) -> Option<usize> {
    let i = find(l, b"rule ")?;
    let t = &l[i..];
    let matched = find(t, b"(match)").is_some_and(|m| m < 40);
    (matched && (find(t, b" in on ").is_some() || find(t, b" out on ").is_some())).then_some(i)
}

pub(super) fn is_line(l: &[u8]) -> bool {
    rule_at(l).is_some()
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    let clock = Clock::new(data, ctx);
    Ok(clock.lines(Pflog { clock }))
}

struct Pflog {
    clock: Clock,
}

/// `a.b.c.d.port`, `a.b.c.d`, `2001:db8::1.port` → (address, port).
fn addr_port(t: &[u8]) -> (&[u8], &[u8]) {
    let t = t.strip_suffix(b":").unwrap_or(t);
    let dots = t.iter().filter(|&&c| c == b'.').count();
    let v6 = t.contains(&b':');
    match memchr::memrchr(b'.', t) {
        Some(d) if (v6 || dots == 4) && t[d + 1..].iter().all(u8::is_ascii_digit) => {
            (&t[..d], &t[d + 1..])
        }
        _ => (t, &[]),
    }
}

/// The packet's time at the start of `pre` (the text before `rule`), UTC ns.
fn packet_time(pre: &[u8], clock: &Clock) -> Option<i64> {
    let pre = text::trim(pre);
    if let Some((c, off, _)) = stamp::iso(pre) {
        return c.resolve(off, &clock.tz);
    }
    let (mut c, _) = stamp::bsd(pre)?;
    if c.y == 0 {
        c.y = clock.years.year_of(c.mo);
    }
    c.resolve(None, &clock.tz)
}

impl RecordParser for Pflog {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        let at = rule_at(rec).ok_or(Reason::Borrowed("no pf rule"))?;
        // A relay's envelope, then (usually) the packet's own time.
        let env = syslog::parse(&rec[..at]).filter(|h| h.civil.is_some());
        let inner = env.map_or(&rec[..at], |h| h.msg);
        out.ts = packet_time(inner, &self.clock)
            .or_else(|| env.and_then(|h| self.clock.of(&h)))
            .ok_or(syslog::NO_TIME)?;
        if let Some(h) = env.filter(|h| !h.host.is_empty()) {
            out.set(Norm::Host, cow(h.host));
        }
        let (rule, rest) = next_token(&rec[at + 5..]);
        push(out, b"rule", rule.strip_suffix(b":").unwrap_or(rule));
        let mut rest = rest.trim_ascii_start();
        // `[uid 0, pid 123]` when pf logged the socket's owner.
        if rest.first() == Some(&b'[') {
            rest = &rest[memchr::memchr(b']', rest).map_or(rest.len(), |e| e + 1)..];
        }
        let (action, rest) = next_token(rest);
        text::set_action(out, action);
        let (dir, rest) = next_token(rest);
        push(out, b"direction", dir);
        let (on, rest) = next_token(rest);
        let (iface, packet) = next_token(rest);
        if on != b"on" || iface.is_empty() {
            return Err(Reason::Borrowed("pf line without `in|out on <interface>:`"));
        }
        push(out, b"interface", iface.strip_suffix(b":").unwrap_or(iface));
        let (src, rest) = next_token(packet);
        let (gt, rest) = next_token(rest);
        let (dst, detail) = next_token(rest);
        if gt != b">" {
            return Err(Reason::Borrowed("pf line without `src > dst`"));
        }
        let (sa, sp) = addr_port(src);
        let (da, dp) = addr_port(dst);
        out.set(Norm::SrcIp, cow(sa));
        out.set(Norm::DstIp, cow(da));
        if !sp.is_empty() {
            out.set(Norm::SrcPort, cow(sp));
        }
        if !dp.is_empty() {
            out.set(Norm::DstPort, cow(dp));
        }
        let detail = text::trim(detail);
        let proto: Option<&'static str> = if detail.starts_with(b"ICMP6") {
            Some("icmp6")
        } else if detail.starts_with(b"ICMP") {
            Some("icmp")
        } else if detail.starts_with(b"UDP") || detail.starts_with(b"udp") {
            Some("udp")
        } else if detail.starts_with(b"[") || find(detail, b" win ").is_some() {
            Some("tcp")
        } else {
            None
        };
        if let Some(p) = proto {
            out.set(Norm::Proto, p);
        }
        push(out, b"packet", detail);
        text::finish(out, message);
        Ok(())
    }
}

/// `deny tcp 192.0.2.1:51234 -> 198.51.100.2:22 (rule 3, in on em0)`.
pub fn message(f: &Fields<'_>) -> String {
    let note = super::note(
        None,
        [
            ("rule ", f.raw("rule")),
            ("", f.raw("direction")),
            ("on ", f.raw("interface")),
        ],
    );
    super::flow_message(f, Some(&note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::firewall::tests::{ParseOne, in_year};
    use crate::model::ymd_hms;

    fn parse(l: &[u8]) -> Result<Fields<'_>, Reason> {
        let clock = Clock::new(b"", &in_year(2023));
        Pflog { clock }.parse_one(l)
    }

    #[test]
    fn tcp_icmp_v6_and_relayed() {
        let f = parse(b"Mar 14 10:45:43.123456 rule 3/(match) block in on em0: 192.0.2.1.51234 > 198.51.100.2.22: S 123:123(0) win 16384 <mss 1460> (DF)").unwrap();
        assert_eq!(f.ts, ymd_hms(2023, 3, 14, 10, 45, 43).unwrap() + 123_456_000);
        assert_eq!(f.get(Norm::Action), Some("deny"));
        assert_eq!(
            (f.get(Norm::SrcIp), f.get(Norm::SrcPort), f.get(Norm::DstPort)),
            (Some("192.0.2.1"), Some("51234"), Some("22"))
        );
        assert_eq!(f.get(Norm::Proto), Some("tcp"));
        assert_eq!(
            f.get(Norm::Message),
            Some("deny tcp 192.0.2.1:51234 -> 198.51.100.2:22 (rule 3/(match), in, on em0)")
        );
        let f = parse(b"Mar 14 10:45:45.000001 rule 2/(match) pass out on em0: 203.0.113.9 > 198.51.100.2: ICMP echo request, id 1, seq 1, length 64").unwrap();
        assert_eq!((f.get(Norm::Proto), f.get(Norm::DstPort)), (Some("icmp"), None));
        assert_eq!(f.get(Norm::Action), Some("allow"));
        let f = parse(b"Mar 14 10:45:47 fw1 pf: Mar 14 10:45:46.5 rule 3/0(match): block in on em0: 2001:db8::1.5353 > 2001:db8::2.53: UDP, length 40").unwrap();
        assert_eq!(f.ts, ymd_hms(2023, 3, 14, 10, 45, 46).unwrap() + 500_000_000);
        assert_eq!(f.get(Norm::Host), Some("fw1"));
        assert_eq!(
            (f.get(Norm::SrcIp), f.get(Norm::DstPort), f.get(Norm::Proto)),
            (Some("2001:db8::1"), Some("53"), Some("udp"))
        );
        let f = parse(b"2023-03-14 10:45:46.123456 rule 7.anchor.1/(match) block in on vio0: 192.0.2.77.4444 > 198.51.100.2.445: S 1:1(0) win 1024").unwrap();
        assert_eq!(f.raw("rule"), Some("7.anchor.1/(match)"));
    }

    #[test]
    fn damaged() {
        assert_eq!(
            parse(b"rule 3/(match) block in on em0: 1.1.1.1 > 2.2.2.2: S").err(),
            Some(syslog::NO_TIME)
        );
        assert!(parse(b"Mar 14 10:45:43 rule 3/(match) block in on em0: 1.1.1.1 2.2.2.2").is_err());
        assert!(parse(b"Mar 14 10:45:43 rule 3/(match) block in on").is_err());
        assert!(!is_line(b"Mar 14 10:45:43 host sshd[1]: rule of thumb in on it"));
    }
}
