//! Whole-screen snapshots of the main screens at the minimum size and a large one.

use super::*;
use crate::query::QueryError;
use crate::tui::state::{Mode, PromptKind};

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
    st.open_prompt(PromptKind::Filter, "host:dc01 AND (user:alice");
    st.prompt.error = Some(QueryError {
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
    let st = state(59, 16);
    snap("too_small_59x16", &st);
    let mut st = state(80, 23);
    keys(&mut st, "jj");
    snap("timeline_80x23", &st);
    let mut st = state(60, 16);
    keys(&mut st, "jj");
    snap("timeline_60x16", &st);
    keys(&mut st, "?");
    snap("help_60x16", &st);
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

/// A state with a case in `dir`: an early-detection point (high) on row 1, an ioc with
/// tags and a two-line note on row 3, cursor back on row 1.
fn annotated(dir: &std::path::Path, name: &str) -> App {
    let mut st = state(80, 24);
    keys(&mut st, "jm");
    let path = dir.join(format!("{name}.vigil.json"));
    st.open_prompt(PromptKind::CasePath, &path.display().to_string());
    keys(&mut st, "<Enter>h");
    keys(
        &mut st,
        "jja2<Enter>mimikatz, recon<Enter>whoami right after the logon<Enter>same user<F2>",
    );
    keys(&mut st, "kk");
    st.msg = None;
    st
}

#[test]
fn annotated_rows_list_and_editor() {
    let dir = tempfile::tempdir().unwrap();
    let st = annotated(dir.path(), "rows");
    snap("annotated_80x24", &st);
    let mut st = annotated(dir.path(), "list");
    keys(&mut st, "A");
    snap("annotation_list_80x24", &st);
    let mut st = annotated(dir.path(), "edit");
    keys(&mut st, "jja");
    snap("annotation_kind_80x24", &st);
    keys(&mut st, "<Enter>");
    snap("annotation_editor_80x24", &st);
    let mut st = annotated(dir.path(), "mark");
    keys(&mut st, "Gm");
    snap("mark_severity_80x24", &st);
}
