//! `.gz` (several members) and `.zst` evidence is read transparently, with a note.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

mod common;

use std::io::Write;

fn sample_file() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/firewall/netfilter-fw-int.log")
}

#[test]
fn gzip_with_two_members_and_zstd_read_like_the_plain_file() {
    let plain = std::fs::read(sample_file()).unwrap();
    let half = plain.len() / 2;
    let cut = half + plain[half..].iter().position(|b| *b == b'\n').unwrap() + 1;
    let tmp = tempfile::tempdir().unwrap();
    // Rotated logs are often concatenated gzip members.
    let gz = tmp.path().join("fw.log.gz");
    let mut f = std::fs::File::create(&gz).unwrap();
    for part in [&plain[..cut], &plain[cut..]] {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(part).unwrap();
        f.write_all(&e.finish().unwrap()).unwrap();
    }
    drop(f);
    let zst = tmp.path().join("fw.log.zst");
    let compressed =
        ruzstd::encoding::compress_to_vec(&plain[..], ruzstd::encoding::CompressionLevel::Fastest);
    std::fs::write(&zst, compressed).unwrap();

    let base = common::load(&[sample_file()]);
    for p in [gz, zst] {
        let t = common::load(std::slice::from_ref(&p));
        let r = &t.sources[0].report;
        assert_eq!(r.format, "netfilter", "{}", p.display());
        assert_eq!(t.len(), base.len(), "{}", p.display());
        assert_eq!(r.rejected, 0);
        assert!(
            r.notes.iter().any(|n| n.contains("decompressed")),
            "{:?}",
            r.notes
        );
        assert_eq!(
            t.events.iter().map(|e| e.ts).collect::<Vec<_>>(),
            base.events.iter().map(|e| e.ts).collect::<Vec<_>>()
        );
    }
}

#[test]
fn corrupt_gzip_is_a_reported_reject_not_a_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("bad.log.gz");
    std::fs::write(
        &p,
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef],
    )
    .unwrap();
    let t = common::load(std::slice::from_ref(&p));
    assert_eq!(t.len(), 0);
    let r = &t.sources[0].report;
    assert_eq!(r.rejected, 1);
    assert!(r.reasons[0].reason.contains("gzip"), "{:?}", r.reasons);
}

/// A Windows event exported as JSON with FILETIME 0 (1601) is kept, flagged, sorted
/// first and printed as written, as the EVTX parser does; not rejected.
#[test]
fn exported_event_with_filetime_zero_is_kept_and_printed_as_written() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("events.jsonl");
    let rec = |t: &str, id: u32| {
        format!(
            r##"{{"Event":{{"System":{{"Provider":{{"#attributes":{{"Name":"P"}}}},"EventID":4624,"TimeCreated":{{"#attributes":{{"SystemTime":"{t}"}}}},"EventRecordID":{id},"Channel":"Security","Computer":"pc"}},"EventData":{{"TargetUserName":"bob"}}}}}}"##
        )
    };
    let text = format!(
        "{}\n{}\n",
        rec("2020-01-01T00:00:00.5000000Z", 2),
        rec("1601-01-01T00:00:00.0000000Z", 1)
    );
    std::fs::write(&p, text).unwrap();
    let t = common::load(std::slice::from_ref(&p));
    let r = &t.sources[0].report;
    assert_eq!(
        (r.format.as_str(), t.len(), r.rejected),
        ("winjson", 2, 0),
        "{:?}",
        r.reasons
    );
    assert_eq!(t.time_text(0), "1601-01-01T00:00:00.0000000Z");
    assert_eq!(t.time_text(1), "2020-01-01T00:00:00.500Z");
    assert_eq!(r.first.as_deref(), Some("2020-01-01T00:00:00.500Z"));
    assert!(t.events[0].flags.bad_time() && !t.events[1].flags.bad_time());
    // A clock skew correction moves real times only: the unreadable one stays as written.
    let mut opts = common::opts();
    opts.skew = vec![
        vigil::ingest::options::parse_rule("*=+1h", vigil::ingest::options::parse_duration)
            .unwrap(),
    ];
    let t = vigil::timeline::load_paths(std::slice::from_ref(&p), &opts, &Default::default()).0;
    assert_eq!(t.time_text(0), "1601-01-01T00:00:00.0000000Z");
    assert_eq!(t.time_text(1), "2020-01-01T01:00:00.500Z");
}
