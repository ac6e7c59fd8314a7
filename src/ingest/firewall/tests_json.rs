//! The JSON shapes of firewall logs: PAN-OS HTTP log forwarding / Cortex Data Lake records
//! and systemd journal exports of kernel LOG lines, as whole files through the driver path.

use super::tests::{run, sniffed};
use crate::ingest::{ParseCtx, Records};
use crate::model::{Fields, Norm, ymd_hms};

fn ctx(tz: &str) -> ParseCtx {
    ParseCtx {
        tz: tz.parse().expect("zone"),
        mtime_year: 2024,
        ..ParseCtx::default()
    }
}

/// Sniffs `data`, asserts it is `id`, parses it all and returns the events and rejects.
fn load(data: &[u8], id: &str, tz: &str) -> (Vec<Fields<'static>>, usize) {
    let (got, score) = sniffed(data);
    assert_eq!(got, id, "sniffed as {got} ({score})");
    assert!(score >= 50);
    let def = super::FORMATS
        .iter()
        .find(|d| d.id == id)
        .expect("registered");
    let (_, bad, all) = run(def, data, &ctx(tz));
    (all, bad)
}

const PANOS_HTTP: &str = r#"{"receive_time":"2024/03/10 01:59:58","serial":"007051000113358","type":"TRAFFIC","subtype":"end","time_generated":"2024/03/10 01:59:58","src":"10.1.1.20","dst":"52.96.88.162","natsrc":"203.0.113.5","natdst":"52.96.88.162","rule":"allow-outbound","srcuser":"corp\\jdoe","app":"ssl","vsys":"vsys1","from":"trust","to":"untrust","inbound_if":"ethernet1/2","outbound_if":"ethernet1/1","sessionid":"123456","repeatcnt":"1","sport":"51234","dport":"443","natsport":"40001","natdport":"443","proto":"tcp","action":"allow","bytes":"5120","session_end_reason":"tcp-fin","device_name":"PA-3220-edge"}
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

const CDL_ARRAY: &str = r#"[
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
    let prep = (super::panos::DEF.prepare)(data, &ctx("UTC")).unwrap();
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
