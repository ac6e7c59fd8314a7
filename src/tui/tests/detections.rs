//! Sigma detections in the TUI, on the bundled sample incident with vigil's own rules:
//! the run after loading (and again when the timeline grows), progress, hit keys, the
//! Detections view and its filter, the annotation pre-filled from a hit, snapshots, and
//! the UI answering keys while detection runs on a worker.

use super::*;
use crate::case::Severity;
use crate::detect::{Level, RuleOptions};
use crate::tui::action::Effect;
use crate::tui::detect::{DetectAction, DetectEffect, DetectPhase, ViewLine};
use crate::tui::run::Run;
use crate::tui::state::{Mode, PromptKind};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub(super) fn builtin_rules() -> RuleOptions {
    RuleOptions {
        dirs: Vec::new(),
        ..RuleOptions::default()
    }
}

/// The bundled sample, loaded once.
pub(super) fn sample() -> Arc<Timeline> {
    static T: OnceLock<Arc<Timeline>> = OnceLock::new();
    T.get_or_init(|| {
        let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/samples"));
        let opts = crate::ingest::Options {
            threads: 2,
            ..Default::default()
        };
        let t = crate::timeline::load_paths(&[p], &opts, &crate::ingest::Progress::default()).0;
        Arc::new(t)
    })
    .clone()
}

fn config(rules: bool) -> Config {
    Config {
        theme: Theme::new(false, false),
        rules: rules.then(builtin_rules),
        ..Config::default()
    }
}

/// The app on the sample with vigil's rules, jobs inline: detection is done once the
/// first action (the resize) has been applied.
fn app(w: u16, h: u16) -> App {
    App::loaded_inline(sample(), config(true), "test".into(), w, h)
}

fn level_of_cursor(st: &State) -> Option<Level> {
    let (_, hits) = st.detect.current(st.timeline.len())?;
    hits.max_level(st.cursor_event()?)
}

#[test]
fn detection_runs_once_loaded_and_hit_rows_carry_a_level_symbol() {
    let st = app(120, 30);
    assert_eq!(st.detect.phase, DetectPhase::Done, "{:?}", st.msg);
    let (_, hits) = st.detect.current(st.timeline.len()).unwrap();
    assert!(hits.event_count() >= 12, "{}", hits.event_count());
    assert!(st.detect.shown_hits > 0);
    assert!(!st.detect.view.rules.is_empty());
    let status = &screen(&st)[(st.size.1 - 2) as usize];
    assert!(status.contains("hits≥low"), "{status}");
    // `]` lands on a hit, and its row shows the level's symbol.
    let mut st = st;
    keys(&mut st, "]");
    let l = level_of_cursor(&st).expect("on a hit");
    let row = screen(&st)
        .into_iter()
        .find(|r| r.contains(crate::tui::theme::Theme::new(false, false).select_symbol()))
        .unwrap();
    assert!(
        row.contains(crate::tui::detect::level_symbol(l)),
        "{l:?}: {row}"
    );
}

#[test]
fn without_rules_nothing_runs_and_the_keys_say_why() {
    let mut st = App::loaded_inline(sample(), config(false), "test".into(), 80, 24);
    assert_eq!(st.detect.phase, DetectPhase::Off);
    let before = st.table.cursor;
    keys(&mut st, "]");
    assert_eq!(st.table.cursor, before);
    assert!(matches!(&st.msg, Some(crate::tui::state::Msg::Info(m)) if m.contains("--no-rules")));
    keys(&mut st, "R");
    assert_eq!(st.mode, Mode::Normal);
}

#[test]
fn next_and_previous_hit_stop_at_the_chosen_level() {
    let mut st = app(80, 24);
    // low → medium → high
    keys(&mut st, "LL");
    assert_eq!(st.detect.min_level, Level::High);
    let mut seen = Vec::new();
    for _ in 0..5 {
        keys(&mut st, "]");
        let l = level_of_cursor(&st).expect("on a hit");
        assert!(l >= Level::High, "{l:?}");
        seen.push(st.table.cursor);
    }
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    keys(&mut st, "[");
    assert_eq!(st.table.cursor, seen[3]);
    // Every hit at or above high between two stops would have been a stop.
    let (_, hits) = st.detect.current(st.timeline.len()).unwrap();
    let between = (seen[0] + 1..seen[1])
        .filter(|&e| hits.max_level(e).is_some_and(|l| l >= Level::High))
        .count();
    assert_eq!(between, 0);
    // Past the last one: the cursor stays, and the line says so.
    keys(&mut st, "G]");
    assert!(matches!(&st.msg, Some(crate::tui::state::Msg::Info(m)) if m.contains("no later hit")));
    // The level cycles round to informational and back to low.
    keys(&mut st, "LLL");
    assert_eq!(st.detect.min_level, Level::Low);
}

#[test]
fn detections_view_lists_rules_by_level_expands_hosts_and_enter_filters() {
    let mut st = app(100, 30);
    keys(&mut st, "R");
    assert_eq!(st.mode, Mode::Detections);
    let rules = st.detect.rules.clone().unwrap();
    let levels: Vec<Level> = st
        .detect
        .view
        .rules
        .iter()
        .map(|r| rules.rule(r.rule).level)
        .collect();
    assert!(levels.windows(2).all(|w| w[0] >= w[1]), "{levels:?}");
    let text = screen(&st).join("\n");
    let first = rules.rule(st.detect.view.rules[0].rule);
    assert!(
        text.contains(&first.title[..20.min(first.title.len())]),
        "{text}"
    );
    // Space: hosts of the first rule; the selection stays on the rule.
    keys(&mut st, " ");
    let hosts = st.detect.view.rules[0].hosts.clone().unwrap();
    assert!(!hosts.is_empty());
    assert_eq!(
        hosts.iter().map(|h| h.1).sum::<usize>(),
        st.detect.view.rules[0].hits
    );
    assert_eq!(st.detect.view.lines()[1], ViewLine::Host(0, 0));
    // Enter on the host line: the timeline shows that rule's hits on that host.
    keys(&mut st, "j<Enter>");
    assert_eq!(st.mode, Mode::Normal);
    assert!(
        st.query.filter.starts_with("rule:\""),
        "{}",
        st.query.filter
    );
    assert!(st.query.filter.contains("host:\""), "{}", st.query.filter);
    assert_eq!(st.rows(), hosts[0].1, "{} {hosts:?}", st.query.filter);
    // Enter on the rule: every hit of it.
    keys(&mut st, "RkG");
    keys(&mut st, "<Home><Enter>");
    assert_eq!(st.query.filter, format!("rule:\"{}\"", first.title));
    assert_eq!(st.rows(), st.detect.view.rules[0].hits);
    let (_, hits) = st.detect.current(st.timeline.len()).unwrap();
    for row in 0..st.rows() {
        let e = st.event_of_row(row).unwrap();
        assert!(hits.of(e).contains(&st.detect.view.rules[0].rule));
    }
    keys(&mut st, "R<Esc>");
    assert_eq!(st.mode, Mode::Normal);
}

#[test]
fn mark_on_a_hit_prefills_rule_title_and_attack_tags() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.vigil.json");
    let mut st = app(80, 24);
    // A hit whose rules name ATT&CK techniques.
    let (rules, hits) = st.detect.current(st.timeline.len()).unwrap();
    let (ev, on) = hits
        .iter()
        .find(|(_, on)| on.iter().any(|r| !rules.rule(*r).attack.is_empty()))
        .unwrap();
    let metas: Vec<_> = on.iter().map(|r| rules.rule(*r).clone()).collect();
    st.table.cursor = st.row_of_event(ev).unwrap();
    keys(&mut st, "m");
    assert_eq!(st.mode, Mode::Prompt(PromptKind::CasePath));
    st.open_prompt(PromptKind::CasePath, &path.display().to_string());
    keys(&mut st, "<Enter>h");
    let anns = st.case.info.as_ref().unwrap().annotations();
    assert_eq!(anns.len(), 1);
    let a = &anns[0];
    assert_eq!(a.severity, Some(Severity::High));
    for m in &metas {
        assert!(a.note.contains(&m.title), "{}", a.note);
        assert!(
            a.note.contains(&m.id) && a.note.contains(&m.author),
            "{}",
            a.note
        );
        for t in &m.attack {
            assert!(a.has_tag(t), "{t} in {:?}", a.tags);
        }
    }
}

#[test]
fn detail_pane_shows_each_rule_with_its_provenance() {
    let mut st = app(120, 40);
    keys(&mut st, "]<Enter>");
    let d = st.detail.lines.clone().unwrap();
    let text = format!("{:?}", d.lines);
    let (rules, hits) = st.detect.current(st.timeline.len()).unwrap();
    for r in hits.of(st.cursor_event().unwrap()) {
        let m = rules.rule(*r);
        for want in [m.title.as_str(), &m.id, &m.author, m.level.name()] {
            assert!(text.contains(want), "{want} in {text}");
        }
    }
    for want in ["ATT&CK", "description", "rule id", "author"] {
        assert!(text.contains(want), "{want}");
    }
}

#[test]
fn a_growing_timeline_runs_again_and_stale_hits_are_not_used() {
    let t = Timeline::from_test_lines(&[("logs/x.log", DC01)]);
    let mut st = App::loaded_inline(Arc::new(t), config(true), "test".into(), 80, 24);
    assert_eq!(st.detect.phase, DetectPhase::Done);
    let job = st.detect.job;
    st.apply(Action::Loaded(Box::new(
        crate::timeline::testing::test_source("logs/y.log", EDGE),
    )));
    assert_eq!(st.timeline.len(), 8);
    assert_eq!(st.detect.phase, DetectPhase::Done);
    assert!(st.detect.job > job);
    assert_eq!(st.detect.hits.as_ref().unwrap().covered(), 8);
}

#[test]
fn a_running_detection_is_cancelled_before_a_merge_and_late_results_are_dropped() {
    let mut st = app(80, 24);
    // As if a run were under way.
    st.detect.job += 1;
    let job = st.detect.job;
    st.detect.phase = DetectPhase::Running(Run::start(job, st.timeline.len()));
    st.ingest
        .pending
        .push(crate::timeline::testing::test_source("logs/y.log", EDGE));
    let fx = crate::tui::update::detections::step(&mut st.st);
    assert!(matches!(
        fx.as_slice(),
        [Effect::Detect(DetectEffect::Cancel)]
    ));
    assert_eq!(st.detect.phase, DetectPhase::Ready);
    // The cancelled run's answer changes nothing.
    st.ingest.pending.clear();
    let before = st.detect.job;
    crate::tui::update::update(
        &mut st.st,
        Action::Detect(DetectAction::Done { job, hits: None }),
    );
    assert!(st.detect.job > before, "a new run started instead");
    assert!(!matches!(st.detect.phase, DetectPhase::Failed));
}

#[test]
fn progress_actions_move_the_status_line_and_keys_still_act() {
    let mut st = app(80, 24);
    let total = st.timeline.len();
    st.detect.job += 1;
    let job = st.detect.job;
    st.detect.phase = DetectPhase::Running(Run::start(job, total));
    st.detect.hits = None;
    let status = |st: &State| screen(st)[(st.size.1 - 2) as usize].clone();
    assert!(status(&st).contains("detecting 0%"), "{}", status(&st));
    crate::tui::update::update(
        &mut st.st,
        Action::Detect(DetectAction::Progress {
            job,
            done: total * 43 / 100 + 1,
        }),
    );
    assert!(status(&st).contains("detecting 43%"), "{}", status(&st));
    // An old run's progress is not this one's.
    crate::tui::update::update(
        &mut st.st,
        Action::Detect(DetectAction::Progress {
            job: job - 1,
            done: total,
        }),
    );
    assert!(status(&st).contains("detecting 43%"));
    // The timeline answers keys meanwhile; hit keys say detection is running.
    keys(&mut st, "jj");
    assert_eq!(st.table.cursor, 2);
    keys(&mut st, "]");
    assert_eq!(st.table.cursor, 2);
    assert!(
        matches!(&st.msg, Some(crate::tui::state::Msg::Info(m)) if m.contains("detecting 43%"))
    );
}

/// Detection on worker threads: every action is applied at once (the UI never waits),
/// keys act while it runs, progress and hits arrive as actions.
#[test]
fn the_ui_answers_while_detection_runs_on_workers() {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut st = State::new(sample(), config(true));
    st.ingest.status.done = true;
    let mut st = App::new(st, Effects::threaded(tx, "test".into(), None));
    let t0 = Instant::now();
    st.apply(Action::Resize(80, 24));
    keys(&mut st, "j");
    assert!(
        t0.elapsed() < Duration::from_millis(500),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(st.detect.phase, DetectPhase::LoadingRules);
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut saw_running = false;
    while st.detect.phase != DetectPhase::Done {
        assert!(Instant::now() < deadline, "{:?}", st.detect.phase);
        let Ok(a) = rx.recv_timeout(Duration::from_millis(50)) else {
            continue;
        };
        let t = Instant::now();
        st.apply(a);
        if matches!(st.detect.phase, DetectPhase::Running(_)) && !saw_running {
            saw_running = true;
            let row = st.table.cursor;
            keys(&mut st, "j");
            assert_eq!(st.table.cursor, row + 1);
        }
        assert!(t.elapsed() < Duration::from_millis(500));
    }
    assert!(saw_running);
    assert!(st.detect.current(st.timeline.len()).is_some());
}

#[test]
fn snapshots_with_hits() {
    let snap = |name: &str, st: &State| insta::assert_snapshot!(name, draw(st).backend());
    let mut st = app(80, 24);
    keys(&mut st, "]]");
    snap("hits_80x24", &st);
    keys(&mut st, "<Enter>");
    snap("hit_detail_80x24", &st);
    keys(&mut st, "<Esc>R");
    snap("detections_80x24", &st);
    let mut st = app(140, 40);
    keys(&mut st, "]]<Enter>");
    snap("hit_detail_140x40", &st);
    keys(&mut st, "<Esc>R <Down><Down> ");
    snap("detections_expanded_140x40", &st);
    // --ascii: the symbols stay.
    st.config.theme = Theme::new(false, true);
    keys(&mut st, "<Esc>");
    snap("hits_ascii_140x40", &st);
}

#[test]
fn export_from_the_tui_writes_each_hit_events_rules_with_provenance() {
    let mut st = app(120, 30);
    let (rules, hits) = st.detect.current(st.timeline.len()).unwrap();
    let hit_events = hits.event_count();
    let first_title = {
        let ev = (0..st.timeline.len())
            .find(|&i| !hits.of(i).is_empty())
            .unwrap();
        rules.get(hits.of(ev)[0]).unwrap().title.clone()
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hits.jsonl");
    keys(&mut st, "ej");
    keys(&mut st, &format!("<C-u>{}<Enter>", out.display()));
    let text = std::fs::read_to_string(&out).unwrap();
    let with_rules: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v.get("rules").is_some())
        .collect();
    assert_eq!(
        with_rules.len(),
        hit_events,
        "one line per hit event carries rules"
    );
    let all: Vec<&serde_json::Value> = with_rules
        .iter()
        .flat_map(|v| v["rules"].as_array().unwrap())
        .collect();
    assert!(all.iter().any(|r| r["title"] == first_title.as_str()));
    // DRL 1.1: every rule written says where it comes from.
    for r in all {
        assert!(r["id"].is_string() && r["author"].is_string(), "{r}");
    }
}
