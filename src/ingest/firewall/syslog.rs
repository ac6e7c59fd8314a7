//! Syslog envelopes around firewall messages: RFC 3164 (`Mmm dd HH:MM:SS host tag: msg`,
//! also Cisco's `Mmm dd yyyy HH:MM:SS`), RFC 5424 (`<PRI>1 TS HOST APP PROCID MSGID SD MSG`),
//! ISO-stamped journal/relay lines (`TS host tag: msg`), or only a `<PRI>`.
//!
//! Year inference for RFC 3164 (no year in the text), stateless per line: the year from
//! `--year` / the file's mtime names the year of the *last* dated line of the file; a line
//! whose month is after that last line's month must be from before a December → January
//! wrap and gets the previous year. So a file running Nov → Feb with mtime in Feb puts
//! Nov/Dec in the previous year. It cannot see more than one wrap (files spanning > 1 year).

use super::stamp::{self, Civil};
use super::text::next_token;
use crate::ingest::{ParseCtx, Prepared, Reason, RecordParser};
use crate::model::{Fields, TzSpec};
use memo::Last;

/// The parsed envelope; slices borrow the line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Header<'a> {
    pub civil: Option<Civil>,
    /// Explicit offset (seconds east) when the time carried one.
    pub offset: Option<i32>,
    /// The text had no year (RFC 3164): apply `YearRule`.
    pub no_year: bool,
    pub host: &'a [u8],
    pub app: &'a [u8],
    pub pid: &'a [u8],
    /// RFC 5424 MSGID.
    pub msgid: &'a [u8],
    /// RFC 5424 structured data, brackets included (`-` stripped).
    pub sd: &'a [u8],
    pub msg: &'a [u8],
}

/// How RFC 3164 lines get their year (see the module comment).
#[derive(Debug, Clone, Copy)]
pub struct YearRule {
    pub year: i32,
    pub last_month: u32,
    /// Yearless times were found and no `--year` was given: the year is the file's
    /// modification year, which the source report says.
    pub from_mtime: bool,
}

impl YearRule {
    /// From the context year and the month of the last dated line in `data`.
    pub fn for_data(data: &[u8], ctx: &ParseCtx) -> YearRule {
        let year = ctx.year();
        // Look at the last few lines only: the end of the file is what the mtime dates.
        let tail = &data[data.len().saturating_sub(64 * 1024)..];
        let last_month = crate::ingest::text::lines(tail)
            .rev()
            .take(256)
            .find_map(|l| parse(l).filter(|h| h.no_year).and_then(|h| h.civil))
            .map(|c| c.mo);
        YearRule {
            year,
            last_month: last_month.unwrap_or(12),
            from_mtime: ctx.year.is_none() && last_month.is_some(),
        }
    }

    pub fn year_of(&self, month: u32) -> i32 {
        if month > self.last_month {
            self.year - 1
        } else {
            self.year
        }
    }
}

/// How a source's syslog times become UTC: the zone of naive times and the year rule.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub tz: TzSpec,
    pub years: YearRule,
}

impl Clock {
    pub fn new(data: &[u8], ctx: &ParseCtx) -> Clock {
        Clock {
            tz: ctx.tz,
            years: YearRule::for_data(data, ctx),
        }
    }

    /// UTC ns of a header's time, if it had one.
    pub fn of(&self, h: &Header<'_>) -> Option<i64> {
        h.ts(&self.tz, &self.years)
    }

    /// The source note when the year came from the file's modification time.
    pub fn note(&self) -> Option<String> {
        let y = self.years.year;
        self.years.from_mtime.then(|| {
            format!("syslog times carry no year: read as {y} from the file's modification time (months after the last line's as {}); --year overrides", y - 1)
        })
    }

    /// `parser` over every line, with the year note.
    pub fn lines(&self, parser: impl RecordParser + 'static) -> Prepared {
        Prepared {
            note: self.note(),
            ..Prepared::lines(parser)
        }
    }
}

/// The reason of a line with no date of its own (a collector stripped its header).
pub const NO_TIME: Reason = Reason::Borrowed("no timestamp");

impl Header<'_> {
    /// UTC ns of the header time, if it had one.
    pub fn ts(&self, tz: &TzSpec, years: &YearRule) -> Option<i64> {
        let mut c = self.civil?;
        if self.no_year {
            c.y = years.year_of(c.mo);
        }
        c.resolve(self.offset, tz)
    }
}

fn pri(b: &[u8]) -> (Option<u16>, &[u8]) {
    if b.first() != Some(&b'<') {
        return (None, b);
    }
    let end = b.iter().take(5).position(|&c| c == b'>');
    match end {
        Some(e) if e > 1 => match super::text::uint(&b[1..e]) {
            Some(p) if p < 1024 => (Some(p as u16), &b[e + 1..]),
            _ => (None, b),
        },
        _ => (None, b),
    }
}

/// The header of a line that must have one, read into `h` and its time set on `out`: the
/// start of every parser whose format always arrives by syslog. A line without a date (its
/// header stripped by a collector) is `no timestamp`. (Filled in place: the header is 144
/// bytes, and moving it out of each call cost a copy per line.)
pub fn dated<'a>(
    rec: &'a [u8],
    clock: &Clock,
    out: &mut Fields<'a>,
    h: &mut Header<'a>,
) -> Result<(), Reason> {
    if !parse_into(rec, h) || h.civil.is_none() {
        return Err(NO_TIME);
    }
    out.ts = clock.of(h).ok_or(Reason::Borrowed("bad syslog time"))?;
    Ok(())
}

mod memo;

/// Parses a syslog envelope; `None` when the line has neither a PRI nor a known time.
pub fn parse(line: &[u8]) -> Option<Header<'_>> {
    let mut h = Header::default();
    parse_into(line, &mut h).then_some(h)
}

/// [`parse`] into `h`; false (and `h` unspecified) when it would be `None`.
pub fn parse_into<'a>(line: &'a [u8], h: &mut Header<'a>) -> bool {
    // Only a stamp opening the line is kept (not behind a PRI, `<`).
    let mut keep = false;
    if line.first().is_some_and(u8::is_ascii_alphanumeric) {
        match Last::hit(line, h) {
            Ok(()) => {
                relayed(h);
                return true;
            }
            Err(on) => keep = on,
        }
    }
    let Some((fresh, looked)) = parse_fresh(line, keep) else {
        return false;
    };
    *h = fresh;
    if let Some(l) = looked {
        Last::remember(line, l, h);
    }
    relayed(h);
    true
}

/// A relay's BSD line around the device's own RFC 5424 one (`Sep 23 13:54:55 relay
/// junos-flow: 2017-09-23T13:54:54.803Z srx RT_FLOW - MSGID [sd…]`): the inner header,
/// whose time has a zone, is the device's. Needs the SD (or `-`) in its place.
fn relayed<'a>(h: &mut Header<'a>) {
    // Strata Logging Service relays keep the octet count and PRI: `… 894 <142>1 2020-…`.
    if h.offset.is_some() {
        return;
    }
    let (_, m) = pri(octet_count(h.msg));
    if !m.first().is_some_and(u8::is_ascii_digit) {
        return;
    }
    let m = m.strip_prefix(b"1 ").unwrap_or(m);
    let Some((_, Some(_), n)) = stamp::iso(m) else {
        return;
    };
    let mut rest = &m[n..];
    for _ in 0..4 {
        rest = next_token(rest).1;
    }
    let rest = trim_start(rest);
    if rest.starts_with(b"[") || rest.starts_with(b"- ") || rest == b"-" {
        *h = rfc5424(Header::default(), m);
    }
}

/// [`parse_into`] without the memo; also, when `keep` and the stamp opens the line, how
/// far it read. (Inlined into its one caller: returned, the header was copied twice.)
#[inline(always)]
fn parse_fresh(line: &[u8], keep: bool) -> Option<(Header<'_>, Option<Looked>)> {
    let (pri, rest) = pri(octet_count(line));
    let at_start = keep && rest.len() == line.len();
    let mut h = Header::default();
    // RFC 5424: "1 " after the PRI.
    if pri.is_some() && rest.starts_with(b"1 ") {
        return Some((rfc5424(h, &rest[2..]), None));
    }
    // RFC 5424 with the PRI stripped by a collector (Wazuh archives): "1 <ISO time> …".
    if pri.is_none() && rest.starts_with(b"1 ") && stamp::iso(&rest[2..]).is_some() {
        return Some((rfc5424(h, &rest[2..]), None));
    }
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    // `<189>date=… time=…` (FortiGate): a `key=value` token where a stamp would be. Every
    // stamp starts with a digit, `[` or a day or month name and a space: none can match.
    if rest.first().is_some_and(u8::is_ascii_alphabetic) && next_token(rest).0.contains(&b'=') {
        h.msg = rest;
        return pri.map(|_| (h, None));
    }
    // The ctime forms open with a day name or `[`: most lines open with an ISO date.
    if !rest.first().is_some_and(u8::is_ascii_digit)
        && let Some(h) = ctime_forms(rest)
    {
        return Some((h, None));
    }
    // `stamp::iso`, with where the time ends before its zone.
    let (after, end, zoned) = if let Some((c, n)) = stamp::ymd_hms(rest) {
        let (off, z) = stamp::zone(&rest[n..]);
        h.civil = Some(c);
        h.offset = off;
        (&rest[n + z..], n, true)
    } else if let Some((c, n)) = stamp::bsd(rest) {
        h.no_year = c.y == 0;
        h.civil = Some(c);
        (&rest[n..], n, false)
    } else {
        // Only a PRI (FortiGate, raw ASA): the message is all that follows.
        h.msg = rest;
        return pri.map(|_| (h, None));
    };
    // Cisco puts a colon right after the time when it sends no host name.
    let after = after.strip_prefix(b":").unwrap_or(after);
    let (tok, tail) = next_token(after);
    // What was read of the line before the message or the tag: up to the token's separator.
    let at = |s: &[u8]| (s.as_ptr() as usize).wrapping_sub(line.as_ptr() as usize);
    let looked = |then| {
        let key_end = at(tail);
        let l = Looked {
            end,
            key_end,
            then,
            zoned,
        };
        (at_start && key_end <= line.len()).then_some(l)
    };
    // Host names have no `,`: a CSV payload (PAN-OS) may follow the time directly.
    if tok.first().is_none_or(|&c| c == b'%') || tok.iter().any(|&c| c == b'=' || c == b',') {
        h.msg = trim_start(after);
        return Some((h, looked(Then::Msg)));
    }
    // `Mmm dd HH:MM:SS tag[pid]: msg` (pfSense's local log): no host; names have no `[`.
    // Host names never end in `:`, so `Mmm dd HH:MM:SS filterlog: …` has none either.
    if tok.ends_with(b":") {
        tag(&mut h, after);
        return Some((h, looked(Then::Tag(at(after)))));
    }
    h.host = tok;
    tag(&mut h, tail);
    Some((h, looked(Then::Tag(at(tail)))))
}

/// How much of a line that opens with its stamp a fresh parse read before what comes
/// next: the stamp ends at `end`, and the bytes up to `key_end` decided the rest.
struct Looked {
    end: usize,
    key_end: usize,
    then: Then,
    /// The stamp was ISO (its zone read after it), not BSD.
    zoned: bool,
}

/// What the parse does past `key_end`: nothing more (the message begins there, or at a
/// position before it), or [`tag`] from a position.
#[derive(Clone, Copy)]
enum Then {
    Msg,
    Tag(usize),
}

/// `[Www Mmm dd HH:MM:SS yyyy] msg` (`dmesg -T`), OpenWrt `logread`'s
/// `Www Mmm dd HH:MM:SS yyyy facility.level tag: msg` (neither names a host), and
/// `journalctl -o short-full`.
fn ctime_forms(b: &[u8]) -> Option<Header<'_>> {
    // `journalctl -o short-full`: `Sat 2026-11-28 10:15:05 CET host tag: msg`.
    if let Some((c, off, n)) = stamp::weekday_iso(b) {
        let (host, tail) = next_token(&b[n..]);
        let mut h = Header {
            civil: Some(c),
            offset: off,
            host,
            ..Header::default()
        };
        tag(&mut h, tail);
        return Some(h);
    }
    let (inner, bracket) = match b.strip_prefix(b"[") {
        Some(r) => (r, true),
        None => (b, false),
    };
    let (c, n) = stamp::ctime(inner)?;
    let mut h = Header {
        civil: Some(c),
        ..Header::default()
    };
    let after = &inner[n..];
    if bracket {
        h.msg = trim_start(after.strip_prefix(b"]")?);
        return Some(h);
    }
    let (tok, tail) = next_token(after);
    let prio = memchr::memchr(b'.', tok).is_some()
        && tok.iter().all(|c| c.is_ascii_lowercase() || *c == b'.');
    tag(&mut h, if prio { tail } else { after });
    Some(h)
}

/// Skips an RFC 6587 octet-counting frame length (`535 <14>1 …`, as TCP relays store it).
fn octet_count(line: &[u8]) -> &[u8] {
    let n = line
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_digit())
        .count();
    match line.get(n..) {
        Some(rest) if n > 0 && rest.starts_with(b" <") => &rest[1..],
        _ => line,
    }
}

fn trim_start(b: &[u8]) -> &[u8] {
    let i = b
        .iter()
        .position(|&c| c != b' ' && c != b'\t')
        .unwrap_or(b.len());
    &b[i..]
}

/// `tag[pid]: msg` or `tag: msg`; anything else is all message.
fn tag<'a>(h: &mut Header<'a>, tail: &'a [u8]) {
    let tail = trim_start(tail);
    let (tok, rest) = next_token(tail);
    if let Some(t) = tok.strip_suffix(b":") {
        // A tag is a few bytes: a plain loop beats a memchr call here.
        if t.ends_with(b"]")
            && let Some(open) = t.iter().position(|&c| c == b'[')
        {
            h.app = &t[..open];
            h.pid = &t[open + 1..t.len() - 1];
            h.msg = rest;
            return;
        }
        if !t.is_empty()
            && t.iter()
                .all(|&c| c.is_ascii_graphic() && c != b'=' && c != b'%')
        {
            h.app = t;
            h.msg = rest;
            return;
        }
    }
    h.msg = tail;
}

fn nil(b: &[u8]) -> &[u8] {
    if b == b"-" { &[] } else { b }
}

fn rfc5424<'a>(mut h: Header<'a>, b: &'a [u8]) -> Header<'a> {
    let (ts, rest) = next_token(b);
    if let Some((c, off, _)) = stamp::iso(ts) {
        h.civil = Some(c);
        h.offset = off;
    }
    let (host, rest) = next_token(rest);
    let (app, rest) = next_token(rest);
    let (pid, rest) = next_token(rest);
    let (msgid, rest) = next_token(rest);
    h.host = nil(host);
    h.app = nil(app);
    h.pid = nil(pid);
    h.msgid = nil(msgid);
    let rest = trim_start(rest);
    if rest.first() == Some(&b'[') {
        let end = sd_end(rest);
        h.sd = &rest[..end];
        h.msg = trim_start(&rest[end..]);
    } else {
        let rest = rest.strip_prefix(b"-").unwrap_or(rest);
        h.msg = trim_start(rest);
    }
    // A BOM may open the message.
    if let Some(m) = h.msg.strip_prefix(b"\xEF\xBB\xBF") {
        h.msg = m;
    }
    h
}

/// End of the structured-data elements: `[..][..]`, respecting quoted values and `\]`.
pub fn sd_end(b: &[u8]) -> usize {
    let mut i = 0;
    let mut in_q = false;
    let mut depth_open = false;
    while i < b.len() {
        let c = b[i];
        if in_q {
            match c {
                b'\\' => i += 1,
                b'"' => in_q = false,
                _ => {}
            }
        } else {
            match c {
                b'"' => in_q = true,
                b'[' => depth_open = true,
                b']' => {
                    depth_open = false;
                    if b.get(i + 1) != Some(&b'[') {
                        return i + 1;
                    }
                }
                b' ' if !depth_open => return i,
                _ => {}
            }
        }
        i += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5424_without_pri() {
        let h =
            parse(b"1 2019-05-15T16:25:50Z HOSTNAME CheckPoint 19710 - [action:\"Drop\"]").unwrap();
        assert_eq!(
            (h.offset, h.host, h.app),
            (Some(0), &b"HOSTNAME"[..], &b"CheckPoint"[..])
        );
        assert_eq!(h.sd, b"[action:\"Drop\"]");
    }

    #[test]
    fn tag_without_host() {
        let h = parse(b"Jan 22 18:34:00 filterlog: 65,,,0,vmx1").unwrap();
        assert_eq!(
            (h.host, h.app, h.msg),
            (&b""[..], &b"filterlog"[..], &b"65,,,0,vmx1"[..])
        );
    }

    /// Wazuh junos tests: a relay's BSD header around the SRX's RFC 5424 line.
    #[test]
    fn relayed_rfc5424() {
        let h = parse(b"Sep 23 13:54:55 192.168.1.1 junos-flow: 2017-09-23T13:54:54.803Z srx1 RT_FLOW - RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.39 a=\"b\"]").unwrap();
        assert_eq!((h.offset, h.no_year), (Some(0), false));
        assert_eq!(
            (h.host, h.msgid),
            (&b"srx1"[..], &b"RT_FLOW_SESSION_DENY"[..])
        );
        let h =
            parse(b"Nov 28 10:00:05 relay 1 2026-11-28T10:00:05+01:00 fw RT_FLOW - X - m").unwrap();
        assert_eq!(
            (h.offset, h.host, h.msg),
            (Some(3600), &b"fw"[..], &b"m"[..])
        );
        // An ISO time inside a message that is not a syslog header stays message.
        let h = parse(b"Nov 28 10:00:05 h app: 2026-11-28T10:00:05Z started ok").unwrap();
        assert_eq!((h.offset, h.host), (None, &b"h"[..]));
    }

    /// OpenWrt `logread` and `dmesg -T` carry a ctime stamp with the year and no host.
    #[test]
    fn ctime_envelopes() {
        let h =
            parse(b"Sat Nov 28 10:00:01 2026 kern.warn kernel: [1.2] reject wan in: IN=x").unwrap();
        assert_eq!(
            h.civil.map(|c| (c.y, c.mo, c.d, c.h)),
            Some((2026, 11, 28, 10))
        );
        assert!(!h.no_year && h.host.is_empty());
        assert_eq!(h.app, b"kernel");
        assert_eq!(h.msg, b"[1.2] reject wan in: IN=x");
        let h = parse(b"Sat 2026-11-28 10:15:05 CET web01 kernel: [UFW BLOCK] IN=eth0").unwrap();
        assert_eq!(
            (h.offset, h.host, h.app),
            (Some(3600), &b"web01"[..], &b"kernel"[..])
        );
        assert_eq!(h.msg, b"[UFW BLOCK] IN=eth0");
        let h = parse(b"[Sat Nov 28 10:00:02 2026] [UFW BLOCK] IN=eth0").unwrap();
        assert_eq!(h.civil.map(|c| (c.y, c.s)), Some((2026, 2)));
        assert_eq!(h.msg, b"[UFW BLOCK] IN=eth0");
    }

    #[test]
    fn bsd_with_tag() {
        let h = parse(b"Sep 28 10:38:09 pfSense filterlog: 53,,,1000000301,em0").unwrap();
        assert_eq!(h.host, b"pfSense");
        assert_eq!(h.app, b"filterlog");
        assert_eq!(h.msg, b"53,,,1000000301,em0");
        assert!(h.no_year);
        let h =
            parse(b"Oct 10 2018 12:34:56 localhost CiscoASA[999]: %ASA-6-305011: Built").unwrap();
        assert_eq!(
            (h.app, h.pid, h.no_year),
            (&b"CiscoASA"[..], &b"999"[..], false)
        );
        assert_eq!(h.msg, b"%ASA-6-305011: Built");
    }

    #[test]
    fn rfc5424_with_sd() {
        let l = b"<134>1 2022-09-06T18:37:34+02:00 opnsense filterlog 69805 - [meta sequenceId=\"2633353\"] 10,,,02f4";
        let h = parse(l).unwrap();
        assert_eq!(
            (h.host, h.app, h.pid),
            (&b"opnsense"[..], &b"filterlog"[..], &b"69805"[..])
        );
        assert_eq!(h.sd, b"[meta sequenceId=\"2633353\"]");
        assert_eq!(h.msg, b"10,,,02f4");
        assert_eq!(h.offset, Some(7200));
        let h = parse(
            b"<134>1 2025-11-06T11:32:42.868451+00:00 firewall.lan filterlog 92653 - - 7,,,1",
        )
        .unwrap();
        assert_eq!((h.sd, h.msg), (&b""[..], &b"7,,,1"[..]));
        let h = parse(b"<14>1 x").unwrap();
        assert!(h.civil.is_none());
    }

    #[test]
    fn iso_and_pri_only() {
        let h = parse(b"2023-07-06T08:11:40+02:00 paloalto.test.host 1,2023/07/06").unwrap();
        assert_eq!(
            (h.host, h.app, h.msg),
            (&b"paloalto.test.host"[..], &b""[..], &b"1,2023/07/06"[..])
        );
        let h = parse(b"<189>date=2020-04-23 time=01:16:08").unwrap();
        assert_eq!(h.msg, b"date=2020-04-23 time=01:16:08");
        assert!(parse(b"date=2020-04-23").is_none());
        let h = parse(b"<166>Mar 01 2024 10:00:00: %ASA-4-106023: Deny").unwrap();
        assert_eq!((h.host, h.msg), (&b""[..], &b"%ASA-4-106023: Deny"[..]));
    }

    #[test]
    fn year_wrap_rule() {
        let data = b"Dec 31 23:59:59 h k: a\nJan  1 00:00:01 h k: b\n";
        let ctx = ParseCtx {
            mtime_year: 2024,
            ..ParseCtx::default()
        };
        let r = YearRule::for_data(data, &ctx);
        assert_eq!(r.last_month, 1);
        assert_eq!((r.year_of(12), r.year_of(1)), (2023, 2024));
    }
}
