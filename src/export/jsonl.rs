//! `--format jsonl`: one JSON object per event (**contract**: `ts`, `source`, `format`,
//! every non-empty normalised field, `raw`, `annotation` when annotated).

use super::Lines;
use super::annotated::{Item, add_annotations, annotation_json};
use super::object::{self, Val, key};
use crate::case::MissingEvent;
use crate::model::{Fields, Norm, format_rfc3339};
use serde_json::{Map, Value};
use std::io;

/// The object of an annotated event whose evidence is not loaded: what the case file's
/// event copy holds, `"evidence":"missing"`, an empty `raw`, and the annotations.
pub fn missing_object(m: &MissingEvent<'_>, format: &str) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("ts".into(), format_rfc3339(m.key.ts).into());
    if let Some(a) = m.first() {
        let e = &a.event;
        o.insert("source".into(), e.source.clone().into());
        o.insert("format".into(), format.into());
        for (k, v) in [("host", &e.host), ("event_id", &e.event_id)] {
            if !v.is_empty() {
                o.insert(k.into(), v.clone().into());
            }
        }
        o.insert("message".into(), e.message.clone().into());
    }
    o.insert("evidence".into(), "missing".into());
    o.insert("raw".into(), Value::Object(Map::new()));
    add_annotations(&mut o, &m.annotations);
    o
}

/// Writes `items` as JSON lines; with a case, annotated events carry `annotation`. Each
/// line stands alone: any run of items can be written apart and the parts joined.
pub(super) fn write_items(cx: &Lines<'_>, items: &[Item], out: &mut Vec<u8>) -> io::Result<()> {
    let mut f = Fields::new();
    for &item in items {
        match (item, cx.ann) {
            (Item::Row(i), _) => row(cx, i, &mut f, out),
            (Item::Missing(k), Some(a)) => {
                if let Some(m) = a.missing(k) {
                    serde_json::to_writer(
                        &mut *out,
                        &Value::Object(missing_object(m, a.missing_format(m))),
                    )?;
                    out.push(b'\n');
                }
            }
            (Item::Missing(_), None) => {}
        }
    }
    Ok(())
}

/// The line of timeline row `i`: `ts`, `source`, `format`, the normalised fields, a
/// `message` made from the source fields when there is none, the record flags, `raw`,
/// then the case's annotations and the Sigma rules. (No key can come twice: the
/// normalised names are none of the others.)
/// `f` is a buffer reused from row to row.
fn row<'t>(cx: &Lines<'t>, i: usize, f: &mut Fields<'t>, out: &mut Vec<u8>) {
    let t = cx.timeline;
    t.fields_into(i, f);
    let f = &*f;
    let e = t.events.get(i);
    out.push(b'{');
    key(out, true, "ts");
    match e {
        Some(e) if !(e.flags.bad_time() && e.ts == i64::MIN) => {
            out.push(b'"');
            object::rfc3339(out, e.ts);
            out.push(b'"');
        }
        _ => object::str(out, &t.time_text(i)),
    }
    if let Some(src) = t.source_of(i) {
        key(out, false, "source");
        object::str(out, &src.label);
        key(out, false, "format");
        object::str(out, t.event_format(i));
    }
    for (n, v) in f.norm_iter() {
        key(out, false, n.name());
        object::str(out, v);
    }
    if f.get(Norm::Message).is_none() {
        key(out, false, "message");
        object::str(out, &crate::timeline::generic_message(f));
    }
    if let Some(e) = e {
        if e.flags.recovered() {
            key(out, false, "recovered");
            out.extend_from_slice(b"true");
        }
        if e.flags.bad_time() {
            key(out, false, "bad_time");
            out.extend_from_slice(b"true");
        }
    }
    key(out, false, "raw");
    object::raw_object(&f.raw, out);
    if let Some(a) = cx.ann {
        let anns = a.on_row(i);
        if let Some(first) = anns.first() {
            key(out, false, "annotation");
            Val::json(annotation_json(first)).write(out);
        }
        if anns.len() > 1 {
            key(out, false, "annotations");
            Val::json(Value::Array(
                anns.iter().map(|a| annotation_json(a)).collect(),
            ))
            .write(out);
        }
    }
    if let Some(rules) = cx.det.and_then(|d| d.rules_json(i)) {
        key(out, false, "rules");
        Val::json(rules).write(out);
    }
    out.extend_from_slice(b"}\n");
}
