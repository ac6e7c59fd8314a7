//! `--format jsonl`: one JSON object per event (**contract**: `ts`, `source`, `format`,
//! every non-empty normalised field, `raw`, `annotation` when annotated).

use super::Lines;
use super::annotated::{Item, add_annotations};
use crate::case::MissingEvent;
use crate::model::{Fields, Norm, format_rfc3339};
use crate::timeline::Timeline;
use serde_json::{Map, Value};
use std::io::{self, Write};

/// The JSON object of event `i`; `annotation` is added by the caller when there is one.
pub fn event_object(t: &Timeline, i: usize, f: &Fields<'_>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("ts".into(), t.time_text(i).into());
    if let Some(src) = t.source_of(i) {
        m.insert("source".into(), src.label.clone().into());
        m.insert("format".into(), t.event_format(i).into());
    }
    for (n, v) in f.norm_iter() {
        m.insert(n.name().into(), v.into());
    }
    if f.get(Norm::Message).is_none() {
        m.insert("message".into(), crate::timeline::generic_message(f).into());
    }
    if let Some(e) = t.events.get(i) {
        if e.flags.recovered() {
            m.insert("recovered".into(), true.into());
        }
        if e.flags.bad_time() {
            m.insert("bad_time".into(), true.into());
        }
    }
    let raw: Map<String, Value> = f
        .raw
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect();
    m.insert("raw".into(), Value::Object(raw));
    m
}

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
pub(super) fn write_items<W: Write + ?Sized>(
    cx: &Lines<'_>,
    items: &[Item],
    out: &mut W,
) -> io::Result<()> {
    let (t, ann) = (cx.timeline, cx.ann);
    for &item in items {
        let obj = match (item, ann) {
            (Item::Row(i), _) => {
                let f = t.fields(i);
                let mut m = event_object(t, i, &f);
                if let Some(a) = ann {
                    add_annotations(&mut m, a.on_row(i));
                }
                if let Some(d) = cx.det {
                    d.add_json(i, &mut m);
                }
                m
            }
            (Item::Missing(k), Some(a)) => match a.missing(k) {
                Some(m) => missing_object(m, a.missing_format(m)),
                None => continue,
            },
            (Item::Missing(_), None) => continue,
        };
        serde_json::to_writer(&mut *out, &Value::Object(obj))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
