//! The timeline layer (Normal mode): its commands, from moving the cursor to opening
//! every other layer.

use super::detections::{self, HitCmd};
use super::nav::Nav;
use super::{annlist, annotate, case, confirm, export, help, jobs, picker};
use crate::timeline::search::Dir;
use crate::tui::action::Effect;
use crate::tui::keymap::{Command, Layer};
use crate::tui::state::{PromptKind, State};
use ratatui::crossterm::event::KeyEvent;

/// What a key in the timeline asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableCmd {
    Nav(Nav),
    Search,
    NextMatch,
    PrevMatch,
    Filter,
    ClearFilter,
    Pivot,
    GotoTime,
    DayForward,
    DayBack,
    CycleZone,
    Detail,
    Focus,
    Histogram,
    ZoomIn,
    ZoomOut,
    Command,
    Help,
    Cancel,
    Mark,
    Annotate,
    NextAnnotation,
    PrevAnnotation,
    AnnotationList,
    Save,
    Export,
    Quit,
    Hit(HitCmd),
}

impl Command for TableCmd {
    const LAYER: Layer = Layer::Table;
    const ALL: &'static [(Self, &'static str)] = &[
        (TableCmd::Nav(Nav::Down), "down"),
        (TableCmd::Nav(Nav::Up), "up"),
        (TableCmd::Nav(Nav::PageDown), "page_down"),
        (TableCmd::Nav(Nav::PageUp), "page_up"),
        (TableCmd::Nav(Nav::HalfDown), "half_down"),
        (TableCmd::Nav(Nav::HalfUp), "half_up"),
        (TableCmd::Nav(Nav::First), "first"),
        (TableCmd::Nav(Nav::Last), "last"),
        (TableCmd::Search, "search"),
        (TableCmd::NextMatch, "next_match"),
        (TableCmd::PrevMatch, "prev_match"),
        (TableCmd::Filter, "filter"),
        (TableCmd::ClearFilter, "clear_filter"),
        (TableCmd::Pivot, "pivot"),
        (TableCmd::GotoTime, "goto_time"),
        (TableCmd::DayForward, "day_forward"),
        (TableCmd::DayBack, "day_back"),
        (TableCmd::CycleZone, "cycle_zone"),
        (TableCmd::Detail, "detail"),
        (TableCmd::Focus, "focus"),
        (TableCmd::Histogram, "histogram"),
        (TableCmd::ZoomIn, "zoom_in"),
        (TableCmd::ZoomOut, "zoom_out"),
        (TableCmd::Command, "command"),
        (TableCmd::Help, "help"),
        (TableCmd::Cancel, "cancel"),
        (TableCmd::Mark, "mark"),
        (TableCmd::Annotate, "annotate"),
        (TableCmd::NextAnnotation, "next_annotation"),
        (TableCmd::PrevAnnotation, "prev_annotation"),
        (TableCmd::AnnotationList, "annotation_list"),
        (TableCmd::Save, "save"),
        (TableCmd::Export, "export"),
        (TableCmd::Quit, "quit"),
        (TableCmd::Hit(HitCmd::Next), "next_hit"),
        (TableCmd::Hit(HitCmd::Prev), "prev_hit"),
        (TableCmd::Hit(HitCmd::CycleLevel), "cycle_level"),
        (TableCmd::Hit(HitCmd::Open), "detections"),
    ];
}

pub fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    match st.keymap.command::<TableCmd>(&k) {
        Some(cmd) => command(st, cmd),
        None => Vec::new(),
    }
}

/// Moves the cursor, or scrolls the detail pane when it has the focus.
fn nav(st: &mut State, nav: Nav) {
    if st.detail.open && st.detail.focused {
        let h = st.detail_rows();
        let lines = st.detail.lines.as_ref().map_or(0, |d| d.lines.len());
        // The scroll position is the first line shown: at most one page from the end.
        st.detail.scroll = nav.apply(st.detail.scroll, lines.saturating_sub(h) + 1, h);
    } else {
        st.table.cursor = nav.apply(st.table.cursor, st.rows(), st.page_rows());
    }
}

pub fn command(st: &mut State, cmd: TableCmd) -> Vec<Effect> {
    match cmd {
        TableCmd::Nav(n) => nav(st, n),
        TableCmd::Search => st.open_prompt(PromptKind::Search, ""),
        TableCmd::NextMatch => return jobs::start_search(st, Dir::Forward),
        TableCmd::PrevMatch => return jobs::start_search(st, Dir::Backward),
        TableCmd::Filter => {
            let cur = st.filter_text();
            st.open_prompt(PromptKind::Filter, &cur);
        }
        TableCmd::ClearFilter => return jobs::apply_filter(st, String::new()),
        TableCmd::Pivot => picker::open_picker(st),
        TableCmd::GotoTime => st.open_prompt(PromptKind::Time, ""),
        TableCmd::DayForward | TableCmd::DayBack => {
            const DAY: i64 = 86_400_000_000_000;
            match st.cursor_ts() {
                Some(ts) => {
                    let d = if cmd == TableCmd::DayForward {
                        DAY
                    } else {
                        -DAY
                    };
                    st.goto_ts(ts.saturating_add(d));
                }
                None => st.error("no event"),
            }
        }
        TableCmd::CycleZone => {
            st.zone = (st.zone + 1) % st.config.zones.len().max(1);
            let (label, z) = st.zone();
            let msg = format!("display zone: {label} ({z})");
            st.info(msg);
        }
        TableCmd::Detail => {
            st.detail.open = !st.detail.open;
            st.detail.scroll = 0;
            if !st.detail.open {
                st.detail.focused = false;
            }
        }
        TableCmd::Focus => {
            if st.detail.open && st.detail.focused {
                st.detail.focused = false;
            } else {
                st.detail.open = true;
                st.detail.focused = true;
            }
        }
        TableCmd::Histogram => st.hist.on = !st.hist.on,
        TableCmd::ZoomIn => st.hist.zoom = (st.hist.zoom + 1).min(40),
        TableCmd::ZoomOut => st.hist.zoom = st.hist.zoom.saturating_sub(1),
        TableCmd::Command => st.open_prompt(PromptKind::Command, ""),
        TableCmd::Help => help::open(st),
        TableCmd::Cancel => return cancel(st),
        TableCmd::Mark => annotate::begin_mark(st),
        TableCmd::Annotate => annotate::begin_annotate(st),
        TableCmd::NextAnnotation => annlist::jump(st, true),
        TableCmd::PrevAnnotation => annlist::jump(st, false),
        TableCmd::AnnotationList => annlist::open_list(st),
        TableCmd::Save => return case::save(st),
        TableCmd::Export => export::begin_export(st),
        TableCmd::Quit => confirm::request_quit(st),
        TableCmd::Hit(h) => detections::hit_command(st, h),
    }
    Vec::new()
}

/// `Esc`: stops what runs, closes what is open; never changes data or view.
fn cancel(st: &mut State) -> Vec<Effect> {
    if st.query.search_pending.take().is_some() || st.query.filter_pending.take().is_some() {
        st.info("cancelled");
        return vec![Effect::CancelJobs];
    }
    if st.detail.open {
        st.detail.open = false;
        st.detail.focused = false;
    } else {
        st.msg = None;
    }
    Vec::new()
}
