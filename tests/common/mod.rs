//! Shared test support: where the corpus is, and loading paths into a timeline.
#![allow(dead_code)]

pub mod plain;

use std::path::{Path, PathBuf};
use vigil::ingest::{Options, Progress};
use vigil::timeline::{self, Timeline};

/// `../shared/corpus`, or `None` (with a note on stderr) when it is absent.
pub fn corpus(sub: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(sub);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("corpus absent ({}): skipped", p.display());
        None
    }
}

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

/// `../shared/sigma` (SigmaHQ rules and regression data), or `None` when absent; under
/// `CI=true` its absence fails the test.
pub fn sigma(sub: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/sigma")
        .join(sub);
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{} is missing (required under CI)",
        p.display()
    );
    eprintln!("sigma data absent ({}): skipped", p.display());
    None
}
