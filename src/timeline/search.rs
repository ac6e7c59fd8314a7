//! Regex search from a position, forward or backward, over each event's message and
//! field values. Blocks of rows are scanned in parallel and in order, so the first hit
//! is found without scanning everything, and a cancel flag stops it between rows.

use super::Timeline;
use super::blocks::{self, Blocks};
use super::textindex::Prepared;
use crate::query::TextTerm;
use rayon::prelude::*;
use regex::Regex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Forward,
    Backward,
}

/// A hit: the row (position in the searched rows) and whether the search wrapped past
/// the end (or start) to find it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub row: usize,
    pub wrapped: bool,
}

/// Does event `i` match, the slow way: its raw line (text sources), or the value of any
/// field (the message is one). The same free text as a filter's `/regex/` term.
pub fn event_matches(t: &Timeline, i: usize, term: &TextTerm) -> bool {
    let raw = t.raw_bytes(i);
    if !raw.is_empty() && term.is_match_lossy(raw) {
        return true;
    }
    let f = t.fields(i);
    f.norm_iter().any(|(_, v)| term.is_match(v)) || f.raw.iter().any(|(_, v)| term.is_match(v))
}

/// Rows scanned per parallel block: big enough to use every core, small enough that a
/// near hit comes back fast.
const BLOCK: usize = 8_192;
/// Rows one thread scans in a row within a block.
const PIECE: usize = 512;

/// Scans rows `lo..hi` (`rows` maps a row to an event; `None` means row = event) in
/// direction `dir` and returns the first matching row. `Err(())` when cancelled.
fn scan(
    t: &Timeline,
    rows: Option<&[u32]>,
    lo: usize,
    hi: usize,
    dir: Dir,
    (term, prep): (&TextTerm, Option<&Prepared<'_>>),
    cancel: &AtomicBool,
) -> Result<Option<usize>, ()> {
    let event = |r: usize| match rows {
        Some(v) => v.get(r).map(|&e| e as usize),
        None => Some(r),
    };
    // Each piece of a block is scanned in order by one thread with its own clone of
    // the regex (its own match cache: no contention on the shared pool per row).
    let piece = |a: usize, b: usize| -> Option<usize> {
        let term = term.clone();
        let matches = |e: usize| match prep.and_then(|p| p.hit(e, 0, &term)) {
            Some(h) => h,
            None => event_matches(t, e, &term),
        };
        let hit = |r: &usize| !cancel.load(Ordering::Relaxed) && event(*r).is_some_and(matches);
        match dir {
            Dir::Forward => (a..b).find(|r| hit(r)),
            Dir::Backward => (a..b).rev().find(|r| hit(r)),
        }
    };
    let pieces = |a: usize, b: usize| (a..b).step_by(PIECE).map(move |p| (p, (p + PIECE).min(b)));
    let mut start = lo;
    let mut end = hi;
    while start < end {
        if cancel.load(Ordering::Relaxed) {
            return Err(());
        }
        let hit = match dir {
            Dir::Forward => {
                let b = (start + BLOCK).min(end);
                let parts: Vec<(usize, usize)> = pieces(start, b).collect();
                let h = parts.into_par_iter().find_map_first(|(a, b)| piece(a, b));
                start = b;
                h
            }
            Dir::Backward => {
                let a = end.saturating_sub(BLOCK).max(start);
                let parts: Vec<(usize, usize)> = pieces(a, end).collect();
                let h = parts.into_par_iter().find_map_last(|(a, b)| piece(a, b));
                end = a;
                h
            }
        };
        if cancel.load(Ordering::Relaxed) {
            return Err(());
        }
        if hit.is_some() {
            return Ok(hit);
        }
    }
    Ok(None)
}

/// The next (or previous) matching row strictly after (before) `from`, wrapping around
/// once. `rows` is the filtered view (`None`: every event). Returns `None` when
/// cancelled, `Some(None)` when nothing matches.
pub fn find(
    t: &Timeline,
    rows: Option<&[u32]>,
    from: usize,
    dir: Dir,
    re: &Regex,
    cancel: &AtomicBool,
) -> Option<Option<Hit>> {
    let len = rows.map_or(t.len(), <[u32]>::len);
    if len == 0 {
        return Some(None);
    }
    let from = from.min(len - 1);
    let term = TextTerm::from_search(re.clone());
    let prep = t
        .text_index()
        .map(|idx| idx.prepare(t, std::slice::from_ref(&term)));
    let prep = prep.as_ref();
    let (first, second) = match dir {
        Dir::Forward => ((from + 1, len), (0, from + 1)),
        Dir::Backward => ((0, from), (from, len)),
    };
    if let Some(row) = scan(t, rows, first.0, first.1, dir, (&term, prep), cancel).ok()? {
        return Some(Some(Hit {
            row,
            wrapped: false,
        }));
    }
    let hit = scan(t, rows, second.0, second.1, dir, (&term, prep), cancel).ok()?;
    Some(hit.map(|row| Hit { row, wrapped: true }))
}

/// Every matching row of `rows` (`None`: every event), in order, through the free-text
/// index: what `n`/`N` then step through without scanning again. `None` when cancelled
/// or when the timeline has no index yet (scanning everything the slow way would take
/// longer than `find`ing the next hit).
pub fn all_hits(
    t: &Timeline,
    rows: Option<&[u32]>,
    re: &Regex,
    cancel: &AtomicBool,
) -> Option<Vec<u32>> {
    let term = TextTerm::from_search(re.clone());
    let prep = t.text_index()?.prepare(t, std::slice::from_ref(&term));
    let len = rows.map_or(t.len(), <[u32]>::len);
    let done = AtomicUsize::new(0);
    let parts = blocks::run(0..len, Blocks::new(BLOCK), cancel, &done, |range| {
        let term = term.clone();
        range
            .filter(|&r| {
                let e = rows.map_or(Some(r), |v| v.get(r).map(|&e| e as usize));
                e.is_some_and(|e| match prep.hit(e, 0, &term) {
                    Some(h) => h,
                    None => event_matches(t, e, &term),
                })
            })
            .map(|r| r as u32)
            .collect::<Vec<u32>>()
    });
    Some(parts?.concat())
}

/// The hit after (before) row `from` among sorted `hits`, wrapping around once, as
/// `find` would answer.
pub fn next_in(hits: &[u32], from: usize, dir: Dir) -> Option<Hit> {
    let p = hits.partition_point(|&r| (r as usize) <= from);
    let (row, wrapped) = match dir {
        Dir::Forward => match hits.get(p) {
            Some(&r) => (r, false),
            None => (*hits.first()?, true),
        },
        Dir::Backward => {
            let before = hits.partition_point(|&r| (r as usize) < from);
            match before.checked_sub(1).and_then(|b| hits.get(b)) {
                Some(&r) => (r, false),
                None => (*hits.last()?, true),
            }
        }
    };
    Some(Hit {
        row: row as usize,
        wrapped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Timeline {
        let mut s = String::new();
        for i in 0..20_000 {
            let msg = if i % 5000 == 17 {
                "powershell -enc AAA"
            } else {
                "logon ok"
            };
            s.push_str(&format!(
                "2022-01-01T00:00:00.{i:06}Z|host{}|4624|{msg}|User=u{i}\n",
                i % 3
            ));
        }
        Timeline::from_test_lines(&[("a.log", &s)])
    }

    #[test]
    fn forward_backward_and_wrap() {
        let t = t();
        let re = Regex::new("(?i)PowerShell").unwrap();
        let no = AtomicBool::new(false);
        let hit = |from, dir| find(&t, None, from, dir, &re, &no).unwrap().unwrap();
        // (from, direction, the row found, whether the search wrapped to find it)
        let cases = [
            (0, Dir::Forward, 17, false),
            (17, Dir::Forward, 5017, false),
            (15017, Dir::Forward, 17, true),
            (5017, Dir::Backward, 17, false),
            (17, Dir::Backward, 15017, true),
        ];
        for (from, dir, row, wrapped) in cases {
            assert_eq!(hit(from, dir), Hit { row, wrapped }, "{from} {dir:?}");
        }
    }

    #[test]
    fn searches_fields_and_filtered_rows() {
        let t = t();
        let re = Regex::new("^u12345$").unwrap();
        let no = AtomicBool::new(false);
        assert_eq!(
            find(&t, None, 0, Dir::Forward, &re, &no),
            Some(Some(Hit {
                row: 12345,
                wrapped: false
            }))
        );
        let rows: Vec<u32> = vec![3, 12345, 19999];
        assert_eq!(
            find(&t, Some(&rows), 2, Dir::Forward, &re, &no),
            Some(Some(Hit {
                row: 1,
                wrapped: true
            }))
        );
        let none = Regex::new("nothing-like-this").unwrap();
        assert_eq!(find(&t, None, 0, Dir::Forward, &none, &no), Some(None));
    }

    #[test]
    fn cancelled_search_returns_none() {
        let t = t();
        let re = Regex::new("nothing-like-this").unwrap();
        let yes = AtomicBool::new(true);
        assert_eq!(find(&t, None, 0, Dir::Forward, &re, &yes), None);
    }

    #[test]
    fn hit_list_answers_like_find() {
        let t = t();
        let re = Regex::new("(?i)PowerShell").unwrap();
        let no = AtomicBool::new(false);
        assert_eq!(all_hits(&t, None, &re, &no), None, "no index yet");
        t.build_text_index(&no, &std::sync::atomic::AtomicUsize::new(0));
        let hits = all_hits(&t, None, &re, &no).unwrap();
        assert_eq!(hits, [17, 5017, 10017, 15017]);
        for from in [0, 16, 17, 18, 5017, 15017, 15018, 19_999] {
            for dir in [Dir::Forward, Dir::Backward] {
                assert_eq!(
                    next_in(&hits, from, dir),
                    find(&t, None, from, dir, &re, &no).unwrap(),
                    "from {from} {dir:?}"
                );
            }
        }
        assert_eq!(next_in(&[], 3, Dir::Forward), None);
        let rows: Vec<u32> = vec![3, 5017, 19999];
        assert_eq!(all_hits(&t, Some(&rows), &re, &no).unwrap(), [1]);
    }
}
