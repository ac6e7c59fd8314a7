use super::*;
use std::fs;

const KEEP: OutputOptions = OutputOptions {
    force: false,
    private: false,
};
const FORCE: OutputOptions = OutputOptions {
    force: true,
    private: false,
};

fn dir_with_evidence() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let ev = d.path().join("Security.evtx");
    fs::write(&ev, b"ElfFile\0evidence").unwrap();
    (d, ev)
}

fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".vigil-out-"))
        .collect()
}

/// `e` refuses `path` for being protected as `role`.
#[track_caller]
fn assert_refused_as(e: &OutputError, role: Role, path: &Path) {
    assert!(
        matches!(e, OutputError::Protected { role: r, .. } if *r == role),
        "{}: {e}",
        path.display()
    );
}

#[test]
fn evidence_is_refused_under_every_name_even_with_force() {
    let (d, ev) = dir_with_evidence();
    let mut p = Protected::new();
    p.evidence(&[&ev]);
    let link = d.path().join("link.evtx");
    std::os::unix::fs::symlink(&ev, &link).unwrap();
    let hard = d.path().join("hard.evtx");
    fs::hard_link(&ev, &hard).unwrap();
    let dotted = d.path().join(".").join("sub/..").join("Security.evtx");
    fs::create_dir(d.path().join("sub")).unwrap();
    for out in [&ev, &link, &hard, &dotted] {
        let e = write(out, b"{}\n", &p, FORCE).unwrap_err();
        assert_refused_as(&e, Role::Evidence, out);
        let msg = e.to_string();
        assert!(
            !msg.contains('\n') && msg.contains("loaded evidence"),
            "{msg}"
        );
    }
    assert_eq!(fs::read(&ev).unwrap(), b"ElfFile\0evidence");
    assert!(leftovers(d.path()).is_empty());
}

#[test]
fn a_relative_name_matches_its_absolute_form() {
    let (d, ev) = dir_with_evidence();
    let mut p = Protected::new();
    p.evidence(&[&ev]);
    let cwd = std::env::current_dir().unwrap();
    let rel = pathdiff(&ev, &cwd);
    assert!(matches!(p.check(&rel), Err(OutputError::Protected { .. })));
    drop(d);
}

/// `a` relative to `base` via `..` steps (both absolute).
fn pathdiff(a: &Path, base: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for _ in base.components().skip(1) {
        out.push("..");
    }
    out.join(a.strip_prefix("/").unwrap())
}

#[test]
fn case_file_and_journal_are_refused_before_they_exist() {
    let d = tempfile::tempdir().unwrap();
    let case = d.path().join("c.vigil.json");
    let mut p = Protected::new();
    p.case(&case);
    let e = check(&case, &p, FORCE).unwrap_err();
    assert_refused_as(&e, Role::CaseFile, &case);
    let j = d.path().join("c.vigil.json.journal");
    let e = check(&j, &p, FORCE).unwrap_err();
    assert_refused_as(&e, Role::Journal, &j);
    // Another name for the same (not yet existing) case: `dir/./c.vigil.json`.
    let other = d.path().join(".").join("c.vigil.json");
    assert!(check(&other, &p, FORCE).is_err());
}

#[test]
fn an_existing_file_needs_force_and_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out.jsonl");
    fs::write(&out, b"old").unwrap();
    fs::set_permissions(&out, Permissions::from_mode(0o640)).unwrap();
    let p = Protected::new();
    let e = write(&out, b"new", &p, KEEP).unwrap_err();
    assert!(matches!(e, OutputError::Exists { .. }), "{e}");
    assert!(e.to_string().contains("--force"), "{e}");
    assert_eq!(fs::read(&out).unwrap(), b"old");
    write(&out, b"new", &p, FORCE).unwrap();
    assert_eq!(fs::read(&out).unwrap(), b"new");
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert!(leftovers(d.path()).is_empty());
}

#[test]
fn a_new_file_is_created_and_private_means_0600() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("merged.vigil.json");
    let opts = OutputOptions {
        force: false,
        private: true,
    };
    write(&out, b"{}", &Protected::new(), opts).unwrap();
    assert_eq!(fs::read(&out).unwrap(), b"{}");
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// An output to `dir/out.csv` with `bytes` written to it, not yet committed.
fn uncommitted(dir: &Path, bytes: &[u8]) -> (PathBuf, Output) {
    let out = dir.join("out.csv");
    let mut o = create(&out, &Protected::new(), KEEP).unwrap();
    o.write_all(bytes).unwrap();
    (out, o)
}

#[test]
fn dropping_an_unfinished_output_leaves_nothing() {
    let d = tempfile::tempdir().unwrap();
    let (out, o) = uncommitted(d.path(), b"half");
    assert!(!out.exists(), "nothing at the destination until commit");
    drop(o);
    assert!(!out.exists());
    assert!(leftovers(d.path()).is_empty());
}

#[test]
fn a_file_that_appears_while_writing_is_not_clobbered() {
    let d = tempfile::tempdir().unwrap();
    let (out, o) = uncommitted(d.path(), b"ours");
    fs::write(&out, b"theirs").unwrap();
    let e = o.commit().unwrap_err();
    assert!(matches!(e, OutputError::Exists { .. }), "{e}");
    assert_eq!(fs::read(&out).unwrap(), b"theirs");
    assert!(leftovers(d.path()).is_empty());
}

#[test]
fn a_directory_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let e = check(d.path(), &Protected::new(), FORCE).unwrap_err();
    assert!(matches!(e, OutputError::Directory { .. }), "{e}");
}

#[test]
fn streams_are_written_in_place_without_force() {
    let mut o = create(Path::new("/dev/null"), &Protected::new(), KEEP).unwrap();
    o.write_all(b"x").unwrap();
    o.commit().unwrap();
}

#[test]
fn force_through_a_symlink_replaces_the_target_and_keeps_the_link() {
    let d = tempfile::tempdir().unwrap();
    let target = d.path().join("real.md");
    fs::write(&target, b"old").unwrap();
    let link = d.path().join("link.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    write(&link, b"new", &Protected::new(), FORCE).unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read(&target).unwrap(), b"new");
}

#[test]
fn a_missing_folder_is_a_one_line_error_naming_the_path() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("no/such/dir/out.jsonl");
    let e = check(&out, &Protected::new(), KEEP).unwrap_err();
    assert!(matches!(e, OutputError::NoFolder { .. }), "{e}");
    let e = write(&out, b"x", &Protected::new(), KEEP).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("out.jsonl") && !msg.contains('\n'), "{msg}");
    assert!(msg.contains("does not exist"), "{msg}");
}
