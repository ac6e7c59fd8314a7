//! Whole-screen snapshots of the main screens at the minimum size and a large one.

use super::*;
use crate::timeline::filter::FilterError;
use crate::tui::app::{Mode, PromptKind, open_prompt};

fn snap(name: &str, st: &State) {
    insta::assert_snapshot!(name, draw(st).backend());
}

#[test]
fn timeline_80x24_and_160x48() {
    let mut st = state(80, 24);
    keys(&mut st, "jj");
    snap("timeline_80x24", &st);
    let mut st = state(160, 48);
    keys(&mut st, "/powershell<Enter>");
    snap("timeline_search_160x48", &st);
}

#[test]
fn detail_pane() {
    let mut st = state(80, 24);
    keys(&mut st, "/invoice<Enter><Enter>");
    snap("detail_80x24", &st);
    let mut st = state(160, 48);
    keys(&mut st, "j<Enter><Tab>");
    snap("detail_focused_160x48", &st);
}

#[test]
fn help_overlay() {
    let mut st = state(80, 24);
    keys(&mut st, "?");
    snap("help_80x24", &st);
    let mut st = state(160, 48);
    keys(&mut st, "?");
    snap("help_160x48", &st);
}

#[test]
fn filter_error_and_time_error() {
    // The error of a query the parser refused (as `Filter::parse` reports it).
    let mut st = state(80, 24);
    open_prompt(&mut st, PromptKind::Filter, "host:dc01 AND (user:alice");
    st.prompt_error = Some(FilterError {
        col: 15,
        msg: "unclosed parenthesis".into(),
    });
    assert_eq!(st.mode, Mode::Prompt(PromptKind::Filter));
    snap("filter_error_80x24", &st);
    let mut st = state(80, 24);
    keys(&mut st, "tsoon<Enter>");
    snap("goto_error_80x24", &st);
}

#[test]
fn too_small_and_pivot() {
    let st = state(79, 24);
    snap("too_small_79x24", &st);
    let mut st = state(80, 24);
    keys(&mut st, "j=");
    snap("pivot_80x24", &st);
    let mut st = state(80, 24);
    keys(&mut st, "fdc01<Enter>");
    snap("filtered_80x24", &st);
}

#[test]
fn rendering_never_panics_at_any_size() {
    let mut st = state(80, 24);
    keys(&mut st, "G<Enter>");
    for w in (1..200).step_by(7) {
        for h in (1..60).step_by(5) {
            apply_sync(&mut st, Action::Resize(w, h));
            let _ = draw(&st);
        }
    }
    keys(&mut st, "?");
    apply_sync(&mut st, Action::Resize(3, 2));
    let _ = draw(&st);
}
