//! Sigma detections in the TUI: starting the rules once everything is loaded (and again
//! when the timeline grew), their progress and hits, the table's hit keys (`]` `[` `L`
//! `R`), the Detections view (rules by level with hit counts, per host; Enter filters on
//! one), the detail pane's rule section and the annotation pre-filled from a hit.

use super::jobs::{apply_filter, current_filter, run_filter};
use super::picker::pivot_term;
use crate::case::Annotation;
use crate::detect::{Level, RuleIdx, RuleMeta};
use crate::timeline::histogram;
use crate::tui::action::Effect;
use crate::tui::commands::commands;
use crate::tui::detect::{DetectAction, DetectEffect, DetectPhase, RuleRow, ViewLine};
use crate::tui::keymap::Layer;
use crate::tui::run::Run;
use crate::tui::sanitize;
use crate::tui::state::{DetailLine, Mode, State};
use ratatui::crossterm::event::KeyEvent;
use std::collections::HashMap;

commands! {
    /// What a key in the Detections view asks for.
    pub enum DetectCmd in Detections with [Down, Up, PageDown, PageUp, First, Last] {
        Filter = "filter", Expand = "expand", Close = "close",
    }
}

/// The table's detection keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitCmd {
    Next,
    Prev,
    CycleLevel,
    Open,
}

/// After every action: load the rules once, start a run when the timeline is complete and
/// has no current hits, stop a run whose timeline is about to grow.
pub fn step(st: &mut State) -> Vec<Effect> {
    let d = &mut st.detect;
    let settled = st.ingest.status.done && st.ingest.pending.is_empty();
    match d.phase {
        DetectPhase::Off => match &st.config.rules {
            Some(opts) => {
                d.phase = DetectPhase::LoadingRules;
                vec![Effect::Detect(DetectEffect::LoadRules(opts.clone()))]
            }
            None => Vec::new(),
        },
        // A merge needs the timeline to itself; the run starts again once it is done.
        DetectPhase::Running(_) if !st.ingest.pending.is_empty() => {
            d.job += 1;
            d.phase = DetectPhase::Ready;
            vec![Effect::Detect(DetectEffect::Cancel)]
        }
        DetectPhase::Done if d.hits.as_ref().map(|h| h.covered()) != Some(st.timeline.len()) => {
            d.phase = DetectPhase::Ready;
            d.hits = None;
            d.levels.clear();
            d.view.rules.clear();
            d.recount();
            step(st)
        }
        DetectPhase::Ready if settled && !st.timeline.is_empty() => {
            let Some(rules) = d.rules.clone() else {
                return Vec::new();
            };
            d.job += 1;
            d.phase = DetectPhase::Running(Run::start(d.job, st.timeline.len()));
            vec![Effect::Detect(DetectEffect::Run {
                job: d.job,
                timeline: st.timeline.clone(),
                rules,
            })]
        }
        _ => Vec::new(),
    }
}

pub fn on_action(st: &mut State, a: DetectAction) -> Vec<Effect> {
    let d = &mut st.detect;
    match a {
        DetectAction::RulesLoaded(Ok((rules, unsupported))) => {
            d.rules = Some(rules);
            d.unsupported = unsupported;
            d.phase = DetectPhase::Ready;
        }
        DetectAction::RulesLoaded(Err(e)) => {
            d.phase = DetectPhase::Failed;
            st.error(format!("Sigma rules not loaded: {e}"));
            st.detect.error = Some(e);
        }
        DetectAction::Progress { job, done } => {
            if let DetectPhase::Running(r) = &mut d.phase {
                r.advance(job, done);
            }
        }
        DetectAction::Done { job, hits } => {
            if !matches!(d.phase, DetectPhase::Running(r) if r.job == job) {
                return Vec::new();
            }
            let Some(hits) = hits else {
                d.phase = DetectPhase::Failed;
                st.error("Sigma detection stopped before the end");
                return Vec::new();
            };
            d.set_hits(hits);
            d.phase = DetectPhase::Done;
            build_view(st);
            // A filter naming hits (`detected`, `rule:`…) matched nothing until now.
            if let Some(f) = current_filter(st).filter(|f| !f.is_empty()) {
                return run_filter(st, f);
            }
        }
    }
    Vec::new()
}

/// The rules with hits, highest level first, then most hits.
fn build_view(st: &mut State) {
    let d = &mut st.detect;
    let (Some(rules), Some(hits)) = (&d.rules, &d.hits) else {
        return;
    };
    let mut rows: Vec<RuleRow> = hits
        .per_rule(rules)
        .into_iter()
        .enumerate()
        .filter(|(_, n)| *n > 0)
        .map(|(i, n)| RuleRow {
            rule: RuleIdx(i as u32),
            hits: n,
            hosts: None,
        })
        .collect();
    let level = |r: &RuleRow| rules.get(r.rule).map_or(Level::Informational, |m| m.level);
    let title = |r: &RuleRow| rules.get(r.rule).map_or("", |m| m.title.as_str());
    rows.sort_by(|a, b| {
        level(b)
            .cmp(&level(a))
            .then(b.hits.cmp(&a.hits))
            .then_with(|| title(a).cmp(title(b)))
    });
    d.view.rules = rows;
    d.view.sel = 0;
}

/// `]` `[` `L` `R` in the timeline.
pub fn hit_command(st: &mut State, cmd: HitCmd) {
    match cmd {
        HitCmd::Next | HitCmd::Prev => jump(st, cmd == HitCmd::Next),
        HitCmd::CycleLevel => {
            let l = st.detect.min_level;
            st.detect.min_level = Level::ALL[(l as usize + 1) % Level::ALL.len()];
            st.detect.recount();
            let msg = format!(
                "{} and [ stop at hits of level {} or above",
                st.keymap.keys(Layer::Table, "next_hit", st.theme().ascii),
                st.detect.min_level.name()
            );
            st.info(msg);
        }
        HitCmd::Open => {
            if not_ready(st) {
                return;
            }
            st.mode = Mode::Detections;
        }
    }
}

/// Says why there are no hits to use yet; false when there are.
fn not_ready(st: &mut State) -> bool {
    let msg = match st.detect.phase {
        DetectPhase::Done => return false,
        DetectPhase::Off => "no Sigma rules (started with --no-rules)".to_string(),
        DetectPhase::LoadingRules => "Sigma rules are loading".into(),
        DetectPhase::Ready => "detection starts once everything is loaded".into(),
        DetectPhase::Running(_) => format!(
            "detecting {}%: hits come when it is done",
            st.detect.percent().unwrap_or(0)
        ),
        DetectPhase::Failed => format!(
            "no detection: {}",
            st.detect
                .error
                .as_deref()
                .unwrap_or("it stopped before the end")
        ),
    };
    st.info(msg);
    true
}

fn jump(st: &mut State, forward: bool) {
    if not_ready(st) {
        return;
    }
    let Some((_, hits)) = st.detect.current(st.timeline.len()) else {
        return;
    };
    let hits = hits.clone();
    let min = st.detect.min_level;
    let Some(mut from) = st.cursor_event() else {
        st.info("no event");
        return;
    };
    // The next hit the view shows (a filter may hide some).
    loop {
        let e = if forward {
            hits.next(from, min, false)
        } else {
            hits.prev(from, min)
        };
        let Some(e) = e else {
            let dir = if forward { "later" } else { "earlier" };
            st.info(format!("no {dir} hit of level {} or above", min.name()));
            return;
        };
        if let Some(row) = st.row_of_event(e) {
            st.table.cursor = row;
            return;
        }
        from = e;
    }
}

/// Lines of the Detections view on screen.
pub fn view_rows(st: &State) -> usize {
    (st.size.1 as usize).saturating_sub(6).max(1)
}

pub fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    let lines = st.detect.view.lines();
    let page = view_rows(st);
    match st.keymap.command::<DetectCmd>(&k) {
        Some(DetectCmd::Nav(n)) => {
            st.detect.view.sel = n.apply(st.detect.view.sel, lines.len(), page)
        }
        Some(DetectCmd::Close) => st.mode = Mode::Normal,
        Some(DetectCmd::Expand) => expand(st, &lines),
        Some(DetectCmd::Filter) => {
            let Some(q) = filter_text(st, &lines) else {
                return Vec::new();
            };
            st.mode = Mode::Normal;
            return apply_filter(st, q);
        }
        None => {}
    }
    Vec::new()
}

/// `rule:"TITLE"`, and `host:"H"` on a host line.
fn filter_text(st: &State, lines: &[ViewLine]) -> Option<String> {
    let rules = st.detect.rules.as_ref()?;
    let v = &st.detect.view;
    let (i, host) = match *lines.get(v.sel)? {
        ViewLine::Rule(i) => (i, None),
        ViewLine::Host(i, j) => (i, v.rules.get(i)?.hosts.as_ref()?.get(j)),
    };
    let meta = rules.get(v.rules.get(i)?.rule)?;
    let mut q = pivot_term("rule", &meta.title);
    if let Some((h, _)) = host {
        q.push(' ');
        q.push_str(&pivot_term("host", h));
    }
    Some(q)
}

/// Shows or hides the hits per host of the selected rule (counted once, when asked).
fn expand(st: &mut State, lines: &[ViewLine]) {
    let Some(&line) = lines.get(st.detect.view.sel) else {
        return;
    };
    let i = match line {
        ViewLine::Rule(i) | ViewLine::Host(i, _) => i,
    };
    let Some((_, hits)) = st.detect.current(st.timeline.len()) else {
        return;
    };
    let hits = hits.clone();
    let t = st.timeline.clone();
    let Some(row) = st.detect.view.rules.get_mut(i) else {
        return;
    };
    if row.hosts.take().is_none() {
        // Hosts as `host:` matches them: case-insensitively (the first spelling is shown).
        let mut by: HashMap<String, (String, usize)> = HashMap::new();
        for (e, on) in hits.iter() {
            if on.contains(&row.rule) {
                let h = t.host(e);
                by.entry(h.to_lowercase())
                    .or_insert_with(|| (h.into_owned(), 0))
                    .1 += 1;
            }
        }
        let mut v: Vec<(String, usize)> = by.into_values().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        row.hosts = Some(v);
    }
    // The selection stays on the rule.
    let lines = st.detect.view.lines();
    st.detect.view.sel = lines
        .iter()
        .position(|l| *l == ViewLine::Rule(i))
        .unwrap_or(0);
}

/// The rules of event `ev` for the detail pane, highest level first: title, level, ATT&CK,
/// description, false positives, references, id and author (DRL 1.1). Rule text may be
/// user-supplied: sanitised like log text.
pub fn detail_lines(st: &State, ev: usize, max: usize) -> Vec<DetailLine> {
    let Some((rules, hits)) = st.detect.current(st.timeline.len()) else {
        return Vec::new();
    };
    let ascii = st.theme().ascii;
    let clean = |s: &str| sanitize::line(s, max, ascii).into_owned();
    let mut metas: Vec<&RuleMeta> = hits.of(ev).iter().filter_map(|r| rules.get(*r)).collect();
    metas.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.title.cmp(&b.title)));
    let mut out = Vec::new();
    for m in metas {
        out.push(DetailLine::Heading(format!(
            "sigma {}: {}",
            m.level.name(),
            clean(&m.title)
        )));
        out.push(DetailLine::Field("level".into(), m.level.name().into()));
        if !m.attack.is_empty() {
            out.push(DetailLine::Field("ATT&CK".into(), clean(&m.attack_text())));
        }
        let tactics: Vec<&str> = m
            .tags
            .iter()
            .filter_map(|t| t.strip_prefix("attack."))
            .filter(|t| {
                !t.starts_with(['t', 'T']) || !t[1..].starts_with(|c: char| c.is_ascii_digit())
            })
            .collect();
        if !tactics.is_empty() {
            out.push(DetailLine::Field(
                "tactics".into(),
                clean(&tactics.join(" ")),
            ));
        }
        for l in m.description.lines().filter(|l| !l.trim().is_empty()) {
            out.push(DetailLine::Field("description".into(), clean(l.trim())));
        }
        for fp in &m.falsepositives {
            out.push(DetailLine::Field("false positives".into(), clean(fp)));
        }
        for r in &m.references {
            out.push(DetailLine::Field("reference".into(), clean(r)));
        }
        out.push(DetailLine::Field("rule id".into(), clean(&m.id)));
        out.push(DetailLine::Field("author".into(), clean(&m.author)));
        out.push(DetailLine::Field("rule file".into(), clean(&m.path)));
    }
    out
}

/// A new annotation on a hit: its rules' ATT&CK techniques as tags, and a note naming
/// each rule (title, level, id, author), so the accepted hit keeps its provenance.
pub fn prefill(st: &State, ev: usize, a: &mut Annotation) {
    let Some((rules, hits)) = st.detect.current(st.timeline.len()) else {
        return;
    };
    let mut metas: Vec<&RuleMeta> = hits.of(ev).iter().filter_map(|r| rules.get(*r)).collect();
    metas.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.title.cmp(&b.title)));
    let mut note = Vec::new();
    for m in metas {
        for t in &m.attack {
            a.add_tag(t);
        }
        note.push(format!(
            "Sigma: {} ({}) [{}] by {}",
            m.title,
            m.level.name(),
            m.id,
            m.author
        ));
    }
    if !note.is_empty() && a.note.is_empty() {
        a.note = note.join("\n");
    }
}

/// Buckets of the histogram window `lo..=hi` (`n` wide) holding hits at or above the
/// chosen level, with the highest level in each. One pass over the hits in the window.
pub fn hist_hits(st: &State, lo: i64, hi: i64, n: usize) -> Vec<(usize, Level)> {
    if st.detect.current(st.timeline.len()).is_none() {
        return Vec::new();
    }
    let t = &st.timeline;
    let min = st.detect.min_level;
    let levels = &st.detect.levels;
    let first = t.lower_bound(lo);
    let start = levels.partition_point(|(e, _)| (*e as usize) < first);
    let mut out: Vec<(usize, Level)> = Vec::new();
    for &(e, l) in &levels[start..] {
        let Some(ts) = t.events.get(e as usize).map(|x| x.ts) else {
            break;
        };
        if ts > hi {
            break;
        }
        if l < min {
            continue;
        }
        if let Some(b) = histogram::bucket_of(ts, lo, hi, n) {
            match out.last_mut() {
                Some((lb, ll)) if *lb == b => *ll = (*ll).max(l),
                _ => out.push((b, l)),
            }
        }
    }
    out
}
