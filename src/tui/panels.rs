//! State of the panels that answer questions rather than show rows: value counts (`c`,
//! `:top`), the sources panel (`S`), the column chooser (`C`), and the prompt's memory
//! (history browsing, Tab cycling). Plain data, read by views and changed by `update`.

use super::counts::Counts;
use std::sync::Arc;

/// A counts job sent to a worker (latest wins, like filters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountJob {
    pub job: u64,
    pub field: String,
    /// For Tab completion (every event) rather than the counts panel (the view).
    pub for_completion: bool,
}

/// Value counts of a field over the rows shown.
#[derive(Clone, Debug, Default)]
pub struct CountsState {
    pub pending: Option<CountJob>,
    /// Events counted by the running job.
    pub progress: usize,
    /// Rows the running job counts over.
    pub total: usize,
    pub result: Option<Arc<Counts>>,
    /// The filter the result was counted under (empty: every event).
    pub filter: String,
    pub sel: usize,
}

/// The sources panel: its selected row (loaded sources first, then paths passed over).
#[derive(Clone, Copy, Debug, Default)]
pub struct SourcesState {
    pub sel: usize,
}

/// The column chooser: its selected row.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChooserState {
    pub sel: usize,
}

/// Tab pressed again with several candidates and nothing more in common: each Tab puts
/// the next one in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle {
    /// Char index where the completed word starts.
    pub start: usize,
    pub candidates: Vec<String>,
    /// The candidate the next Tab puts in place.
    pub next: usize,
}

/// Browsing a prompt's history with ↑/↓.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recall {
    /// The entry shown (an index into the prompt's history), `None`: the line being typed.
    pub at: Option<usize>,
    /// What was typed before ↑ was first pressed, given back past the newest entry.
    pub draft: String,
}
