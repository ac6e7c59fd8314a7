//! The sequential pass beside the scan: per (source, host) the spacing of its events
//! (for silence) and per EVTX source its record ids (for gaps). One read of the 32-byte
//! events, no field access.

use crate::model::Sym;
use crate::timeline::Timeline;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// Largest gaps kept per stream: a silence is one of them.
const TOP_GAPS: usize = 8;

/// Spacing of one (source, host) stream.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stream {
    pub count: usize,
    pub first: usize,
    pub last: usize,
    pub last_ts: i64,
    /// Gaps by power of two of their length in seconds (`[0]`: under a second).
    pub hist: [u64; 32],
    /// The largest gaps: (length ns, event before, event after).
    pub top: Vec<(i64, usize, usize)>,
}

impl Stream {
    fn push(&mut self, i: usize, ts: i64) {
        if self.count > 0 {
            let gap = ts.saturating_sub(self.last_ts);
            let secs = (gap / 1_000_000_000).max(0) as u64;
            let b = (64 - secs.leading_zeros()) as usize;
            if let Some(h) = self.hist.get_mut(b.min(31)) {
                *h += 1;
            }
            if self.top.len() < TOP_GAPS || self.top.last().is_some_and(|x| x.0 < gap) {
                let at = self.top.partition_point(|x| x.0 >= gap);
                self.top.insert(at, (gap, self.last, i));
                self.top.truncate(TOP_GAPS);
            }
        } else {
            self.first = i;
        }
        self.count += 1;
        self.last = i;
        self.last_ts = ts;
    }

    /// The upper bound (ns) of the gap bucket under which `q` of the gaps fall.
    pub fn quantile_gap(&self, q: f64) -> i64 {
        let total: u64 = self.hist.iter().sum();
        let want = (total as f64 * q).ceil() as u64;
        let mut seen = 0;
        for (b, n) in self.hist.iter().enumerate() {
            seen += n;
            if seen >= want.max(1) {
                return (1i64 << b.min(62)).saturating_mul(1_000_000_000);
            }
        }
        i64::MAX
    }
}

#[derive(Default)]
pub(crate) struct PerSource {
    pub streams: FxHashMap<(u16, Sym), Stream>,
    /// Per EVTX source: (record id, event) of records read in place (not carved).
    pub records: FxHashMap<u16, Vec<(u64, usize)>>,
}

pub(crate) fn per_source(t: &Timeline, cancel: &AtomicBool) -> Option<PerSource> {
    let evtx: Vec<bool> = t.sources.iter().map(|s| s.format() == "evtx").collect();
    let mut p = PerSource::default();
    for (i, e) in t.events.iter().enumerate() {
        if i % 65_536 == 0 && cancel.load(Ordering::Relaxed) {
            return None;
        }
        if e.flags.bad_time() {
            continue;
        }
        p.streams
            .entry((e.source, e.host))
            .or_default()
            .push(i, e.ts);
        if evtx.get(e.source as usize).copied().unwrap_or(false) && !e.flags.recovered() {
            p.records
                .entry(e.source)
                .or_default()
                .push((crate::ingest::evtx::schema::record_id_of(e.loc), i));
        }
    }
    Some(p)
}
