//! Regression shapes found by running public samples the parsers had never seen (held-out
//! check): each test mimics one shape that was missed, with synthetic values.

use super::tests::load;
use crate::model::{Norm, ymd_hms};

/// pfSense's own log: `<PRI>Mmm dd HH:MM:SS filterlog[pid]: …` with no host name.
#[test]
fn filterlog_without_host() {
    let data = "\
<134>Jul  3 19:10:30 filterlog[4242]: 9,,,1000000103,em0,match,block,in,4,0x0,,64,100,0,DF,6,tcp,60,10.1.2.3,10.9.8.7,40000,22,0,S,1,,64240,,mss
<134>Jul  3 19:10:31 filterlog[4242]: 12,,,1000000105,em1,match,pass,in,4,0x0,,1,0,0,DF,2,igmp,32,10.1.2.4,239.255.255.250,datalength=8
<134>Jul  3 19:10:32 filterlog[4242]: 7,,,1000000105,em1,match,block,in,6,0x00,0x00000,1,UDP,17,32,fe80::1,ff02::1:2,546,547,32
";
    let (ev, bad) = load(data, "filterlog", "UTC");
    assert_eq!((ev.len(), bad), (3, 0));
    assert_eq!(ev[0].ts, ymd_hms(2024, 7, 3, 19, 10, 30).unwrap());
    assert_eq!(ev[0].get(Norm::Host), None);
    assert_eq!(ev[0].get(Norm::Action), Some("deny"));
    assert_eq!(ev[0].get(Norm::DstPort), Some("22"));
    assert_eq!(ev[2].get(Norm::SrcIp), Some("fe80::1"));
}

/// RFC 6587 octet counting left in front of each RFC 5424 line (TCP relay captures); the
/// envelope's offset must still apply to PAN-OS's naive device time.
#[test]
fn octet_counted_rfc5424() {
    let data = "\
390 <14>1 2024-03-27T09:57:41+01:00 PA-EDGE - - - - 1,2024/03/27 09:57:41,0099,TRAFFIC,end,2305,2024/03/27 09:57:41,10.0.0.4,198.51.100.9,0.0.0.0,0.0.0.0,Allow-Out,,,dns,vsys1,in,out,ethernet1/3,ethernet1/1,Default,2024/03/27 09:57:41,77,1,33101,53,0,0,0x400000,udp,allow,98,98,0,1,2024/03/27 09:57:42,0,any,0,1,0x0,10.0.0.0-10.255.255.255,US,0,1,0,aged-out
391 <14>1 2024-03-27T09:57:43+01:00 PA-EDGE - - - - 1,2024/03/27 09:57:43,0099,TRAFFIC,end,2305,2024/03/27 09:57:43,10.0.0.5,198.51.100.9,0.0.0.0,0.0.0.0,Allow-Out,,,ssl,vsys1,in,out,ethernet1/3,ethernet1/1,Default,2024/03/27 09:57:43,78,1,40000,443,0,0,0x400000,tcp,allow,900,600,300,9,2024/03/27 09:57:30,0,any,0,2,0x0,10.0.0.0-10.255.255.255,US,0,5,4,tcp-fin
";
    let (ev, bad) = load(data, "panos", "UTC");
    assert_eq!((ev.len(), bad), (2, 0));
    assert_eq!(ev[0].ts, ymd_hms(2024, 3, 27, 8, 57, 41).unwrap());
    assert_eq!(ev[0].get(Norm::Host), Some("PA-EDGE"));
    assert_eq!(ev[1].get(Norm::DstPort), Some("443"));
}

/// Cortex Data Lake / Strata forwarding: ISO 8601 times with a zone in the CSV, right after
/// a BSD time with no host name.
#[test]
fn panos_iso_times_without_host() {
    let data = "\
Oct 30 09:46:42 1,2024-05-26T16:27:07.000000Z,no-serial,TRAFFIC,end,9.1,2024-05-26T16:26:47.250000Z,10.2.0.1,203.0.113.8,0.0.0.0,0.0.0.0,intrazone-default,,,web-browsing,vsys1,untrust,untrust,ethernet1/1,ethernet1/1,Cortex Data Lake,,688290,1,35834,443,35834,20077,0x1400070,tcp,allow,7291,1696,5595,21,2024-05-26T16:26:30.000000Z,1,medium-risk,,620386,0x8800000000000000,US,SG,,14,7,tcp-fin,22,18,0,0,,GP cloud service,from-policy
Oct 30 09:46:43 1,2024-05-26T18:27:08+02:00,no-serial,TRAFFIC,drop,9.1,2024-05-26T18:27:08+02:00,10.2.0.2,203.0.113.9,0.0.0.0,0.0.0.0,deny-all,,,not-applicable,vsys1,untrust,untrust,ethernet1/1,,Cortex Data Lake,,1,1,5000,23,0,0,0x0,tcp,deny,60,60,0,1,2024-05-26T18:27:08+02:00,0,any,,1,0x0,US,SG,,1,0,policy-deny,0,0,0,0,,fw-2,from-policy
";
    let (ev, bad) = load(data, "panos", "Europe/Paris");
    assert_eq!((ev.len(), bad), (2, 0));
    // The zone written in the column wins over --tz.
    assert_eq!(
        ev[0].ts,
        ymd_hms(2024, 5, 26, 16, 26, 47).unwrap() + 250_000_000
    );
    assert_eq!(ev[1].ts, ymd_hms(2024, 5, 26, 16, 27, 8).unwrap());
    assert_eq!(ev[0].get(Norm::Host), Some("GP cloud service"));
    assert_eq!(ev[1].get(Norm::Action), Some("deny"));
}

/// ASA with `logging class` on: `%ASA-session-3-106102`, beside plain tags.
#[test]
fn asa_tag_with_message_class() {
    let data = "\
Aug  6 2024 11:01:37: %ASA-session-3-106102: access-list acl_in permitted udp for user alice outside/10.0.0.20(49721) -> inside/10.0.1.40(53) hit-cnt 1 first hit [0x1, 0x2]
Aug  6 2024 11:01:38: %ASA-4-106023: Deny tcp src outside:198.51.100.7/4444 dst inside:10.0.1.40/22 by access-group \"in\" [0x0, 0x0]
";
    let (ev, bad) = load(data, "asa", "UTC");
    assert_eq!((ev.len(), bad), (2, 0));
    assert_eq!(ev[0].get(Norm::EventId), Some("106102"));
    assert_eq!(ev[0].get(Norm::Severity), Some("3"));
    assert_eq!(ev[0].raw("class"), Some("session"));
    assert_eq!(ev[0].get(Norm::Action), Some("allow"));
    assert_eq!(ev[0].get(Norm::DstPort), Some("53"));
    assert_eq!(ev[1].get(Norm::EventId), Some("106023"));
}

/// An SRX's whole syslog: RT_FLOW interleaved with Junos system events, some with
/// `[junos@…]` data and some plain text; all are events, none rejected.
#[test]
fn srx_with_system_events() {
    let data = "\
<14>1 2024-05-04T15:27:20.100+10:00 srx-a RT_FLOW - RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.26 source-address=\"10.0.0.26\" source-port=\"37233\" destination-address=\"192.0.2.13\" destination-port=\"161\" protocol-id=\"17\" policy-name=\"cleanup\" reason=\"Denied by policy\"]
<30>1 2024-05-04T15:27:30.846+10:00 srx-a kmd 8961 KMD_PM_SA_ESTABLISHED [junos@2636.1.1.1.2.26 local-address=\"192.0.2.1\" remote-address=\"198.51.100.1\" mode=\"Tunnel\"]
<27>1 2024-05-04T15:27:33.984+10:00 srx-a kmd 9159 - - IKE negotiation failed with error: Timed out. Local: 192.0.2.1/500, Remote: 198.51.100.1/500
<37>1 2024-05-04T15:28:06.756+10:00 srx-a sshd - SSHD_LOGIN_FAILED [junos@2636.1.1.1.2.26 username=\"root\" source-address=\"203.0.113.5\"]
<166>1 2024-05-04T15:29:24.821+10:00 srx-a - - - - srx-a dpdk_eth_devstart: port 8 has already been started
";
    let (ev, bad) = load(data, "srx", "UTC");
    assert_eq!((ev.len(), bad), (5, 0));
    let by = |id: &str| ev.iter().find(|f| f.get(Norm::EventId) == Some(id));
    let deny = by("RT_FLOW_SESSION_DENY").expect("deny");
    assert_eq!(deny.get(Norm::Action), Some("deny"));
    assert_eq!(
        deny.ts,
        ymd_hms(2024, 5, 4, 5, 27, 20).unwrap() + 100_000_000
    );
    let ike = ev
        .iter()
        .find(|f| f.get(Norm::Pid) == Some("9159"))
        .expect("kmd text event");
    assert_eq!(ike.get(Norm::EventId), Some("kmd"));
    assert_eq!(ike.get(Norm::Host), Some("srx-a"));
    assert!(
        ike.get(Norm::Message)
            .unwrap_or_default()
            .starts_with("IKE negotiation failed")
    );
    let ssh = by("SSHD_LOGIN_FAILED").expect("sshd");
    assert_eq!(ssh.get(Norm::User), Some("root"));
    assert_eq!(ssh.get(Norm::SrcIp), Some("203.0.113.5"));
}

/// pfirewall.log re-saved with a UTF-8 BOM: the header is still a header, not a reject.
#[test]
fn wfw_with_bom() {
    let data = "\u{feff}#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n\
#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\r\n\r\n\
2024-03-31 01:59:59 DROP TCP 10.0.0.1 10.0.0.2 1000 22 40 S 1 0 1024 - - - RECEIVE\r\n\
2024-03-31 03:00:00 ALLOW UDP fe80::1 ff02::fb 5353 5353 89 - - - - - - - SEND\r\n";
    let (ev, bad) = load(data, "wfw", "Europe/Paris");
    assert_eq!((ev.len(), bad), (2, 0));
    assert_eq!(ev[0].ts, ymd_hms(2024, 3, 31, 0, 59, 59).unwrap());
    assert_eq!(ev[1].ts, ymd_hms(2024, 3, 31, 1, 0, 0).unwrap());
    assert_eq!(ev[1].get(Norm::SrcIp), Some("fe80::1"));
}

/// Sophos UTM (Astaro) packet filter lines: `YYYY:MM:DD-HH:MM:SS host ulogd[pid]: id="…"`,
/// with and without a PRI, naive local time.
#[test]
fn sophos_utm_packetfilter() {
    let data = "\
2024:04:28-00:50:54 utm-1 ulogd[777]: id=\"2001\" severity=\"info\" sys=\"SecureNet\" sub=\"packetfilter\" name=\"Packet dropped\" action=\"drop\" fwrule=\"60001\" initf=\"eth1\" srcip=\"198.51.100.2\" dstip=\"192.0.2.129\" proto=\"6\" length=\"60\" srcport=\"443\" dstport=\"42181\" tcpflags=\"SYN\"
<30>2024:04:28-11:28:41 utm-1 ulogd[777]: id=\"2002\" severity=\"info\" sys=\"SecureNet\" sub=\"packetfilter\" name=\"Packet accepted\" action=\"accept\" fwrule=\"12\" initf=\"eth0\" srcip=\"192.0.2.10\" dstip=\"203.0.113.53\" proto=\"17\" length=\"75\" srcport=\"34200\" dstport=\"53\" 
";
    let (ev, bad) = load(data, "sophos", "Europe/Berlin");
    assert_eq!((ev.len(), bad), (2, 0));
    assert_eq!(ev[0].ts, ymd_hms(2024, 4, 27, 22, 50, 54).unwrap());
    assert_eq!(ev[0].get(Norm::Host), Some("utm-1"));
    assert_eq!(ev[0].get(Norm::EventId), Some("2001"));
    assert_eq!(ev[0].get(Norm::Action), Some("drop"));
    assert_eq!(ev[0].get(Norm::Proto), Some("tcp"));
    assert_eq!(ev[1].get(Norm::DstPort), Some("53"));
    let m = ev[1].get(Norm::Message).unwrap_or_default();
    assert!(
        m.ends_with("udp 192.0.2.10:34200 -> 203.0.113.53:53 (Packet accepted)"),
        "{m}"
    );
}

/// FTD Firepower connection events are `Key: Value, …`: the flow must come from the keys.
#[test]
fn ftd_connection_events() {
    let data = "\
2024-08-15T16:05:37Z ftd-1  %FTD-1-430002: AccessControlRuleAction: Allow, SrcIP: 10.0.1.20, DstIP: 192.0.2.53, SrcPort: 50074, DstPort: 53, Protocol: udp, IngressInterface: inside, EgressInterface: outside, ACPolicy: default, AccessControlRuleName: Rule-1, User: No Authentication Required, Client: DNS client, InitiatorPackets: 1, DNSQuery: example.org, DNSRecordType: a host address
2024-08-15T16:05:38Z ftd-1  %FTD-1-430003: EventPriority: Low, ConnectionID: 56696, AccessControlRuleAction: Block with reset, SrcIP: 10.0.1.21, DstIP: 10.0.100.30, SrcPort: 50815, DstPort: 7680, Protocol: tcp, ACPolicy: Prod, AccessControlRuleName: BlockReset, User: CORP\\alice, ConnectionDuration: 0
";
    let (ev, bad) = load(data, "asa", "UTC");
    assert_eq!((ev.len(), bad), (2, 0));
    assert_eq!(ev[0].get(Norm::SrcIp), Some("10.0.1.20"));
    assert_eq!(ev[0].get(Norm::DstPort), Some("53"));
    assert_eq!(ev[0].get(Norm::Proto), Some("udp"));
    assert_eq!(ev[0].get(Norm::Action), Some("allow"));
    assert_eq!(ev[0].get(Norm::User), None);
    assert_eq!(ev[0].raw("DNSQuery"), Some("example.org"));
    assert_eq!(ev[1].get(Norm::Action), Some("deny"));
    assert_eq!(ev[1].get(Norm::User), Some("CORP\\alice"));
    assert_eq!(ev[1].get(Norm::Host), Some("ftd-1"));
    assert_eq!(ev[1].get(Norm::EventId), Some("430003"));
}

/// Wazuh ruleset junos tests: a relay's BSD header (naive, no year) around the SRX's own
/// RFC 5424 line; the device's zoned time and host win, and a screen's `action=` is kept.
#[test]
fn srx_relayed_structured() {
    let data = r#"Aug 24 04:58:58 192.0.2.1 junos-ids: 2017-08-24T04:58:58.724Z srx-03 RT_IDS - RT_SCREEN_IP [junos@2636.1.1.1.2.1 attack-name="IP spoofing!" source-address="10.1.1.1" destination-address="10.1.1.2" protocol-id="17" source-zone-name="untrust" interface-name="ge-0/0/0.111" action="drop"]
Sep 23 13:54:55 192.0.2.1 junos-flow: 2017-09-23T13:54:54.803Z srx-01 RT_FLOW - RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.39 source-address="10.1.1.3" source-port="1080" destination-address="10.1.1.4" destination-port="8010" service-name="junos-dns-udp" protocol-id="17" policy-name="Deny" reason="policy deny"]
"#;
    let (ev, bad) = load(data, "srx", "Europe/Paris");
    assert_eq!((ev.len(), bad), (2, 0));
    assert_eq!(
        ev[0].ts,
        ymd_hms(2017, 8, 24, 4, 58, 58).unwrap() + 724_000_000
    );
    assert_eq!(ev[0].get(Norm::Host), Some("srx-03"));
    assert_eq!(ev[0].get(Norm::Action), Some("drop"));
    assert_eq!(
        ev[1].ts,
        ymd_hms(2017, 9, 23, 13, 54, 54).unwrap() + 803_000_000
    );
    assert_eq!(ev[1].get(Norm::Action), Some("deny"));
}

/// OPSEC LEA / fw1-loggrabber exports: `|`-separated pairs whose `time` has a space and
/// which say `orig` and `i/f_dir` (no `origin`/`loguid`); naive time read in the zone.
#[test]
fn checkpoint_lea_pipes() {
    let data = "\
time=28Nov2024 10:00:01|action=accept|orig=192.0.2.100|i/f_dir=inbound|i/f_name=eth0|product=VPN-1 & FireWall-1|src=10.0.0.1|s_port=5000|dst=10.9.9.9|service=53|proto=udp|rule=1
time=2024-11-28 10:00:02|action=drop|orig=192.0.2.100|i/f_dir=inbound|i/f_name=eth0|product=VPN-1 & FireWall-1|src=10.0.0.2|s_port=5001|dst=10.9.9.9|service=443|proto=tcp|rule=9
";
    let (ev, bad) = load(data, "checkpoint", "Europe/Paris");
    assert_eq!((ev.len(), bad), (2, 0));
    assert_eq!(ev[0].ts, ymd_hms(2024, 11, 28, 9, 0, 1).unwrap());
    assert_eq!(ev[1].ts, ymd_hms(2024, 11, 28, 9, 0, 2).unwrap());
    assert_eq!(ev[1].get(Norm::Action), Some("drop"));
    assert_eq!(ev[1].get(Norm::DstPort), Some("443"));
}

/// PAN-OS SYSTEM / GLOBALPROTECT / USERID / CONFIG (integrations panw fixtures): named
/// columns, so the user, address and outcome reach the timeline.
#[test]
fn panos_other_log_types() {
    let data = r#"1,2021/10/26 15:05:03,,SYSTEM,general,2561,2021/10/26 15:05:03,,general,,0,0,general,informational,"Connection to Update server closed: updates.example.com, source: 192.0.2.193",1234567890,0x0,0,0,0,0,,PA-VM,0,0,2021-10-26T15:05:03.440-07:00
1,2021/03/02 09:55:42,0123,GLOBALPROTECT,0,2305,2021/03/02 09:55:39,vsys1,gateway-auth,login,Other,,jdoe,10.0.0.0-10.255.255.255,PC1234,198.51.100.40,0.0.0.0,0.0.0.0,0.0.0.0,985e865f-7da3-43b4-89a9-299b1bb0c975,SERIALNR,5.1.1,OS,"OS 10 Enterprise, 64-bit",1,,,,success,,0,pre-logon,0,GP GW,6894571632887748064,0x8000000000000000
1,2021/03/24 11:00:49,0123,USERID,login,2305,2021/03/24 11:00:49,vsys1,192.0.2.193,corp\jdoe,,0,1,10800,0,0,agent,ad,1252774,0x0,0,0,0,0,,FW01,1,,2021/03/24 11:00:49,1,0x80000000,jdoe
1,2024/02/29 16:59:40,0123,CONFIG,0,2561,2024/02/29 16:59:40,192.0.2.193,,edit,admin,Web,Succeeded, vsys  vsys1 address  test123,7304387121517691189,0x0,0,0,0,0,,PA-VM,0,,0,2024-02-29T16:59:40.421+01:00
"#;
    let (ev, bad) = load(data, "panos", "UTC");
    assert_eq!((ev.len(), bad), (4, 0));
    assert_eq!(
        ev[0].raw("description").map(|d| &d[..10]),
        Some("Connection")
    );
    assert_eq!(ev[1].ts, ymd_hms(2021, 3, 2, 9, 55, 39).unwrap());
    assert_eq!(ev[1].get(Norm::User), Some("jdoe"));
    assert_eq!(ev[1].get(Norm::SrcIp), Some("198.51.100.40"));
    assert_eq!(ev[1].get(Norm::EventId), Some("gateway-auth"));
    assert_eq!(ev[2].get(Norm::User), Some(r"corp\jdoe"));
    assert_eq!(ev[2].get(Norm::Action), Some("login"));
    assert_eq!(ev[3].get(Norm::User), Some("admin"));
    assert_eq!(ev[3].raw("cmd"), Some("edit"));
}

/// Tab-separated collector files: a tab between the syslog fields or between pairs
/// separates like a space.
#[test]
fn tabs_separate_like_spaces() {
    let data = "Nov 28 10:00:01\tpfsense\tfilterlog[1]: 5,,,1000000103,igb1,match,block,in,4,0x0,,64,0,0,DF,17,udp,76,192.0.2.10,192.0.2.1,123,123,56\n";
    let (ev, bad) = load(data, "filterlog", "UTC");
    assert_eq!((ev.len(), bad), (1, 0));
    assert_eq!(ev[0].get(Norm::Host), Some("pfsense"));
    assert_eq!(ev[0].get(Norm::DstPort), Some("123"));
    let data = "date=2023-03-15\ttime=14:22:01\tdevname=\"FGT60F\"\tlogid=\"0000000013\"\ttype=\"traffic\"\tsrcip=10.0.0.1\tdstip=10.0.0.2\tproto=17\taction=\"accept\"\n";
    let (ev, bad) = load(data, "fortigate", "UTC");
    assert_eq!((ev.len(), bad), (1, 0));
    assert_eq!(ev[0].ts, ymd_hms(2023, 3, 15, 14, 22, 1).unwrap());
    assert_eq!(ev[0].get(Norm::Host), Some("FGT60F"));
    assert_eq!(ev[0].get(Norm::DstIp), Some("10.0.0.2"));
}
