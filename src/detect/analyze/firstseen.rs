//! First-seen and rare: the first occurrence per host of a process image, a service, a
//! scheduled task, a user's logon (by type), a new account or group member, and an
//! outbound destination; each with its spread across the timeline. Common values (seen
//! on many of the hosts that report that kind of event, many times) are left out.

use super::scan::Collected;
use super::{Finding, Kind, Rarity};
use crate::timeline::Timeline;
use rustc_hash::{FxHashMap, FxHashSet};

/// Values seen at most this often are reported whatever their spread.
const RARE_COUNT: usize = 3;

pub(super) fn findings(_t: &Timeline, seen: &Collected) -> Vec<Finding> {
    let mut out = Vec::new();
    // (kind, value) → (hosts, count); kind → hosts reporting it.
    let mut spread: FxHashMap<(Kind, &str), (FxHashSet<&str>, usize)> = FxHashMap::default();
    let mut reporting: FxHashMap<Kind, FxHashSet<&str>> = FxHashMap::default();
    for ((k, h, v), s) in &seen.first {
        let e = spread.entry((*k, v.as_str())).or_default();
        e.0.insert(h.as_str());
        e.1 += s.count;
        reporting.entry(*k).or_default().insert(h.as_str());
    }
    for ((k, _h, v), s) in &seen.first {
        let (Some((hosts, count)), Some(of)) = (spread.get(&(*k, v.as_str())), reporting.get(k))
        else {
            continue;
        };
        let r = Rarity {
            hosts: hosts.len(),
            of: of.len(),
            count: *count,
        };
        if !always(*k) && !rare(&r) {
            continue;
        }
        out.push(Finding {
            kind: *k,
            event: s.first,
            host: s.host.clone(),
            reason: format!("{} {} on {} ({})", what(*k), v, s.host, r.text()),
            rarity: Some(r),
            strength: k.strength(),
        });
    }
    out.extend(destinations(seen));
    out
}

/// Kinds that are rare by nature: every first one is worth a look.
fn always(k: Kind) -> bool {
    matches!(
        k,
        Kind::FirstService | Kind::FirstTask | Kind::FirstAccount | Kind::FirstGroupMember
    )
}

fn rare(r: &Rarity) -> bool {
    r.count <= RARE_COUNT || r.hosts <= (r.of / 4).max(1)
}

fn what(k: Kind) -> &'static str {
    match k {
        Kind::FirstProcess => "first run of",
        Kind::FirstService => "service installed:",
        Kind::FirstTask => "scheduled task created:",
        Kind::FirstLogon => "first logon of",
        Kind::FirstAccount => "account created:",
        Kind::FirstGroupMember => "group member added:",
        Kind::FirstDestination => "first connection to",
        _ => "first",
    }
}

/// Outbound destinations per host, firewall senders resolved to hosts by the addresses
/// endpoints reported for themselves.
fn destinations(seen: &Collected) -> Vec<Finding> {
    // (host key, destination) → (first event, host shown, count)
    let mut per: FxHashMap<(String, &str), (usize, String, usize)> = FxHashMap::default();
    for ((_, from, dst), c) in &seen.conns {
        let (key, shown) = match seen.ip_host.get(from) {
            Some((k, s)) => (k.clone(), s.clone()),
            None => (from.clone(), c.host.clone()),
        };
        let e = per
            .entry((key, dst.as_str()))
            .or_insert((c.first, shown.clone(), 0));
        if c.first < e.0 {
            e.0 = c.first;
            e.1 = shown;
        }
        e.2 += c.times.len();
    }
    let mut spread: FxHashMap<&str, (usize, usize)> = FxHashMap::default();
    let mut hosts: FxHashSet<&str> = FxHashSet::default();
    for ((h, dst), (_, _, n)) in &per {
        let e = spread.entry(*dst).or_default();
        e.0 += 1;
        e.1 += n;
        hosts.insert(h.as_str());
    }
    let of = hosts.len();
    let mut out = Vec::new();
    for ((_, dst), (first, shown, _)) in &per {
        let Some(&(h, count)) = spread.get(dst) else {
            continue;
        };
        let r = Rarity {
            hosts: h,
            of,
            count,
        };
        if !rare(&r) {
            continue;
        }
        out.push(Finding {
            kind: Kind::FirstDestination,
            event: *first,
            host: shown.clone(),
            reason: format!("first connection to {dst} from {shown} ({})", r.text()),
            rarity: Some(r),
            strength: Kind::FirstDestination.strength(),
        });
    }
    out
}
