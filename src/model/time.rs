//! Time handling: everything is stored as UTC nanoseconds; naive local times are converted
//! with an explicit zone (`--tz`), and display happens in the zone the user picks.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

/// A zone for naive timestamps or for display: UTC, a fixed offset, or an IANA zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TzSpec {
    #[default]
    Utc,
    Fixed(FixedOffset),
    Named(Tz),
}

/// A `--tz` value that names no zone.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TzError {
    #[error("bad offset {0:?}")]
    Offset(String),
    #[error("unknown time zone {0:?} (use an IANA name like Europe/Paris, or ±HH:MM)")]
    Zone(String),
}

impl FromStr for TzSpec {
    type Err = TzError;
    fn from_str(s: &str) -> Result<Self, TzError> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("utc") || t == "Z" || t.eq_ignore_ascii_case("gmt") {
            return Ok(TzSpec::Utc);
        }
        if let Some(rest) = t.strip_prefix(['+', '-']) {
            let sign = if t.starts_with('-') { -1 } else { 1 };
            let (h, m) = match rest.split_once(':') {
                Some((h, m)) => (h, m),
                // `+0530`; four bytes of other text are no offset (and may not split at 2).
                None if rest.len() == 4 && rest.is_ascii() => (&rest[..2], &rest[2..]),
                None => (rest, "0"),
            };
            let h: i32 = h.parse().map_err(|_| TzError::Offset(s.to_owned()))?;
            let m: i32 = m.parse().map_err(|_| TzError::Offset(s.to_owned()))?;
            if h > 23 || m > 59 {
                return Err(TzError::Offset(s.to_owned()));
            }
            let off = FixedOffset::east_opt(sign * (h * 3600 + m * 60))
                .ok_or_else(|| TzError::Offset(s.to_owned()))?;
            return Ok(TzSpec::Fixed(off));
        }
        t.parse::<Tz>()
            .map(TzSpec::Named)
            .map_err(|_| TzError::Zone(s.to_owned()))
    }
}

impl fmt::Display for TzSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TzSpec::Utc => f.write_str("UTC"),
            TzSpec::Fixed(o) => write!(f, "{o}"),
            TzSpec::Named(t) => f.write_str(t.name()),
        }
    }
}

fn pick<T: TimeZone>(r: LocalResult<DateTime<T>>) -> Option<i64> {
    match r {
        LocalResult::Single(d) => d.timestamp_nanos_opt(),
        // Autumn fold: take the first (earlier) instant; the log cannot tell us more.
        LocalResult::Ambiguous(a, _) => a.timestamp_nanos_opt(),
        LocalResult::None => None,
    }
}

/// Converts a naive wall-clock time in `tz` to UTC nanoseconds. Times in a spring-forward
/// gap are taken as if the clock had not jumped yet (shifted by one hour).
pub fn naive_to_utc(n: NaiveDateTime, tz: &TzSpec) -> Option<i64> {
    let r = match tz {
        TzSpec::Utc => return n.and_utc().timestamp_nanos_opt(),
        TzSpec::Fixed(o) => pick(o.from_local_datetime(&n)),
        TzSpec::Named(t) => pick(t.from_local_datetime(&n)),
    };
    r.or_else(|| {
        let shifted = n + chrono::Duration::hours(1);
        match tz {
            TzSpec::Named(t) => {
                pick(t.from_local_datetime(&shifted)).map(|x| x - 3_600_000_000_000)
            }
            _ => None,
        }
    })
}

/// RFC 3339 in UTC with full precision (`Z` suffix).
pub fn format_rfc3339(ns: i64) -> String {
    DateTime::<Utc>::from_timestamp_nanos(ns).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Display form in a zone: `2022-12-03 18:04:05.123` plus the zone's offset when not UTC.
pub fn format_display(ns: i64, tz: &TzSpec) -> String {
    let d = DateTime::<Utc>::from_timestamp_nanos(ns);
    match tz {
        TzSpec::Utc => d.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
        TzSpec::Fixed(o) => d
            .with_timezone(o)
            .format("%Y-%m-%d %H:%M:%S%.3f%:z")
            .to_string(),
        TzSpec::Named(t) => d
            .with_timezone(t)
            .format("%Y-%m-%d %H:%M:%S%.3f%:z")
            .to_string(),
    }
}

/// Parses an absolute time or a prefix of one (`2022-12-03T18`, `2022-12-03 18:04`,
/// `2022-12`), returning the start of the period it names, in `tz` unless it carries an
/// offset. Also accepts full RFC 3339.
pub fn parse_time_prefix(s: &str, tz: &TzSpec) -> Option<i64> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return d.timestamp_nanos_opt();
    }
    let norm = s.replace(' ', "T");
    let (body, zone) = split_zone(&norm);
    let tz = match zone {
        Some(z) => z.parse::<TzSpec>().ok()?,
        None => *tz,
    };
    // Pad the prefix out to a full timestamp.
    const FULL: &str = "0000-01-01T00:00:00";
    let b = body.as_bytes();
    if b.len() < 4 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (main, frac) = match body.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (body, None),
    };
    if main.len() > FULL.len() {
        return None;
    }
    let mut full = String::from(main);
    full.push_str(&FULL[main.len()..]);
    // "2022-12" pads to "2022-12-01..." but the slot must hold a valid month/day.
    let fixed: String = full
        .char_indices()
        .map(|(i, c)| {
            if (i == 6 || i == 9) && main.len() < i {
                '1'
            } else {
                c
            }
        })
        .collect();
    let mut n = NaiveDateTime::parse_from_str(&fixed, "%Y-%m-%dT%H:%M:%S").ok()?;
    if let Some(f) = frac {
        if !f.bytes().all(|c| c.is_ascii_digit()) || f.is_empty() || f.len() > 9 {
            return None;
        }
        let nanos: u32 = format!("{f:0<9}").parse().ok()?;
        n = n.with_nanosecond_checked(nanos)?;
    }
    naive_to_utc(n, &tz)
}

trait WithNanos: Sized {
    fn with_nanosecond_checked(self, n: u32) -> Option<Self>;
}
impl WithNanos for NaiveDateTime {
    fn with_nanosecond_checked(self, n: u32) -> Option<Self> {
        use chrono::Timelike;
        self.with_nanosecond(n)
    }
}

fn split_zone(s: &str) -> (&str, Option<&str>) {
    if let Some(b) = s.strip_suffix('Z') {
        return (b, Some("UTC"));
    }
    // An offset after the time part: ...T18:04+02:00
    if let Some(t) = s.find('T')
        && let Some(p) = s[t..].rfind(['+', '-'])
    {
        return (&s[..t + p], Some(&s[t + p..]));
    }
    (s, None)
}

/// 1990-01-01T00:00:00Z: no evidence vigil reads predates it, so an earlier time is a
/// misread (a unit or epoch mistaken) or a clock never set, and the event is `bad_time`.
pub const PLAUSIBLE_FROM: i64 = 631_152_000_000_000_000;

/// The latest plausible event time: one day after `now` (UTC ns), room for clocks that
/// run ahead and zones mistaken for UTC.
pub fn plausible_until(now: i64) -> i64 {
    now.saturating_add(86_400_000_000_000)
}

/// Now, in UTC nanoseconds (the end of the plausible range is computed from it).
pub fn now_ns() -> i64 {
    Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX)
}

/// Unix epoch nanoseconds for a calendar date (tests and samples).
pub fn ymd_hms(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    NaiveDate::from_ymd_opt(y, mo, d)?
        .and_hms_opt(h, mi, s)?
        .and_utc()
        .timestamp_nanos_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tz_spec_parses() {
        assert_eq!("UTC".parse::<TzSpec>(), Ok(TzSpec::Utc));
        assert!(matches!("+02:00".parse::<TzSpec>(), Ok(TzSpec::Fixed(_))));
        assert!(matches!("-0530".parse::<TzSpec>(), Ok(TzSpec::Fixed(_))));
        assert!(matches!(
            "Europe/Paris".parse::<TzSpec>(),
            Ok(TzSpec::Named(_))
        ));
        assert!("Mars/Base".parse::<TzSpec>().is_err());
        // Four bytes after the sign that are not four characters (a proptest found it).
        assert!("-iࠀ".parse::<TzSpec>().is_err());
        assert!("+1é1".parse::<TzSpec>().is_err());
    }

    #[test]
    fn dst_change_in_paris() {
        let tz: TzSpec = "Europe/Paris".parse().unwrap();
        let n = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        // Before the spring change: UTC+1. After: UTC+2.
        assert_eq!(
            naive_to_utc(n("2024-03-31 01:30:00"), &tz),
            ymd_hms(2024, 3, 31, 0, 30, 0)
        );
        assert_eq!(
            naive_to_utc(n("2024-03-31 03:30:00"), &tz),
            ymd_hms(2024, 3, 31, 1, 30, 0)
        );
        // In the gap: shifted.
        assert_eq!(
            naive_to_utc(n("2024-03-31 02:30:00"), &tz),
            ymd_hms(2024, 3, 31, 0, 30, 0)
        );
        // Autumn fold: the earlier instant.
        assert_eq!(
            naive_to_utc(n("2024-10-27 02:30:00"), &tz),
            ymd_hms(2024, 10, 27, 0, 30, 0)
        );
    }

    #[test]
    fn prefixes() {
        let u = TzSpec::Utc;
        assert_eq!(
            parse_time_prefix("2022-12-03T18", &u),
            ymd_hms(2022, 12, 3, 18, 0, 0)
        );
        assert_eq!(
            parse_time_prefix("2022-12-03 18:04", &u),
            ymd_hms(2022, 12, 3, 18, 4, 0)
        );
        assert_eq!(
            parse_time_prefix("2022-12", &u),
            ymd_hms(2022, 12, 1, 0, 0, 0)
        );
        assert_eq!(parse_time_prefix("2022", &u), ymd_hms(2022, 1, 1, 0, 0, 0));
        assert_eq!(
            parse_time_prefix("2022-12-03T18:00:00Z", &u),
            ymd_hms(2022, 12, 3, 18, 0, 0)
        );
        assert_eq!(
            parse_time_prefix("2022-12-03T18:00:00+02:00", &u),
            ymd_hms(2022, 12, 3, 16, 0, 0)
        );
        assert_eq!(
            parse_time_prefix("2022-12-03T18:00:00.5", &u).map(|x| x % 1_000_000_000),
            Some(500_000_000)
        );
        assert_eq!(parse_time_prefix("yesterday", &u), None);
    }

    #[test]
    fn plausible_range_starts_in_1990() {
        assert_eq!(Some(PLAUSIBLE_FROM), ymd_hms(1990, 1, 1, 0, 0, 0));
        assert_eq!(plausible_until(0), 86_400_000_000_000);
        assert_eq!(plausible_until(i64::MAX), i64::MAX);
    }

    #[test]
    fn rfc3339_full_precision() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(1_500), "1970-01-01T00:00:00.000001500Z");
    }
}
