//! A batch of parsed events with the strings they refer to, merged in order.

use crate::model::{Event, Interner, Sym};

/// Events plus their interned strings and (EVTX) stored fields. Batches from worker
/// threads are merged in a fixed order so symbol ids do not depend on scheduling.
pub struct Batch {
    pub events: Vec<Event>,
    pub strings: Interner,
    /// EVTX fields: for each event at `aux`, a count `n` (as an inline number) followed by
    /// `n` (name, value) symbol pairs.
    pub arena: Vec<Sym>,
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
        }
    }

    /// Appends `other`, remapping its symbols into ours. `has_arena`: events' `aux` points
    /// into the arena and must be shifted.
    pub fn append(&mut self, other: Batch, has_arena: bool) {
        // Into an empty batch: take `other` whole rather than copy every event.
        if self.events.is_empty() && self.arena.is_empty() && self.strings.is_empty() {
            *self = other;
            return;
        }
        let remap = self.strings.absorb(other.strings);
        let base = self.arena.len() as u32;
        self.arena
            .extend(other.arena.into_iter().map(|s| Interner::remap(&remap, s)));
        self.events.extend(other.events.into_iter().map(|mut e| {
            e.host = Interner::remap(&remap, e.host);
            e.tag = Interner::remap(&remap, e.tag);
            if has_arena {
                e.aux += base;
            }
            e
        }));
    }
}
