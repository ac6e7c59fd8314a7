//! `netfilter`: iptables / nftables / ufw kernel `LOG` lines (`IN= OUT= SRC= DST= …`) in
//! RFC 3164 or RFC 5424 syslog, or `journalctl -o short[-iso|-precise]` exports.
//! RFC 3164 years follow `syslog::YearRule` (Dec → Jan wrap).

use super::journal;
use super::syslog::{self, YearRule};
use super::text::{self, Utf8Line, find, push};
use crate::ingest::{FormatDef, ParseCtx, Prepared, Reason, RecordParser, Records};
use crate::model::{Fields, Norm, TzSpec};
use std::borrow::Cow;

pub static DEF: FormatDef = FormatDef {
    id: "netfilter",
    sniff,
    prepare,
};

fn sniff(head: &[u8]) -> u8 {
    super::sniff_lines(head, is_line).max(journal::sniff(head))
}

/// A kernel LOG line: a syslog envelope and the `SRC=`/`DST=` pair with an interface or
/// protocol key beside them.
pub(super) fn is_line(l: &[u8]) -> bool {
    find(l, b" SRC=").is_some()
        && find(l, b" DST=").is_some()
        && (find(l, b"IN=").is_some() || find(l, b" PROTO=").is_some())
        && syslog::parse(l).is_some_and(|h| h.civil.is_some())
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, String> {
    // `journalctl` text exports interleave `-- Boot …--` / `-- Logs begin …` markers.
    let (records, note) = journal::records(data).unwrap_or((
        Records::Lines {
            start: 0,
            comment: &[b"-- "],
        },
        None,
    ));
    Ok(Prepared {
        parser: Box::new(Netfilter::new(data, ctx)),
        records,
        note,
    })
}

pub(super) struct Netfilter {
    tz: TzSpec,
    years: YearRule,
}

impl Netfilter {
    pub(super) fn new(data: &[u8], ctx: &ParseCtx) -> Self {
        Netfilter {
            tz: ctx.tz,
            years: YearRule::for_data(data, ctx),
        }
    }
}

/// Action named by a log prefix (`IPTABLES-DROP:`, `[UFW BLOCK]`, `nft reject`).
fn prefix_action(p: &[u8]) -> Option<&'static str> {
    const WORDS: &[(&[u8], &str)] = &[
        (b"DROP", "drop"),
        (b"BLOCK", "deny"),
        (b"DENY", "deny"),
        (b"REJECT", "reject"),
        (b"ACCEPT", "allow"),
        (b"ALLOW", "allow"),
        (b"AUDIT", "audit"),
    ];
    WORDS.iter().find_map(|(w, a)| {
        p.windows(w.len())
            .any(|x| x.eq_ignore_ascii_case(w))
            .then_some(*a)
    })
}

/// A body key: `[A-Z0-9]+=`.
fn is_key_token(t: &[u8]) -> bool {
    match memchr::memchr(b'=', t) {
        Some(i) if i > 0 => t[..i]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_'),
        _ => false,
    }
}

impl RecordParser for Netfilter {
    fn parse<'a>(&self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        if rec.first() == Some(&b'{') {
            return journal::parse(rec, out);
        }
        let line = Utf8Line::new(rec);
        let h = syslog::parse(rec).ok_or(Reason::Borrowed("no syslog header"))?;
        out.ts = h
            .ts(&self.tz, &self.years)
            .ok_or(Reason::Borrowed("bad or missing syslog time"))?;
        out.set(Norm::Host, line.cow(h.host));
        if !h.app.is_empty() {
            push(out, b"syslog_tag", h.app);
        }
        parse_msg(&line, h.msg, out)
    }
}

/// The kernel message of a LOG line (after the syslog envelope, or a journal `MESSAGE`):
/// optional uptime stamp, log prefix, `KEY=value` body.
pub(super) fn parse_msg<'a>(
    line: &Utf8Line<'a>,
    msg: &'a [u8],
    out: &mut Fields<'a>,
) -> Result<(), Reason> {
    {
        let mut msg = msg;
        // Kernel uptime stamp: "[19955416.516358] " or "[  203.842973] ".
        if msg.first() == Some(&b'[')
            && let Some(e) = memchr::memchr(b']', msg)
        {
            let inner = &msg[1..e];
            if inner
                .iter()
                .all(|c| c.is_ascii_digit() || *c == b'.' || *c == b' ')
            {
                push(out, b"uptime", text::trim(inner));
                msg = &msg[e + 1..];
            }
        }
        // The log prefix ends where the first KEY= token starts.
        let mut body_at = None;
        let mut i = 0;
        while i < msg.len() {
            if (i == 0 || msg[i - 1] == b' ') && is_key_token(&msg[i..]) {
                // is_key_token looks at the whole tail; check the token alone.
                let end = memchr::memchr(b' ', &msg[i..]).map_or(msg.len(), |e| i + e);
                if is_key_token(&msg[i..end]) {
                    body_at = Some(i);
                    break;
                }
            }
            i += match memchr::memchr(b' ', &msg[i..]) {
                Some(e) => e + 1,
                None => msg.len() - i,
            };
        }
        let body_at = body_at.ok_or(Reason::Borrowed("no KEY=value fields (not a LOG line)"))?;
        let prefix = text::trim(&msg[..body_at]);
        if !prefix.is_empty() {
            push(out, b"prefix", prefix);
        }
        let body = &msg[body_at..];
        // An ICMP error quotes the offending packet as `[SRC=… DST=… PROTO=…]`: its keys
        // must not overwrite the outer packet's.
        let body = match find(body, b" [") {
            Some(i) => {
                push(out, b"quoted", text::trim(&body[i + 1..]));
                &body[..i]
            }
            None => body,
        };
        let mut seen_proto = false;
        let mut rest = body;
        let mut have_src = false;
        if out.is_lean() {
            have_src = lean_body(line, body, out)?;
            rest = &[];
        }
        while !rest.is_empty() {
            let (tok, tail) = text::next_token(rest);
            if tok.is_empty() {
                break;
            }
            if let Some(eq) = tok.iter().position(|&c| c == b'=') {
                let (k, v) = (&tok[..eq], &tok[eq + 1..]);
                match k {
                    b"SRC" => {
                        out.set(Norm::SrcIp, line.req(v, "SRC")?);
                        have_src = true;
                    }
                    b"DST" => out.set(Norm::DstIp, line.req(v, "DST")?),
                    b"SPT" => out.set(Norm::SrcPort, line.req(v, "SPT")?),
                    b"DPT" => out.set(Norm::DstPort, line.req(v, "DPT")?),
                    b"PROTO" => {
                        seen_proto = true;
                        out.set(Norm::Proto, text::proto(line.req(v, "PROTO")?));
                    }
                    _ => {}
                }
                push(out, k, v);
                rest = tail;
            } else if out.is_lean() {
                // Bare flag words only matter as a stored field.
                rest = tail;
            } else {
                // A run of bare flag words (SYN ACK, DF) stays one borrowed slice.
                let start = rest.len() - rest.trim_ascii_start().len();
                let run_from = &rest[start..];
                let mut end = 0;
                let mut r = run_from;
                while let (t, tl) = text::next_token(r)
                    && !t.is_empty()
                    && !t.contains(&b'=')
                {
                    end = run_from.len() - tl.len();
                    r = tl;
                }
                let run = text::trim(&run_from[..end]);
                let key: &'static [u8] = if seen_proto { b"TCPFLAGS" } else { b"IPFLAGS" };
                push(out, key, run);
                rest = &run_from[end..];
            }
        }
        if !have_src {
            return Err(Reason::Borrowed("no SRC= in LOG line"));
        }
        let act: Cow<'a, str> = Cow::Borrowed(prefix_action(prefix).unwrap_or("log"));
        out.set(Norm::Action, act);
        text::firewall(out);
        if !out.is_lean() {
            let m = message(out);
            out.set(Norm::Message, m);
        }
        Ok(())
    }
}

/// The normalised fields of the body for ingest, without walking every token: each `=`
/// is found eight bytes at a time, and a key is one of ours when exactly its letters sit between a
/// space (or the body start) and that `=`. For a later `=` of a token the text before it
/// holds an earlier `=`, so it never matches. Same fields, same rejects as the token walk.
fn lean_body<'a>(
    line: &Utf8Line<'a>,
    body: &'a [u8],
    out: &mut Fields<'a>,
) -> Result<bool, Reason> {
    // Whether a key of `n` letters ending at `eq` starts the token.
    let starts = |eq: usize, n: usize| eq == n || (eq > n && body[eq - n - 1] == b' ');
    let mut have_src = false;
    for eq in text::byte_positions(body, b'=') {
        let Some(k3) = eq.checked_sub(3).and_then(|a| body.get(a..eq)) else {
            continue;
        };
        let key = match k3 {
            b"SRC" if starts(eq, 3) => Norm::SrcIp,
            b"DST" if starts(eq, 3) => Norm::DstIp,
            b"SPT" if starts(eq, 3) => Norm::SrcPort,
            b"DPT" if starts(eq, 3) => Norm::DstPort,
            b"OTO" if eq >= 5 && body[eq - 5..eq - 3] == *b"PR" && starts(eq, 5) => Norm::Proto,
            _ => continue,
        };
        let tail = &body[eq + 1..];
        let v = &tail[..tail.iter().position(|&c| c == b' ').unwrap_or(tail.len())];
        match key {
            Norm::SrcIp => {
                out.set(key, line.req(v, "SRC")?);
                have_src = true;
            }
            Norm::DstIp => out.set(key, line.req(v, "DST")?),
            Norm::SrcPort => out.set(key, line.req(v, "SPT")?),
            Norm::DstPort => out.set(key, line.req(v, "DPT")?),
            _ => out.set(key, text::proto(line.req(v, "PROTO")?)),
        }
    }
    Ok(have_src)
}

/// `drop tcp 1.2.3.4:5 -> 6.7.8.9:80 (IPTABLES-DROP:)`.
pub fn message(f: &Fields<'_>) -> String {
    super::flow_message(f, f.raw("prefix"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ymd_hms;

    fn ctx(year: i32) -> ParseCtx {
        ParseCtx {
            mtime_year: year,
            ..ParseCtx::default()
        }
    }

    #[test]
    fn ufw_line_fields() {
        let l = b"Jan  2 03:04:05 web kernel: [  12.5] [UFW BLOCK] IN=eth0 OUT= MAC=aa SRC=2001:db8::1 DST=2001:db8::2 LEN=60 PROTO=TCP SPT=4444 DPT=22 WINDOW=64 RES=0x00 SYN URGP=0";
        let p = Netfilter::new(l, &ctx(2024));
        let mut f = Fields::new();
        p.parse(l, &mut f).unwrap();
        assert_eq!(f.ts, ymd_hms(2024, 1, 2, 3, 4, 5).unwrap());
        assert_eq!(f.get(Norm::Host), Some("web"));
        assert_eq!(f.get(Norm::Action), Some("deny"));
        assert_eq!(f.get(Norm::Proto), Some("tcp"));
        assert_eq!(f.raw("TCPFLAGS"), Some("SYN"));
        assert_eq!(f.raw("prefix"), Some("[UFW BLOCK]"));
        assert_eq!(
            f.get(Norm::Message),
            Some("deny tcp [2001:db8::1]:4444 -> [2001:db8::2]:22 ([UFW BLOCK])")
        );
    }

    /// ufw logging an ICMP port-unreachable that quotes the UDP packet it answers.
    #[test]
    fn icmp_error_quoted_packet() {
        let l = b"Nov 28 10:00:12 gw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.2 DST=192.0.2.1 LEN=56 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=UDP SPT=5 DPT=6 LEN=36 ] ";
        for lean in [false, true] {
            let mut f = if lean { Fields::lean() } else { Fields::new() };
            let p = Netfilter::new(l, &ctx(2024));
            p.parse(l, &mut f).unwrap();
            assert_eq!(f.get(Norm::DstIp), Some("192.0.2.2"), "lean {lean}");
            assert_eq!(f.get(Norm::Proto), Some("icmp"));
            assert_eq!(f.get(Norm::DstPort), None);
        }
    }

    #[test]
    fn year_wraps_back_for_december() {
        let data = b"Dec 31 23:59:59 fw kernel: IN=e OUT= SRC=1.1.1.1 DST=2.2.2.2 PROTO=UDP\nJan  1 00:00:01 fw kernel: IN=e OUT= SRC=1.1.1.1 DST=2.2.2.2 PROTO=UDP\n";
        let p = Netfilter::new(data, &ctx(2025));
        let mut ts = vec![];
        for l in data.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
            let mut f = Fields::new();
            p.parse(l, &mut f).unwrap();
            ts.push(f.ts);
        }
        assert_eq!(ts[0], ymd_hms(2024, 12, 31, 23, 59, 59).unwrap());
        assert_eq!(ts[1], ymd_hms(2025, 1, 1, 0, 0, 1).unwrap());
    }

    #[test]
    fn paris_dst_change() {
        // 02:30 local does not exist on 2024-03-31 in Paris; 03:30 is UTC+2.
        let c = ParseCtx {
            tz: "Europe/Paris".parse().unwrap(),
            year: Some(2024),
            ..ParseCtx::default()
        };
        let l1 = b"Mar 31 01:30:00 fw kernel: IN=e OUT= SRC=1.1.1.1 DST=2.2.2.2 PROTO=UDP";
        let l2 = b"Mar 31 03:30:00 fw kernel: IN=e OUT= SRC=1.1.1.1 DST=2.2.2.2 PROTO=UDP";
        let p = Netfilter::new(l2, &c);
        let mut f = Fields::new();
        p.parse(l1, &mut f).unwrap();
        assert_eq!(f.ts, ymd_hms(2024, 3, 31, 0, 30, 0).unwrap());
        let mut f = Fields::new();
        p.parse(l2, &mut f).unwrap();
        assert_eq!(f.ts, ymd_hms(2024, 3, 31, 1, 30, 0).unwrap());
    }

    #[test]
    fn damaged_lines() {
        let p = Netfilter::new(b"", &ctx(2024));
        let mut f = Fields::new();
        assert!(
            p.parse(b"Jan  2 03:04:05 web kernel: hello world", &mut f)
                .is_err()
        );
        let mut f = Fields::new();
        assert!(p.parse(b"Jan  2 03:04", &mut f).is_err());
        let mut f = Fields::new();
        assert!(
            p.parse(
                b"Jan  2 03:04:05 web kernel: IN=e OUT= SRC=\xff\xfe DST=1",
                &mut f
            )
            .is_err()
        );
        // Invalid UTF-8 in a non-required field is kept lossily.
        let mut f = Fields::new();
        p.parse(
            b"Jan  2 03:04:05 web kernel: X\xff IN=e\xff OUT= SRC=1.1.1.1 DST=2.2.2.2",
            &mut f,
        )
        .unwrap();
        assert_eq!(f.raw("IN"), Some("e\u{fffd}"));
        // Truncated mid-field.
        let mut f = Fields::new();
        p.parse(
            b"Jan  2 03:04:05 web kernel: IN=e OUT= SRC=1.1.1.1 DST=2.2.2.2 PROTO=TC",
            &mut f,
        )
        .unwrap();
        assert_eq!(f.get(Norm::Proto), Some("tc"));
    }
}
