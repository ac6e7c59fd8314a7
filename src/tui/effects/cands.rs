//! The analyzer job: the analyzers over the timeline on a worker thread (the rayon pool
//! does the scan), progress every `PROGRESS_EVERY`, cancellable; then the ranking of their
//! findings with the Sigma hits, on the same worker.

use super::detect::{background, stop};
use crate::detect::analyze;
use crate::detect::candidates;
use crate::tui::action::Action;
use crate::tui::cands::{CandAction, CandEffect};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::mpsc::Sender;

/// Runs `c`: on a worker thread reporting on `tx`, or here when there is none (then the
/// result is returned). `running` holds the cancel flag of the run under way.
pub fn run(
    c: CandEffect,
    tx: Option<&Sender<Action>>,
    running: &mut Option<Arc<AtomicBool>>,
) -> Option<Action> {
    match c {
        CandEffect::Cancel => {
            stop(running);
            None
        }
        CandEffect::Run {
            job,
            timeline,
            sigma,
        } => {
            stop(running);
            let flag = Arc::new(AtomicBool::new(false));
            *running = Some(flag.clone());
            let work = move |cancel: &AtomicBool, progress: &AtomicUsize| {
                let a = analyze::analyze(&timeline, cancel, progress)?;
                let sigma = sigma.as_ref().map(|(r, h)| (&**h, &**r));
                let list = candidates::rank(&timeline, sigma, &a);
                Some(Box::new((a, list)))
            };
            let Some(tx) = tx.cloned() else {
                // Inline (tests, scripted use): the whole run, here.
                let result = work(&flag, &AtomicUsize::new(0));
                return Some(Action::Cands(CandAction::Done { job, result }));
            };
            background(
                tx,
                flag,
                work,
                move |done| Action::Cands(CandAction::Progress { job, done }),
                move |result| Action::Cands(CandAction::Done { job, result }),
            );
            None
        }
    }
}
