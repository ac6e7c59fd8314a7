//! The "plain" flattening of an EVTX record for Sigma, written from the evtx crate's JSON
//! (as evtx_dump prints it) independently of vigil's ingest: System elements by name, their
//! attributes as `Element_Attribute` (`Provider_Name`, `TimeCreated_SystemTime`), EventData
//! and UserData leaves by name (names with spaces also without them), unnamed `Data` joined
//! with spaces; System wins a name clash. Values keep their JSON types.
#![allow(dead_code)]

use serde_json::{Map, Value};
use std::path::Path;

pub fn flatten(rec: &Value) -> Map<String, Value> {
    let e = &rec["Event"];
    let mut out = Map::new();
    if let Some(sys) = e["System"].as_object() {
        for (k, v) in sys {
            match v {
                Value::Object(o) => {
                    if let Some(t) = o.get("#text") {
                        out.insert(k.clone(), t.clone());
                    }
                    if let Some(Value::Object(attrs)) = o.get("#attributes") {
                        for (a, av) in attrs {
                            if !av.is_null() {
                                out.insert(format!("{k}_{a}"), av.clone());
                            }
                        }
                    }
                }
                Value::Null => {}
                v => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    for sec in ["EventData", "UserData"] {
        if let Some(o) = e[sec].as_object() {
            leaves(o, &mut out);
        }
    }
    out
}

fn put(out: &mut Map<String, Value>, k: &str, v: Value) {
    if v.is_null() {
        return;
    }
    if k.contains(' ') {
        let squeezed: String = k.chars().filter(|c| *c != ' ').collect();
        out.entry(squeezed).or_insert_with(|| v.clone());
    }
    out.entry(k.to_owned()).or_insert(v);
}

fn leaves(o: &Map<String, Value>, out: &mut Map<String, Value>) {
    for (k, v) in o {
        if k == "#attributes" {
            continue;
        }
        match v {
            Value::Object(inner) => match inner.get("#text") {
                Some(Value::Array(items)) => put(out, k, Value::String(joined(items))),
                Some(t) => put(out, k, t.clone()),
                None => leaves(inner, out),
            },
            Value::Array(items) if k == "Data" => put(out, k, Value::String(joined(items))),
            v => put(out, k, v.clone()),
        }
    }
}

fn joined(items: &[Value]) -> String {
    items
        .iter()
        .filter_map(|i| match i {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `(EventRecordID, plain record)` of every record the evtx crate reads from `path`.
pub fn records(path: &Path) -> Vec<(u64, Map<String, Value>)> {
    let Ok(mut p) = evtx::EvtxParser::from_path(path) else {
        return Vec::new();
    };
    let settings = evtx::ParserSettings::new().num_threads(1);
    p = p.with_configuration(settings);
    p.records_json_value()
        .filter_map(Result::ok)
        .map(|r| (r.event_record_id, flatten(&r.data)))
        .collect()
}
