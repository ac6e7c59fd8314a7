//! Exports of the (filtered) timeline: jsonl, csv, timesketch, and the Markdown report
//! (DESIGN §8, contract). One pipeline for `vigil export` and the TUI's `e`: a [`Request`]
//! says which rows, which case and which [`Format`]; [`run`] decides the lines
//! (`annotated::plan`), then renders them; [`to_file`] does that through `crate::output`.
//!
//! Rendering is per line: a format writes a header (CSV) and then any run of lines on its
//! own, so the lines are rendered in blocks on the rayon pool and the blocks written in
//! order, a bounded number in flight, without changing a byte (`parallel`). Lines are
//! written straight from the borrowed fields (`object`), not through a `serde_json::Map`.
//!
//! Parquet is the one format that is a directory, not a stream: [`to_file`] (and `vigil
//! export -F parquet`) hand the same plan to `parquet::write_dataset` instead.

pub mod annotated;
pub mod csv;
pub mod jsonl;
mod object;
#[cfg(test)]
mod oracle;
mod parallel;
pub mod parquet;
pub mod report;
pub mod timesketch;

pub use annotated::{Annotated, Item, MissingLines, plan};

use crate::case::{CaseFile, CaseMarks};
use crate::output::{self, OutputError, OutputOptions, Protected};
use crate::timeline::Timeline;
use crate::timeline::filter::{self, Filter, Marks, NoMarks};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize};

/// An export format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// One JSON object per event (**contract** keys).
    #[default]
    Jsonl,
    /// The jsonl columns flattened, formula-like cells escaped.
    Csv,
    /// JSONL that Timesketch imports as is.
    Timesketch,
    /// A Parquet dataset: a directory of files (`parquet::write_dataset`).
    Parquet,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::Jsonl,
        Format::Csv,
        Format::Timesketch,
        Format::Parquet,
    ];
    /// The formats written as a stream of lines ([`run`]).
    pub const LINES: [Format; 3] = [Format::Jsonl, Format::Csv, Format::Timesketch];

    /// Written as a directory of files, not a stream.
    pub fn is_dataset(self) -> bool {
        self == Format::Parquet
    }

    /// The name on the command line (`--format`) and in messages.
    pub fn id(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Timesketch => "timesketch",
            Format::Parquet => "parquet",
        }
    }

    /// One line for help texts.
    pub fn describe(self) -> &'static str {
        match self {
            Format::Jsonl => "JSON lines",
            Format::Csv => "CSV",
            Format::Timesketch => "Timesketch JSONL (name the file *.jsonl)",
            Format::Parquet => "Parquet dataset for Spark, Trino, DuckDB (-o DIR; --shard NAME)",
        }
    }

    /// The file name offered for an export (Timesketch imports only `*.jsonl`).
    pub fn default_file_name(self) -> &'static str {
        match self {
            Format::Jsonl => "vigil-export.jsonl",
            Format::Csv => "vigil-export.csv",
            Format::Timesketch => "vigil-timesketch.jsonl",
            Format::Parquet => "vigil-dataset",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// A format name that is none of `Format::ALL`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown export format {0:?} (jsonl, csv, timesketch or parquet)")]
pub struct UnknownFormat(pub String);

impl std::str::FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        Format::ALL
            .into_iter()
            .find(|f| f.id().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// Which timeline rows an export writes.
#[derive(Clone, Copy)]
pub enum Rows<'a> {
    All,
    /// These rows, ascending (a view already filtered).
    Only(&'a [u32]),
    /// The rows the filter accepts; `mark:`, `tag:` and `annotated` see the request's case.
    Matching(&'a Filter),
}

/// What to export.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub format: Format,
    pub rows: Rows<'a>,
    /// The case whose annotations are added to the events they are on.
    pub case: Option<&'a CaseFile>,
    /// Only annotated events (needs `case`).
    pub annotated_only: bool,
    /// Add the case's annotated events whose evidence is not loaded, from the event copies
    /// the case file keeps (`"evidence":"missing"`); with `Rows::Matching`, those the
    /// filter accepts.
    pub missing_evidence: bool,
    /// Sigma hits: each event's rules are written (jsonl `rules`, a csv `rules` column,
    /// Timesketch `sigma:TITLE` tags), and the filter's `detected`/`rule:`/`level`/`attack:`
    /// terms see them.
    pub detected: Option<crate::detect::Detected<'a>>,
}

impl<'a> Request<'a> {
    /// Every event, no case.
    pub fn new(format: Format) -> Request<'a> {
        Request {
            format,
            rows: Rows::All,
            case: None,
            annotated_only: false,
            missing_evidence: false,
            detected: None,
        }
    }
}

/// What an export wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Timeline events written.
    pub rows: usize,
    /// Missing-evidence events written from the case's copies.
    pub missing: usize,
    /// Annotated events of the case not in the loaded timeline (written or not).
    pub missing_in_case: usize,
}

/// Why an export to a file did not happen; the file is then as it was.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Refused (a protected path, an existing file without `force`, …) or not put in place.
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("{}: {source}", .path.display())]
    Write { path: PathBuf, source: io::Error },
}

impl ExportError {
    /// The destination exists and `force` was not given: the "ask first" case.
    pub fn is_exists(&self) -> bool {
        matches!(self, ExportError::Output(OutputError::Exists { .. }))
    }
}

/// Writes the export `req` asks for to `out` and flushes it (a line format: a Parquet
/// dataset is a directory, see [`to_file`]).
pub fn run<W: Write + ?Sized>(t: &Timeline, req: &Request<'_>, out: &mut W) -> io::Result<Summary> {
    if req.format.is_dataset() {
        return Err(not_a_stream(req.format));
    }
    let (written, summary) = with_plan(t, req, |cx, items| -> io::Result<()> {
        if req.format == Format::Csv {
            csv::write_header(cx.ann.is_some(), cx.det.is_some(), out)?;
        }
        parallel::write(req.format, cx, items, out, parallel::BLOCK)?;
        out.flush()
    });
    written.map(|_| summary)
}

fn not_a_stream(f: Format) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{f} writes a dataset directory, not a stream: give -o DIR"),
    )
}

/// Plans the lines of `req` (which rows, their annotations, missing-evidence events)
/// and hands them to `write` with what renders them: the one plan of every format.
pub(crate) fn with_plan<R>(
    t: &Timeline,
    req: &Request<'_>,
    write: impl FnOnce(&Lines<'_>, &[Item]) -> R,
) -> (R, Summary) {
    let marks = req
        .case
        .map(|c| CaseMarks::from_annotations(&c.annotations, t));
    let ann = req
        .case
        .zip(marks.as_ref())
        .map(|(c, m)| Annotated::new(m, c));
    let rows = select(t, req.rows, marks.as_ref(), req.detected);
    let missing = match (req.missing_evidence, req.rows) {
        (false, _) => MissingLines::None,
        (true, Rows::Matching(f)) => MissingLines::Matching(f.query()),
        (true, _) => MissingLines::All,
    };
    let items = plan(t, rows, ann.as_ref(), req.annotated_only, missing);
    let cx = Lines {
        timeline: t,
        ann: ann.as_ref(),
        det: req.detected.as_ref(),
    };
    let r = write(&cx, &items);
    let written = items.iter().filter(|i| matches!(i, Item::Row(_))).count();
    let summary = Summary {
        rows: written,
        missing: items.len() - written,
        missing_in_case: marks.as_ref().map_or(0, |m| m.missing().len()),
    };
    (r, summary)
}

/// What every line of one export is rendered from: shared, read-only, by all the blocks
/// of lines (what an export adds to each event belongs here).
pub(crate) struct Lines<'a> {
    pub timeline: &'a Timeline,
    /// The case side, when a case is given.
    pub ann: Option<&'a Annotated<'a, 'a>>,
    /// Sigma hits, when detections ran.
    pub det: Option<&'a crate::detect::Detected<'a>>,
}

/// The lines of `items` in `format`, without the CSV header. Any split of `items` into
/// consecutive runs, each written on its own, gives the same bytes.
fn write_items(
    format: Format,
    cx: &Lines<'_>,
    items: &[Item],
    out: &mut Vec<u8>,
) -> io::Result<()> {
    match format {
        Format::Jsonl => jsonl::write_items(cx, items, out),
        Format::Csv => csv::write_items(cx, items, out),
        Format::Timesketch => timesketch::write_items(cx, items, out),
        Format::Parquet => Err(not_a_stream(format)),
    }
}

/// The timeline rows of `rows`, ascending.
fn select(
    t: &Timeline,
    rows: Rows<'_>,
    marks: Option<&CaseMarks<'_>>,
    det: Option<crate::detect::Detected<'_>>,
) -> Vec<usize> {
    match rows {
        Rows::All => (0..t.len()).collect(),
        Rows::Only(v) => v.iter().map(|&i| i as usize).collect(),
        Rows::Matching(f) => {
            let case_marks: &dyn Marks = match marks {
                Some(m) => m,
                None => &NoMarks,
            };
            let both = det.map(|det| crate::detect::WithHits {
                marks: case_marks,
                det,
            });
            let marks: &dyn Marks = match &both {
                Some(b) => b,
                None => case_marks,
            };
            // Not cancellable: nobody else waits for this result.
            let (never, done) = (AtomicBool::new(false), AtomicUsize::new(0));
            filter::run(t, f, marks, &never, &done)
                .unwrap_or_default()
                .into_iter()
                .map(|i| i as usize)
                .collect()
        }
    }
}

/// [`run`] into the file `path` through `crate::output`: never onto a protected path, an
/// existing file only with `opts.force`, and the file appears complete or not at all. A
/// Parquet export writes the dataset directory `path` (default shard; `opts.force`
/// replaces that shard's files).
pub fn to_file(
    t: &Timeline,
    req: &Request<'_>,
    path: &Path,
    protected: &Protected,
    opts: OutputOptions,
) -> Result<Summary, ExportError> {
    if req.format.is_dataset() {
        let d = parquet::DatasetOptions {
            shard: parquet::DEFAULT_SHARD,
            replace: opts.force,
        };
        return parquet::write_dataset(t, req, path, protected, d);
    }
    let mut o = output::create(path, protected, opts)?;
    let summary = run(t, req, &mut o).map_err(|source| ExportError::Write {
        path: path.to_owned(),
        source,
    })?;
    o.commit()?;
    Ok(summary)
}

/// Runs a writer, treating a closed pipe (`| head`) as a normal end.
pub fn quiet_pipe(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Buffered stdout. Files are written through `crate::output` (never onto evidence or an
/// existing file unasked).
pub fn stdout() -> Box<dyn Write> {
    Box::new(io::BufWriter::with_capacity(1 << 16, io::stdout().lock()))
}

#[cfg(test)]
pub(crate) mod tests;
