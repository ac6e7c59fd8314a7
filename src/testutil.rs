//! What tests need from outside the repository, found in one place: the corpus and the
//! Sigma rules in `../shared`, tmux, python-evtx and the Timesketch validator.
//!
//! Without `CI=true` a missing prerequisite prints a note and the test returns early (a
//! laptop without the corpus can still run the rest). Under `CI=true` it is a failure: a
//! test that could not run must not count as passed. `.ci/run` installs what is needed.
//!
//! One file for both kinds of test: the unit tests use it as `crate::testutil`, the
//! integration tests include it from `tests/common` (so it uses nothing of the crate).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether this run is CI (`CI=true`, as CI services set it, or `CI=1`).
pub fn in_ci() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok("true" | "1"))
}

/// A prerequisite is absent: fails the test under CI, else says so and gives `None` so
/// the test can `return`.
pub fn missing<T>(what: &str) -> Option<T> {
    assert!(
        !in_ci(),
        "{what}: absent, and CI=true makes a missing prerequisite a failure (.ci/run installs it)"
    );
    eprintln!("{what}: absent; test skipped (with CI=true it would fail)");
    None
}

/// The `shared` folder beside the checkout (`/work/main` → `/work/shared`; a worktree one
/// level deeper finds it two levels up), or `$VIGIL_SHARED`.
pub fn shared() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("VIGIL_SHARED") {
        return Some(PathBuf::from(p)).filter(|p| p.is_dir());
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared", "../../shared"]
        .iter()
        .map(|r| here.join(r))
        .find(|p| p.join("corpus").is_dir())
}

fn under_shared(top: &str, sub: &str) -> Option<PathBuf> {
    let found = shared()
        .map(|s| s.join(top).join(sub))
        .filter(|p| p.exists());
    match found {
        Some(p) => Some(p),
        None => missing(&format!("../shared/{top}/{sub}")),
    }
}

/// `../shared/corpus/<sub>` (`""` for the whole corpus).
pub fn corpus(sub: &str) -> Option<PathBuf> {
    under_shared("corpus", sub)
}

/// `../shared/sigma/<sub>`.
pub fn sigma(sub: &str) -> Option<PathBuf> {
    under_shared("sigma", sub)
}

/// Every file below `dir` at any depth, sorted; an unreadable folder counts as empty.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for p in rd.flatten().map(|e| e.path()) {
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The repository's own `samples/` (committed; never absent in a checkout).
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// `Some(())` when `tmux` runs.
pub fn tmux() -> Option<()> {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if ok { Some(()) } else { missing("tmux") }
}

/// The venv holding the Timesketch validator (and python-evtx): `$TIMESKETCH_VENV`, else
/// `target/timesketch-venv` as `.ci/run` makes it.
pub fn venv() -> PathBuf {
    std::env::var_os("TIMESKETCH_VENV").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/timesketch-venv"),
        PathBuf::from,
    )
}

fn imports(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A Python that can `import module`: the venv's, else `python3` from `PATH`.
pub fn python_with(module: &str) -> Option<PathBuf> {
    let candidates = [venv().join("bin/python"), PathBuf::from("python3")];
    match candidates.into_iter().find(|p| imports(p, module)) {
        Some(p) => Some(p),
        None => missing(&format!(
            "python module {module} (pip install in {})",
            venv().display()
        )),
    }
}

/// The venv's Python when Timesketch's validator imports there (only the venv counts: the
/// test must say which Timesketch it validated with).
pub fn timesketch_python() -> Option<PathBuf> {
    let p = venv().join("bin/python");
    if imports(&p, "timesketch.lib.utils") {
        Some(p)
    } else {
        missing(&format!(
            "Timesketch validator in {} (set TIMESKETCH_VENV, or run .ci/run)",
            venv().display()
        ))
    }
}
