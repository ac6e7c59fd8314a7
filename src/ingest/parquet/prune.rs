//! What a filter lets a Parquet reader skip: `date=` partitions outside its time range,
//! and row groups whose statistics rule out its time range or a `FIELD:value` term.
//! Only what certainly cannot match is skipped; the filter itself still runs on the rest.

use crate::export::parquet::schema as col;
use crate::model::Norm;
use arrow_schema::{DataType, Schema, TimeUnit};
use parquet::file::metadata::ParquetMetaData;
use parquet::file::statistics::Statistics;
use std::path::Path;

const DAY: i64 = 86_400_000_000_000;

/// The `date=YYYY-MM-DD` component of `path` when that day is outside `[lo, hi]`.
pub(super) fn partition_outside(
    path: &Path,
    (lo, hi): (Option<i64>, Option<i64>),
) -> Option<String> {
    let part = path.components().rev().skip(1).find_map(|c| {
        let s = c.as_os_str().to_str()?;
        let day = s.strip_prefix(col::PARTITION)?.strip_prefix('=')?;
        Some((s.to_owned(), day.to_owned()))
    })?;
    let d = chrono::NaiveDate::parse_from_str(&part.1, "%Y-%m-%d").ok()?;
    let start = d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_nanos_opt()?;
    let end = start.saturating_add(DAY - 1);
    let outside = lo.is_some_and(|lo| end < lo) || hi.is_some_and(|hi| start > hi);
    outside.then_some(part.0)
}

/// A row group's verdict for one filter.
pub(super) struct Groups<'m> {
    meta: &'m ParquetMetaData,
    bounds: (Option<i64>, Option<i64>),
    /// `ts`'s leaf column and how many nanoseconds one unit of it is.
    ts: Option<(usize, i64)>,
    /// Leaf column, integer-typed, exact lowercase values.
    terms: Vec<(usize, bool, Vec<&'m str>)>,
}

impl<'m> Groups<'m> {
    pub fn new(meta: &'m ParquetMetaData, schema: &Schema, q: &'m crate::query::Query) -> Self {
        let leaf = |name: &str| {
            meta.file_metadata()
                .schema_descr()
                .columns()
                .iter()
                .position(|c| c.path().parts() == [name.to_owned()])
        };
        let ts = schema
            .field_with_name(col::TS)
            .ok()
            .and_then(|f| match f.data_type() {
                DataType::Timestamp(u, _) => Some(match u {
                    TimeUnit::Second => 1_000_000_000,
                    TimeUnit::Millisecond => 1_000_000,
                    TimeUnit::Microsecond => 1000,
                    TimeUnit::Nanosecond => 1,
                }),
                _ => None,
            })
            .and_then(|unit| Some((leaf(col::TS)?, unit)));
        let terms = q
            .required_values()
            .into_iter()
            .filter(|(name, values)| {
                // `format:parquet` names the source, not a column value.
                let pushable = Norm::from_name(name).is_some() || *name == col::FORMAT;
                pushable && !values.contains(&super::ID)
            })
            .filter_map(|(name, values)| {
                let int = schema
                    .field_with_name(name)
                    .ok()
                    .is_some_and(|f| f.data_type().is_integer());
                Some((leaf(name)?, int, values))
            })
            .collect();
        Groups {
            meta,
            bounds: q.time_bounds(),
            ts,
            terms,
        }
    }

    /// False only when row group `g` certainly holds no match.
    pub fn may_match(&self, g: usize) -> bool {
        let Some(rg) = self.meta.row_groups().get(g) else {
            return true;
        };
        if let Some((c, unit)) = self.ts
            && let Some(Statistics::Int64(s)) = rg.column(c).statistics()
            && let (Some(&min), Some(&max)) = (s.min_opt(), s.max_opt())
        {
            let first = min.saturating_mul(unit);
            // Up to a unit later (`ts_nanos` adds below a microsecond).
            let last = max.saturating_mul(unit).saturating_add(unit - 1);
            let (lo, hi) = self.bounds;
            if lo.is_some_and(|lo| last < lo) || hi.is_some_and(|hi| first > hi) {
                return false;
            }
        }
        self.terms.iter().all(|(c, int, values)| {
            let chunk = rg.column(*c);
            let Some(stats) = chunk.statistics() else {
                return true;
            };
            if stats.null_count_opt() == Some(rg.num_rows() as u64) {
                // Every value null: a value written as text would be here (`norm_text`
                // holds only what is not a plain integer, which no exact term is).
                return *int && values.iter().any(|v| col::canonical_int(v).is_none());
            }
            values.iter().any(|v| value_may_be_in(stats, *int, v))
        })
    }
}

/// Whether `v` (lowercase; matched ASCII case-insensitively) may lie within `stats`.
fn value_may_be_in(stats: &Statistics, int: bool, v: &str) -> bool {
    if int {
        // Not a plain integer: it would be in `norm_text`, not in this column.
        let Some(n) = col::canonical_int(v) else {
            return true;
        };
        return match stats {
            Statistics::Int32(s) => match (s.min_opt(), s.max_opt()) {
                (Some(&a), Some(&b)) => i64::from(a) <= n && n <= i64::from(b),
                _ => true,
            },
            Statistics::Int64(s) => match (s.min_opt(), s.max_opt()) {
                (Some(&a), Some(&b)) => a <= n && n <= b,
                _ => true,
            },
            _ => true,
        };
    }
    match stats {
        Statistics::ByteArray(s) => match (s.min_opt(), s.max_opt()) {
            // Every case variant of `v` lies between its upper- and lower-case forms.
            (Some(a), Some(b)) => {
                let upper = v.to_ascii_uppercase();
                v.as_bytes() >= a.data() && upper.as_bytes() <= b.data()
            }
            _ => true,
        },
        _ => true,
    }
}
