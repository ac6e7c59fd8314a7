//! Runs effects: filters and searches on worker threads, cancellable, latest wins (a new
//! job of a kind cancels the previous one, and `update` drops results of older `job`s).
//! `run_sync` runs the same jobs inline, for tests and scripted use.

use super::app::{Action, Effect, State, update};
use crate::timeline::filter::{self, NoMarks};
use crate::timeline::search;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;

pub struct Executor {
    tx: Sender<Action>,
    filter_cancel: Option<Arc<AtomicBool>>,
    search_cancel: Option<Arc<AtomicBool>>,
    /// Events examined by the running filter (for its progress).
    pub filter_done: Arc<AtomicUsize>,
}

fn cancel(flag: &mut Option<Arc<AtomicBool>>) {
    if let Some(f) = flag.take() {
        f.store(true, Ordering::Relaxed);
    }
}

impl Executor {
    pub fn new(tx: Sender<Action>) -> Executor {
        Executor {
            tx,
            filter_cancel: None,
            search_cancel: None,
            filter_done: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn run(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::CancelJobs => {
                    cancel(&mut self.filter_cancel);
                    cancel(&mut self.search_cancel);
                }
                Effect::Filter {
                    job,
                    timeline,
                    filter,
                } => {
                    cancel(&mut self.filter_cancel);
                    let flag = Arc::new(AtomicBool::new(false));
                    self.filter_cancel = Some(flag.clone());
                    // A fresh counter, so that a cancelled job cannot move the new bar.
                    self.filter_done = Arc::new(AtomicUsize::new(0));
                    let done = self.filter_done.clone();
                    let tx = self.tx.clone();
                    std::thread::spawn(move || {
                        let rows = filter::run(&timeline, &filter, &NoMarks, &flag, &done);
                        // Let go of the timeline before reporting, so that it can grow.
                        drop(timeline);
                        let _ = tx.send(Action::FilterDone { job, rows });
                    });
                }
                Effect::Search {
                    job,
                    timeline,
                    view,
                    from,
                    dir,
                    re,
                } => {
                    cancel(&mut self.search_cancel);
                    let flag = Arc::new(AtomicBool::new(false));
                    self.search_cancel = Some(flag.clone());
                    let tx = self.tx.clone();
                    std::thread::spawn(move || {
                        let hit = search::find(
                            &timeline,
                            view.as_deref().map(Vec::as_slice),
                            from,
                            dir,
                            &re,
                            &flag,
                        );
                        drop(timeline);
                        let _ = tx.send(Action::SearchDone { job, hit });
                    });
                }
            }
        }
    }

    pub fn filter_progress(&self) -> usize {
        self.filter_done.load(Ordering::Relaxed)
    }
}

/// Runs `effects` and everything they lead to inline, until idle.
pub fn run_sync(st: &mut State, effects: Vec<Effect>) {
    let mut queue: VecDeque<Effect> = effects.into();
    let no = AtomicBool::new(false);
    while let Some(e) = queue.pop_front() {
        let action = match e {
            Effect::CancelJobs => continue,
            Effect::Filter {
                job,
                timeline,
                filter,
            } => {
                let rows = filter::run(&timeline, &filter, &NoMarks, &no, &AtomicUsize::new(0));
                drop(timeline);
                Action::FilterDone { job, rows }
            }
            Effect::Search {
                job,
                timeline,
                view,
                from,
                dir,
                re,
            } => {
                let hit = search::find(
                    &timeline,
                    view.as_deref().map(Vec::as_slice),
                    from,
                    dir,
                    &re,
                    &no,
                );
                drop(timeline);
                Action::SearchDone { job, hit }
            }
        };
        queue.extend(update(st, action));
    }
}

/// Applies an action and runs what follows to idle (tests, scripted use).
pub fn apply_sync(st: &mut State, action: Action) {
    let fx = update(st, action);
    run_sync(st, fx);
}
