//! A batch of parsed events with the strings they refer to, merged in order.

use crate::model::{Event, Interner, Sym};
use rustc_hash::FxHashMap;

/// Field lists shared by every record of one shape: an EVTX template gives the same names
/// in the same order each time, and System values such as provider, channel and computer
/// repeat. Each entry is `(name, slot)`: `slot` is `VAR` when the record stores the value,
/// else the value itself (or a marker for a value rebuilt from the event).
#[derive(Default, Clone, Debug)]
pub struct Shapes {
    list: Vec<Box<[(Sym, Sym)]>>,
    map: FxHashMap<Box<[(Sym, Sym)]>, u32>,
}

/// Slot of a shape entry whose value is stored per record.
pub const VAR: Sym = Sym(u32::MAX - 1);

impl Shapes {
    pub fn intern(&mut self, keys: &[(Sym, Sym)]) -> u32 {
        if let Some(&id) = self.map.get(keys) {
            return id;
        }
        let id = self.list.len() as u32;
        self.list.push(keys.into());
        self.map.insert(keys.into(), id);
        id
    }

    pub fn get(&self, id: u32) -> &[(Sym, Sym)] {
        self.list.get(id as usize).map(|k| &**k).unwrap_or(&[])
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Rewrites every symbol in place (after the strings moved to another interner).
    pub fn remap(&mut self, remap: &[u32]) {
        let list = std::mem::take(&mut self.list);
        self.map.clear();
        for keys in list {
            let keys: Vec<(Sym, Sym)> = keys
                .iter()
                .map(|(k, v)| (Interner::remap(remap, *k), Interner::remap(remap, *v)))
                .collect();
            self.intern(&keys);
        }
    }
}

/// Events plus their interned strings and (EVTX) stored fields. Batches from worker
/// threads are merged in a fixed order so symbol ids do not depend on scheduling.
pub struct Batch {
    pub events: Vec<Event>,
    pub strings: Interner,
    /// EVTX fields: for each event at `aux`, its shape id (as an inline number) followed
    /// by one value per name of the shape.
    pub arena: Vec<Sym>,
    pub shapes: Shapes,
}

impl Default for Batch {
    /// An empty batch whose interner already holds the empty string as symbol 0.
    fn default() -> Self {
        Batch::new()
    }
}

impl Batch {
    pub fn new() -> Self {
        Batch {
            events: Vec::new(),
            strings: Interner::new(),
            arena: Vec::new(),
            shapes: Shapes::default(),
        }
    }

    /// Nothing in it yet: `append` takes the next batch whole.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
            && self.arena.is_empty()
            && self.strings.is_empty()
            && self.shapes.is_empty()
    }

    /// Appends `other`, remapping its symbols into ours. `has_arena`: events' `aux` points
    /// into the arena and must be shifted.
    pub fn append(&mut self, other: Batch, has_arena: bool) {
        // Into an empty batch: take `other` whole rather than copy every event.
        if self.is_empty() {
            *self = other;
            return;
        }
        let remap = self.strings.absorb(other.strings);
        let shape_remap: Vec<u32> = other
            .shapes
            .list
            .iter()
            .map(|keys| {
                let keys: Vec<(Sym, Sym)> = keys
                    .iter()
                    .map(|(k, v)| (Interner::remap(&remap, *k), Interner::remap(&remap, *v)))
                    .collect();
                self.shapes.intern(&keys)
            })
            .collect();
        let base = self.arena.len() as u32;
        self.arena
            .extend(other.arena.into_iter().map(|s| Interner::remap(&remap, s)));
        let first = self.events.len();
        self.events.extend(other.events.into_iter().map(|mut e| {
            e.host = Interner::remap(&remap, e.host);
            e.tag = Interner::remap(&remap, e.tag);
            if has_arena && e.aux != crate::ingest::evtx::NO_FIELDS {
                e.aux += base;
            }
            e
        }));
        if has_arena {
            for e in &self.events[first..] {
                if let Some(h) = self.arena.get_mut(e.aux as usize)
                    && let Some(id) = h.as_num()
                {
                    *h = Sym::from_num(shape_remap.get(id as usize).copied().unwrap_or(0));
                }
            }
        }
    }
}
