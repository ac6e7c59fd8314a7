//! Early-detection candidates in the TUI (issue 14): what the state keeps of them
//! (`CandState`), the work asked of the effect runner (`CandEffect`) and what comes back
//! (`CandAction`). The analyzers run on a worker once everything is loaded and the Sigma
//! run (if any) is over; their findings and the Sigma hits are ranked into one list there.
//! Like hits, the list belongs to the timeline as it was when the run started.

use crate::detect::analyze::{Analysis, Silence};
use crate::detect::candidates::Candidates;
use crate::detect::{Hits, RuleSet};
use crate::timeline::Timeline;
use crate::tui::run::Run;
use std::sync::Arc;

/// Where the analyzers stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CandPhase {
    /// Not asked for (`Config::analyze` off), or waiting for the timeline and Sigma.
    #[default]
    Waiting,
    /// Running over `total` events (job `job`); `done` of them scanned.
    Running(Run),
    /// The list is there for the timeline as it is.
    Done,
    /// The run stopped before the end (a panic in an analyzer).
    Failed,
}

/// A line of the candidates view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CandLine {
    /// A host heading (grouped view): the host as shown and its number of candidates.
    Host(String, usize),
    /// A candidate: its index in `Candidates::list`.
    Cand(usize),
}

/// The candidates view: its order and selection.
#[derive(Clone, Debug, Default)]
pub struct CandView {
    /// Grouped by host (hosts by their best candidate), else flat by score.
    pub by_host: bool,
    pub lines: Vec<CandLine>,
    /// Selected line (host headings are skipped over).
    pub sel: usize,
}

/// The analyzers' results and the ranked list.
#[derive(Default)]
pub struct CandState {
    pub phase: CandPhase,
    /// Number of the latest run (results of older runs are dropped).
    pub job: u64,
    pub list: Option<Arc<Candidates>>,
    /// Silent stretches per source (the histogram's silence lane).
    pub silences: Arc<Vec<Silence>>,
    /// Events the list covers (the timeline's length when the run started).
    pub covered: usize,
    pub view: CandView,
    /// Histogram buckets inside a silence of some source (the silence lane).
    pub lane: Vec<usize>,
}

impl CandState {
    /// The list, when it belongs to a timeline of `len` events.
    pub fn current(&self, len: usize) -> Option<&Arc<Candidates>> {
        (self.phase == CandPhase::Done && self.covered == len)
            .then_some(self.list.as_ref())
            .flatten()
    }

    /// Percent of the running analysis done.
    pub fn percent(&self) -> Option<usize> {
        match self.phase {
            CandPhase::Running(r) => Some(r.percent()),
            _ => None,
        }
    }
}

/// Work for the effect runner.
pub enum CandEffect {
    /// Run the analyzers over the timeline (cancellable, with progress), then rank their
    /// findings with the Sigma hits when there are some.
    Run {
        job: u64,
        timeline: Arc<Timeline>,
        sigma: Option<(Arc<RuleSet>, Arc<Hits>)>,
    },
    /// Stop the running analysis (the timeline is about to change, or the app quits).
    Cancel,
}

/// What comes back.
pub enum CandAction {
    Progress {
        job: u64,
        done: usize,
    },
    /// `None`: cancelled (or failed).
    Done {
        job: u64,
        result: Option<Box<(Analysis, Candidates)>>,
    },
}
