//! Source paths in the case file: stored relative to the case's folder, one entry per file
//! however it was spelt; journal permissions; cases that exist only as a journal.

use super::*;
use std::fs;
use std::path::{Path, PathBuf};

fn entry(opened: &Path, sha: &str) -> SourceEntry {
    SourceEntry {
        path: opened.to_string_lossy().into_owned(),
        sha256: sha.into(),
        format: "evtx".into(),
        ..Default::default()
    }
}

/// `a` written relative to the working directory (`../../tmp/…`), without changing it
/// (tests run in parallel threads of one process).
fn from_cwd(a: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap();
    let mut out = PathBuf::new();
    for _ in cwd.components().skip(1) {
        out.push("..");
    }
    out.join(a.strip_prefix("/").unwrap())
}

/// The recorded source paths, in order.
fn source_paths(f: &CaseFile) -> Vec<&str> {
    f.sources.iter().map(|s| s.path.as_str()).collect()
}

/// A case folder with `samples/x.evtx` in it: the folder, the case file's path, the
/// source's path and its SHA-256.
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf, String) {
    let d = tempfile::tempdir().unwrap();
    fs::create_dir(d.path().join("samples")).unwrap();
    let x = d.path().join("samples/x.evtx");
    fs::write(&x, b"evidence").unwrap();
    let sha = sha256_file(&x).unwrap();
    let case = d.path().join("C.vigil.json");
    (d, case, x, sha)
}

#[test]
fn every_spelling_of_a_source_is_one_entry_relative_to_the_case() {
    let (d, case, x, sha) = setup();
    std::os::unix::fs::symlink(d.path().join("samples"), d.path().join("link")).unwrap();
    let mut c = Case::new(&case, "a");
    for opened in [
        x.clone(),
        d.path().join("./samples/x.evtx"),
        d.path().join("././samples/x.evtx"),
        d.path().join("samples/../samples/x.evtx"),
        d.path().join("link/x.evtx"),
        from_cwd(&x),
    ] {
        c.set_source(entry(&opened, &sha));
    }
    assert_eq!(source_paths(c.file()), ["samples/x.evtx"]);
}

/// The TUI's reopen: resolve each recorded source from the case's folder, load it under
/// that name, record it again on save. The count must not grow (it went 54 → 108 → 162).
#[test]
fn reopening_and_saving_again_never_adds_a_source() {
    let (d, case, x, sha) = setup();
    let y = d.path().join("samples/y.log");
    fs::write(&y, b"fw").unwrap();
    let sha_y = sha256_file(&y).unwrap();
    let mut c = Case::new(&case, "a");
    c.set_source(entry(&x, &sha));
    c.set_source(entry(&y, &sha_y));
    c.save().unwrap();
    // `vigil C.vigil.json` from the case's folder (dir "."), from elsewhere (absolute),
    // and relative to the working directory.
    for case_as_given in [
        case.clone(),
        d.path().join("./C.vigil.json"),
        from_cwd(&case),
    ] {
        let (mut c, _) = Case::open(&case_as_given, "a").unwrap();
        let dir = case_as_given.parent().unwrap().to_owned();
        let loaded: Vec<(PathBuf, String)> = c
            .file()
            .sources
            .iter()
            .map(|s| (resolve_source(&dir, &s.path), s.sha256.clone()))
            .collect();
        for (p, h) in &loaded {
            assert!(p.exists(), "{} reported missing", p.display());
            c.set_source(entry(p, h));
        }
        assert!(!c.dirty(), "nothing changed, so nothing to save");
        c.save().unwrap();
        let back = CaseFile::load(&case).unwrap();
        assert_eq!(source_paths(&back), ["samples/x.evtx", "samples/y.log"]);
    }
}

#[test]
fn an_old_case_with_three_spellings_opens_as_one_source() {
    let (_d, case, _, sha) = setup();
    let src = |p: &str| format!(r#"{{"path":"{p}","sha256":"{sha}","bytes":8,"format":"evtx"}}"#);
    let json = format!(
        r#"{{"format":"vigil-case","version":1,"sources":[{},{},{},{}],"annotations":[]}}"#,
        src("samples/x.evtx"),
        src("./samples/x.evtx"),
        src("././samples/x.evtx"),
        src("gone/missing.evtx"),
    );
    fs::write(&case, json).unwrap();
    let (c, _) = Case::open(&case, "a").unwrap();
    assert_eq!(
        source_paths(c.file()),
        ["gone/missing.evtx", "samples/x.evtx"]
    );
    let st = c.verify_sources();
    assert_eq!(st.iter().filter(|s| s.status == Verify::Ok).count(), 1);
    assert_eq!(st.iter().filter(|s| s.status == Verify::Missing).count(), 1);
}

#[test]
fn a_moved_source_replaces_its_old_entry_by_sha256() {
    let (d, case, x, sha) = setup();
    let mut c = Case::new(&case, "a");
    c.set_source(entry(&x, &sha));
    let moved = d.path().join("x-moved.evtx");
    fs::rename(&x, &moved).unwrap();
    c.set_source(entry(&moved, &sha));
    assert_eq!(source_paths(c.file()), ["x-moved.evtx"]);
}

#[test]
fn two_copies_of_the_same_content_stay_two_sources() {
    let (d, case, x, sha) = setup();
    let copy = d.path().join("copy.evtx");
    fs::copy(&x, &copy).unwrap();
    let mut c = Case::new(&case, "a");
    c.set_source(entry(&x, &sha));
    c.set_source(entry(&copy, &sha));
    assert_eq!(c.file().sources.len(), 2);
}

#[test]
fn sources_outside_the_case_folder_use_dotdot_and_save_as_rebases_them() {
    let (d, _, x, sha) = setup();
    fs::create_dir(d.path().join("cases")).unwrap();
    let case = d.path().join("cases/C.vigil.json");
    let mut c = Case::new(&case, "a");
    c.set_source(entry(&x, &sha));
    // Deleted since it was loaded: kept as opened (absolute here).
    let gone = d.path().join("samples/gone.evtx");
    c.set_source(entry(&gone, "00"));
    assert_eq!(
        source_paths(c.file()),
        ["../samples/x.evtx", gone.to_str().unwrap()]
    );
    c.save().unwrap();
    let deeper = d.path().join("cases/2024/C.vigil.json");
    fs::create_dir(d.path().join("cases/2024")).unwrap();
    c.save_as(&deeper).unwrap();
    let back = CaseFile::load(&deeper).unwrap();
    assert_eq!(
        source_paths(&back),
        ["../../samples/gone.evtx", "../../samples/x.evtx"]
    );
    // Beside the evidence: plain relative names.
    let beside = d.path().join("samples/C.vigil.json");
    c.save_as(&beside).unwrap();
    let back = CaseFile::load(&beside).unwrap();
    assert_eq!(source_paths(&back), ["gone.evtx", "x.evtx"]);
}

#[test]
fn record_path_is_absolute_when_only_the_root_is_shared() {
    let p = record_path(
        Path::new("/tmp/c/C.vigil.json"),
        Path::new("/proc/self/status"),
    );
    assert!(p.starts_with('/'), "{p}");
}

#[cfg(unix)]
#[test]
fn the_journal_is_0600_like_the_case_file() {
    use std::os::unix::fs::PermissionsExt;
    let (_d, case, _, _) = setup();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let mut c = Case::new(&case, "a");
    let key = crate::model::EventKey {
        sha256: "ab".repeat(32),
        locator: "@1".into(),
        ts: 1,
    };
    let ev = EventCopy::new(1, "x", "h", "1", "m");
    c.upsert(c.new_annotation(key.clone(), ev.clone(), Kind::Ioc))
        .unwrap();
    assert_eq!(mode(&journal_path(&case)), 0o600);
    c.save().unwrap();
    assert_eq!(mode(&case), 0o600);
    // A journal left 0644 by an older version is narrowed on the next change.
    let (mut c, _) = Case::open(&case, "a").unwrap();
    fs::write(journal_path(&case), b"").unwrap();
    fs::set_permissions(journal_path(&case), fs::Permissions::from_mode(0o644)).unwrap();
    c.upsert(c.new_annotation(key, ev, Kind::Note)).unwrap();
    assert_eq!(mode(&journal_path(&case)), 0o600);
}

#[test]
fn a_case_that_is_only_a_journal_opens_with_its_annotations() {
    let (_d, case, _, _) = setup();
    let mut c = Case::new(&case, "a");
    let key = crate::model::EventKey {
        sha256: "ab".repeat(32),
        locator: "@1".into(),
        ts: 1,
    };
    c.upsert(c.new_annotation(key, EventCopy::new(1, "x", "h", "1", "m"), Kind::Ioc))
        .unwrap();
    drop(c); // killed before the first save
    assert!(!case.exists());
    let (back, rep) = Case::open_existing(&case, "b").unwrap();
    assert_eq!((rep.replayed, back.annotations().len()), (1, 1));
    let nothing = case.with_file_name("none.vigil.json");
    let e = Case::open_existing(&nothing, "b").unwrap_err();
    assert!(matches!(e, CaseError::NotFound { .. }), "{e}");
}
