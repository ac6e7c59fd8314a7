//! `e` export driven by keys: the format keys, the path, refusals (evidence, the case file,
//! its journal), and the y/n question before an existing file is replaced; `:w PATH` onto
//! evidence. Files live in a temp dir; the evidence is a real file there.

use super::*;
use crate::tui::state::{Confirm, Mode, Msg, PromptKind};
use std::path::{Path, PathBuf};

/// The DC01 events loaded from a real file `dir/name` (so that it can be protected).
fn with_evidence(dir: &Path, name: &str) -> (App, PathBuf) {
    let ev = dir.join(name);
    std::fs::write(&ev, DC01).unwrap();
    let label = ev.display().to_string();
    let t = Arc::new(Timeline::from_test_lines(&[(label.as_str(), DC01)]));
    (state_with(t, 80, 24), ev)
}

/// `e`, the format key, then `path` typed over the offered name.
fn export_keys(st: &mut App, format: char, path: &Path) {
    keys(st, &format!("e{format}"));
    assert_eq!(
        st.mode,
        Mode::Prompt(PromptKind::ExportPath),
        "{:?}",
        st.msg
    );
    keys(st, &format!("<C-u>{}<Enter>", path.display()));
}

fn error(st: &App) -> String {
    match &st.msg {
        Some(Msg::Error(e)) => e.clone(),
        other => panic!("expected an error, got {other:?}"),
    }
}

/// Marks the first event (the case path asked and answered): the journal is written.
fn mark_first(st: &mut App, case: &Path) {
    keys(st, "m");
    assert_eq!(st.mode, Mode::Prompt(PromptKind::CasePath));
    keys(st, &format!("<C-u>{}<Enter>h", case.display()));
    assert_eq!(st.mode, Mode::Normal, "{:?}", st.msg);
}

#[test]
fn export_onto_evidence_the_case_file_or_its_journal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut st, ev) = with_evidence(dir.path(), "dc01.log");
    let case = dir.path().join("incident.vigil.json");
    let journal = crate::case::journal_path(&case);
    mark_first(&mut st, &case);
    assert!(journal.exists());
    let journal_before = std::fs::read(&journal).unwrap();
    export_keys(&mut st, 'j', &ev);
    assert!(error(&st).contains("loaded evidence"), "{}", error(&st));
    assert_eq!(st.mode, Mode::Normal);
    assert_eq!(std::fs::read_to_string(&ev).unwrap(), DC01);
    export_keys(&mut st, 'c', &journal);
    assert!(error(&st).contains("the case journal"), "{}", error(&st));
    assert_eq!(std::fs::read(&journal).unwrap(), journal_before);
    keys(&mut st, "s");
    assert!(case.exists(), "{:?}", st.msg);
    let case_before = std::fs::read(&case).unwrap();
    export_keys(&mut st, 't', &case);
    assert!(error(&st).contains("the case file"), "{}", error(&st));
    assert_eq!(std::fs::read(&case).unwrap(), case_before);
    // Nothing was asked: a protected file is never "replace it?".
    assert_eq!(st.confirm, None);
}

#[test]
fn export_onto_an_existing_file_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let (mut st, _ev) = with_evidence(dir.path(), "dc01.log");
    let out = dir.path().join("out.jsonl");
    std::fs::write(&out, "keep me\n").unwrap();
    export_keys(&mut st, 'j', &out);
    assert_eq!(st.mode, Mode::Confirm);
    assert_eq!(st.confirm, Some(Confirm::Overwrite(out.clone())));
    assert!(
        st.question().ends_with("exists: replace it?"),
        "{}",
        st.question()
    );
    // No (any key but yes): left as it was.
    keys(&mut st, "x");
    assert_eq!(st.mode, Mode::Normal);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me\n");
    assert!(matches!(&st.msg, Some(Msg::Info(m)) if m.contains("left as it was")));
    // Yes: replaced with the export.
    export_keys(&mut st, 'j', &out);
    keys(&mut st, "y");
    assert_eq!(st.mode, Mode::Normal);
    assert!(
        matches!(&st.msg, Some(Msg::Info(m)) if m.starts_with("exported 5 events")),
        "{:?}",
        st.msg
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 5);
    assert!(text.lines().all(|l| l.starts_with("{\"ts\":")), "{text}");
}

#[test]
fn export_formats_offer_their_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let (mut st, _ev) = with_evidence(dir.path(), "dc01.log");
    for (key, name) in [
        ('j', "./vigil-export.jsonl"),
        ('c', "./vigil-export.csv"),
        ('t', "./vigil-timesketch.jsonl"),
    ] {
        keys(&mut st, &format!("e{key}"));
        assert_eq!(st.prompt_text(), name);
        keys(&mut st, "<Esc>");
    }
    let out = dir.path().join("ts.jsonl");
    export_keys(&mut st, 't', &out);
    let text = std::fs::read_to_string(&out).unwrap();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        crate::export::tests::check_timesketch_line(&v);
    }
    assert_eq!(text.lines().count(), 5);
}

#[test]
fn save_as_onto_evidence_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // Evidence that happens to carry the case-file suffix (so `:w` keeps the name).
    let (mut st, ev) = with_evidence(dir.path(), "other.vigil.json");
    mark_first(&mut st, &dir.path().join("incident.vigil.json"));
    keys(&mut st, &format!(":w {}<Enter>", ev.display()));
    assert!(error(&st).contains("loaded evidence"), "{}", error(&st));
    assert_eq!(std::fs::read_to_string(&ev).unwrap(), DC01);
    keys(&mut st, &format!(":case {}<Enter>", ev.display()));
    assert!(error(&st).contains("loaded evidence"), "{}", error(&st));
    assert_eq!(std::fs::read_to_string(&ev).unwrap(), DC01);
    assert_eq!(
        st.case.info.as_ref().map(|c| c.path.clone()),
        Some(dir.path().join("incident.vigil.json")),
        "the case stays where it was"
    );
}
