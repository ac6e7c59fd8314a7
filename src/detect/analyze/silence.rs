//! Silence: a (source, host) stream that stops while the rest of the timeline keeps
//! talking — a gap far above its own normal spacing (or an end well before the
//! timeline's), during which other sources logged plenty.

use super::sources::{PerSource, Stream};
use super::{Finding, Kind, host_short, span_text};
use crate::timeline::Timeline;

/// Streams with fewer events have no normal spacing to speak of.
const MIN_EVENTS: usize = 50;
/// A silence is at least this long…
const MIN_SILENCE_NS: i64 = 3600 * 1_000_000_000;
/// …and this many times the stream's 95th-percentile spacing…
const TIMES_NORMAL: i64 = 20;
/// …while other sources logged at least this many events.
const MIN_OTHERS: usize = 100;

/// One silent stretch of one source (and host).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Silence {
    pub source: u16,
    /// Short host name (empty when the events carry none).
    pub host: String,
    /// Last event before the silence (UTC ns) and the first after (None: never again).
    pub from: i64,
    pub to: Option<i64>,
    /// Timeline index of the last event before the silence.
    pub before: usize,
    /// Events other sources logged meanwhile.
    pub others: usize,
    /// The stream's normal spacing (95th percentile, rounded up to a power of two seconds).
    pub normal_ns: i64,
}

pub(super) fn silences(t: &Timeline, per: &PerSource) -> Vec<Silence> {
    let end = t
        .events
        .iter()
        .rev()
        .find(|e| !e.flags.bad_time())
        .map(|e| e.ts);
    let mut out = Vec::new();
    let mut keys: Vec<_> = per.streams.keys().copied().collect();
    keys.sort();
    for k in keys {
        let Some(s) = per.streams.get(&k) else {
            continue;
        };
        stream_silences(t, k.0, s, end, &mut out);
    }
    out.sort_by_key(|s| (s.from, s.source));
    out
}

fn stream_silences(
    t: &Timeline,
    source: u16,
    s: &Stream,
    end: Option<i64>,
    out: &mut Vec<Silence>,
) {
    if s.count < MIN_EVENTS {
        return;
    }
    let normal = s.quantile_gap(0.95);
    let need = MIN_SILENCE_NS.max(normal.saturating_mul(TIMES_NORMAL));
    let host = host_short(&t.host(s.last));
    let between = |a: i64, b: i64| {
        t.lower_bound(b)
            .saturating_sub(t.lower_bound(a.saturating_add(1)))
    };
    for &(gap, before, after) in &s.top {
        if gap < need {
            continue;
        }
        let (Some(a), Some(b)) = (t.events.get(before), t.events.get(after)) else {
            continue;
        };
        let others = between(a.ts, b.ts);
        if others >= MIN_OTHERS {
            out.push(Silence {
                source,
                host: host.clone(),
                from: a.ts,
                to: Some(b.ts),
                before,
                others,
                normal_ns: normal,
            });
        }
    }
    if let (Some(end), Some(last)) = (end, t.events.get(s.last))
        && end.saturating_sub(last.ts) >= need
    {
        let others = t
            .len()
            .saturating_sub(t.lower_bound(last.ts.saturating_add(1)));
        if others >= MIN_OTHERS {
            out.push(Silence {
                source,
                host,
                from: last.ts,
                to: None,
                before: s.last,
                others,
                normal_ns: normal,
            });
        }
    }
}

pub(super) fn findings(t: &Timeline, silences: &[Silence]) -> Vec<Finding> {
    silences
        .iter()
        .map(|s| {
            let label = t
                .sources
                .get(s.source as usize)
                .map(|x| x.label.as_str())
                .unwrap_or("?");
            let how_long = match s.to {
                Some(to) => format!("silent for {}", span_text(to - s.from)),
                None => "never logs again".to_owned(),
            };
            let on = if s.host.is_empty() {
                String::new()
            } else {
                format!(" on {}", s.host)
            };
            Finding {
                kind: Kind::Silence,
                event: s.before,
                host: s.host.clone(),
                reason: format!(
                    "{label}{on} {how_long} (normally every ≤ {}; {} events elsewhere meanwhile)",
                    span_text(s.normal_ns),
                    s.others
                ),
                rarity: None,
                strength: Kind::Silence.strength(),
            }
        })
        .collect()
}
