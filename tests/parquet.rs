//! `vigil export -F parquet` end to end, through the binary: the sample incident to a
//! dataset and back is the same timeline, and shards share one dataset.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

mod common;

use std::path::Path;

use common::vigil;

/// The jsonl export of `paths`, one line per event, without `source` (the path the
/// event was read from: the evidence, or the dataset's file).
fn jsonl_without_source(paths: &[&Path]) -> Vec<String> {
    let out = vigil(&["export", "-F", "jsonl"], paths);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert!(v.as_object_mut().unwrap().remove("source").is_some(), "{l}");
            // Keys keep their order (serde_json's preserve_order is on in this build).
            v.to_string()
        })
        .collect()
}

#[test]
fn the_sample_through_parquet_and_back_is_the_same_timeline() {
    let samples = common::samples();
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    let out = vigil(&["export", "-F", "parquet", "-o"], &[&ds, &samples]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = common::files(&ds, "parquet");
    assert!(!files.is_empty());
    for f in &files {
        let part = f.parent().unwrap().file_name().unwrap().to_str().unwrap();
        assert!(part.starts_with("date=20"), "{}", f.display());
        assert!(
            f.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("part-vigil-")
        );
    }
    let original = jsonl_without_source(&[&samples]);
    let back = jsonl_without_source(&[&ds]);
    assert_eq!(original.len(), back.len());
    for (n, (a, b)) in original.iter().zip(&back).enumerate() {
        assert_eq!(a, b, "line {n}");
    }
    // The dataset holds as many events as the evidence, over the same span.
    let stats = |p: &Path| -> serde_json::Value {
        serde_json::from_slice(&vigil(&["stats", "--json"], &[p]).stdout).unwrap()
    };
    let (a, b) = (stats(&samples), stats(&ds));
    for k in ["events", "first", "last", "bad_time"] {
        assert_eq!(a[k], b[k], "{k}");
    }
    assert!(
        b["sources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["format"] == "parquet")
    );
    // A second export into the same dataset, unasked, is refused; `--force` replaces.
    let again = vigil(&["export", "-F", "parquet", "-o"], &[&ds, &samples]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let forced = vigil(
        &["export", "-F", "parquet", "--force", "-o"],
        &[&ds, &samples],
    );
    assert_eq!(forced.status.code(), Some(0));
    assert_eq!(common::files(&ds, "parquet"), files);
}

#[test]
fn shards_write_one_dataset_and_a_rerun_replaces_its_own_files() {
    let samples = common::samples();
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    let (fw, edr) = (samples.join("firewall"), samples.join("edr"));
    for (shard, src) in [("site-a", &fw), ("site-b", &edr)] {
        let out = vigil(
            &["export", "-F", "parquet", "--shard", shard, "-o"],
            &[&ds, src],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let both = jsonl_without_source(&[&fw, &edr]);
    assert_eq!(jsonl_without_source(&[&ds]).len(), both.len());
    let b_files: Vec<_> = common::files(&ds, "parquet")
        .into_iter()
        .filter(|f| f.to_str().unwrap().contains("part-site-b-"))
        .map(|f| (f.clone(), std::fs::read(&f).unwrap()))
        .collect();
    assert!(!b_files.is_empty());
    // Site a again, over less: its files are replaced, site b's untouched.
    let out = vigil(
        &[
            "export",
            "-F",
            "parquet",
            "--shard",
            "site-a",
            "--filter",
            "action:deny,drop",
            "-o",
        ],
        &[&ds, &fw],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (f, bytes) in &b_files {
        assert_eq!(&std::fs::read(f).unwrap(), bytes, "{}", f.display());
    }
    let denied = vigil(
        &["export", "-F", "jsonl", "--filter", "action:deny,drop"],
        &[&fw],
    );
    let denied = String::from_utf8(denied.stdout).unwrap().lines().count();
    assert!(denied > 0);
    let edr_events = jsonl_without_source(&[&edr]).len();
    assert_eq!(jsonl_without_source(&[&ds]).len(), denied + edr_events);
}

#[test]
fn a_dataset_needs_a_folder_that_holds_no_evidence() {
    let samples = common::samples();
    let tmp = tempfile::tempdir().unwrap();
    let ev = tmp.path().join("ev");
    std::fs::create_dir(&ev).unwrap();
    let log = ev.join("fw.log");
    std::fs::copy(
        samples
            .join("firewall")
            .read_dir()
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
        &log,
    )
    .unwrap();
    let cases: [(&[&str], &[&Path], &str); 4] = [
        (&["export", "-F", "parquet"], &[&log], "give -o DIR"),
        (
            &["export", "-F", "parquet", "-o"],
            &[&ev, &log],
            "holds loaded evidence",
        ),
        (
            &["export", "-F", "parquet", "-o"],
            &[&log, &log],
            "loaded evidence",
        ),
        (
            &["export", "-F", "jsonl", "--shard", "x"],
            &[&log],
            "--shard",
        ),
    ];
    for (args, paths, says) in cases {
        let out = vigil(args, paths);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(
        std::fs::read_dir(&ev).unwrap().count(),
        1,
        "nothing written beside the evidence"
    );
}
