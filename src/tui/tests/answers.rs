//! Answers rather than rows: search positions, value counts, pivots that exclude or
//! search everywhere, the sources panel, the histogram walked bucket by bucket, going to
//! a time, and the habits around them.

use super::*;
use crate::tui::state::{Mode, Msg};

fn status(st: &App) -> String {
    screen(st)
        .into_iter()
        .find(|l| l.contains(" events"))
        .unwrap_or_default()
}

#[test]
fn search_shows_which_hit_of_how_many() {
    let mut st = state(80, 24);
    apply_sync(&mut st, Action::IngestDone(Vec::new()));
    keys(&mut st, "/powershell<Enter>");
    assert!(
        status(&st).contains("/powershell hit 1/2"),
        "{}",
        status(&st)
    );
    keys(&mut st, "n");
    assert!(status(&st).contains("hit 2/2"), "{}", status(&st));
    keys(&mut st, "j");
    assert!(
        status(&st).contains("/powershell 2 hits"),
        "{}",
        status(&st)
    );
}

#[test]
fn counts_list_values_and_filter_on_or_out_of_them() {
    let mut st = state(80, 24);
    keys(&mut st, "cuser<Enter>");
    assert_eq!(st.mode, Mode::Counts);
    let c = st.counts.result.clone().unwrap();
    assert_eq!(
        c.values,
        [
            ("alice".to_string(), 3),
            ("bob".to_string(), 1),
            ("mallory".to_string(), 1)
        ]
    );
    assert_eq!((c.events, c.without), (68, 63));
    let text = screen(&st).join("\n");
    assert!(text.contains("user: 3 value(s) in 68 events"), "{text}");
    assert!(text.contains("4.4%  alice"), "{text}");
    keys(&mut st, "<Enter>");
    assert_eq!(st.query.filter, "user:\"alice\"");
    assert_eq!(st.rows(), 3);
    // Over the filter: `:top` counts only what it shows.
    keys(&mut st, ":top process<Enter>");
    let c = st.counts.result.clone().unwrap();
    assert_eq!(c.events, 3);
    assert_eq!(c.values[0], ("cmd.exe".to_string(), 1));
    keys(&mut st, "jx");
    assert_eq!(
        st.query.filter,
        "user:\"alice\" AND NOT process:\"powershell.exe\""
    );
    assert_eq!(st.rows(), 2);
    keys(&mut st, ":top nothing_has_this<Enter>");
    assert!(matches!(&st.msg, Some(Msg::Error(m)) if m.contains("no event in the view has")));
}

#[test]
fn pivot_filters_out_or_searches_a_value_everywhere() {
    let mut st = state(80, 24);
    // Row 2: the firewall deny from 10.0.0.5.
    keys(&mut st, "jj=");
    assert_eq!(st.mode, Mode::Picker);
    pick_field(&mut st, "src_ip");
    keys(&mut st, "x");
    assert_eq!(st.query.filter, "NOT src_ip:\"10.0.0.5\"");
    assert_eq!(st.rows(), 65);
    // Search everywhere: the value in any field of any event, the old filter kept in the
    // filter history.
    keys(&mut st, "Ffhost:edge-fw<Enter>=");
    pick_field(&mut st, "src_ip");
    keys(&mut st, "s");
    assert_eq!(st.query.filter, "\"10.0.0.5\"");
    assert_eq!(st.rows(), 3, "the logon from 10.0.0.5 too");
    keys(&mut st, "f<Up>");
    assert_eq!(st.prompt_text(), "host:edge-fw");
}

#[test]
fn sources_panel_lists_sources_and_what_was_passed_over() {
    let mut st = state(80, 24);
    st.ingest.status.done = false;
    let fifo = crate::ingest::discover::Skipped {
        path: "ev/pipe".into(),
        reason: "skipped: named pipe (FIFO), not a regular file".into(),
        unreadable: false,
    }
    .report();
    apply_sync(&mut st, Action::IngestDone(vec![fifo]));
    keys(&mut st, "jjS");
    assert_eq!(st.mode, Mode::Sources);
    assert_eq!(st.sources.sel, 1, "starts on the selected event's source");
    let text = screen(&st).join("\n");
    assert!(text.contains("3 loaded, 1 passed over"), "{text}");
    assert!(text.contains("logs/fw/edge.log"), "{text}");
    assert!(text.contains("naive times read in UTC"), "{text}");
    assert!(text.contains("ev/pipe"), "{text}");
    keys(&mut st, "G");
    let text = screen(&st).join("\n");
    assert!(text.contains("named pipe (FIFO)"), "{text}");
    keys(&mut st, "<Enter>");
    assert!(matches!(&st.msg, Some(Msg::Error(m)) if m.contains("nothing was loaded")));
    keys(&mut st, "k<Enter>");
    assert_eq!(st.mode, Mode::Normal);
    assert_eq!(st.query.filter, "source:\"logs/ws07/wfp.log\"");
    assert_eq!(st.rows(), 60);
}

#[test]
fn the_histogram_is_walked_bucket_by_bucket() {
    let mut st = state(80, 24);
    keys(&mut st, "<Tab><Tab>");
    assert_eq!(st.mode, Mode::Hist);
    let start = st.hist.sel;
    assert_eq!(Some(start), st.hist.cursor, "starts on the cursor's bucket");
    keys(&mut st, "l");
    assert_eq!(st.hist.sel, start + 1);
    let text = screen(&st).join("\n");
    assert!(text.contains("bucket 2022-12-03 18:"), "{text}");
    // The last bucket holds the audit log clearing of the next morning.
    keys(&mut st, "G<Enter>");
    assert_eq!(st.mode, Mode::Normal);
    assert!(selected_message(&st).contains("audit log was cleared"));
    keys(&mut st, "<Tab><Tab>h<Esc>");
    assert_eq!(st.mode, Mode::Normal);
}

#[test]
fn go_to_time_puts_the_row_at_the_top_and_takes_a_time_of_day() {
    let mut st = state(80, 24);
    keys(&mut st, "t20:10<Enter>");
    assert!(selected_message(&st).contains("connection 20"));
    assert_eq!(st.table.top, st.table.cursor, "at the top");
    keys(&mut st, ":goto 18:05<Enter>");
    assert!(selected_message(&st).contains("cmd.exe"));
    assert_eq!(st.table.top, st.table.cursor);
    keys(&mut st, "t99:99<Enter>");
    assert!(st.prompt.error.is_some());
}

#[test]
fn messages_expire_unless_replaced() {
    let mut st = state(80, 24);
    st.info("first");
    let seq = st.msg_seq;
    st.info("second");
    apply_sync(&mut st, Action::ExpireMsg(seq));
    assert_eq!(
        st.msg,
        Some(Msg::Info("second".into())),
        "a newer one stays"
    );
    let now = st.msg_seq;
    apply_sync(&mut st, Action::ExpireMsg(now));
    assert_eq!(st.msg, None);
}

#[test]
fn ctrl_z_asks_the_loop_to_suspend() {
    let mut st = state(80, 24);
    keys(&mut st, "<C-z>");
    assert!(st.suspend);
    assert!(!st.quit);
}

#[test]
fn sources_panel_is_in_path_order_whatever_the_load_order() {
    // Loaded as the worker threads finished: not by path.
    let t = Arc::new(Timeline::from_test_lines(&[
        ("logs/ws07/wfp.log", &filler()),
        ("logs/dc01/security.log", DC01),
        ("logs/fw/edge.log", EDGE),
    ]));
    let mut st = state_with(t, 80, 24);
    keys(&mut st, "S");
    let text = screen(&st).join("\n");
    let at = |p: &str| text.find(p).unwrap_or_else(|| panic!("{p}: {text}"));
    assert!(
        at("logs/dc01/security.log") < at("logs/fw/edge.log"),
        "{text}"
    );
    assert!(at("logs/fw/edge.log") < at("logs/ws07/wfp.log"), "{text}");
    // Enter filters on the source shown on the row, not on the n-th loaded.
    keys(&mut st, "g<Enter>");
    assert_eq!(st.query.filter, "source:\"logs/dc01/security.log\"");
    assert_eq!(st.rows(), 5);
}
