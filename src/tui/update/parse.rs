//! What the user typed, read: search patterns and go-to targets.

use crate::ingest::options::parse_duration;
use crate::model::{TzSpec, format_display, parse_time_prefix};

/// Smart case: a pattern without upper-case letters of its own matches either case (an
/// escape such as `\S` is no upper-case letter; the same rule as regex filter terms).
pub fn compile_search(text: &str) -> Result<regex::Regex, crate::query::QueryError> {
    crate::query::search_regex(text)
}

/// A go-to target that names no time.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum GotoError {
    #[error(transparent)]
    Offset(#[from] crate::ingest::options::OptionError),
    #[error("no event to go from")]
    NoCursor,
    #[error("no event to take the day from")]
    NoDay,
    #[error("not a time: {0:?}")]
    TimeOfDay(String),
    #[error("not a time: {0:?} (try 2022-12-03T18:04, 2022-12-03 18, +5m, -1h)")]
    Time(String),
}

/// `19:00`, `19:00:30`, `7:05:01.250`: a time of day without a date.
fn time_of_day(t: &str) -> bool {
    let (hm, _) = t.split_once('.').unwrap_or((t, ""));
    let parts: Vec<&str> = hm.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A go-to target: `+5m`/`-1h` from the cursor, `19:00` on the cursor's day, or an
/// absolute or partial time; all in `tz`.
pub fn parse_goto(text: &str, cursor: Option<i64>, tz: &TzSpec) -> Result<i64, GotoError> {
    let t = text.trim();
    if t.starts_with(['+', '-']) {
        let d = parse_duration(t)?;
        let base = cursor.ok_or(GotoError::NoCursor)?;
        return Ok(base.saturating_add(d));
    }
    if time_of_day(t) {
        let base = cursor.ok_or(GotoError::NoDay)?;
        let day = format_display(base, tz);
        let day = day.get(..10).unwrap_or(&day);
        // `7:05` reads as `07:05`.
        let t = if t.find(':') == Some(1) {
            format!("0{t}")
        } else {
            t.to_string()
        };
        return parse_time_prefix(&format!("{day}T{t}"), tz).ok_or(GotoError::TimeOfDay(t));
    }
    parse_time_prefix(t, tz).ok_or_else(|| GotoError::Time(t.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ymd_hms;

    #[test]
    fn goto_targets() {
        let base = ymd_hms(2022, 12, 3, 18, 0, 0);
        let u = TzSpec::Utc;
        assert_eq!(
            parse_goto("+5m", base, &u),
            base.map(|b| b + 300_000_000_000).ok_or(GotoError::NoCursor)
        );
        assert_eq!(
            parse_goto("-1h", base, &u),
            base.map(|b| b - 3_600_000_000_000)
                .ok_or(GotoError::NoCursor)
        );
        assert_eq!(parse_goto("2022-12-03 18", None, &u).ok(), base);
        let paris: TzSpec = "Europe/Paris".parse().unwrap();
        assert_eq!(parse_goto("2022-12-03T19", None, &paris).ok(), base);
        // A time of day is on the cursor's day, in the display zone.
        let at = |h, m, s| ymd_hms(2022, 12, 3, h, m, s).ok_or(GotoError::NoCursor);
        assert_eq!(parse_goto("19:00", base, &u), at(19, 0, 0));
        assert_eq!(parse_goto("7:05:30", base, &u), at(7, 5, 30));
        assert_eq!(parse_goto("19:00", base, &paris), at(18, 0, 0));
        assert!(parse_goto("19:00", None, &u).is_err());
        assert!(parse_goto("25:00", base, &u).is_err());
        assert!(parse_goto("+5", base, &u).is_err());
        assert!(parse_goto("+5m", None, &u).is_err());
        assert!(
            parse_goto("soon", base, &u)
                .unwrap_err()
                .to_string()
                .contains("not a time")
        );
    }

    #[test]
    fn search_is_smart_case() {
        assert!(
            compile_search("powershell")
                .unwrap()
                .is_match("PowerShell.exe")
        );
        assert!(
            !compile_search("PowerShell")
                .unwrap()
                .is_match("powershell.exe")
        );
        assert!(compile_search("a(b").is_err());
        assert!(
            compile_search(r"\Spowershell")
                .unwrap()
                .is_match("xPowerShell")
        );
    }
}
