//! `--format jsonl`: one JSON object per event (**contract**: `ts`, `source`, `format`,
//! every non-empty normalised field, `raw`, `annotation` when annotated).

use crate::model::{Fields, Norm};
use crate::timeline::Timeline;
use serde_json::{Map, Value};
use std::io::{self, Write};

/// The JSON object of event `i`; `annotation` is added by the caller when there is one.
pub fn event_object(t: &Timeline, i: usize, f: &Fields<'_>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("ts".into(), t.time_text(i).into());
    if let Some(src) = t.source_of(i) {
        m.insert("source".into(), src.label.clone().into());
        m.insert("format".into(), src.format().into());
    }
    for (n, v) in f.norm_iter() {
        m.insert(n.name().into(), v.into());
    }
    if f.get(Norm::Message).is_none() {
        m.insert("message".into(), crate::timeline::generic_message(f).into());
    }
    if let Some(e) = t.events.get(i)
        && e.flags & crate::model::FLAG_RECOVERED != 0
    {
        m.insert("recovered".into(), true.into());
    }
    let raw: Map<String, Value> = f
        .raw
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect();
    m.insert("raw".into(), Value::Object(raw));
    m
}

/// Writes the events at `rows` (indexes into the timeline) as JSON lines.
pub fn write<W: Write>(
    t: &Timeline,
    rows: &[usize],
    extra: &dyn Fn(usize, &mut Map<String, Value>),
    out: &mut W,
) -> io::Result<()> {
    for &i in rows {
        let f = t.fields(i);
        let mut m = event_object(t, i, &f);
        extra(i, &mut m);
        serde_json::to_writer(&mut *out, &Value::Object(m))?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
