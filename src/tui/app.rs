//! The running TUI: the state and the effect runner, stepped one action at a time.
//! An action goes through `update`; its effects run; results that are ready at once (case
//! I/O, inline jobs) are queued and applied in order, until nothing is left. Worker
//! results arrive later through the event channel and are stepped the same way.

use super::action::Action;
use super::effects::Effects;
use super::state::{Config, State};
use super::update;
use crate::timeline::Timeline;
use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

pub struct App {
    pub st: State,
    pub fx: Effects,
}

impl App {
    pub fn new(mut st: State, fx: Effects) -> App {
        update::refresh(&mut st);
        App { st, fx }
    }

    /// The app on `t` with loading done and every job run inline (no worker thread), in a
    /// `w`×`h` screen: the TUI as tests and benchmarks drive it, without a terminal.
    pub fn loaded_inline(t: Arc<Timeline>, config: Config, author: String, w: u16, h: u16) -> App {
        let mut st = State::new(t, config);
        st.ingest.status.done = true;
        let mut app = App::new(st, Effects::inline(author));
        app.apply(Action::Resize(w, h));
        app
    }

    /// Applies `a` and everything it leads to that is ready at once.
    pub fn apply(&mut self, a: Action) {
        self.settle(VecDeque::from([a]), Vec::new());
    }

    /// Starts filtering with `text` (`--filter`), as if typed at `f`.
    pub fn start_filter(&mut self, text: String) {
        let fx = update::start_filter(&mut self.st, text);
        self.settle(VecDeque::new(), fx);
    }

    /// Runs `effects`, then applies `queue` and what follows from it.
    fn settle(&mut self, mut queue: VecDeque<Action>, effects: Vec<super::action::Effect>) {
        queue.extend(effects.into_iter().filter_map(|e| self.fx.run(e)));
        while let Some(a) = queue.pop_front() {
            for e in update::update(&mut self.st, a) {
                if let Some(next) = self.fx.run(e) {
                    queue.push_back(next);
                }
            }
        }
    }
}

impl Deref for App {
    type Target = State;
    fn deref(&self) -> &State {
        &self.st
    }
}

impl DerefMut for App {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.st
    }
}
