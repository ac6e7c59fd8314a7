//! Event density by time: bucket counts found with `partition_point` over the sorted
//! index, so the cost is O(buckets · log n) whatever the number of events.

use super::Timeline;
use crate::ingest::evtx::FLAG_BAD_TIME;

/// The time span `[lo, hi]` (UTC ns) covered by events with a usable time. Events whose
/// time could not be read (EVTX FILETIME 0 and the like) sort first and are skipped so
/// that they do not squash the whole strip into one bucket.
pub fn extent(t: &Timeline) -> Option<(i64, i64)> {
    // Bad times sort to the front; a bounded scan finds the first good one.
    let first = t
        .events
        .iter()
        .take(1 << 16)
        .find(|e| e.flags & FLAG_BAD_TIME == 0)
        .or(t.events.first())?;
    let last = t.events.last()?;
    Some((first.ts, last.ts.max(first.ts)))
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
