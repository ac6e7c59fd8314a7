//! Everything the TUI shows, one sub-state per layer: the table, its filter and search,
//! the detail pane, the histogram, the input line, the pivot picker, the annotation list,
//! help, the annotation form, the case and the ingest status. `update` changes it, views
//! borrow it. The case is a read-only copy: the open case file (and its journal) belongs
//! to the effect runner, so nothing here can write to disk.

pub use super::case_state::{AnnForm, CaseInfo, CaseSource, CaseState, FormField, Then};
use super::columns::{ColumnSet, RelFrom};
use super::counts::Counts;
use super::history::History;
use super::keymap::{Keymap, Layer};
use super::layout::{self, Areas, Shape};
use super::panels::{ChooserState, CountsState, Cycle, Recall, SourcesState};
use super::sanitize;
use super::theme::Theme;
use crate::ingest::Loaded;
use crate::model::TzSpec;
use crate::query::QueryError;
use crate::timeline::Timeline;
use crate::timeline::filter::Filter;
use ratatui_textarea::TextArea;
use regex::Regex;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKind {
    Search,
    Filter,
    Time,
    Command,
    /// Where the case file lives (asked at the first annotation or save).
    CasePath,
    ExportPath,
    /// The field whose values `c` counts.
    Count,
}

impl PromptKind {
    pub fn prefix(self) -> &'static str {
        match self {
            PromptKind::Search => "/",
            PromptKind::Filter => "filter: ",
            PromptKind::Time => "go to time: ",
            PromptKind::Command => ":",
            PromptKind::CasePath => "case file: ",
            PromptKind::ExportPath => "export to: ",
            PromptKind::Count => "count values of: ",
        }
    }

    /// The name of this prompt's history (its file under the state folder).
    pub fn history_name(self) -> &'static str {
        match self {
            PromptKind::Search => "search",
            PromptKind::Filter => "filter",
            PromptKind::Time => "time",
            PromptKind::Command => "command",
            PromptKind::CasePath => "case",
            PromptKind::ExportPath => "export",
            PromptKind::Count => "count",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Prompt(PromptKind),
    Picker,
    Help,
    /// A y/n question (`State::confirm` says which).
    Confirm,
    /// `m`: one key picks the severity.
    Severity,
    /// `a`: the kind picker, then the tags/note editor.
    AnnKind,
    AnnEdit,
    AnnList,
    ExportFormat,
    /// The histogram has the focus: keys walk its buckets.
    Hist,
    /// Value counts of a field (`c`, `:top`).
    Counts,
    /// The sources panel (`S`).
    Sources,
    /// The column chooser (`C`, `:cols`).
    Columns,
    /// `q` with unsaved changes: quit, save and quit, or stay.
    Quit,
    /// The Detections view: rules by level with hit counts.
    Detections,
    /// The early-detection candidates, ranked (`E`).
    Candidates,
}

impl Mode {
    /// The keymap layer that reads keys in this mode.
    pub fn layer(self) -> Layer {
        match self {
            Mode::Normal => Layer::Table,
            Mode::Prompt(_) => Layer::Prompt,
            Mode::Picker => Layer::Picker,
            Mode::Help => Layer::Help,
            Mode::Confirm => Layer::Confirm,
            Mode::Severity => Layer::Severity,
            Mode::AnnKind => Layer::Kind,
            Mode::AnnEdit => Layer::Editor,
            Mode::AnnList => Layer::List,
            Mode::ExportFormat => Layer::Export,
            Mode::Hist => Layer::Hist,
            Mode::Counts => Layer::Counts,
            Mode::Sources => Layer::Sources,
            Mode::Columns => Layer::Columns,
            Mode::Quit => Layer::Quit,
            Mode::Detections => Layer::Detections,
            Mode::Candidates => Layer::Candidates,
        }
    }
}

/// Why a path was passed over: the reject of an unreadable one, the note of a skipped one.
pub fn passed_over_why(r: &crate::ingest::SourceReport) -> String {
    r.reasons
        .first()
        .map(|x| x.reason.clone())
        .or_else(|| {
            r.notes
                .first()
                .map(|n| n.strip_prefix("skipped: ").unwrap_or(n).to_owned())
        })
        .unwrap_or_else(|| r.format.clone())
}

/// What the input line (the bottom line) shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputLine {
    /// The input line being edited.
    Prompt,
    Error(String),
    Info(String),
    /// A dialog's keys.
    Keys(String),
    /// A y/n question and its keys.
    Question(String),
    /// Nothing to say: the key hints, or the progress bar while loading.
    Idle,
}

/// Why the session ended before the user quit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// SIGHUP (SSH dropped), SIGTERM or SIGINT.
    Signal(i32),
    /// The terminal hung up or could not be read or written.
    TerminalLost,
}

/// What a y/n question is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirm {
    /// `d` in the annotation list (the annotation's id).
    Delete(String),
    /// An export onto a file that exists (the path as typed): replace it?
    Overwrite(PathBuf),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    Info(String),
    Error(String),
}

/// Ingest progress as last read from the loader's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IngestStatus {
    pub files_done: u64,
    pub files_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub events: u64,
    pub rejected: u64,
    pub elapsed: Duration,
    pub done: bool,
}

/// Where the free-text index of the timeline stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexStatus {
    NotYet,
    Building,
    Ready,
}

/// Loading: progress, sources waiting to be merged, the index built afterwards.
pub struct IngestState {
    pub status: IngestStatus,
    /// Paths passed over: skipped (FIFO, device, link loop…) or unreadable, as reports.
    pub skipped: Vec<crate::ingest::SourceReport>,
    /// Parsed sources not merged into the timeline yet.
    pub pending: Vec<Loaded>,
    /// Ingest time of the last merge (merges of big timelines are spaced out).
    pub last_merge: Duration,
    /// The free-text index: asked for once everything is loaded and merged.
    pub index: IndexStatus,
    /// Events the free-text index build has done.
    pub index_progress: usize,
    /// Loading ended with no event, and the user was told why.
    pub told_empty: bool,
}

/// The table: the view (every event, or the filtered rows) and the cursor in it.
#[derive(Default)]
pub struct TableState {
    /// Filtered rows (positions into the timeline); `None` shows every event.
    pub view: Option<Arc<Vec<u32>>>,
    pub cursor: usize,
    pub top: usize,
    /// The user has pressed a key: from then on merges keep the cursor on its event
    /// (before that, the view stays at the start of the timeline as it fills).
    pub touched: bool,
    /// Where a reopened case was left: the cursor goes there once everything is loaded
    /// (unless a key was pressed before).
    pub resume_at: Option<i64>,
    /// Characters of the message column scrolled off to the left (`←`/`→`).
    pub hscroll: usize,
    /// The selected row shows its whole message, wrapped (`w`).
    pub wrap: bool,
    /// The optional columns shown (`C`, `:cols`; saved in the case view).
    pub cols: ColumnSet,
    /// What the relative-time column measures from.
    pub rel_from: RelFrom,
    /// The annotation `u`/`U` or the list last went to (the relative column's origin).
    pub anchor: Option<String>,
}

/// A filter or search sent to a worker, identified by `job` so that late results of an
/// older request are dropped ("latest wins").
#[derive(Clone, Debug)]
pub struct Pending {
    pub job: u64,
    pub text: String,
    /// A filter's compiled form (run again as it is, never parsed again).
    pub filter: Option<Arc<Filter>>,
    /// Not started: waiting for the free-text index (`State::filter_waits_for_index`).
    pub for_index: bool,
}

/// Every hit of a search pattern in one view of one timeline.
/// Cleared whenever the timeline changes (a merge).
pub struct SearchHits {
    pub pattern: String,
    pub view: Option<Arc<Vec<u32>>>,
    pub rows: Vec<u32>,
}

/// The filter and the search, and the jobs computing them.
#[derive(Default)]
pub struct QueryState {
    pub filter: String,
    /// `filter` compiled, as it was applied (its zone included).
    pub active: Option<Arc<Filter>>,
    pub filter_pending: Option<Pending>,
    pub filter_progress: usize,
    pub search: Option<Regex>,
    pub search_text: String,
    pub search_pending: Option<Pending>,
    /// Every hit of the last search in the view it ran on (from the free-text index):
    /// `n`/`N` step through it at once.
    pub search_hits: Option<SearchHits>,
    /// Number of the latest filter or search request.
    pub job: u64,
    /// The field names the loaded events have (known once loading is over): a filter
    /// naming a field none has gets a warning.
    pub fields: Option<Arc<crate::query::FieldNames>>,
    /// The warning about the filter being computed, said with its result.
    pub filter_warning: Option<String>,
    /// Values of fields over every event, for Tab completion (by lowercase field name).
    pub values: HashMap<String, Arc<Counts>>,
}

/// Lines of the detail pane for one event, cached until the cursor or zone changes.
#[derive(Clone, Debug, Default)]
pub struct Detail {
    pub event: usize,
    pub zone: usize,
    pub lines: Vec<DetailLine>,
    /// What `y` copies on each line: the value as the evidence has it (not the
    /// sanitised text shown); `None` on headings.
    pub copy: Vec<Option<String>>,
    /// The kind of event (source format and id): the scroll position is kept while
    /// moving between events of the same kind.
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DetailLine {
    Heading(String),
    Field(String, String),
    Raw(String),
}

#[derive(Default)]
pub struct DetailState {
    pub open: bool,
    /// Keys move the selected line of the pane rather than the table's cursor.
    pub focused: bool,
    pub scroll: usize,
    /// The selected line (what `y` copies when the pane has the focus).
    pub sel: usize,
    pub lines: Option<Detail>,
}

/// Density strip state; counts are recomputed after every action (cheap: buckets come
/// from binary searches over the sorted index).
#[derive(Clone, Debug, Default)]
pub struct Hist {
    pub on: bool,
    pub zoom: u32,
    pub range: Option<(i64, i64)>,
    pub all: Vec<u64>,
    pub shown: Vec<u64>,
    /// Bucket of the cursor's event.
    pub cursor: Option<usize>,
    /// Buckets holding annotated events (and whether one is an early-detection point).
    pub marks: Vec<(usize, bool)>,
    /// The bucket selected while the histogram has the focus.
    pub sel: usize,
}

/// The input line: search, filter, time, `:` commands, paths.
pub struct PromptState {
    pub text: TextArea<'static>,
    /// A mistake in what was entered (the line stays open).
    pub error: Option<QueryError>,
    /// ↑/↓ through the prompt's history.
    pub recall: Recall,
    /// Tab cycling through candidates.
    pub cycle: Option<Cycle>,
}

/// The pivot picker: fields of the selected event.
#[derive(Clone, Debug, Default)]
pub struct Picker {
    pub items: Vec<(String, String)>,
    pub sel: usize,
}

/// The annotation list: its selected row.
#[derive(Clone, Copy, Debug, Default)]
pub struct ListState {
    pub sel: usize,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct HelpState {
    pub scroll: usize,
}

/// Settings from the command line.
#[derive(Clone, Debug)]
pub struct Config {
    /// Display zones `T` cycles through, with labels; the first is the start zone.
    pub zones: Vec<(String, TzSpec)>,
    /// Index of the zone shown first.
    pub start_zone: usize,
    pub theme: Theme,
    pub mouse: bool,
    pub author: Option<String>,
    /// Ingest options (zone and skew rules recorded per source on save).
    pub ingest: crate::ingest::Options,
    /// Sigma rules to load and run once everything is loaded (`None`: `--no-rules`).
    pub rules: Option<crate::detect::RuleOptions>,
    /// Run the analyzers (early-detection candidates) once everything is loaded.
    pub analyze: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            zones: vec![("UTC".into(), TzSpec::Utc)],
            start_zone: 0,
            theme: Theme::new(true, false),
            mouse: false,
            author: None,
            ingest: crate::ingest::Options::default(),
            rules: None,
            analyze: false,
        }
    }
}

pub struct State {
    pub timeline: Arc<Timeline>,
    pub size: (u16, u16),
    pub mode: Mode,
    pub msg: Option<Msg>,
    pub quit: bool,
    /// Set with `quit` when a signal or a lost terminal ends the session.
    pub stopped: Option<Stop>,
    /// Index into `config.zones` of the display zone.
    pub zone: usize,
    pub keymap: Keymap,
    pub config: Config,
    pub table: TableState,
    pub query: QueryState,
    pub detail: DetailState,
    pub hist: Hist,
    pub prompt: PromptState,
    pub picker: Picker,
    pub list: ListState,
    pub help: HelpState,
    pub form: Option<AnnForm>,
    pub confirm: Option<Confirm>,
    pub export_format: crate::export::Format,
    pub case: CaseState,
    pub ingest: IngestState,
    pub counts: CountsState,
    pub sources: SourcesState,
    pub chooser: ChooserState,
    /// What was typed at each prompt, this run and earlier ones.
    pub history: History,
    /// Counts messages: a message expires unless another has replaced it meanwhile.
    pub msg_seq: u64,
    /// `Ctrl-Z`: the event loop gives the terminal back and stops the process.
    pub suspend: bool,
    pub detect: super::detect::DetectState,
    pub cands: super::cands::CandState,
}

fn one_line(text: &str) -> TextArea<'static> {
    let mut ta = TextArea::new(vec![text.to_string()]);
    ta.set_cursor_line_style(ratatui::style::Style::default());
    ta.move_cursor(ratatui_textarea::CursorMove::End);
    ta
}

impl State {
    /// Whether filter `f` is better answered by the free-text index under construction
    /// than by reading the events: the index reads every event once (rendering its
    /// message), as the scan would; when the scan has at least as many events to read as
    /// the index has left, waiting is never slower, and the two do not share the cores.
    pub fn filter_waits_for_index(&self, f: &crate::timeline::filter::Filter) -> bool {
        let scan = f.text_scan_len(&self.timeline);
        self.ingest.index == IndexStatus::Building
            && scan > 0
            && scan
                >= self
                    .timeline
                    .len()
                    .saturating_sub(self.ingest.index_progress)
    }

    pub fn new(timeline: Arc<Timeline>, config: Config) -> State {
        State {
            timeline,
            size: (80, 24),
            mode: Mode::Normal,
            msg: None,
            quit: false,
            stopped: None,
            zone: config.start_zone.min(config.zones.len().saturating_sub(1)),
            keymap: Keymap::default_map(),
            config,
            table: TableState::default(),
            query: QueryState::default(),
            detail: DetailState::default(),
            hist: Hist {
                on: true,
                ..Default::default()
            },
            prompt: PromptState {
                text: one_line(""),
                error: None,
                recall: Recall::default(),
                cycle: None,
            },
            picker: Picker::default(),
            list: ListState::default(),
            help: HelpState::default(),
            form: None,
            confirm: None,
            export_format: crate::export::Format::Jsonl,
            case: CaseState::default(),
            ingest: IngestState {
                status: IngestStatus::default(),
                skipped: Vec::new(),
                pending: Vec::new(),
                last_merge: Duration::ZERO,
                index: IndexStatus::NotYet,
                index_progress: 0,
                told_empty: false,
            },
            counts: CountsState::default(),
            sources: SourcesState::default(),
            chooser: ChooserState::default(),
            history: History::default(),
            msg_seq: 0,
            suspend: false,
            detect: Default::default(),
            cands: Default::default(),
        }
    }

    pub fn theme(&self) -> Theme {
        self.config.theme
    }

    pub fn zone(&self) -> (&str, TzSpec) {
        self.config
            .zones
            .get(self.zone)
            .map(|(l, z)| (l.as_str(), *z))
            .unwrap_or(("UTC", TzSpec::Utc))
    }

    pub fn info(&mut self, s: impl Into<String>) {
        self.msg = Some(Msg::Info(s.into()));
        self.msg_seq += 1;
    }

    pub fn error(&mut self, s: impl Into<String>) {
        self.msg = Some(Msg::Error(s.into()));
        self.msg_seq += 1;
    }

    /// Opens the input line on `text`, the cursor at its end.
    pub fn open_prompt(&mut self, kind: PromptKind, text: &str) {
        self.prompt.text = one_line(text);
        self.prompt.error = None;
        self.prompt.recall = Recall::default();
        self.prompt.cycle = None;
        self.mode = Mode::Prompt(kind);
    }

    /// Puts `text` in the input line with the cursor at char `col`.
    pub fn set_prompt(&mut self, text: &str, col: usize) {
        self.prompt.text = one_line(text);
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        self.prompt
            .text
            .move_cursor(ratatui_textarea::CursorMove::Jump(0, col));
        self.prompt.error = None;
    }

    /// The cursor's column (in chars) in the input line.
    pub fn prompt_cursor(&self) -> usize {
        self.prompt.text.cursor().1
    }

    /// What the input line holds.
    pub fn prompt_text(&self) -> String {
        self.prompt
            .text
            .lines()
            .first()
            .cloned()
            .unwrap_or_default()
    }

    pub fn author(&self) -> String {
        self.config
            .author
            .clone()
            .unwrap_or_else(crate::case::default_author)
    }

    /// The active filter text: the one being computed, else the one shown.
    pub fn filter_text(&self) -> String {
        self.query
            .filter_pending
            .as_ref()
            .map_or(self.query.filter.clone(), |p| p.text.clone())
    }

    /// What the input line shows now.
    pub fn input_line(&self) -> InputLine {
        let ascii = self.theme().ascii;
        match self.mode {
            Mode::Prompt(_) => InputLine::Prompt,
            // A dialog's keys, unless the list has news to show.
            Mode::AnnList if self.msg.is_some() => self.msg_line(),
            Mode::Normal => self.msg_line(),
            Mode::Confirm => {
                let hint = self.keymap.hint(Layer::Confirm, ascii);
                InputLine::Question(format!("{} {hint}", self.question()))
            }
            Mode::Quit => {
                let hint = self.keymap.hint(Layer::Quit, ascii);
                InputLine::Question(format!("{} {hint}", self.quit_question()))
            }
            m => InputLine::Keys(self.keymap.hint(m.layer(), ascii)),
        }
    }

    fn msg_line(&self) -> InputLine {
        // Messages quote file names and log text: shown visibly, never interpreted.
        let clean = |m: &str| sanitize::line(m, 4096, self.theme().ascii).into_owned();
        match &self.msg {
            Some(Msg::Error(e)) => InputLine::Error(format!("! {}", clean(e))),
            Some(Msg::Info(m)) => InputLine::Info(clean(m)),
            None => InputLine::Idle,
        }
    }

    /// The question of the y/n dialog.
    pub fn question(&self) -> String {
        match &self.confirm {
            Some(Confirm::Delete(_)) => "delete this annotation?".into(),
            Some(Confirm::Overwrite(p)) => {
                // Typed or pasted: shown visibly, never interpreted.
                let p = p.display().to_string();
                let p = sanitize::line(&p, 4096, self.theme().ascii);
                format!("{p} exists: replace it?")
            }
            None => String::new(),
        }
    }

    /// `q` with unsaved changes.
    pub fn quit_question(&self) -> String {
        let journal = self.case.info.as_ref().is_some_and(|c| c.journal_written);
        if journal {
            "case not saved (the journal keeps annotations):".into()
        } else {
            "case not saved:".into()
        }
    }

    /// The status line's text when the input line holds a mistake: a caret over its
    /// column, and the error.
    pub fn prompt_error_line(&self) -> Option<String> {
        let (Mode::Prompt(kind), Some(e)) = (self.mode, &self.prompt.error) else {
            return None;
        };
        let indent = kind.prefix().chars().count() + e.col.saturating_sub(1);
        // A caret past the middle of the line would leave the message no room.
        let indent = indent.min(self.size.0 as usize / 2);
        let caret = if self.theme().ascii { "^" } else { "↓" };
        Some(format!("{}{caret} error: {}", " ".repeat(indent), e.msg))
    }

    pub fn shape(&self) -> Shape {
        let width = self.size.0 as usize;
        let rows =
            |text: &str, max: u16| layout::wrap(text, width, max as usize).len().max(1) as u16;
        let input = self.input_line();
        let input_rows = match &input {
            InputLine::Error(t)
            | InputLine::Info(t)
            | InputLine::Keys(t)
            | InputLine::Question(t) => rows(t, layout::MAX_MSG_ROWS),
            InputLine::Prompt | InputLine::Idle => 1,
        };
        Shape {
            width: self.size.0,
            height: self.size.1,
            hist: self.hist.on,
            lane: self.hist.on && !self.cands.silences.is_empty(),
            detail: self.detail.open,
            status_rows: self.prompt_error_line().map_or(1, |t| rows(&t, 2)),
            input_rows,
            input_idle: input == InputLine::Idle,
        }
    }

    pub fn areas(&self) -> Areas {
        layout::areas(self.shape())
    }

    pub fn too_small(&self) -> bool {
        layout::too_small(self.size.0, self.size.1)
    }

    /// Inputs that gave no event, each with why: sources from their reports (first
    /// reject, else a `skipped:` note), and paths that could not be read.
    pub fn unusable_inputs(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .timeline
            .sources
            .iter()
            .filter(|s| s.report.events == 0)
            .map(|s| {
                let r = &s.report;
                let why = r
                    .reasons
                    .first()
                    .map(|x| x.reason.clone())
                    .or_else(|| {
                        r.notes
                            .iter()
                            .find_map(|n| n.strip_prefix("skipped: ").map(str::to_owned))
                    })
                    .unwrap_or_else(|| format!("no events in it ({})", r.format));
                (s.label.clone(), why)
            })
            .collect();
        out.extend(
            self.ingest
                .skipped
                .iter()
                .map(|r| (r.path.clone(), passed_over_why(r))),
        );
        out
    }
}
