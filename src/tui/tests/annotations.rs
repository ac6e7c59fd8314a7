//! Annotation flows driven by keys: the case path asked at the first mark, severity,
//! the kind/tags/note form, editing, deleting, u/U, the list, filters on marks, save,
//! export, and annotations whose evidence is missing. The case lives in a temp dir.

use super::*;
use crate::case::{Case, Kind, Severity};
use crate::tui::state::{Mode, Msg, PromptKind};
use std::path::{Path, PathBuf};

/// Answers the case-path prompt (opened by the first `m`, `a` or `s`) with `path`.
fn answer_case_path(st: &mut App, path: &Path) {
    assert_eq!(st.mode, Mode::Prompt(PromptKind::CasePath));
    st.open_prompt(PromptKind::CasePath, &path.display().to_string());
    keys(st, "<Enter>");
}

fn case_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("incident.vigil.json")
}

/// What a fresh `Case::open` finds: the file plus the journal replayed.
fn reopened(path: &Path) -> Case {
    Case::open(path, "test").unwrap().0
}

fn marker_of_cursor(st: &State) -> Option<String> {
    st.cursor_event().and_then(|e| st.case.marks.marker(e))
}

#[test]
fn first_mark_asks_case_path_then_severity_and_is_journalled() {
    let dir = tempfile::tempdir().unwrap();
    let path = case_path(&dir);
    let mut st = state(80, 24);
    keys(&mut st, "jm");
    answer_case_path(&mut st, &path);
    assert_eq!(st.mode, Mode::Severity, "{:?}", st.msg);
    // Keys other than l/m/h/c/Esc are ignored.
    keys(&mut st, "x");
    assert_eq!(st.mode, Mode::Severity);
    keys(&mut st, "h");
    assert_eq!(st.mode, Mode::Normal);
    assert_eq!(marker_of_cursor(&st).as_deref(), Some("!H"));
    assert!(st.case.unsaved);
    assert!(matches!(&st.msg, Some(Msg::Info(m)) if m.contains("journal")));
    // Not saved, yet a fresh open finds it (from the journal).
    assert!(!path.exists());
    let c = reopened(&path);
    assert_eq!(c.annotations().len(), 1);
    let a = &c.annotations()[0];
    assert_eq!(
        (a.kind, a.severity),
        (Kind::EarlyDetection, Some(Severity::High))
    );
    assert!(
        a.event.message.contains("powershell.exe -enc"),
        "{:?}",
        a.event
    );
    assert_eq!(a.event.event_id, "4688");
    assert_eq!(a.event.source, "logs/dc01/security.log");
    // `m` again re-grades the same point instead of adding one; Esc cancels.
    keys(&mut st, "m<Esc>");
    assert_eq!(st.case.info.as_ref().unwrap().annotations().len(), 1);
    keys(&mut st, "mc");
    let anns = st.case.info.as_ref().unwrap().annotations();
    assert_eq!(anns.len(), 1);
    assert_eq!(anns[0].severity, Some(Severity::Critical));
    assert_eq!(marker_of_cursor(&st).as_deref(), Some("!C"));
}

#[test]
fn annotate_with_kind_tags_and_multi_line_note_then_edit() {
    let dir = tempfile::tempdir().unwrap();
    let path = case_path(&dir);
    let mut st = state(80, 24);
    keys(&mut st, "jja");
    answer_case_path(&mut st, &path);
    assert_eq!(st.mode, Mode::AnnKind);
    // Down twice from "early-detection": initial-access.
    keys(&mut st, "jj<Enter>");
    assert_eq!(st.mode, Mode::AnnEdit);
    keys(
        &mut st,
        "whoami, Recon ,<Enter>first line<Enter>second line<C-d>",
    );
    assert_eq!(st.mode, Mode::Normal);
    let a = st.case.info.as_ref().unwrap().annotations()[0].clone();
    assert_eq!(a.kind, Kind::InitialAccess);
    assert_eq!(a.tags, ["whoami", "Recon"]);
    assert_eq!(a.note, "first line\nsecond line");
    assert_eq!(marker_of_cursor(&st).as_deref(), Some("*"));
    // `a` on the annotated event edits it, pre-filled; Esc leaves it alone.
    keys(&mut st, "a");
    let form = st.form.as_ref().unwrap();
    assert!(form.editing);
    assert_eq!(Kind::ALL[form.kind_sel], Kind::InitialAccess);
    assert_eq!(form.tags.lines(), ["whoami, Recon"]);
    assert_eq!(form.note.lines(), ["first line", "second line"]);
    keys(&mut st, "<Enter>zzz<Esc>");
    assert_eq!(st.case.info.as_ref().unwrap().annotations()[0], a);
    // Edit: kind 2 (ioc) by number, extra tag, F2 finishes.
    keys(&mut st, "a2<Enter>, extra<Tab><Enter>third<F2>");
    let anns = st.case.info.as_ref().unwrap().annotations();
    assert_eq!(anns.len(), 1, "edited, not added");
    assert_eq!(anns[0].id, a.id);
    assert_eq!(anns[0].kind, Kind::Ioc);
    assert_eq!(anns[0].tags, ["whoami", "Recon", "extra"]);
    assert_eq!(anns[0].note, "first line\nsecond line\nthird");
    assert_eq!(reopened(&path).annotations(), anns);
    // The detail pane shows the annotation.
    keys(&mut st, "<Enter>");
    let text = screen(&st).join("\n");
    assert!(text.contains("annotation: ioc"), "{text}");
    assert!(text.contains("second line"), "{text}");
}

/// Marks rows 1 (early, high), 3 (ioc) and the last row (early, low); returns the case.
fn three_marks(st: &mut App, path: &Path) {
    keys(st, "jm");
    answer_case_path(st, path);
    keys(st, "h");
    keys(st, "jja<Down><Enter>mimikatz<F2>");
    keys(st, "Gml");
    assert_eq!(st.case.info.as_ref().unwrap().annotations().len(), 3);
}

#[test]
fn u_and_shift_u_move_between_annotations_and_wrap() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state(80, 24);
    keys(&mut st, "u");
    assert!(matches!(&st.msg, Some(Msg::Info(m)) if m.contains("no annotations")));
    three_marks(&mut st, &case_path(&dir));
    let last = st.rows() - 1;
    keys(&mut st, "gu");
    assert_eq!(st.table.cursor, 1);
    keys(&mut st, "u");
    assert_eq!(st.table.cursor, 3);
    keys(&mut st, "u");
    assert_eq!(st.table.cursor, last);
    keys(&mut st, "u");
    assert_eq!(st.table.cursor, 1);
    assert!(matches!(&st.msg, Some(Msg::Info(m)) if m.contains("wrapped")));
    keys(&mut st, "U");
    assert_eq!(st.table.cursor, last);
    keys(&mut st, "U");
    assert_eq!(st.table.cursor, 3);
}

#[test]
fn filters_on_marks_tags_and_annotated() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state(80, 24);
    three_marks(&mut st, &case_path(&dir));
    keys(&mut st, "fmark:early-detection<Enter>");
    assert_eq!(st.rows(), 2);
    keys(&mut st, "gu");
    assert_eq!(st.table.cursor, 1, "u moves within the filtered view");
    keys(&mut st, "Fftag:MIMI*<Enter>");
    assert_eq!(st.rows(), 1);
    assert!(selected_message(&st).contains("cmd.exe"));
    keys(&mut st, "Ffannotated<Enter>");
    assert_eq!(st.rows(), 3);
    keys(&mut st, "FfNOT annotated<Enter>");
    assert_eq!(st.rows(), st.timeline.len() - 3);
    keys(&mut st, "u");
    assert!(matches!(&st.msg, Some(Msg::Error(m)) if m.contains("none in the current view")));
    // A new mark updates a filter that depends on marks.
    keys(&mut st, "Ffmark:early-detection<Enter>");
    assert_eq!(st.rows(), 2);
    keys(&mut st, "FfNOT mark:early-detection<Enter>");
    let before = st.rows();
    keys(&mut st, "gml");
    assert_eq!(st.rows(), before - 1, "a filter on marks is re-run");
}

#[test]
fn annotation_list_jumps_edits_and_deletes_with_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let path = case_path(&dir);
    let mut st = state(80, 24);
    three_marks(&mut st, &path);
    keys(&mut st, "gA");
    assert_eq!(st.mode, Mode::AnnList);
    // Sorted by event time: the second entry is the ioc on row 3.
    keys(&mut st, "j<Enter>");
    assert_eq!((st.mode, st.table.cursor), (Mode::Normal, 3));
    // The list opens on the cursor's annotation.
    keys(&mut st, "Ae");
    assert_eq!(st.mode, Mode::AnnKind);
    keys(&mut st, "<Enter>, lsass<F2>");
    assert!(st.case.info.as_ref().unwrap().annotations()[1].has_tag("lsass"));
    // d asks; anything but y keeps it.
    keys(&mut st, "Ad");
    assert_eq!(st.mode, Mode::Confirm);
    keys(&mut st, "n");
    assert_eq!(st.mode, Mode::AnnList);
    assert_eq!(st.case.info.as_ref().unwrap().annotations().len(), 3);
    keys(&mut st, "dy");
    assert_eq!(st.case.info.as_ref().unwrap().annotations().len(), 2);
    keys(&mut st, "<Esc>");
    assert_eq!(st.mode, Mode::Normal);
    assert_eq!(st.case.marks.marker(3), None, "the marker goes with it");
    assert_eq!(reopened(&path).annotations().len(), 2, "delete journalled");
}

#[test]
fn save_records_sources_filter_and_view_and_clears_unsaved() {
    let dir = tempfile::tempdir().unwrap();
    let path = case_path(&dir);
    let mut st = state(80, 24);
    keys(&mut st, "s");
    answer_case_path(&mut st, &path);
    assert!(path.exists(), "s without a case asks the path, then saves");
    keys(&mut st, "jm");
    assert_eq!(
        st.mode,
        Mode::Severity,
        "the case is open: no second prompt"
    );
    keys(&mut st, "m");
    assert!(st.case.unsaved);
    keys(&mut st, "fhost:DC01<Enter>s");
    assert!(!st.case.unsaved, "{:?}", st.msg);
    let file = crate::case::CaseFile::load(&path).unwrap();
    assert_eq!(file.annotations.len(), 1);
    let srcs: Vec<&str> = file.sources.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        srcs,
        [
            "logs/dc01/security.log",
            "logs/fw/edge.log",
            "logs/ws07/wfp.log"
        ]
    );
    assert_eq!(file.view.filter.as_deref(), Some("host:DC01"));
    assert_eq!(file.view.cursor_ts, st.cursor_ts());
    assert!(
        !crate::case::journal_path(&path).exists(),
        "journal folded in"
    );
    // q no longer asks.
    keys(&mut st, "q");
    assert!(st.quit);
}

#[test]
fn quit_asks_when_unsaved_and_wq_saves_then_quits() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state(80, 24);
    keys(&mut st, "m");
    answer_case_path(&mut st, &case_path(&dir));
    keys(&mut st, "lq");
    assert_eq!(st.mode, Mode::Quit);
    keys(&mut st, "n:wq<Enter>");
    assert!(st.quit && !st.case.unsaved);
    // The question itself offers to save first.
    let mut st = state(80, 24);
    keys(&mut st, "m");
    answer_case_path(&mut st, &case_path(&dir));
    keys(&mut st, "ljmhq");
    let line = screen(&st).join("\n");
    assert!(line.contains("s save & quit"), "{line}");
    keys(&mut st, "s");
    assert!(st.quit && !st.case.unsaved);
    assert_eq!(reopened(&case_path(&dir)).annotations().len(), 2);
}

#[test]
fn annotations_on_missing_evidence_are_listed_from_their_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = case_path(&dir);
    // A case made on a timeline with one more source, then opened without it.
    let mut st = state(80, 24);
    keys(&mut st, "Gkkm");
    answer_case_path(&mut st, &path);
    keys(&mut st, "c");
    keys(&mut st, "s");
    let small = Arc::new(Timeline::from_test_lines(&[(
        "logs/dc01/security.log",
        DC01,
    )]));
    let mut st = state_with(small, 80, 24);
    let (case, report) = Case::open(&path, "test").unwrap();
    let opened = st.fx.adopt_case(case, report);
    st.apply(opened);
    assert!(st.case.marks.is_empty());
    keys(&mut st, "u");
    assert!(matches!(&st.msg, Some(Msg::Error(m)) if m.contains("evidence missing")));
    keys(&mut st, "A");
    let text = screen(&st).join("\n");
    assert!(text.contains("[missing]"), "{text}");
    assert!(text.contains("connection 59"), "{text}");
    keys(&mut st, "<Enter>");
    assert!(matches!(&st.msg, Some(Msg::Error(m)) if m.contains("not loaded")));
}

#[test]
fn export_writes_the_filtered_view_with_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state(80, 24);
    three_marks(&mut st, &case_path(&dir));
    keys(&mut st, "fhost:DC01<Enter>e");
    assert_eq!(st.mode, Mode::ExportFormat);
    keys(&mut st, "j");
    let out = dir.path().join("out.jsonl");
    st.open_prompt(PromptKind::ExportPath, &out.display().to_string());
    keys(&mut st, "<Enter>");
    assert!(matches!(&st.msg, Some(Msg::Info(m)) if m.contains("exported 5 events")));
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    let annotated: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["annotation"]["kind"].as_str())
        .collect();
    // The last DC01 event (the audit log cleared) carries the third mark.
    assert_eq!(annotated, ["early-detection", "ioc", "early-detection"]);
    // CSV: extra annotation columns.
    let out = dir.path().join("out.csv");
    keys(&mut st, "ec");
    st.open_prompt(PromptKind::ExportPath, &out.display().to_string());
    keys(&mut st, "<Enter>");
    let csv = std::fs::read_to_string(&out).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.contains(",annotation_kind,") && header.ends_with("annotation_author,evidence"));
    assert!(csv.contains("mimikatz"), "{csv}");
}

#[test]
fn case_path_that_cannot_be_used_is_reported_and_nothing_is_marked() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("not-a-case.vigil.json");
    std::fs::write(&bad, "{\"format\":\"something-else\",\"version\":1}").unwrap();
    let mut st = state(80, 24);
    keys(&mut st, "m");
    answer_case_path(&mut st, &bad);
    // The line stays open on what was typed, with why; nothing is marked.
    assert_eq!(st.mode, Mode::Prompt(PromptKind::CasePath));
    assert_eq!(st.prompt_text(), bad.display().to_string());
    let e = st
        .prompt
        .error
        .as_ref()
        .map(|e| e.msg.clone())
        .unwrap_or_default();
    assert!(e.contains("not a vigil case"), "{e}");
    assert!(st.case.info.is_none());
    keys(&mut st, "<Esc>");
    assert_eq!(st.mode, Mode::Normal);
    assert!(st.case.annotations().is_empty());
}

/// Regression: Ctrl-U was undo, so a typed path was glued onto the pre-filled
/// `./case.vigil.json`, accepted unchecked, and every later annotation failed.
#[test]
fn ctrl_u_clears_the_prefilled_case_path_and_paths_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state(80, 24);
    keys(&mut st, "jm");
    assert_eq!(st.prompt_text(), "./case.vigil.json");
    keys(&mut st, "<C-u>");
    assert_eq!(st.prompt_text(), "");
    // What the old key did: the path glued on the pre-fill leads nowhere, and says so.
    let glued = format!("./case.vigil.json{}", dir.path().join("x").display());
    keys(&mut st, &glued);
    keys(&mut st, "<Enter>");
    assert_eq!(st.mode, Mode::Prompt(PromptKind::CasePath));
    let err = |st: &App| {
        st.prompt
            .error
            .as_ref()
            .map(|e| e.msg.clone())
            .unwrap_or_default()
    };
    assert!(
        err(&st).starts_with("no folder ./case.vigil.json"),
        "{}",
        err(&st)
    );
    // A folder is not a case file.
    keys(&mut st, "<C-u>");
    keys(&mut st, &format!("{}<Enter>", dir.path().display()));
    assert!(err(&st).contains("is a folder"), "{}", err(&st));
    // A folder nothing can be written to.
    keys(&mut st, "<C-u>/proc/vigil-test<Enter>");
    assert!(
        err(&st).starts_with("cannot write in /proc"),
        "{}",
        err(&st)
    );
    // Every error fits the status line above the input line.
    let lines = screen(&st);
    assert_eq!(
        lines[22].trim_end(),
        "           ↓ error: cannot write in /proc: no such file or directory",
        "{lines:#?}"
    );
    // `.vigil.json` is added when missing, and the mark goes on.
    keys(&mut st, "<C-u>");
    keys(
        &mut st,
        &format!("{}<Enter>", dir.path().join("incident").display()),
    );
    assert_eq!(st.mode, Mode::Severity, "{:?}", st.prompt.error);
    keys(&mut st, "h");
    let path = dir.path().join("incident.vigil.json");
    assert_eq!(
        st.case.info.as_ref().map(|c| c.path.clone()),
        Some(path.clone())
    );
    assert_eq!(reopened(&path).annotations().len(), 1);
}

#[test]
fn w_path_writes_a_copy_and_case_path_moves_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let path = case_path(&dir);
    let mut st = state(80, 24);
    keys(&mut st, "jm");
    answer_case_path(&mut st, &path);
    keys(&mut st, "h");
    let copy = dir.path().join("copy.vigil.json");
    keys(
        &mut st,
        &format!(":w {}<Enter>", dir.path().join("copy").display()),
    );
    assert!(
        matches!(&st.msg, Some(Msg::Info(m)) if m.starts_with("wrote a copy to")),
        "{:?}",
        st.msg
    );
    let file = crate::case::CaseFile::load(&copy).unwrap();
    assert_eq!(file.annotations.len(), 1);
    assert!(!path.exists(), "the case itself is not saved by a copy");
    assert!(st.case.unsaved);
    // Nothing existing is overwritten.
    let before = std::fs::read(&copy).unwrap();
    keys(&mut st, "jjml");
    keys(&mut st, &format!(":w {}<Enter>", copy.display()));
    assert!(
        matches!(&st.msg, Some(Msg::Error(m)) if m.contains("exists")),
        "{:?}",
        st.msg
    );
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    // :w with the case's own path is a save.
    keys(&mut st, &format!(":w {}<Enter>", path.display()));
    assert!(!st.case.unsaved && path.exists(), "{:?}", st.msg);
    // :case PATH: the case continues in the new file.
    let moved = dir.path().join("moved.vigil.json");
    keys(&mut st, &format!(":case {}<Enter>", moved.display()));
    assert_eq!(
        st.case.info.as_ref().map(|c| c.path.clone()),
        Some(moved.clone())
    );
    keys(&mut st, "Gmc");
    assert_eq!(
        reopened(&moved).annotations().len(),
        3,
        "journalled beside the new file"
    );
    assert_eq!(
        crate::case::CaseFile::load(&path)
            .unwrap()
            .annotations
            .len(),
        2,
        "old file as saved"
    );
    keys(&mut st, ":case<Enter>");
    assert!(
        matches!(&st.msg, Some(Msg::Info(m)) if m.contains("moved.vigil.json")),
        "{:?}",
        st.msg
    );
}

#[test]
fn w_path_without_a_case_makes_it_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state(80, 24);
    keys(
        &mut st,
        &format!(":w {}<Enter>", dir.path().join("fresh").display()),
    );
    let path = dir.path().join("fresh.vigil.json");
    assert!(path.exists(), "{:?}", st.msg);
    assert_eq!(st.case.info.as_ref().map(|c| c.path.clone()), Some(path));
}

/// "The journal keeps annotations" only when a journal was written.
#[test]
fn quit_question_mentions_the_journal_only_when_there_is_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = state(80, 24);
    keys(&mut st, "s");
    answer_case_path(&mut st, &case_path(&dir));
    // A copy records the view in the case (unsaved), but journals nothing.
    keys(
        &mut st,
        &format!("j:w {}<Enter>q", dir.path().join("c2").display()),
    );
    assert_eq!(st.mode, Mode::Quit);
    let line = screen(&st).join("\n");
    assert!(line.contains("case not saved: y quit"), "{line}");
    assert!(!line.contains("journal"), "{line}");
    keys(&mut st, "nml");
    keys(&mut st, "q");
    let line = screen(&st).join("\n");
    assert!(line.contains("(the journal keeps annotations)"), "{line}");
}
