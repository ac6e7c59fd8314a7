//! Sigma detection jobs: loading the rules and running them over the timeline on worker
//! threads. A run evaluates in parallel blocks on the background pool (`pool`: not the UI
//! thread, not the pool a keypress's work uses), reports its progress as actions every
//! `PROGRESS_EVERY`, and stops when cancelled (a new run, a timeline about to grow,
//! quitting).

use crate::detect::{self, RuleSet};
use crate::tui::action::Action;
use crate::tui::detect::{DetectAction, DetectEffect};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Runs `d`: on a worker thread reporting on `tx`, or here when there is none (then the
/// result is returned). `running` holds the cancel flag of the run under way.
pub fn run(
    d: DetectEffect,
    tx: Option<&Sender<Action>>,
    running: &mut Option<Arc<AtomicBool>>,
) -> Option<Action> {
    match d {
        DetectEffect::Cancel => {
            stop(running);
            None
        }
        DetectEffect::LoadRules(opts) => {
            let load = move || {
                let r = RuleSet::load(&opts)
                    .map(|(rs, rep)| (Arc::new(rs), rep.unsupported.len() + rep.invalid.len()))
                    .map_err(|e| e.to_string());
                Action::Detect(DetectAction::RulesLoaded(r))
            };
            match tx {
                None => Some(load()),
                Some(tx) => {
                    let tx = tx.clone();
                    std::thread::spawn(move || {
                        let _ = tx.send(load());
                    });
                    None
                }
            }
        }
        DetectEffect::Run {
            job,
            timeline,
            rules,
        } => {
            stop(running);
            let flag = Arc::new(AtomicBool::new(false));
            *running = Some(flag.clone());
            let Some(tx) = tx.cloned() else {
                // Inline (tests, scripted use): the whole run, here.
                let hits = detect::run(&timeline, &rules, &flag, &AtomicUsize::new(0));
                return Some(Action::Detect(DetectAction::Done { job, hits }));
            };
            background(
                tx,
                flag,
                move |flag, progress| detect::run(&timeline, &rules, flag, progress),
                move |done| Action::Detect(DetectAction::Progress { job, done }),
                move |hits| Action::Detect(DetectAction::Done { job, hits }),
            );
            None
        }
    }
}

/// Runs `work` on a worker thread, sending `progress(events done)` every
/// `PROGRESS_EVERY` while it runs and `done(result)` at the end (a panic reads as no
/// result). `work` owns what it borrows (the timeline), and lets go of it before `done` is
/// sent, so that the timeline can grow. A UI that is gone cancels the work.
pub(super) fn background<T: Send + 'static>(
    tx: Sender<Action>,
    flag: Arc<AtomicBool>,
    work: impl FnOnce(&AtomicBool, &AtomicUsize) -> Option<T> + Send + 'static,
    progress: impl Fn(usize) -> Action + Send + 'static,
    done: impl FnOnce(Option<T>) -> Action + Send + 'static,
) {
    std::thread::spawn(move || {
        let counter = AtomicUsize::new(0);
        let result = std::thread::scope(|s| {
            let h = s.spawn(|| super::pool::background(|| work(&flag, &counter)));
            let mut last = 0;
            while !h.is_finished() {
                std::thread::sleep(PROGRESS_EVERY);
                let n = counter.load(Ordering::Relaxed);
                if n != last && !flag.load(Ordering::Relaxed) {
                    last = n;
                    if tx.send(progress(n)).is_err() {
                        // The UI is gone: stop working.
                        flag.store(true, Ordering::Relaxed);
                    }
                }
            }
            h.join().ok().flatten()
        });
        let _ = tx.send(done(result));
    });
}

pub(super) fn stop(running: &mut Option<Arc<AtomicBool>>) {
    if let Some(f) = running.take() {
        f.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;
    use std::sync::mpsc;
    use std::time::Instant;

    /// Background work (a Sigma run, the analyzers) that holds every thread it runs on
    /// must not delay parallel work on the global pool: a filter typed meanwhile.
    #[test]
    fn busy_background_work_leaves_the_filter_pool_free() {
        let (release, held) = mpsc::channel::<()>();
        let held = Arc::new(std::sync::Mutex::new(held));
        let (started_tx, started) = mpsc::channel::<()>();
        let (tx, rx) = mpsc::channel::<Action>();
        let work = move |_: &AtomicBool, _: &AtomicUsize| {
            (0..rayon::current_num_threads() * 4)
                .into_par_iter()
                .for_each(|_| {
                    let _ = started_tx.send(());
                    if let Ok(rx) = held.lock() {
                        // Capped, so that a failing test ends.
                        let _ = rx.recv_timeout(Duration::from_secs(3));
                    }
                });
            Some(())
        };
        let flag = Arc::new(AtomicBool::new(false));
        let progress = |done| Action::Detect(DetectAction::Progress { job: 0, done });
        background(tx, flag, work, progress, move |_| progress(0));
        started.recv().unwrap();
        let t0 = Instant::now();
        let sum: u64 = (0..1_000_000u64).into_par_iter().sum();
        let took = t0.elapsed();
        drop(release);
        assert_eq!(sum, 499_999_500_000);
        assert!(took < Duration::from_secs(5), "{took:?}");
        rx.recv_timeout(Duration::from_secs(20)).unwrap();
    }
}
