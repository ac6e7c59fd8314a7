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
use super::object::{MadeKey, Obj, Spare, Val};
use crate::case::{Annotation, MissingEvent};
use crate::ingest::Family;
use crate::model::{Fields, Norm};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::io;

/// The family of a source format, from the format registry (`None`: not registered).
fn family(format: &str) -> Option<Family> {
    crate::ingest::format_family(format).map(|(f, _)| f)
}

/// Windows events (EVTX, and Windows events exported as JSON): the registry's EVTX family.
pub(crate) fn is_windows(format: &str) -> bool {
    family(format) == Some(Family::Evtx)
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
    let mut s = String::with_capacity(name.len() + 4);
    snake_into(name, &mut s);
    s
}

/// [`snake`] appended to `out` (no allocation of its own).
pub fn snake_into(name: &str, out: &mut String) {
    let start = out.len();
    let mut prev = ' ';
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && out.len() > start {
                let next = chars.peek().copied().unwrap_or(' ');
                // A word starts at aB, at 1B, and at the last capital of an acronym (IPAddr).
                if prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next.is_ascii_lowercase())
                {
                    out.push('_');
                }
            }
            out.push(c.to_ascii_lowercase());
        } else if !out[start..].ends_with('_') {
            out.push('_');
        }
        prev = c;
    }
    // Runs of other characters became one `_` each: at most one at either end.
    if out[start..].ends_with('_') {
        out.pop();
    }
    if out[start..].starts_with('_') {
        out.remove(start);
    }
    if out.len() == start {
        out.push_str("field");
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

/// `datetime` of [`times`] appended to `s` (no allocation of its own, no format string:
/// it is written for every line).
fn datetime_into(ts_ns: i64, s: &mut String) {
    use chrono::Timelike;
    let us = ts_ns.div_euclid(1000);
    let secs = us.div_euclid(1_000_000);
    let nanos = (us.rem_euclid(1_000_000) * 1000) as u32;
    let d = DateTime::<Utc>::from_timestamp(secs, nanos).unwrap_or_default();
    super::object::date_time(s, &d);
    super::object::digits(s, d.nanosecond() / 1000, 6, true);
    s.push_str("+00:00");
}

/// snake_case names already made, by source name: a block of lines repeats a few dozen.
/// Each name's text is a range of `text`, so a hit is one lookup.
#[derive(Default)]
struct Snakes {
    at: rustc_hash::FxHashMap<Box<str>, (usize, usize)>,
    text: String,
}

impl Snakes {
    fn of(&mut self, name: &str) -> &str {
        let (a, b) = match self.at.get(name) {
            Some(&r) => r,
            None => {
                let a = self.text.len();
                snake_into(name, &mut self.text);
                let r = (a, self.text.len());
                self.at.insert(name.into(), r);
                r
            }
        };
        self.text.get(a..b).unwrap_or("")
    }
}

/// Inserts `k` unless taken: an equal value is dropped, a different one goes under
/// `raw_<k>` (then `raw_<k>_2`, …) so no source field is lost.
fn put<'a>(o: &mut Obj<'a>, k: Key<'a>, v: &'a str) {
    let same = match k {
        Key::Static(k) => o.put_str(k, v),
        Key::Made(k) => o.put_made(k, v),
    };
    if same == Some(false) {
        // Rare (a source field named as another with another value): a copy is fine.
        let k = match k {
            Key::Static(k) => k.to_owned(),
            Key::Made(k) => o.made(k).to_owned(),
        };
        let name = free_raw_name(&k, |n| o.contains(n));
        let name = o.make(|s| s.push_str(&name));
        o.insert_made(name, Val::Str(v));
    }
}

/// A key for [`put`]: a fixed name, or one made in the object's buffer.
#[derive(Clone, Copy)]
enum Key<'a> {
    Static(&'a str),
    Made(MadeKey),
}

/// `message`, `datetime`, `timestamp`, `timestamp_desc` and `data_type`.
fn head<'a>(o: &mut Obj<'a>, message: Val<'a>, ts: i64, format: &str, cat: Option<&str>) {
    o.insert("message", message);
    let dt = o.make(|s| datetime_into(ts, s));
    o.insert("datetime", Val::Made(dt));
    o.insert("timestamp", Val::int(ts.div_euclid(1000)));
    o.insert("timestamp_desc", Val::Str(timestamp_desc(format)));
    let dtype = if is_windows(format) {
        Val::Str("windows:evtx:record")
    } else {
        Val::Own(data_type(format, cat))
    };
    o.insert("data_type", dtype);
}

/// Plaso's EVTX names, as integers where Plaso has integers (only when they parse, so a
/// field never changes type between lines).
fn plaso_evtx<'a>(o: &mut Obj<'a>, f: &'a Fields<'_>) {
    let int = |v: Option<&str>| v.and_then(|s| s.trim().parse::<u64>().ok());
    if let Some(n) = int(f.get(Norm::EventId)) {
        o.insert("event_identifier", Val::Pos(n));
    }
    if let Some(v) = f.get(Norm::Provider) {
        o.insert("source_name", Val::Str(v));
    }
    if let Some(v) = f.get(Norm::Host) {
        o.insert("computer_name", Val::Str(v));
    }
    if let Some(n) = int(f.get(Norm::RecordId)) {
        o.insert("record_number", Val::Pos(n));
    }
    if let Some(n) = int(f.raw("Level")) {
        o.insert("event_level", Val::Pos(n));
    }
    if let Some(v) = f.raw("UserID").filter(|v| !v.is_empty()) {
        o.insert("user_sid", Val::Str(v));
    }
}

/// `raw_KEY`, else `raw_KEY_2`, `raw_KEY_3`, …: the first name not `taken`, for a source
/// field named as another with another value.
pub fn free_raw_name(k: &str, taken: impl Fn(&str) -> bool) -> String {
    let base = format!("raw_{k}");
    let mut name = base.clone();
    let mut n = 2;
    while taken(&name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// The `tag` (kinds then tags, each once, case-insensitively) and `comment` (the notes,
/// one a line, if any) of annotations; `None` without annotations.
pub fn tag_and_comment(anns: &[&Annotation]) -> Option<(Vec<String>, Option<String>)> {
    if anns.is_empty() {
        return None;
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
    let notes: Vec<&str> = anns
        .iter()
        .map(|a| a.note.trim())
        .filter(|n| !n.is_empty())
        .collect();
    Some((tags, (!notes.is_empty()).then(|| notes.join("\n"))))
}

fn annotations(o: &mut Obj<'_>, anns: &[&Annotation]) {
    let Some((tags, comment)) = tag_and_comment(anns) else {
        return;
    };
    o.insert("tag", Val::json(tags.into()));
    if let Some(comment) = comment {
        o.insert("comment", Val::Own(comment));
    }
}

/// Sigma hits: `sigma:TITLE` added to `tag` (which moves to the end, as `Map::remove`
/// then `insert` moved it), and `rules` as in jsonl.
fn detections(o: &mut Obj<'_>, d: &crate::detect::Detected<'_>, i: usize) {
    let sigma = d.sigma_tags(i);
    if sigma.is_empty() {
        return;
    }
    let mut tags: Vec<Value> = match o.swap_remove("tag") {
        Some(Val::Json(j)) => match *j {
            Value::Array(v) => v,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    for s in sigma {
        let t = Value::String(s);
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    o.insert("tag", Val::json(tags.into()));
    if let Some(rules) = d.rules_json(i) {
        o.insert("rules", Val::json(rules));
    }
}

/// The line of timeline row `i` (read into `f`, a buffer reused from row to row).
fn row<'t>(cx: &Lines<'t>, i: usize, f: &mut Fields<'t>, bufs: &mut Bufs, out: &mut Vec<u8>) {
    let t = cx.timeline;
    t.fields_into(i, f);
    let f = &*f;
    let generic;
    let mut o = Obj::from_spare(std::mem::take(&mut bufs.obj));
    let src = t.source_of(i);
    let format = t.event_format(i);
    let message = match f.get(Norm::Message) {
        Some(v) if !v.is_empty() => Val::Str(v),
        _ => {
            generic = crate::timeline::generic_message(f);
            Val::Str(&generic)
        }
    };
    let ts = t.events.get(i).map(|e| e.ts).unwrap_or(0);
    head(&mut o, message, ts, format, f.get(Norm::Category));
    if let Some(s) = src {
        o.insert("source", Val::Str(&s.label));
        o.insert("format", Val::Str(format));
    }
    if family(format) == Some(Family::Evtx) {
        plaso_evtx(&mut o, f);
    }
    for (n, v) in f.norm_iter() {
        if n != Norm::Message {
            put(&mut o, Key::Static(n.name()), v);
        }
    }
    if let Some(e) = t.events.get(i) {
        if e.flags.recovered() {
            o.insert("recovered", Val::Bool(true));
        }
        if e.flags.bad_time() {
            // The record's own time was unusable; the header time (or none) is used.
            o.insert("time_unreliable", Val::Bool(true));
        }
    }
    for (k, v) in &f.raw {
        let snake = bufs.snakes.of(k);
        let k = o.make(|s| s.push_str(snake));
        put(&mut o, Key::Made(k), v);
    }
    if let Some(a) = cx.ann {
        annotations(&mut o, a.on_row(i));
    }
    if let Some(d) = cx.det {
        detections(&mut o, d, i);
    }
    o.write(out);
    out.push(b'\n');
    bufs.obj = o.into_spare();
}

/// What the lines of one block share: names made, and an object's buffers.
#[derive(Default)]
struct Bufs {
    snakes: Snakes,
    obj: Spare,
}

/// The line of an annotated event whose evidence is not loaded, from its stored copy.
fn missing_line(me: &MissingEvent<'_>, format: &str, out: &mut Vec<u8>) {
    let mut o = Obj::new();
    let e = me.first().map(|a| &a.event);
    let message = match e {
        Some(e) if !e.message.is_empty() => Val::Str(&e.message),
        _ => Val::Str("(event copy without message)"),
    };
    head(&mut o, message, me.key.ts, format, None);
    o.insert("source", Val::Str(e.map_or("", |e| e.source.as_str())));
    o.insert("format", Val::Str(format));
    if let Some(e) = e {
        for (k, v) in [("host", &e.host), ("event_id", &e.event_id)] {
            if !v.is_empty() {
                o.insert(k, Val::Str(v));
            }
        }
    }
    o.insert("evidence", Val::Str("missing"));
    annotations(&mut o, &me.annotations);
    o.write(out);
    out.push(b'\n');
}

/// Writes `items` as Timesketch JSONL (each line stands alone, as in `jsonl`).
pub(super) fn write_items(cx: &Lines<'_>, items: &[Item], out: &mut Vec<u8>) -> io::Result<()> {
    let mut bufs = Bufs::default();
    let mut f = Fields::new();
    for &item in items {
        match item {
            Item::Row(i) => row(cx, i, &mut f, &mut bufs, out),
            Item::Missing(k) => {
                if let Some((a, me)) = cx.ann.and_then(|a| Some((a, a.missing(k)?))) {
                    missing_line(me, a.missing_format(me), out);
                }
            }
        }
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
        let mut o = Obj::new();
        for v in ["a", "a", "b", "c"] {
            put(&mut o, Key::Static("host"), v);
        }
        let k = o.make(|s| snake_into("Host", s));
        put(&mut o, Key::Made(k), "d");
        let mut b = Vec::new();
        o.write(&mut b);
        assert_eq!(
            String::from_utf8(b).unwrap(),
            r#"{"host":"a","raw_host":"b","raw_host_2":"c","raw_host_3":"d"}"#
        );
    }

    #[test]
    fn datetimes_match_times() {
        let mut x: i64 = 0x0123_4567_89ab_cdef;
        for _ in 0..3000 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            for ns in [x, x / 1000 * 1000, -x.abs() / 3] {
                let mut s = String::new();
                datetime_into(ns, &mut s);
                assert_eq!(s, times(ns).0, "{ns}");
            }
        }
    }

    #[test]
    fn snake_into_matches_the_character_rules() {
        for name in [
            "a_B",
            "_A",
            "AB",
            "ABc",
            "a1B",
            "x--y",
            "-",
            "A",
            "ÜA",
            "aÜb",
            "__a__",
            "a  b ",
            "IPv4Address",
        ] {
            let mut s = String::from("pre");
            snake_into(name, &mut s);
            assert_eq!(&s[3..], snake(name), "{name}");
            assert!(
                !s[3..].is_empty() && !s[3..].starts_with('_') && !s.ends_with('_'),
                "{name}: {s}"
            );
        }
    }
}
