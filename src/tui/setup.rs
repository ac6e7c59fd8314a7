//! Before the terminal is taken over: the case file named on the command line is opened
//! (a journal left by a crash is replayed), and the evidence it records is found, so that
//! a case that cannot be read stops here with a plain error.

use super::state::CaseSource;
use crate::case::{Case, OpenReport};
use std::path::PathBuf;

/// The case to open at start and the evidence to load.
#[derive(Debug, Default)]
pub struct CaseSetup {
    pub case: Option<(Case, OpenReport)>,
    pub paths: Vec<PathBuf>,
    pub sources: Vec<CaseSource>,
    /// Recorded sources not found on disk.
    pub problems: Vec<String>,
}

fn is_case_path(p: &std::path::Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".vigil.json"))
}

/// `vigil CASE.vigil.json` reopens a case (its recorded sources are loaded, resolved from
/// the case's directory); `--case FILE` names the case for the evidence given. A leftover
/// journal is replayed by `Case::open`. A case file that cannot be read stops here, before
/// the terminal is taken over.
pub fn prepare(
    paths: Vec<PathBuf>,
    flag: Option<PathBuf>,
    author: &str,
) -> anyhow::Result<CaseSetup> {
    let (cases, mut evidence): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.into_iter().partition(|p| is_case_path(p));
    let reopened = cases.first().cloned();
    if cases.len() > 1 || (reopened.is_some() && flag.is_some()) {
        anyhow::bail!("give one case file (either CASE.vigil.json or --case FILE)");
    }
    let Some(path) = reopened.clone().or(flag) else {
        return Ok(CaseSetup {
            paths: evidence,
            ..Default::default()
        });
    };
    // A new case in a folder that cannot take it would fail at every annotation.
    if !path.exists() {
        super::casepath::check_folder(&path)
            .map_err(|e| anyhow::anyhow!("cannot use case file {}: {e}", path.display()))?;
    }
    let (case, report) = Case::open(&path, author)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut setup = CaseSetup::default();
    // The case's own sources come first: a file also reached through a folder given
    // beside the case is then loaded once, under the name the case knows it by.
    let mut recorded = Vec::new();
    for s in &case.file().sources {
        let resolved = crate::case::resolve_source(&dir, &s.path);
        if !resolved.exists() {
            setup.problems.push(format!("missing {}", s.path));
            continue;
        }
        if reopened.is_some() && !recorded.contains(&resolved) {
            recorded.push(resolved.clone());
        }
        setup.sources.push(CaseSource {
            recorded: s.path.clone(),
            label: resolved.display().to_string(),
            sha256: s.sha256.clone(),
            expect_loaded: reopened.is_some(),
        });
    }
    recorded.append(&mut evidence);
    setup.paths = recorded;
    setup.case = Some((case, report));
    Ok(setup)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--case` into a folder that is not there stops before the terminal is taken over,
    /// instead of failing at every annotation.
    #[test]
    fn a_case_whose_folder_cannot_take_it_is_refused_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/x.vigil.json");
        let e = prepare(Vec::new(), Some(missing), "t").unwrap_err();
        assert!(e.to_string().contains("no folder"), "{e}");
        let fine = dir.path().join("x.vigil.json");
        let setup = prepare(Vec::new(), Some(fine), "t").unwrap();
        assert!(setup.case.is_some());
    }

    /// `vigil C.vigil.json ev/`: the case's sources and the folder holding them are
    /// loaded once each, under the names the case knows them by.
    #[test]
    fn a_case_beside_its_evidence_folder_loads_each_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let ev = dir.path().join("ev");
        std::fs::create_dir(&ev).unwrap();
        std::fs::write(ev.join("a.log"), "x").unwrap();
        std::fs::write(ev.join("b.log"), "y").unwrap();
        let case_path = dir.path().join("c.vigil.json");
        let (mut case, _) = Case::open(&case_path, "t").unwrap();
        case.set_source(crate::case::SourceEntry {
            path: "ev/a.log".into(),
            sha256: String::new(),
            bytes: 1,
            format: "x".into(),
            tz: "UTC".into(),
            skew: 0,
        });
        case.save().unwrap();
        drop(case);
        let setup = prepare(vec![case_path, ev.clone()], None, "t").unwrap();
        let (found, _) = super::super::effects::found_inputs(&setup.paths);
        let labels: Vec<String> = found.iter().map(|f| f.label.clone()).collect();
        let recorded = setup.sources[0].label.clone();
        assert_eq!(labels, [recorded, ev.join("b.log").display().to_string()]);
    }
}
