//! Event density by time: bucket counts found with `partition_point` over the sorted
//! index, so the cost is O(buckets · log n) whatever the number of events.

use super::Timeline;

/// The time span `[lo, hi]` (UTC ns) covered by events with a plausible time. Events
/// flagged `bad_time` (before 1990, more than a day ahead, unreadable) sort to the ends
/// and are left out, so that one misdated event does not stretch the strip over decades.
/// When every event is flagged, their own span is used.
pub fn extent(t: &Timeline) -> Option<(i64, i64)> {
    extent_at(t, crate::model::now_ns())
}

fn extent_at(t: &Timeline, now: i64) -> Option<(i64, i64)> {
    use crate::model::{PLAUSIBLE_FROM, plausible_until};
    let ev = &t.events;
    // Flagged events outside the range are found by time; the few flagged inside it (a
    // time later shifted by `--skew`) by a bounded scan from each end.
    let a = ev.partition_point(|e| e.ts < PLAUSIBLE_FROM);
    let b = ev.partition_point(|e| e.ts <= plausible_until(now));
    let inner = ev.get(a..b).unwrap_or(&[]);
    const SCAN: usize = 1 << 16;
    let first = inner.iter().take(SCAN).find(|e| !e.flags.bad_time());
    let last = inner.iter().rev().take(SCAN).find(|e| !e.flags.bad_time());
    match (first, last) {
        (Some(f), Some(l)) => Some((f.ts, l.ts.max(f.ts))),
        _ => {
            let (f, l) = (ev.first()?, ev.last()?);
            Some((f.ts, l.ts.max(f.ts)))
        }
    }
}

/// Start time of bucket `b` of `n` over `[lo, hi]` (the last bucket includes `hi`).
pub fn edge(lo: i64, hi: i64, n: usize, b: usize) -> i64 {
    let span = (hi as i128 - lo as i128 + 1).max(1);
    let n = n.max(1) as i128;
    (lo as i128 + span * b as i128 / n) as i64
}

/// Bucket holding `ts`, if it is inside `[lo, hi]`.
pub fn bucket_of(ts: i64, lo: i64, hi: i64, n: usize) -> Option<usize> {
    if n == 0 || ts < lo || ts > hi {
        return None;
    }
    let span = (hi as i128 - lo as i128 + 1).max(1);
    let b = ((ts as i128 - lo as i128) * n as i128 / span) as usize;
    Some(b.min(n - 1))
}

fn counts(n: usize, lo: i64, hi: i64, count_before: impl Fn(i64) -> usize) -> Vec<u64> {
    let mut out = Vec::with_capacity(n);
    if n == 0 {
        return out;
    }
    let mut prev = count_before(lo);
    for b in 1..=n {
        // The last edge is just past `hi` so that events at `hi` are counted.
        let e = if b == n {
            hi.saturating_add(1)
        } else {
            edge(lo, hi, n, b)
        };
        let cur = count_before(e);
        out.push(cur.saturating_sub(prev) as u64);
        prev = cur;
    }
    out
}

/// Events of the whole timeline per bucket.
pub fn buckets_all(t: &Timeline, lo: i64, hi: i64, n: usize) -> Vec<u64> {
    counts(n, lo, hi, |ts| t.events.partition_point(|e| e.ts < ts))
}

/// Events of a filtered view (sorted positions into the timeline) per bucket.
pub fn buckets_rows(t: &Timeline, rows: &[u32], lo: i64, hi: i64, n: usize) -> Vec<u64> {
    counts(n, lo, hi, |ts| {
        rows.partition_point(|&r| t.events.get(r as usize).is_some_and(|e| e.ts < ts))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::format_rfc3339;

    fn timeline(times: &[&str]) -> Timeline {
        let text: String = times.iter().map(|t| format!("{t}|h|1|m|\n")).collect();
        Timeline::from_test_lines(&[("t.log", &text)])
    }

    #[test]
    fn counts_every_event_once() {
        let t = timeline(&[
            "2022-01-01T00:00:00Z",
            "2022-01-01T00:00:01Z",
            "2022-01-01T00:30:00Z",
            "2022-01-01T00:59:59Z",
            "2022-01-01T01:00:00Z",
        ]);
        let (lo, hi) = extent(&t).unwrap();
        for n in [1, 2, 3, 7, 80, 1000] {
            let b = buckets_all(&t, lo, hi, n);
            assert_eq!(b.len(), n);
            assert_eq!(b.iter().sum::<u64>(), 5, "n={n}");
        }
        // 00:30:00 starts the second half of the hour.
        let b = buckets_all(&t, lo, hi, 2);
        assert_eq!(b, vec![2, 3]);
    }

    #[test]
    fn filtered_rows_count_only_their_events() {
        let t = timeline(&[
            "2022-01-01T00:00:00Z",
            "2022-01-01T00:00:10Z",
            "2022-01-01T00:00:20Z",
        ]);
        let (lo, hi) = extent(&t).unwrap();
        assert_eq!(buckets_rows(&t, &[0, 2], lo, hi, 2), vec![1, 1]);
        assert_eq!(buckets_rows(&t, &[1], lo, hi, 2), vec![0, 1]);
        // A window that excludes everything.
        assert_eq!(buckets_all(&t, hi + 1, hi + 100, 4), vec![0; 4]);
    }

    /// A FILETIME read as Unix nanoseconds dated one event in 1974: it stretched the
    /// strip over 49 years. Flagged events at either end stay out of the span.
    #[test]
    fn bad_time_events_stay_out_of_the_span() {
        let t = timeline(&[
            "1974-03-12T10:00:00Z",
            "2023-05-01T10:00:00Z",
            "2023-05-01T11:00:00Z",
            "2200-01-01T00:00:00Z",
        ]);
        assert!(t.events[0].flags.bad_time() && t.events[3].flags.bad_time());
        let (lo, hi) = extent(&t).unwrap();
        assert_eq!(format_rfc3339(lo), "2023-05-01T10:00:00Z");
        assert_eq!(format_rfc3339(hi), "2023-05-01T11:00:00Z");
        // Nothing plausible: the flagged events' own span, not nothing.
        let only_bad = timeline(&["1974-03-12T10:00:00Z", "1975-03-12T10:00:00Z"]);
        let (lo, hi) = extent(&only_bad).unwrap();
        assert!(lo < hi);
    }

    #[test]
    fn bucket_of_agrees_with_counts() {
        let (lo, hi) = (1_000, 1_999);
        for ts in [1_000, 1_001, 1_499, 1_500, 1_999] {
            let b = bucket_of(ts, lo, hi, 10).unwrap();
            assert!(edge(lo, hi, 10, b) <= ts && (b == 9 || ts < edge(lo, hi, 10, b + 1)));
        }
        assert_eq!(bucket_of(999, lo, hi, 10), None);
        assert_eq!(bucket_of(i64::MAX, i64::MIN, i64::MAX, 3), Some(2));
    }
}
