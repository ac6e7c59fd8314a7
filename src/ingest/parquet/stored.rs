//! The decoded columns of a Parquet source, and each event's fields read back from them.
//! Columns are found by name and read whatever their width or string layout, so a file a
//! cluster query wrote (Spark's nanosecond times, 32-bit ids) reads as well as vigil's own.

use crate::export::parquet::schema as col;
use crate::model::{Fields, NORM_COUNT, Norm};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, MapArray, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use bytes::Bytes;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};
use std::borrow::Cow;
use std::sync::OnceLock;

/// One decoded batch, its columns looked up once.
pub struct Cols {
    rows: usize,
    ts: Option<ArrayRef>,
    nanos: Option<ArrayRef>,
    source: Option<ArrayRef>,
    format: Option<ArrayRef>,
    norm: [Option<ArrayRef>; NORM_COUNT],
    norm_text: Option<MapArray>,
    raw: Option<MapArray>,
    recovered: Option<ArrayRef>,
    bad_time: Option<ArrayRef>,
    sha: Option<ArrayRef>,
    locator: Option<ArrayRef>,
}

/// What a Parquet source keeps. At load only the columns that make the events are
/// decoded (`EVENT_COLUMNS`: a one-day slice of a large dataset opens without decoding its
/// messages and source fields); the rest of a row group is decoded from the file's bytes
/// when one of its events is first read (detail view, field filters, detections).
pub struct Stored {
    file: Bytes,
    meta: ArrowReaderMetadata,
    /// The batches of the event columns, in file order (the events' `aux`).
    parts: Vec<Part>,
    /// The row groups read, each decoded in full once asked.
    groups: Vec<Group>,
}

/// One batch of the event columns.
struct Part {
    /// Position of its row group in `Stored::groups`, and of this batch in that group.
    group: usize,
    nth: usize,
    /// Row number in the file of its first row (the events' `loc` is theirs).
    start: u64,
    cols: Cols,
}

struct Group {
    /// Index of the row group in the file.
    index: usize,
    /// Every column, batch by batch as `Part`s are; or why decoding them failed (shown on
    /// each event of the group, which then has its event columns only).
    full: OnceLock<Result<Vec<Cols>, String>>,
    /// Only `source_sha256` and `locator` (matching annotations reads every event's key).
    origin: OnceLock<Vec<Cols>>,
}

/// What makes an event (`load`): time, host, tag and record flags.
const EVENT_COLUMNS: [&str; 9] = [
    col::TS,
    col::TS_NANOS,
    col::FORMAT,
    "host",
    "event_id",
    "action",
    col::NORM_TEXT,
    col::RECOVERED,
    col::BAD_TIME,
];

/// Rows per decoded batch (the same in both passes, so that batches line up).
const BATCH: usize = 1 << 16;

impl Stored {
    /// Reads the event columns of row groups `keep` of `file`.
    pub(super) fn read(
        file: Bytes,
        meta: ArrowReaderMetadata,
        keep: &[usize],
    ) -> Result<Stored, super::Error> {
        let rgs = meta.metadata().row_groups();
        let mut firsts = Vec::with_capacity(rgs.len());
        let mut at = 0u64;
        for rg in rgs {
            firsts.push(at);
            at = at.saturating_add(u64::try_from(rg.num_rows()).unwrap_or(0));
        }
        let light = ProjectionMask::columns(
            meta.metadata().file_metadata().schema_descr(),
            EVENT_COLUMNS,
        );
        let mut stored = Stored {
            file,
            meta,
            parts: Vec::new(),
            groups: Vec::with_capacity(keep.len()),
        };
        for &g in keep {
            let mut start = firsts.get(g).copied().unwrap_or(0);
            let group = stored.groups.len();
            for (nth, b) in stored
                .decode(g, Some(light.clone()))?
                .into_iter()
                .enumerate()
            {
                let rows = b.rows;
                stored.parts.push(Part {
                    group,
                    nth,
                    start,
                    cols: b,
                });
                start += rows as u64;
            }
            stored.groups.push(Group {
                index: g,
                full: OnceLock::new(),
                origin: OnceLock::new(),
            });
        }
        Ok(stored)
    }

    /// Row group `g` of the file, `mask`'s columns (all when `None`), batch by batch.
    fn decode(&self, g: usize, mask: Option<ProjectionMask>) -> Result<Vec<Cols>, super::Error> {
        let mut b = ParquetRecordBatchReaderBuilder::new_with_metadata(
            self.file.clone(),
            self.meta.clone(),
        )
        .with_row_groups(vec![g])
        .with_batch_size(BATCH);
        if let Some(m) = mask {
            b = b.with_projection(m);
        }
        let mut out = Vec::new();
        for batch in b.build()? {
            out.push(Cols::new(&batch?)?);
        }
        Ok(out)
    }

    /// The event-column batches (the events' `aux`) with their first row numbers.
    pub(super) fn parts(&self) -> impl Iterator<Item = (u64, &Cols)> {
        self.parts.iter().map(|p| (p.start, &p.cols))
    }

    pub(super) fn rows(&self) -> usize {
        self.parts.iter().map(|p| p.cols.rows).sum()
    }

    /// The event-column batch and row of an event (`aux` = batch, `loc` = row in the file).
    fn event_at(&self, e: &crate::model::Event) -> Option<(&Part, usize)> {
        let p = self.parts.get(e.aux as usize)?;
        let r = e.loc.checked_sub(p.start)? as usize;
        (r < p.cols.rows).then_some((p, r))
    }

    /// The batch and row of an event, every column decoded (its event columns only if
    /// decoding the rest failed).
    fn at(&self, e: &crate::model::Event) -> Option<(&Cols, usize, Option<&str>)> {
        let (p, r) = self.event_at(e)?;
        let full = self.groups.get(p.group).map(|g| {
            g.full
                .get_or_init(|| self.decode(g.index, None).map_err(|e| e.to_string()))
        });
        let failed = full.and_then(|f| f.as_ref().err()).map(String::as_str);
        Some((
            Self::batch_of(full.and_then(|f| f.as_ref().ok()), p),
            r,
            failed,
        ))
    }

    /// Batch `p` of a group's decoded batches, when decoding them worked.
    fn batch_of<'s>(decoded: Option<&'s Vec<Cols>>, p: &'s Part) -> &'s Cols {
        decoded
            .and_then(|d| d.get(p.nth))
            .filter(|c| c.rows == p.cols.rows)
            .unwrap_or(&p.cols)
    }

    /// Every field of event `e`, as it was exported.
    pub fn fields<'a>(&'a self, e: &crate::model::Event) -> Fields<'a> {
        let mut f = Fields::new();
        self.fields_into(e, &mut f);
        f
    }

    /// As [`fields`](Self::fields), into `f` (a cleared buffer, as `Kind::fields_into`
    /// hands it: its mode and allocations are kept).
    pub fn fields_into<'a>(&'a self, e: &crate::model::Event, f: &mut Fields<'a>) {
        f.ts = e.ts;
        let Some((c, r, failed)) = self.at(e) else {
            return;
        };
        for n in Norm::ALL {
            if n != Norm::Message
                && let Some(v) = c.norm_text_of(n, r)
            {
                f.set(n, v);
            }
        }
        if let Some(m) = &c.raw {
            for (k, v) in map_pairs(m, r) {
                f.push_raw(k, v);
            }
        }
        // The export wrote a message made from the fields for events without one: it is
        // left unset again, so the event reads as it did.
        if let Some(m) = c.text(Norm::Message, r)
            && !is_generic(m, f)
        {
            f.set(Norm::Message, m);
        }
        if let Some(why) = failed {
            // Said on the event rather than lost: load time is over when this is read.
            f.set(
                Norm::Message,
                format!(
                    "(only time, host and id: the rest of this row group could not be read: {why})"
                ),
            );
        }
    }

    /// The format the event was read as, when vigil knows it.
    pub fn format_of(&self, e: &crate::model::Event) -> Option<&'static str> {
        let (p, r) = self.event_at(e)?;
        let id = text_at(p.cols.format.as_deref()?, r)?;
        if id == crate::ingest::evtx::ID {
            return Some(crate::ingest::evtx::ID);
        }
        crate::ingest::format_by_id(id).map(|d| d.id)
    }

    /// The original evidence's SHA-256 and locator of event `e` (decoding only those two
    /// columns when the rest of its row group has not been asked for).
    pub fn origin(&self, e: &crate::model::Event) -> Option<(&str, &str)> {
        let (p, r) = self.event_at(e)?;
        let g = self.groups.get(p.group)?;
        let decoded = match g.full.get().and_then(|f| f.as_ref().ok()) {
            Some(full) => full,
            None => g.origin.get_or_init(|| {
                let mask = ProjectionMask::columns(
                    self.meta.metadata().file_metadata().schema_descr(),
                    [col::TS, col::SOURCE_SHA256, col::LOCATOR],
                );
                self.decode(g.index, Some(mask)).unwrap_or_default()
            }),
        };
        let c = Self::batch_of(Some(decoded), p);
        let sha = text_at(c.sha.as_deref()?, r).filter(|s| !s.is_empty())?;
        let loc = text_at(c.locator.as_deref()?, r).filter(|s| !s.is_empty())?;
        Some((sha, loc))
    }

    /// The row as the detail view shows it: where it came from and its source fields.
    pub fn record(&self, e: &crate::model::Event) -> String {
        let Some((c, r, failed)) = self.at(e) else {
            return String::new();
        };
        if let Some(why) = failed {
            return format!("(this row group could not be read: {why})");
        }
        let mut o = serde_json::Map::new();
        for (k, a) in [(col::SOURCE, &c.source), (col::LOCATOR, &c.locator)] {
            if let Some(v) = a.as_deref().and_then(|a| text_at(a, r)) {
                o.insert(k.into(), v.into());
            }
        }
        let raw: serde_json::Map<String, serde_json::Value> = c
            .raw
            .as_ref()
            .map(|m| map_pairs(m, r).map(|(k, v)| (k.into(), v.into())).collect())
            .unwrap_or_default();
        o.insert(col::RAW.into(), raw.into());
        serde_json::Value::Object(o).to_string()
    }

    pub fn heap_bytes(&self) -> usize {
        let full = self.groups.iter().flat_map(|g| {
            [g.full.get().and_then(|f| f.as_ref().ok()), g.origin.get()]
                .into_iter()
                .flatten()
                .flatten()
        });
        self.file.len()
            + self
                .parts
                .iter()
                .map(|p| &p.cols)
                .chain(full)
                .map(Cols::heap_bytes)
                .sum::<usize>()
    }
}

/// Whether `m` is the message `timeline::generic_message` makes from `f`'s source fields
/// (compared without building it).
fn is_generic(m: &str, f: &Fields<'_>) -> bool {
    let mut rest = m;
    for (n, (k, v)) in f.raw.iter().take(8).enumerate() {
        let made = (m.len() - rest.len()) > 300;
        if made {
            break;
        }
        if n > 0 {
            let Some(r) = rest.strip_prefix(' ') else {
                return false;
            };
            rest = r;
        }
        let Some(r) = rest
            .strip_prefix(&**k)
            .and_then(|r| r.strip_prefix('='))
            .and_then(|r| r.strip_prefix(&**v))
        else {
            return false;
        };
        rest = r;
    }
    rest.is_empty()
}

impl Cols {
    fn new(b: &RecordBatch) -> Result<Cols, super::Error> {
        let get = |name: &str| b.column_by_name(name).cloned();
        let map = |name: &str| -> Result<Option<MapArray>, super::Error> {
            match get(name) {
                None => Ok(None),
                Some(a) => match a.as_map_opt() {
                    Some(m) if text_array(m.keys()) && text_array(m.values()) => {
                        Ok(Some(m.clone()))
                    }
                    _ => Err(format!("column {name}: not a map of text").into()),
                },
            }
        };
        let ts = get(col::TS);
        if ts.as_ref().is_none_or(|a| ts_unit(a.data_type()).is_none()) {
            return Err("no `ts` timestamp column: not a vigil dataset".into());
        }
        Ok(Cols {
            rows: b.num_rows(),
            ts,
            nanos: get(col::TS_NANOS),
            source: get(col::SOURCE),
            format: get(col::FORMAT),
            norm: Norm::ALL.map(|n| get(n.name())),
            norm_text: map(col::NORM_TEXT)?,
            raw: map(col::RAW)?,
            recovered: get(col::RECOVERED),
            bad_time: get(col::BAD_TIME),
            sha: get(col::SOURCE_SHA256),
            locator: get(col::LOCATOR),
        })
    }

    pub(super) fn rows(&self) -> usize {
        self.rows
    }

    /// UTC nanoseconds of row `r` (`ts` plus `ts_nanos`).
    pub(super) fn ts(&self, r: usize) -> i64 {
        let Some(a) = self.ts.as_deref() else {
            return i64::MIN;
        };
        let Some(v) = int_like(a, r) else {
            return i64::MIN;
        };
        match ts_unit(a.data_type()) {
            Some(TimeUnit::Microsecond) => {
                let nanos = self
                    .nanos
                    .as_deref()
                    .and_then(|n| int_at(n, r))
                    .unwrap_or(0);
                col::join_ns(v, nanos.clamp(0, 999) as i16)
            }
            Some(TimeUnit::Nanosecond) => v,
            Some(TimeUnit::Millisecond) => v.saturating_mul(1_000_000),
            Some(TimeUnit::Second) => v.saturating_mul(1_000_000_000),
            None => i64::MIN,
        }
    }

    pub(super) fn flag(&self, name: &str, r: usize) -> bool {
        let a = match name {
            col::RECOVERED => &self.recovered,
            _ => &self.bad_time,
        };
        a.as_deref()
            .and_then(|a| a.as_boolean_opt())
            .is_some_and(|b| b.is_valid(r) && b.value(r))
    }

    /// A text column's value (a normalised field's when it is text).
    pub(super) fn text(&self, n: Norm, r: usize) -> Option<&str> {
        text_at(self.norm[n as usize].as_deref()?, r)
    }

    /// Normalised field `n` of row `r` as text, whatever its column's type.
    pub(super) fn norm_text_of(&self, n: Norm, r: usize) -> Option<Cow<'_, str>> {
        let a = self.norm[n as usize].as_deref()?;
        if let Some(s) = text_at(a, r) {
            return Some(Cow::Borrowed(s));
        }
        if let Some(v) = int_at(a, r) {
            return Some(Cow::Owned(itoa::Buffer::new().format(v).to_owned()));
        }
        // A value its typed column could not hold.
        let m = self.norm_text.as_ref()?;
        map_pairs(m, r)
            .find(|(k, _)| *k == n.name())
            .map(|(_, v)| Cow::Borrowed(v))
    }

    fn heap_bytes(&self) -> usize {
        let arrays = [
            &self.ts,
            &self.nanos,
            &self.source,
            &self.format,
            &self.recovered,
            &self.bad_time,
            &self.sha,
            &self.locator,
        ];
        arrays
            .into_iter()
            .chain(self.norm.iter())
            .flatten()
            .map(|a| a.get_array_memory_size())
            .sum::<usize>()
            + [&self.norm_text, &self.raw]
                .into_iter()
                .flatten()
                .map(|m| m.get_array_memory_size())
                .sum::<usize>()
    }
}

fn ts_unit(t: &DataType) -> Option<TimeUnit> {
    match t {
        DataType::Timestamp(u, _) => Some(*u),
        _ => None,
    }
}

fn text_array(a: &dyn Array) -> bool {
    matches!(
        a.data_type(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

/// Row `r` of a text column (any string layout); None when null or not text.
fn text_at(a: &dyn Array, r: usize) -> Option<&str> {
    if r >= a.len() || a.is_null(r) {
        return None;
    }
    match a.data_type() {
        DataType::Utf8 => Some(a.as_string::<i32>().value(r)),
        DataType::LargeUtf8 => Some(a.as_string::<i64>().value(r)),
        DataType::Utf8View => Some(a.as_string_view().value(r)),
        _ => None,
    }
}

/// Row `r` of an integer column of any width; None when null, not an integer or out of
/// range.
fn int_at(a: &dyn Array, r: usize) -> Option<i64> {
    if r >= a.len() || a.is_null(r) {
        return None;
    }
    match a.data_type() {
        DataType::Int8 => Some(a.as_primitive::<Int8Type>().value(r).into()),
        DataType::Int16 => Some(a.as_primitive::<Int16Type>().value(r).into()),
        DataType::Int32 => Some(a.as_primitive::<Int32Type>().value(r).into()),
        DataType::Int64 => Some(a.as_primitive::<Int64Type>().value(r)),
        DataType::UInt8 => Some(a.as_primitive::<UInt8Type>().value(r).into()),
        DataType::UInt16 => Some(a.as_primitive::<UInt16Type>().value(r).into()),
        DataType::UInt32 => Some(a.as_primitive::<UInt32Type>().value(r).into()),
        DataType::UInt64 => i64::try_from(a.as_primitive::<UInt64Type>().value(r)).ok(),
        _ => None,
    }
}

/// An integer or timestamp column's raw value.
fn int_like(a: &dyn Array, r: usize) -> Option<i64> {
    if r >= a.len() || a.is_null(r) {
        return None;
    }
    match a.data_type() {
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            Some(a.as_primitive::<TimestampMicrosecondType>().value(r))
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            Some(a.as_primitive::<TimestampNanosecondType>().value(r))
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            Some(a.as_primitive::<TimestampMillisecondType>().value(r))
        }
        DataType::Timestamp(TimeUnit::Second, _) => {
            Some(a.as_primitive::<TimestampSecondType>().value(r))
        }
        _ => int_at(a, r),
    }
}

/// The `(key, value)` entries of row `r` of a map of text (null values skipped).
fn map_pairs(m: &MapArray, r: usize) -> impl Iterator<Item = (&str, &str)> {
    let range = if r < m.len() && m.is_valid(r) {
        let o = m.value_offsets();
        o[r] as usize..o[r + 1] as usize
    } else {
        0..0
    };
    let (keys, values) = (m.keys(), m.values());
    range.filter_map(move |i| Some((text_at(keys, i)?, text_at(values, i)?)))
}

#[cfg(test)]
mod tests {
    use crate::ingest::SourceReport;

    /// Columns that cannot be decoded once the source is open are said on each event of
    /// the row group (and in its record), never left out silently.
    #[test]
    fn a_row_group_that_cannot_be_read_later_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let ds = dir.path().join("ds");
        let t = crate::timeline::load_paths(
            &[crate::testutil::samples().join("firewall")],
            &crate::ingest::Options::default(),
            &crate::ingest::Progress::default(),
        )
        .0;
        let req = crate::export::Request::new(crate::export::Format::Parquet);
        let opts = crate::export::parquet::DatasetOptions {
            shard: "t",
            replace: false,
        };
        crate::export::parquet::write_dataset(
            &t,
            &req,
            &ds,
            &crate::output::Protected::new(),
            opts,
        )
        .unwrap();
        let file = crate::testutil::files_below(&ds)
            .into_iter()
            .find(|p| p.extension().is_some_and(|e| e == "parquet"))
            .unwrap();
        let data = std::fs::read(&file).unwrap();
        let mut report = SourceReport::default();
        let (batch, stored) = super::super::load(&data, None, &mut report);
        let mut stored = stored.unwrap();
        let e = batch.events[0];
        assert!(!stored.fields(&e).raw.is_empty(), "read in full before");
        // A fresh source whose bytes are gone after the open: the rest cannot be read.
        let (batch, again) = super::super::load(&data, None, &mut report);
        stored = again.unwrap();
        stored.file = bytes::Bytes::from_static(b"PAR1");
        let e = batch.events[0];
        let f = stored.fields(&e);
        assert!(f.raw.is_empty());
        let m = f.get(crate::model::Norm::Message).unwrap();
        assert!(m.contains("could not be read"), "{m}");
        assert!(stored.record(&e).contains("could not be read"));
        assert_eq!(f.ts, e.ts);
    }
}
