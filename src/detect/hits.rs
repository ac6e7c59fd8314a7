//! Sigma hits, stored sparsely: the events that have any (sorted), where each one's rule
//! list starts, and the rule lists. Events without a hit cost nothing.

use super::{Level, RuleIdx, RuleSet};
use serde::Serialize;

/// The hits of one run over a timeline (indices are the timeline's event indices at the
/// time of the run).
#[derive(Clone, Debug, Default)]
pub struct Hits {
    events: Vec<u32>,
    /// `starts[k]..starts[k + 1]` are the rules of `events[k]` (one extra entry at the end).
    starts: Vec<u32>,
    rules: Vec<RuleIdx>,
    /// The highest level among each hit event's rules.
    max_level: Vec<Level>,
    /// Events in the timeline the run covered.
    covered: usize,
}

/// Counts per level, lowest first (as `Level::ALL`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LevelCounts {
    /// Hits (event, rule pairs) by the rule's level.
    pub hits: [usize; 5],
    /// Events by the highest level of their hits.
    pub events: [usize; 5],
}

impl LevelCounts {
    /// `{"critical":N,"high":N,…}` of hits, highest first, as `stats --json` writes it.
    pub fn hits_json(&self) -> LevelMap {
        LevelMap(self.hits)
    }
    pub fn events_json(&self) -> LevelMap {
        LevelMap(self.events)
    }
}

/// Serialises as an object of level name → count, highest level first.
#[derive(Clone, Copy, Debug)]
pub struct LevelMap(pub [usize; 5]);

impl Serialize for LevelMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(5))?;
        for l in Level::ALL.iter().rev() {
            m.serialize_entry(l.name(), &self.0[*l as usize])?;
        }
        m.end()
    }
}

/// What `stats --json` adds under `detections` when rules ran.
#[derive(Clone, Debug, Serialize)]
pub struct DetectStats {
    /// Rules loaded.
    pub rules: usize,
    /// Hits (event, rule pairs) per level.
    pub hits: LevelMap,
    /// Events with at least one hit, per their highest level.
    pub events: LevelMap,
}

impl DetectStats {
    pub fn new(rs: &RuleSet, hits: &Hits) -> DetectStats {
        let c = hits.level_counts(rs);
        DetectStats {
            rules: rs.len(),
            hits: c.hits_json(),
            events: c.events_json(),
        }
    }
}

impl Hits {
    /// From `(event, rule)` pairs sorted by event, rules of one event sorted and unique.
    pub(crate) fn from_pairs(pairs: &[(u32, u32)], rs: &RuleSet, covered: usize) -> Hits {
        let mut h = Hits {
            covered,
            ..Hits::default()
        };
        h.rules.reserve_exact(pairs.len());
        for &(e, r) in pairs {
            let level = rs.get(RuleIdx(r)).map_or(Level::Informational, |m| m.level);
            if h.events.last() != Some(&e) {
                h.events.push(e);
                h.starts.push(h.rules.len() as u32);
                h.max_level.push(level);
            } else if let Some(m) = h.max_level.last_mut() {
                *m = (*m).max(level);
            }
            h.rules.push(RuleIdx(r));
        }
        h.starts.push(h.rules.len() as u32);
        h.events.shrink_to_fit();
        h.starts.shrink_to_fit();
        h.max_level.shrink_to_fit();
        h
    }

    fn slot(&self, i: usize) -> Option<usize> {
        let i = u32::try_from(i).ok()?;
        self.events.binary_search(&i).ok()
    }

    fn rules_at(&self, k: usize) -> &[RuleIdx] {
        let (a, b) = (self.starts[k] as usize, self.starts[k + 1] as usize);
        &self.rules[a..b]
    }

    /// The rules that fired on event `i` (empty if none).
    pub fn of(&self, i: usize) -> &[RuleIdx] {
        match self.slot(i) {
            Some(k) => self.rules_at(k),
            None => &[],
        }
    }

    /// The highest level of event `i`'s hits.
    pub fn max_level(&self, i: usize) -> Option<Level> {
        self.slot(i).map(|k| self.max_level[k])
    }

    /// Hit events in timeline order with their rules.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &[RuleIdx])> + '_ {
        (0..self.events.len()).map(|k| (self.events[k] as usize, self.rules_at(k)))
    }

    /// Events with at least one hit.
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// (event, rule) pairs.
    pub fn hit_count(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Number of timeline events the run covered.
    pub fn covered(&self) -> usize {
        self.covered
    }

    pub fn level_counts(&self, rs: &RuleSet) -> LevelCounts {
        let mut c = LevelCounts::default();
        for r in &self.rules {
            if let Some(m) = rs.get(*r) {
                c.hits[m.level as usize] += 1;
            }
        }
        for l in &self.max_level {
            c.events[*l as usize] += 1;
        }
        c
    }

    /// Hits per rule (indexed by `RuleIdx`).
    pub fn per_rule(&self, rs: &RuleSet) -> Vec<usize> {
        let mut v = vec![0; rs.len()];
        for r in &self.rules {
            if let Some(n) = v.get_mut(r.0 as usize) {
                *n += 1;
            }
        }
        v
    }

    /// The first hit event after `from` (or at it, if `inclusive`) whose highest level is
    /// at least `min`.
    pub fn next(&self, from: usize, min: Level, inclusive: bool) -> Option<usize> {
        let start = self
            .events
            .partition_point(|&e| (e as usize) < from + usize::from(!inclusive));
        (start..self.events.len())
            .find(|&k| self.max_level[k] >= min)
            .map(|k| self.events[k] as usize)
    }

    /// The last hit event before `from` whose highest level is at least `min`.
    pub fn prev(&self, from: usize, min: Level) -> Option<usize> {
        let end = self.events.partition_point(|&e| (e as usize) < from);
        (0..end)
            .rev()
            .find(|&k| self.max_level[k] >= min)
            .map(|k| self.events[k] as usize)
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.events.capacity() * 4
            + self.starts.capacity() * 4
            + self.rules.capacity() * 4
            + self.max_level.capacity()
    }
}
