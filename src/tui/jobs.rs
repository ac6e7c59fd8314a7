//! Filter and search requests and their results: each request gets a job number, and a
//! result is used only if it answers the latest request ("latest wins").

use super::app::{Effect, Pending, SearchHits, State};
use crate::timeline::filter::Filter;
use crate::timeline::search::{self, Dir, Hit};
use std::sync::Arc;

/// Compiles `text` and starts filtering (empty text shows everything at once).
pub fn apply_filter(st: &mut State, text: String) -> Vec<Effect> {
    let tz = st.zone().1;
    let f = match Filter::parse(&text, &tz) {
        Ok(f) => f,
        Err(e) => {
            st.error(format!("filter: {e}"));
            return Vec::new();
        }
    };
    st.job += 1;
    if f.is_empty() {
        let ev = st.cursor_event();
        st.filter_pending = None;
        st.view = None;
        st.filter = String::new();
        st.cursor = ev.unwrap_or(0);
        st.info("filter cleared");
        return vec![Effect::CancelJobs];
    }
    st.filter_pending = Some(Pending { job: st.job, text });
    st.filter_progress = 0;
    vec![Effect::Filter {
        job: st.job,
        timeline: st.timeline.clone(),
        filter: Arc::new(f),
        marks: st.marks.clone(),
    }]
}

pub fn filter_done(st: &mut State, job: u64, rows: Option<Vec<u32>>) {
    let Some(p) = st.filter_pending.as_ref().filter(|p| p.job == job) else {
        return;
    };
    let Some(rows) = rows else {
        return;
    };
    let text = p.text.clone();
    st.filter_pending = None;
    let ev = st.cursor_event();
    let n = rows.len();
    st.view = Some(Arc::new(rows));
    st.filter = text;
    st.cursor = ev.map_or(0, |e| st.row_at_or_after(e));
    st.info(format!("{n} events match"));
}

/// Starts a search from the cursor.
pub fn start_search(st: &mut State, dir: Dir) -> Vec<Effect> {
    let Some(re) = st.search.clone() else {
        st.info("no search yet: press /");
        return Vec::new();
    };
    let listed = st.search_hits.as_ref().filter(|h| {
        h.pattern == st.search_text
            && match (&h.view, &st.view) {
                (None, None) => true,
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            }
    });
    if let Some(h) = listed {
        let hit = search::next_in(&h.rows, st.cursor, dir);
        // A search still running for an older request is not wanted any more.
        st.search_pending = None;
        show_hit(st, hit);
        return Vec::new();
    }
    st.job += 1;
    st.search_pending = Some(Pending {
        job: st.job,
        text: st.search_text.clone(),
    });
    vec![Effect::Search {
        job: st.job,
        timeline: st.timeline.clone(),
        view: st.view.clone(),
        from: st.cursor,
        dir,
        re,
    }]
}

pub fn search_again(st: &mut State, dir: Dir) -> Vec<Effect> {
    start_search(st, dir)
}

type Listed = (Vec<u32>, Option<Arc<Vec<u32>>>);

pub fn search_done(st: &mut State, job: u64, hit: Option<Option<Hit>>, hits: Option<Listed>) {
    if st.search_pending.as_ref().is_none_or(|p| p.job != job) {
        return;
    }
    let Some(hit) = hit else {
        return;
    };
    let pending = st.search_pending.take();
    if let Some((rows, view)) = hits {
        st.search_hits = Some(SearchHits {
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
            st.cursor = h.row;
            if h.wrapped {
                st.info("search wrapped around");
            } else {
                st.msg = None;
            }
        }
        None => {
            let t = st.search_text.clone();
            st.error(format!("no match for /{t}/"));
        }
    }
}
