//! Early-detection candidates in the TUI: starting the analyzers once everything is loaded
//! and the Sigma run is over (and again when the timeline grew), their progress, and the
//! candidates view (`E`): the ranked list of Sigma hits and analyzer findings, grouped by
//! host or flat by score; Enter goes to the event, `m` accepts it as an early-detection
//! point and `x` dismisses it, both journalled in the case file as reviews.

use super::annotate::{ask_case_path, event_copy};
use super::jobs::{apply_filter, current_filter, run_filter};
use super::nav::Nav;
use crate::case::Decision;
use crate::detect::analyze::host_key;
use crate::detect::candidates::{Candidate, Origin};
use crate::tui::action::{Effect, ReviewRequest};
use crate::tui::cands::{CandAction, CandEffect, CandLine, CandPhase};
use crate::tui::commands::commands;
use crate::tui::detect::DetectPhase;
use crate::tui::run::Run;
use crate::tui::state::{Mode, State, Then};
use ratatui::crossterm::event::KeyEvent;
use std::sync::Arc;

commands! {
    /// What a key in the candidates view asks for.
    pub enum CandCmd in Candidates with [Down, Up, PageDown, PageUp, First, Last] {
        Go = "go",
        Review(Decision) [Decision::Accepted => "accept", Decision::Dismissed => "dismiss"],
        Order = "order", Close = "close",
    }
}

/// Sigma is over (or not running at all): the analyzers may rank its hits.
fn sigma_settled(st: &State) -> bool {
    match st.detect.phase {
        DetectPhase::Off | DetectPhase::Failed => true,
        DetectPhase::Done => st.detect.current(st.timeline.len()).is_some(),
        _ => false,
    }
}

/// After every action: start the analyzers when the timeline is complete, Sigma is done
/// and there is no current list; stop a run whose timeline is about to grow.
pub fn step(st: &mut State) -> Vec<Effect> {
    if !st.config.analyze {
        return Vec::new();
    }
    let len = st.timeline.len();
    let settled = st.ingest.status.done && st.ingest.pending.is_empty() && len > 0;
    let sigma_done = sigma_settled(st);
    let c = &mut st.cands;
    match c.phase {
        CandPhase::Running(_) if !st.ingest.pending.is_empty() => {
            c.job += 1;
            c.phase = CandPhase::Waiting;
            vec![Effect::Cands(CandEffect::Cancel)]
        }
        CandPhase::Done | CandPhase::Failed if c.covered != len => {
            c.phase = CandPhase::Waiting;
            c.list = None;
            c.silences = Arc::default();
            c.view.lines.clear();
            c.view.sel = 0;
            step(st)
        }
        CandPhase::Waiting if settled && sigma_done => {
            let sigma = st.detect.current(len).map(|(r, h)| (r.clone(), h.clone()));
            let c = &mut st.cands;
            c.job += 1;
            c.covered = len;
            c.phase = CandPhase::Running(Run::start(c.job, len));
            vec![Effect::Cands(CandEffect::Run {
                job: c.job,
                timeline: st.timeline.clone(),
                sigma,
            })]
        }
        _ => Vec::new(),
    }
}

pub fn on_action(st: &mut State, a: CandAction) -> Vec<Effect> {
    let c = &mut st.cands;
    match a {
        CandAction::Progress { job, done } => {
            if let CandPhase::Running(r) = &mut c.phase {
                r.advance(job, done);
            }
        }
        CandAction::Done { job, result } => {
            if !matches!(c.phase, CandPhase::Running(r) if r.job == job) {
                return Vec::new();
            }
            let Some(r) = result else {
                c.phase = CandPhase::Failed;
                st.error("the analyzers stopped before the end: no candidates");
                return Vec::new();
            };
            let (analysis, list) = *r;
            c.silences = Arc::new(analysis.silences);
            c.list = Some(Arc::new(list));
            c.phase = CandPhase::Done;
            build_view(st, None);
            // A filter naming candidates matched nothing until now.
            if let Some(f) = current_filter(st).filter(|f| f.query().uses_candidates()) {
                return run_filter(st, f);
            }
        }
    }
    Vec::new()
}

/// The view's lines in the chosen order; the selection stays on candidate `keep` (an
/// index into the list), else on the first candidate.
fn build_view(st: &mut State, keep: Option<usize>) {
    let v = &mut st.cands.view;
    v.lines.clear();
    let Some(list) = st.cands.list.as_ref() else {
        v.sel = 0;
        return;
    };
    if v.by_host {
        // Hosts in the order of their best candidate (the list is best first).
        let mut hosts: Vec<(String, String, Vec<usize>)> = Vec::new();
        for (i, c) in list.list.iter().enumerate() {
            let k = host_key(&c.host);
            match hosts.iter_mut().find(|h| h.0 == k) {
                Some(h) => h.2.push(i),
                None => hosts.push((k, c.host.clone(), vec![i])),
            }
        }
        // Within a host, in time order: its story, the earliest (starred) first.
        for (_, shown, mut ix) in hosts {
            ix.sort_by_key(|&i| list.list.get(i).map(|c| (c.ts, c.event)));
            v.lines.push(CandLine::Host(shown, ix.len()));
            v.lines.extend(ix.into_iter().map(CandLine::Cand));
        }
    } else {
        v.lines = (0..list.len()).map(CandLine::Cand).collect();
    }
    let at = keep.and_then(|k| v.lines.iter().position(|l| *l == CandLine::Cand(k)));
    v.sel = at
        .or_else(|| v.lines.iter().position(|l| matches!(l, CandLine::Cand(_))))
        .unwrap_or(0);
}

/// The selected candidate.
pub fn selected(st: &State) -> Option<&Candidate> {
    let list = st.cands.list.as_ref()?;
    match st.cands.view.lines.get(st.cands.view.sel)? {
        CandLine::Cand(i) => list.list.get(*i),
        CandLine::Host(..) => None,
    }
}

fn selected_index(st: &State) -> Option<usize> {
    match st.cands.view.lines.get(st.cands.view.sel)? {
        CandLine::Cand(i) => Some(*i),
        CandLine::Host(..) => None,
    }
}

/// `E` in the timeline.
pub fn open(st: &mut State) {
    let msg = match st.cands.phase {
        _ if st.cands.current(st.timeline.len()).is_some() => {
            st.mode = Mode::Candidates;
            return;
        }
        CandPhase::Running(_) => format!(
            "analyzing {}%: candidates come when it is done",
            st.cands.percent().unwrap_or(0)
        ),
        CandPhase::Failed => "no candidates: the analyzers stopped before the end".into(),
        _ if !st.config.analyze => "no analyzers in this session".into(),
        _ if !sigma_settled(st) => "candidates come once the Sigma run is over".into(),
        _ => "candidates come once everything is loaded".into(),
    };
    st.info(msg);
}

/// Lines of the candidates view on screen.
pub fn view_rows(st: &State) -> usize {
    (st.size.1 as usize).saturating_sub(6).max(1)
}

pub fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    match st.keymap.command::<CandCmd>(&k) {
        Some(CandCmd::Nav(n)) => nav(st, n),
        Some(CandCmd::Close) => st.mode = Mode::Normal,
        Some(CandCmd::Order) => {
            let keep = selected_index(st);
            st.cands.view.by_host = !st.cands.view.by_host;
            build_view(st, keep);
            let m = if st.cands.view.by_host {
                "candidates grouped by host (the best host first), each host in time order"
            } else {
                "candidates by score"
            };
            st.info(m);
        }
        Some(CandCmd::Go) => return go(st),
        Some(CandCmd::Review(d)) => return review(st, d),
        None => {}
    }
    Vec::new()
}

/// Moves the selection, over host headings (to the next candidate that way, else back).
fn nav(st: &mut State, n: Nav) {
    let page = view_rows(st);
    let v = &mut st.cands.view;
    let len = v.lines.len();
    let to = n.apply(v.sel, len, page);
    let is_cand = |i: usize| matches!(v.lines.get(i), Some(CandLine::Cand(_)));
    let down = to >= v.sel;
    let ahead = if down {
        (to..len).find(|&i| is_cand(i))
    } else {
        (0..=to).rev().find(|&i| is_cand(i))
    };
    let behind = || {
        if down {
            (0..to).rev().find(|&i| is_cand(i))
        } else {
            (to..len).find(|&i| is_cand(i))
        }
    };
    if let Some(i) = ahead.or_else(behind) {
        v.sel = i;
    }
}

/// Enter: the timeline at the candidate's event (the filter is cleared when it hides it).
fn go(st: &mut State) -> Vec<Effect> {
    let Some(ev) = selected(st).map(|c| c.event) else {
        return Vec::new();
    };
    st.mode = Mode::Normal;
    if let Some(row) = st.row_of_event(ev) {
        st.table.cursor = row;
        return Vec::new();
    }
    let fx = apply_filter(st, String::new());
    st.table.cursor = ev;
    st.info("the filter hid this candidate: cleared");
    fx
}

/// `m` / `x`: the review of the selected candidate, journalled (with, for an accepted one
/// on an event without annotation, the early-detection annotation carrying its reason).
/// Without a case file, its path is asked first and the review follows.
pub fn review(st: &mut State, d: Decision) -> Vec<Effect> {
    let Some(c) = selected(st).cloned() else {
        return Vec::new();
    };
    if st.case.info.is_none() {
        ask_case_path(st, Then::Review(d));
        return Vec::new();
    }
    let Some(key) = st.timeline.key(c.event) else {
        st.error("this candidate's event has no stable key: not reviewed");
        return Vec::new();
    };
    let annotated = !st.case.marks.on(c.event).is_empty();
    let req = ReviewRequest {
        key,
        event: event_copy(st, c.event),
        candidate: c.id.clone(),
        why: format!("{}: {}", c.label(), c.why),
        tags: tags(st, &c),
        decision: d,
        // One annotation per event: an annotated event keeps its own.
        annotate: d == Decision::Accepted && !annotated,
    };
    // On to the next candidate: reviewing is working down the list.
    nav(st, Nav::Down);
    vec![Effect::Review(Box::new(req))]
}

/// An accepted Sigma candidate's ATT&CK techniques, or the analyzer's id, as tags.
fn tags(st: &State, c: &Candidate) -> Vec<String> {
    match &c.origin {
        Origin::Sigma { rule, .. } => st
            .detect
            .rules
            .as_ref()
            .and_then(|r| r.get(*rule))
            .map(|m| m.attack.clone())
            .unwrap_or_default(),
        Origin::Analyzer(k) => vec![k.id().to_owned()],
    }
}

/// The case path was asked for a review: back to the view, and the review goes on.
pub fn resume(st: &mut State, d: Decision) -> Vec<Effect> {
    st.mode = Mode::Candidates;
    review(st, d)
}
