//! Ingest options shared by every subcommand, and the progress counters.

use crate::model::TzSpec;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// A `GLOB=VALUE` option or a duration that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OptionError {
    #[error("expected GLOB=VALUE, got {0:?}")]
    NotARule(String),
    #[error("bad glob: {0}")]
    Glob(String),
    #[error("bad duration {0:?} (use e.g. +90s, -5m, +1h30m, -2d, +250ms)")]
    Duration(String),
    #[error(transparent)]
    Zone(#[from] crate::model::TzError),
}

/// A `GLOB=VALUE` rule (`--source-tz`, `--skew`), matched against a source's path.
#[derive(Clone, Debug)]
pub struct Rule<T> {
    pub glob: regex::Regex,
    pub value: T,
}

/// Translates a shell glob (`*`, `?`) into an anchored regex; `*` also matches `/` so that
/// `*fw*` matches anywhere in a path.
pub fn glob_regex(glob: &str) -> Result<regex::Regex, OptionError> {
    let mut re = String::from("^");
    for c in glob.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).map_err(|e| OptionError::Glob(e.to_string()))
}

/// Parses `GLOB=VALUE`.
pub fn parse_rule<T, E: Into<OptionError>>(
    s: &str,
    value: impl Fn(&str) -> Result<T, E>,
) -> Result<Rule<T>, OptionError> {
    let (g, v) = s
        .rsplit_once('=')
        .ok_or_else(|| OptionError::NotARule(s.to_owned()))?;
    Ok(Rule {
        glob: glob_regex(g)?,
        value: value(v).map_err(Into::into)?,
    })
}

/// Parses a signed duration like `+90s`, `-5m`, `+1h30m`, `-2d`, `+250ms` into nanoseconds.
pub fn parse_duration(s: &str) -> Result<i64, OptionError> {
    let t = s.trim();
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => (-1, &t[1..]),
        Some(b'+') => (1, &t[1..]),
        _ => (1, t),
    };
    let mut total: i64 = 0;
    let mut num = String::new();
    let mut chars = body.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit: i64 = match c {
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1_000_000
            }
            's' => 1_000_000_000,
            'm' => 60_000_000_000,
            'h' => 3_600_000_000_000,
            'd' => 86_400_000_000_000,
            _ => return Err(OptionError::Duration(s.to_owned())),
        };
        let n: i64 = num
            .parse()
            .map_err(|_| OptionError::Duration(s.to_owned()))?;
        total = total.saturating_add(n.saturating_mul(unit));
        num.clear();
        any = true;
    }
    if !num.is_empty() || !any {
        return Err(OptionError::Duration(s.to_owned()));
    }
    Ok(sign * total)
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub tz: TzSpec,
    pub source_tz: Vec<Rule<TzSpec>>,
    pub skew: Vec<Rule<i64>>,
    pub year: Option<i32>,
    pub format: Option<String>,
    pub threads: usize,
    pub no_mmap: bool,
    pub map: Option<PathBuf>,
    /// Keep only what `stats` needs (time, host, id) where a format can skip the rest.
    pub index_only: bool,
}

impl Options {
    pub fn tz_for(&self, path: &str) -> TzSpec {
        self.source_tz
            .iter()
            .rev()
            .find(|r| r.glob.is_match(path))
            .map(|r| r.value)
            .unwrap_or(self.tz)
    }

    pub fn skew_for(&self, path: &str) -> Option<i64> {
        self.skew
            .iter()
            .rev()
            .find(|r| r.glob.is_match(path))
            .map(|r| r.value)
    }
}

/// Progress counters, updated by ingest workers and read by the UI.
#[derive(Default, Debug)]
pub struct Progress {
    pub files_total: AtomicU64,
    pub files_done: AtomicU64,
    pub bytes_total: AtomicU64,
    pub bytes_done: AtomicU64,
    pub events: AtomicU64,
    pub rejected: AtomicU64,
}

impl Progress {
    pub fn add_file(&self, bytes: u64) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
        self.bytes_done.fetch_add(bytes, Ordering::Relaxed);
    }

    pub fn done(&self) -> bool {
        self.files_done.load(Ordering::Relaxed) >= self.files_total.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("+90s"), Ok(90_000_000_000));
        assert_eq!(parse_duration("-5m"), Ok(-300_000_000_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration("+250ms"), Ok(250_000_000));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("5x").is_err());
    }

    #[test]
    fn rules_match_paths() {
        let r = parse_rule("*fw*=Europe/Paris", |v| v.parse::<TzSpec>()).unwrap();
        assert!(r.glob.is_match("logs/fw-01/pfirewall.log"));
        assert!(!r.glob.is_match("logs/dc/security.evtx"));
        assert!(parse_rule("nozone", |v| v.parse::<TzSpec>()).is_err());
    }
}
