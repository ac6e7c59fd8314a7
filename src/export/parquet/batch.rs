//! Timeline rows → one Arrow `RecordBatch` of the dataset schema (`schema`).

use super::schema::{self, canonical_int, norm_columns, norm_type};
use crate::case::{Annotation, MissingEvent};
use crate::export::{Annotated, Lines};
use crate::model::{Fields, Norm};
use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Int16Builder, Int32Builder, Int64Builder, ListBuilder,
    MapBuilder, StringBuilder, StructBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, SchemaRef};
use std::sync::Arc;

/// A normalised field's column builder.
enum NormCol {
    Text(StringBuilder),
    I32(Int32Builder),
    I64(Int64Builder),
}

impl NormCol {
    fn new(t: &DataType, n: usize) -> NormCol {
        match t {
            DataType::Int32 => NormCol::I32(Int32Builder::with_capacity(n)),
            DataType::Int64 => NormCol::I64(Int64Builder::with_capacity(n)),
            _ => NormCol::Text(StringBuilder::with_capacity(n, n * 16)),
        }
    }

    /// Appends `v`; false when the typed column cannot hold it exactly (then null).
    fn push(&mut self, v: Option<&str>) -> bool {
        match self {
            NormCol::Text(b) => {
                b.append_option(v);
                true
            }
            NormCol::I32(b) => {
                let n = v
                    .and_then(canonical_int)
                    .and_then(|n| i32::try_from(n).ok());
                b.append_option(n);
                v.is_none() || n.is_some()
            }
            NormCol::I64(b) => {
                let n = v.and_then(canonical_int);
                b.append_option(n);
                v.is_none() || n.is_some()
            }
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            NormCol::Text(b) => Arc::new(b.finish()),
            NormCol::I32(b) => Arc::new(b.finish()),
            NormCol::I64(b) => Arc::new(b.finish()),
        }
    }
}

type TextMap = MapBuilder<StringBuilder, StringBuilder>;

/// How much a batch held, so the next one's builders are sized once: grown from a guess,
/// `raw`'s were copied over (and faulted in anew) about twice per batch.
#[derive(Clone, Copy, Debug)]
pub(super) struct Room {
    rows: usize,
    source: usize,
    message: usize,
    locator: usize,
    pairs: usize,
    key_bytes: usize,
    value_bytes: usize,
}

impl Room {
    /// The first batch's guess, per row: a 16-byte source name, a 64-byte message, 12
    /// source fields.
    pub const GUESS: Room = Room {
        rows: 1,
        source: 16,
        message: 64,
        locator: 12,
        pairs: 12,
        key_bytes: 12 * 12,
        value_bytes: 12 * 24,
    };

    /// What `held` picks (from the last batch) scaled to `n` rows, and a sixteenth to
    /// spare. A batch under half as long says too little (a single row with a long message
    /// would reserve that message `n` times): the guess is taken instead.
    fn scaled(&self, held: impl Fn(&Room) -> usize, n: usize) -> usize {
        let from = match self.rows.saturating_mul(2) >= n {
            true => self,
            false => &Room::GUESS,
        };
        let total = held(from).saturating_mul(n) / from.rows.max(1);
        total.saturating_add(total / 16)
    }
}

/// The builders of one batch.
pub(super) struct Batch {
    schema: SchemaRef,
    ts: TimestampMicrosecondBuilder,
    ts_nanos: Int16Builder,
    source: StringBuilder,
    format: StringBuilder,
    norm: Vec<(Norm, NormCol)>,
    message: StringBuilder,
    norm_text: TextMap,
    raw: TextMap,
    recovered: BooleanBuilder,
    bad_time: BooleanBuilder,
    sha: StringBuilder,
    locator: StringBuilder,
    /// A row's locator, written here before it is copied to `locator`.
    scratch: String,
    annotations: Option<ListBuilder<StructBuilder>>,
    /// With `annotations` (a case given).
    evidence: StringBuilder,
    rules: Option<ListBuilder<StringBuilder>>,
}

/// A map builder for `n` rows of `pairs` pairs in all, their names and values of
/// `key_bytes` and `value_bytes`.
fn text_map(n: usize, pairs: usize, key_bytes: usize, value_bytes: usize) -> TextMap {
    MapBuilder::with_capacity(
        None,
        StringBuilder::with_capacity(pairs, key_bytes),
        StringBuilder::with_capacity(pairs, value_bytes),
        n,
    )
}

impl Batch {
    /// A batch of `n` rows, its builders sized by `room` (the last batch's).
    pub fn new(schema: SchemaRef, n: usize, room: &Room) -> Batch {
        let annotations = schema
            .field_with_name(schema::ANNOTATIONS)
            .ok()
            .and_then(|f| match f.data_type() {
                DataType::List(item) => match item.data_type() {
                    DataType::Struct(fields) => Some(
                        ListBuilder::new(StructBuilder::from_fields(fields.clone(), 0))
                            .with_field(item.clone()),
                    ),
                    _ => None,
                },
                _ => None,
            });
        let rules = schema
            .field_with_name(schema::RULES)
            .is_ok()
            .then(|| ListBuilder::new(StringBuilder::new()));
        Batch {
            ts: TimestampMicrosecondBuilder::with_capacity(n).with_timezone("UTC"),
            ts_nanos: Int16Builder::with_capacity(n),
            source: StringBuilder::with_capacity(n, room.scaled(|r| r.source, n)),
            format: StringBuilder::with_capacity(n, n * 8),
            norm: norm_columns()
                .map(|c| (c, NormCol::new(&norm_type(c), n)))
                .collect(),
            message: StringBuilder::with_capacity(n, room.scaled(|r| r.message, n)),
            norm_text: text_map(0, 0, 0, 0),
            raw: text_map(
                n,
                room.scaled(|r| r.pairs, n),
                room.scaled(|r| r.key_bytes, n),
                room.scaled(|r| r.value_bytes, n),
            ),
            recovered: BooleanBuilder::with_capacity(n),
            bad_time: BooleanBuilder::with_capacity(n),
            sha: StringBuilder::with_capacity(n, n * 64),
            locator: StringBuilder::with_capacity(n, room.scaled(|r| r.locator, n)),
            scratch: String::new(),
            annotations,
            evidence: StringBuilder::new(),
            rules,
            schema,
        }
    }

    /// Appends timeline row `i`, read into `f` (a buffer reused from row to row).
    pub fn push<'t>(&mut self, cx: &Lines<'t>, i: usize, f: &mut Fields<'t>) {
        let t = cx.timeline;
        t.fields_into(i, f);
        let (ts, flags) = t
            .events
            .get(i)
            .map_or((0, Default::default()), |e| (e.ts, e.flags));
        self.push_time(ts);
        self.source
            .append_value(t.source_of(i).map_or("", |s| s.label.as_str()));
        self.format.append_value(t.event_format(i));
        self.push_norm(|n| f.get(n));
        match f.get(Norm::Message) {
            Some(m) => self.message.append_value(m),
            None => self
                .message
                .append_value(crate::timeline::generic_message(f)),
        }
        push_unique(&mut self.raw, &f.raw);
        self.recovered.append_value(flags.recovered());
        self.bad_time.append_value(flags.bad_time());
        self.sha.append_value(t.sha256_of(i).unwrap_or(""));
        self.scratch.clear();
        t.write_locator(i, &mut self.scratch);
        self.locator.append_value(&self.scratch);
        self.push_annotations(cx.ann.map_or(&[], |a| a.on_row(i)), None);
        if let Some(b) = &mut self.rules {
            let titles = cx.det.map(|d| d.titles(i)).unwrap_or_default();
            for title in &titles {
                b.values().append_value(title);
            }
            b.append(!titles.is_empty());
        }
    }

    /// Appends an annotated event whose evidence is not in the export: what the case
    /// file's copy of it holds (as jsonl's missing object), its original source path and
    /// key, no source fields, flagged `evidence` = `missing`.
    pub fn push_missing(&mut self, ann: &Annotated<'_, '_>, m: &MissingEvent<'_>) {
        let copy = m.first().map(|a| &a.event);
        self.push_time(m.key.ts);
        self.source
            .append_value(copy.map_or("", |c| c.source.as_str()));
        self.format.append_value(ann.missing_format(m));
        self.push_norm(|n| {
            let v = match n {
                Norm::Host => copy.map(|c| &c.host),
                Norm::EventId => copy.map(|c| &c.event_id),
                _ => None,
            };
            v.map(String::as_str).filter(|v| !v.is_empty())
        });
        self.message
            .append_value(copy.map_or("", |c| c.message.as_str()));
        let _ = self.raw.append(true);
        self.recovered.append_value(false);
        self.bad_time.append_value(false);
        self.sha.append_value(&m.key.sha256);
        self.locator.append_value(&m.key.locator);
        self.push_annotations(&m.annotations, Some(schema::MISSING));
        if let Some(b) = &mut self.rules {
            b.append(false);
        }
    }

    fn push_time(&mut self, ns: i64) {
        let (us, nanos) = schema::split_ns(ns);
        self.ts.append_value(us);
        self.ts_nanos.append_value(nanos);
    }

    /// The normalised columns, and `norm_text` for the values a typed one cannot hold.
    fn push_norm<'v>(&mut self, get: impl Fn(Norm) -> Option<&'v str>) {
        let mut overflow: Vec<(&str, &str)> = Vec::new();
        for (n, col) in &mut self.norm {
            let v = get(*n);
            if !col.push(v)
                && let Some(v) = v
            {
                overflow.push((n.name(), v));
            }
        }
        for (k, v) in &overflow {
            self.norm_text.keys().append_value(k);
            self.norm_text.values().append_value(v);
        }
        // Null when every value fitted its column (the usual case).
        let _ = self.norm_text.append(!overflow.is_empty());
    }

    /// The case's columns (when a case is given): the annotations, and `evidence`.
    fn push_annotations(&mut self, anns: &[&Annotation], evidence: Option<&str>) {
        let Some(b) = &mut self.annotations else {
            return;
        };
        for a in anns {
            let s = b.values();
            text(s, 0, Some(&a.id));
            text(s, 1, Some(a.kind.id()));
            text(s, 2, a.severity.map(|s| s.label()));
            if let Some(tags) = s.field_builder::<ListBuilder<Box<dyn ArrayBuilder>>>(3) {
                for tag in &a.tags {
                    let values: &mut dyn ArrayBuilder = &mut **tags.values();
                    if let Some(v) = values.as_any_mut().downcast_mut::<StringBuilder>() {
                        v.append_value(tag);
                    }
                }
                tags.append(true);
            }
            for (k, v) in [
                (4, &a.note),
                (5, &a.author),
                (6, &a.created),
                (7, &a.modified),
            ] {
                text(s, k, Some(v));
            }
            s.append(true);
        }
        b.append(!anns.is_empty());
        self.evidence.append_option(evidence);
    }

    /// The batch of the rows pushed so far, and the room it took.
    pub fn finish(mut self) -> Result<(RecordBatch, Room), ArrowError> {
        let room = Room {
            rows: self.locator.len(),
            source: self.source.values_slice().len(),
            message: self.message.values_slice().len(),
            locator: self.locator.values_slice().len(),
            pairs: self.raw.keys().len(),
            key_bytes: self.raw.keys().values_slice().len(),
            value_bytes: self.raw.values().values_slice().len(),
        };
        let mut cols: Vec<ArrayRef> = vec![
            Arc::new(self.ts.finish()),
            Arc::new(self.ts_nanos.finish()),
            Arc::new(self.source.finish()),
            Arc::new(self.format.finish()),
        ];
        cols.extend(self.norm.iter_mut().map(|(_, c)| c.finish()));
        cols.push(Arc::new(self.message.finish()));
        cols.push(Arc::new(self.norm_text.finish()));
        cols.push(Arc::new(self.raw.finish()));
        cols.push(Arc::new(self.recovered.finish()));
        cols.push(Arc::new(self.bad_time.finish()));
        cols.push(Arc::new(self.sha.finish()));
        cols.push(Arc::new(self.locator.finish()));
        if let Some(b) = &mut self.annotations {
            cols.push(Arc::new(b.finish()));
            cols.push(Arc::new(self.evidence.finish()));
        }
        if let Some(b) = &mut self.rules {
            cols.push(Arc::new(b.finish()));
        }
        Ok((RecordBatch::try_new(self.schema, cols)?, room))
    }
}

/// Appends `v` to text field `k` of an annotation struct.
fn text(s: &mut StructBuilder, k: usize, v: Option<&str>) {
    if let Some(c) = s.field_builder::<StringBuilder>(k) {
        c.append_option(v);
    }
}

/// The source fields with each name once, as the jsonl `raw` object has them: a name
/// given twice keeps its first place and its last value (engines' maps want unique keys).
fn push_unique(b: &mut TextMap, raw: &[(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)]) {
    let pairs = raw.iter().map(|(k, v)| (&**k, &**v));
    if !crate::export::object::has_repeats(pairs.clone().map(|(k, _)| k)) {
        for (k, v) in pairs {
            b.keys().append_value(k);
            b.values().append_value(v);
        }
    } else {
        let mut unique: Vec<(&str, &str)> = Vec::with_capacity(raw.len());
        for (k, v) in pairs {
            match unique.iter_mut().find(|(u, _)| *u == k) {
                Some(slot) => slot.1 = v,
                None => unique.push((k, v)),
            }
        }
        for (k, v) in unique {
            b.keys().append_value(k);
            b.values().append_value(v);
        }
    }
    let _ = b.append(true);
}

#[cfg(test)]
mod tests {
    use super::Room;

    /// A full last batch sizes the next by its own rows; a short one (here a single row
    /// with a 1 MiB message) is not extrapolated to a whole batch.
    #[test]
    fn room_scales_full_batches_only() {
        let full = Room {
            rows: 1000,
            message: 64_000,
            ..Room::GUESS
        };
        assert_eq!(full.scaled(|r| r.message, 2000), 128_000 + 8_000);
        let short = Room {
            rows: 1,
            message: 1 << 20,
            ..Room::GUESS
        };
        let guess = Room::GUESS.scaled(|r| r.message, 16_384);
        assert_eq!(guess, 64 * 16_384 * 17 / 16);
        assert_eq!(short.scaled(|r| r.message, 16_384), guess);
        assert_eq!(short.scaled(|r| r.message, 2), (2 << 20) + (2 << 20) / 16);
    }
}
