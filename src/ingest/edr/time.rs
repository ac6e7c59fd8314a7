//! Every time form EDR exports use: ISO 8601 with or without a zone (naive times are read in
//! the source's zone), epoch seconds/ms/µs/FILETIME/ns (told apart by magnitude, or by the
//! field's name and the record's other times; fractions allowed), Windows FILETIME and .NET
//! ticks. All return UTC nanoseconds; none panic on any input.

use crate::model::{TzSpec, naive_to_utc};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

const NS: i64 = 1_000_000_000;
/// 100 ns intervals between 1601-01-01 and 1970-01-01.
const FILETIME_EPOCH: i64 = 116_444_736_000_000_000;
/// .NET ticks (100 ns since 0001-01-01) at 1970-01-01.
const TICKS_EPOCH: i64 = 621_355_968_000_000_000;

/// A time in any form this module knows: digits are an epoch (by magnitude), anything else
/// is ISO 8601.
pub fn parse_any(s: &str, tz: &TzSpec) -> Option<i64> {
    let t = s.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return epoch_auto(t);
    }
    parse_iso(t, tz).or_else(|| parse_us(t, tz))
}

/// The US form the Azure portal / Log Analytics writes in CSV exports:
/// `5/13/2022, 8:54:06.347 AM` (month first, 12-hour clock, comma optional). No zone → `tz`.
pub fn parse_us(s: &str, tz: &TzSpec) -> Option<i64> {
    let (date, rest) = s.trim().split_once(' ')?;
    let date = date.trim_end_matches(',');
    let mut d = date.splitn(3, '/').map(|x| x.parse::<u32>().ok());
    let (mo, day, year) = (d.next()??, d.next()??, d.next()??);
    if year < 1000 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, mo, day)?;
    let (clock, half) = rest.trim().rsplit_once(' ')?;
    let pm = match half {
        h if h.eq_ignore_ascii_case("AM") => false,
        h if h.eq_ignore_ascii_case("PM") => true,
        _ => return None,
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let mut t = hms.splitn(3, ':').map(|x| x.parse::<u32>().ok());
    let (h, m, sec) = (t.next()??, t.next()??, t.next().unwrap_or(Some(0))?);
    if !(1..=12).contains(&h) || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos = frac
        .bytes()
        .zip([
            100_000_000u32,
            10_000_000,
            1_000_000,
            100_000,
            10_000,
            1_000,
            100,
            10,
            1,
        ])
        .map(|(c, p)| u32::from(c - b'0') * p)
        .sum();
    let h24 = h % 12 + if pm { 12 } else { 0 };
    let time = NaiveTime::from_hms_nano_opt(h24, m, sec.min(59), nanos)?;
    naive_to_utc(NaiveDateTime::new(date, time), tz)
}

/// What an epoch number counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EpochUnit {
    Seconds,
    Millis,
    Micros,
    Nanos,
    /// Windows FILETIME: 100 ns since 1601-01-01.
    FileTime,
}

/// Unix nanoseconds at 1990-01-01: below it, an 18/19-digit number read as nanoseconds
/// would date the event 1973..1989, where FILETIME puts it in 1917..3600.
const NS_1990: u64 = crate::model::PLAUSIBLE_FROM as u64;

impl EpochUnit {
    /// The unit of a magnitude: < 1e11 seconds (up to year 5138), < 1e14 milliseconds,
    /// < 1e17 microseconds, < 6.3e17 FILETIME (a 2023 FILETIME is 1.33e17, which as
    /// nanoseconds is 1974), else nanoseconds.
    pub fn of_magnitude(mag: u64) -> EpochUnit {
        match mag {
            0..100_000_000_000 => EpochUnit::Seconds,
            100_000_000_000..100_000_000_000_000 => EpochUnit::Millis,
            100_000_000_000_000..100_000_000_000_000_000 => EpochUnit::Micros,
            m if m < NS_1990 => EpochUnit::FileTime,
            _ => EpochUnit::Nanos,
        }
    }

    /// A unit the field's name states (`…FileTime…`), if any.
    pub fn of_field(name: &str) -> Option<EpochUnit> {
        let n = name.to_ascii_lowercase();
        (n.contains("filetime") || n.contains("file_time")).then_some(EpochUnit::FileTime)
    }

    const ALL: [EpochUnit; 5] = [
        EpochUnit::Seconds,
        EpochUnit::Millis,
        EpochUnit::Micros,
        EpochUnit::Nanos,
        EpochUnit::FileTime,
    ];
}

/// Epoch time whose unit is told by magnitude (see [`EpochUnit::of_magnitude`]). A
/// fraction is allowed (`1625677521.137`).
pub fn epoch_auto(s: &str) -> Option<i64> {
    let (int, frac) = split_decimal(s)?;
    epoch_in(int, frac, EpochUnit::of_magnitude(int.unsigned_abs()))
}

/// An epoch number in `unit`.
pub fn epoch_in(int: i64, frac: &str, unit: EpochUnit) -> Option<i64> {
    match unit {
        EpochUnit::Seconds => scale(int, frac, NS),
        EpochUnit::Millis => scale(int, frac, 1_000_000),
        EpochUnit::Micros => scale(int, frac, 1_000),
        EpochUnit::Nanos => scale(int, "", 1),
        EpochUnit::FileTime => int.checked_sub(FILETIME_EPOCH)?.checked_mul(100),
    }
}

/// Reads an epoch time field: the unit its name states, else its magnitude's. When the
/// record's other times (`others`, UTC ns) are given and that reading is more than a day
/// from all of them while another unit lands within a day of one, that unit is taken (a
/// FILETIME beside Unix times, milliseconds in a field usually in seconds). `None` when
/// `s` is not a plain decimal number.
pub fn epoch_field(name: &str, s: &str, others: &[i64]) -> Option<i64> {
    const DAY: i64 = 86_400 * NS;
    let (int, frac) = split_decimal(s.trim())?;
    let unit = EpochUnit::of_field(name).unwrap_or(EpochUnit::of_magnitude(int.unsigned_abs()));
    let first = epoch_in(int, frac, unit);
    let near = |t: i64| others.iter().any(|o| t.abs_diff(*o) <= DAY.unsigned_abs());
    if others.is_empty() || first.is_some_and(near) {
        return first;
    }
    EpochUnit::ALL
        .iter()
        .filter_map(|u| epoch_in(int, frac, *u))
        .find(|t| near(*t))
        .or(first)
}

/// Epoch with an explicit unit (`unit` = nanoseconds per unit: 1e9 for s, 1e6 for ms...).
pub fn epoch_unit(s: &str, unit: i64) -> Option<i64> {
    let (int, frac) = split_decimal(s.trim())?;
    scale(int, frac, unit)
}

/// Windows FILETIME: 100 ns intervals since 1601-01-01 UTC (decimal, or `0x` hex).
pub fn filetime(s: &str) -> Option<i64> {
    let v = parse_int(s.trim())?;
    v.checked_sub(FILETIME_EPOCH)?.checked_mul(100)
}

/// .NET ticks: 100 ns intervals since 0001-01-01 UTC.
pub fn ticks(s: &str) -> Option<i64> {
    let v = parse_int(s.trim())?;
    v.checked_sub(TICKS_EPOCH)?.checked_mul(100)
}

fn parse_int(s: &str) -> Option<i64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => i64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// Splits `-123.456` into (-123, "456"); rejects anything that is not a plain decimal.
fn split_decimal(s: &str) -> Option<(i64, &str)> {
    let (i, f) = s.split_once('.').unwrap_or((s, ""));
    if i.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((i.parse().ok()?, f))
}

fn scale(int: i64, frac: &str, unit: i64) -> Option<i64> {
    let mut ns = int.checked_mul(unit)?;
    // Fraction digits of the unit, down to whole nanoseconds.
    let mut place = unit;
    let mut add: i64 = 0;
    for b in frac.bytes() {
        place /= 10;
        if place == 0 {
            break;
        }
        add += i64::from(b - b'0') * place;
    }
    if int < 0 {
        ns = ns.checked_sub(add)?;
    } else {
        ns = ns.checked_add(add)?;
    }
    Some(ns)
}

/// Whether `s` is an ISO time without a zone (read in the source's zone).
pub fn is_naive(s: &str) -> bool {
    let Some(plus1) = chrono::FixedOffset::east_opt(3600).map(TzSpec::Fixed) else {
        return false;
    };
    let utc = parse_iso(s, &TzSpec::Utc);
    utc.is_some() && parse_iso(s, &plus1) != utc
}

/// ISO 8601 / RFC 3339 and the common variants: `T` or space between date and time,
/// optional seconds, any number of fraction digits (`.1230000Z`), zone `Z`, `±HH:MM`,
/// `±HHMM`, `±HH`, ` UTC`/` GMT`, or `+0000 UTC` (Go's format). No zone → `tz`.
pub fn parse_iso(s: &str, tz: &TzSpec) -> Option<i64> {
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let d = b.get(from..from + len)?;
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        d.iter()
            .try_fold(0u32, |a, &c| Some(a * 10 + u32::from(c - b'0')))
    };
    let year = num(0, 4)?;
    let date_ok = b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-');
    if !date_ok {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, num(5, 2)?, num(8, 2)?)?;
    let mut i = 10;
    let mut time = NaiveTime::MIN;
    if matches!(b.get(i), Some(b'T' | b't' | b' ')) && b.get(i + 1).is_some_and(u8::is_ascii_digit)
    {
        let h = num(i + 1, 2)?;
        if b.get(i + 3) != Some(&b':') {
            return None;
        }
        let m = num(i + 4, 2)?;
        i += 6;
        let mut sec = 0;
        if b.get(i) == Some(&b':') {
            sec = num(i + 1, 2)?;
            i += 3;
        }
        let mut nanos = 0u32;
        if matches!(b.get(i), Some(b'.' | b',')) {
            i += 1;
            let mut place = 100_000_000u32;
            let start = i;
            while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
                nanos += u32::from(d - b'0') * place;
                place /= 10;
                i += 1;
            }
            if i == start {
                return None;
            }
        }
        // Leap second 60 is folded into 59.999…, as chrono cannot hold it in NaiveTime::from_hms.
        let sec = sec.min(59);
        time = NaiveTime::from_hms_nano_opt(h, m, sec, nanos)?;
    }
    let naive = NaiveDateTime::new(date, time);
    let rest = std::str::from_utf8(b.get(i..)?).ok()?.trim_start();
    match parse_zone(rest)? {
        Some(off) => naive
            .and_utc()
            .timestamp_nanos_opt()?
            .checked_sub(i64::from(off) * NS),
        None => naive_to_utc(naive, tz),
    }
}

/// The zone suffix: `Some(None)` for none, `Some(Some(seconds east))`, `None` if unreadable.
fn parse_zone(rest: &str) -> Option<Option<i32>> {
    if rest.is_empty() {
        return Some(None);
    }
    let r = rest.trim_end();
    if r.eq_ignore_ascii_case("z") || r.eq_ignore_ascii_case("utc") || r.eq_ignore_ascii_case("gmt")
    {
        return Some(Some(0));
    }
    let (sign, body) = match r.as_bytes().first()? {
        b'+' => (1, r.get(1..)?),
        b'-' => (-1, r.get(1..)?),
        _ => return None,
    };
    // Go prints "+0000 UTC"; the name after the offset adds nothing.
    let body = body.split(' ').next()?;
    let digits: String = body.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits.get(..2)?.parse().ok()?,
            digits.get(2..)?.parse().ok()?,
        ),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(Some(sign * (h * 3600 + m * 60)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ymd_hms;

    fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
        ymd_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn iso_variants() {
        let u = TzSpec::Utc;
        let base = t(2022, 5, 13, 8, 54, 5);
        assert_eq!(
            parse_iso("2022-05-13T08:54:05.1230000Z", &u),
            Some(base + 123_000_000)
        );
        assert_eq!(
            parse_iso("2022-05-13 08:54:05.123", &u),
            Some(base + 123_000_000)
        );
        assert_eq!(parse_iso("2022-05-13T10:54:05+02:00", &u), Some(base));
        assert_eq!(parse_iso("2022-05-13T03:54:05-0500", &u), Some(base));
        assert_eq!(
            parse_iso("2022-05-13 08:54:05.5 +0000 UTC", &u),
            Some(base + 500_000_000)
        );
        assert_eq!(
            parse_iso("2022-05-13T08:54Z", &u),
            Some(t(2022, 5, 13, 8, 54, 0))
        );
        assert_eq!(parse_iso("2022-05-13", &u), Some(t(2022, 5, 13, 0, 0, 0)));
        assert_eq!(
            parse_iso("2022-05-13T08:54:05.123456789123Z", &u),
            Some(base + 123_456_789)
        );
        let paris: TzSpec = "Europe/Paris".parse().unwrap();
        assert_eq!(parse_iso("2022-05-13 10:54:05", &paris), Some(base));
        assert_eq!(
            parse_iso("2022-05-13T10:54:05Z", &paris),
            Some(t(2022, 5, 13, 10, 54, 5))
        );
    }

    #[test]
    fn iso_rejects() {
        let u = TzSpec::Utc;
        for bad in [
            "",
            "18:32:29.470",
            "2022-13-01",
            "2022-05-13T8:5",
            "2022-05-13T08:54:05+99:00",
            "2022-05-13T08:54:05 junk",
            "2022-05-13T08:54:05.",
        ] {
            assert_eq!(parse_iso(bad, &u), None, "{bad}");
        }
    }

    #[test]
    fn naive_detection() {
        assert!(is_naive("2020-10-19 03:30:41.104"));
        assert!(!is_naive("2020-10-19T03:30:41Z"));
        assert!(!is_naive("2020-10-19T03:30:41-04:00"));
        assert!(!is_naive("1625677521"));
    }

    #[test]
    fn epochs_by_magnitude() {
        let base = t(2021, 7, 7, 17, 5, 21);
        assert_eq!(epoch_auto("1625677521"), Some(base));
        assert_eq!(epoch_auto("1625677521.137"), Some(base + 137_000_000));
        assert_eq!(epoch_auto("1625677521162"), Some(base + 162_000_000));
        assert_eq!(epoch_auto("1625677521162333"), Some(base + 162_333_000));
        assert_eq!(epoch_auto("1625677521162333444"), Some(base + 162_333_444));
        assert_eq!(epoch_auto("99999999999999999999"), None);
        assert_eq!(
            epoch_auto("1625677521162333444"),
            Some(base + 162_333_444),
            "nanoseconds after 1990 stay nanoseconds"
        );
        assert_eq!(epoch_auto("12a"), None);
        assert_eq!(parse_any(" 1625677521 ", &TzSpec::Utc), Some(base));
        assert_eq!(
            epoch_unit("1625677521162", 1_000_000),
            Some(base + 162_000_000)
        );
    }

    /// A Falcon identity-protection `ContextTimeStamp` holds a FILETIME: read as Unix
    /// nanoseconds it dated a 2023 alert in 1974.
    #[test]
    fn filetime_told_from_nanoseconds_by_magnitude() {
        let at = t(2023, 5, 1, 10, 0, 0);
        let ft = ((at / 100) + FILETIME_EPOCH).to_string();
        assert_eq!(ft, "133274088000000000");
        assert_eq!(epoch_auto(&ft), Some(at));
        assert_eq!(parse_any(&ft, &TzSpec::Utc), Some(at));
        assert_eq!(
            EpochUnit::of_magnitude(133_274_088_000_000_000),
            EpochUnit::FileTime
        );
        assert_eq!(EpochUnit::of_magnitude(NS_1990), EpochUnit::Nanos);
        // Every plausible FILETIME (1990..2200) falls in the FILETIME band.
        for y in [1990, 2000, 2023, 2100, 2200] {
            let ns = t(y, 1, 1, 0, 0, 0);
            assert_eq!(
                epoch_auto(&(ns / 100 + FILETIME_EPOCH).to_string()),
                Some(ns),
                "{y}"
            );
        }
    }

    #[test]
    fn epoch_fields_by_name_and_by_the_record_s_other_times() {
        let at = t(2023, 5, 1, 10, 0, 0);
        // A name that states the unit.
        let ft = (at / 100 + FILETIME_EPOCH).to_string();
        assert_eq!(epoch_field("LogonFileTime", &ft, &[]), Some(at));
        // Milliseconds where the magnitude says seconds would be ~1970; another time of
        // the record (within a day) tells the unit.
        let ms_small = "86400000"; // 1970-01-02 in ms, 1972 in s
        assert_eq!(epoch_field("x", ms_small, &[]), Some(86_400_000 * NS));
        assert_eq!(
            epoch_field("x", ms_small, &[86_400 * NS + 5]),
            Some(86_400 * NS)
        );
        // A reading within a day of the other times is kept.
        let s = (at / NS).to_string();
        assert_eq!(
            epoch_field("ContextTimeStamp", &s, &[at + 3_600 * NS]),
            Some(at)
        );
        // No unit lands near: the magnitude's reading stands.
        assert_eq!(epoch_field("x", &s, &[t(2000, 1, 1, 0, 0, 0)]), Some(at));
        assert_eq!(epoch_field("x", "12ab", &[at]), None);
    }

    #[test]
    fn filetime_and_ticks() {
        // 2020-01-01T00:00:00Z
        let base = t(2020, 1, 1, 0, 0, 0);
        assert_eq!(filetime("132223104000000000"), Some(base));
        assert_eq!(filetime("0x1d5c03669050000"), Some(base));
        assert_eq!(ticks("637134336000000000"), Some(base));
        // Out of range after scaling: None, not a wrapped value.
        assert_eq!(filetime("9223372036854775807"), None);
        assert_eq!(ticks("12"), None);
    }

    #[test]
    fn azure_portal_us_times() {
        let utc = TzSpec::Utc;
        let at = |h, mi, se| crate::model::ymd_hms(2022, 5, 13, h, mi, se).unwrap();
        assert_eq!(
            parse_any("5/13/2022, 8:54:06.347 AM", &utc),
            Some(at(8, 54, 6) + 347_000_000)
        );
        assert_eq!(
            parse_any("5/13/2022, 12:04:07 PM", &utc),
            Some(at(12, 4, 7))
        );
        assert_eq!(parse_any("5/13/2022 12:04:07 AM", &utc), Some(at(0, 4, 7)));
        assert_eq!(
            parse_any("5/13/2022, 1:04:07.5 pm", &utc),
            Some(at(13, 4, 7) + 500_000_000)
        );
        for bad in [
            "13/5/2022, 1:00:00 PM",
            "5/13/2022, 13:00:00 PM",
            "5/13/22, 1:00 PM",
            "5/13/2022, 1:00:00",
            "5/13/2022, 1:x:00 AM",
        ] {
            assert_eq!(parse_any(bad, &utc), None, "{bad}");
        }
    }
}
