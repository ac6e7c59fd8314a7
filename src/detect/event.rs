//! rsigma's `Event` over vigil's borrowed fields: a record's native values (EVTX stored
//! slots or a text record's parsed pairs) seen through a `NameTable`. No JSON and no copy
//! of a value unless the name is computed (joined `Data`, templates, value maps).

use super::names::{NameTable, Src, TPart};
use crate::ingest::evtx::Slot;
use crate::model::{Fields, Norm};
use crate::timeline::Timeline;
use rsigma_eval::{Event, EventValue};
use std::borrow::Cow;

/// A record's native values by position.
pub trait Values {
    fn value(&self, pos: u16) -> Option<EventValue<'_>>;
    /// Every native value's text, in order (keyword search).
    fn each_text(&self, f: &mut dyn FnMut(&str));
    fn norm(&self, n: Norm) -> Option<&str>;
}

/// An EVTX record's stored slots (borrowed from the timeline's interner).
pub struct EvtxValues<'t> {
    pub t: &'t Timeline,
    pub ts: i64,
    pub record_id: u64,
    pub slots: &'t [Slot],
}

impl EvtxValues<'_> {
    fn slot_value(&self, slot: Slot) -> EventValue<'_> {
        match slot {
            Slot::Sym(s) => match s.as_num() {
                // Inline numbers: rsigma compares them with rule text and numbers alike.
                Some(n) => EventValue::Int(n as i64),
                None => EventValue::Str(Cow::Borrowed(self.t.strings.str_of(s).unwrap_or(""))),
            },
            Slot::Time => {
                EventValue::Str(Cow::Owned(crate::ingest::evtx::system_time_text(self.ts)))
            }
            Slot::RecordId => EventValue::Int(self.record_id as i64),
        }
    }
}

impl Values for EvtxValues<'_> {
    fn value(&self, pos: u16) -> Option<EventValue<'_>> {
        self.slots.get(pos as usize).map(|&s| self.slot_value(s))
    }

    fn each_text(&self, f: &mut dyn FnMut(&str)) {
        let mut buf = itoa::Buffer::new();
        for &slot in self.slots {
            match self.slot_value(slot) {
                EventValue::Str(s) => f(&s),
                EventValue::Int(n) => f(buf.format(n)),
                _ => {}
            }
        }
    }

    fn norm(&self, _n: Norm) -> Option<&str> {
        None
    }
}

/// A text record's parsed fields (EDR, firewall, Windows events as JSON).
pub struct PairValues<'a, 'f> {
    pub f: &'a Fields<'f>,
}

impl Values for PairValues<'_, '_> {
    fn value(&self, pos: u16) -> Option<EventValue<'_>> {
        self.f
            .raw
            .get(pos as usize)
            .map(|(_, v)| EventValue::Str(Cow::Borrowed(&**v)))
    }

    fn each_text(&self, f: &mut dyn FnMut(&str)) {
        for (_, v) in &self.f.raw {
            f(v);
        }
    }

    fn norm(&self, n: Norm) -> Option<&str> {
        self.f.get(n)
    }
}

/// A record given as one flat JSON object (`RuleSet::evaluate_record`).
pub struct JsonValues<'a> {
    pub values: Vec<&'a serde_json::Value>,
}

impl Values for JsonValues<'_> {
    fn value(&self, pos: u16) -> Option<EventValue<'_>> {
        self.values.get(pos as usize).map(|v| EventValue::from(*v))
    }

    fn each_text(&self, f: &mut dyn FnMut(&str)) {
        for v in &self.values {
            match v {
                serde_json::Value::String(s) => f(s),
                serde_json::Value::Number(n) => f(&n.to_string()),
                serde_json::Value::Bool(b) => f(if *b { "true" } else { "false" }),
                _ => {}
            }
        }
    }

    fn norm(&self, _n: Norm) -> Option<&str> {
        None
    }
}

/// One record as rsigma sees it.
pub struct SigmaEvent<'a, V: Values> {
    pub table: &'a NameTable<'a>,
    pub values: &'a V,
}

fn text_of<'v>(v: EventValue<'v>) -> Option<Cow<'v, str>> {
    match v {
        EventValue::Str(s) => Some(s),
        EventValue::Int(n) => Some(Cow::Owned(n.to_string())),
        _ => None,
    }
}

/// Empty and `-` count as absent for templates and alternatives (Windows writes `-`).
fn present(s: &str) -> bool {
    !s.is_empty() && s != "-"
}

impl<V: Values> SigmaEvent<'_, V> {
    fn resolve(&self, src: &Src<'_>) -> Option<EventValue<'_>> {
        match src {
            Src::Pos(p) => self.values.value(*p),
            Src::Join(ps) => {
                let mut s = String::new();
                for &p in ps.iter() {
                    if let Some(t) = self.values.value(p).and_then(text_of) {
                        if !s.is_empty() {
                            s.push(' ');
                        }
                        s.push_str(&t);
                    }
                }
                Some(EventValue::Str(Cow::Owned(s)))
            }
            Src::Norm(n) => self
                .values
                .norm(*n)
                .map(|s| EventValue::Str(Cow::Borrowed(s))),
            Src::Template(parts) => {
                let mut s = String::new();
                for part in parts.iter() {
                    match part {
                        TPart::Lit(l) => s.push_str(l),
                        TPart::Pos(p) => {
                            let t = self.values.value(*p).and_then(text_of)?;
                            if !present(&t) {
                                return None;
                            }
                            s.push_str(&t);
                        }
                        TPart::Norm(n) => s.push_str(self.values.norm(*n).filter(|t| present(t))?),
                    }
                }
                Some(EventValue::Str(Cow::Owned(s)))
            }
            Src::Alts(alts) => alts.iter().find_map(|a| {
                let v = self.resolve(a)?;
                match &v {
                    EventValue::Str(s) if !present(s) => None,
                    _ => Some(v),
                }
            }),
            Src::Map(p, values) => {
                let v = self.values.value(*p)?;
                let mapped = match &v {
                    EventValue::Str(s) => values.get(&**s),
                    EventValue::Int(n) => values.get(&n.to_string()),
                    _ => None,
                };
                match mapped {
                    Some(m) => Some(EventValue::Str(Cow::Owned(m.clone()))),
                    None => Some(v),
                }
            }
        }
    }
}

impl<V: Values> Event for SigmaEvent<'_, V> {
    fn get_field(&self, path: &str) -> Option<EventValue<'_>> {
        self.resolve(self.table.get(path)?)
    }

    fn any_string_value(&self, pred: &dyn Fn(&str) -> bool) -> bool {
        let mut hit = false;
        self.values.each_text(&mut |s| hit = hit || pred(s));
        hit
    }

    fn all_string_values(&self) -> Vec<Cow<'_, str>> {
        let mut v = Vec::new();
        self.values
            .each_text(&mut |s| v.push(Cow::Owned(s.to_owned())));
        v
    }

    fn visit_string_values(&self, visit: &mut dyn FnMut(&str)) {
        self.values.each_text(visit);
    }

    fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for name in self.table.names() {
            if let Some(v) = self.get_field(name) {
                m.insert(name.to_owned(), v.to_json());
            }
        }
        serde_json::Value::Object(m)
    }

    fn visit_top_level_keys(&self, visit: &mut dyn FnMut(&str)) -> bool {
        for name in self.table.names() {
            visit(name);
        }
        true
    }
}
