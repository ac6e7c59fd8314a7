//! Annotations survive `kill -9`: the real binary in tmux marks and annotates three events
//! of a corpus EVTX file, is killed, and the case (file + journal) still holds all three;
//! reopening replays them, and after a save and moving the evidence away they are listed
//! from the case's event copies with the evidence reported missing.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

mod common;

use std::path::Path;
use std::process::Command;
use vigil::case::{Case, Kind, Severity};

fn phase(name: &str, dir: &Path) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tui_annot.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg(name)
        .arg(env!("CARGO_BIN_EXE_vigil"))
        .arg(dir)
        .output()
        .expect("run tui_annot.sh");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "phase {name} failed:\n{text}");
    assert!(text.contains(&format!("tmux annotations {name}: ok")));
}

#[test]
fn annotations_survive_kill_9_and_missing_evidence() {
    let (Some(()), Some(evtx)) = (
        common::tmux(),
        common::corpus("evtx/evtx-crate/Security_short_selected.evtx"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("ev");
    std::fs::create_dir(&ev).unwrap();
    // A copy in the temp dir, so that the evidence can be moved away later.
    std::fs::copy(&evtx, ev.join("Security_short_selected.evtx")).unwrap();
    let case = dir.path().join("c.vigil.json");

    phase("annotate", dir.path());
    assert!(!case.exists(), "never saved: only the journal is on disk");
    let (c, report) = Case::open(&case, "test").unwrap();
    assert_eq!(report.replayed, 3, "{report:?}");
    let anns = c.annotations();
    assert_eq!(anns.len(), 3);
    let early: Vec<_> = anns
        .iter()
        .filter(|a| a.kind == Kind::EarlyDetection)
        .collect();
    assert_eq!(early.len(), 1);
    assert_eq!(early[0].severity, Some(Severity::High));
    let ia = anns.iter().find(|a| a.kind == Kind::InitialAccess).unwrap();
    assert_eq!(ia.tags, ["brute", "ntlm"]);
    assert_eq!(ia.note, "failed logon\nright after NTLM");
    assert_eq!(ia.author, "e2e");
    assert!(
        anns.iter()
            .any(|a| a.kind == Kind::Ioc && a.tags == ["ioc1"])
    );
    drop(c);

    phase("reopen", dir.path());
    let file = vigil::case::CaseFile::load(&case).unwrap();
    assert_eq!(file.annotations.len(), 3);
    assert_eq!(file.sources.len(), 1);
    assert_eq!(file.sources[0].format, "evtx");

    phase("sigterm", dir.path());
    let saved = vigil::case::CaseFile::load(&dir.path().join("t.vigil.json")).unwrap();
    assert_eq!(saved.annotations.len(), 1, "saved on SIGHUP");
    assert_eq!(saved.annotations[0].severity, Some(Severity::Critical));

    std::fs::rename(&ev, dir.path().join("moved")).unwrap();
    phase("missing", dir.path());
}
