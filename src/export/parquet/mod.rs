//! `vigil export -F parquet -o DIR`: the timeline as a Hive-partitioned Parquet dataset
//! (`DIR/date=YYYY-MM-DD/part-SHARD-NNNNN.parquet`, zstd, rows in time order, one file per
//! day and million rows) that Spark, Trino, DuckDB and vigil itself read.
//!
//! A directory is not a stream, so this is the export pipeline's other end: the rows and
//! their annotations and hits are planned as for the line formats (`export::plan`), then
//! written here. Files are written in parallel (one worker per file, and in each file the
//! next row group built while the last one is encoded), so at most a few row groups per
//! thread are in memory. Every file goes through `crate::output` (a temporary file, renamed
//! into place once complete); a rerun of a shard replaces that shard's files and removes
//! those it did not write again, and touches nothing else.

mod batch;
pub mod schema;
#[cfg(test)]
mod tests;

use super::{ExportError, Item, Lines, Request, Summary};
use crate::model::{Fields, Norm};
use crate::output::{self, OutputError, OutputOptions, Protected};
use crate::timeline::Timeline;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The shard name when `--shard` is not given.
pub const DEFAULT_SHARD: &str = "vigil";

/// How a dataset export names and replaces its files.
#[derive(Clone, Copy, Debug)]
pub struct DatasetOptions<'a> {
    /// Part files are `part-SHARD-NNNNN.parquet`: machines exporting into one dataset
    /// each use their own.
    pub shard: &'a str,
    /// The shard's files already in the dataset may be replaced (`--shard` given, or
    /// `--force`); otherwise finding one is the "exists" refusal.
    pub replace: bool,
}

/// Rows per file, per row group and per Arrow batch (smaller in tests).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout {
    pub rows_per_file: usize,
    pub row_group: usize,
    /// Rows per batch handed to the writer, which gathers them into row groups: batches
    /// this small keep the builders in cache and their buffers reused by the allocator (a
    /// row group's worth of builders grew and faulted in fresh pages each time), and let
    /// building the next batch and encoding the last one take turns finely.
    pub batch: usize,
}

impl Layout {
    pub const DEFAULT: Layout = Layout {
        rows_per_file: 1 << 20,
        row_group: 1 << 17,
        batch: 1 << 14,
    };
}

/// A shard name: letters, digits, `.`, `_` and `-`, not starting with `.`, at most 64.
pub fn check_shard(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    match ok {
        true => Ok(()),
        false => Err(format!(
            "bad shard name {name:?}: use letters, digits, '.', '_' and '-' (at most 64, not starting with '.')"
        )),
    }
}

fn part_name(shard: &str, seq: usize) -> String {
    format!("part-{shard}-{seq:05}.parquet")
}

/// Whether `name` is a part file of `shard` (`part-SHARD-<digits>.parquet`: shard `a`
/// does not own `part-a-1-00000.parquet`, which is shard `a-1`'s).
fn is_own(name: &str, shard: &str) -> bool {
    name.strip_prefix("part-")
        .and_then(|r| r.strip_prefix(shard))
        .and_then(|r| r.strip_prefix('-'))
        .and_then(|r| r.strip_suffix(".parquet"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The files of `shard` in the dataset at `dir` (`dir/date=…/part-SHARD-N.parquet`).
fn own_files(dir: &Path, shard: &str) -> Result<Vec<PathBuf>, OutputError> {
    let io = |p: &Path| {
        let p = p.to_owned();
        move |source| OutputError::Io { path: p, source }
    };
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io(dir)(e)),
    };
    for part in entries {
        let part = part.map_err(io(dir))?;
        let is_partition = part
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(&format!("{}=", schema::PARTITION)));
        if !is_partition || !part.file_type().map_err(io(dir))?.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(part.path()).map_err(io(&part.path()))? {
            let f = f.map_err(io(&part.path()))?;
            let own = f.file_name().to_str().is_some_and(|n| is_own(n, shard));
            if own && f.file_type().map_err(io(&f.path()))?.is_file() {
                out.push(f.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Pre-flight (before a long ingest): the folder may take the dataset, and the shard's
/// files already there may be replaced.
pub fn check_dataset(
    dir: &Path,
    protected: &Protected,
    opts: DatasetOptions<'_>,
) -> Result<(), ExportError> {
    check_shard(opts.shard).map_err(|e| ExportError::Write {
        path: dir.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, e),
    })?;
    output::check_dir(dir, protected)?;
    if !opts.replace
        && let Some(f) = own_files(dir, opts.shard)?.into_iter().next()
    {
        return Err(OutputError::Exists { path: f }.into());
    }
    Ok(())
}

/// Writes the rows `req` selects as a dataset into `dir` (created if missing).
pub fn write_dataset(
    t: &Timeline,
    req: &Request<'_>,
    dir: &Path,
    protected: &Protected,
    opts: DatasetOptions<'_>,
) -> Result<Summary, ExportError> {
    write_with(t, req, dir, protected, opts, Layout::DEFAULT)
}

pub(crate) fn write_with(
    t: &Timeline,
    req: &Request<'_>,
    dir: &Path,
    protected: &Protected,
    opts: DatasetOptions<'_>,
    layout: Layout,
) -> Result<Summary, ExportError> {
    check_dataset(dir, protected, opts)?;
    let old = own_files(dir, opts.shard)?;
    let (written, summary) = super::with_plan(t, req, |cx, items| {
        write_parts(cx, items, dir, protected, opts, layout)
    });
    let written = written?;
    let mut emptied = Vec::new();
    for f in old.iter().filter(|f| !written.contains(f)) {
        // Only this shard's own files (`own_files`), and never a protected one.
        protected.check(f)?;
        std::fs::remove_file(f).map_err(|source| OutputError::Io {
            path: f.clone(),
            source,
        })?;
        emptied.extend(f.parent().map(Path::to_owned));
    }
    for d in emptied {
        // Fails (and is left) unless now empty.
        let _ = std::fs::remove_dir(d);
    }
    Ok(summary)
}

/// One file of the dataset: its partition, its number there, its rows.
struct Part<'r> {
    date: String,
    seq: usize,
    rows: &'r [Item],
}

/// The time of a row: a timeline event's, or a missing-evidence event's key's.
fn time_of(cx: &Lines<'_>, item: Item) -> i64 {
    match item {
        Item::Row(i) => cx.timeline.events.get(i).map_or(0, |e| e.ts),
        Item::Missing(k) => cx.ann.and_then(|a| a.missing(k)).map_or(0, |m| m.key.ts),
    }
}

/// Cuts `rows` (in time order) at day boundaries and every `layout.rows_per_file`.
fn parts<'r>(cx: &Lines<'_>, rows: &'r [Item], layout: Layout) -> Vec<Part<'r>> {
    const DAY: i64 = 86_400_000_000_000;
    let day = |i: Item| time_of(cx, i).div_euclid(DAY);
    let mut out: Vec<Part<'r>> = Vec::new();
    let mut start = 0;
    while start < rows.len() {
        let d = day(rows[start]);
        let same_day = rows[start..].partition_point(|&i| day(i) == d);
        let end = start + same_day.min(layout.rows_per_file.max(1));
        let date = schema::partition_of(time_of(cx, rows[start]));
        let seq = match out.last() {
            Some(p) if p.date == date => p.seq + 1,
            _ => 0,
        };
        out.push(Part {
            date,
            seq,
            rows: &rows[start..end],
        });
        start = end;
    }
    out
}

/// The names of the source's own fields (`raw`'s map keys).
fn raw_keys() -> ColumnPath {
    ColumnPath::new(vec![schema::RAW.into(), "entries".into(), "key".into()])
}

/// The values of the source's own fields (`raw`'s map values).
fn raw_values() -> ColumnPath {
    ColumnPath::new(vec![schema::RAW.into(), "entries".into(), "value".into()])
}

fn props(layout: Layout) -> WriterProperties {
    let b = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(layout.row_group))
        .set_sorting_columns(Some(vec![SortingColumn {
            column_idx: 0,
            descending: false,
            nulls_first: false,
        }]))
        .set_created_by(format!("vigil {}", env!("CARGO_PKG_VERSION")));
    // Statistics are what `--filter` pushdown reads (row groups: `ts`, `format` and the
    // normalised fields); the long free-form columns, and the source's name and hash (the
    // same on every row of a source, 64 bytes), would cost a comparison per value for
    // nothing.
    let b = b.set_statistics_enabled(EnabledStatistics::Chunk);
    let b = [
        ColumnPath::from(schema::MESSAGE),
        ColumnPath::from(schema::LOCATOR),
        ColumnPath::from(schema::SOURCE),
        ColumnPath::from(schema::SOURCE_SHA256),
        raw_keys(),
        raw_values(),
    ]
    .into_iter()
    .fold(b, |b, c| {
        b.set_column_statistics_enabled(c, EnabledStatistics::None)
    });
    // Messages, locators and source field values are mostly distinct: a dictionary is
    // built per page only to be given up (zstd finds what repeats in them anyway). Source
    // field names repeat, but in the same order row after row: zstd takes a row's run of
    // names as one match, for less than hashing each of the 20-odd names into a dictionary.
    let b = [
        ColumnPath::from(schema::MESSAGE),
        ColumnPath::from(schema::LOCATOR),
        raw_keys(),
        raw_values(),
    ]
    .into_iter()
    .fold(b, |b, c| b.set_column_dictionary_enabled(c, false));
    // Times (in order) and record ids (nearly so) are each new: deltas, not a dictionary.
    let b = [schema::TS, Norm::RecordId.name()]
        .into_iter()
        .fold(b, |b, c| {
            b.set_column_dictionary_enabled(c.into(), false)
                .set_column_encoding(c.into(), Encoding::DELTA_BINARY_PACKED)
        });
    b.build()
}

/// Writes every part (in parallel), each put in place once complete (one open file per
/// worker, however many days the export spans). Returns the paths written.
fn write_parts(
    cx: &Lines<'_>,
    rows: &[Item],
    dir: &Path,
    protected: &Protected,
    opts: DatasetOptions<'_>,
    layout: Layout,
) -> Result<Vec<PathBuf>, ExportError> {
    let schema = Arc::new(schema::schema(cx.ann.is_some(), cx.det.is_some()));
    output::create_dir(dir, protected)?;
    let parts = parts(cx, rows, layout);
    let out_opts = OutputOptions {
        force: opts.replace,
        private: false,
    };
    parts
        .par_iter()
        .map(|p| {
            let sub = dir.join(format!("{}={}", schema::PARTITION, p.date));
            output::create_dir(&sub, protected)?;
            let path = sub.join(part_name(opts.shard, p.seq));
            let out = output::create(&path, protected, out_opts)?;
            let out =
                write_part(cx, &schema, p.rows, out, layout).map_err(|e| ExportError::Write {
                    path: path.clone(),
                    source: std::io::Error::other(e),
                })?;
            out.commit()?;
            Ok(path)
        })
        .collect()
}

/// One file: row groups of `layout.row_group` rows, written a batch at a time, the next
/// batch built while the last is encoded and compressed.
fn write_part(
    cx: &Lines<'_>,
    schema: &arrow_schema::SchemaRef,
    rows: &[Item],
    out: output::Output,
    layout: Layout,
) -> Result<output::Output, Box<dyn std::error::Error + Send + Sync>> {
    let mut w = ArrowWriter::try_new(out, schema.clone(), Some(props(layout)))?;
    let build = |chunk: &[Item], room: &batch::Room| {
        let mut b = batch::Batch::new(schema.clone(), chunk.len(), room);
        let mut f = Fields::new();
        for &item in chunk {
            match (item, cx.ann) {
                (Item::Row(i), _) => b.push(cx, i, &mut f),
                (Item::Missing(k), Some(a)) => {
                    if let Some(m) = a.missing(k) {
                        b.push_missing(a, m);
                    }
                }
                (Item::Missing(_), None) => {}
            }
        }
        b.finish()
    };
    // Batches never straddle a row group, so the groups are cut where they were.
    let group = layout.row_group.max(1);
    let chunks: Vec<&[Item]> = rows
        .chunks(group)
        .flat_map(|g| g.chunks(layout.batch.clamp(1, group)))
        .collect();
    let mut next = chunks.first().map(|c| build(c, &batch::Room::GUESS));
    for k in 0..chunks.len() {
        let Some(cur) = next.take() else { break };
        let (cur, room) = cur?;
        let (done, built) = rayon::join(
            || w.write(&cur),
            || chunks.get(k + 1).map(|c| build(c, &room)),
        );
        done?;
        next = built;
    }
    Ok(w.into_inner()?)
}
