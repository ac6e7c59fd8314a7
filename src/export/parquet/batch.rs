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
    annotations: Option<ListBuilder<StructBuilder>>,
    /// With `annotations` (a case given).
    evidence: StringBuilder,
    rules: Option<ListBuilder<StringBuilder>>,
}

/// A map builder for `n` rows of about `entries` pairs each.
fn text_map(n: usize, entries: usize) -> TextMap {
    let pairs = n * entries;
    MapBuilder::with_capacity(
        None,
        StringBuilder::with_capacity(pairs, pairs * 12),
        StringBuilder::with_capacity(pairs, pairs * 24),
        n,
    )
}

impl Batch {
    pub fn new(schema: SchemaRef, n: usize) -> Batch {
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
            source: StringBuilder::with_capacity(n, n * 16),
            format: StringBuilder::with_capacity(n, n * 8),
            norm: norm_columns()
                .map(|c| (c, NormCol::new(&norm_type(c), n)))
                .collect(),
            message: StringBuilder::with_capacity(n, n * 64),
            norm_text: text_map(0, 0),
            raw: text_map(n, 12),
            recovered: BooleanBuilder::with_capacity(n),
            bad_time: BooleanBuilder::with_capacity(n),
            sha: StringBuilder::with_capacity(n, n * 64),
            locator: StringBuilder::with_capacity(n, n * 12),
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
        self.locator
            .append_value(t.locator_of(i).as_deref().unwrap_or(""));
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

    /// The batch of the rows pushed so far.
    pub fn finish(mut self) -> Result<RecordBatch, ArrowError> {
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
        RecordBatch::try_new(self.schema, cols)
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
