//! `netfilter`: iptables / nftables / ufw kernel `LOG` lines (`IN= OUT= SRC= DST= …`) in
//! RFC 3164 or RFC 5424 syslog, or `journalctl -o short[-iso|-precise]` exports.
//! RFC 3164 years follow `syslog::YearRule` (Dec → Jan wrap).

use super::journal;
use super::kept::Kept;
use super::syslog::{self, Clock};
use super::text::{self, Utf8Line, find, push};
use crate::ingest::{
    Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser, Records,
};
use crate::model::{Fields, Norm};
use std::borrow::Cow;
use std::cell::RefCell;

pub static DEF: FormatDef = FormatDef::new("netfilter", Family::Firewall, prepare)
    .with_line(is_line)
    .with_head(journal::sniff)
    .with_samples(&[
    "Jun  8 14:34:33 sd-1 kernel: [5.1] IPTABLES-DROP: IN=lo OUT= SRC=127.0.0.1 DST=127.0.0.53 LEN=76 DF PROTO=UDP SPT=49007 DPT=53",
    ]);

/// A kernel LOG line: the `SRC=`/`DST=` pair with an interface or protocol key beside
/// them (without a syslog time it is still one: `no timestamp`).
pub(super) fn is_line(l: &[u8]) -> bool {
    find(l, b" SRC=").is_some()
        && find(l, b" DST=").is_some()
        && (find(l, b"IN=").is_some() || find(l, b" PROTO=").is_some())
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    // `journalctl` text exports interleave `-- Boot …--` / `-- Logs begin …` markers.
    let (records, note) = journal::records(data).unwrap_or((
        Records::Lines {
            start: 0,
            comment: &[b"-- "],
        },
        None,
    ));
    let p = Netfilter::new(data, ctx);
    let note = [note, p.clock.note()].into_iter().flatten().reduce(|a, b| a + "; " + &b);
    Ok(Prepared {
        parser: Box::new(p),
        records,
        note,
    })
}

pub(super) struct Netfilter {
    clock: Clock,
}

impl Netfilter {
    pub(super) fn new(data: &[u8], ctx: &ParseCtx) -> Self {
        Netfilter {
            clock: Clock::new(data, ctx),
        }
    }
}

/// Where the body of a LOG message starts (see [`key_start`]) and the action its prefix
/// names (`IPTABLES-DROP:`, `[UFW BLOCK]`, `nft reject`). A ruleset logs with a handful of
/// prefixes: each thread keeps the last few it read, as the bytes up to the body. A
/// message that starts with those bytes and then a key has the same start: the scan
/// decides on each prefix token from its own bytes.
fn body_start(msg: &[u8]) -> Option<(usize, Option<&'static str>)> {
    const SLOTS: usize = 8;
    struct Seen {
        keys: [Kept<4>; SLOTS],
        acts: [Option<&'static str>; SLOTS],
        next: usize,
    }
    thread_local! {
        static SEEN: RefCell<Seen> = const {
            RefCell::new(Seen { keys: [Kept::NONE; SLOTS], acts: [None; SLOTS], next: 0 })
        };
    }
    SEEN.with_borrow_mut(|s| {
        let hit = s.keys.iter().position(|k| k.opens(msg) && key_run(msg, k.len()).1);
        if let Some(i) = hit {
            return Some((s.keys[i].len(), s.acts[i]));
        }
        let at = key_start(msg)?;
        let act = prefix_action_now(text::trim(&msg[..at]));
        if let Some(k) = Kept::new(&msg[..at]) {
            let i = s.next;
            s.keys[i] = k;
            s.acts[i] = act;
            s.next = (i + 1) % SLOTS;
        }
        Some((at, act))
    })
}

/// The key bytes (`[A-Z0-9_]`) from `i`, and whether a `=` follows them: a body key
/// (`[A-Z0-9_]+=`) starts at `i`.
fn key_run(msg: &[u8], i: usize) -> (usize, bool) {
    let n = msg[i..].iter().take_while(|&&c| is_key_char(c)).count();
    (n, n > 0 && msg.get(i + n) == Some(&b'='))
}

fn prefix_action_now(p: &[u8]) -> Option<&'static str> {
    const WORDS: &[(&[u8], &str)] = &[
        (b"DROP", "drop"),
        (b"BLOCK", "deny"),
        (b"DENY", "deny"),
        (b"REJECT", "reject"),
        (b"ACCEPT", "allow"),
        (b"ALLOW", "allow"),
        (b"AUDIT", "audit"),
    ];
    // One pass, this runs per line: the four bytes at each position, lower-cased as one
    // word, against each word's first four; `WORDS` order decides between words found.
    const fn head(w: &[u8]) -> u32 {
        u32::from_le_bytes([w[0], w[1], w[2], w[3]]) | 0x2020_2020
    }
    const HEADS: [u32; 7] = [
        head(WORDS[0].0),
        head(WORDS[1].0),
        head(WORDS[2].0),
        head(WORDS[3].0),
        head(WORDS[4].0),
        head(WORDS[5].0),
        head(WORDS[6].0),
    ];
    let mut found = 0u8;
    for (i, w) in p.windows(4).enumerate() {
        let x = u32::from_le_bytes([w[0], w[1], w[2], w[3]]) | 0x2020_2020;
        for (k, &h) in HEADS.iter().enumerate() {
            // `| 0x20` also folds some non-letters: the whole word is checked after.
            if x == h && p[i..].get(..WORDS[k].0.len()).is_some_and(|y| y.eq_ignore_ascii_case(WORDS[k].0)) {
                found |= 1 << k;
            }
        }
    }
    WORDS.get(found.trailing_zeros() as usize).map(|(_, a)| *a)
}

fn is_key_char(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_'
}

/// Start of the first space-separated token that is a body key (`[A-Z0-9_]+=…`): the end
/// of the log prefix. One pass over the prefix; a token is dropped at its first non-key byte.
fn key_start(msg: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < msg.len() {
        let (n, key) = key_run(msg, i);
        if key {
            return Some(i);
        }
        i += n;
        i += msg[i..]
            .iter()
            .take_while(|&&c| c != b' ' && c != b'\t')
            .count()
            + 1;
    }
    None
}

impl RecordParser for Netfilter {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        if rec.first() == Some(&b'{') {
            return journal::parse(rec, out);
        }
        let line = Utf8Line::new(rec);
        let mut h = syslog::Header::default();
        syslog::dated(rec, &self.clock, out, &mut h)?;
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
        if msg.first() == Some(&b'[') {
            let n = msg[1..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == b'.' || **c == b' ')
                .count();
            if msg.get(1 + n) == Some(&b']') {
                push(out, b"uptime", text::trim(&msg[1..1 + n]));
                msg = &msg[n + 2..];
            }
        }
        let (body_at, act) =
            body_start(msg).ok_or(Reason::Borrowed("no KEY=value fields (not a LOG line)"))?;
        let prefix = text::trim(&msg[..body_at]);
        if !prefix.is_empty() {
            push(out, b"prefix", prefix);
        }
        let body = &msg[body_at..];
        if out.is_ingest() && line.is_text() {
            // Ingest reads the time, host and action: of the body, only whether the outer
            // packet has a `SRC=` (a valid line's values cannot fail).
            if !has_src(body) {
                return Err(NO_SRC);
            }
            out.set(Norm::Action, act.unwrap_or("log"));
            return Ok(());
        }
        // An ICMP error quotes the offending packet as `[SRC=… DST=… PROTO=…]`: its keys
        // must not overwrite the outer packet's.
        // (A `[` scan: a memmem searcher built per line cost more than the parse of it.)
        let quoted = memchr::memchr_iter(b'[', body).find(|&i| i > 0 && body[i - 1] == b' ');
        let body = match quoted.map(|i| i - 1) {
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
            return Err(NO_SRC);
        }
        let act: Cow<'a, str> = Cow::Borrowed(act.unwrap_or("log"));
        out.set(Norm::Action, act);
        text::finish(out, message);
        Ok(())
    }
}

/// The normalised fields of the body for ingest, without walking every token: each `=`
/// is found eight bytes at a time, and a key is one of ours when exactly its letters sit
/// between a space (or the body start) and that `=`: the four bytes before the `=` are
/// compared as one word. For a later `=` of a token the text before it holds an earlier
/// `=`, so it never matches. Same fields, same rejects as the token walk.
fn lean_body<'a>(
    line: &Utf8Line<'a>,
    body: &'a [u8],
    out: &mut Fields<'a>,
) -> Result<bool, Reason> {
    const fn word(k: &[u8; 4]) -> u32 {
        u32::from_le_bytes(*k)
    }
    const SRC: u32 = word(b" SRC");
    const DST: u32 = word(b" DST");
    const SPT: u32 = word(b" SPT");
    const DPT: u32 = word(b" DPT");
    const ROTO: u32 = word(b"ROTO");
    // Values of a valid line are sliced from its text, with no second check.
    let text = line.text(body);
    let mut have_src = false;
    for eq in text::byte_positions(body, b'=') {
        // The body start counts as a space before the key.
        let k = match eq {
            0..3 => continue,
            3 => u32::from_le_bytes([b' ', body[0], body[1], body[2]]),
            _ => match body[eq - 4..eq].first_chunk::<4>() {
                Some(w) => u32::from_le_bytes(*w),
                None => continue,
            },
        };
        // A tab before the key separates like a space.
        let k = match k & 0xff == u32::from(b'\t') {
            true => (k & !0xff) | u32::from(b' '),
            false => k,
        };
        let key = match k {
            SRC => Norm::SrcIp,
            DST => Norm::DstIp,
            SPT => Norm::SrcPort,
            DPT => Norm::DstPort,
            ROTO if eq >= 5
                && body[eq - 5] == b'P'
                && (eq == 5 || matches!(body[eq - 6], b' ' | b'\t')) =>
            {
                Norm::Proto
            }
            _ => continue,
        };
        let end = eq + 1 + text::find2(&body[eq + 1..], b' ', b'\t').unwrap_or(body.len() - eq - 1);
        let what = match key {
            Norm::SrcIp => "SRC",
            Norm::DstIp => "DST",
            Norm::SrcPort => "SPT",
            Norm::DstPort => "DPT",
            _ => "PROTO",
        };
        let v = match text.and_then(|t| t.get(eq + 1..end)) {
            Some(v) => v,
            None => text::req(&body[eq + 1..end], what)?,
        };
        match key {
            Norm::SrcIp => {
                out.set(key, v);
                have_src = true;
            }
            Norm::Proto => out.set(key, text::proto(v)),
            _ => out.set(key, v),
        }
    }
    Ok(have_src)
}

const NO_SRC: Reason = Reason::Borrowed("no SRC= in LOG line");

/// Whether the outer packet of `body` has a `SRC=` key as [`lean_body`] finds it: at the
/// start or after a space or tab (after any other byte it is inside a token), and before
/// the ` [` of a quoted packet.
fn has_src(body: &[u8]) -> bool {
    // One `memchr2` pass for the key's `S` and a quote's `[`: the keys before `SRC=` (IN,
    // OUT, MAC, PHYSIN…) hold neither, so it mostly lands on the key at once (a memmem
    // search and a `[` scan per line cost twice as much).
    for i in memchr::memchr2_iter(b'S', b'[', body) {
        let spaced = i == 0 || matches!(body[i - 1], b' ' | b'\t');
        if body[i] == b'[' {
            if i > 0 && body[i - 1] == b' ' {
                return false;
            }
        } else if spaced && body[i..].starts_with(b"SRC=") {
            return true;
        }
    }
    false
}

/// `drop tcp 1.2.3.4:5 -> 6.7.8.9:80 (IPTABLES-DROP:)`.
pub fn message(f: &Fields<'_>) -> String {
    super::flow_message(f, f.raw("prefix"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::firewall::tests::ParseOne;
    use crate::model::ymd_hms;

    fn ctx(year: i32) -> ParseCtx {
        ParseCtx {
            mtime_year: year,
            ..ParseCtx::default()
        }
    }

    /// The per-thread memo answers as the scan does, through evictions and revisits, for
    /// prefixes that differ by case, length or a byte, and ones too long to keep.
    #[test]
    fn prefix_memo_answers_as_the_scan() {
        let long = [b'X'; 40];
        let prefixes: Vec<&[u8]> = vec![
            b"[UFW BLOCK]", b"[UFW ALLOW]", b"[ufw block]", b"IPTABLES-DROP:", b"IPTABLES-DROP",
            b"FWD-ACCEPT", b"nft reject", b"nft rejec", b"", b"AUDIT", b"DROPALLOW", b"x",
            b"ALLOW-then-DENY", b"[UFW AUDIT]", &long, &long[..32], &long[..31],
        ];
        for round in 0..4 {
            for (i, p) in prefixes.iter().enumerate() {
                let q = prefixes[(i * 7 + round) % prefixes.len()];
                for x in [*p, q, *p] {
                    // As a message: the prefix, then a body key (or none, or a near one).
                    for body in [&b" IN=eth0 SRC=1.2.3.4"[..], b"IN=e", b" IN e", b" in=e", b""] {
                        let msg = [x, body].concat();
                        let at = key_start(&msg);
                        let want = at.map(|a| (a, prefix_action_now(text::trim(&msg[..a]))));
                        assert_eq!(body_start(&msg), want, "{:?}", String::from_utf8_lossy(&msg));
                    }
                }
            }
        }
    }

    #[test]
    fn ufw_line_fields() {
        let l = b"Jan  2 03:04:05 web kernel: [  12.5] [UFW BLOCK] IN=eth0 OUT= MAC=aa SRC=2001:db8::1 DST=2001:db8::2 LEN=60 PROTO=TCP SPT=4444 DPT=22 WINDOW=64 RES=0x00 SYN URGP=0";
        let f = Netfilter::new(l, &ctx(2024)).parse_one(l).unwrap();
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
            ts.push(p.parse_one(l).unwrap().ts);
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
        assert_eq!(
            p.parse_one(l1).unwrap().ts,
            ymd_hms(2024, 3, 31, 0, 30, 0).unwrap()
        );
        assert_eq!(
            p.parse_one(l2).unwrap().ts,
            ymd_hms(2024, 3, 31, 1, 30, 0).unwrap()
        );
    }

    /// The lean body scan against the token walk, and the fields both must find.
    #[test]
    fn lean_scan_on_tricky_lines() {
        let p = Netfilter::new(b"", &ctx(2024));
        let h = "Jan  2 03:04:05 fw kernel:";
        // (body, SRC, DST, SPT, DPT, proto) expected; None: rejected.
        type Want = Option<[Option<&'static str>; 5]>;
        let cases: &[(&str, Want)] = &[
            (
                "[ 5.1] [UFW BLOCK] IN=e OUT= SRC=2001:db8::1 DST=fe80::1%eth0 PROTO=UDP SPT=1 DPT=2",
                Some([
                    Some("2001:db8::1"),
                    Some("fe80::1%eth0"),
                    Some("1"),
                    Some("2"),
                    Some("udp"),
                ]),
            ),
            // The body starts with a wanted key; odd spacing; a trailing CR left by a relay.
            (
                "SRC=1.1.1.1   DST=2.2.2.2  PROTO=TCP\r",
                Some([Some("1.1.1.1"), Some("2.2.2.2"), None, None, Some("tcp\r")]),
            ),
            (
                "PROTO=47 SRC=1.1.1.1",
                Some([Some("1.1.1.1"), None, None, None, Some("gre")]),
            ),
            // Look-alike keys: PPROTO, XSRC, `[SRC` of an inner packet; a tab separates.
            (
                "IN=e XSRC=9 SRC=1.1.1.1 PPROTO=x DST=2.2.2.2\tSPT=7 [SRC=3.3.3.3 DPT=",
                Some([Some("1.1.1.1"), Some("2.2.2.2"), Some("7"), None, None]),
            ),
            // The last of repeated keys wins; empty values and `-` are absent.
            (
                "SRC=1.1.1.1 SRC=4.4.4.4 DST= SPT=- PROTO=",
                Some([Some("4.4.4.4"), None, None, None, None]),
            ),
            ("IN=e DST=2.2.2.2 PROTO=UDP", None),
            ("FWD-DROP: no keys here", None),
            (
                "IN=e SRC=1.1.1.1 DST=\u{e9}",
                Some([Some("1.1.1.1"), Some("\u{e9}"), None, None, None]),
            ),
        ];
        for (body, want) in cases {
            let line = format!("{h} {body}");
            let mut lean = Fields::lean();
            let mut full = Fields::new();
            let (rl, rf) = (
                p.parse(line.as_bytes(), &mut lean),
                p.parse(line.as_bytes(), &mut full),
            );
            assert_eq!(rl.is_ok(), rf.is_ok(), "{body}");
            let Some(want) = want else {
                assert!(rl.is_err(), "{body}");
                continue;
            };
            rl.unwrap();
            let keys = [
                Norm::SrcIp,
                Norm::DstIp,
                Norm::SrcPort,
                Norm::DstPort,
                Norm::Proto,
            ];
            for (k, w) in keys.iter().zip(want) {
                assert_eq!(lean.get(*k), *w, "{body} {k:?}");
                assert_eq!(full.get(*k), *w, "{body} {k:?}");
            }
        }
        // A bad byte in a wanted value rejects the line, the first such key named.
        let mut f = Fields::lean();
        let line = b"Jan  2 03:04:05 fw kernel: IN=e DST=\xff SRC=\xfe";
        assert_eq!(p.parse(line, &mut f).unwrap_err(), "DST is not UTF-8");
    }

    #[test]
    fn damaged_lines() {
        let p = Netfilter::new(b"", &ctx(2024));
        assert!(
            p.parse_one(b"Jan  2 03:04:05 web kernel: hello world")
                .is_err()
        );
        assert!(p.parse_one(b"Jan  2 03:04").is_err());
        assert!(
            p.parse_one(b"Jan  2 03:04:05 web kernel: IN=e OUT= SRC=\xff\xfe DST=1")
                .is_err()
        );
        // Invalid UTF-8 in a non-required field is kept lossily.
        let f = p
            .parse_one(b"Jan  2 03:04:05 web kernel: X\xff IN=e\xff OUT= SRC=1.1.1.1 DST=2.2.2.2")
            .unwrap();
        assert_eq!(f.raw("IN"), Some("e\u{fffd}"));
        // Truncated mid-field.
        let f = p
            .parse_one(b"Jan  2 03:04:05 web kernel: IN=e OUT= SRC=1.1.1.1 DST=2.2.2.2 PROTO=TC")
            .unwrap();
        assert_eq!(f.get(Norm::Proto), Some("tc"));
    }
}
