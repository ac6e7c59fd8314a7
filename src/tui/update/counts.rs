//! Value counts (`c`, `:top FIELD`): a worker counts the values of a field over the rows
//! shown, with progress like a filter; the panel lists them most frequent first, Enter
//! filters on a value, `x` filters it out. The same job, over every event, gives Tab its
//! values to complete.

use super::jobs::add_term;
use super::picker::pivot_term;
use crate::tui::action::Effect;
use crate::tui::commands::commands;
use crate::tui::counts::Counts;
use crate::tui::panels::CountJob;
use crate::tui::state::{Mode, PromptKind, State};
use ratatui::crossterm::event::KeyEvent;
use std::sync::Arc;

commands! {
    pub enum CountsCmd in Counts with [Down, Up, PageDown, PageUp, First, Last] {
        Pick = "pick", Exclude = "exclude", Close = "close",
    }
}

/// `c` / `:top`: asks which field (Tab completes names).
pub fn ask_field(st: &mut State) {
    st.open_prompt(PromptKind::Count, "");
}

fn job(st: &mut State, field: &str, for_completion: bool) -> Effect {
    st.query.job += 1;
    let view = if for_completion {
        None
    } else {
        st.table.view.clone()
    };
    st.counts.pending = Some(CountJob {
        job: st.query.job,
        field: field.to_string(),
        for_completion,
    });
    st.counts.progress = 0;
    st.counts.total = view.as_ref().map_or(st.timeline.len(), |v| v.len());
    Effect::Count {
        job: st.query.job,
        timeline: st.timeline.clone(),
        view,
        field: field.to_string(),
    }
}

/// Counts the values of `field` over the rows shown.
pub fn start(st: &mut State, field: &str) -> Vec<Effect> {
    let field = field.trim();
    if field.is_empty() || field.contains(char::is_whitespace) {
        st.error("count what? one field name, e.g. :top user");
        return Vec::new();
    }
    if st.rows() == 0 {
        st.error("nothing to count: the view is empty");
        return Vec::new();
    }
    st.counts.filter = st.query.filter.clone();
    vec![job(st, field, false)]
}

/// The values of `field` over every event, for Tab (once per field; kept).
pub fn values_for_completion(st: &mut State, field: &str) -> Vec<Effect> {
    let busy = st
        .counts
        .pending
        .as_ref()
        .is_some_and(|p| p.field.eq_ignore_ascii_case(field));
    if busy {
        return Vec::new();
    }
    st.info(format!("collecting the values of {field}..."));
    vec![job(st, field, true)]
}

/// A counts job finished. True when the values were for Tab and the prompt still waits
/// for them (the caller completes).
pub fn done(st: &mut State, job: u64, counts: Option<Counts>) -> bool {
    let Some(p) = st.counts.pending.clone().filter(|p| p.job == job) else {
        return false;
    };
    st.counts.pending = None;
    let Some(c) = counts else {
        st.info(format!("counting {} interrupted", p.field));
        return false;
    };
    let c = Arc::new(c);
    if p.for_completion {
        st.query.values.insert(p.field.to_ascii_lowercase(), c);
        st.msg = None;
        return matches!(st.mode, Mode::Prompt(_));
    }
    if c.values.is_empty() {
        st.error(format!(
            "no event in the view has {} ({} looked at)",
            c.field, c.events
        ));
        return false;
    }
    st.counts.result = Some(c);
    st.counts.sel = 0;
    if st.mode == Mode::Normal {
        st.mode = Mode::Counts;
        st.msg = None;
    } else {
        st.info("counts ready: :top shows them again");
    }
    false
}

/// Rows of the panel on screen.
pub fn page(st: &State) -> usize {
    (st.size.1 as usize).saturating_sub(8).max(1)
}

pub fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let Some(c) = st.counts.result.clone() else {
        st.mode = Mode::Normal;
        return Vec::new();
    };
    let n = c.values.len();
    match st.keymap.command::<CountsCmd>(&k) {
        Some(CountsCmd::Close) => st.mode = Mode::Normal,
        Some(CountsCmd::Nav(nav)) => st.counts.sel = nav.apply(st.counts.sel, n, page(st)),
        Some(cmd @ (CountsCmd::Pick | CountsCmd::Exclude)) => {
            let Some((value, _)) = c.values.get(st.counts.sel) else {
                return Vec::new();
            };
            st.mode = Mode::Normal;
            let term = pivot_term(&c.field, value);
            let term = if cmd == CountsCmd::Exclude {
                format!("NOT {term}")
            } else {
                term
            };
            return add_term(st, &term);
        }
        None => {}
    }
    Vec::new()
}
