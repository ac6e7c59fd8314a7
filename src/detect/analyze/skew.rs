//! Clock skew: where one connection (source address and port, destination address and
//! port) is seen by two sources — a firewall and Sysmon 3, an EDR and Sysmon — the
//! difference of their times is the offset of one clock against the other. Per host and
//! source, the median difference against the reference (a firewall when one saw the
//! connection, else an EDR's record) is the estimate; above a second, with most
//! connections agreeing, it becomes a finding that suggests the `--skew` to correct it.
//!
//! Pairs are sampled by a hash of the connection (both sides of one connection hash
//! alike), so that a timeline of many millions of connections keeps about a million.

use super::scan::{Collected, Flow};
use super::{Finding, Kind, span_text};
use crate::timeline::Timeline;
use rustc_hash::FxHashMap;

/// A difference smaller than this is the logging's own latency.
const MIN_SKEW_NS: i64 = 1_000_000_000;
/// Records of one connection further apart than this are not the same connection (a
/// port used again later).
const SAME_CONN_NS: i64 = 3600 * 1_000_000_000;
/// Connections seen by both before an estimate is made.
const MIN_PAIRS: usize = 3;

/// Which side of a pair is the reference: the lowest rank that saw the connection.
pub(crate) fn rank(firewall: bool, evtx: bool) -> u8 {
    match (firewall, evtx) {
        (true, _) => 0,
        (false, false) => 1,
        (false, true) => 2,
    }
}

pub(super) fn findings(t: &Timeline, seen: &Collected) -> Vec<Finding> {
    let mut by_conn: FxHashMap<&super::scan::FlowKey, Vec<&Flow>> = FxHashMap::default();
    for f in &seen.flows {
        by_conn.entry(&f.key).or_default().push(f);
    }
    // (host key, source) → (differences to the reference, first event, host shown,
    // reference source).
    type Diffs = (Vec<i64>, usize, String, u16);
    let mut per: FxHashMap<(String, u16), Diffs> = FxHashMap::default();
    for flows in by_conn.values() {
        let Some(best) = flows.iter().map(|f| f.rank).min() else {
            continue;
        };
        for f in flows.iter().filter(|f| f.rank > best && !f.host.is_empty()) {
            let near = flows
                .iter()
                .filter(|r| r.rank == best)
                .min_by_key(|r| (f.ts - r.ts).unsigned_abs());
            let Some(r) = near else { continue };
            let d = f.ts - r.ts;
            if d.unsigned_abs() > SAME_CONN_NS as u64 {
                continue;
            }
            let e = per
                .entry((f.host.clone(), f.source))
                .or_insert_with(|| (Vec::new(), f.event, f.shown.clone(), r.source));
            e.0.push(d);
            e.1 = e.1.min(f.event);
        }
    }
    let mut keys: Vec<_> = per.keys().cloned().collect();
    keys.sort();
    let mut out = Vec::new();
    for k in keys {
        let Some((mut d, event, shown, refsrc)) = per.remove(&k) else {
            continue;
        };
        if d.len() < MIN_PAIRS {
            continue;
        }
        d.sort_unstable();
        let Some(&m) = d.get(d.len() / 2) else {
            continue;
        };
        let agree = d.iter().filter(|&&x| (x - m).abs() < MIN_SKEW_NS).count();
        if m.abs() < MIN_SKEW_NS || agree * 3 < d.len() * 2 {
            continue;
        }
        let label = |s: u16| t.sources.get(s as usize).map_or("", |x| x.label.as_str());
        let src = label(k.1);
        let way = if m > 0 { "ahead of" } else { "behind" };
        let secs = (m as f64 / 1e9).round() as i64;
        out.push(Finding {
            kind: Kind::ClockSkew,
            event,
            host: shown.clone(),
            reason: format!(
                "clock of {shown} in {} runs {} {way} {} ({} of {} connections seen by both agree): --skew '{}={:+}s'",
                tail(src),
                span_text(secs.abs().saturating_mul(1_000_000_000)),
                tail(label(refsrc)),
                agree,
                d.len(),
                glob(src),
                -secs
            ),
            rarity: None,
            strength: Kind::ClockSkew.strength(),
        });
    }
    out
}

/// The last two parts of a path (`WS-01/Sysmon.evtx`).
fn tail(p: &str) -> String {
    let parts: Vec<&str> = p.rsplit(['/', '\\']).take(2).collect();
    parts.into_iter().rev().collect::<Vec<_>>().join("/")
}

/// A `--skew` glob naming this source (`*WS-01/Sysmon.evtx`; `*` also matches `/`).
fn glob(p: &str) -> String {
    let t = tail(p).replace(['*', '?'], "?");
    format!("*{t}")
}
