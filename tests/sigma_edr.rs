//! One Sigma rule, written against Sysmon's names, fires alike on Sysmon (EVTX), Defender
//! for Endpoint (CSV) and CrowdStrike (FDR JSON) records of the same process start: the
//! mapping's views give each EDR's native fields Sysmon's names. And the other EDR formats
//! of the corpus reach their process-creation rules the same way.
#![cfg(test)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use vigil::detect::{self, RuleOptions, RuleSet};

const RULE: &str = r"title: Test - rclone copy started from a shell
id: 7d3c8f1e-0c4b-4d8e-9a51-2f0b6c1d9e10
status: test
author: vigil tests
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\rclone.exe'
        CommandLine|contains: ' copy '
        ParentImage|endswith: '\cmd.exe'
        User|contains: 'SYSTEM'
    condition: selection
level: high
";

/// A DeviceProcessEvents row (Defender's own column names) for the same start.
const MDE: &str = "Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,SHA256,ProcessId,ProcessCommandLine,AccountDomain,AccountName,AccountSid,InitiatingProcessFileName,InitiatingProcessFolderPath,InitiatingProcessId,InitiatingProcessCommandLine,ReportId
2026-03-14T02:10:04.0030000Z,b8be9200bca56b8d,fs-01.klinikum-see.local,ProcessCreated,rclone.exe,C:\\ProgramData\\rclone.exe,b9272cd57cd9c63bb98cfccaf29a444bdb396e5cc1bdb9e1033f505af7f12057,15984,rclone.exe copy D:\\Patientenakten remote:bk --transfers 8,nt authority,system,S-1-5-18,cmd.exe,C:\\Windows\\System32\\cmd.exe,5140,cmd.exe,77
2026-03-14T02:10:05.0030000Z,b8be9200bca56b8d,fs-01.klinikum-see.local,ProcessCreated,rclone.exe,C:\\ProgramData\\rclone.exe,b9272cd57cd9c63bb98cfccaf29a444bdb396e5cc1bdb9e1033f505af7f12057,15985,rclone.exe version,nt authority,system,S-1-5-18,cmd.exe,C:\\Windows\\System32\\cmd.exe,5140,cmd.exe,78
";

fn rule_set(dir: &Path) -> RuleSet {
    let f = dir.join("rule.yml");
    std::fs::write(&f, RULE).unwrap();
    let (rs, report) = RuleSet::load(&RuleOptions {
        dirs: vec![f],
        builtin: false,
        ..RuleOptions::default()
    })
    .unwrap();
    assert_eq!(rs.len(), 1, "{report:?}");
    rs
}

#[test]
fn one_rule_fires_on_sysmon_mde_and_crowdstrike_alike() {
    let dir = tempfile::tempdir().unwrap();
    let rs = rule_set(dir.path());
    let mde = dir.path().join("mde-DeviceProcessEvents.csv");
    std::fs::write(&mde, MDE).unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let paths: Vec<PathBuf> = vec![
        samples.join("evtx/FS-01/Microsoft-Windows-Sysmon%4Operational.evtx"),
        samples.join("edr/crowdstrike-fdr.ndjson"),
        mde,
    ];
    let t = common::load(&paths);
    let formats: Vec<&str> = t.sources.iter().map(|s| s.format()).collect();
    assert_eq!(formats, ["evtx", "crowdstrike", "mde"]);
    let hits = detect::run(&t, &rs, &AtomicBool::new(false), &AtomicUsize::new(0)).unwrap();
    let mut by_format: Vec<(&str, u64)> = hits
        .iter()
        .map(|(i, _)| {
            let e = &t.events[i];
            let loc = if t.sources[e.source as usize].format() == "evtx" {
                e.evtx_record_id()
            } else {
                e.loc
            };
            (t.sources[e.source as usize].format(), loc)
        })
        .collect();
    by_format.sort();
    // Sysmon record 68 and CrowdStrike's line at 145201 are the ground truth's rclone
    // start; the MDE row is the first data line (the second is `rclone version`).
    let mde_row = MDE.find('\n').unwrap() as u64 + 1;
    assert_eq!(
        by_format,
        [("crowdstrike", 145_201), ("evtx", 68), ("mde", mde_row)]
    );
}

/// Each EDR format of the corpus reaches process-creation rules through its view.
#[test]
fn corpus_edr_process_starts_get_sysmon_names() {
    let Some(edr) = common::corpus("edr") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "corpus missing under CI"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("any.yml");
    std::fs::write(
        &f,
        "title: Test - any process start with an image and a command line\nid: 0b0e6a52-3c1a-4f55-8d36-1d2c7b8e4f01\nstatus: test\nauthor: vigil tests\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    selection:\n        Image|contains: '.'\n        CommandLine|contains: ''\n    condition: selection\nlevel: low\n",
    )
    .unwrap();
    let (rs, _) = RuleSet::load(&RuleOptions {
        dirs: vec![f],
        builtin: false,
        ..RuleOptions::default()
    })
    .unwrap();
    for sub in [
        "sentinelone-dv",
        "carbon-black",
        "elastic-endpoint/endpoint-package__process.sample_event.json",
        "velociraptor/velociraptor__Windows.Events.ProcessCreation.jsonl",
        "sysmon-json",
    ] {
        let t = common::load(&[edr.join(sub)]);
        let hits = detect::run(&t, &rs, &AtomicBool::new(false), &AtomicUsize::new(0)).unwrap();
        assert!(hits.hit_count() > 0, "{sub}: no process start matched");
    }
}
