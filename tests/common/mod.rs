//! Shared test support: the prerequisites (`testutil`: corpus, Sigma, tmux, Python tools;
//! under `CI=true` a missing one fails), and loading paths into a timeline.
#![allow(dead_code)]

#[path = "../../src/testutil.rs"]
mod testutil;

#[allow(unused_imports)] // not every test binary needs a prerequisite
pub use testutil::*;

pub mod plain;

use std::path::{Path, PathBuf};
use vigil::ingest::{Options, Progress};
use vigil::timeline::{self, Timeline};

/// Every file under `dir` with the extension `ext`, sorted.
pub fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().and_then(|x| x.to_str()) == Some(ext) {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

pub fn opts() -> Options {
    Options {
        threads: 2,
        ..Default::default()
    }
}

pub fn load(paths: &[PathBuf]) -> Timeline {
    timeline::load_paths(paths, &opts(), &Progress::default()).0
}

/// Runs the `vigil` binary with `args` then `paths`.
pub fn vigil(args: &[&str], paths: &[&Path]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .args(paths)
        .output()
        .unwrap()
}

/// [`vigil`] that must exit 0: its stdout.
pub fn vigil_ok(args: &[&str], paths: &[&Path]) -> Vec<u8> {
    let out = vigil(args, paths);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    out.stdout
}

/// Runs `python` with `args`; it must exit 0 (its stderr is the failure): its stdout.
pub fn python_ok<S: AsRef<std::ffi::OsStr>>(python: &Path, args: &[S]) -> Vec<u8> {
    let out = std::process::Command::new(python)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
