//! Sigma detection in the TUI (issue 13): what the state keeps of it (`DetectState`), the
//! work asked of the effect runner (`DetectEffect`) and what comes back (`DetectAction`).
//! Rules load and run on worker threads once everything is loaded; hits belong to the
//! timeline as it was when the run started (a grown timeline runs again).

use crate::detect::{Hits, Level, RuleIdx, RuleOptions, RuleSet};
use crate::timeline::Timeline;
use crate::tui::run::Run;
use std::sync::Arc;

/// Where detection stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DetectPhase {
    /// No rules asked for (`--no-rules`), or nothing started yet.
    #[default]
    Off,
    LoadingRules,
    /// Rules loaded; waiting for the timeline to be complete.
    Ready,
    /// Running over `total` events (job `job`); `done` of them evaluated.
    Running(Run),
    /// Hits are there for the timeline as it is.
    Done,
    /// The rules could not be loaded (the message says why).
    Failed,
}

/// A rule with hits in the Detections view, and its hits per host once expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRow {
    pub rule: RuleIdx,
    pub hits: usize,
    /// Hits per host (most first), when expanded.
    pub hosts: Option<Vec<(String, usize)>>,
}

/// The Detections view: rules by level (highest first) with hit counts.
#[derive(Clone, Debug, Default)]
pub struct DetectView {
    pub rules: Vec<RuleRow>,
    /// Selected line (rules and their expanded host lines counted alike).
    pub sel: usize,
}

/// A line of the Detections view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewLine {
    Rule(usize),
    /// Rule row, host index.
    Host(usize, usize),
}

impl DetectView {
    pub fn lines(&self) -> Vec<ViewLine> {
        let mut v = Vec::new();
        for (i, r) in self.rules.iter().enumerate() {
            v.push(ViewLine::Rule(i));
            if let Some(h) = &r.hosts {
                v.extend((0..h.len()).map(|j| ViewLine::Host(i, j)));
            }
        }
        v
    }
}

/// Detection: the rules, the hits, the run under way and the Detections view.
pub struct DetectState {
    pub phase: DetectPhase,
    pub rules: Option<Arc<RuleSet>>,
    /// Rules not loaded (unsupported or broken), for the Detections view's title.
    pub unsupported: usize,
    /// Why the rules could not be loaded.
    pub error: Option<String>,
    pub hits: Option<Arc<Hits>>,
    /// Every hit event (ascending) with the highest level of its rules: a flat copy that
    /// the histogram and the counts scan without a search per event.
    pub levels: Vec<(u32, Level)>,
    /// Number of the latest run (results of older runs are dropped).
    pub job: u64,
    /// `next_hit`/`prev_hit` stop at hits of this level or above (`cycle_level` changes it).
    pub min_level: Level,
    /// Hit events at or above `min_level` (for the status line).
    pub shown_hits: usize,
    pub view: DetectView,
    /// Histogram buckets with hits at or above `min_level`, and the highest level in each.
    pub hist: Vec<(usize, Level)>,
}

impl Default for DetectState {
    fn default() -> Self {
        DetectState {
            phase: DetectPhase::Off,
            rules: None,
            unsupported: 0,
            error: None,
            hits: None,
            levels: Vec::new(),
            job: 0,
            // Informational hits are context, not leads: `]`/`[` skip them at first.
            min_level: Level::Low,
            shown_hits: 0,
            view: DetectView::default(),
            hist: Vec::new(),
        }
    }
}

impl DetectState {
    /// The rules and hits, when they belong to a timeline of `len` events.
    pub fn current(&self, len: usize) -> Option<(&Arc<RuleSet>, &Arc<Hits>)> {
        let (r, h) = (self.rules.as_ref()?, self.hits.as_ref()?);
        (h.covered() == len && self.phase == DetectPhase::Done).then_some((r, h))
    }

    /// Recounts `shown_hits` (after new hits or a new minimum level).
    pub fn recount(&mut self) {
        let min = self.min_level;
        self.shown_hits = self.levels.iter().filter(|(_, l)| *l >= min).count();
    }

    /// Takes the hits of a finished run.
    pub fn set_hits(&mut self, hits: Hits) {
        self.levels = match &self.rules {
            Some(rs) => hits
                .iter()
                .filter_map(|(e, on)| {
                    let l = on
                        .iter()
                        .filter_map(|r| rs.get(*r))
                        .map(|m| m.level)
                        .max()?;
                    Some((u32::try_from(e).ok()?, l))
                })
                .collect(),
            None => Vec::new(),
        };
        self.hits = Some(Arc::new(hits));
        self.recount();
    }

    /// Percent of the running detection done.
    pub fn percent(&self) -> Option<usize> {
        match self.phase {
            DetectPhase::Running(r) => Some(r.percent()),
            _ => None,
        }
    }
}

/// Work for the effect runner.
pub enum DetectEffect {
    /// Load the rules (on a worker thread).
    LoadRules(RuleOptions),
    /// Run the rules over the timeline (in parallel blocks, cancellable), reporting
    /// progress as it goes.
    Run {
        job: u64,
        timeline: Arc<Timeline>,
        rules: Arc<RuleSet>,
    },
    /// Stop the running detection (the timeline is about to change, or the app quits).
    Cancel,
}

/// What comes back.
pub enum DetectAction {
    /// The rules, and how many were not loaded; or why none could be.
    RulesLoaded(Result<(Arc<RuleSet>, usize), String>),
    Progress {
        job: u64,
        done: usize,
    },
    /// `None`: cancelled.
    Done {
        job: u64,
        hits: Option<Hits>,
    },
}

/// The symbol of a level in the table and the histogram: survives `NO_COLOR` and
/// `--ascii` (the colour only repeats it). Critical `!!`, high `!`, medium `+`, low `-`,
/// informational `.`.
pub fn level_symbol(l: Level) -> &'static str {
    match l {
        Level::Critical => "!!",
        Level::High => "!",
        Level::Medium => "+",
        Level::Low => "-",
        Level::Informational => ".",
    }
}

/// One cell's worth (the histogram): critical and high `!`.
pub fn level_char(l: Level) -> &'static str {
    match l {
        Level::Critical | Level::High => "!",
        l => level_symbol(l),
    }
}
