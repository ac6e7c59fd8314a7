//! Parquet as an input: the sample incident through a dataset and back, and what a
//! filter lets the reader skip.

use crate::export::parquet::{DatasetOptions, Layout, write_with};
use crate::export::{Format, Request};
use crate::ingest::{Options, Progress};
use crate::model::TzSpec;
use crate::query::Query;
use crate::timeline::filter::{Filter, NoMarks, run};
use crate::timeline::{self, Timeline};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize};

fn load(path: &Path, pushdown: Option<Query>) -> Timeline {
    load_skipping(path, pushdown).0
}

/// The timeline, and what was not read (with why).
fn load_skipping(path: &Path, pushdown: Option<Query>) -> (Timeline, Vec<String>) {
    let opts = Options {
        threads: 2,
        pushdown,
        ..Default::default()
    };
    let (t, skipped) = timeline::load_paths(&[path.to_owned()], &opts, &Progress::default());
    let skipped = skipped
        .into_iter()
        .map(|s| format!("{}: {}", s.path.display(), s.reason))
        .collect();
    (t, skipped)
}

fn matching(t: &Timeline, q: &Query) -> Vec<crate::model::EventKey> {
    let f = Filter::from(q.clone());
    let rows = run(
        t,
        &f,
        &NoMarks,
        &AtomicBool::new(false),
        &AtomicUsize::new(0),
    )
    .unwrap();
    rows.into_iter()
        .map(|i| t.key(i as usize).unwrap())
        .collect()
}

/// The sample written with small files and row groups, so that there is much to skip.
fn sample_dataset(dir: &Path) -> Timeline {
    let t = load(&crate::testutil::samples(), None);
    let layout = Layout {
        rows_per_file: 4000,
        row_group: 500,
        batch: 128,
    };
    let opts = DatasetOptions {
        shard: "t",
        replace: false,
    };
    let req = Request::new(Format::Parquet);
    write_with(
        &t,
        &req,
        dir,
        &crate::output::Protected::new(),
        opts,
        layout,
    )
    .unwrap();
    t
}

/// The sample's dataset (in a folder that lives as long as the first value), the
/// timeline it was written from and the timeline read back from it.
fn sample_read_back() -> (tempfile::TempDir, std::path::PathBuf, Timeline, Timeline) {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("ds");
    let t = sample_dataset(&ds);
    let all = load(&ds, None);
    (dir, ds, t, all)
}

fn notes(t: &Timeline) -> Vec<String> {
    t.sources
        .iter()
        .flat_map(|s| s.report.notes.clone())
        .collect()
}

#[test]
fn a_filter_skips_partitions_and_row_groups_it_cannot_match() {
    let (_dir, ds, t, all) = sample_read_back();
    assert_eq!(all.len(), t.len());
    assert!(all.sources.iter().all(|s| s.format() == super::ID));

    // One day (the one with the most events), then an hour of it.
    let day = crate::export::parquet::schema::partition_of(t.events[t.len() / 2].ts);
    let hour = format!(
        "{day}T{:02}",
        chrono::DateTime::from_timestamp_nanos(t.events[t.len() / 2].ts).format("%H")
    );
    for (q, skipped, some) in [
        (
            format!("ts:{day}"),
            "partitions outside the filter's time range",
            true,
        ),
        (format!("ts:{hour}"), "row groups skipped", true),
        // Below every id of the sample: each row group's statistics rule it out.
        ("event_id:-7".to_owned(), "row groups skipped", false),
    ] {
        let q = Query::parse(&q, &TzSpec::Utc).unwrap();
        let (slice, passed) = load_skipping(&ds, Some(q.clone()));
        assert!(
            slice.len() < all.len(),
            "{}: read {} of {}",
            q.as_str(),
            slice.len(),
            all.len()
        );
        let said: Vec<String> = notes(&slice).into_iter().chain(passed).collect();
        assert!(
            said.iter().any(|n| n.contains(skipped)),
            "{}: {said:?}",
            q.as_str(),
        );
        // Whatever was skipped, the filter finds what it finds in the evidence.
        let want = matching(&t, &q);
        assert_eq!(!want.is_empty(), some, "{}", q.as_str());
        assert_eq!(matching(&slice, &q), want, "{}", q.as_str());
    }
    // A term that matches more than its value (`host:FS-01` finds `FS-01.corp`) or a
    // negation skips nothing it should not.
    for q in [
        "host:dc-01",
        "NOT event_id:4624",
        "event_id:4624 OR action:allow",
        "user:*adm*",
        "event_id:4624",
        "format:wfw channel:security",
    ] {
        let q = Query::parse(q, &TzSpec::Utc).unwrap();
        let slice = load(&ds, Some(q.clone()));
        assert_eq!(matching(&slice, &q), matching(&t, &q), "{}", q.as_str());
    }
}

#[test]
fn not_a_dataset_is_a_reject_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.parquet");
    // The magic at both ends and garbage between.
    std::fs::write(&p, b"PAR1 not really a parquet file PAR1").unwrap();
    let t = load(&p, None);
    assert!(t.is_empty());
    assert_eq!(t.sources[0].report.format, super::ID);
    assert_eq!(t.sources[0].report.rejected, 1);
}

/// Opening reads only the columns that make the events: the rest of a row group is
/// decoded when one of its events is first read, and gives what the evidence gives.
#[test]
fn columns_beyond_the_events_are_decoded_when_first_read() {
    let (_dir, _, t, read) = sample_read_back();
    let opened = read.heap_bytes();
    // No annotations: matching them reads no event's key.
    let none = crate::case::CaseMarks::from_annotations(&[], &read);
    assert_eq!(none.matched(), 0);
    assert_eq!(read.heap_bytes(), opened, "keys read with nothing to match");

    let mid = read.len() / 2;
    assert_eq!(read.key(mid), t.key(mid));
    let keyed = read.heap_bytes();
    assert!(keyed > opened, "the key's columns are decoded on demand");
    let (a, b) = (read.fields(mid), t.fields(mid));
    assert_eq!(
        a.norm_iter().collect::<Vec<_>>(),
        b.norm_iter().collect::<Vec<_>>()
    );
    assert_eq!(a.raw, b.raw);
    let full = read.heap_bytes();
    assert!(full > keyed, "the other columns too, once");
    let _ = read.fields(mid + 1);
    assert_eq!(read.heap_bytes(), full, "a row group is decoded once");
}

/// Partitions outside a filter's time range are not sources: one note for the dataset
/// says how many files in how many partitions were skipped.
#[test]
fn skipped_partitions_are_one_note_not_sources() {
    let (_dir, ds, t, all) = sample_read_back();
    let day = crate::export::parquet::schema::partition_of(t.events[t.len() / 2].ts);
    let q = Query::parse(&format!("ts:{day}"), &TzSpec::Utc).unwrap();
    let (slice, passed) = load_skipping(&ds, Some(q));
    let in_day = |s: &crate::timeline::Source| s.label.contains(&format!("date={day}"));
    assert!(
        slice.sources.iter().all(in_day),
        "only the day's files are sources"
    );
    let outside = all.sources.iter().filter(|s| !in_day(s)).count();
    assert!(outside > 1, "the sample spans more than one day");
    assert_eq!(slice.sources.len(), all.sources.len() - outside);
    assert_eq!(passed.len(), 1, "{passed:?}");
    assert!(
        passed[0].starts_with(&format!("{}: skipped: {outside} files in ", ds.display())),
        "{passed:?}"
    );
}

/// A buffer reused across sources keeps its mode through a Parquet row: a lean or
/// message-less reader (analyzers, Sigma) reads the next text or EVTX event as it asked.
#[test]
fn a_reused_buffer_keeps_its_mode_through_a_parquet_row() {
    let (_dir, _ds, _t, all) = sample_read_back();
    let modes: [fn() -> crate::model::Fields<'static>; 3] = [
        crate::model::Fields::new,
        crate::model::Fields::without_message,
        crate::model::Fields::lean,
    ];
    for mode in modes {
        let mut f = mode();
        all.fields_into(0, &mut f);
        assert!(
            f.get(crate::model::Norm::Host).is_some(),
            "the row was read"
        );
        let want = mode();
        assert_eq!(
            (f.is_lean(), f.skips_message()),
            (want.is_lean(), want.skips_message())
        );
    }
}
