//! Runs `tests/tui_tmux.sh`: the TUI in a real (tmux) terminal, driven by keys.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn tui_in_tmux() {
    let (Some(()), Some(dir)) = (common::tmux(), common::corpus("evtx/evtx-crate")) else {
        return;
    };
    let files: Vec<_> = ["Security_short_selected.evtx", "new-user-security.evtx"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    for f in &files {
        assert!(f.exists(), "{} is gone from the corpus", f.display());
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tui_tmux.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_vigil"))
        .args(&files)
        .output()
        .expect("run tui_tmux.sh");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "tmux end-to-end failed:\n{text}");
    assert!(text.contains("tmux end-to-end: ok"));
}

/// The table read as a responder reads it (network rows, hosts, messages) without the
/// detail pane, counts, the clipboard, Ctrl-Z, help and the prompt history: at 80x24, and
/// at 60x16 without colour.
#[test]
fn responder_reads_the_table_at_80x24_and_60x16() {
    if !have_tmux() {
        return;
    }
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/samples");
    for (cols, rows, env) in [("80", "24", ""), ("60", "16", "NO_COLOR=1")] {
        let out = Command::new("bash")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tui_ux.sh"))
            .arg(env!("CARGO_BIN_EXE_vigil"))
            .arg(samples)
            .env("COLS", cols)
            .env("ROWS", rows)
            .env("UX_ENV", env)
            .output()
            .expect("run tui_ux.sh");
        let text = String::from_utf8_lossy(&out.stdout);
        println!("{text}{}", String::from_utf8_lossy(&out.stderr));
        assert!(
            out.status.success() && text.contains(&format!("tmux ux {cols}x{rows}: ok")),
            "{text}"
        );
    }
}

/// tmux is needed; under `CI=true` its absence is a failure, not a skip.
fn have_tmux() -> bool {
    if Command::new("tmux").arg("-V").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "tmux is needed for this test (CI=true)"
    );
    eprintln!("tmux absent: skipped");
    false
}

/// Regression: a dropped SSH session (the tmux server killed with vigil inside: SIGHUP and
/// a tty gone) did not save the case; the input poll spun, and the process took ~2.5 s.
/// Now the case file holds the annotation and the process is gone within 0.5 s.
#[test]
fn dropped_terminal_saves_the_case_and_exits_at_once() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("ev");
    std::fs::create_dir(&ev).unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/evtx/WS-ADMIN-01/System.evtx");
    std::fs::copy(&sample, ev.join("System.evtx")).unwrap();
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tui_drop.sh"))
        .arg(env!("CARGO_BIN_EXE_vigil"))
        .arg(dir.path())
        .output()
        .expect("run tui_drop.sh");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && text.contains("tmux drop: ok"),
        "{text}"
    );
    let case = dir.path().join("d.vigil.json");
    let file = vigil::case::CaseFile::load(&case).expect("the case file was saved");
    assert_eq!(file.annotations.len(), 1);
    assert_eq!(
        file.annotations[0].severity,
        Some(vigil::case::Severity::High)
    );
    assert_eq!(file.sources.len(), 1, "sources recorded by the save");
    assert!(
        !vigil::case::journal_path(&case).exists(),
        "the journal is folded into the saved file"
    );
}

/// Regression: `TERM=screen` got 256-colour escapes.
#[test]
fn colours_follow_the_terminal_colour_count() {
    if !have_tmux() {
        return;
    }
    let ev = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/evtx/WS-ADMIN-01/System.evtx");
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tui_color.sh"))
        .arg(env!("CARGO_BIN_EXE_vigil"))
        .arg(&ev)
        .output()
        .expect("run tui_color.sh");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && text.contains("tmux colours: ok"),
        "{text}"
    );
}

#[test]
fn refuses_without_a_terminal() {
    // stdin and stdout are not terminals under the test harness.
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .arg(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run vigil");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("needs a terminal") && err.contains("vigil export"),
        "{err}"
    );
}
