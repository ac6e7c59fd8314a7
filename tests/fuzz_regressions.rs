#![cfg(test)]
//! Inputs the fuzz targets (`fuzz/`) crashed on, fed through the same `vigil::fuzzing`
//! functions in the normal test run: `tests/data/fuzz/TARGET/*`. Also the small seeds of
//! our own in `fuzz/seeds/` and the mappings of `fuzz/maps/`, which must give events.

use std::path::{Path, PathBuf};
use vigil::fuzzing::{self as fz, Summary};

/// Runs one input as fuzz target `target` does.
fn run(target: &str, data: &[u8]) -> Result<Option<Summary>, String> {
    let family = |f| fz::text_family(f, data).map(Some);
    match target {
        "evtx_file" => fz::evtx_file(data).map(Some),
        "evtx_chunk" => fz::evtx_chunk(data).map(Some),
        "firewall_lines" => family(fz::FIREWALL_LINES),
        "key_value" => family(fz::KEY_VALUE),
        "by_position" => family(fz::BY_POSITION),
        "cef" => family(fz::CEF),
        "syslog_mixed" => family(fz::SYSLOG),
        "edr_json" => family(fz::EDR_JSON),
        "edr_csv" => family(fz::EDR_CSV),
        "edr_mapped" => fz::edr_mapped(data).map(Some),
        "query" => fz::query(data).map(|()| None),
        "case" => fz::case(data).map(|_| None),
        other => panic!("unknown fuzz target {other:?}"),
    }
}

/// `(target, file)` for every file under `dir/TARGET/` (none when `dir` does not exist).
fn inputs(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut v = Vec::new();
    let Ok(targets) = std::fs::read_dir(dir) else {
        return v;
    };
    for t in targets.flatten() {
        let target = t.file_name().to_string_lossy().into_owned();
        for f in std::fs::read_dir(t.path()).unwrap().flatten() {
            v.push((target.clone(), f.path()));
        }
    }
    v.sort();
    v
}

/// Every input a campaign crashed on (fuzz/CAMPAIGNS.md). The campaigns so far found
/// none, so `tests/data/fuzz/` does not exist yet: the first crash saved there (README,
/// "When a target crashes") makes this test fail until it is fixed.
#[test]
fn saved_crashes_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    let all = inputs(&dir);
    let mut failed = Vec::new();
    for (target, path) in &all {
        let data = std::fs::read(path).unwrap();
        // A panic fails the test by itself; an Err is a broken invariant.
        if let Err(e) = run(target, &data) {
            failed.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// Our own seeds exercise what they were written for: the text ones give events in the
/// format they name, the case ones open.
#[test]
fn own_seeds_parse() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let all = inputs(&dir);
    assert!(all.len() >= 30, "{} seeds", all.len());
    for (target, path) in &all {
        let data = std::fs::read(path).unwrap();
        let got = run(target, &data).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Some(s) = got {
            assert!(s.events >= 2, "{}: {s:?}", path.display());
            assert_ne!(s.format, "unknown", "{}", path.display());
        }
    }
}

#[test]
fn selector_picks_the_format_and_sniffs_past_the_list() {
    let line = b"CEF:0|V|P|1|100|name|5|src=10.0.0.1 dst=10.0.0.2 rt=1670090645000\n";
    let cef = |sel: u8| {
        let mut d = vec![sel];
        d.extend_from_slice(line);
        d.extend_from_slice(line);
        fz::text_family(fz::KEY_VALUE, &d).unwrap()
    };
    // 0 = fortigate: not its format, every line rejected; 3 = sniffed: CEF.
    let forced = cef(0);
    assert_eq!((forced.format.as_str(), forced.events), ("fortigate", 0));
    assert!(forced.rejected >= 2, "{forced:?}");
    let sniffed = cef(3);
    assert_eq!((sniffed.format.as_str(), sniffed.events), ("cef", 2));
}

#[test]
fn case_and_journal_split_at_nul() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/case");
    let open = |name: &str| fz::case(&std::fs::read(seeds.join(name)).unwrap()).unwrap();
    assert_eq!(open("file-only"), Some(2));
    // The journal adds one annotation and deletes one of the file's.
    assert_eq!(open("file-and-journal"), Some(2));
    assert_eq!(open("journal-only"), Some(1));
    // The torn last line is ignored.
    assert_eq!(open("torn-journal"), Some(2));
    assert_eq!(open("future-version"), None);
    assert_eq!(fz::case(b"\0not json\n").unwrap(), Some(0));
    assert_eq!(fz::case(b"").unwrap(), None);
}

/// The mapping seeds read their samples: `mapped` with a mapping gives events with the
/// mapped host; a NUL-less input or a bad mapping gives none, and no error.
#[test]
fn mapped_reads_through_the_mapping() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = std::fs::read(root.join("fuzz/maps/mde-csv.json")).unwrap();
    let csv = std::fs::read(root.join("samples/edr/mde-DeviceProcessEvents.csv")).unwrap();
    let input = |sel: u8, map: &[u8]| {
        let mut d = vec![sel];
        d.extend_from_slice(map);
        d.push(0);
        d.extend_from_slice(&csv);
        d
    };
    let lines = csv.iter().filter(|&&b| b == b'\n').count();
    let got = fz::edr_mapped(&input(0, &map)).unwrap();
    assert_eq!(got.format, "mapped");
    assert!(
        got.events + 2 >= lines && got.events > 10,
        "{got:?}, {lines} lines"
    );
    let bad = fz::edr_mapped(&input(0, b"{\"time\":{\"field\":\"Timestamp\"},\"x\":1}")).unwrap();
    assert_eq!((bad.events, bad.rejected), (0, 1), "{bad:?}");
    assert_eq!(fz::edr_mapped(b"\x00no nul").unwrap(), Summary::default());
}
