//! Parallel work over a range of events: the range is cut into blocks, the blocks run on
//! the rayon pool, and their results come back in timeline order. Filters, the search hit
//! list, the free-text index (and detection and analyzers) all go through [`run`], so
//! cancelling and progress behave the same everywhere.
//!
//! ```
//! use std::sync::atomic::{AtomicBool, AtomicUsize};
//! use vigil::timeline::blocks::{self, Blocks};
//!
//! let (cancel, done) = (AtomicBool::new(false), AtomicUsize::new(0));
//! // Even numbers below 100_000, found block by block, in order.
//! let parts = blocks::run(0..100_000, Blocks::new(4096), &cancel, &done, |r| {
//!     r.filter(|i| i % 2 == 0).collect::<Vec<_>>()
//! });
//! let even: Vec<usize> = parts.expect("not cancelled").concat();
//! assert_eq!(even.len(), 50_000);
//! assert_eq!(done.into_inner(), 100_000);
//! ```

use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// How a range of events is cut and run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocks {
    /// Events per block: big enough that a block's setup (a clone of the query with its
    /// own regex caches) is paid rarely, small enough to spread over every core and to
    /// notice a cancel soon.
    pub size: usize,
    /// Blocks started at once per pool thread, or `None` for all of them. Long background
    /// work (the free-text index) runs in rounds so that a filter started meanwhile
    /// queues its own blocks behind one round, not behind the whole run.
    pub round_per_thread: Option<usize>,
}

impl Blocks {
    /// Blocks of `size` events, all started at once.
    pub const fn new(size: usize) -> Blocks {
        Blocks {
            size,
            round_per_thread: None,
        }
    }

    /// The same blocks, started `per_thread` per pool thread at a time.
    pub const fn in_rounds(self, per_thread: usize) -> Blocks {
        Blocks {
            round_per_thread: Some(per_thread),
            ..self
        }
    }
}

/// Runs `f` on consecutive blocks of `range` in parallel and returns its results in the
/// order of the blocks. `done` grows by each block's length when the block is finished
/// (a progress bar). `None` when `cancel` was set before every block had started: a block
/// that sees it set does not run, and no partial result is returned.
pub fn run<T, F>(
    range: Range<usize>,
    blocks: Blocks,
    cancel: &AtomicBool,
    done: &AtomicUsize,
    f: F,
) -> Option<Vec<T>>
where
    T: Send,
    F: Fn(Range<usize>) -> T + Sync,
{
    let size = blocks.size.max(1);
    let n = range.len().div_ceil(size);
    let block = |b: usize| {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        let lo = range.start + b * size;
        let hi = (lo + size).min(range.end);
        let out = f(lo..hi);
        done.fetch_add(hi - lo, Ordering::Relaxed);
        Some(out)
    };
    let round = match blocks.round_per_thread {
        Some(k) => rayon::current_num_threads().max(1) * k.max(1),
        None => n.max(1),
    };
    let mut out = Vec::with_capacity(n);
    for first in (0..n).step_by(round) {
        let part: Vec<Option<T>> = (first..(first + round).min(n))
            .into_par_iter()
            .map(block)
            .collect();
        for p in part {
            out.push(p?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_in_order_with_progress() {
        for blocks in [Blocks::new(7), Blocks::new(7).in_rounds(1), Blocks::new(0)] {
            let (cancel, done) = (AtomicBool::new(false), AtomicUsize::new(0));
            let parts = run(5..103, blocks, &cancel, &done, |r| r.collect::<Vec<_>>());
            let all = parts.expect("not cancelled").concat();
            assert_eq!(all, (5..103).collect::<Vec<_>>(), "{blocks:?}");
            assert_eq!(done.into_inner(), 98);
        }
        let (cancel, done) = (AtomicBool::new(false), AtomicUsize::new(0));
        assert_eq!(
            run(3..3, Blocks::new(8), &cancel, &done, |r| r.len()),
            Some(vec![])
        );
    }

    #[test]
    fn cancel_returns_none() {
        let (cancel, done) = (AtomicBool::new(true), AtomicUsize::new(0));
        assert_eq!(
            run(0..100, Blocks::new(10), &cancel, &done, |r| r.len()),
            None
        );
        assert_eq!(done.into_inner(), 0);
        // Set by a block midway: the later rounds do not run.
        let (cancel, done) = (AtomicBool::new(false), AtomicUsize::new(0));
        let got = run(0..1000, Blocks::new(10).in_rounds(1), &cancel, &done, |r| {
            if r.start == 0 {
                cancel.store(true, Ordering::Relaxed);
            }
            r.len()
        });
        assert_eq!(got, None);
        assert!(done.into_inner() < 1000);
    }
}
