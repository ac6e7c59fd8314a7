//! The columns of a vigil Parquet dataset (README "Parquet dataset"; pinned by
//! `tests::schema_is_pinned`). Shared by the writer (`export::parquet`) and the reader
//! (`ingest::parquet`): a column's name, its type, and how a normalised field's text maps
//! to it and back.

use crate::model::Norm;
use arrow_schema::{DataType, Field, Fields, Schema, TimeUnit};
use std::sync::Arc;

/// Event time: UTC microseconds (what Spark, Trino and DuckDB call a timestamp).
pub const TS: &str = "ts";
/// Nanoseconds past `ts`'s microsecond (0–999): EVTX and EDR times carry 100 ns.
pub const TS_NANOS: &str = "ts_nanos";
pub const SOURCE: &str = "source";
pub const FORMAT: &str = "format";
pub const MESSAGE: &str = "message";
/// Normalised values a typed column cannot hold as written (a pid `0x1a4`, a port
/// `http`): name → text, so nothing is lost.
pub const NORM_TEXT: &str = "norm_text";
/// The source's own fields, in record order.
pub const RAW: &str = "raw";
pub const RECOVERED: &str = "recovered";
pub const BAD_TIME: &str = "bad_time";
/// The original evidence: SHA-256 and record locator (the `EventKey` of DESIGN §3), so
/// annotations made on the dataset point back to it.
pub const SOURCE_SHA256: &str = "source_sha256";
pub const LOCATOR: &str = "locator";
/// With a case: the annotations on the event.
pub const ANNOTATIONS: &str = "annotations";
/// With a case: `missing` on an annotated event whose evidence is not in the export (a
/// row from the case file's copy of it, as jsonl's `"evidence":"missing"`); else null.
pub const EVIDENCE: &str = "evidence";
/// The value of `evidence` on such a row.
pub const MISSING: &str = "missing";
/// Once detections ran: the titles of the Sigma rules that fired.
pub const RULES: &str = "rules";
/// The Hive partition directory (`date=YYYY-MM-DD`), not a column of the files.
pub const PARTITION: &str = "date";

/// The Arrow type of a normalised field's column: ports 32-bit, ids and pids 64-bit
/// integers; everything else (addresses included) text.
pub fn norm_type(n: Norm) -> DataType {
    match n {
        Norm::SrcPort | Norm::DstPort => DataType::Int32,
        Norm::EventId | Norm::Pid | Norm::RecordId => DataType::Int64,
        _ => DataType::Utf8,
    }
}

/// The normalised fields that have a column of their own (all but `message`, which comes
/// after them, always filled).
pub fn norm_columns() -> impl Iterator<Item = Norm> {
    Norm::ALL.into_iter().filter(|&n| n != Norm::Message)
}

/// The integer a typed column holds for `text`: only when writing it back gives `text`
/// exactly (so `0x1a4`, `080` or `+5` go to `norm_text` instead).
pub fn canonical_int(text: &str) -> Option<i64> {
    // Canonical is `0`, or an optional `-` and digits not starting with `0`; checked on
    // the bytes (writing the parsed value back to compare cost as much as the parse).
    let digits = text.strip_prefix('-').unwrap_or(text);
    let canonical = match digits.as_bytes() {
        [b'0'] => text.len() == 1,
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    canonical.then(|| text.parse().ok()).flatten()
}

/// The map type of `raw` and `norm_text` (text keys and values).
pub fn map_type() -> DataType {
    let entries = Field::new(
        "entries",
        DataType::Struct(Fields::from(vec![
            Field::new("key", DataType::Utf8, false),
            Field::new("value", DataType::Utf8, true),
        ])),
        false,
    );
    DataType::Map(Arc::new(entries), false)
}

/// The type of `annotations`: one struct per annotation (DESIGN §8 keys).
pub fn annotation_type() -> DataType {
    let tags = DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    let s = Fields::from(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("severity", DataType::Utf8, true),
        Field::new("tags", tags, false),
        Field::new("note", DataType::Utf8, false),
        Field::new("author", DataType::Utf8, false),
        Field::new("created", DataType::Utf8, false),
        Field::new("modified", DataType::Utf8, false),
    ]);
    DataType::List(Arc::new(Field::new("item", DataType::Struct(s), true)))
}

/// The type of `rules`.
pub fn rules_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

/// The schema of an export: with `annotations` and `evidence` when a case is given, with
/// `rules` when detections ran.
pub fn schema(annotations: bool, rules: bool) -> Schema {
    let mut cols = vec![
        Field::new(
            TS,
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        Field::new(TS_NANOS, DataType::Int16, false),
        Field::new(SOURCE, DataType::Utf8, false),
        Field::new(FORMAT, DataType::Utf8, false),
    ];
    cols.extend(norm_columns().map(|n| Field::new(n.name(), norm_type(n), true)));
    cols.extend([
        Field::new(MESSAGE, DataType::Utf8, false),
        Field::new(NORM_TEXT, map_type(), true),
        Field::new(RAW, map_type(), false),
        Field::new(RECOVERED, DataType::Boolean, false),
        Field::new(BAD_TIME, DataType::Boolean, false),
        Field::new(SOURCE_SHA256, DataType::Utf8, false),
        Field::new(LOCATOR, DataType::Utf8, false),
    ]);
    if annotations {
        cols.push(Field::new(ANNOTATIONS, annotation_type(), true));
        cols.push(Field::new(EVIDENCE, DataType::Utf8, true));
    }
    if rules {
        cols.push(Field::new(RULES, rules_type(), true));
    }
    Schema::new(cols)
}

/// Splits UTC nanoseconds into `(ts microseconds, ts_nanos)`.
pub fn split_ns(ns: i64) -> (i64, i16) {
    (ns.div_euclid(1000), ns.rem_euclid(1000) as i16)
}

/// Joins `(ts microseconds, ts_nanos)` back into nanoseconds (saturating: a file written
/// elsewhere may hold any microsecond).
pub fn join_ns(us: i64, nanos: i16) -> i64 {
    let ns = i128::from(us) * 1000 + i128::from(nanos.clamp(0, 999));
    i64::try_from(ns).unwrap_or(if ns < 0 { i64::MIN } else { i64::MAX })
}

/// The partition (`YYYY-MM-DD`, UTC) of an event time in nanoseconds.
pub fn partition_of(ns: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_nanos(ns)
        .format("%Y-%m-%d")
        .to_string()
}

#[cfg(test)]
mod tests {
    /// Exactly the texts that parse to an `i64` written back unchanged.
    #[test]
    fn canonical_int_is_the_text_an_integer_writes() {
        let written_back = |t: &str| {
            t.parse::<i64>()
                .ok()
                .filter(|v| itoa::Buffer::new().format(*v) == t)
        };
        let cases = [
            "0",
            "7",
            "-7",
            "4624",
            "-0",
            "00",
            "080",
            "+5",
            "0x1a4",
            "",
            "-",
            "1 ",
            " 1",
            "1.0",
            "١",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "http",
            "12a",
        ];
        for t in cases {
            assert_eq!(super::canonical_int(t), written_back(t), "{t:?}");
        }
        assert_eq!(super::canonical_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(super::canonical_int("080"), None);
    }
}
