//! Hand-rolled timestamp readers for the shapes firewalls write. They run once per line on
//! the hot path, so no chrono parsing, no allocation; only named zones go through chrono-tz.

use crate::model::{TzSpec, naive_to_utc};
use chrono::NaiveDate;
use std::cell::Cell;

const NS: i64 = 1_000_000_000;

/// A wall-clock time as written, before any zone is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Civil {
    pub y: i32,
    pub mo: u32,
    pub d: u32,
    pub h: u32,
    pub mi: u32,
    pub s: u32,
    pub ns: u32,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl Civil {
    pub fn valid(&self) -> bool {
        (1..=12).contains(&self.mo)
            && self.d >= 1
            && self.d <= days_in_month(self.y, self.mo)
            && self.h < 24
            && self.mi < 60
            && self.s < 61
            && self.ns < 1_000_000_000
            && (1..=9999).contains(&self.y)
    }

    /// UTC nanoseconds for this wall-clock time at a fixed offset east of UTC (seconds).
    pub fn at_offset(&self, off_secs: i32) -> Option<i64> {
        if !self.valid() {
            return None;
        }
        let days = days_from_civil(i64::from(self.y), self.mo, self.d);
        // A leap second (:60) is folded onto :59.
        let secs = days * 86_400
            + i64::from(self.h) * 3600
            + i64::from(self.mi) * 60
            + i64::from(self.s.min(59))
            - i64::from(off_secs);
        secs.checked_mul(NS)?.checked_add(i64::from(self.ns))
    }

    /// UTC nanoseconds for this wall-clock time in `tz` (DST handled by `naive_to_utc`).
    pub fn in_tz(&self, tz: &TzSpec) -> Option<i64> {
        match tz {
            TzSpec::Utc => self.at_offset(0),
            TzSpec::Fixed(o) => self.at_offset(o.local_minus_utc()),
            TzSpec::Named(_) => {
                if !self.valid() {
                    return None;
                }
                let n = NaiveDate::from_ymd_opt(self.y, self.mo, self.d)?.and_hms_nano_opt(
                    self.h,
                    self.mi,
                    self.s.min(59),
                    self.ns,
                )?;
                naive_to_utc(n, tz)
            }
        }
    }

    /// With an explicit offset when the text carried one, else in `tz`.
    pub fn resolve(&self, off: Option<i32>, tz: &TzSpec) -> Option<i64> {
        // Lines come in time order, many to the second: each thread keeps the last second
        // it resolved (day count, zone lookup). Same answer, as zones change on whole
        // seconds and the fraction is added last.
        type Second = (Civil, Option<i32>, TzSpec, Option<i64>);
        thread_local! {
            static LAST: Cell<Option<Second>> = const { Cell::new(None) };
        }
        if i64::from(self.ns) >= NS {
            return self.resolve_now(off, tz);
        }
        let whole = Civil { ns: 0, ..*self };
        let base = match LAST.get() {
            Some((c, o, z, base)) if c == whole && o == off && z == *tz => base,
            _ => {
                let base = whole.resolve_now(off, tz);
                LAST.set(Some((whole, off, *tz, base)));
                base
            }
        };
        base?.checked_add(i64::from(self.ns))
    }

    fn resolve_now(&self, off: Option<i32>, tz: &TzSpec) -> Option<i64> {
        match off {
            Some(o) => self.at_offset(o),
            None => self.in_tz(tz),
        }
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Optional `.fraction` (or `,fraction`) at `at`: nanoseconds and bytes used.
pub(super) fn fraction(b: &[u8], at: usize) -> (u32, usize) {
    match b.get(at) {
        Some(b'.') | Some(b',') => {}
        _ => return (0, 0),
    }
    let mut ns = 0u32;
    let mut n = 0usize;
    while let Some(c) = b.get(at + 1 + n).filter(|c| c.is_ascii_digit()) {
        if n < 9 {
            ns = ns * 10 + u32::from(c - b'0');
        }
        n += 1;
    }
    if n == 0 {
        return (0, 0);
    }
    for _ in n..9 {
        ns *= 10;
    }
    (ns, n + 1)
}

/// `HH:MM:SS[.frac]` at `at` into `c`; returns bytes used.
fn hms(b: &[u8], at: usize, c: &mut Civil) -> Option<usize> {
    c.h = digits(b, at, 2)?;
    (b.get(at + 2) == Some(&b':')).then_some(())?;
    c.mi = digits(b, at + 3, 2)?;
    (b.get(at + 5) == Some(&b':')).then_some(())?;
    c.s = digits(b, at + 6, 2)?;
    let (ns, used) = fraction(b, at + 8);
    c.ns = ns;
    Some(8 + used)
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.frac]` (also `/` date separators); returns the civil time
/// and bytes used. No zone.
pub fn ymd_hms(b: &[u8]) -> Option<(Civil, usize)> {
    thread_local! {
        static LAST: Cell<Option<Seen>> = const { Cell::new(None) };
    }
    Seen::memo(&LAST, b, ymd_hms_now)
}

/// A stamp reader: the time, where its seconds end, and bytes used.
type ReadStamp = fn(&[u8]) -> Option<(Civil, usize, usize)>;

/// The bytes of the last stamp a thread read, up to its seconds, and their time: the next
/// line in time order mostly repeats them. A stamp reader that reads nothing past its
/// seconds but the fraction gives the same time for the same bytes, so only the fraction
/// is read again. (Not `firewall::kept::Kept`: a stamp is often a value shorter than the
/// 24 bytes `Kept` would compare at once, as FortiGate's `date=`, and `Kept` then pads a
/// copy of it: tried, +1.2 % FortiGate ingest instructions.)
#[derive(Clone, Copy)]
struct Seen {
    key: [u8; 24],
    len: usize,
    civil: Civil,
}

impl Seen {
    /// `read(b)` gives the time, where its seconds end, and bytes used.
    fn memo(
        last: &'static std::thread::LocalKey<Cell<Option<Seen>>>,
        b: &[u8],
        read: ReadStamp,
    ) -> Option<(Civil, usize)> {
        if let Some(s) = last.get()
            && b.get(..s.len) == Some(&s.key[..s.len])
        {
            let (ns, used) = fraction(b, s.len);
            return Some((Civil { ns, ..s.civil }, s.len + used));
        }
        let (c, secs, n) = read(b)?;
        if let Some(head) = b.get(..secs).filter(|h| h.len() <= 24) {
            let mut key = [0; 24];
            key[..secs].copy_from_slice(head);
            last.set(Some(Seen {
                key,
                len: secs,
                civil: Civil { ns: 0, ..c },
            }));
        }
        Some((c, n))
    }
}

/// The time, where its seconds end (byte 19), and bytes used.
fn ymd_hms_now(b: &[u8]) -> Option<(Civil, usize, usize)> {
    let mut c = Civil {
        y: digits(b, 0, 4)? as i32,
        ..Civil::default()
    };
    let sep = *b.get(4)?;
    if (sep != b'-' && sep != b'/') || b.get(7) != Some(&sep) {
        return None;
    }
    c.mo = digits(b, 5, 2)?;
    c.d = digits(b, 8, 2)?;
    match b.get(10) {
        Some(b'T') | Some(b' ') => {}
        _ => return None,
    }
    let used = hms(b, 11, &mut c)?;
    Some((c, 19, 11 + used))
}

/// A zone suffix: `Z`, `+HH:MM`, `+HHMM`, `+HH`, and the lenient `--5:00` seen in the wild.
/// Returns the offset east of UTC in seconds and bytes used; `(None, 0)` when absent.
pub fn zone(b: &[u8]) -> (Option<i32>, usize) {
    match b.first() {
        Some(b'Z') | Some(b'z') => return (Some(0), 1),
        Some(b'+') | Some(b'-') => {}
        _ => return (None, 0),
    }
    let neg = b[0] == b'-';
    let mut i = 1;
    if neg && b.get(1) == Some(&b'-') {
        i = 2;
    }
    let hd = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let (h, m, used) = match hd {
        1 | 2 => {
            let h = digits(b, i, hd).unwrap_or(0);
            if b.get(i + hd) == Some(&b':') {
                match digits(b, i + hd + 1, 2) {
                    Some(m) => (h, m, i + hd + 3),
                    None => (h, 0, i + hd),
                }
            } else {
                (h, 0, i + hd)
            }
        }
        4 => (
            digits(b, i, 2).unwrap_or(0),
            digits(b, i + 2, 2).unwrap_or(0),
            i + 4,
        ),
        _ => return (None, 0),
    };
    if h > 23 || m > 59 {
        return (None, 0);
    }
    let secs = (h * 3600 + m * 60) as i32;
    (Some(if neg { -secs } else { secs }), used)
}

/// RFC 3339 / ISO 8601 (`2022-07-16T18:51:20.5+02:00`, zone optional): civil time, offset,
/// bytes used.
pub fn iso(b: &[u8]) -> Option<(Civil, Option<i32>, usize)> {
    let (c, n) = ymd_hms(b)?;
    let (off, z) = zone(b.get(n..).unwrap_or(&[]));
    Some((c, off, n + z))
}

/// A JSON time value: an epoch number of any precision, or an ISO 8601 time (all of the
/// text) at its zone, else `off`, else `tz`. (`YYYY/MM/DD` is not a number: its fifth
/// byte is not a digit.)
pub fn epoch_or_iso(v: &str, off: Option<i32>, tz: &TzSpec) -> Option<i64> {
    let b = v.trim().as_bytes();
    if b.first().is_some_and(u8::is_ascii_digit) && b.get(4).is_some_and(u8::is_ascii_digit) {
        return epoch_auto(b);
    }
    let (c, zone, used) = iso(b)?;
    (used == b.len()).then_some(())?;
    c.resolve(zone.or(off), tz)
}

/// A date and a time written apart (`date=2024-05-01 time=10:11:12`): the civil time.
pub fn date_and_time(d: &[u8], t: &[u8]) -> Option<Civil> {
    // Reassembled as "YYYY-MM-DD HH:MM:SS" on the stack.
    let mut buf = [0u8; 40];
    let b = buf.get_mut(..d.len() + 1 + t.len())?;
    b[..d.len()].copy_from_slice(d);
    b[d.len()] = b' ';
    b[d.len() + 1..].copy_from_slice(t);
    ymd_hms(b).map(|(c, _)| c)
}

/// Common Log Format time `dd/Mon/yyyy:HH:MM:SS[ +zzzz]` (Proxmox VE firewall): civil
/// time, offset, bytes used.
pub fn clf(b: &[u8]) -> Option<(Civil, Option<i32>, usize)> {
    let seps = b.get(2) == Some(&b'/') && b.get(6) == Some(&b'/') && b.get(11) == Some(&b':');
    if !seps {
        return None;
    }
    let mut c = Civil {
        y: digits(b, 7, 4)? as i32,
        mo: month(b.get(3..)?)?,
        d: digits(b, 0, 2)?,
        ..Civil::default()
    };
    let n = 12 + hms(b, 12, &mut c)?;
    match b.get(n) {
        Some(b' ') => {
            let (off, z) = zone(&b[n + 1..]);
            Some((c, off, if z > 0 { n + 1 + z } else { n }))
        }
        _ => Some((c, None, n)),
    }
}

/// Sophos UTM (Astaro) time `YYYY:MM:DD-HH:MM:SS`, naive; returns bytes used.
pub fn utm(b: &[u8]) -> Option<(Civil, usize)> {
    if b.get(4) != Some(&b':') || b.get(7) != Some(&b':') || b.get(10) != Some(&b'-') {
        return None;
    }
    let mut c = Civil {
        y: digits(b, 0, 4)? as i32,
        mo: digits(b, 5, 2)?,
        d: digits(b, 8, 2)?,
        ..Civil::default()
    };
    let used = hms(b, 11, &mut c)?;
    Some((c, 11 + used))
}

/// The first three bytes as one word with ASCII letters lower-cased (`| 0x20` folds only
/// capitals onto lower-case letters, so comparing with a lower-case name is exact).
fn word3(b: &[u8]) -> Option<u32> {
    let w = b.first_chunk::<3>()?;
    Some(u32::from_le_bytes([w[0], w[1], w[2], 0]) | 0x0020_2020)
}

const fn lower3(n: &[u8; 3]) -> u32 {
    u32::from_le_bytes([n[0], n[1], n[2], 0]) | 0x0020_2020
}

const MONTHS: [u32; 12] = [
    lower3(b"jan"),
    lower3(b"feb"),
    lower3(b"mar"),
    lower3(b"apr"),
    lower3(b"may"),
    lower3(b"jun"),
    lower3(b"jul"),
    lower3(b"aug"),
    lower3(b"sep"),
    lower3(b"oct"),
    lower3(b"nov"),
    lower3(b"dec"),
];

pub fn month(b: &[u8]) -> Option<u32> {
    let m = word3(b)?;
    MONTHS.iter().position(|&x| x == m).map(|i| i as u32 + 1)
}

/// Offsets of zone abbreviations that mean one thing only.
pub fn zone_name(z: &[u8]) -> Option<i32> {
    let h = 3600;
    Some(match z {
        b"UTC" | b"GMT" | b"Z" => 0,
        b"CET" => h,
        b"CEST" => 2 * h,
        b"BST" => h,
        b"EET" => 2 * h,
        b"EEST" => 3 * h,
        b"EST" => -5 * h,
        b"EDT" => -4 * h,
        b"CDT" => -5 * h,
        b"MST" => -7 * h,
        b"MDT" => -6 * h,
        b"PST" => -8 * h,
        b"PDT" => -7 * h,
        b"JST" => 9 * h,
        // Numeric zones as some firmware writes them: "+08", "+0530", "-05:00".
        _ => match zone(z) {
            (Some(off), n) if n == z.len() => off,
            _ => return None,
        },
    })
}

const DAYS: [u32; 7] = [
    lower3(b"mon"),
    lower3(b"tue"),
    lower3(b"wed"),
    lower3(b"thu"),
    lower3(b"fri"),
    lower3(b"sat"),
    lower3(b"sun"),
];

/// `b` opens with a day name and a space.
fn weekday(b: &[u8]) -> bool {
    b.get(3) == Some(&b' ') && word3(b).is_some_and(|w| DAYS.contains(&w))
}

/// `journalctl -o short-full`: `Www YYYY-MM-DD HH:MM:SS[.frac] ZONE` (a zone name, read
/// when unambiguous). Returns the time, its offset and bytes used.
pub fn weekday_iso(b: &[u8]) -> Option<(Civil, Option<i32>, usize)> {
    if !weekday(b) {
        return None;
    }
    let (c, n) = ymd_hms(&b[4..])?;
    let i = 4 + n;
    let z = b.get(i + 1..)?;
    if b[i] != b' ' {
        return None;
    }
    let zl = z.iter().take_while(|c| !c.is_ascii_whitespace()).count();
    if zl == 0
        || !z[..zl]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"+-:/_".contains(c))
    {
        return None;
    }
    Some((c, zone_name(&z[..zl]), i + 1 + zl))
}

/// C `ctime` time `Www Mmm dd HH:MM:SS[.frac] yyyy` (OpenWrt `logread`, `dmesg -T`).
/// Returns bytes used.
pub fn ctime(b: &[u8]) -> Option<(Civil, usize)> {
    if !weekday(b) {
        return None;
    }
    let (mut c, n) = bsd(&b[4..])?;
    let i = 4 + n;
    if c.y != 0 || b.get(i) != Some(&b' ') {
        return None;
    }
    c.y = digits(b, i + 1, 4)? as i32;
    let end = i + 5;
    b.get(end)
        .is_none_or(|&x| !x.is_ascii_digit())
        .then_some((c, end))
}

/// BSD syslog time `Mmm dd HH:MM:SS[.frac]` or `Mmm dd yyyy HH:MM:SS` (Cisco). The year is
/// 0 when the text has none. Returns bytes used.
pub fn bsd(b: &[u8]) -> Option<(Civil, usize)> {
    thread_local! {
        static LAST: Cell<Option<Seen>> = const { Cell::new(None) };
    }
    Seen::memo(&LAST, b, bsd_now)
}

/// The time, where its seconds end, and bytes used.
fn bsd_now(b: &[u8]) -> Option<(Civil, usize, usize)> {
    let mut c = Civil {
        mo: month(b)?,
        ..Civil::default()
    };
    if b.get(3) != Some(&b' ') {
        return None;
    }
    // Day: "8", " 8" or "08".
    let mut i = 4;
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    let dd = b[i.min(b.len())..]
        .iter()
        .take(2)
        .take_while(|c| c.is_ascii_digit())
        .count();
    c.d = digits(b, i, dd.max(1))?;
    i += dd;
    if b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    if let Some(y) = digits(b, i, 4).filter(|_| b.get(i + 4) == Some(&b' ')) {
        c.y = y as i32;
        i += 5;
    }
    let used = hms(b, i, &mut c)?;
    // `hms` reads `HH:MM:SS`, then the fraction.
    Some((c, i + 8, i + used))
}

/// Epoch number of any common precision (s, ms, µs, FILETIME, ns), told apart by its
/// magnitude as the EDR readers do (`edr::time::EpochUnit::of_magnitude`).
pub fn epoch_auto(b: &[u8]) -> Option<i64> {
    use crate::ingest::edr::time::{EpochUnit, epoch_in};
    let (int, frac) = match memchr::memchr(b'.', b) {
        Some(i) => (&b[..i], Some(&b[i..])),
        None => (b, None),
    };
    let n = super::text::uint(int)?;
    match EpochUnit::of_magnitude(n) {
        EpochUnit::Seconds => {
            let f = frac.map(|f| fraction(f, 0).0).unwrap_or(0);
            i64::try_from(n)
                .ok()?
                .checked_mul(NS)?
                .checked_add(i64::from(f))
        }
        unit => epoch_in(i64::try_from(n).ok()?, "", unit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ymd_hms as utc;

    #[test]
    fn clf_times() {
        let (c, off, n) = clf(b"14/Mar/2023:10:45:43 +0100 policy").unwrap();
        assert_eq!((c.y, c.mo, c.d, c.h, c.mi, c.s), (2023, 3, 14, 10, 45, 43));
        assert_eq!((off, n), (Some(3600), 26));
        assert_eq!(
            clf(b"14/Mar/2023:10:45:43").map(|t| (t.1, t.2)),
            Some((None, 20))
        );
        assert!(clf(b"14/Mxx/2023:10:45:43").is_none());
        assert!(clf(b"14-Mar-2023:10:45:43").is_none());
        assert!(clf(b"14/Mar/2023:1").is_none());
    }

    #[test]
    fn civil_matches_chrono() {
        for (y, mo, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (2024, 12, 31),
            (1969, 7, 20),
            (2038, 1, 19),
        ] {
            let c = Civil {
                y,
                mo,
                d,
                h: 3,
                mi: 4,
                s: 5,
                ns: 0,
            };
            assert_eq!(c.at_offset(0), utc(y, mo, d, 3, 4, 5));
        }
        assert!(
            Civil {
                y: 2023,
                mo: 2,
                d: 29,
                ..Civil::default()
            }
            .at_offset(0)
            .is_none()
        );
    }

    #[test]
    fn weekday_iso_forms() {
        let (c, off, n) = weekday_iso(b"Sat 2026-11-28 10:15:05 CET web01").unwrap();
        assert_eq!((off, n), (Some(3600), 27));
        assert_eq!(c.at_offset(3600), utc(2026, 11, 28, 9, 15, 5));
        let (_, off, _) = weekday_iso(b"Sat 2026-11-28 10:15:05.123456 AEDT h").unwrap();
        assert_eq!(off, None);
        assert!(weekday_iso(b"Sat 2026-11-28 10:15:05").is_none());
    }

    #[test]
    fn ctime_forms() {
        let (c, n) = ctime(b"Sat Nov 28 10:00:01 2026 kern.warn").unwrap();
        assert_eq!(n, 24);
        assert_eq!(c.at_offset(0), utc(2026, 11, 28, 10, 0, 1));
        let (c, n) = ctime(b"Mon Mar  2 07:08:09 2026]").unwrap();
        assert_eq!(n, 24);
        assert_eq!(c.at_offset(0), utc(2026, 3, 2, 7, 8, 9));
        assert!(ctime(b"Sat Nov 28 10:00:01 x").is_none());
        assert!(ctime(b"Nov 28 10:00:01 2026").is_none());
    }

    #[test]
    fn iso_forms() {
        let (c, off, n) = iso(b"2019-11-14T09:37:51.184+01:00 x").unwrap();
        assert_eq!((off, n), (Some(3600), 29));
        assert_eq!(
            c.at_offset(3600),
            utc(2019, 11, 14, 8, 37, 51).map(|t| t + 184_000_000)
        );
        assert_eq!(
            iso(b"2023-01-13T10:10:16--5:00").unwrap().1,
            Some(-5 * 3600)
        );
        assert_eq!(iso(b"2024-01-01 10:00:00+0100").unwrap().1, Some(3600));
        assert_eq!(iso(b"2013-01-19T15:18:17.040 SRX").unwrap().1, None);
        assert!(
            iso(b"2013-13-19T15:18:17")
                .unwrap()
                .0
                .at_offset(0)
                .is_none()
        );
        assert!(iso(b"2013-01-19T15:18").is_none());
    }

    #[test]
    fn bsd_forms() {
        let (c, n) = bsd(b"Jun  8 14:34:33 host").unwrap();
        assert_eq!((c.mo, c.d, c.h, c.y, n), (6, 8, 14, 0, 15));
        let (c, _) = bsd(b"Oct 10 2018 12:34:56 localhost").unwrap();
        assert_eq!((c.y, c.mo, c.s), (2018, 10, 56));
        let (c, n) = bsd(b"Jan 01 00:00:01.250000 h").unwrap();
        assert_eq!((c.ns, n), (250_000_000, 22));
        assert!(bsd(b"Foo 01 00:00:01").is_none());
        assert!(bsd(b"Jan").is_none());
    }

    #[test]
    fn epochs() {
        assert_eq!(epoch_auto(b"1592961368"), Some(1_592_961_368 * NS));
        assert_eq!(
            epoch_auto(b"1592961368123"),
            Some(1_592_961_368_123_000_000)
        );
        assert_eq!(
            epoch_auto(b"1587230049761513222"),
            Some(1_587_230_049_761_513_222)
        );
        assert_eq!(
            epoch_auto(b"1587230049761513"),
            Some(1_587_230_049_761_513_000)
        );
        // A FILETIME (2023-05-01T10:00:00Z), not nanoseconds in 1974.
        assert_eq!(
            epoch_auto(b"133274088000000000"),
            crate::model::ymd_hms(2023, 5, 1, 10, 0, 0)
        );
        assert_eq!(epoch_auto(b"12x"), None);
        assert_eq!(epoch_auto(b"99999999999999999999"), None);
    }

    /// The per-thread memos (`ymd_hms`, `bsd`, `Civil::resolve`) answer as the parse
    /// does, whatever was read before on the same thread.
    mod memo_props {
        use super::*;
        use proptest::prelude::*;

        const STAMPS: [&str; 7] = [
            "2026-03-13T05:07:25.006476+01:00",
            "2026/03/13 05:07:25 fw",
            "2026-03-13 05:07:26,5",
            "Mar 13 05:07:25 host",
            "Mar  3 05:07:25.25 h",
            "Oct 10 2018 12:34:56 h",
            "Oct 1 12:34:56",
        ];

        /// Stamps made to differ: the memos' keys must tell them apart.
        fn variant() -> impl Strategy<Value = Vec<u8>> {
            crate::ingest::firewall::tests::mutated(&STAMPS, b"0123456789 :-/.,TZ+aMO")
        }

        proptest! {
            #[test]
            fn time_memos_answer_as_the_parse(seq in prop::collection::vec(variant(), 1..40)) {
                for b in &seq {
                    prop_assert_eq!(ymd_hms(b), ymd_hms_now(b).map(|(c, _, n)| (c, n)));
                    prop_assert_eq!(bsd(b), bsd_now(b).map(|(c, _, n)| (c, n)));
                }
            }

            /// Around Paris's spring gap (2024-03-31 02:00), leap and bad seconds, bad days
            /// and fractions of a second or more.
            #[test]
            fn resolve_memo_answers_as_the_zone(
                seq in prop::collection::vec(
                    (0..3u32, 0..4u32, 0..2_000_000_000u32, prop::option::of(-3600..7200i32), 0..3usize),
                    1..40,
                )
            ) {
                let zones: [TzSpec; 3] = [
                    TzSpec::Utc,
                    "+01:00".parse().unwrap(),
                    "Europe/Paris".parse().unwrap(),
                ];
                for (d, s, ns, off, z) in seq {
                    let c = Civil { y: 2024, mo: 3, d: 30 + d, h: 2, mi: 30, s: s * 20, ns };
                    prop_assert_eq!(c.resolve(off, &zones[z]), c.resolve_now(off, &zones[z]));
                }
            }
        }
    }
}
