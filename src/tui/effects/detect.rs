//! Sigma detection jobs: loading the rules and running them over the timeline on worker
//! threads. A run evaluates in parallel blocks on the rayon pool (never on the UI thread),
//! reports its progress as actions every `PROGRESS_EVERY`, and stops when cancelled (a
//! new run, a timeline about to grow, quitting).

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
            std::thread::spawn(move || {
                let progress = AtomicUsize::new(0);
                let hits = std::thread::scope(|s| {
                    let h = s.spawn(|| detect::run(&timeline, &rules, &flag, &progress));
                    let mut last = 0;
                    while !h.is_finished() {
                        std::thread::sleep(PROGRESS_EVERY);
                        let done = progress.load(Ordering::Relaxed);
                        if done != last && !flag.load(Ordering::Relaxed) {
                            last = done;
                            let p = DetectAction::Progress { job, done };
                            if tx.send(Action::Detect(p)).is_err() {
                                // The UI is gone: stop evaluating.
                                flag.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                    // A panic in the engine reads as "no result" (reported as such).
                    h.join().ok().flatten()
                });
                // Let go of the timeline before reporting, so that it can grow.
                drop(timeline);
                let _ = tx.send(Action::Detect(DetectAction::Done { job, hits }));
            });
            None
        }
    }
}

fn stop(running: &mut Option<Arc<AtomicBool>>) {
    if let Some(f) = running.take() {
        f.store(true, Ordering::Relaxed);
    }
}
