//! Firewall logs as they really arrive (issue 17): the log types and vendor layouts a
//! syslog server or collector hands over, bodies whose header a collector stripped, and
//! the accounting of what could not be dated. Synthetic values in the vendors' shapes.

use super::tests::load;
use crate::ingest::{ParseCtx, SourceReport, format_by_id, sniff, text};
use crate::model::{Norm, ymd_hms};

/// The driver over `data` as it sniffs: the format id and the source report.
fn report(data: &str) -> (&'static str, SourceReport) {
    let id = sniff(data.as_bytes()).expect("a format");
    let def = format_by_id(id).expect("registered");
    let ctx = ParseCtx {
        mtime_year: 2024,
        ..ParseCtx::default()
    };
    let p = (def.prepare)(data.as_bytes(), &ctx).expect("prepare");
    let mut r = SourceReport::default();
    r.notes.extend(p.note.clone());
    let b = text::load(&p, data.as_bytes(), 2, &mut r, &|_, _| {});
    r.events = b.events.len() as u64;
    (id, r)
}

fn reasons(r: &SourceReport) -> Vec<&str> {
    r.reasons.iter().map(|x| x.reason.as_str()).collect()
}

/// AUTHENTICATION, DECRYPTION, tunnel inspection, SCTP and CORRELATION logs have named
/// columns: the user, addresses, outcome and device reach the timeline.
#[test]
fn panos_every_log_type() {
    let data = "\
1,2024/05/01 10:00:01,0123456789,AUTHENTICATION,0,2561,2024/05/01 10:00:00,vsys1,192.0.2.30,corp\\carol,carol,radius-obj,auth-pol,1,7001,,fwd,radius,,Other,user password failure,1,9001,0x0,0,0,0,0,,PA-3220,1,PAP
<14>May  1 10:00:02 PA-3220 1,2024/05/01 10:00:02,0123456789,DECRYPTION,0,2561,2024/05/01 10:00:02,192.0.2.40,198.51.100.80,203.0.113.1,198.51.100.80,decrypt-out,corp\\dave,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd,2024/05/01 10:00:02,4242,1,50000,443,40000,443,0x400000,tcp,allow,N/A,,,,,,Client_Hello,Server_Hello,TLS1.3,ECDHE,AES_256_GCM,SHA384,,,Certificate,untrusted,Untrusted,Forward,,,,,,,,,,,,,,,,Certificate expired
1,2024/05/01 10:00:03,0123456789,START,start,2561,2024/05/01 10:00:03,192.0.2.50,198.51.100.90,,,tunnel-insp,,,gtpv1-u,vsys1,core,ran,ethernet1/3,ethernet1/4,fwd,,4343,1,2152,2152,0,0,0x0,udp,allow,informational,9002,0x0,US,US,0,0,0,0,,PA-7050
1,2024/05/01 10:00:04,0123456789,SCTP,0,2561,2024/05/01 10:00:04,192.0.2.60,198.51.100.70,,,sctp-rule,,,sctp,vsys1,core,ran,ethernet1/3,ethernet1/4,fwd,,4444,1,36412,36412,0,0,,sctp,drop,0,0,0,0,,PA-7050,1,9003
May  1 10:00:05 1,2024/05/01 10:00:05,0123456789,CORRELATION,0,2561,2024/05/01 10:00:05,192.0.2.70,corp\\erin,vsys1,compromised-host,critical,0,0,0,0,,PA-3220,1,beacon-detection,6005,host visited malware domains
May  1 10:00:06 log-relay 894 <142>1 2024-05-01T10:00:06.976Z logfwd logforwarder - panwlogs - 1,2024-05-01T10:00:06.000000Z,0123456789,AUTH,Unknown,10.0,2024-05-01T10:00:01.000000Z,vsys1,192.0.2.31,corp\\frank,corp\\frank,obj,Captive Portal,1,-1,,rs-logging,deny,www,1,user password failure,3,55,0x0,0,0,0,0,,PA-VM,1,0
";
    let (ev, bad) = load(data, "panos", "UTC");
    assert_eq!((ev.len(), bad), (6, 0));
    let t = |s| ymd_hms(2024, 5, 1, 10, 0, s).unwrap();
    assert_eq!(
        ev.iter().map(|e| e.ts).collect::<Vec<_>>(),
        [0, 2, 3, 4, 5, 1].map(t)
    );
    let (auth, dec, tun, sctp, cor, strata) = (&ev[0], &ev[1], &ev[2], &ev[3], &ev[4], &ev[5]);
    assert_eq!(auth.get(Norm::User), Some("corp\\carol"));
    assert_eq!(auth.get(Norm::SrcIp), Some("192.0.2.30"));
    assert_eq!(auth.get(Norm::Host), Some("PA-3220"));
    assert!(
        auth.get(Norm::Message)
            .unwrap()
            .contains("user password failure")
    );
    assert_eq!(dec.raw("tls_version"), Some("TLS1.3"));
    assert_eq!(dec.raw("error"), Some("Certificate expired"));
    assert_eq!(dec.get(Norm::DstPort), Some("443"));
    assert_eq!(dec.get(Norm::User), Some("corp\\dave"));
    assert_eq!(tun.get(Norm::Proto), Some("udp"));
    assert_eq!(tun.get(Norm::Host), Some("PA-7050"));
    assert_eq!(sctp.get(Norm::Action), Some("drop"));
    assert_eq!(sctp.raw("vsys_id"), Some("1"));
    assert_eq!(cor.raw("evidence"), Some("host visited malware domains"));
    assert_eq!(cor.get(Norm::Severity), Some("critical"));
    // Strata Logging Service's relay: octet count and PRI before the RFC 5424 header.
    assert_eq!(strata.get(Norm::Host), Some("PA-VM"));
    assert_eq!(strata.get(Norm::User), Some("corp\\frank"));
}

/// Firepower connection, intrusion and file events: `%FTD-…-4300nn` and `%NGIPS-…`, with
/// their header or stripped of it (then `FirstPacketSecond` dates them); a stripped one
/// with no time of its own is `no timestamp`, counted as `asa`.
#[test]
fn firepower_events_with_and_without_header() {
    let data = "\
%NGIPS-1-430002: EventPriority: Low, DeviceUUID: 0f1e2d3c-0000-1111-2222-333344445555, InstanceID: 2, FirstPacketSecond: 2024-05-01T11:31:19Z, ConnectionID: 4, AccessControlRuleAction: Allow, SrcIP: 192.0.2.10, DstIP: 192.0.2.20, ICMPType: Echo Request, ICMPCode: No Code, Protocol: icmp, AccessControlRuleName: ping-ok
%NGIPS-1-430001: EventPriority: High, FirstPacketSecond: 2024-05-01T11:31:20Z, AccessControlRuleAction: Allow, SrcIP: 203.0.113.5, DstIP: 192.0.2.21, SrcPort: 40000, DstPort: 80, Protocol: tcp, GID: 1, SID: 2023070, Message: ET WEB_SERVER probe, InlineResult: Would block
2024-05-01T11:31:50Z   %FTD-1-430003: EventPriority: Low, FirstPacketSecond: 2024-05-01T11:31:21Z, AccessControlRuleAction: Block with reset, SrcIP: 192.0.2.11, DstIP: 198.51.100.5, SrcPort: 50815, DstPort: 7680, Protocol: tcp, User: CORP\\gina
<113>May 01 2024 11:31:52 ftd-2 : %FTD-1-430005: SrcIP: 192.0.2.12, DstIP: 198.51.100.6, SrcPort: 46004, DstPort: 80, Protocol: tcp, FileAction: Malware Cloud Lookup, ThreatName: Eicar-Test, FileName: eicar.zip
%FTD-1-430005: SrcIP: 192.0.2.12, DstIP: 198.51.100.6, SrcPort: 46005, DstPort: 80, Protocol: tcp, ThreatName: Eicar-Test
";
    let (id, r) = report(data);
    assert_eq!((id, r.events, r.rejected), ("asa", 4, 1));
    assert_eq!(reasons(&r), ["no timestamp"]);
    let (ev, _) = load(data, "asa", "UTC");
    let t = |s| ymd_hms(2024, 5, 1, 11, 31, s).unwrap();
    assert_eq!(
        ev.iter().map(|e| e.ts).collect::<Vec<_>>(),
        [19, 20, 50, 52].map(t)
    );
    assert_eq!(ev[0].raw("vendor"), Some("NGIPS"));
    assert_eq!(ev[0].get(Norm::EventId), Some("430002"));
    assert_eq!(ev[1].get(Norm::DstPort), Some("80"));
    assert_eq!(ev[2].get(Norm::Action), Some("deny"));
    assert_eq!(ev[2].get(Norm::User), Some("CORP\\gina"));
    assert_eq!(ev[3].get(Norm::Host), Some("ftd-2"));
    assert_eq!(
        ev[1].get(Norm::Message),
        Some(
            "allow tcp 203.0.113.5:40000 -> 192.0.2.21:80 (430001 intrusion, ET WEB_SERVER probe)"
        )
    );
    assert_eq!(
        ev[3].get(Norm::Message),
        Some("tcp 192.0.2.12:46004 -> 198.51.100.6:80 (430005 file malware, Eicar-Test)")
    );
}

/// FortiGate CEF keeps its own fields under `FTNTFGT` / `FortinetFortiGate` and its time
/// only in `…eventtime` (s, µs, ns); Check Point's CEF may have lost its `CEF:` prefix, and
/// dates by `rt=` in epoch ms.
#[test]
fn cef_vendor_times_and_stripped_prefix() {
    let data = "\
Dec 27 11:07:55 FGT-A CEF: 0|Fortinet|Fortigate|v6.0.3|00013|traffic:forward close|3|deviceExternalId=FG5H0000 FTNTFGTlogid=0000000013 cat=traffic:forward FTNTFGTsubtype=forward FTNTFGTeventtime=1714557600 src=192.0.2.11 spt=54190 dst=198.51.100.35 dpt=443 proto=6 act=close
CEF:0|Fortinet|Fortigate|v7.2.4|0100032002|event:system admin login failed|7|FortinetFortiGatelogid=0100032002 cat=event:system FortinetFortiGateeventtime=1714557601250000 FortinetFortiGatetz=-0500 duser=admin src=198.51.100.7 act=login
0|Check Point|VPN-1 & FireWall-1|Check Point|Log|https|Unknown|act=Accept deviceDirection=0 rt=1714557602000 spt=50000 dpt=443 dst=192.0.2.2 src=192.0.2.1 proto=6
<134>May  1 10:00:03 cp-mgmt 0|Check Point|VPN-1 & FireWall-1|Check Point|Log|Drop|Unknown|act=Drop rt=1714557603500 src=198.51.100.9 dst=192.0.2.5 spt=40000 dpt=23 proto=6
0|Check Point|VPN-1 & FireWall-1|Check Point|Log|Drop|Unknown|act=Drop src=198.51.100.9 dst=192.0.2.5
";
    let (id, r) = report(data);
    assert_eq!((id, r.events, r.rejected), ("cef", 4, 1));
    assert_eq!(reasons(&r), ["no timestamp"]);
    let (ev, _) = load(data, "cef", "UTC");
    let t0 = ymd_hms(2024, 5, 1, 10, 0, 0).unwrap();
    let ts: Vec<i64> = ev.iter().map(|e| e.ts - t0).collect();
    assert_eq!(ts, [0, 1_250_000_000, 2_000_000_000, 3_500_000_000]);
    assert_eq!(ev[0].get(Norm::Host), Some("FGT-A"));
    assert_eq!(ev[0].raw("FTNTFGTsubtype"), Some("forward"));
    assert_eq!(ev[1].get(Norm::User), Some("admin"));
    assert_eq!(ev[2].raw("device_vendor"), Some("Check Point"));
    assert_eq!(ev[2].get(Norm::Action), Some("allow"));
    assert_eq!(ev[3].get(Norm::Host), Some("cp-mgmt"));
    assert_eq!(ev[3].get(Norm::DstPort), Some("23"));
}

/// Junos: `RT_FLOW` structured data with and without its syslog header (without, it has
/// no date: `no timestamp`, still `srx`), and other daemons' lines kept as events.
#[test]
fn junos_structured_with_and_without_header() {
    let data = "\
<14>1 2024-05-01T10:00:00.000+02:00 srx-1 RT_FLOW - RT_FLOW_SESSION_CREATE [junos@2636.1.1.1.2.129 source-address=\"192.0.2.26\" source-port=\"37233\" destination-address=\"198.51.100.8\" destination-port=\"53\" protocol-id=\"17\" policy-name=\"p1\"]
May  1 10:00:01 srx-1 RT_FLOW: RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.40 source-address=\"192.0.2.9\" source-port=\"4444\" destination-address=\"198.51.100.1\" destination-port=\"23\" protocol-id=\"6\" policy-name=\"deny-telnet\"]
RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.129 reason=\"idle Timeout\" source-address=\"192.0.2.26\" source-port=\"37233\" destination-address=\"198.51.100.8\" destination-port=\"53\" protocol-id=\"17\"]
<30>1 2024-05-01T10:00:02.000+02:00 srx-1 sshd 4321 SSHD_LOGIN_FAILED [junos@2636.1.1.1.2.129 username=\"root\" source-address=\"203.0.113.5\"] Login failed for user 'root' from host '203.0.113.5'
<28>May  1 10:00:03 srx-1 mgd[1234]: UI_COMMIT: User 'admin' requested 'commit' operation
";
    let (id, r) = report(data);
    assert_eq!((id, r.events, r.rejected), ("srx", 4, 1));
    assert_eq!(reasons(&r), ["no timestamp"]);
    let (ev, _) = load(data, "srx", "UTC");
    assert_eq!(ev[1].get(Norm::Action), Some("deny"));
    assert_eq!(ev[2].get(Norm::EventId), Some("SSHD_LOGIN_FAILED"));
    assert!(ev[3].get(Norm::Message).unwrap().contains("UI_COMMIT"));
}

/// Bodies whose syslog header a collector stripped are still their format's; with no
/// date of their own each is `no timestamp`, and a syslog server's file counts them under
/// the format they belong to.
#[test]
fn stripped_headers_are_counted_under_their_format() {
    let bodies = [
        (
            "asa",
            "%ASA-6-302013: Built inbound TCP connection 11 for outside:192.0.2.1/2345 (192.0.2.1/2345) to inside:10.2.2.2/80 (10.2.2.2/80)",
        ),
        (
            "filterlog",
            "filterlog: 5,,,1000000103,em0,match,block,in,4,0x0,,64,1,0,DF,6,tcp,40,203.0.113.5,192.0.2.6,1,2,0,S,1,,1,,",
        ),
        (
            "filterlog",
            "5,,,1000000103,em0,match,pass,out,4,0x0,,64,1,0,DF,17,udp,40,192.0.2.6,203.0.113.5,53,53,20",
        ),
        (
            "netfilter",
            "[UFW BLOCK] IN=eth0 OUT= MAC=00:00 SRC=192.0.2.1 DST=192.0.2.2 LEN=40 PROTO=TCP SPT=1 DPT=22",
        ),
        (
            "fortigate",
            "devname=\"fgt\" devid=\"FG100\" logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" srcip=192.0.2.7 dstip=198.51.100.8 action=\"deny\"",
        ),
        (
            "srx",
            "RT_FLOW - RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.40 source-address=\"192.0.2.9\" destination-address=\"198.51.100.1\"]",
        ),
        (
            "cef",
            "0|Check Point|VPN-1 & FireWall-1|Check Point|Log|Drop|Unknown|act=Drop src=192.0.2.9 dst=198.51.100.1",
        ),
        (
            "pflog",
            "rule 3/(match) block in on em0: 192.0.2.1.51234 > 198.51.100.2.22: S 1:1(0) win 1024",
        ),
    ];
    for (id, b) in bodies {
        let data = format!("{b}\n{b}\n");
        let (got, r) = report(&data);
        assert_eq!((got, r.events, r.rejected), (id, 0, 2), "{b}");
        assert_eq!(reasons(&r), ["no timestamp"; 2], "{b}");
    }
    // Mixed with dated lines of other formats: counted per format.
    let mut data = String::from(concat!(
        "May  1 10:00:00 fw1 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=UDP SPT=1 DPT=53\n",
        "May  1 10:00:01 asa1 : %ASA-4-106023: Deny tcp src outside:198.51.100.3/80 dst inside:10.0.0.4/8277 by access-group \"in\" [0x0, 0x0]\n",
    ));
    for (_, b) in bodies {
        data.push_str(b);
        data.push('\n');
    }
    data.push_str("May  1 10:00:02 relay sshd[1]: something else entirely\n");
    let (id, r) = report(&data);
    assert_eq!((id, r.events, r.rejected), ("syslog", 2, 9));
    let per: Vec<(&str, u64, u64)> = r
        .formats
        .iter()
        .map(|(k, c)| (*k, c.events, c.rejected))
        .collect();
    assert_eq!(
        per,
        [
            ("asa", 1, 1),
            ("cef", 0, 1),
            ("filterlog", 0, 2),
            ("fortigate", 0, 1),
            ("netfilter", 1, 1),
            ("pflog", 0, 1),
            ("srx", 0, 1),
            ("unknown", 0, 1),
        ]
    );
    assert_eq!(
        reasons(&r).iter().filter(|r| **r == "no timestamp").count(),
        8
    );
}

/// A year taken from the file's modification time is said on the source; not when the
/// times carry one or `--year` gave it.
#[test]
fn year_from_mtime_is_noted() {
    let bsd = "May  1 10:00:00 fw1 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=UDP SPT=1 DPT=53\n";
    let (_, r) = report(bsd);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("no year") && n.contains("2024")),
        "{:?}",
        r.notes
    );
    let iso = "2024-05-01T10:00:00Z fw1 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 PROTO=UDP SPT=1 DPT=53\n";
    assert!(report(iso).1.notes.is_empty());
    let def = format_by_id("netfilter").expect("registered");
    let ctx = ParseCtx {
        year: Some(2023),
        mtime_year: 2024,
        ..ParseCtx::default()
    };
    assert!(
        (def.prepare)(bsd.as_bytes(), &ctx)
            .expect("prepare")
            .note
            .is_none()
    );
    // A syslog server's file says it once.
    let mixed = format!(
        "{bsd}May  1 10:00:01 asa1 : %ASA-4-106023: Deny tcp src outside:198.51.100.3/80 dst inside:10.0.0.4/8277 by access-group \"in\" [0x0, 0x0]\n"
    );
    let (id, r) = report(&mixed);
    assert_eq!((id, r.notes.len()), ("syslog", 1));
}

/// Proxmox VE's firewall log and OpenBSD's pflog text are their own formats.
#[test]
fn proxmox_and_pflog_files() {
    let pve = "\
101 6 tap101i0-IN 01/May/2024:10:45:43 +0200 policy DROP: IN=fwbr101i0 OUT=fwbr101i0 PHYSIN=fwln101o0 PHYSOUT=tap101i0 MAC=bc:24:11:00:00:01 SRC=192.0.2.10 DST=192.0.2.20 LEN=60 TTL=64 PROTO=TCP SPT=40000 DPT=22 SYN
0 5 - 01/May/2024:10:45:44 +0200 starting pvefw logger
0 6 PVEFW-HOST-IN 01/May/2024:10:45:46 +0200 policy DROP: IN=vmbr0 PHYSIN=eno1 SRC=192.0.2.30 DST=192.0.2.255 LEN=229 PROTO=UDP SPT=138 DPT=138
";
    let (ev, bad) = load(pve, "pvefw", "UTC");
    assert_eq!((ev.len(), bad), (3, 0));
    assert_eq!(ev[0].ts, ymd_hms(2024, 5, 1, 8, 45, 43).unwrap());
    assert_eq!(ev[2].get(Norm::Proto), Some("udp"));
    let pf = "\
May  1 10:45:43.123456 rule 3/(match) block in on em0: 192.0.2.1.51234 > 198.51.100.2.22: S 123:123(0) win 16384 <mss 1460> (DF)
May  1 10:45:45.000001 rule 2/(match) block in on em0: 203.0.113.9 > 198.51.100.2: ICMP echo request, id 1, seq 1, length 64
May  1 10:45:47 fw1 pf: May  1 10:45:47.654321 rule 3/(match) pass out on em1: 10.0.0.5.33000 > 192.0.2.53.53: 1234+ A? example.com. (29)
";
    let (ev, bad) = load(pf, "pflog", "UTC");
    assert_eq!((ev.len(), bad), (3, 0));
    assert_eq!(ev[2].get(Norm::Host), Some("fw1"));
    assert_eq!(ev[2].get(Norm::DstPort), Some("53"));
}
