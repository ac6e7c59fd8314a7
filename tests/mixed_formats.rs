//! A syslog server's file where firewall formats mix: the source stays `syslog` in
//! `stats`, while each event carries the format of the parser that read it, in queries
//! (`format:asa`) and in exports.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

use std::process::Command;

const MIXED: &str = concat!(
    "Jan  2 03:04:05 fw1 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=UDP SPT=1 DPT=53\n",
    "Jan  2 03:04:06 asa1 : %ASA-4-106023: Deny tcp src outside:198.51.100.3/80 dst inside:10.0.0.4/8277 by access-group \"in\" [0x0, 0x0]\n",
    "Jan  2 03:04:07 asa1 : %ASA-4-106023: Deny tcp src outside:198.51.100.3/81 dst inside:10.0.0.4/8277 by access-group \"in\" [0x0, 0x0]\n",
    "Jan  2 03:04:08 pf filterlog: 5,,,1,em0,match,block,in,4,0x0,,64,1,0,DF,6,tcp,40,203.0.113.5,203.0.113.6,1,2,0,S,1,,1,,\n",
    "%ASA-4-106023: Deny tcp src outside:198.51.100.3/82 dst inside:10.0.0.4/8277 by access-group \"in\" [0x0, 0x0]\n",
    "Jan  2 03:04:09 relay sshd[1]: Accepted publickey for root\n",
);

/// Runs vigil; exit 0, or 2 (some lines rejected), is a success here.
fn vigil(args: &[&str], path: &std::path::Path) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .args(["--tz", "UTC", "--year", "2024"])
        .arg(path)
        .output()
        .expect("run vigil");
    assert!(
        matches!(out.status.code(), Some(0 | 2)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn each_event_names_its_own_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("syslog.log");
    std::fs::write(&p, MIXED).unwrap();
    let stats: serde_json::Value =
        serde_json::from_slice(&vigil(&["stats", "--json"], &p)).expect("stats JSON");
    let src = &stats["sources"][0];
    assert_eq!(src["format"], "syslog");
    assert_eq!(src["events"].as_u64(), Some(4));
    // Counted per format that read the lines; a line no format knows is `unknown`, and a
    // known body without a date of its own is `no timestamp` under its format.
    let formats = &src["formats"];
    assert_eq!(formats["asa"]["events"].as_u64(), Some(2));
    assert_eq!(formats["asa"]["rejected"].as_u64(), Some(1));
    assert_eq!(formats["netfilter"]["events"].as_u64(), Some(1));
    assert_eq!(formats["unknown"]["rejected"].as_u64(), Some(1));
    assert_eq!(src["rejected"].as_u64(), Some(2));
    let reasons: Vec<&str> = src["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["no timestamp", "not a known firewall line"]);
    // `--year` given: no year was taken from the file's time.
    assert!(src.get("notes").is_none(), "{src}");
    let text = String::from_utf8(vigil(&["stats"], &p)).unwrap();
    assert!(
        text.contains("formats: asa 2 ev 1 rej, filterlog 1 ev 0 rej, netfilter 1 ev 0 rej, unknown 0 ev 1 rej"),
        "{text}"
    );

    let all = vigil(&["export", "-F", "jsonl"], &p);
    let formats: Vec<String> = String::from_utf8(all)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["format"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(formats, ["netfilter", "asa", "asa", "filterlog"]);

    let asa = vigil(&["export", "-F", "jsonl", "--filter", "format:asa"], &p);
    assert_eq!(String::from_utf8(asa).unwrap().lines().count(), 2);
    let none = vigil(&["export", "-F", "jsonl", "--filter", "format:syslog"], &p);
    assert!(none.is_empty());
}

/// Syslog times without a year are read in the year of the file's modification time, and
/// the source says so (stats notes; the TUI's sources panel shows the same notes).
#[test]
fn year_from_the_file_time_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("syslog.log");
    std::fs::write(&p, MIXED).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["stats", "--json", "--tz", "UTC"])
        .arg(&p)
        .output()
        .expect("run vigil");
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stats JSON");
    let notes = stats["sources"][0]["notes"].to_string();
    assert!(
        notes.contains("no year") && notes.contains("modification time"),
        "{notes}"
    );
}
