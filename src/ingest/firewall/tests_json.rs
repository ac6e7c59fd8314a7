//! The JSON shapes of firewall logs: PAN-OS HTTP log forwarding / Cortex Data Lake records
//! and systemd journal exports of kernel LOG lines, as whole files through the driver path.

use super::tests::{in_zone, load, run, sniffed};
use crate::ingest::Records;
use crate::model::{Norm, ymd_hms};

pub(super) const PANOS_HTTP: &str = r#"{"receive_time":"2024/03/10 01:59:58","serial":"007051000113358","type":"TRAFFIC","subtype":"end","time_generated":"2024/03/10 01:59:58","src":"10.1.1.20","dst":"52.96.88.162","natsrc":"203.0.113.5","natdst":"52.96.88.162","rule":"allow-outbound","srcuser":"corp\\jdoe","app":"ssl","vsys":"vsys1","from":"trust","to":"untrust","inbound_if":"ethernet1/2","outbound_if":"ethernet1/1","sessionid":"123456","repeatcnt":"1","sport":"51234","dport":"443","natsport":"40001","natdport":"443","proto":"tcp","action":"allow","bytes":"5120","session_end_reason":"tcp-fin","device_name":"PA-3220-edge"}
{"receive_time":"2024/03/10 03:00:02","serial":"007051000113358","type":"TRAFFIC","subtype":"deny","time_generated":"2024/03/10 03:00:01","src":"10.1.1.21","dst":"198.51.100.9","rule":"block-bad","app":"dns","vsys":"vsys1","from":"trust","to":"untrust","sessionid":"123457","sport":"53000","dport":"53","proto":"udp","action":"drop","session_end_reason":"policy-deny","device_name":"PA-3220-edge"}
{"receive_time":"2024/03/10 03:00:05","serial":"007051000113358","type":"THREAT","subtype":"url","time_generated":"2024/03/10 03:00:04","src":"10.1.1.22","dst":"93.184.216.34","rule":"web","srcuser":"","app":"web-browsing","from":"trust","to":"untrust","sessionid":"123458","sport":"50100","dport":"80","proto":"tcp","action":"block-url","misc":"example.com/bad.exe","threatid":"Bad URL(9999)","severity":"medium","device_name":"PA-3220-edge"}
"#;

#[test]
fn panos_http_forwarding_ndjson_in_new_york() {
    let (ev, bad) = load(PANOS_HTTP.as_bytes(), "panos", "America/New_York");
    assert_eq!((ev.len(), bad), (3, 0));
    // 01:59:58 EST is 06:59:58Z; an hour later the clocks have sprung to EDT.
    assert_eq!(ev[0].ts, ymd_hms(2024, 3, 10, 6, 59, 58).unwrap());
    assert_eq!(ev[1].ts, ymd_hms(2024, 3, 10, 7, 0, 1).unwrap());
    let f = &ev[0];
    assert_eq!(f.get(Norm::SrcIp), Some("10.1.1.20"));
    assert_eq!(f.get(Norm::DstPort), Some("443"));
    assert_eq!(f.get(Norm::User), Some(r"corp\jdoe"));
    assert_eq!(f.get(Norm::Host), Some("PA-3220-edge"));
    assert_eq!(f.raw("from"), Some("trust"));
    assert_eq!(f.raw("natsrc"), Some("203.0.113.5"));
    assert_eq!(
        f.get(Norm::Message),
        Some(
            r"allow tcp 10.1.1.20:51234 -> 52.96.88.162:443 user corp\jdoe (TRAFFIC end, allow-outbound, tcp-fin)"
        )
    );
    assert_eq!(ev[1].get(Norm::Action), Some("drop"));
    assert_eq!(ev[1].get(Norm::Proto), Some("udp"));
    assert_eq!(ev[2].get(Norm::EventId), Some("9999"));
    assert_eq!(ev[2].get(Norm::Action), Some("deny"));
    assert_eq!(ev[2].get(Norm::User), None);
}

pub(super) const CDL_ARRAY: &str = r#"[
  {
    "TimeReceived": "2024-01-02T03:04:06.000000Z",
    "DeviceSN": "007951000012345",
    "LogType": "THREAT",
    "SubType": "vulnerability",
    "TimeGenerated": "2024-01-02T03:04:05.123456Z",
    "SourceAddress": "10.0.0.5",
    "DestinationAddress": "198.51.100.7",
    "Rule": "outbound",
    "SourceUser": "acme\\alice",
    "Application": "web-browsing",
    "FromZone": "trust",
    "ToZone": "untrust",
    "SessionID": 987654,
    "SourcePort": 51000,
    "DestinationPort": 80,
    "Protocol": "tcp",
    "Action": "reset-both",
    "ThreatID": 30844,
    "Severity": "critical",
    "DeviceName": "PA-VM-01",
    "LogSetting": "CDL"
  },
  {
    "TimeReceived": "2024-01-02T03:05:00.000000Z",
    "DeviceSN": "007951000012345",
    "LogType": "TRAFFIC",
    "SubType": "start",
    "TimeGenerated": "2024-01-02T04:04:59.5+01:00",
    "SourceAddress": "2001:db8::10",
    "DestinationAddress": "2001:db8::53",
    "Rule": "dns",
    "FromZone": "trust",
    "ToZone": "dmz",
    "SessionID": 987655,
    "SourcePort": 40000,
    "DestinationPort": 53,
    "Protocol": "udp",
    "Action": "allow",
    "LogSetting": "CDL"
  }
]
"#;

#[test]
fn panos_cortex_data_lake_array() {
    let data = CDL_ARRAY.as_bytes();
    let prep = (super::panos::DEF.prepare)(data, &in_zone("UTC")).unwrap();
    assert!(matches!(prep.records, Records::Ranges(ref r) if r.len() == 2));
    // Zoned ISO times ignore --tz.
    let (ev, bad) = load(data, "panos", "Asia/Tokyo");
    assert_eq!((ev.len(), bad), (2, 0));
    assert_eq!(
        ev[0].ts,
        ymd_hms(2024, 1, 2, 3, 4, 5).unwrap() + 123_456_000
    );
    assert_eq!(
        ev[1].ts,
        ymd_hms(2024, 1, 2, 3, 4, 59).unwrap() + 500_000_000
    );
    let f = &ev[0];
    assert_eq!(f.get(Norm::SrcIp), Some("10.0.0.5"));
    assert_eq!(f.get(Norm::DstPort), Some("80"));
    assert_eq!(f.get(Norm::Action), Some("reject"));
    assert_eq!(f.get(Norm::EventId), Some("30844"));
    assert_eq!(f.get(Norm::Host), Some("PA-VM-01"));
    assert_eq!(f.get(Norm::User), Some(r"acme\alice"));
    assert_eq!(f.raw("FromZone"), Some("trust"));
    assert!(
        f.get(Norm::Message)
            .unwrap()
            .contains("THREAT vulnerability, outbound")
    );
    // No DeviceName: the serial names the firewall.
    assert_eq!(ev[1].get(Norm::Host), Some("007951000012345"));
    assert_eq!(
        ev[1].get(Norm::Message),
        Some("allow udp [2001:db8::10]:40000 -> [2001:db8::53]:53 (TRAFFIC start, dns)")
    );
}

/// Strata Logging Service forwards every log type, some PAN-OS never writes under `type`
/// (`AUTH`, `URL`); Cortex Data Lake nests values (`"log_type": {"value": …}`). Both are
/// PAN-OS, not another JSON export.
#[test]
fn panos_strata_every_log_type_and_nested_values() {
    let strata = concat!(
        r#"{"TimeReceived":"2024-02-22T03:55:30.000000Z","DeviceSN":"0123456789","LogType":"AUTH","Subtype":"Unknown","TimeGenerated":"2024-02-22T03:55:21.000000Z","VirtualLocation":"vsys1","SourceIP":"192.0.2.2","User":"corp\bob","AuthEvent":"User Password Failure","DeviceName":"PA-VM","EventTime":"2024-02-22T03:55:21.000000Z"}"#,
        "
",
        r#"{"TimeReceived":"2024-02-22T03:55:31.000000Z","DeviceSN":"0123456789","LogType":"URL","Subtype":"url","TimeGenerated":"2024-02-22T03:55:22.000000Z","SourceAddress":"192.0.2.3","DestinationAddress":"198.51.100.4","Action":"alert","DeviceName":"PA-VM"}"#,
        "
",
    );
    let (ev, bad) = load(strata.as_bytes(), "panos", "UTC");
    assert_eq!((ev.len(), bad), (2, 0));
    assert_eq!(ev[0].ts, ymd_hms(2024, 2, 22, 3, 55, 21).unwrap());
    assert_eq!(ev[0].get(Norm::SrcIp), Some("192.0.2.2"));
    assert_eq!(ev[1].get(Norm::DstIp), Some("198.51.100.4"));
    assert!(ev[1].get(Norm::Message).unwrap().contains("(URL url"));
    let cdl = r#"[{"log_time":"2024-03-01T10:00:05.000000Z","log_source_id":"0123456789","log_type":{"value":"TRAFFIC","id":1},"sub_type":{"value":"end","id":2},"time_generated":"2024-03-01T10:00:00.000000Z","source_ip":{"value":"192.0.2.1"},"dest_ip":{"value":"198.51.100.8"},"source_port":5000,"dest_port":53,"protocol":"udp","action":{"value":"allow"},"from_zone":"trust","log_source_name":"PA-VM-2"}]"#;
    let (ev, bad) = load(cdl.as_bytes(), "panos", "UTC");
    assert_eq!((ev.len(), bad), (1, 0));
    let f = &ev[0];
    assert_eq!(f.ts, ymd_hms(2024, 3, 1, 10, 0, 0).unwrap());
    assert_eq!(
        (
            f.get(Norm::SrcIp),
            f.get(Norm::DstPort),
            f.get(Norm::Action)
        ),
        (Some("192.0.2.1"), Some("53"), Some("allow"))
    );
    assert_eq!(f.get(Norm::Host), Some("PA-VM-2"));
    assert_eq!(
        f.get(Norm::Message),
        Some("allow udp 192.0.2.1:5000 -> 198.51.100.8:53 (TRAFFIC end)")
    );
}

#[test]
fn panos_json_behind_syslog_takes_envelope_offset() {
    let data = concat!(
        r#"<14>1 2024-01-02T03:04:07+01:00 pa-fw1 - - - - {"type":"TRAFFIC","subtype":"end","serial":"0123","time_generated":"2024/01/02 03:04:05","src":"10.0.0.1","dst":"10.0.0.2","sport":"1","dport":"22","proto":"tcp","action":"allow","from":"a","to":"b"}"#,
        "\n",
        r#"<14>1 2024-01-02T03:04:08+01:00 pa-fw1 - - - - {"type":"TRAFFIC","subtype":"end","serial":"0123","time_generated":"2024/01/02 03:04:06","src":"10.0.0.1","dst":"10.0.0.2","sport":"2","dport":"22","proto":"tcp","action":"allow","from":"a","to":"b"}"#,
        "\n"
    );
    let (ev, bad) = load(data.as_bytes(), "panos", "America/Chicago");
    assert_eq!((ev.len(), bad), (2, 0));
    assert_eq!(ev[0].ts, ymd_hms(2024, 1, 2, 2, 4, 5).unwrap());
    assert_eq!(ev[0].get(Norm::Host), Some("0123"));
}

#[test]
fn panos_json_damaged_records_are_rejects() {
    let lines: [&[u8]; 5] = [
        br#"{"type":"TRAFFIC","serial":"1","time_generated":"2024/01/02 03:04:05","src":"10.0.0.1"}"#,
        br#"{"type":"TRAFFIC","serial":"1","time_generated":"2024/13/02 03:04:05","src":"10.0.0.1"}"#,
        br#"{"type":"TRAFFIC","serial":"1","src":"10.0.0.1"}"#,
        br#"{"type":"TRAFFIC","serial":"1","time_generated":"2024/01/02 03:04:05","src":"10.0.0"#,
        b"{\"type\":\"TRAFFIC\",\"serial\":\"1\",\"time_generated\":\"2024/01/02 03:04:05\",\"src\":\"\xc3\xa9\xff\"}",
    ];
    let data = lines.join(&b"\n"[..]);
    let (ev, bad) = load(&data, "panos", "UTC");
    assert_eq!((ev.len(), bad), (2, 3));
    assert_eq!(ev[1].get(Norm::SrcIp), Some("\u{e9}\u{fffd}"));
}

#[test]
fn panos_sniff_leaves_edr_json_alone() {
    for s in [
        &br#"{"Timestamp":"2024-01-01T00:00:00Z","DeviceName":"h","ActionType":"ConnectionSuccess","RemoteIP":"1.2.3.4"}"#[..],
        br#"{"TimeGenerated":"2024-01-01T00:00:00Z","Type":"DeviceNetworkEvents","DeviceName":"h"}"#,
        br#"{"@timestamp":"2024-01-01T00:00:00Z","event":{"kind":"event"},"source":{"ip":"1.2.3.4"}}"#,
        br#"[{"event_simpleName":"NetworkConnectIP4","timestamp":"1625677521162","type":"TRAFFIC"}]"#,
    ] {
        assert_ne!(sniffed(s).0, "panos", "{}", String::from_utf8_lossy(s));
    }
}

pub(super) const JOURNAL_JSON: &str = concat!(
    r#"{"__CURSOR":"s=2d6c1e0f8a3b4c5d9e7f;i=1a2b;b=4f9b0c8e2d1a4b7c;m=1e4e3a2b1;t=60dee6b7e9c40;x=7a6b5c4d3e2f1a0b","__REALTIME_TIMESTAMP":"1704164645123456","__MONOTONIC_TIMESTAMP":"8123456789","_BOOT_ID":"4f9b0c8e2d1a4b7c9e3f5a6b7c8d9e0f","_MACHINE_ID":"0d1c2b3a49586776a5b4c3d2e1f00f1e","_HOSTNAME":"web01","_TRANSPORT":"kernel","SYSLOG_FACILITY":"0","SYSLOG_IDENTIFIER":"kernel","PRIORITY":"4","_SOURCE_MONOTONIC_TIMESTAMP":"8123450000","MESSAGE":"[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.7 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=51 ID=54321 DF PROTO=TCP SPT=44321 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 "}"#,
    "\n",
    r#"{"__CURSOR":"s=2d6c1e0f8a3b4c5d9e7f;i=1a2c;b=4f9b0c8e2d1a4b7c;m=1e4e3a2b9;t=60dee6b7e9c48;x=7a6b5c4d3e2f1a0c","__REALTIME_TIMESTAMP":"1704164646000001","__MONOTONIC_TIMESTAMP":"8124333334","_BOOT_ID":"4f9b0c8e2d1a4b7c9e3f5a6b7c8d9e0f","_MACHINE_ID":"0d1c2b3a49586776a5b4c3d2e1f00f1e","_HOSTNAME":"web01","_TRANSPORT":"kernel","SYSLOG_FACILITY":"0","SYSLOG_IDENTIFIER":"kernel","PRIORITY":"4","MESSAGE":"nft drop in: IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:86:dd SRC=2001:0db8:0000:0000:0000:0000:0000:0007 DST=2001:0db8:0000:0000:0000:0000:0000:0010 LEN=80 TC=0 HOPLIMIT=57 FLOWLBL=0 PROTO=TCP SPT=51000 DPT=3389 WINDOW=64800 RES=0x00 SYN URGP=0 "}"#,
    "\n",
    r#"{"__CURSOR":"s=2d6c;i=1a2d","__REALTIME_TIMESTAMP":"1704164647000000","_HOSTNAME":"web01","_TRANSPORT":"kernel","SYSLOG_IDENTIFIER":"kernel","PRIORITY":"4","MESSAGE":[73,78,61,101,116,104,48,32,79,85,84,61,32,83,82,67,61,49,46,50,46,51,46,52,32,68,83,84,61,53,46,54,46,55,46,56,32,80,82,79,84,79,61,85,68,80,32,255]}"#,
    "\n",
);

#[test]
fn journal_json_lines() {
    // The journal's time is UTC microseconds: --tz must not move it.
    let (ev, bad) = load(JOURNAL_JSON.as_bytes(), "netfilter", "Europe/Berlin");
    assert_eq!((ev.len(), bad), (3, 0));
    let f = &ev[0];
    assert_eq!(f.ts, ymd_hms(2024, 1, 2, 3, 4, 5).unwrap() + 123_456_000);
    assert_eq!(f.get(Norm::Host), Some("web01"));
    assert_eq!(f.get(Norm::Action), Some("deny"));
    assert_eq!(f.get(Norm::DstPort), Some("22"));
    assert_eq!(f.raw("syslog_tag"), Some("kernel"));
    assert_eq!(f.raw("_BOOT_ID"), Some("4f9b0c8e2d1a4b7c9e3f5a6b7c8d9e0f"));
    assert_eq!(f.raw("TCPFLAGS"), Some("SYN"));
    assert_eq!(
        f.get(Norm::Message),
        Some("deny tcp 203.0.113.7:44321 -> 192.0.2.10:22 ([UFW BLOCK])")
    );
    // nftables `log prefix "nft drop in: "`.
    assert_eq!(ev[1].get(Norm::Action), Some("drop"));
    assert_eq!(ev[1].raw("prefix"), Some("nft drop in:"));
    assert_eq!(ev[1].raw("HOPLIMIT"), Some("57"));
    // A MESSAGE that was not UTF-8 comes as a byte array.
    assert_eq!(ev[2].get(Norm::SrcIp), Some("1.2.3.4"));
    assert_eq!(ev[2].get(Norm::Proto), Some("udp"));
    assert_eq!(ev[2].get(Norm::Host), Some("web01"));
}

#[test]
fn journal_json_pretty_and_damaged() {
    let pretty = r#"{
	"__REALTIME_TIMESTAMP" : "1704164645000000",
	"_HOSTNAME" : "fw",
	"SYSLOG_IDENTIFIER" : "kernel",
	"MESSAGE" : "[UFW AUDIT] IN=lo OUT= SRC=127.0.0.1 DST=127.0.0.1 PROTO=UDP SPT=1 DPT=2 "
}
{
	"__REALTIME_TIMESTAMP" : "1704164646000000",
	"_HOSTNAME" : "fw",
	"MESSAGE" : "[UFW ALLOW] IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 PROTO=TCP SPT=3 DPT=443 "
}
"#;
    let (ev, bad) = load(pretty.as_bytes(), "netfilter", "UTC");
    assert_eq!((ev.len(), bad), (2, 0));
    assert_eq!(ev[0].get(Norm::Action), Some("audit"));
    assert_eq!(ev[1].ts, ymd_hms(2024, 1, 2, 3, 4, 6).unwrap());
    let bad_lines = concat!(
        r#"{"__REALTIME_TIMESTAMP":"1704164645000000","MESSAGE":"IN=e OUT= SRC=1.1.1.1 DST=2.2.2.2 PROTO=UDP"}"#,
        "\n",
        r#"{"__REALTIME_TIMESTAMP":"17041646x","MESSAGE":"IN=e OUT= SRC=1.1.1.1 DST=2.2.2.2 PROTO=UDP"}"#,
        "\n",
        r#"{"__REALTIME_TIMESTAMP":"1704164645000000","MESSAGE":"eth0: link up"}"#,
        "\n",
        r#"{"__REALTIME_TIMESTAMP":"1704164645000000","_HOSTNAME":"h"}"#,
        "\n",
        r#"{"__REALTIME_TIMESTAMP":"1704164645000000","MESSAGE":"IN=e OUT= SRC=1.1.1.1 DST=2.2"#,
        "\n",
    );
    let def = &super::netfilter::DEF;
    let (ok, bad, _) = run(def, bad_lines.as_bytes(), &in_zone("UTC"));
    assert_eq!((ok, bad), (1, 4));
}

#[test]
fn journalctl_text_outputs() {
    let short_iso = "-- Logs begin at Mon 2024-01-01 00:00:01 CET, end at Tue 2024-01-02 10:00:00 CET. --\n\
2024-01-02T04:04:05+0100 web01 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.7 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=51 ID=54321 DF PROTO=TCP SPT=44321 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 \n\
-- Boot 9f2c4e6a8b0d4f1e3a5c7e9b1d3f5a7c --\n\
2024-01-02T04:05:05.250000+01:00 web01 kernel: [UFW ALLOW] IN=eth0 OUT= SRC=198.51.100.4 DST=192.0.2.10 LEN=52 PROTO=TCP SPT=50000 DPT=443 WINDOW=1024 RES=0x00 SYN URGP=0 \n";
    let (ev, bad) = load(short_iso.as_bytes(), "netfilter", "America/New_York");
    assert_eq!((ev.len(), bad), (2, 0));
    assert_eq!(ev[0].ts, ymd_hms(2024, 1, 2, 3, 4, 5).unwrap());
    assert_eq!(
        ev[1].ts,
        ymd_hms(2024, 1, 2, 3, 5, 5).unwrap() + 250_000_000
    );
    assert_eq!(ev[1].get(Norm::Action), Some("allow"));
    // short-precise and short: naive, in --tz.
    let precise = "Jan 02 04:04:05.123456 web01 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.7 DST=192.0.2.10 PROTO=UDP SPT=5353 DPT=5353 LEN=40 \n\
Jan 02 04:04:06 web01 kernel: nft reject: IN=eth0 OUT= SRC=203.0.113.8 DST=192.0.2.10 PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=1 \n";
    let (ev, bad) = load(precise.as_bytes(), "netfilter", "Europe/Berlin");
    assert_eq!((ev.len(), bad), (2, 0));
    assert_eq!(
        ev[0].ts,
        ymd_hms(2024, 1, 2, 3, 4, 5).unwrap() + 123_456_000
    );
    assert_eq!(ev[1].ts, ymd_hms(2024, 1, 2, 3, 4, 6).unwrap());
    assert_eq!(ev[1].get(Norm::Action), Some("reject"));
    assert_eq!(ev[1].get(Norm::Proto), Some("icmp"));
    assert_eq!(ev[1].raw("TYPE"), Some("8"));
}

#[test]
fn journal_sniff_is_not_edr() {
    let line = JOURNAL_JSON.lines().next().unwrap_or_default().as_bytes();
    assert_eq!(crate::ingest::sniff(line), Some("netfilter"));
    let plain = br#"{"__REALTIME_TIMESTAMP":"1704164645000000","MESSAGE":"Started Session 4 of user root.","_HOSTNAME":"h"}"#;
    assert_ne!(crate::ingest::sniff(plain), Some("netfilter"));
}
