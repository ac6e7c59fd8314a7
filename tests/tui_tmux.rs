//! Runs `tests/tui_tmux.sh`: the TUI in a real (tmux) terminal, driven by keys.

mod common;

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
