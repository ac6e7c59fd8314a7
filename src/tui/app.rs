//! UI state and `update(&mut State, Action) -> Vec<Effect>`: keys resolve to commands,
//! commands change state, and anything slow (filter, search) comes back as an effect for
//! the executor in `worker.rs`. No I/O here, so key sequences can be tested to the end.

use super::annotate::{AnnForm, Then};
use super::annotations::AnnIndex;
use super::casefx::ExportAnns;
use super::jobs;
pub use super::jobs::{apply_filter, start_search};
use super::keymap::{Cmd, Keymap};
pub use super::picker::pivot_term;
use super::theme::Theme;
use crate::case::{Annotation, Case};
use crate::ingest::Loaded;
use crate::model::TzSpec;
use crate::timeline::Timeline;
use crate::timeline::filter::{Filter, FilterError};
use crate::timeline::search::{Dir, Hit};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent};
use ratatui_textarea::TextArea;
use regex::Regex;
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
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Prompt(PromptKind),
    Picker,
    Help,
    ConfirmQuit,
    /// `m`: one key picks the severity.
    Severity,
    /// `a`: the kind picker, then the tags/note editor.
    AnnKind,
    AnnEdit,
    AnnList,
    ConfirmDelete,
    ExportFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExportFormat {
    #[default]
    Jsonl,
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Table,
    Detail,
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
}

/// The pivot picker: fields of the selected event.
#[derive(Clone, Debug, Default)]
pub struct Picker {
    pub items: Vec<(String, String)>,
    pub sel: usize,
}

/// A filter or search sent to a worker, identified by `job` so that late results of an
/// older request are dropped ("latest wins").
#[derive(Clone, Debug)]
pub struct Pending {
    pub job: u64,
    pub text: String,
}

/// Lines of the detail pane for one event, cached until the cursor or zone changes.
#[derive(Clone, Debug, Default)]
pub struct Detail {
    pub event: usize,
    pub zone: usize,
    pub lines: Vec<DetailLine>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DetailLine {
    Heading(String),
    Field(String, String),
    Raw(String),
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
        }
    }
}

pub struct State {
    pub timeline: Arc<Timeline>,
    /// Filtered rows (positions into the timeline); `None` shows every event.
    pub view: Option<Arc<Vec<u32>>>,
    pub cursor: usize,
    pub top: usize,
    pub size: (u16, u16),
    pub mode: Mode,
    pub focus: Focus,
    pub detail_open: bool,
    pub detail_scroll: usize,
    pub detail: Option<Detail>,
    pub filter: String,
    pub filter_pending: Option<Pending>,
    pub filter_progress: usize,
    /// Events the free-text index build has done.
    pub index_progress: usize,
    pub search: Option<Regex>,
    pub search_text: String,
    pub search_pending: Option<Pending>,
    /// Every hit of the last search in the view it ran on (from the free-text index):
    /// `n`/`N` step through it at once.
    pub search_hits: Option<SearchHits>,
    pub prompt: TextArea<'static>,
    pub prompt_error: Option<FilterError>,
    pub picker: Picker,
    pub help_scroll: usize,
    pub hist: Hist,
    pub zone: usize,
    pub msg: Option<Msg>,
    pub ingest: IngestStatus,
    pub ingest_errors: Vec<String>,
    pub pending_sources: Vec<Loaded>,
    /// Ingest time of the last merge (merges of big timelines are spaced out).
    pub last_merge: Duration,
    /// The free-text index: asked for once everything is loaded and merged.
    pub index: IndexStatus,
    /// Where a reopened case was left: the cursor goes there once everything is loaded
    /// (unless a key was pressed before).
    pub resume_at: Option<i64>,
    /// The case has changes not yet saved to its file (`q` asks when true).
    pub unsaved: bool,
    /// The user has pressed a key: from then on merges keep the cursor on its event
    /// (before that, the view stays at the start of the timeline as it fills).
    pub touched: bool,
    pub quit: bool,
    pub job: u64,
    pub keymap: Keymap,
    pub config: Config,
    /// The open case file, if any (annotations live there, journalled).
    pub case: Option<Case>,
    /// Annotated events of the current timeline (rebuilt on change and merge).
    pub marks: Arc<AnnIndex>,
    /// The annotation being made or edited.
    pub form: Option<AnnForm>,
    /// What to do once the case path prompt is answered.
    pub case_then: Option<Then>,
    /// Selected row of the annotation list.
    pub list_sel: usize,
    pub export_format: ExportFormat,
    /// Evidence recorded in the case that is missing or changed.
    pub evidence_problems: Vec<String>,
    /// The case's recorded sources, checked against what ingest loaded.
    pub case_sources: Vec<CaseSource>,
}

/// A source recorded in the case file, as found on disk at start.
#[derive(Clone, Debug)]
pub struct CaseSource {
    /// As recorded in the case file.
    pub recorded: String,
    /// The label ingest gives it (the resolved path).
    pub label: String,
    pub sha256: String,
    /// It was given to ingest (reopening `CASE.vigil.json`), so not loading it is news.
    pub expect_loaded: bool,
}

/// Every hit of a search pattern in one view of one timeline.
/// Cleared whenever the timeline changes (a merge).
pub struct SearchHits {
    pub pattern: String,
    pub view: Option<Arc<Vec<u32>>>,
    pub rows: Vec<u32>,
}

/// Where the free-text index of the timeline stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexStatus {
    NotYet,
    Building,
    Ready,
}

/// What happened: input, a worker's result, ingest news or a clock tick.
pub enum Action {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Tick {
        ingest: IngestStatus,
        filter_done: usize,
        index_done: usize,
    },
    Loaded(Box<Loaded>),
    IngestDone(Vec<String>),
    FilterDone {
        job: u64,
        rows: Option<Vec<u32>>,
    },
    SearchDone {
        job: u64,
        hit: Option<Option<Hit>>,
        /// Every hit, when the index could list them, and the view searched.
        hits: Option<Vec<u32>>,
        view: Option<Arc<Vec<u32>>>,
    },
    /// An export finished: a summary, or why it failed.
    ExportDone(Result<String, String>),
    /// The free-text index of the timeline is built.
    IndexDone,
}

/// Work for the executor.
pub enum Effect {
    Filter {
        job: u64,
        timeline: Arc<Timeline>,
        filter: Arc<Filter>,
        marks: Arc<AnnIndex>,
    },
    Search {
        job: u64,
        timeline: Arc<Timeline>,
        view: Option<Arc<Vec<u32>>>,
        from: usize,
        dir: Dir,
        re: Regex,
    },
    /// Stop running filters and searches (their results will be stale).
    CancelJobs,
    /// Case effects (journal and file I/O), run on the UI thread by `casefx::perform`.
    OpenCase {
        path: PathBuf,
        then: Then,
    },
    Upsert(Box<Annotation>),
    Delete(String),
    SaveCase,
    /// `:wq`: quit if the save just before succeeded.
    QuitIfSaved,
    /// Build the timeline's free-text index on a worker thread.
    BuildIndex(Arc<Timeline>),
    /// Write the view (all rows when `view` is `None`) on a worker thread.
    Export {
        timeline: Arc<Timeline>,
        view: Option<Arc<Vec<u32>>>,
        anns: ExportAnns,
        format: ExportFormat,
        path: PathBuf,
    },
}

impl State {
    pub fn new(timeline: Arc<Timeline>, config: Config) -> State {
        let mut prompt = TextArea::default();
        prompt.set_cursor_line_style(ratatui::style::Style::default());
        let mut st = State {
            timeline,
            view: None,
            cursor: 0,
            top: 0,
            size: (80, 24),
            mode: Mode::Normal,
            focus: Focus::Table,
            detail_open: false,
            detail_scroll: 0,
            detail: None,
            filter: String::new(),
            filter_pending: None,
            filter_progress: 0,
            index_progress: 0,
            search: None,
            search_text: String::new(),
            search_pending: None,
            search_hits: None,
            prompt,
            prompt_error: None,
            picker: Picker::default(),
            help_scroll: 0,
            hist: Hist {
                on: true,
                ..Default::default()
            },
            zone: config.start_zone.min(config.zones.len().saturating_sub(1)),
            msg: None,
            ingest: IngestStatus::default(),
            ingest_errors: Vec::new(),
            pending_sources: Vec::new(),
            last_merge: Duration::ZERO,
            index: IndexStatus::NotYet,
            resume_at: None,
            unsaved: false,
            touched: false,
            quit: false,
            job: 0,
            keymap: Keymap::default_map(),
            config,
            case: None,
            marks: Arc::new(AnnIndex::default()),
            form: None,
            case_then: None,
            list_sel: 0,
            export_format: ExportFormat::Jsonl,
            evidence_problems: Vec::new(),
            case_sources: Vec::new(),
        };
        st.refresh();
        st
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
    }
    pub fn error(&mut self, s: impl Into<String>) {
        self.msg = Some(Msg::Error(s.into()));
    }

    /// Recomputes what depends on the cursor and view: scroll position, histogram, detail.
    pub fn refresh(&mut self) {
        self.clamp_cursor();
        self.ensure_visible();
        super::refresh::histogram(self);
        super::refresh::detail(self);
    }
}

/// Applies one action.
pub fn update(st: &mut State, action: Action) -> Vec<Effect> {
    let fx = match action {
        Action::Key(k) => {
            st.touched = true;
            key(st, k)
        }
        Action::Paste(text) => {
            st.touched = true;
            super::input::paste(st, &text)
        }
        Action::Mouse(m) => {
            st.touched = true;
            super::input::mouse(st, m)
        }
        Action::Resize(w, h) => {
            st.size = (w, h);
            Vec::new()
        }
        Action::Tick {
            ingest,
            filter_done,
            index_done,
        } => {
            st.ingest = ingest;
            st.filter_progress = filter_done;
            st.index_progress = index_done;
            let mut fx = super::merge::try_merge(st);
            fx.extend(super::merge::on_loaded(st));
            fx
        }
        Action::Loaded(l) => {
            st.pending_sources.push(*l);
            // Jobs hold the timeline; stop them so that it can be extended.
            let mut fx = vec![Effect::CancelJobs];
            fx.extend(super::merge::try_merge(st));
            fx
        }
        Action::IngestDone(errors) => {
            st.ingest.done = true;
            if let Some(e) = errors.first() {
                st.error(format!("{} path(s) unreadable: {e}", errors.len()));
            }
            st.ingest_errors = errors;
            super::casefx::check_sources(st);
            let mut fx = super::merge::try_merge(st);
            fx.extend(super::merge::on_loaded(st));
            fx
        }
        Action::IndexDone => {
            st.index = IndexStatus::Ready;
            // A filter still scanning the slow way finishes sooner started again.
            match st.filter_pending.take() {
                Some(p) => jobs::apply_filter(st, p.text),
                None => Vec::new(),
            }
        }
        Action::FilterDone { job, rows } => {
            jobs::filter_done(st, job, rows);
            Vec::new()
        }
        Action::SearchDone {
            job,
            hit,
            hits,
            view,
        } => {
            jobs::search_done(st, job, hit, hits.map(|h| (h, view)));
            Vec::new()
        }
        Action::ExportDone(r) => {
            match r {
                Ok(m) => st.info(m),
                Err(e) => st.error(e),
            }
            Vec::new()
        }
    };
    st.refresh();
    fx
}

fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
        st.quit = true;
        return vec![Effect::CancelJobs];
    }
    match st.mode {
        Mode::Normal => match st.keymap.resolve(&k) {
            Some(cmd) => command(st, cmd),
            None => Vec::new(),
        },
        Mode::Prompt(kind) => super::prompt::key(st, kind, k),
        Mode::Picker => super::picker::picker_key(st, k),
        Mode::Help => {
            match k.code {
                KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') => st.mode = Mode::Normal,
                KeyCode::Char('j') | KeyCode::Down => st.help_scroll += 1,
                KeyCode::Char('k') | KeyCode::Up => {
                    st.help_scroll = st.help_scroll.saturating_sub(1)
                }
                KeyCode::Char(' ') | KeyCode::PageDown => st.help_scroll += 10,
                KeyCode::Char('b') | KeyCode::PageUp => {
                    st.help_scroll = st.help_scroll.saturating_sub(10)
                }
                KeyCode::Char('g') | KeyCode::Home => st.help_scroll = 0,
                _ => {}
            }
            Vec::new()
        }
        Mode::Severity => super::annotate::severity_key(st, k),
        Mode::AnnKind => super::annotate::kind_key(st, k),
        Mode::AnnEdit => super::annotate::edit_key(st, k),
        Mode::AnnList => super::annlist::list_key(st, k),
        Mode::ConfirmDelete => super::annlist::confirm_delete_key(st, k),
        Mode::ExportFormat => super::annlist::export_format_key(st, k),
        Mode::ConfirmQuit => {
            if matches!(k.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                st.quit = true;
            } else {
                st.mode = Mode::Normal;
                st.info("quit cancelled");
            }
            Vec::new()
        }
    }
}

/// A timeline command from the keymap.
pub fn command(st: &mut State, cmd: Cmd) -> Vec<Effect> {
    let page = st.page_rows().max(1) as isize;
    let in_detail = st.detail_open && st.focus == Focus::Detail;
    match cmd {
        Cmd::Down | Cmd::Up | Cmd::PageDown | Cmd::PageUp | Cmd::HalfDown | Cmd::HalfUp => {
            let d = match cmd {
                Cmd::Down => 1,
                Cmd::Up => -1,
                Cmd::PageDown => page,
                Cmd::PageUp => -page,
                Cmd::HalfDown => (page / 2).max(1),
                _ => -(page / 2).max(1),
            };
            if in_detail {
                st.detail_scroll = st.detail_scroll.saturating_add_signed(d);
            } else {
                st.move_by(d);
            }
        }
        Cmd::First if in_detail => st.detail_scroll = 0,
        Cmd::Last if in_detail => st.detail_scroll = usize::MAX / 2,
        Cmd::First => st.cursor = 0,
        Cmd::Last => st.cursor = st.rows().saturating_sub(1),
        Cmd::Search => open_prompt(st, PromptKind::Search, ""),
        Cmd::NextMatch => return jobs::search_again(st, Dir::Forward),
        Cmd::PrevMatch => return jobs::search_again(st, Dir::Backward),
        Cmd::Filter => {
            let cur = st
                .filter_pending
                .as_ref()
                .map_or(st.filter.clone(), |p| p.text.clone());
            open_prompt(st, PromptKind::Filter, &cur);
        }
        Cmd::ClearFilter => return jobs::apply_filter(st, String::new()),
        Cmd::Pivot => super::picker::open_picker(st),
        Cmd::GotoTime => open_prompt(st, PromptKind::Time, ""),
        Cmd::DayForward | Cmd::DayBack => {
            const DAY: i64 = 86_400_000_000_000;
            match st.cursor_ts() {
                Some(ts) => {
                    let d = if cmd == Cmd::DayForward { DAY } else { -DAY };
                    st.goto_ts(ts.saturating_add(d));
                }
                None => st.error("no event"),
            }
        }
        Cmd::CycleZone => {
            st.zone = (st.zone + 1) % st.config.zones.len().max(1);
            let (label, z) = st.zone();
            let msg = format!("display zone: {label} ({z})");
            st.info(msg);
        }
        Cmd::Detail => {
            st.detail_open = !st.detail_open;
            st.detail_scroll = 0;
            if !st.detail_open {
                st.focus = Focus::Table;
            }
        }
        Cmd::Focus => {
            if st.detail_open && st.focus == Focus::Detail {
                st.focus = Focus::Table;
            } else {
                st.detail_open = true;
                st.focus = Focus::Detail;
            }
        }
        Cmd::Histogram => st.hist.on = !st.hist.on,
        Cmd::ZoomIn => st.hist.zoom = (st.hist.zoom + 1).min(40),
        Cmd::ZoomOut => st.hist.zoom = st.hist.zoom.saturating_sub(1),
        Cmd::Command => open_prompt(st, PromptKind::Command, ""),
        Cmd::Help => {
            st.mode = Mode::Help;
            st.help_scroll = 0;
        }
        Cmd::Cancel => return cancel(st),
        Cmd::Mark => super::annotate::begin_mark(st),
        Cmd::Annotate => super::annotate::begin_annotate(st),
        Cmd::NextAnnotation => super::annlist::jump(st, true),
        Cmd::PrevAnnotation => super::annlist::jump(st, false),
        Cmd::AnnotationList => super::annlist::open_list(st),
        Cmd::Save => return super::annlist::save(st),
        Cmd::Export => super::annlist::begin_export(st),
        Cmd::Quit => {
            if st.unsaved {
                st.mode = Mode::ConfirmQuit;
            } else {
                st.quit = true;
            }
        }
        Cmd::ForceQuit => st.quit = true,
    }
    Vec::new()
}

/// `Esc`: stops what runs, closes what is open; never changes data or view.
fn cancel(st: &mut State) -> Vec<Effect> {
    if st.search_pending.take().is_some() || st.filter_pending.take().is_some() {
        st.info("cancelled");
        return vec![Effect::CancelJobs];
    }
    if st.detail_open {
        st.detail_open = false;
        st.focus = Focus::Table;
    } else {
        st.msg = None;
    }
    Vec::new()
}

pub fn open_prompt(st: &mut State, kind: PromptKind, text: &str) {
    let mut ta = TextArea::new(vec![text.to_string()]);
    ta.set_cursor_line_style(ratatui::style::Style::default());
    ta.move_cursor(ratatui_textarea::CursorMove::End);
    st.prompt = ta;
    st.prompt_error = None;
    st.mode = Mode::Prompt(kind);
}
