//! Key sequences driven to idle, asserting the resulting state.

use super::*;
use crate::timeline::testing::test_source;
use crate::tui::action::Effect;
use crate::tui::state::{IndexStatus, Mode, Msg, PromptKind};
use crate::tui::update::update;

/// The report of a path discovery passed over.
fn passed_over(path: &str, reason: &str, unreadable: bool) -> crate::ingest::SourceReport {
    crate::ingest::discover::Skipped {
        path: path.into(),
        reason: reason.into(),
        unreadable,
    }
    .report()
}

/// The job of the filter under way, if any.
fn pending_job(st: &State) -> Option<u64> {
    st.query.filter_pending.as_ref().map(|p| p.job)
}

/// `f`, then `typed` key by key without running jobs: the effects of the last key (Enter).
fn filter_effects(st: &mut App, typed: &str) -> Vec<Effect> {
    update(st, Action::Key(parse_keys("f")[0]));
    let mut fx = Vec::new();
    for k in parse_keys(typed) {
        fx = update(st, Action::Key(k));
    }
    fx
}

/// A tick of the event loop with no job under way; `ingest_done`: the loader has finished.
fn idle_tick(st: &mut App, ingest_done: bool) {
    let ingest = crate::tui::state::IngestStatus {
        done: ingest_done,
        ..Default::default()
    };
    let tick = Action::Tick {
        ingest,
        filter_done: 0,
        index_done: 0,
        count_done: 0,
    };
    apply_sync(st, tick);
}

/// A FIFO or a link loop is skipped, not "unreadable"; a missing named path is.
#[test]
fn skipped_and_unreadable_paths_are_told_apart() {
    let mut st = state(80, 24);
    st.ingest.status.done = false;
    let fifo = passed_over(
        "ev/pipe",
        "skipped: named pipe (FIFO), not a regular file",
        false,
    );
    let lp = passed_over("ev/loop", "skipped: symbolic link loop", false);
    apply_sync(&mut st, Action::IngestDone(vec![fifo.clone(), lp.clone()]));
    assert_eq!(
        st.msg,
        Some(Msg::Info(
            "2 path(s) skipped: ev/pipe: named pipe (FIFO), not a regular file".into()
        ))
    );
    let mut st = state(80, 24);
    st.ingest.status.done = false;
    let gone = passed_over("ev/gone.evtx", "No such file or directory", true);
    apply_sync(&mut st, Action::IngestDone(vec![gone, fifo]));
    assert_eq!(
        st.msg,
        Some(Msg::Error(
            "1 path(s) unreadable, 1 path(s) skipped: ev/gone.evtx: cannot read: No such file or directory"
                .into()
        ))
    );
}

/// A filter naming a field no loaded event has says so (the filter still runs); record
/// flags (`recovered:true`, `bad_time`) are not fields and never warn.
#[test]
fn unknown_field_names_warn_and_flag_terms_do_not() {
    let mut st = state(80, 24);
    // Loading over: the field names are collected (inline here).
    apply_sync(&mut st, Action::IngestDone(Vec::new()));
    assert!(st.query.fields.is_some());
    keys(&mut st, "fusr:alice<Enter>");
    assert_eq!(st.query.filter, "usr:alice");
    assert_eq!(
        st.msg,
        Some(Msg::Error(
            "0 events match; warning: column 1: no loaded source has field `usr` (did you mean `user`?)"
                .into()
        ))
    );
    for q in ["recovered:true", "bad_time", "NOT bad_time user:alice"] {
        keys(&mut st, &format!("f<C-u>{q}<Enter>"));
        assert_eq!(st.query.filter, q);
        assert!(matches!(st.msg, Some(Msg::Info(_))), "{q}: {:?}", st.msg);
    }
}

#[test]
fn last_then_search_then_next_wraps() {
    let mut st = state(80, 24);
    keys(&mut st, "G");
    assert_eq!(st.table.cursor, st.rows() - 1);
    keys(&mut st, "/powershell<Enter>");
    // From the last row the search wraps to the first PowerShell event.
    assert!(
        selected_message(&st).contains("powershell.exe -enc"),
        "{}",
        selected_message(&st)
    );
    assert_eq!(st.msg, Some(Msg::Info("search wrapped around".into())));
    keys(&mut st, "n");
    assert!(selected_message(&st).contains("PowerShell.exe -nop"));
    keys(&mut st, "N");
    assert!(selected_message(&st).contains("-enc"));
    // Smart case: upper case letters make it case-sensitive.
    keys(&mut st, "/PowerShell<Enter>");
    assert!(selected_message(&st).contains("-nop"));
    keys(&mut st, "/nothing here<Enter>");
    assert!(matches!(st.msg, Some(Msg::Error(ref e)) if e.contains("no match")));
    assert!(
        selected_message(&st).contains("-nop"),
        "a failed search does not move"
    );
}

#[test]
fn indexed_search_lists_hits_and_steps_like_a_scan() {
    let mut slow = state(80, 24);
    let mut fast = state(80, 24);
    // Loading done: the index is built (inline here) and searches list every hit.
    apply_sync(&mut fast, Action::IngestDone(Vec::new()));
    assert_eq!(fast.ingest.index, IndexStatus::Ready);
    assert!(fast.timeline.text_index().is_some());
    for step in [
        "G",
        "/powershell<Enter>",
        "n",
        "n",
        "n",
        "N",
        "N",
        "g",
        "/4624<Enter>",
        "n",
        "N",
        "f4624<Enter>",
        "/alice<Enter>",
        "n",
        "F",
        "n",
        "/nothing here<Enter>",
        "n",
    ] {
        keys(&mut slow, step);
        keys(&mut fast, step);
        assert_eq!(slow.table.cursor, fast.table.cursor, "after {step}");
        assert_eq!(slow.msg, fast.msg, "after {step}");
    }
    keys(&mut fast, "/powershell<Enter>");
    let listed = fast.query.search_hits.as_ref().map(|h| h.rows.len());
    assert!(listed.is_some_and(|n| n >= 2), "{listed:?}");
    // `n` answers from the list: no job is started.
    let fx = update(&mut fast, Action::Key(parse_keys("n")[0]));
    assert!(fx.is_empty() && fast.query.search_pending.is_none());
}

#[test]
fn filter_running_when_the_index_is_ready_is_started_again() {
    let mut st = state(80, 24);
    let fx = update(&mut st, Action::Key(parse_keys("f")[0]));
    assert!(fx.is_empty());
    for k in parse_keys("alice<Enter>") {
        update(&mut st, Action::Key(k));
    }
    let first = pending_job(&st).expect("filtering");
    st.ingest.index = IndexStatus::Building;
    let fx = update(&mut st, Action::IndexDone);
    let again = pending_job(&st).expect("filtering again");
    assert!(again > first);
    assert!(matches!(fx.as_slice(), [Effect::Filter { job, .. }] if *job == again));
    // The first job's result is stale now.
    update(
        &mut st,
        Action::FilterDone {
            job: first,
            rows: Some(vec![0]),
        },
    );
    assert!(st.table.view.is_none());
}

/// Free text typed while the index is being built waits for it rather than reading every
/// event beside it (at 1.5 M events that read took a minute under a Sigma run); a filter
/// without free text, or one whose time range is smaller than what the index has left,
/// runs at once.
#[test]
fn free_text_filter_waits_for_the_index_being_built() {
    let mut st = state(80, 24);
    st.ingest.index = IndexStatus::Building;
    st.ingest.index_progress = 0;
    let fx = filter_effects(&mut st, "alice<Enter>");
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Filter { .. })),
        "a scan started beside the index"
    );
    let job = pending_job(&st).expect("pending");
    let shown = screen(&st).join("\n");
    assert!(
        shown.contains("filter waits for the index: alice"),
        "{shown}"
    );
    let fx = update(&mut st, Action::IndexDone);
    assert!(matches!(fx.as_slice(), [Effect::Filter { job: j, .. }] if *j > job));

    // Nothing the index answers (a time bound only): at once, index or not.
    st.ingest.index = IndexStatus::Building;
    let first = st.timeline.events.first().map(|e| e.ts).unwrap();
    let from = crate::model::format_rfc3339(first + 1);
    let fx = filter_effects(&mut st, &format!("<C-u>after:{from}<Enter>"));
    assert!(fx.iter().any(|e| matches!(e, Effect::Filter { .. })));

    // A time range smaller than what the index has left to read: read it.
    st.ingest.index_progress = st.timeline.len() / 2;
    let last = st.timeline.events.last().map(|e| e.ts).unwrap();
    let at = crate::model::format_rfc3339(last);
    let fx = filter_effects(&mut st, &format!("<C-u>alice after:{at}<Enter>"));
    assert!(fx.iter().any(|e| matches!(e, Effect::Filter { .. })));
}

#[test]
fn reopened_case_cursor_comes_back_once_loaded() {
    let mut st = state(80, 24);
    let ts = st.timeline.events[5].ts;
    st.table.resume_at = Some(ts);
    st.ingest.status.done = false;
    apply_sync(&mut st, Action::IngestDone(Vec::new()));
    assert_eq!(st.cursor_ts(), Some(ts));
    assert!(st.table.resume_at.is_none() && st.table.touched);
    // A key pressed before the end of loading wins.
    let mut st = state(80, 24);
    st.table.resume_at = Some(ts);
    st.ingest.status.done = false;
    keys(&mut st, "jj");
    apply_sync(&mut st, Action::IngestDone(Vec::new()));
    assert_eq!(st.table.cursor, 2);
}

#[test]
fn index_build_shows_its_progress_on_the_status_line() {
    let mut st = state(80, 24);
    st.ingest.index = IndexStatus::Building;
    st.ingest.index_progress = st.timeline.len() / 2;
    let lines = screen(&st);
    assert!(
        lines.iter().any(|l| l.contains("indexing 50%")),
        "{}",
        lines.join("\n")
    );
    st.ingest.index = IndexStatus::Ready;
    assert!(!screen(&st).iter().any(|l| l.contains("indexing")));
}

#[test]
fn movement_keys() {
    let mut st = state(80, 24);
    let page = st.page_rows();
    keys(&mut st, "jjj");
    assert_eq!(st.table.cursor, 3);
    keys(&mut st, "k<Down><Up><Up>");
    assert_eq!(st.table.cursor, 1);
    keys(&mut st, " ");
    assert_eq!(st.table.cursor, 1 + page);
    keys(&mut st, "b<C-d>");
    assert_eq!(st.table.cursor, 1 + page / 2);
    keys(&mut st, "<C-u><End>");
    assert_eq!(st.table.cursor, st.rows() - 1);
    assert!(
        st.table.top + page > st.table.cursor && st.table.top <= st.table.cursor,
        "cursor on screen"
    );
    keys(&mut st, "<Home>");
    assert_eq!((st.table.cursor, st.table.top), (0, 0));
    keys(&mut st, "kkk<PgUp>");
    assert_eq!(st.table.cursor, 0);
}

#[test]
fn filter_keeps_previous_on_cancel_and_clears_with_f() {
    let mut st = state(80, 24);
    keys(&mut st, "fedge-fw<Enter>");
    assert_eq!(st.query.filter, "edge-fw");
    assert_eq!(st.rows(), 2);
    assert!(st.table.view.is_some());
    // Editing starts from the current filter; Esc leaves it alone.
    keys(&mut st, "f<BS><BS>zz<Esc>");
    assert_eq!(st.mode, Mode::Normal);
    assert_eq!(st.query.filter, "edge-fw");
    assert_eq!(st.rows(), 2);
    // Esc in the table never clears the filter.
    keys(&mut st, "<Esc><Esc>");
    assert_eq!(st.query.filter, "edge-fw");
    keys(&mut st, "F");
    assert_eq!(st.query.filter, "");
    assert_eq!(st.rows(), st.timeline.len());
}

#[test]
fn filter_keeps_cursor_on_the_same_event() {
    let mut st = state(80, 24);
    keys(&mut st, "/cleared<Enter>");
    let ev = st.cursor_event();
    keys(&mut st, "fDC01<Enter>");
    assert_eq!(st.cursor_event(), ev);
    keys(&mut st, "F");
    assert_eq!(st.cursor_event(), ev);
}

#[test]
fn goto_time_absolute_relative_and_days() {
    let mut st = state(80, 24);
    keys(&mut st, "t2022-12-04<Enter>");
    assert!(selected_message(&st).contains("audit log was cleared"));
    keys(&mut st, "t-15h<Enter>");
    // 2022-12-03T18:00 is the first event at or after 09:00 - 15h = 18:00.
    assert!(selected_message(&st).contains("successfully logged on"));
    keys(&mut st, "d");
    assert!(selected_message(&st).contains("audit log was cleared"));
    keys(&mut st, "D");
    assert!(selected_message(&st).contains("successfully logged on"));
    keys(&mut st, ":goto 2022-12-03T19<Enter>");
    assert!(selected_message(&st).contains("invoice"));
    keys(&mut st, "tlater<Enter>");
    assert_eq!(
        st.mode,
        Mode::Prompt(PromptKind::Time),
        "a bad time keeps the line open"
    );
    assert!(st.prompt.error.is_some());
    keys(&mut st, "<Esc>");
    assert_eq!(st.mode, Mode::Normal);
    assert!(selected_message(&st).contains("invoice"));
}

#[test]
fn pivot_appends_a_field_term_with_and() {
    let mut st = state(80, 24);
    keys(&mut st, "=");
    assert_eq!(st.mode, Mode::Picker);
    assert_eq!(
        st.picker.items.first(),
        Some(&("host".to_string(), "DC01".to_string()))
    );
    keys(&mut st, "<Esc>");
    assert_eq!(st.mode, Mode::Normal);
    keys(&mut st, "falice<Enter>=j<Enter>");
    assert_eq!(st.query.filter, "alice AND user:\"alice\"");
    assert_eq!(
        crate::tui::update::pivot_term("file", "a\"b\\c"),
        "file:\"a\\\"b\\\\c\""
    );
}

#[test]
fn commands_and_quit() {
    let mut st = state(80, 24);
    keys(&mut st, ":5<Enter>");
    assert_eq!(st.table.cursor, 4);
    keys(&mut st, ":filter ws07<Enter>");
    assert_eq!(st.query.filter, "ws07");
    assert_eq!(st.rows(), 61);
    keys(&mut st, ":bogus<Enter>");
    assert!(matches!(st.msg, Some(Msg::Error(ref e)) if e.contains("unknown command")));
    keys(&mut st, ":tz +05:30<Enter>");
    assert_eq!(st.zone().1.to_string(), "+05:30");
    assert!(!st.quit);
    st.case.unsaved = true;
    keys(&mut st, "q");
    assert_eq!(st.mode, Mode::Quit);
    keys(&mut st, "n");
    assert!(!st.quit && st.mode == Mode::Normal);
    keys(&mut st, ":q<Enter>y");
    assert!(st.quit);
    let mut st = state(80, 24);
    keys(&mut st, "q");
    assert!(st.quit, "nothing unsaved: q quits at once");
    let mut st = state(80, 24);
    keys(&mut st, "f<C-c>");
    assert!(st.quit, "Ctrl-C quits from anywhere");
}

#[test]
fn views_toggle() {
    let mut st = state(80, 24);
    let page = st.page_rows();
    keys(&mut st, "i");
    assert!(!st.hist.on);
    assert_eq!(st.page_rows(), page + 3);
    keys(&mut st, "i<Enter>");
    assert!(st.detail.open && st.detail.lines.is_some());
    keys(&mut st, "<Tab>jj");
    assert!(st.detail.focused);
    assert_eq!(
        (st.table.cursor, st.detail.sel),
        (0, 2),
        "j moves in the focused detail pane"
    );
    // Tab: on to the histogram, then back to the table.
    keys(&mut st, "<Tab>");
    assert_eq!(st.mode, Mode::Hist);
    keys(&mut st, "<Tab>j");
    assert_eq!(st.mode, Mode::Normal);
    assert_eq!(st.table.cursor, 1);
    keys(&mut st, "<Esc>");
    assert!(!st.detail.open);
    keys(&mut st, "?");
    assert_eq!(st.mode, Mode::Help);
    keys(&mut st, "jj<Esc>");
    assert_eq!(st.mode, Mode::Normal);
    keys(&mut st, "T");
    assert_eq!(st.zone, 0, "a single zone cycles to itself");
    // Without a case file, annotating or saving first asks where the case lives.
    for k in ["m", "a", "s"] {
        keys(&mut st, k);
        assert_eq!(st.mode, Mode::Prompt(PromptKind::CasePath), "{k}");
        keys(&mut st, "<Esc>");
        assert_eq!(st.mode, Mode::Normal);
    }
}

#[test]
fn histogram_zoom_and_filtered_counts() {
    let mut st = state(80, 24);
    let total: u64 = st.hist.all.iter().sum();
    assert_eq!(total as usize, st.timeline.len());
    assert_eq!(st.hist.all.len(), 80);
    let (lo, hi) = st.hist.range.unwrap();
    keys(&mut st, "/connection 30<Enter>zz");
    let (zlo, zhi) = st.hist.range.unwrap();
    assert!(zhi - zlo <= (hi - lo) / 4 + 1 && zlo >= lo && zhi <= hi);
    let ts = st.cursor_ts().unwrap();
    assert!(zlo <= ts && ts <= zhi, "zoom window holds the cursor");
    keys(&mut st, "ZZZ");
    assert_eq!(st.hist.range, Some((lo, hi)));
    keys(&mut st, "fDC01<Enter>");
    let shown: u64 = st.hist.shown.iter().sum();
    assert_eq!(shown, 5);
    assert_eq!(st.hist.all.iter().sum::<u64>() as usize, st.timeline.len());
}

#[test]
fn paste_never_runs_as_keys() {
    let mut st = state(80, 24);
    apply_sync(&mut st, Action::Paste("G:q\n".into()));
    assert_eq!(st.mode, Mode::Prompt(PromptKind::Search));
    assert_eq!(st.prompt_text(), "G:q");
    assert!(!st.quit);
    assert_eq!(st.table.cursor, 0);
    keys(&mut st, "<Esc>f");
    apply_sync(&mut st, Action::Paste("10.0.0.5\r\nextra".into()));
    assert_eq!(st.prompt_text(), "10.0.0.5  extra");
}

#[test]
fn latest_filter_wins() {
    let mut st = state(80, 24);
    let first = crate::tui::update::apply_filter(&mut st, "DC01".into());
    let second = crate::tui::update::apply_filter(&mut st, "edge-fw".into());
    let job = |fx: &[Effect]| match fx.first() {
        Some(Effect::Filter { job, .. }) => *job,
        _ => panic!("no filter job"),
    };
    let (j1, j2) = (job(&first), job(&second));
    drop((first, second));
    update(
        &mut st,
        Action::FilterDone {
            job: j1,
            rows: Some(vec![0]),
        },
    );
    assert!(st.table.view.is_none(), "a stale result is dropped");
    update(
        &mut st,
        Action::FilterDone {
            job: j2,
            rows: Some(vec![1, 2]),
        },
    );
    assert_eq!(st.rows(), 2);
    assert_eq!(st.query.filter, "edge-fw");
    // A cancelled job reports nothing and leaves the request pending.
    let fx = crate::tui::update::apply_filter(&mut st, "ws07".into());
    let j3 = job(&fx);
    drop(fx);
    update(
        &mut st,
        Action::FilterDone {
            job: j3,
            rows: None,
        },
    );
    assert!(st.query.filter_pending.is_some());
    keys(&mut st, "<Esc>");
    assert!(st.query.filter_pending.is_none());
    assert_eq!(st.query.filter, "edge-fw");
}

#[test]
fn streaming_sources_keep_the_cursor_on_its_event() {
    let first = Arc::new(Timeline::from_test_lines(&[(
        "logs/dc01/security.log",
        DC01,
    )]));
    let mut st = state_with(first, 80, 24);
    st.ingest.status.done = false;
    keys(&mut st, "/whoami<Enter><Enter>");
    let key = st.cursor_event().and_then(|e| st.timeline.key(e));
    assert!(key.is_some());
    // A job still holding the timeline delays the merge until it lets go.
    let held = st.timeline.clone();
    apply_sync(
        &mut st,
        Action::Loaded(Box::new(test_source("logs/fw/edge.log", EDGE))),
    );
    assert_eq!(st.timeline.len(), 5);
    assert_eq!(st.ingest.pending.len(), 1);
    drop(held);
    idle_tick(&mut st, false);
    assert_eq!(st.timeline.len(), 8);
    assert_eq!(st.cursor_event().and_then(|e| st.timeline.key(e)), key);
    // The detail pane follows the event, not its old number.
    assert_eq!(st.detail.lines.as_ref().map(|d| d.event), st.cursor_event());
    assert!(format!("{:?}", st.detail.lines.as_ref().unwrap().lines).contains("whoami"));
    // With a filter, new sources are filtered too.
    keys(&mut st, "f10.0.0.5<Enter>");
    assert_eq!(st.rows(), 3);
    let f = filler();
    apply_sync(
        &mut st,
        Action::Loaded(Box::new(test_source("logs/ws07/wfp.log", &f))),
    );
    assert_eq!(st.timeline.len(), 68);
    assert_eq!(st.query.filter, "10.0.0.5");
    assert_eq!(st.rows(), 3);
    apply_sync(
        &mut st,
        Action::IngestDone(vec![passed_over("gone.evtx", "No such file", true)]),
    );
    assert!(st.ingest.status.done);
    assert_eq!(
        st.msg,
        Some(Msg::Error(
            "1 path(s) unreadable: gone.evtx: cannot read: No such file".into()
        ))
    );
}

/// Regression: while a reopened case was still loading, the status line said
/// "! evidence not loaded … (+52 more)" for sources merely not merged yet.
#[test]
fn missing_evidence_is_reported_only_once_loading_has_finished() {
    use crate::tui::state::CaseSource;
    let empty = Arc::new(Timeline::from_test_lines(&[]));
    let mut st = state_with(empty, 80, 24);
    st.ingest.status.done = false;
    let sha = |label: &str, text: &str| test_source(label, text).report.sha256;
    let recorded = |label: &str, sha256: String| CaseSource {
        recorded: label.into(),
        label: label.into(),
        sha256,
        expect_loaded: true,
    };
    st.case.sources = vec![
        recorded(
            "logs/dc01/security.log",
            sha("logs/dc01/security.log", DC01),
        ),
        recorded("logs/fw/edge.log", sha("logs/fw/edge.log", EDGE)),
    ];
    // Found missing on disk at start (`setup::prepare`).
    st.case.problems = vec!["missing logs/gone.log".into()];
    let no_problem = |st: &App| !matches!(&st.msg, Some(Msg::Error(m)) if m.contains("evidence"));
    apply_sync(
        &mut st,
        Action::Loaded(Box::new(test_source("logs/dc01/security.log", DC01))),
    );
    assert!(no_problem(&st), "{:?}", st.msg);
    // The last source arrives while a job holds the timeline: its merge waits.
    let held = st.timeline.clone();
    apply_sync(
        &mut st,
        Action::Loaded(Box::new(test_source("logs/fw/edge.log", EDGE))),
    );
    apply_sync(&mut st, Action::IngestDone(Vec::new()));
    assert_eq!(st.ingest.pending.len(), 1);
    assert!(
        no_problem(&st),
        "not merged yet is not missing: {:?}",
        st.msg
    );
    drop(held);
    idle_tick(&mut st, true);
    assert!(st.ingest.pending.is_empty());
    assert_eq!(
        st.msg,
        Some(Msg::Error(
            "evidence missing logs/gone.log: its annotations are kept (A lists them)".into()
        ))
    );
    assert_eq!(st.case.problems.len(), 1, "{:?}", st.case.problems);
    // With nothing loaded at all, the missing evidence is still what the line says.
    let empty = Arc::new(Timeline::from_test_lines(&[]));
    let mut st = state_with(empty, 80, 24);
    st.ingest.status.done = false;
    st.case.problems = vec!["missing logs/gone.log".into()];
    apply_sync(&mut st, Action::IngestDone(Vec::new()));
    assert!(
        matches!(&st.msg, Some(Msg::Error(m)) if m.starts_with("evidence missing logs/gone.log")),
        "{:?}",
        st.msg
    );
}

/// Regression: input in which nothing is recognised showed `0/0 events` forever.
#[test]
fn nothing_recognised_says_how_many_files_were_skipped_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("notes.txt");
    let b = dir.path().join("blob.bin");
    std::fs::write(&a, "shopping list\nmilk\n").unwrap();
    std::fs::write(&b, [0u8, 1, 2, 3, 250, 251]).unwrap();
    let progress = crate::ingest::Progress::default();
    let (t, errors) =
        crate::timeline::load_paths(&[a.clone(), b.clone()], &Default::default(), &progress);
    assert!(t.is_empty() && errors.is_empty());
    let mut st = state_with(Arc::new(t), 80, 24);
    st.ingest.status.done = false;
    apply_sync(
        &mut st,
        Action::IngestDone(vec![passed_over(
            "ev/gone.evtx",
            "No such file or directory",
            true,
        )]),
    );
    assert_eq!(
        st.msg,
        Some(Msg::Error(
            "no events: 3 file(s) skipped (2 format not recognised from content; \
             1 cannot read: No such file or directory)"
                .into()
        ))
    );
    let text = screen(&st).join("\n");
    assert!(
        text.contains("notes.txt: format not recognised from content"),
        "{text}"
    );
    assert!(
        text.contains("ev/gone.evtx: cannot read: No such file or directory"),
        "{text}"
    );
    // Said once, not on every tick.
    st.msg = None;
    idle_tick(&mut st, true);
    assert_eq!(st.msg, None);
}

#[test]
fn untouched_view_stays_at_the_start_while_filling() {
    let first = Arc::new(Timeline::from_test_lines(&[("logs/fw/edge.log", EDGE)]));
    let mut st = state_with(first, 80, 24);
    apply_sync(
        &mut st,
        Action::Loaded(Box::new(test_source("logs/dc01/security.log", DC01))),
    );
    assert_eq!(st.table.cursor, 0);
    assert!(selected_message(&st).contains("successfully logged on"));
}

/// Regression: `G m c` at 40×12 made a critical annotation nobody could see.
#[test]
fn too_small_terminal_takes_only_q() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.vigil.json");
    let mut st = state(80, 24);
    keys(&mut st, "m");
    st.open_prompt(PromptKind::CasePath, &path.display().to_string());
    keys(&mut st, "<Enter><Esc>");
    assert!(st.case.info.is_some());
    apply_sync(&mut st, Action::Resize(40, 12));
    let text = screen(&st).join(" ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.starts_with("enlarge terminal (need 60x16, "), "{text}");
    assert!(text.contains("have 40x12)"), "{text}");
    keys(&mut st, "Gmc");
    assert_eq!(st.table.cursor, 0);
    assert_eq!(st.mode, Mode::Normal);
    assert!(st.case.annotations().is_empty(), "nothing annotated unseen");
    keys(&mut st, ":w<Enter>f?A");
    assert_eq!((st.mode, st.quit), (Mode::Normal, false));
    // Back to a usable size, keys act again.
    apply_sync(&mut st, Action::Resize(60, 16));
    keys(&mut st, "G");
    assert_eq!(st.table.cursor, st.rows() - 1);
    // Unsaved changes: q asks, on the enlarge screen too, and y quits.
    keys(&mut st, "ml");
    assert!(st.case.unsaved);
    apply_sync(&mut st, Action::Resize(40, 12));
    keys(&mut st, "q");
    assert_eq!(st.mode, Mode::Quit);
    let text = screen(&st).join("");
    assert!(
        text.contains("case not saved") && text.contains("y quit"),
        "{text}"
    );
    keys(&mut st, "y");
    assert!(st.quit);
    let mut st = state(59, 16);
    keys(&mut st, "q");
    assert!(st.quit, "nothing unsaved: q quits at once");
}

#[test]
fn usable_down_to_60x16() {
    let mut st = state(60, 16);
    let lines = screen(&st);
    // The date heads the time column (a separator row when it changes).
    assert!(
        lines[0].contains("12-03") && lines[0].contains("message"),
        "{lines:?}"
    );
    assert!(!lines[0].contains("src"), "the source column goes first");
    assert!(lines[1].contains(" 18:00:00 DC01"), "{}", lines[1]);
    assert!(lines[15].contains("1/68 events"), "status on the last row");
    assert_eq!(st.page_rows(), 14);
    keys(&mut st, "G");
    let lines = screen(&st);
    assert!(lines[14].contains("The audit log was"), "{lines:#?}");
    // Something to say takes the bottom row back, and a long message wraps.
    keys(
        &mut st,
        "/nothing like this at all in here, not a single event<Enter>",
    );
    let lines = screen(&st);
    let msg = lines[12..].join("");
    assert!(
        msg.contains("! no match for /nothing like this at all in here, not a")
            && msg.contains("single event/"),
        "{lines:?}"
    );
    keys(&mut st, "<Esc><Enter>");
    assert!(st.detail.open && st.page_rows() >= 5, "{}", st.page_rows());
}

#[test]
fn hostile_content_is_shown_visibly() {
    let mut st = state(160, 48);
    keys(&mut st, "/red<Enter>");
    let s = screen(&st).join("\n");
    assert!(s.contains("^[[31mred^[[0m bell\\x07"), "{s}");
    assert!(s.contains("invoice⟨U+202E⟩fdp.exe→with a tab"));
    assert!(!s.contains('\u{1b}') && !s.contains('\u{202E}'));
}

#[test]
fn corpus_evtx_detail_shows_fields_and_raw_xml() {
    let Some(path) = crate::testutil::corpus("evtx/evtx-crate/Security_short_selected.evtx") else {
        return;
    };
    let progress = crate::ingest::Progress::default();
    let (t, errors) = crate::timeline::load_paths(&[path], &Default::default(), &progress);
    assert!(errors.is_empty());
    assert!(!t.is_empty());
    let n = t.len();
    let mut st = state_with(Arc::new(t), 120, 40);
    keys(&mut st, "G<Enter>");
    assert_eq!(st.table.cursor, n - 1);
    let lines = &st.detail.lines.as_ref().unwrap().lines;
    let has = |s: &str| lines.iter().any(|l| format!("{l:?}").contains(s));
    assert!(
        has("event_id") && has("raw record") && has("<Event"),
        "{lines:?}"
    );
    keys(&mut st, "/4624<Enter>");
    assert!(st.query.search_pending.is_none());
    let s = screen(&st).join("\n");
    assert!(s.contains("Security_short_selected.evtx") || s.contains("Security_s"));
}
