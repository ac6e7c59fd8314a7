//! The serial writers as they were before lines were written from borrowed fields: a
//! `serde_json::Map` per event, serialized. Tests hold the parallel writers to these
//! bytes.
#![allow(clippy::unwrap_used)]

use super::Lines;
use super::annotated::{Item, add_annotations, csv_cells};
use super::timesketch::{data_type, free_raw_name, tag_and_comment, times, timestamp_desc};
use crate::case::{Annotation, MissingEvent};
use crate::model::{Fields, Norm, format_rfc3339};
use crate::timeline::Timeline;
use serde_json::{Map, Value};
use std::io::{self, Write};

/// The lines of `items` in `format` (no CSV header).
pub(crate) fn write_items<W: Write + ?Sized>(
    format: super::Format,
    cx: &Lines<'_>,
    items: &[Item],
    out: &mut W,
) -> io::Result<()> {
    match format {
        super::Format::Jsonl => jsonl(cx, items, out),
        super::Format::Csv => csv(cx, items, out),
        super::Format::Timesketch => timesketch(cx, items, out),
        super::Format::Parquet => Err(io::Error::other("not a line format")),
    }
}

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

/// Writes `items` as JSON lines; with a case, annotated events carry `annotation`. Each
/// line stands alone: any run of items can be written apart and the parts joined.
fn jsonl<W: Write + ?Sized>(cx: &Lines<'_>, items: &[Item], out: &mut W) -> io::Result<()> {
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
                Some(m) => super::jsonl::missing_object(m, a.missing_format(m)),
                None => continue,
            },
            (Item::Missing(_), None) => continue,
        };
        serde_json::to_writer(&mut *out, &Value::Object(obj))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes the records of `items` (no header). Each record stands alone (quoting is per
/// cell), so any run of items can be written apart and the parts joined.
fn csv<W: Write + ?Sized>(cx: &Lines<'_>, items: &[Item], out: &mut W) -> io::Result<()> {
    let (t, ann) = (cx.timeline, cx.ann);
    let mut w = ::csv::Writer::from_writer(out);
    let mut rec: Vec<String> = Vec::new();
    for &item in items {
        rec.clear();
        match item {
            Item::Row(i) => {
                row_cells(t, i, &mut rec);
                if let Some(a) = ann {
                    rec.extend(csv_cells(a.on_row(i), false));
                }
                if let Some(d) = cx.det {
                    rec.push(d.cell(i));
                }
            }
            Item::Missing(k) => {
                let Some((a, m)) = ann.and_then(|a| Some((a, a.missing(k)?))) else {
                    continue;
                };
                let e = m.first().map(|a| a.event.clone()).unwrap_or_default();
                rec.push(format_rfc3339(m.key.ts));
                rec.push(e.source);
                rec.push(a.missing_format(m).to_owned());
                for n in Norm::ALL {
                    rec.push(match n {
                        Norm::Host => e.host.clone(),
                        Norm::EventId => e.event_id.clone(),
                        Norm::Message => e.message.clone(),
                        _ => String::new(),
                    });
                }
                rec.push("{}".into());
                rec.extend(csv_cells(&m.annotations, true));
                if cx.det.is_some() {
                    rec.push(String::new());
                }
            }
        }
        w.write_record(
            rec.iter()
                .map(|c| super::csv::safe_cell(c))
                .map(|c| c.into_owned()),
        )
        .map_err(io::Error::other)?;
    }
    w.flush()
}

/// ts, source, format, normalised fields, raw JSON of timeline row `i`.
fn row_cells(t: &Timeline, i: usize, rec: &mut Vec<String>) {
    let f = t.fields(i);
    rec.push(t.time_text(i));
    let src = t.source_of(i);
    rec.push(src.map(|s| s.label.clone()).unwrap_or_default());
    rec.push(t.event_format(i).to_string());
    for n in Norm::ALL {
        let v = match (n, f.get(n)) {
            (_, Some(v)) => v.to_string(),
            (Norm::Message, None) => crate::timeline::generic_message(&f),
            _ => String::new(),
        };
        rec.push(v);
    }
    let raw: serde_json::Map<String, serde_json::Value> = f
        .raw
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string().into()))
        .collect();
    rec.push(serde_json::Value::Object(raw).to_string());
}

/// The old `snake`.
pub(crate) fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut s = String::with_capacity(name.len() + 4);
    for (k, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && k > 0 {
                let prev = chars.get(k - 1).copied().unwrap_or(' ');
                let next = chars.get(k + 1).copied().unwrap_or(' ');
                // A word starts at aB, at 1B, and at the last capital of an acronym (IPAddr).
                if prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next.is_ascii_lowercase())
                {
                    s.push('_');
                }
            }
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('_') {
            s.push('_');
        }
    }
    let t = s.trim_matches('_');
    if t.is_empty() {
        "field".into()
    } else {
        t.replace("__", "_")
    }
}

/// Inserts `k` unless taken: an equal value is dropped, a different one goes under
/// `raw_<k>` (then `raw_<k>_2`, …) so no source field is lost.
fn put(m: &mut Map<String, Value>, k: String, v: Value) {
    match m.get(&k) {
        None => {
            m.insert(k, v);
        }
        Some(old) if *old == v => {}
        Some(_) => {
            let name = free_raw_name(&k, |n| m.contains_key(n));
            m.insert(name, v);
        }
    }
}

fn head(m: &mut Map<String, Value>, message: String, ts: i64, format: &str, cat: Option<&str>) {
    let (dt, us) = times(ts);
    m.insert("message".into(), message.into());
    m.insert("datetime".into(), dt.into());
    m.insert("timestamp".into(), us.into());
    m.insert("timestamp_desc".into(), timestamp_desc(format).into());
    m.insert("data_type".into(), data_type(format, cat).into());
}

/// Plaso's EVTX names, as integers where Plaso has integers (only when they parse, so a
/// field never changes type between lines).
fn plaso_evtx(m: &mut Map<String, Value>, f: &Fields<'_>) {
    let int = |v: Option<&str>| v.and_then(|s| s.trim().parse::<u64>().ok());
    if let Some(n) = int(f.get(Norm::EventId)) {
        m.insert("event_identifier".into(), n.into());
    }
    if let Some(v) = f.get(Norm::Provider) {
        m.insert("source_name".into(), v.into());
    }
    if let Some(v) = f.get(Norm::Host) {
        m.insert("computer_name".into(), v.into());
    }
    if let Some(n) = int(f.get(Norm::RecordId)) {
        m.insert("record_number".into(), n.into());
    }
    if let Some(n) = int(f.raw("Level")) {
        m.insert("event_level".into(), n.into());
    }
    if let Some(v) = f.raw("UserID").filter(|v| !v.is_empty()) {
        m.insert("user_sid".into(), v.into());
    }
}

fn annotations(m: &mut Map<String, Value>, anns: &[&Annotation]) {
    let Some((tags, comment)) = tag_and_comment(anns) else {
        return;
    };
    m.insert("tag".into(), tags.into());
    if let Some(comment) = comment {
        m.insert("comment".into(), comment.into());
    }
}

/// The line of timeline row `i`.
fn row_object(t: &Timeline, i: usize, f: &Fields<'_>, anns: &[&Annotation]) -> Map<String, Value> {
    let mut m = Map::new();
    let src = t.source_of(i);
    let format = t.event_format(i);
    let message = match f.get(Norm::Message) {
        Some(v) if !v.is_empty() => v.to_owned(),
        _ => crate::timeline::generic_message(f),
    };
    let ts = t.events.get(i).map(|e| e.ts).unwrap_or(0);
    head(&mut m, message, ts, format, f.get(Norm::Category));
    if let Some(s) = src {
        m.insert("source".into(), s.label.clone().into());
        m.insert("format".into(), format.into());
    }
    if super::timesketch::is_windows(format) {
        plaso_evtx(&mut m, f);
    }
    for (n, v) in f.norm_iter() {
        if n != Norm::Message {
            put(&mut m, n.name().into(), v.into());
        }
    }
    if let Some(e) = t.events.get(i) {
        if e.flags.recovered() {
            m.insert("recovered".into(), true.into());
        }
        if e.flags.bad_time() {
            // The record's own time was unusable; the header time (or none) is used.
            m.insert("time_unreliable".into(), true.into());
        }
    }
    for (k, v) in &f.raw {
        put(&mut m, self::snake(k), v.to_string().into());
    }
    annotations(&mut m, anns);
    m
}

/// The line of an annotated event whose evidence is not loaded, from its stored copy.
fn missing_object(me: &MissingEvent<'_>, format: &str) -> Map<String, Value> {
    let mut m = Map::new();
    let e = me.first().map(|a| a.event.clone()).unwrap_or_default();
    let message = if e.message.is_empty() {
        "(event copy without message)".to_owned()
    } else {
        e.message
    };
    head(&mut m, message, me.key.ts, format, None);
    m.insert("source".into(), e.source.into());
    m.insert("format".into(), format.into());
    for (k, v) in [("host", e.host), ("event_id", e.event_id)] {
        if !v.is_empty() {
            m.insert(k.into(), v.into());
        }
    }
    m.insert("evidence".into(), "missing".into());
    annotations(&mut m, &me.annotations);
    m
}

/// Writes `items` as Timesketch JSONL (each line stands alone, as in `jsonl`).
fn timesketch<W: Write + ?Sized>(cx: &Lines<'_>, items: &[Item], out: &mut W) -> io::Result<()> {
    let (t, ann) = (cx.timeline, cx.ann);
    for &item in items {
        let obj = match item {
            Item::Row(i) => {
                let f = t.fields(i);
                let anns = ann.map(|a| a.on_row(i)).unwrap_or(&[]);
                let mut o = row_object(t, i, &f, anns);
                if let Some(d) = cx.det {
                    d.add_timesketch(i, &mut o);
                }
                o
            }
            Item::Missing(k) => match ann.and_then(|a| Some((a, a.missing(k)?))) {
                Some((a, me)) => missing_object(me, a.missing_format(me)),
                None => continue,
            },
        };
        serde_json::to_writer(&mut *out, &Value::Object(obj))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
