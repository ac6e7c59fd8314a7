//! Filter and search requests and their results: each request gets a job number, and a
//! result is used only if it answers the latest request ("latest wins").

use crate::timeline::filter::Filter;
use crate::timeline::search::{self, Dir, Hit};
use crate::tui::action::Effect;
use crate::tui::state::{IndexStatus, Pending, SearchHits, State};
use std::sync::Arc;

/// Adds `term` to the filter with AND (or makes it the filter) and starts filtering.
pub fn add_term(st: &mut State, term: &str) -> Vec<Effect> {
    let base = st.filter_text();
    let text = if base.trim().is_empty() {
        term.to_string()
    } else {
        format!("{base} AND {term}")
    };
    apply_filter(st, text)
}

/// Compiles `text` (naive times in the display zone) and starts filtering.
pub fn apply_filter(st: &mut State, text: String) -> Vec<Effect> {
    match Filter::parse(&text, &st.zone().1) {
        Ok(f) => run_filter(st, Arc::new(f)),
        Err(e) => {
            st.error(format!("filter: {e}"));
            Vec::new()
        }
    }
}

/// Starts filtering with a compiled filter (an empty one shows everything at once).
pub fn run_filter(st: &mut State, f: Arc<Filter>) -> Vec<Effect> {
    st.query.job += 1;
    st.query.filter_warning = unknown_field_warning(st, f.text());
    if f.is_empty() {
        let ev = st.cursor_event();
        st.query.filter_pending = None;
        st.table.view = None;
        st.query.filter = String::new();
        st.query.active = None;
        st.table.cursor = ev.unwrap_or(0);
        st.info("filter cleared");
        return vec![Effect::CancelJobs];
    }
    let for_index = st.filter_waits_for_index(&f);
    st.query.filter_pending = Some(Pending {
        job: st.query.job,
        text: f.text().to_owned(),
        filter: Some(f.clone()),
        for_index,
    });
    st.query.filter_progress = 0;
    if for_index {
        // `index_done` starts it; an older filter still running is not wanted.
        return vec![Effect::CancelJobs];
    }
    vec![Effect::Filter {
        job: st.query.job,
        timeline: st.timeline.clone(),
        filter: f,
        marks: st.case.marks.clone(),
        det: st
            .detect
            .current(st.timeline.len())
            .map(|(r, h)| (r.clone(), h.clone())),
        cands: st.cands.current(st.timeline.len()).cloned(),
    }]
}

/// The filter being computed, else the one shown, compiled.
pub fn current_filter(st: &State) -> Option<Arc<Filter>> {
    st.query
        .filter_pending
        .as_ref()
        .and_then(|p| p.filter.clone())
        .or_else(|| st.query.active.clone())
}

pub fn filter_done(st: &mut State, job: u64, rows: Option<Vec<u32>>) {
    let Some(p) = st.query.filter_pending.as_ref().filter(|p| p.job == job) else {
        return;
    };
    let Some(rows) = rows else {
        return;
    };
    let text = p.text.clone();
    let active = p.filter.clone();
    st.query.filter_pending = None;
    st.query.active = active;
    let ev = st.cursor_event();
    let n = rows.len();
    st.table.view = Some(Arc::new(rows));
    st.query.filter = text;
    st.table.cursor = ev.map_or(0, |e| st.row_at_or_after(e));
    match st.query.filter_warning.take() {
        Some(w) => st.error(format!("{n} events match; warning: {w}")),
        None => st.info(format!("{n} events match")),
    }
}

/// "column 1: no loaded source has field `usr` (did you mean `user`?)" for the first
/// field term no loaded event has (none before the field names are known).
fn unknown_field_warning(st: &State, text: &str) -> Option<String> {
    let known = st.query.fields.as_ref()?;
    let q = crate::query::Query::parse(text, &st.zone().1).ok()?;
    let w = q.unknown_fields(known);
    let first = w.first()?.to_string();
    Some(match w.len() {
        1 => first,
        n => format!("{first} (+{} more)", n - 1),
    })
}

/// The index is ready: a filter still scanning the slow way finishes sooner started again.
pub fn index_done(st: &mut State) -> Vec<Effect> {
    st.ingest.index = IndexStatus::Ready;
    match st.query.filter_pending.take().and_then(|p| p.filter) {
        Some(f) => run_filter(st, f),
        None => Vec::new(),
    }
}

/// Starts a search from the cursor (`n`, `N`, or a new pattern).
pub fn start_search(st: &mut State, dir: Dir) -> Vec<Effect> {
    let Some(re) = st.query.search.clone() else {
        st.info("no search yet: press /");
        return Vec::new();
    };
    if let Some(h) = st.listed_hits() {
        let hit = search::next_in(&h.rows, st.table.cursor, dir);
        // A search still running for an older request is not wanted any more.
        st.query.search_pending = None;
        show_hit(st, hit);
        return Vec::new();
    }
    st.query.job += 1;
    st.query.search_pending = Some(Pending {
        job: st.query.job,
        text: st.query.search_text.clone(),
        filter: None,
        for_index: false,
    });
    vec![Effect::Search {
        job: st.query.job,
        timeline: st.timeline.clone(),
        view: st.table.view.clone(),
        from: st.table.cursor,
        dir,
        re,
    }]
}

type Listed = (Vec<u32>, Option<Arc<Vec<u32>>>);

pub fn search_done(st: &mut State, job: u64, hit: Option<Option<Hit>>, hits: Option<Listed>) {
    if st
        .query
        .search_pending
        .as_ref()
        .is_none_or(|p| p.job != job)
    {
        return;
    }
    let Some(hit) = hit else {
        return;
    };
    let pending = st.query.search_pending.take();
    if let Some((rows, view)) = hits {
        st.query.search_hits = Some(SearchHits {
            pattern: pending.map(|p| p.text).unwrap_or_default(),
            view,
            rows,
        });
    }
    show_hit(st, hit);
}

fn show_hit(st: &mut State, hit: Option<Hit>) {
    match hit {
        Some(h) => {
            st.table.cursor = h.row;
            if h.wrapped {
                st.info("search wrapped around");
            } else {
                st.msg = None;
            }
        }
        None => {
            let t = st.query.search_text.clone();
            st.error(format!("no match for /{t}/"));
        }
    }
}
