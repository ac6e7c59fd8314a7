//! Progress and cancellation for the parallel scans of `detect` (rules and analyzers):
//! counted in steps so the shared counter and flag are touched once per `step` events.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub(crate) struct Tick<'a> {
    progress: &'a AtomicUsize,
    cancel: &'a AtomicBool,
    step: usize,
    pending: usize,
}

impl<'a> Tick<'a> {
    pub(crate) fn new(progress: &'a AtomicUsize, cancel: &'a AtomicBool, step: usize) -> Self {
        Tick {
            progress,
            cancel,
            step,
            pending: 0,
        }
    }

    /// One more event; `false` once the work is cancelled (looked at every `step`).
    pub(crate) fn next(&mut self) -> bool {
        self.pending += 1;
        if self.pending < self.step {
            return true;
        }
        self.progress.fetch_add(self.pending, Ordering::Relaxed);
        self.pending = 0;
        !self.cancel.load(Ordering::Relaxed)
    }

    /// Counts what is left over at the end of a block.
    pub(crate) fn finish(self) {
        self.progress.fetch_add(self.pending, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_event_and_sees_cancel_at_a_step() {
        let (p, c) = (AtomicUsize::new(0), AtomicBool::new(false));
        let mut t = Tick::new(&p, &c, 4);
        for _ in 0..6 {
            assert!(t.next());
        }
        assert_eq!(p.load(Ordering::Relaxed), 4);
        c.store(true, Ordering::Relaxed);
        assert!(t.next(), "cancel is looked at only at a step");
        assert!(!t.next());
        t.finish();
        assert_eq!(p.load(Ordering::Relaxed), 8);
    }
}
