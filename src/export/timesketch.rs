//! `--format timesketch`: JSONL that Timesketch imports as is (DESIGN §8, CRATES §7).
//!
//! Every line has the three mandatory fields `message`, `datetime` (ISO 8601, µs, explicit
//! `+00:00`: a missing offset is read as server-local time) and `timestamp_desc`, plus
//! `timestamp` (integer µs, derived from the same value so the two always agree) and a
//! `data_type`. Keys are flat snake_case: dotted keys become objects in OpenSearch and clash
//! with scalars of the same name. EVTX events also get Plaso's names (`event_identifier`,
//! `source_name`, `computer_name`, `record_number`, …) that Timesketch's Sigma mapping and
//! analyzers expect. Annotations become `tag` (kinds and tags) and `comment` (notes).
//!
//! `timestamp_desc`: what the one time of the event means. EVTX (and Windows events
//! exported as JSON) carry `TimeCreated`, when the event was recorded: "Event Recorded".
//! Firewall lines are stamped when the device logged them: "Event Logged". EDR exports
//! carry the time the sensor saw the activity: "Event Time".

use super::Lines;
use super::annotated::Item;
use crate::case::{Annotation, MissingEvent};
use crate::ingest::Family;
use crate::model::{Fields, Norm};
use crate::timeline::Timeline;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::io::{self, Write};

/// The family of a source format, from the format registry (`None`: not registered).
fn family(format: &str) -> Option<Family> {
    crate::ingest::format_family(format).map(|(f, _)| f)
}

/// `timestamp_desc` by source format, from the format registry (see the module notes);
/// "Event Time" for formats it does not know.
pub fn timestamp_desc(format: &str) -> &'static str {
    crate::ingest::format_family(format).map_or(Family::Edr.timestamp_desc(), |(_, d)| d)
}

/// `data_type`: `windows:evtx:record` for Windows events (what Timesketch's Sigma config
/// keys on), `fw:<format>:line` for firewall logs, `edr:<format>:<category>` for the rest.
pub fn data_type(format: &str, category: Option<&str>) -> String {
    let format = if format.is_empty() { "unknown" } else { format };
    match family(format) {
        Some(Family::Evtx) => "windows:evtx:record".into(),
        Some(Family::Firewall) => format!("fw:{}:line", snake(format)),
        Some(Family::Edr) | None => {
            let cat = category.map(snake).filter(|c| !c.is_empty());
            format!(
                "edr:{}:{}",
                snake(format),
                cat.as_deref().unwrap_or("event")
            )
        }
    }
}

/// `TargetUserName` → `target_user_name`, `process.command_line` → `process_command_line`:
/// ASCII letters and digits kept (lowercase), every other run becomes one `_`; never empty.
pub fn snake(name: &str) -> String {
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

/// `datetime` and `timestamp` of a UTC-nanosecond time, both truncated to the µs so that
/// they name the same instant.
pub fn times(ts_ns: i64) -> (String, i64) {
    let us = ts_ns.div_euclid(1000);
    let secs = us.div_euclid(1_000_000);
    let nanos = (us.rem_euclid(1_000_000) * 1000) as u32;
    let dt = DateTime::<Utc>::from_timestamp(secs, nanos)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
        .to_string();
    (dt, us)
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
            let base = format!("raw_{k}");
            let mut name = base.clone();
            let mut n = 2;
            while m.contains_key(&name) {
                name = format!("{base}_{n}");
                n += 1;
            }
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

/// `tag` (kinds then tags, each once) and `comment` (the notes) of annotations.
fn annotations(m: &mut Map<String, Value>, anns: &[&Annotation]) {
    if anns.is_empty() {
        return;
    }
    let mut tags: Vec<String> = Vec::new();
    let mut add = |t: &str| {
        let t = t.trim();
        if !t.is_empty() && !tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
            tags.push(t.to_owned());
        }
    };
    for a in anns {
        add(a.kind.id());
    }
    for a in anns {
        a.tags.iter().for_each(|t| add(t));
    }
    m.insert("tag".into(), tags.into());
    let notes: Vec<&str> = anns
        .iter()
        .map(|a| a.note.trim())
        .filter(|n| !n.is_empty())
        .collect();
    if !notes.is_empty() {
        m.insert("comment".into(), notes.join("\n").into());
    }
}

/// The line of timeline row `i`.
pub fn row_object(
    t: &Timeline,
    i: usize,
    f: &Fields<'_>,
    anns: &[&Annotation],
) -> Map<String, Value> {
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
    if family(format) == Some(Family::Evtx) {
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
        put(&mut m, snake(k), v.to_string().into());
    }
    annotations(&mut m, anns);
    m
}

/// The line of an annotated event whose evidence is not loaded, from its stored copy.
pub fn missing_object(me: &MissingEvent<'_>, format: &str) -> Map<String, Value> {
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
pub(super) fn write_items<W: Write + ?Sized>(
    cx: &Lines<'_>,
    items: &[Item],
    out: &mut W,
) -> io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_names() {
        for (a, b) in [
            ("TargetUserName", "target_user_name"),
            ("EventID", "event_id"),
            ("IPAddress", "ip_address"),
            ("process.command_line", "process_command_line"),
            ("Data Name", "data_name"),
            ("_id", "id"),
            ("__ts_timeline_id", "ts_timeline_id"),
            ("srcip", "srcip"),
            ("Sha256", "sha256"),
            ("...", "field"),
            ("", "field"),
            ("a..b", "a_b"),
            ("Ünïcode", "n_code"),
        ] {
            assert_eq!(snake(a), b, "{a:?}");
        }
    }

    #[test]
    fn times_agree_and_carry_an_offset() {
        let (dt, us) = times(1_773_378_445_633_439_577);
        assert_eq!(dt, "2026-03-13T05:07:25.633439+00:00");
        assert_eq!(us, 1_773_378_445_633_439);
        // Before 1970 the µs are floored, so datetime and timestamp still agree.
        let (dt, us) = times(-1_500);
        assert_eq!(dt, "1969-12-31T23:59:59.999998+00:00");
        assert_eq!(us, -2);
        let (dt, _) = times(i64::MIN);
        assert!(dt.starts_with("1677-09-21T"), "{dt}");
    }

    #[test]
    fn data_types_and_descs() {
        assert_eq!(data_type("evtx", Some("auth")), "windows:evtx:record");
        assert_eq!(data_type("winjson", None), "windows:evtx:record");
        assert_eq!(
            data_type("netfilter", Some("firewall")),
            "fw:netfilter:line"
        );
        assert_eq!(data_type("mde", Some("process")), "edr:mde:process");
        assert_eq!(data_type("crowdstrike", None), "edr:crowdstrike:event");
        assert_eq!(data_type("", None), "edr:unknown:event");
        assert_eq!(timestamp_desc("evtx"), "Event Recorded");
        assert_eq!(timestamp_desc("fortigate"), "Event Logged");
        assert_eq!(timestamp_desc("mde"), "Event Time");
    }

    #[test]
    fn colliding_fields_are_kept_under_raw_names() {
        let mut m = Map::new();
        put(&mut m, "host".into(), "a".into());
        put(&mut m, "host".into(), "a".into());
        put(&mut m, "host".into(), "b".into());
        put(&mut m, "host".into(), "c".into());
        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
        assert_eq!(keys, ["host", "raw_host", "raw_host_2"]);
        assert_eq!(m["raw_host_2"], "c");
    }
}
