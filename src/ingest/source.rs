//! What every parser shares: the per-source report, rejects, parse context and the
//! `RecordParser` interface of the text and JSON formats.

use crate::model::{Fields, TzSpec};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// How many reject reasons a source keeps verbatim; the rest are only counted.
pub const MAX_REASONS: usize = 20;

/// A record or line that could not be used, and where it was.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Reject {
    pub offset: u64,
    pub reason: String,
}

/// Why a record was rejected, from a parser. The driver adds the offset.
pub type Reason = Cow<'static, str>;

/// Settings that decide how times and formats are read.
#[derive(Clone, Debug, Default)]
pub struct ParseCtx {
    /// Zone of naive local timestamps in this source.
    pub tz: TzSpec,
    /// Year for syslog timestamps that carry none (`--year`, else the file's mtime year).
    pub year: Option<i32>,
    /// Year of the file's modification time, the fallback for `year`.
    pub mtime_year: i32,
    /// Path of a `--map` mapping file for the `mapped` format.
    pub map: Option<std::path::PathBuf>,
}

impl ParseCtx {
    pub fn year(&self) -> i32 {
        self.year.unwrap_or(self.mtime_year)
    }
}

/// Parses one record of a text or JSON source. The same parser serves ingest (time, host,
/// tag) and, later, the detail view and filters (every field), so it must be cheap and
/// must not allocate for what it can borrow from `rec`.
pub trait RecordParser: Send + Sync {
    /// Fills `out` (already cleared) from one record; sets `out.ts` (UTC ns).
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason>;

    /// The format id of a record when a source mixes formats (syslog servers); `None`
    /// means the source's own format.
    fn format_of(&self, _rec: &[u8]) -> Option<&'static str> {
        None
    }

    /// `parse`, and the format that read the record when the source mixes formats (what
    /// `format_of` says, found once): mixed sources count events and rejects per format.
    fn parse_as<'a>(
        &'a self,
        rec: &'a [u8],
        out: &mut Fields<'a>,
    ) -> (Option<&'static str>, Result<(), Reason>) {
        (None, self.parse(rec, out))
    }
}

/// How a source's bytes are cut into records.
pub enum Records {
    /// One record per line from `start` on; blank lines are skipped, and lines starting
    /// with any of `comment` prefixes are skipped as headers/comments (not rejects).
    Lines {
        start: usize,
        comment: &'static [&'static [u8]],
    },
    /// Explicit `(offset, len)` ranges (multi-line CSV records, JSON arrays).
    Ranges(Vec<(u64, u32)>),
}

impl Records {
    /// Every line is a record.
    pub const EVERY_LINE: Records = Records::Lines {
        start: 0,
        comment: &[],
    };
}

/// A format ready to parse one source.
pub struct Prepared {
    pub parser: Box<dyn RecordParser>,
    pub records: Records,
    /// A note for the source report (e.g. "time column: Timestamp").
    pub note: Option<String>,
}

impl Prepared {
    /// `parser` over every line of the source, with no note (most line formats).
    pub fn lines(parser: impl RecordParser + 'static) -> Prepared {
        Prepared {
            parser: Box::new(parser),
            records: Records::EVERY_LINE,
            note: None,
        }
    }
}

/// What a format's records are, whatever the container: decides how exports name them
/// (Timesketch `data_type`, `timestamp_desc`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Windows event log records: EVTX files, and the same records exported as JSON
    /// (`winjson`).
    Evtx,
    /// Firewall and packet-filter logs, one line an event.
    Firewall,
    /// EDR and other security telemetry exports.
    Edr,
}

impl Family {
    /// Timesketch `timestamp_desc`: what the one time of an event means. Windows events
    /// carry `TimeCreated`, when the event was recorded; firewall lines are stamped when
    /// the device logged them; EDR exports carry the time the sensor saw the activity.
    pub const fn timestamp_desc(self) -> &'static str {
        match self {
            Family::Evtx => "Event Recorded",
            Family::Firewall => "Event Logged",
            Family::Edr => "Event Time",
        }
    }
}

/// A text/JSON format: everything vigil knows of it in one value (the registry is
/// `ingest::text_formats`). How to recognise it, how to set up its parser for one file,
/// what its records are for exports, its line test for files where formats mix, and
/// sample records that the registry test sniffs and parses.
pub struct FormatDef {
    pub id: &'static str,
    pub family: Family,
    /// Timesketch `timestamp_desc` (the family's unless the format says otherwise).
    pub timestamp_desc: &'static str,
    /// Whether one line is in this format, as it arrives on its own or relayed by syslog.
    /// Formats with one are sniffed by the share of head lines it recognises, and the
    /// `syslog` (mixed) format dispatches lines to them.
    pub line: Option<fn(&[u8]) -> bool>,
    /// Confidence 0..=100 from the head as a whole (headers, JSON shapes); the format's
    /// confidence is the higher of this and the line share.
    pub head: Option<fn(&[u8]) -> u8>,
    /// Reads headers (`#Fields:`, CSV header, JSON shape) and returns the parser.
    pub prepare: fn(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError>,
    /// Small inputs in this format (whole files: a line, or a header and a record): each
    /// must sniff as this format and parse without a reject (`ingest::registry_tests`).
    pub samples: &'static [&'static str],
}

/// Why a format could not start reading a file (the source then has one reject at 0).
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// The head lacks what the format needs (a CSV header, a JSON object).
    #[error("{0}")]
    Shape(&'static str),
    /// The `--map` file of the `mapped` format.
    #[error(transparent)]
    Mapping(#[from] crate::ingest::edr::mapped::MappingError),
}

impl From<&'static str> for PrepareError {
    fn from(what: &'static str) -> PrepareError {
        PrepareError::Shape(what)
    }
}

impl FormatDef {
    /// A format of `family` read by `prepare`, recognised by nothing yet: add a line test
    /// or a head test, and samples.
    pub const fn new(
        id: &'static str,
        family: Family,
        prepare: fn(&[u8], &ParseCtx) -> Result<Prepared, PrepareError>,
    ) -> FormatDef {
        FormatDef {
            id,
            family,
            timestamp_desc: family.timestamp_desc(),
            line: None,
            head: None,
            prepare,
            samples: &[],
        }
    }

    pub const fn with_line(self, line: fn(&[u8]) -> bool) -> FormatDef {
        FormatDef {
            line: Some(line),
            ..self
        }
    }

    pub const fn with_head(self, head: fn(&[u8]) -> u8) -> FormatDef {
        FormatDef {
            head: Some(head),
            ..self
        }
    }

    pub const fn with_samples(self, samples: &'static [&'static str]) -> FormatDef {
        FormatDef { samples, ..self }
    }

    pub const fn with_timestamp_desc(self, desc: &'static str) -> FormatDef {
        FormatDef {
            timestamp_desc: desc,
            ..self
        }
    }

    /// Confidence 0..=100 that `head` (the first ≤ 64 KiB) is this format.
    pub fn sniff(&self, head: &[u8]) -> u8 {
        let lines = self.line.map_or(0, |l| super::sniffing::by_lines(head, l));
        let whole = self.head.map_or(0, |h| h(head));
        lines.max(whole)
    }
}

/// Per-source report (**contract** fields of `stats --json`).
#[derive(Clone, Debug, Serialize, Default)]
pub struct SourceReport {
    pub path: String,
    pub format: String,
    pub events: u64,
    pub rejected: u64,
    pub reasons: Vec<Reject>,
    pub first: Option<String>,
    pub last: Option<String>,
    pub sha256: String,
    pub bytes: u64,
    /// Extra facts: decompression, assumed zone, time column, skipped files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Events kept but dated before 1990, more than a day ahead or unreadably (flagged
    /// `bad_time`, left out of `first`/`last`).
    #[serde(skip_serializing_if = "is_zero")]
    pub bad_time: u64,
    /// A source that mixes formats (`syslog`): the events and rejects of each format that
    /// recognised its lines; lines no format knows are under `unknown`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub formats: BTreeMap<&'static str, FormatCount>,
}

/// Events and rejects of one format inside a mixed source.
#[derive(Clone, Copy, Debug, Serialize, Default, PartialEq, Eq)]
pub struct FormatCount {
    pub events: u64,
    pub rejected: u64,
}

/// Why a source gave no events, in a few words.
pub fn why_unused(r: &SourceReport) -> String {
    let note = |prefix: &str| {
        r.notes
            .iter()
            .find_map(|n| n.strip_prefix(prefix))
            .map(str::to_owned)
    };
    match r.format.as_str() {
        "skipped" => note("skipped: ").unwrap_or_else(|| "skipped".into()),
        "unreadable" => "unreadable".into(),
        "unknown" if r.rejected == 0 => "format not recognised".into(),
        _ if r.rejected > 0 => "every record rejected".into(),
        _ => "no records".into(),
    }
}

/// The line said when no source gave an event: how many files were passed over and why,
/// e.g. `nothing usable: 3 files skipped (2 format not recognised, 1 named pipe (FIFO),
/// not a regular file)`. The TUI says the same as `stats` and `export`.
pub fn nothing_usable(reports: &[&SourceReport]) -> String {
    if reports.is_empty() {
        return "nothing usable: no files found".into();
    }
    let mut why: Vec<(String, usize)> = Vec::new();
    for r in reports {
        let w = why_unused(r);
        match why.iter_mut().find(|(k, _)| *k == w) {
            Some((_, n)) => *n += 1,
            None => why.push((w, 1)),
        }
    }
    let parts: Vec<String> = why.iter().map(|(w, n)| format!("{n} {w}")).collect();
    let files = if reports.len() == 1 { "file" } else { "files" };
    format!(
        "nothing usable: {} {files} skipped ({})",
        reports.len(),
        parts.join("; ")
    )
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl SourceReport {
    pub fn reject(&mut self, offset: u64, reason: impl Into<String>) {
        self.reject_many(offset, 1, reason);
    }

    /// `n` units lost at `offset` for one reason (chunks missing from a cut file).
    pub fn reject_many(&mut self, offset: u64, n: u64, reason: impl Into<String>) {
        self.rejected += n;
        if self.reasons.len() < MAX_REASONS {
            self.reasons.push(Reject {
                offset,
                reason: reason.into(),
            });
        }
    }
}
