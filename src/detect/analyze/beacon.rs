//! Beacons: the same sender → destination (IP or name) at regular intervals: at least
//! `MIN_REPEATS` contacts whose spacing varies little around its median (low jitter,
//! measured as the median absolute deviation over the median). Contacts under a second
//! apart count as one (a build and a close line, a burst of retries).

use super::scan::Collected;
use super::{Finding, Kind, Rarity, span_text};
use rustc_hash::{FxHashMap, FxHashSet};

pub(crate) const MIN_REPEATS: usize = 10;
/// Highest jitter (MAD / median interval) still called regular.
pub(crate) const MAX_JITTER: f64 = 0.15;
/// Shortest median interval considered (faster is a transfer, not a beacon).
const MIN_INTERVAL_NS: i64 = 5_000_000_000;
const SAME_CONTACT_NS: i64 = 1_000_000_000;

/// Interval statistics of a series of contact times (sorted).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Regularity {
    pub contacts: usize,
    pub median_ns: i64,
    pub jitter: f64,
}

pub(crate) fn regularity(times: &[i64]) -> Option<Regularity> {
    let mut contacts: Vec<i64> = Vec::with_capacity(times.len());
    for &t in times {
        if contacts.last().is_none_or(|&l| t - l >= SAME_CONTACT_NS) {
            contacts.push(t);
        }
    }
    if contacts.len() < MIN_REPEATS {
        return None;
    }
    let mut d: Vec<i64> = contacts.windows(2).map(|w| w[1] - w[0]).collect();
    d.sort_unstable();
    let m = *d.get(d.len() / 2)?;
    if m < MIN_INTERVAL_NS {
        return None;
    }
    let mut dev: Vec<i64> = d.iter().map(|x| (x - m).abs()).collect();
    dev.sort_unstable();
    let mad = *dev.get(dev.len() / 2)?;
    Some(Regularity {
        contacts: contacts.len(),
        median_ns: m,
        jitter: mad as f64 / m as f64,
    })
}

pub(super) fn findings(seen: &Collected) -> Vec<Finding> {
    let resolve = |from: &String, shown: &String| match seen.ip_host.get(from) {
        Some((k, s)) => (k.clone(), s.clone()),
        None => (from.clone(), shown.clone()),
    };
    // Senders per destination, for rarity.
    let mut talkers: FxHashMap<&str, FxHashSet<String>> = FxHashMap::default();
    let mut senders: FxHashSet<String> = FxHashSet::default();
    for ((_, from, dst), c) in &seen.conns {
        let (k, _) = resolve(from, &c.host);
        talkers.entry(dst.as_str()).or_default().insert(k.clone());
        senders.insert(k);
    }
    // Best series per (sender, destination) across sources.
    let mut best: FxHashMap<(String, &str), (Regularity, usize, String, usize)> =
        FxHashMap::default();
    for ((_, from, dst), c) in &seen.conns {
        let Some(r) = regularity(&c.times) else {
            continue;
        };
        if r.jitter > MAX_JITTER {
            continue;
        }
        let (k, shown) = resolve(from, &c.host);
        let e = best
            .entry((k, dst.as_str()))
            .or_insert((r, c.first, shown.clone(), 0));
        e.3 += 1;
        // The most contacts, then the steadiest, then the earliest: the same choice
        // whatever order the sources were loaded in (the TUI loads them as they come).
        let better = r.contacts > e.0.contacts
            || (r.contacts == e.0.contacts
                && (r.jitter < e.0.jitter || (r.jitter == e.0.jitter && c.first < e.1)));
        if better {
            (e.0, e.1, e.2) = (r, c.first, shown);
        }
    }
    let mut out = Vec::new();
    for ((_, dst), (r, first, shown, sources)) in best {
        let hosts = talkers.get(dst).map_or(1, FxHashSet::len);
        let rarity = Rarity {
            hosts,
            of: senders.len(),
            count: r.contacts,
        };
        let also = if sources > 1 {
            format!(", seen by {sources} sources")
        } else {
            String::new()
        };
        out.push(Finding {
            kind: Kind::Beacon,
            event: first,
            host: shown.clone(),
            reason: format!(
                "{shown} → {dst} every {} ({} contacts, jitter {:.0}%{also}; {} of {} hosts talk to it)",
                span_text(r.median_ns),
                r.contacts,
                r.jitter * 100.0,
                hosts,
                senders.len()
            ),
            rarity: Some(rarity),
            strength: Kind::Beacon.strength() * (1.0 - r.jitter).clamp(0.0, 1.0),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::analyze::scan::Conn;

    /// One sender's contacts with one destination as three sources saw them, inserted in
    /// every order: the finding is the same.
    #[test]
    fn the_series_chosen_does_not_depend_on_source_order() {
        const S: i64 = 1_000_000_000;
        let steady: Vec<i64> = (0..20).map(|i| i * 300 * S).collect();
        // Jitter ≈ 3 %: still a beacon, less steady than the other.
        let wobbly: Vec<i64> = (0..20).map(|i| (i * 300 + (i * i * 7) % 40) * S).collect();
        let series = [
            (0u16, "WS-01", 7, wobbly.clone()),
            (1, "ws-01", 5, steady.clone()),
            (2, "WS-01", 3, wobbly),
        ];
        let orders = [[0, 1, 2], [2, 1, 0], [1, 0, 2], [2, 0, 1]];
        let found: Vec<Vec<Finding>> = orders
            .iter()
            .map(|order| {
                let mut c = Collected::default();
                for &k in order {
                    let (src, host, first, times) = &series[k];
                    c.conns.insert(
                        (*src, "ws-01".into(), "203.0.113.9".into()),
                        Conn {
                            first: *first,
                            host: (*host).into(),
                            times: times.clone(),
                        },
                    );
                }
                findings(&c)
            })
            .collect();
        assert_eq!(found[0].len(), 1);
        // The steadiest series (jitter 0) wins over the earlier, wobblier ones.
        assert_eq!(found[0][0].event, 5);
        assert_eq!(found[0][0].host, "ws-01");
        for f in &found[1..] {
            assert_eq!(f, &found[0]);
        }
    }
}
