//! Running a rule set over a timeline: in parallel blocks on the rayon pool, cancellable,
//! with progress. Each EVTX record shape is routed and named once; text records (EDR,
//! firewall, Windows events as JSON) are parsed and routed one by one.

use super::event::{EvtxValues, PairValues, SigmaEvent, Values};
use super::hits::Hits;
use super::mapping::{Mapping, TargetId};
use super::names::{NameTable, evtx_system_len};
use super::pin::Eid;
use super::rules::{RULE_ATTR, RuleSet};
use crate::ingest::evtx::Slot;
use crate::model::{Fields, Norm, Sym};
use crate::timeline::Timeline;
use rayon::prelude::*;
use rsigma_eval::{Engine, Event, EventValue};
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::Hasher;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Events per parallel block.
const BLOCK: usize = 16 * 1024;
/// Events between cancel checks and progress updates.
const STEP: usize = 512;
/// Memo cache budget (keys and results), shared out among the workers; a worker's memo
/// that fills up starts again empty.
const MEMO_BUDGET: usize = 64 << 20;
/// Lookups after which a bucket whose memo is rarely reused stops memoising.
const MEMO_TRIAL: u64 = 20_000;

/// Runs `rs` over every event of `t`. `progress` counts events done (of `t.len()`);
/// returns None when `cancel` was set.
pub fn run(
    t: &Timeline,
    rs: &RuleSet,
    cancel: &AtomicBool,
    progress: &AtomicUsize,
) -> Option<Hits> {
    let n = t.len();
    if rs.is_empty() || n == 0 {
        progress.fetch_add(n, Ordering::Relaxed);
        return Some(Hits::from_pairs(&[], rs, n));
    }
    for g in rs.buckets.iter().flat_map(|b| &b.memos) {
        g.on.store(true, Ordering::Relaxed);
        g.lookups.store(0, Ordering::Relaxed);
        g.reused.store(0, Ordering::Relaxed);
    }
    let plans: Vec<SourcePlan<'_>> = t.sources.iter().map(|s| plan_source(t, s, rs)).collect();
    let memo = Memo::new(rs, rayon::current_num_threads());
    let blocks: Vec<Option<Vec<(u32, u32)>>> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let range = b * BLOCK..((b + 1) * BLOCK).min(n);
            run_block(t, rs, &plans, &memo, range, cancel, progress)
        })
        .collect();
    memo.publish_counts(rs);
    let mut pairs = Vec::new();
    for b in blocks {
        pairs.extend(b?);
    }
    Some(Hits::from_pairs(&pairs, rs, n))
}

impl RuleSet {
    /// The rules that fire on one Windows event given as a flat JSON object under Sigma's
    /// names (`EventID`, `Channel`, `Provider_Name`, EventData names…), routed and viewed
    /// as `run` does, without memo. For checking `run` against another flattening of the
    /// same records, and for tools. Sorted final indices.
    pub fn evaluate_record(
        &self,
        record: &serde_json::Map<String, serde_json::Value>,
    ) -> Vec<super::RuleIdx> {
        let text = |k: &str| -> String {
            match record.get(k) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                _ => String::new(),
            }
        };
        let (channel, eid) = (text("Channel").to_lowercase(), text("EventID"));
        let names: Vec<&str> = record.keys().map(String::as_str).collect();
        let values = super::event::JsonValues {
            values: record.values().collect(),
        };
        let m = &self.mapping;
        let mut found = Vec::new();
        let mut seen: Vec<u16> = Vec::new();
        for (ti, tg) in m.targets.iter().enumerate() {
            let fits = tg.fits_format("evtx")
                && tg.fits_channel(&channel, &eid)
                && tg.fits_fields(|n| record.get(n).and_then(|v| v.as_str()));
            if !fits {
                continue;
            }
            let table = NameTable::build(&names, 0, m, m.view(tg.view));
            let ev = SigmaEvent {
                table: &table,
                values: &values,
            };
            for &b in self.target_buckets.get(ti).into_iter().flatten() {
                if seen.contains(&b) {
                    continue;
                }
                seen.push(b);
                if let Some(bucket) = self.buckets.get(b as usize) {
                    // Every engine, pinned or not: checks `run`'s EventID routing too.
                    let memos = bucket.memos.iter().map(|g| &g.parts);
                    for p in memos.chain(&bucket.live) {
                        p.each(Eid::All, |e| fire(self, e, &ev, &mut found));
                    }
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(super::RuleIdx).collect()
    }
}

/// How one source's events are routed.
enum SourcePlan<'m> {
    Skip,
    /// Per shape id; and the source's targets, for records stored without fields.
    Evtx(Vec<ShapePlan<'m>>, Vec<TargetId>),
    /// Targets that may apply to the source's records.
    Text {
        targets: Vec<TargetId>,
        windows: bool,
    },
}

/// One EVTX shape: its name tables (one per view) and the buckets to evaluate.
#[derive(Default)]
struct ShapePlan<'m> {
    tables: Vec<NameTable<'m>>,
    /// (bucket, table, target whose `when` must be checked per record).
    evals: Vec<(u16, u8, Option<TargetId>)>,
}

fn plan_source<'m>(t: &Timeline, s: &crate::timeline::Source, rs: &'m RuleSet) -> SourcePlan<'m> {
    let format = s.format();
    let candidates: Vec<TargetId> = rs
        .mapping
        .targets
        .iter()
        .enumerate()
        .filter(|(i, tg)| {
            tg.fits_format(format) && rs.target_buckets.get(*i).is_some_and(|b| !b.is_empty())
        })
        .map(|(i, _)| i as TargetId)
        .collect();
    if candidates.is_empty() {
        return SourcePlan::Skip;
    }
    match s.evtx_shapes() {
        Some(shapes) => SourcePlan::Evtx(
            (0..shapes.len() as u32)
                .map(|id| plan_shape(t, shapes.get(id), &candidates, rs))
                .collect(),
            candidates,
        ),
        None => SourcePlan::Text {
            targets: candidates,
            windows: matches!(format, "winjson" | "evtx"),
        },
    }
}

fn plan_shape<'m>(
    t: &Timeline,
    keys: &[(Sym, Sym)],
    candidates: &[TargetId],
    rs: &'m RuleSet,
) -> ShapePlan<'m> {
    let m = &rs.mapping;
    let fixed = |name: &str| -> Option<String> {
        keys.iter()
            .find(|(k, _)| t.strings.text(*k) == name)
            .map(|(_, v)| t.strings.text(*v).into_owned())
    };
    let channel = fixed("Channel").unwrap_or_default().to_lowercase();
    let eid = fixed("EventID").unwrap_or_default();
    let names: Vec<std::borrow::Cow<'_, str>> =
        keys.iter().map(|(k, _)| t.strings.text(*k)).collect();
    let names: Vec<&str> = names.iter().map(|n| &**n).collect();
    let mut plan = ShapePlan::default();
    let mut views: Vec<Option<u16>> = Vec::new();
    let mut seen: Vec<u16> = Vec::new();
    for &ti in candidates {
        let tg = &m.targets[ti as usize];
        if !tg.fits_channel(&channel, &eid) {
            continue;
        }
        let table = match views.iter().position(|v| *v == tg.view) {
            Some(k) => k,
            None => {
                views.push(tg.view);
                plan.tables.push(NameTable::build(
                    &names,
                    evtx_system_len(names.iter().copied()),
                    m,
                    m.view(tg.view),
                ));
                views.len() - 1
            }
        };
        let when = (!tg.when.is_empty()).then_some(ti);
        for &b in &rs.target_buckets[ti as usize] {
            // A bucket is evaluated once per record, through its first fitting target.
            if !seen.contains(&b) {
                seen.push(b);
                plan.evals.push((b, table as u8, when));
            }
        }
    }
    plan
}

/// Memo of rule results per (bucket, group, values of the fields the group's rules read),
/// one per worker thread. Each worker locks only its own (uncontended), and counts in its
/// own memory: a memo and counters shared by both cores cost a cache-line transfer per
/// lookup (issue 13: two threads did not run faster than one). The price: a tuple first
/// seen on both workers is evaluated twice.
struct Memo {
    workers: Vec<Mutex<WorkerMemo>>,
}

struct WorkerMemo {
    /// Key → final indices of the rules that fired.
    map: FxHashMap<Box<[u8]>, Box<[u32]>>,
    bytes: usize,
    budget: usize,
    /// Per bucket, per memo group: (lookups, reused) on this worker.
    counts: Vec<Vec<(u64, u64)>>,
}

impl Memo {
    fn new(rs: &RuleSet, workers: usize) -> Memo {
        let workers = workers.max(1);
        let w = || WorkerMemo {
            map: FxHashMap::default(),
            bytes: 0,
            budget: MEMO_BUDGET / workers,
            counts: rs
                .buckets
                .iter()
                .map(|b| vec![(0, 0); b.memos.len()])
                .collect(),
        };
        Memo {
            workers: (0..workers).map(|_| Mutex::new(w())).collect(),
        }
    }

    /// This worker's memo; None if another thread holds it (only outside the pool).
    fn mine(&self) -> Option<std::sync::MutexGuard<'_, WorkerMemo>> {
        let i = rayon::current_thread_index().unwrap_or(0) % self.workers.len();
        self.workers[i].try_lock().ok()
    }

    /// Adds every worker's counts to the groups' statistics (`RuleSet::bucket_stats`).
    fn publish_counts(&self, rs: &RuleSet) {
        for w in &self.workers {
            let Ok(w) = w.lock() else { continue };
            for (b, counts) in rs.buckets.iter().zip(&w.counts) {
                for (g, &(l, r)) in b.memos.iter().zip(counts) {
                    g.lookups.fetch_add(l, Ordering::Relaxed);
                    g.reused.fetch_add(r, Ordering::Relaxed);
                }
            }
        }
    }
}

/// Per-worker buffers.
#[derive(Default)]
struct Scratch {
    slots: Vec<Slot>,
    key: Vec<u8>,
    found: Vec<u32>,
    /// A text record's lower-cased channel, and the buckets it has been evaluated in.
    channel: String,
    seen: Vec<u16>,
}

fn run_block<'m>(
    t: &Timeline,
    rs: &'m RuleSet,
    plans: &[SourcePlan<'m>],
    memo: &Memo,
    range: std::ops::Range<usize>,
    cancel: &AtomicBool,
    progress: &AtomicUsize,
) -> Option<Vec<(u32, u32)>> {
    let mut out = Vec::new();
    let mut sc = Scratch::default();
    let mut memo = memo.mine();
    let mut cache = TableCache::default();
    // Text records are read into one buffer, reused from record to record.
    let mut fields = Fields::without_message();
    let mut tick = super::tick::Tick::new(progress, cancel, STEP);
    for i in range {
        if !tick.next() {
            return None;
        }
        let Some(e) = t.events.get(i) else { break };
        let Some(plan) = plans.get(e.source as usize) else {
            continue;
        };
        sc.found.clear();
        match plan {
            SourcePlan::Skip => continue,
            SourcePlan::Evtx(shapes, targets) => match t.evtx_slots(i) {
                Some((shape, slots)) => {
                    let Some(sp) = shapes.get(shape as usize) else {
                        continue;
                    };
                    if sp.evals.is_empty() {
                        continue;
                    }
                    sc.slots.clear();
                    sc.slots.extend(slots.map(|(_, s)| s));
                    let slots = std::mem::take(&mut sc.slots);
                    let values = EvtxValues {
                        t,
                        ts: e.ts,
                        record_id: crate::ingest::evtx::schema::record_id_of(e.loc),
                        slots: &slots,
                    };
                    for &(b, table, when) in &sp.evals {
                        let ev = SigmaEvent {
                            table: &sp.tables[table as usize],
                            values: &values,
                        };
                        if let Some(tg) = when
                            && !fits_when(&rs.mapping, tg, &ev)
                        {
                            continue;
                        }
                        eval_bucket(rs, b, &ev, memo.as_deref_mut(), &mut sc);
                    }
                    sc.slots = slots;
                }
                // Stored without fields (index-only ingest): re-rendered from the file.
                None => {
                    let m = memo.as_deref_mut();
                    let cx = (&mut cache, &mut sc, &mut fields);
                    text_event(t, rs, i, targets, true, m, cx)
                }
            },
            SourcePlan::Text { targets, windows } => {
                let m = memo.as_deref_mut();
                let cx = (&mut cache, &mut sc, &mut fields);
                text_event(t, rs, i, targets, *windows, m, cx)
            }
        }
        if !sc.found.is_empty() {
            sc.found.sort_unstable();
            sc.found.dedup();
            out.extend(sc.found.iter().map(|&r| (i as u32, r)));
        }
    }
    tick.finish();
    Some(out)
}

fn fits_when<V: Values>(m: &Mapping, tg: TargetId, ev: &SigmaEvent<'_, V>) -> bool {
    let Some(target) = m.targets.get(tg as usize) else {
        return false;
    };
    let texts: Vec<(String, Option<String>)> = target
        .when
        .iter()
        .map(|(k, _)| {
            let v = ev.get_field(k).and_then(|v| match v {
                EventValue::Str(s) => Some(s.into_owned()),
                EventValue::Int(n) => Some(n.to_string()),
                _ => None,
            });
            (k.clone(), v)
        })
        .collect();
    target.fits_fields(|name| {
        texts
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_deref())
    })
}

/// Name tables of text records by their field-name list (records of one format mostly
/// share it): built once per list and view within a block instead of once per record.
#[derive(Default)]
struct TableCache<'m> {
    by_names: FxHashMap<u64, CachedTables<'m>>,
}

/// A field-name list, its System length, and its tables per view.
type CachedTables<'m> = (Vec<Box<str>>, usize, Vec<(Option<u16>, NameTable<'m>)>);

/// A record of a text source (or an EVTX record without stored fields): parsed (into the
/// worker's reused `Fields`, without a message), routed by its own fields, named per
/// field-name list.
fn text_event<'m, 't>(
    t: &'t Timeline,
    rs: &'m RuleSet,
    i: usize,
    targets: &[TargetId],
    windows: bool,
    mut memo: Option<&mut WorkerMemo>,
    (cache, sc, f): (&mut TableCache<'m>, &mut Scratch, &mut Fields<'t>),
) {
    t.fields_into(i, f);
    let f = &*f;
    let m = &rs.mapping;
    // Per record, nothing is allocated: the channel is lower-cased into a reused buffer,
    // and the names are compared with the cached ones where they lie.
    let mut channel = std::mem::take(&mut sc.channel);
    lower_into(f.get(Norm::Channel).unwrap_or(""), &mut channel);
    let eid = f.get(Norm::EventId).unwrap_or("");
    let names = || f.raw.iter().map(|(k, _)| &**k);
    let is_evtx = t.source_of(i).is_some_and(|s| s.format() == "evtx");
    let system_len = match (is_evtx, windows) {
        (true, _) => evtx_system_len(names()),
        (false, true) => f.raw.len(),
        (false, false) => 0,
    };
    let mut h = FxHasher::default();
    h.write_usize(system_len);
    for n in names() {
        h.write(n.as_bytes());
        h.write_u8(0);
    }
    let entry = cache
        .by_names
        .entry(h.finish())
        .or_insert_with(|| (Vec::new(), usize::MAX, Vec::new()));
    let same = entry.1 == system_len
        && entry.0.len() == f.raw.len()
        && entry.0.iter().zip(names()).all(|(a, b)| &**a == b);
    if !same {
        *entry = (names().map(Into::into).collect(), system_len, Vec::new());
    }
    let values = PairValues { f };
    let mut seen = std::mem::take(&mut sc.seen);
    seen.clear();
    for &ti in targets {
        let tg = &m.targets[ti as usize];
        let windows_target = !tg.channels.is_empty() || !tg.event_ids.is_empty();
        if windows_target && !(windows && tg.fits_channel(&channel, eid)) {
            continue;
        }
        if !tg.fits_fields(|name| f.raw(name)) {
            continue;
        }
        let k = match entry.2.iter().position(|(v, _)| *v == tg.view) {
            Some(k) => k,
            None => {
                let names: Vec<&str> = names().collect();
                let table = NameTable::build(&names, system_len, m, m.view(tg.view));
                entry.2.push((tg.view, table));
                entry.2.len() - 1
            }
        };
        for &b in &rs.target_buckets[ti as usize] {
            if seen.contains(&b) {
                continue;
            }
            seen.push(b);
            let ev = SigmaEvent {
                table: &entry.2[k].1,
                values: &values,
            };
            eval_bucket(rs, b, &ev, memo.as_deref_mut(), sc);
        }
    }
    sc.channel = channel;
    sc.seen = seen;
}

/// `s` lower-cased into `buf` (ASCII in place; other text as `str::to_lowercase`).
fn lower_into(s: &str, buf: &mut String) {
    buf.clear();
    if s.is_ascii() {
        buf.push_str(s);
        buf.make_ascii_lowercase();
    } else {
        buf.push_str(&s.to_lowercase());
    }
}

/// Evaluates bucket `b` on one record, adding the final indices of the rules that fire
/// to `sc.found`.
fn eval_bucket<E: Event>(
    rs: &RuleSet,
    b: u16,
    ev: &E,
    mut memo: Option<&mut WorkerMemo>,
    sc: &mut Scratch,
) {
    let Some(bucket) = rs.buckets.get(b as usize) else {
        return;
    };
    let eid = Eid::of(ev);
    for (k, g) in bucket.memos.iter().enumerate() {
        let memo = match memo.as_deref_mut() {
            Some(m)
                if g.on.load(Ordering::Relaxed) && memo_key(b, k, &g.fields, ev, &mut sc.key) =>
            {
                m
            }
            _ => {
                g.parts.each(eid, |e| fire(rs, e, ev, &mut sc.found));
                continue;
            }
        };
        let Some(count) = memo.counts.get_mut(b as usize).and_then(|c| c.get_mut(k)) else {
            continue;
        };
        count.0 += 1;
        let (lookups, reused) = *count;
        match memo.map.get(&sc.key[..]) {
            Some(v) => {
                count.1 += 1;
                sc.found.extend_from_slice(v);
            }
            None => {
                // The key holds EventID whenever a rule of the group pins it.
                let start = sc.found.len();
                g.parts.each(eid, |e| fire(rs, e, ev, &mut sc.found));
                let res: Box<[u32]> = sc.found[start..].into();
                let cost = sc.key.len() + res.len() * 4 + 64;
                if memo.bytes + cost > memo.budget {
                    memo.map.clear();
                    memo.bytes = 0;
                }
                memo.bytes += cost;
                memo.map.insert(sc.key.as_slice().into(), res);
            }
        }
        // Mostly distinct tuples: the memo costs more than it saves here.
        if lookups == MEMO_TRIAL && reused * 4 < MEMO_TRIAL {
            g.on.store(false, Ordering::Relaxed);
        }
    }
    if let Some(live) = &bucket.live {
        live.each(eid, |e| fire(rs, e, ev, &mut sc.found));
    }
}

/// The memo key of a record for group `k` of bucket `b`: both, and the values of the
/// group's fields (absent, text or number, kept apart). False when a value cannot be keyed
/// (arrays, maps).
fn memo_key<E: Event>(b: u16, k: usize, fields: &[String], ev: &E, key: &mut Vec<u8>) -> bool {
    key.clear();
    key.extend_from_slice(&b.to_le_bytes());
    key.extend_from_slice(&(k as u16).to_le_bytes());
    for f in fields {
        match ev.get_field(f) {
            None => key.push(0),
            Some(EventValue::Str(s)) => {
                key.push(1);
                key.extend_from_slice(&(s.len() as u32).to_le_bytes());
                key.extend_from_slice(s.as_bytes());
            }
            Some(EventValue::Int(n)) => {
                key.push(2);
                key.extend_from_slice(&n.to_le_bytes());
            }
            Some(EventValue::Bool(v)) => key.extend_from_slice(&[3, v as u8]),
            Some(EventValue::Float(x)) => {
                key.push(4);
                key.extend_from_slice(&x.to_bits().to_le_bytes());
            }
            Some(EventValue::Null) => key.push(5),
            Some(EventValue::Array(_) | EventValue::Map(_)) => return false,
        }
    }
    true
}

fn fire<E: Event>(rs: &RuleSet, engine: &Engine, ev: &E, found: &mut Vec<u32>) {
    for r in engine.evaluate(ev) {
        let prov = r
            .header
            .custom_attributes
            .get(RULE_ATTR)
            .and_then(|v| v.as_u64());
        if let Some(&fin) = prov.and_then(|p| rs.remap.get(p as usize))
            && fin != u32::MAX
        {
            found.push(fin);
        }
    }
}
