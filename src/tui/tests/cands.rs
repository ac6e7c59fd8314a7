//! Early-detection candidates in the TUI, on the bundled sample with vigil's own rules:
//! the analyzers after the Sigma run, the candidates view (ranked, grouped by host, the
//! earliest per host marked without colour), Enter, accept and dismiss journalled in the
//! case, the `candidate`/`reviewed`/`dismissed` filters, the silence lane and "what led
//! here".

use super::detections::{builtin_rules, sample};
use super::*;
use crate::case::{Case, Decision, Kind};
use crate::detect::candidates::Origin;
use crate::tui::cands::{CandAction, CandLine, CandPhase};
use crate::tui::detect::DetectPhase;
use crate::tui::run::Run;
use crate::tui::state::{Mode, Msg, PromptKind};
use std::path::Path;

fn config(rules: bool) -> Config {
    Config {
        theme: Theme::new(false, false),
        rules: rules.then(builtin_rules),
        analyze: true,
        ..Config::default()
    }
}

/// The app on the sample, rules and analyzers on, jobs inline: both are done once the
/// first action (the resize) has been applied.
fn app(w: u16, h: u16) -> App {
    app_with(config(true), w, h)
}

fn app_with(c: Config, w: u16, h: u16) -> App {
    App::loaded_inline(sample(), c, "test".into(), w, h)
}

fn with_case(w: u16, h: u16, path: &Path) -> App {
    let mut st = app(w, h);
    let (case, report) = Case::open(path, "test").unwrap();
    let opened = st.fx.adopt_case(case, report);
    st.apply(opened);
    st
}

fn info(st: &State) -> String {
    match &st.msg {
        Some(Msg::Info(m)) | Some(Msg::Error(m)) => m.clone(),
        None => String::new(),
    }
}

fn selected(st: &State) -> crate::detect::candidates::Candidate {
    crate::tui::update::cands::selected(st).unwrap().clone()
}

#[test]
fn analyzers_run_after_sigma_and_the_view_ranks_both() {
    let mut st = app(100, 30);
    assert_eq!(st.detect.phase, DetectPhase::Done);
    assert_eq!(st.cands.phase, CandPhase::Done, "{:?}", st.msg);
    let list = st.cands.current(st.timeline.len()).unwrap().clone();
    assert!(list.len() >= 25, "{}", list.len());
    assert!(
        list.list
            .iter()
            .any(|c| matches!(c.origin, Origin::Sigma { .. }))
    );
    assert!(
        list.list
            .iter()
            .any(|c| matches!(c.origin, Origin::Analyzer(_)))
    );
    keys(&mut st, "E");
    assert_eq!(st.mode, Mode::Candidates);
    // Flat by score: the first line is the best candidate, and moving walks the list.
    assert_eq!(selected(&st), list.list[0]);
    keys(&mut st, "jj");
    assert_eq!(selected(&st), list.list[2]);
    let s = screen(&st).join("\n");
    assert!(
        s.contains(&format!("{} candidates, by score", list.len())),
        "{s}"
    );
    // The best candidate's reason is on screen.
    assert!(s.contains("sigma critical"), "{s}");
    keys(&mut st, "q");
    assert_eq!(st.mode, Mode::Normal);
}

#[test]
fn grouped_by_host_each_host_heads_its_candidates_and_its_earliest_is_starred() {
    let mut st = app(100, 40);
    keys(&mut st, "E");
    let keep = selected(&st);
    keys(&mut st, "o");
    assert!(st.cands.view.by_host);
    assert!(info(&st).contains("grouped by host"));
    // The selection stays on the same candidate.
    assert_eq!(selected(&st), keep);
    let list = st.cands.list.clone().unwrap();
    let lines = st.cands.view.lines.clone();
    assert!(matches!(lines[0], CandLine::Host(..)));
    let mut host = String::new();
    let mut prev: Option<&crate::detect::candidates::Candidate> = None;
    for l in &lines {
        match l {
            CandLine::Host(h, n) => {
                host = h.clone();
                assert!(*n > 0);
                prev = None;
            }
            CandLine::Cand(i) => {
                let c = &list.list[*i];
                assert!(
                    c.host.eq_ignore_ascii_case(&host),
                    "{} under {host}",
                    c.host
                );
                // In time order, the earliest (starred) first.
                match prev {
                    None => assert!(c.earliest, "{c:?}"),
                    Some(p) => assert!(p.ts <= c.ts),
                }
                prev = Some(c);
            }
        }
    }
    // Host headings are never selected: moving skips them.
    for _ in 0..lines.len() {
        keys(&mut st, "j");
        assert!(matches!(
            st.cands.view.lines[st.cands.view.sel],
            CandLine::Cand(_)
        ));
    }
    keys(&mut st, "g");
    assert_eq!(st.cands.view.sel, 1);
}

#[test]
fn enter_goes_to_the_event_even_when_the_filter_hid_it() {
    let mut st = app(100, 30);
    keys(&mut st, "E");
    let c = selected(&st);
    keys(&mut st, "<Enter>");
    assert_eq!(st.mode, Mode::Normal);
    assert_eq!(st.cursor_event(), Some(c.event));
    // A filter that hides it: cleared, and the cursor lands on it.
    st.open_prompt(PromptKind::Filter, "event_id:99999");
    keys(&mut st, "<Enter>");
    assert_eq!(st.rows(), 0);
    keys(&mut st, "E<Enter>");
    assert_eq!(st.cursor_event(), Some(c.event));
    assert!(st.table.view.is_none());
}

#[test]
fn accept_and_dismiss_are_journalled_with_author_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.vigil.json");
    let mut st = with_case(100, 30, &path);
    keys(&mut st, "E");
    let first = selected(&st);
    keys(&mut st, "m");
    assert!(info(&st).contains("accepted"), "{}", info(&st));
    // On to the next one, which is dismissed.
    let second = selected(&st);
    assert_ne!(first, second);
    keys(&mut st, "x");
    assert!(info(&st).contains("dismissed"), "{}", info(&st));
    // The journal has both, as a fresh open (the crash case) finds them.
    let case = Case::open(&path, "other").unwrap().0;
    let k1 = st.timeline.key(first.event).unwrap();
    let k2 = st.timeline.key(second.event).unwrap();
    let r1 = case.review_of(&k1, &first.id).unwrap();
    assert_eq!(
        (r1.decision, r1.author.as_str()),
        (Decision::Accepted, "test")
    );
    let r2 = case.review_of(&k2, &second.id).unwrap();
    assert_eq!(
        (r2.decision, r2.author.as_str()),
        (Decision::Dismissed, "test")
    );
    assert!(r2.at.ends_with('Z'));
    let a = case
        .annotations()
        .iter()
        .find(|a| a.key == k1)
        .expect("accepted: annotated");
    assert_eq!(a.kind, Kind::EarlyDetection);
    assert!(a.note.contains(&first.why), "{}", a.note);
    assert!(a.tags.iter().any(|t| t == "candidate"));
    assert!(case.annotations().iter().all(|a| a.key != k2));
    // The view shows both decisions by symbol.
    keys(&mut st, "g");
    let s = screen(&st).join("\n");
    assert!(s.contains('✓') && s.contains('✗'), "{s}");
    // Filters: reviewed, dismissed, candidate.
    keys(&mut st, "q");
    for (q, want) in [
        (
            "reviewed",
            vec![first.event.min(second.event), first.event.max(second.event)],
        ),
        ("dismissed", vec![second.event]),
    ] {
        st.open_prompt(PromptKind::Filter, q);
        keys(&mut st, "<Enter>");
        let rows = view_events(&st);
        let mut want = want;
        want.dedup();
        assert_eq!(rows, want, "{q}");
    }
    st.open_prompt(PromptKind::Filter, "candidate");
    keys(&mut st, "<Enter>");
    let list = st.cands.list.clone().unwrap();
    let mut want: Vec<u32> = list.list.iter().map(|c| c.event as u32).collect();
    want.sort_unstable();
    want.dedup();
    assert_eq!(st.table.view.as_deref(), Some(&want));
}

#[test]
fn a_review_without_a_case_asks_for_its_path_and_then_happens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.vigil.json");
    let mut st = app(100, 30);
    keys(&mut st, "E");
    let c = selected(&st);
    keys(&mut st, "x");
    assert_eq!(st.mode, Mode::Prompt(PromptKind::CasePath));
    st.open_prompt(PromptKind::CasePath, &path.display().to_string());
    keys(&mut st, "<Enter>");
    assert_eq!(st.mode, Mode::Candidates);
    let case = Case::open(&path, "other").unwrap().0;
    let k = st.timeline.key(c.event).unwrap();
    assert_eq!(
        case.review_of(&k, &c.id).map(|r| r.decision),
        Some(Decision::Dismissed)
    );
}

#[test]
fn accepting_an_annotated_event_keeps_its_one_annotation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.vigil.json");
    let mut st = with_case(100, 30, &path);
    keys(&mut st, "E");
    let c = selected(&st);
    keys(&mut st, "<Enter>mh");
    assert_eq!(st.case.annotations().len(), 1);
    keys(&mut st, "Em");
    assert!(info(&st).contains("keeps its annotation"), "{}", info(&st));
    let case = Case::open(&path, "other").unwrap().0;
    assert_eq!(case.annotations().len(), 1);
    let k = st.timeline.key(c.event).unwrap();
    assert_eq!(
        case.review_of(&k, &c.id).map(|r| r.decision),
        Some(Decision::Accepted)
    );
}

#[test]
fn progress_shows_on_the_status_line_and_a_stale_run_is_dropped() {
    let mut st = app(100, 30);
    let len = st.timeline.len();
    st.cands.job += 1;
    let job = st.cands.job;
    st.cands.phase = CandPhase::Running(Run::start(job, len));
    st.apply(Action::Cands(CandAction::Progress { job, done: len / 2 }));
    let status = &screen(&st)[(st.size.1 - 2) as usize];
    assert!(status.contains("analyzing 50%"), "{status}");
    // `E` says why there is nothing yet.
    keys(&mut st, "E");
    assert_eq!(st.mode, Mode::Normal);
    assert!(info(&st).contains("analyzing"), "{}", info(&st));
    // The result of an older run is dropped.
    st.apply(Action::Cands(CandAction::Done {
        job: job - 1,
        result: None,
    }));
    assert!(matches!(st.cands.phase, CandPhase::Running(_)));
    // A cancelled run says so.
    st.apply(Action::Cands(CandAction::Done { job, result: None }));
    assert_eq!(st.cands.phase, CandPhase::Failed);
}

#[test]
fn without_analyzers_e_says_so() {
    let mut st = app_with(
        Config {
            analyze: false,
            ..config(false)
        },
        80,
        24,
    );
    assert_eq!(st.cands.phase, CandPhase::Waiting);
    keys(&mut st, "E");
    assert_eq!(st.mode, Mode::Normal);
    assert!(info(&st).contains("no analyzers"));
}

#[test]
fn analyzers_run_without_sigma_too() {
    let st = app_with(config(false), 80, 24);
    assert_eq!(st.cands.phase, CandPhase::Done);
    let list = st.cands.list.clone().unwrap();
    assert!(
        list.list
            .iter()
            .all(|c| matches!(c.origin, Origin::Analyzer(_)))
    );
}

#[test]
fn candidates_80x24_no_color() {
    let mut st = app(80, 24);
    keys(&mut st, "E");
    insta::assert_snapshot!("candidates_80x24", draw(&st).backend());
    keys(&mut st, "o");
    // NO_COLOR: the earliest mark is a symbol, and nothing on the screen is coloured.
    let t = draw(&st);
    let buf = t.backend().buffer();
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset)
    );
    assert!(screen(&st).iter().any(|l| l.contains('★')));
}

#[test]
fn ascii_marks_the_earliest_with_an_asterisk() {
    let mut st = app_with(
        Config {
            theme: Theme::new(false, true),
            ..config(true)
        },
        100,
        30,
    );
    keys(&mut st, "Eo");
    let s = screen(&st).join("\n");
    // Log text may hold any character; the view's own marks are ASCII.
    assert!(!s.contains(['★', '✓', '✗', '▶', '│']), "{s}");
    let starred = screen(&st)
        .into_iter()
        .filter(|l| l.contains("| * ") || l.contains("|>* "))
        .count();
    assert!(starred >= 1, "{s}");
}

#[test]
fn led_here_filters_to_what_led_to_the_event() {
    let mut st = app(100, 30);
    // The encoded PowerShell under WINWORD's cmd.exe on the first host.
    st.open_prompt(
        PromptKind::Filter,
        "host:WS-RECEPTION-01 event_id:1 cmdline~/-enc/",
    );
    keys(&mut st, "<Enter>");
    assert!(st.rows() >= 1);
    let ev = st.cursor_event().unwrap();
    keys(&mut st, "<");
    let rows = view_events(&st);
    assert_eq!(rows.last(), Some(&ev), "the event itself ends the view");
    assert!(rows.len() > 1);
    assert_eq!(st.cursor_event(), Some(ev));
    assert!(
        st.query.filter.starts_with("led here:"),
        "{}",
        st.query.filter
    );
    // Its parent cmd.exe (the macro's shell) is among them.
    assert!(
        rows.iter().any(|&r| st
            .timeline
            .message(r)
            .to_ascii_lowercase()
            .contains("cmd.exe")),
        "{rows:?}"
    );
    keys(&mut st, "F");
    assert!(st.table.view.is_none());
}

#[test]
fn silence_lane_under_the_histogram_when_a_source_fell_silent() {
    let mut st = app(100, 30);
    if st.cands.silences.is_empty() {
        // The sample has none: plant one to see the lane drawn.
        let t = &st.timeline;
        let (lo, hi) = crate::timeline::histogram::extent(t).unwrap();
        let mid = lo + (hi - lo) / 2;
        st.cands.silences = Arc::new(vec![crate::detect::analyze::Silence {
            source: 0,
            host: "X".into(),
            from: mid,
            to: Some(mid + (hi - lo) / 10),
            before: 0,
            others: 1000,
            normal_ns: 1,
        }]);
    }
    crate::tui::update::refresh(&mut st);
    let a = st.areas();
    assert_eq!(a.hist.map(|r| r.height), Some(4));
    assert!(!st.cands.lane.is_empty());
    let lane = &screen(&st)[3];
    assert!(lane.contains('▒'), "{lane}");
}

/// At 80 columns the views and panels leave one column of the timeline beside each
/// border: cleared, not torn words of the rows under the box.
#[test]
fn views_at_80_columns_leave_no_timeline_fragments_beside_the_box() {
    for open in ["E", "R", ":top event_id<Enter>"] {
        let mut st = app(80, 24);
        keys(&mut st, open);
        let s = screen(&st);
        let rows: Vec<&String> = s.iter().filter(|r| r.contains('│')).collect();
        assert!(rows.len() > 10, "{open}: {}", s.join("\n"));
        for r in rows {
            let cells: Vec<char> = r.chars().collect();
            assert_eq!(cells.len(), 80, "{r}");
            assert_eq!((cells[0], cells[79]), (' ', ' '), "{open}: {r:?}");
            assert_eq!((cells[1], cells[78]), ('│', '│'), "{open}: {r:?}");
        }
    }
}
