//! Reading EVTX events again after ingest: their fields (from the values stored at ingest,
//! or re-rendered from the file for events ingested index-only), their XML, and their
//! stored values for the free-text index. What the timeline shows of an EVTX event is
//! decided here, beside the parser.

use super::json::{self as evtx_json, Sink};
use super::{
    CHUNK, FILE_HEADER, NO_FIELDS, RID_FROM_LOC, TIME_FROM_TS, escape_controls, schema,
    system_time_bytes, system_time_text,
};
use crate::ingest::batch::{Batch, Shapes, VAR};
use crate::ingest::kind::Rec;
use crate::model::{Event, Fields, Interner, Norm, Sym};
use evtx::{EvtxChunk, EvtxChunkHeader, ParserSettings};
use std::borrow::Cow;
use std::sync::Arc;

/// The fields an EVTX source stored at ingest: for each event at `aux`, its shape id (as
/// an inline number) followed by one value per `VAR` name of the shape.
#[derive(Default)]
pub struct Stored {
    arena: Vec<Sym>,
    shapes: Shapes,
}

/// Where a stored field's value is: a symbol, or made from the event's time or record id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Sym(Sym),
    Time,
    RecordId,
}

impl Slot {
    /// Every byte a made value (a SystemTime text, a record id) can hold: a pattern that
    /// cannot match within these never matches one.
    pub const MADE_BYTES: &'static [u8] = b"0123456789-:.TZ";

    /// The text of a value made from event `e`, written into `buf` (no allocation: the
    /// free-text check runs it for every event); `None` for a stored symbol.
    pub fn made<'b>(self, e: &Event, buf: &'b mut [u8; 28]) -> Option<&'b str> {
        match self {
            Slot::Sym(_) => None,
            Slot::Time => {
                *buf = system_time_bytes(e.ts);
                std::str::from_utf8(buf).ok()
            }
            Slot::RecordId => Some(decimal(schema::record_id_of(e.loc), buf)),
        }
    }
}

/// `n` in decimal, written into the end of `buf`.
fn decimal(mut n: u64, buf: &mut [u8; 28]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("")
}

/// The stored fields of one event, in record order: name and value slot.
pub struct Slots<'a> {
    keys: std::slice::Iter<'a, (Sym, Sym)>,
    values: std::slice::Iter<'a, Sym>,
}

impl Iterator for Slots<'_> {
    type Item = (Sym, Slot);

    fn next(&mut self) -> Option<(Sym, Slot)> {
        let &(k, slot) = self.keys.next()?;
        let v = match slot {
            VAR => match self.values.next() {
                Some(&v) => Slot::Sym(v),
                None => {
                    // A shape asking for more values than are stored ends the walk there.
                    self.keys = [].iter();
                    return None;
                }
            },
            TIME_FROM_TS => Slot::Time,
            RID_FROM_LOC => Slot::RecordId,
            v => Slot::Sym(v),
        };
        Some((k, v))
    }
}

impl Stored {
    /// Takes the stored fields out of a freshly loaded batch (its `strings` name them).
    pub fn take(batch: &mut Batch) -> Stored {
        let mut arena = std::mem::take(&mut batch.arena);
        arena.shrink_to_fit();
        Stored {
            arena,
            shapes: std::mem::take(&mut batch.shapes),
        }
    }

    /// Rewrites every symbol after the batch's strings moved into another interner.
    pub fn remap(&mut self, remap: &[u32]) {
        for v in &mut self.arena {
            *v = Interner::remap(remap, *v);
        }
        self.shapes.remap(remap);
    }

    /// Heap bytes of the stored values (the shapes are few).
    pub fn heap_bytes(&self) -> usize {
        self.arena.capacity() * std::mem::size_of::<Sym>()
    }

    /// The record shapes (names and fixed values) the stored events refer to.
    pub fn shapes(&self) -> &Shapes {
        &self.shapes
    }

    /// The shape id of the event at `aux`; `None` when its fields were not stored.
    pub fn shape_id(&self, aux: u32) -> Option<u32> {
        if aux == NO_FIELDS {
            return None;
        }
        self.arena.get(aux as usize)?.as_num()
    }

    /// How many distinct record shapes there are.
    pub fn shape_count(&self) -> usize {
        self.shapes.len()
    }

    /// Names and value slots of the event at `aux`: a slot is the value, or `VAR` for the
    /// next of the stored `values`, or `TIME_FROM_TS` / `RID_FROM_LOC`.
    fn shape_of(&self, aux: u32) -> (&[(Sym, Sym)], &[Sym]) {
        let start = aux as usize;
        let Some(keys) = self
            .arena
            .get(start)
            .and_then(|h| h.as_num())
            .map(|id| self.shapes.get(id))
        else {
            return (&[], &[]);
        };
        let n = keys.iter().filter(|(_, v)| *v == VAR).count();
        let values = self.arena.get(start + 1..start + 1 + n).unwrap_or(&[]);
        (keys, values)
    }

    /// The stored fields of the event at `aux`, in record order: name and value slot. The
    /// one walk of the arena that field views, filters and the free-text index share;
    /// empty for an event whose fields were not stored.
    pub fn slots(&self, aux: u32) -> Slots<'_> {
        let (keys, values) = self.shape_of(aux);
        Slots {
            keys: keys.iter(),
            values: values.iter(),
        }
    }

    /// The symbol of the `k`-th stored field of the event at `aux` when its shape fixes
    /// it (the same for every event of the shape: EVTX System values); `None` for a value
    /// stored per event or made from its time or id.
    pub fn fixed_at(&self, aux: u32, k: usize) -> Option<Sym> {
        let id = self.shape_id(aux)?;
        let v = self.shapes.get(id).get(k)?.1;
        (v != VAR && v != TIME_FROM_TS && v != RID_FROM_LOC).then_some(v)
    }

    /// The text of a stored-field slot of event `r`.
    pub fn slot_text<'a>(&self, r: Rec<'a>, slot: Slot) -> Cow<'a, str> {
        match slot {
            Slot::Sym(v) => r.strings.text(v),
            Slot::Time => Cow::Owned(system_time_text(r.event.ts)),
            Slot::RecordId => Cow::Owned(schema::record_id_of(r.event.loc).to_string()),
        }
    }

    /// Every field of event `r`, normalised, with its message unless `message` is false
    /// (filters that never read it).
    pub fn fields<'a>(&'a self, r: Rec<'a>, message: bool) -> Fields<'a> {
        let mut f = Fields::new();
        self.fields_into(r, message, &mut f);
        f
    }

    /// As [`fields`](Self::fields), into `f` (cleared: its allocations are reused).
    pub fn fields_into<'a>(&'a self, r: Rec<'a>, message: bool, f: &mut Fields<'a>) {
        f.ts = r.event.ts;
        if r.event.aux == NO_FIELDS {
            for (k, v) in record_fields(r.data, r.event.loc) {
                let v: Cow<'_, str> = Cow::Owned(v);
                set_system(f, &k, v.clone());
                f.raw.push((k.into(), v));
            }
        } else {
            let slots = self.slots(r.event.aux);
            f.raw.reserve(slots.keys.len());
            for (k, slot) in slots {
                let k = r.strings.text(k);
                let v = self.slot_text(r, slot);
                // Borrowed from the interner: the System fields cost no copy.
                set_system(f, &k, v.clone());
                f.raw.push((k, v));
            }
        }
        if message {
            super::msg::normalise(f);
        } else {
            super::msg::normalise_without_message(f);
        }
    }

    /// Event `r`'s own field `name` (ASCII case ignored) from its stored values, as
    /// `Fields::raw` gives it; `None` when its fields were not stored.
    pub fn field<'a>(&'a self, r: Rec<'a>, name: &str) -> Option<Option<Cow<'a, str>>> {
        if r.event.aux == NO_FIELDS {
            return None;
        }
        // The walk of `fields`: the first key of that name wins.
        let found = self
            .slots(r.event.aux)
            .find(|&(k, _)| r.strings.text(k).eq_ignore_ascii_case(name));
        Some(found.map(|(_, slot)| self.slot_text(r, slot)))
    }
}

/// The normalised fields an EVTX System element gives directly (the value is cloned:
/// no copy of the text when it is borrowed from the interner).
fn set_system<'a>(f: &mut Fields<'a>, k: &str, v: Cow<'a, str>) {
    if k == schema::LEVEL {
        f.set(Norm::Severity, schema::severity(&v).unwrap_or("info"));
        return;
    }
    let Some(n) = schema::norm_of(k) else {
        return;
    };
    // Only the first (System) occurrence: EventData may reuse a name like `Channel`.
    if f.get(n).is_none() {
        f.set(n, v);
    }
}

/// Re-renders the fields of the record at `loc` (events ingested index-only).
pub fn record_fields(data: &[u8], loc: u64) -> Vec<(String, String)> {
    struct Collect(Vec<(String, String)>, Vec<String>);
    impl Sink for Collect {
        fn leaf(&mut self, _section: &str, name: &str, value: &str) {
            let dup = self.1.iter().filter(|k| *k == name).count();
            self.1.push(name.to_owned());
            let key = if dup > 0 {
                format!("{name}_{dup}")
            } else {
                name.to_owned()
            };
            self.0.push((key, value.to_owned()));
        }
    }
    let mut c = Collect(Vec::new(), Vec::new());
    if let Some(json) = render_record(data, loc, true)
        && evtx_json::walk(&json, &mut c).is_err()
    {
        c.0.clear();
        c.1.clear();
        let _ = evtx_json::walk(&escape_controls(&json), &mut c);
    }
    c.0
}

/// Re-reads the XML of the record at `loc` from the file (detail view).
pub fn record_xml(data: &[u8], loc: u64) -> Option<String> {
    render_record(data, loc, false).and_then(|b| String::from_utf8(b).ok())
}

fn render_record(data: &[u8], loc: u64, json: bool) -> Option<Vec<u8>> {
    let record_id = schema::record_id_of(loc);
    let off = FILE_HEADER + schema::chunk_of(loc) as usize * CHUNK;
    let raw = data.get(off..(off + CHUNK).min(data.len()))?;
    let mut v;
    let slice = if raw.len() < CHUNK {
        v = vec![0u8; CHUNK];
        v[..raw.len()].copy_from_slice(raw);
        &v[..]
    } else {
        raw
    };
    let header = EvtxChunkHeader::from_bytes(slice).ok()?;
    let settings = Arc::new(ParserSettings::new().indent(!json).recover_records(true));
    let mut chunk = EvtxChunk::new(slice, &header, settings).ok()?;
    let found = chunk
        .iter()
        .filter_map(Result::ok)
        .find(|r| schema::record_id_of(r.event_record_id) == record_id)?;
    let out = if json {
        found.into_json_bytes()
    } else {
        found.into_xml_bytes()
    };
    out.ok().map(|r| r.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_values() {
        for n in [0u64, 7, 10, 12_345, u64::MAX] {
            assert_eq!(decimal(n, &mut [0; 28]), n.to_string());
        }
        let e = Event {
            ts: 1_700_000_000_123_456_700,
            loc: schema::loc(2, 4242),
            aux: 0,
            source: 0,
            flags: crate::model::EventFlags::NONE,
            host: Sym::EMPTY,
            tag: Sym::EMPTY,
        };
        let mut buf = [0; 28];
        assert_eq!(Slot::RecordId.made(&e, &mut buf), Some("4242"));
        assert_eq!(
            Slot::Time.made(&e, &mut buf),
            Some("2023-11-14T22:13:20.1234567Z")
        );
        assert_eq!(Slot::Sym(Sym::EMPTY).made(&e, &mut buf), None);
        for s in [&b"4242"[..], b"2023-11-14T22:13:20.1234567Z"] {
            assert!(s.iter().all(|b| Slot::MADE_BYTES.contains(b)));
        }
    }
}
