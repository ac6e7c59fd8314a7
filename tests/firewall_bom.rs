//! Firewall logs saved with a UTF-8 BOM and CRLF line ends (a copy re-saved by an editor
//! or PowerShell): sniffed as before, and the first line is an event, not a reject.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

use std::process::Command;

#[test]
fn bom_and_crlf_keep_the_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "ufw.log",
            "netfilter",
            "2026-11-28T09:15:02Z",
            "Nov 28 10:15:02 web01 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.5 DST=198.51.100.10 LEN=40 PROTO=TCP SPT=43210 DPT=3389 SYN URGP=0 \r\nNov 28 10:15:03 web01 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.5 DST=198.51.100.10 LEN=40 PROTO=TCP SPT=43210 DPT=22 SYN URGP=0 \r\n",
        ),
        (
            "asa.log",
            "asa",
            "2026-11-28T09:00:01Z",
            "Nov 28 2026 10:00:01 asa01 : %ASA-4-106023: Deny tcp src outside:203.0.113.5/4444 dst inside:10.0.0.5/22 by access-group \"in\" [0x0, 0x0]\r\nNov 28 2026 10:00:02 asa01 : %ASA-4-106023: Deny tcp src outside:203.0.113.5/4445 dst inside:10.0.0.5/22 by access-group \"in\" [0x0, 0x0]\r\n",
        ),
    ];
    for (name, fmt, first, body) in files {
        let p = dir.path().join(name);
        let mut data = b"\xEF\xBB\xBF".to_vec();
        data.extend_from_slice(body.as_bytes());
        std::fs::write(&p, data).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args(["stats", "--json", "--tz", "Europe/Paris", "--year", "2026"])
            .arg(&p)
            .output()
            .expect("run vigil");
        let s: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stats JSON");
        let src = &s["sources"][0];
        assert_eq!(src["format"], fmt, "{name}");
        assert_eq!(
            (src["events"].as_u64(), src["rejected"].as_u64()),
            (Some(2), Some(0)),
            "{name}"
        );
        assert_eq!(src["first"], first, "{name}");
    }
}
