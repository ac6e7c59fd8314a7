//! What the user typed, read: search patterns and go-to targets.

use crate::ingest::options::parse_duration;
use crate::model::{TzSpec, parse_time_prefix};

/// Smart case: a pattern without upper-case letters of its own matches either case (an
/// escape such as `\S` is no upper-case letter; the same rule as regex filter terms).
pub fn compile_search(text: &str) -> Result<regex::Regex, String> {
    crate::query::search_regex(text).map_err(|e| e.msg)
}

/// A go-to target: `+5m`/`-1h` from the cursor, or an absolute or partial time in `tz`.
pub fn parse_goto(text: &str, cursor: Option<i64>, tz: &TzSpec) -> Result<i64, String> {
    let t = text.trim();
    if t.starts_with(['+', '-']) {
        let d = parse_duration(t)?;
        let base = cursor.ok_or("no event to go from")?;
        return Ok(base.saturating_add(d));
    }
    parse_time_prefix(t, tz)
        .ok_or_else(|| format!("not a time: {t:?} (try 2022-12-03T18:04, 2022-12-03 18, +5m, -1h)"))
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
            base.map(|b| b + 300_000_000_000).ok_or(String::new())
        );
        assert_eq!(
            parse_goto("-1h", base, &u),
            base.map(|b| b - 3_600_000_000_000).ok_or(String::new())
        );
        assert_eq!(parse_goto("2022-12-03 18", None, &u).ok(), base);
        let paris: TzSpec = "Europe/Paris".parse().unwrap();
        assert_eq!(parse_goto("2022-12-03T19", None, &paris).ok(), base);
        assert!(parse_goto("+5", base, &u).is_err());
        assert!(parse_goto("+5m", None, &u).is_err());
        assert!(
            parse_goto("soon", base, &u)
                .unwrap_err()
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
