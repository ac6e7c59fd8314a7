//! The timeline layer (Normal mode): its commands, from moving the cursor to opening
//! every other layer.

use super::detections::{self, HitCmd};
use super::nav::Nav;
use super::{
    annlist, annotate, case, chooser, counts, detail, export, help, hist, jobs, picker, quit,
    sources,
};
use crate::timeline::search::Dir;
use crate::tui::action::Effect;
use crate::tui::columns::RelFrom;
use crate::tui::commands::commands;
use crate::tui::layout;
use crate::tui::state::{Mode, PromptKind, State};
use ratatui::crossterm::event::KeyEvent;

commands! {
    /// What a key in the timeline asks for.
    pub enum TableCmd in Table with [Down, Up, PageDown, PageUp, HalfDown, HalfUp, First, Last] {
        Search = "search", NextMatch = "next_match", PrevMatch = "prev_match",
        Filter = "filter", ClearFilter = "clear_filter", Pivot = "pivot",
        GotoTime = "goto_time", DayForward = "day_forward", DayBack = "day_back",
        CycleZone = "cycle_zone", Detail = "detail", Focus = "focus", Histogram = "histogram",
        ZoomIn = "zoom_in", ZoomOut = "zoom_out", Command = "command", Help = "help",
        Cancel = "cancel", Mark = "mark", Annotate = "annotate",
        NextAnnotation = "next_annotation", PrevAnnotation = "prev_annotation",
        AnnotationList = "annotation_list", Save = "save", Export = "export", Quit = "quit",
        ScrollLeft = "scroll_left", ScrollRight = "scroll_right", Wrap = "wrap",
        Columns = "columns", Relative = "relative", Counts = "counts", Sources = "sources",
        Copy = "copy",
        Hit(HitCmd) [
            HitCmd::Next => "next_hit", HitCmd::Prev => "prev_hit",
            HitCmd::CycleLevel => "cycle_level", HitCmd::Open => "detections",
        ],
    }
}

pub fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    match st.keymap.command::<TableCmd>(&k) {
        Some(cmd) => command(st, cmd),
        None => Vec::new(),
    }
}

/// Moves the cursor, or the detail pane's selected line when it has the focus.
fn nav(st: &mut State, nav: Nav) {
    if st.detail.open && st.detail.focused {
        detail::nav(st, nav);
    } else {
        st.table.cursor = nav.apply(st.table.cursor, st.rows(), st.page_rows());
    }
}

/// `←`/`→`: the message column moves by half its width.
fn scroll(st: &mut State, right: bool) {
    let utc = st.zone().1 == crate::model::TzSpec::Utc;
    let w = layout::message_width_min(st.size.0, st.table.cols, utc) as usize;
    let step = (w / 2).max(8);
    st.table.hscroll = if right {
        st.table.hscroll.saturating_add(step).min(1 << 16)
    } else {
        st.table.hscroll.saturating_sub(step)
    };
}

/// `r`: off, since the previous row, since an annotation, off.
fn relative(st: &mut State) {
    let t = &mut st.table;
    match (t.cols.rel, t.rel_from) {
        (false, _) => {
            t.cols.rel = true;
            t.rel_from = RelFrom::Previous;
            st.info("relative time: since the previous row");
        }
        (true, RelFrom::Previous) if st.case.annotations().is_empty() => {
            t.cols.rel = false;
            st.info("relative time off (since an annotation needs one: m or a)");
        }
        (true, RelFrom::Previous) => {
            t.rel_from = RelFrom::Annotation;
            st.info("relative time: since the annotation u/U or the list last went to (else the first early-detection point)");
        }
        (true, RelFrom::Annotation) => {
            t.cols.rel = false;
            st.info("relative time off");
        }
    }
}

/// `Tab`: table, then the detail pane (opened if need be), then the histogram.
fn focus(st: &mut State) {
    if !st.detail.open || !st.detail.focused {
        st.detail.open = true;
        st.detail.focused = true;
        return;
    }
    st.detail.focused = false;
    if !hist::focus(st) {
        st.mode = Mode::Normal;
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
            if !st.detail.open {
                st.detail.focused = false;
            }
        }
        TableCmd::Focus => focus(st),
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
        TableCmd::Quit => quit::request(st),
        TableCmd::ScrollLeft => scroll(st, false),
        TableCmd::ScrollRight => scroll(st, true),
        TableCmd::Wrap => {
            st.table.wrap = !st.table.wrap;
            let m = if st.table.wrap {
                "the selected row shows its whole message (w again: one line)"
            } else {
                "one line per row"
            };
            st.info(m);
        }
        TableCmd::Columns => chooser::open(st),
        TableCmd::Relative => relative(st),
        TableCmd::Counts => counts::ask_field(st),
        TableCmd::Sources => sources::open(st),
        TableCmd::Copy => return detail::copy(st),
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
