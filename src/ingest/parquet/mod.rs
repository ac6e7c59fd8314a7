//! Parquet as an input (format id `parquet`): a file of a vigil dataset (`vigil export -F
//! parquet`), or what a cluster query wrote back in the same columns. A dataset folder is
//! walked like any folder, each part file a source. The events come back with the fields
//! they were exported with (`Stored`), and their `EventKey` is the original evidence's
//! (`source_sha256`, `locator` columns), so annotations made here hold there too.
//!
//! With a filter (`Options::pushdown`) a file in a `date=` partition outside its time
//! range is not a source at all (`skip_partitions`, before loading), and row groups whose
//! statistics rule out its time range or its `FIELD:value` terms are not read.

mod prune;
mod stored;
#[cfg(test)]
mod tests;

pub use stored::Stored;

use super::{Batch, SourceReport};
use crate::export::parquet::schema as col;
use crate::model::{Event, EventFlags, Norm};
use parquet::arrow::arrow_reader::ArrowReaderMetadata;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The format id (**contract**, DESIGN §9).
pub const ID: &str = "parquet";
/// A Parquet file starts and ends with it.
pub const MAGIC: &[u8] = b"PAR1";

/// Whether `data` is a Parquet file.
pub fn is_parquet(data: &[u8]) -> bool {
    data.len() >= 12 && data.starts_with(MAGIC) && data.ends_with(MAGIC)
}

/// Takes out of `found` the `*.parquet` files whose `date=` partition is outside the
/// filter's time range: they are not sources (a one-day slice of ten years lists one day),
/// but one note per folder holding such partitions says how many were skipped.
pub fn skip_partitions(
    found: &mut Vec<super::Found>,
    filter: Option<&crate::query::Query>,
) -> Vec<super::discover::Skipped> {
    let Some(filter) = filter else {
        return Vec::new();
    };
    let bounds = filter.time_bounds();
    let mut by_root: BTreeMap<PathBuf, (usize, BTreeSet<String>)> = BTreeMap::new();
    found.retain(|f| {
        if f.path.extension().and_then(|e| e.to_str()) != Some("parquet") {
            return true;
        }
        let Some(part) = prune::partition_outside(&f.path, bounds) else {
            return true;
        };
        let root = f
            .path
            .ancestors()
            .find(|a| a.file_name().and_then(|n| n.to_str()) == Some(part.as_str()))
            .and_then(Path::parent)
            .unwrap_or(&f.path)
            .to_owned();
        let e = by_root.entry(root).or_default();
        e.0 += 1;
        e.1.insert(part);
        false
    });
    by_root
        .into_iter()
        .map(|(path, (files, parts))| {
            let (first, last) = (parts.first(), parts.last());
            let span = match (first, last) {
                (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
                (Some(a), _) => a.clone(),
                _ => String::new(),
            };
            super::discover::Skipped {
                path,
                reason: format!(
                    "skipped: {files} files in {} partitions outside the filter's time range ({span})",
                    parts.len()
                ),
                unreadable: false,
            }
        })
        .collect()
}

/// Reads the file's event columns (its other columns are decoded when first asked): the
/// events and what re-reads their fields.
pub fn load(
    data: &[u8],
    filter: Option<&crate::query::Query>,
    report: &mut SourceReport,
) -> (Batch, Option<Stored>) {
    // A copy the source owns, so that row groups can be decoded from it later on any
    // thread (the evidence map is the timeline's).
    match read(bytes::Bytes::copy_from_slice(data), filter, report) {
        Ok(r) => r,
        Err(e) => {
            report.reject(0, format!("parquet: {e}"));
            (Batch::new(), None)
        }
    }
}

type Error = Box<dyn std::error::Error + Send + Sync>;

fn read(
    file: bytes::Bytes,
    filter: Option<&crate::query::Query>,
    report: &mut SourceReport,
) -> Result<(Batch, Option<Stored>), Error> {
    let meta = ArrowReaderMetadata::load(&file, Default::default())?;
    let groups = meta.metadata().row_groups().len();
    let keep: Vec<usize> = match filter {
        Some(q) => {
            let check = prune::Groups::new(meta.metadata(), meta.schema(), q);
            (0..groups).filter(|&g| check.may_match(g)).collect()
        }
        None => (0..groups).collect(),
    };
    if keep.len() < groups {
        report.notes.push(format!(
            "{} of {groups} row groups skipped: their statistics rule out the filter",
            groups - keep.len()
        ));
    }
    let stored = Stored::read(file, meta, &keep)?;
    let mut batch = Batch::new();
    batch.events.reserve(stored.rows());
    for (b, (start, cols)) in stored.parts().enumerate() {
        for r in 0..cols.rows() {
            let host = cols
                .text(Norm::Host, r)
                .map_or(crate::model::Sym::EMPTY, |h| batch.strings.intern(h));
            let tag = cols
                .norm_text_of(Norm::EventId, r)
                .or_else(|| cols.norm_text_of(Norm::Action, r));
            let tag = tag.map_or(crate::model::Sym::EMPTY, |t| batch.strings.intern(&t));
            batch.events.push(Event {
                ts: cols.ts(r),
                loc: start + r as u64,
                aux: b as u32,
                source: 0,
                flags: EventFlags::NONE
                    .with_recovered(cols.flag(col::RECOVERED, r))
                    .with_bad_time(cols.flag(col::BAD_TIME, r)),
                host,
                tag,
            });
        }
    }
    Ok((batch, Some(stored)))
}
