//! The text shapes added for issue 3: Juniper SRX unstructured RT_FLOW, Check Point Log
//! Exporter layouts (syslog key="value", Splunk `|`, LEEF), multi-vendor CEF, and one line
//! per Cisco ASA message id the issue lists.

use super::tests::{load, sniffed};
use crate::model::{Norm, ymd_hms};

pub(super) const SRX_TEXT: &str = "\
Mar 10 01:59:59 srx-edge RT_FLOW: RT_FLOW_SESSION_CREATE: session created 10.0.0.1/51234->8.8.8.8/53 0x0 junos-dns-udp 1.2.3.4/51234->8.8.8.8/53 0x0 N/A N/A N/A N/A 17 rule1 trust untrust 12345 N/A(N/A) ge-0/0/1.0 UNKNOWN UNKNOWN UNKNOWN N/A N/A -1 N/A
Mar 10 03:00:30 srx-edge RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.0.0.1/51235->93.184.216.34/443 0x0 junos-https 1.2.3.4/40001->93.184.216.34/443 0x0 source rule-snat N/A N/A 6 allow-web trust untrust 12346 10(1000) 12(5000) 30 SSL HTTPS corp\\bob(Staff) ge-0/0/1.0 Yes N/A N/A -1 N/A N/A
Mar 10 03:01:00 srx-edge RT_FLOW: RT_FLOW_SESSION_DENY: session denied 10.0.0.9/4444->198.51.100.1/23 0x0 junos-telnet 6(0) deny-telnet trust untrust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/1.0 No policy deny 12347 N/A N/A -1 N/A
Mar 10 03:02:00 srx-edge RT_FLOW: RT_FLOW_SESSION_CREATE: session created 192.168.1.10/55000->8.8.4.4/53 junos-dns-udp 203.0.113.2/31000->8.8.4.4/53 source-nat-rule-1 None 17 trust-to-untrust trust untrust 20001 N/A(N/A) reth0.0
<14>Mar 10 03:03:00 srx-edge RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed idle Timeout: 2001:db8::5/5353->2001:db8::53/53 0x0 junos-dns-udp 2001:db8::5/5353->2001:db8::53/53 0x0 N/A N/A N/A N/A 17 v6-dns trust untrust 20002 1(70) 1(120) 61 DNS UNKNOWN N/A(N/A) ge-0/0/2.0 No
Mar 10 03:04:00 srx-edge RT_FLOW: RT_FLOW_SESSION_DENY: session denied 10.0.0.9/2048->198.51.100.1/1 0x0 icmp 1(8) deny-all trust untrust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/1.0 No policy deny 12348 N/A N/A -1 N/A
";

#[test]
fn srx_unstructured_rt_flow() {
    let (ev, bad) = load(SRX_TEXT, "srx", "America/New_York");
    assert_eq!((ev.len(), bad), (6, 0));
    // 01:59:59 EST, then EDT after the spring-forward gap.
    assert_eq!(ev[0].ts, ymd_hms(2024, 3, 10, 6, 59, 59).unwrap());
    assert_eq!(ev[1].ts, ymd_hms(2024, 3, 10, 7, 0, 30).unwrap());
    let f = &ev[0];
    assert_eq!(f.get(Norm::EventId), Some("RT_FLOW_SESSION_CREATE"));
    assert_eq!(f.get(Norm::Action), Some("allow"));
    assert_eq!(f.get(Norm::Host), Some("srx-edge"));
    assert_eq!(f.raw("nat-source-address"), Some("1.2.3.4"));
    assert_eq!(f.raw("session-id-32"), Some("12345"));
    assert_eq!(f.raw("packet-incoming-interface"), Some("ge-0/0/1.0"));
    assert_eq!(f.get(Norm::User), None);
    assert_eq!(
        f.get(Norm::Message),
        Some("allow udp 10.0.0.1:51234 -> 8.8.8.8:53 (RT_FLOW_SESSION_CREATE, policy rule1)")
    );
    let f = &ev[1];
    assert_eq!(f.get(Norm::Action), Some("close"));
    assert_eq!(f.raw("reason"), Some("TCP FIN"));
    assert_eq!(f.raw("src-nat-rule-name"), Some("rule-snat"));
    assert_eq!(f.raw("bytes-from-server"), Some("5000"));
    assert_eq!(f.raw("elapsed-time"), Some("30"));
    assert_eq!(f.raw("application"), Some("SSL"));
    assert_eq!(f.get(Norm::User), Some(r"corp\bob"));
    assert_eq!(f.raw("roles"), Some("Staff"));
    assert_eq!(
        f.get(Norm::Message),
        Some(
            r"close tcp 10.0.0.1:51235 -> 93.184.216.34:443 user corp\bob (RT_FLOW_SESSION_CLOSE, policy allow-web, TCP FIN)"
        )
    );
    let f = &ev[2];
    assert_eq!(f.get(Norm::Action), Some("deny"));
    assert_eq!(f.get(Norm::Proto), Some("tcp"));
    assert_eq!(f.raw("policy-name"), Some("deny-telnet"));
    assert_eq!(f.raw("destination-zone-name"), Some("untrust"));
    // An older release: no connection tags, two NAT rule words.
    let f = &ev[3];
    assert_eq!(f.raw("src-nat-rule-name"), Some("source-nat-rule-1"));
    assert_eq!(f.raw("policy-name"), Some("trust-to-untrust"));
    assert_eq!(f.raw("session-id-32"), Some("20001"));
    assert_eq!(f.get(Norm::Proto), Some("udp"));
    let f = &ev[4];
    assert_eq!(f.get(Norm::SrcIp), Some("2001:db8::5"));
    assert_eq!(f.raw("reason"), Some("idle Timeout"));
    assert_eq!(ev[5].get(Norm::Proto), Some("icmp"));
    assert_eq!(ev[5].raw("icmp-type"), Some("8"));
}

#[test]
fn srx_text_damaged() {
    let data = "\
Mar 10 03:01:00 srx-edge RT_FLOW: RT_FLOW_SESSION_DENY: session denied 10.0.0.9/4444->198.51.100.1/23 0x0 junos-telnet 6(0) deny-telnet trust untrust
Mar 10 03:01:00 srx-edge RT_FLOW: RT_FLOW_SESSION_DENY: session denied 10.0.0.9/4444->198.51
Mar 10 03:01:00 srx-edge RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed no colon 10.0.0.9/1->1.1.1.1/2
Mar 10 03:01:00 srx-edge RT_FLOW: RT_FLOW_SESSION_CREATE: session created 10.0.0.9
Mar 10 03:01:00 srx-edge RT_FLOW: RT_FLOW_SESSION_CREATE: session created 10.0.0.9/1->2.2.2.2/3
Mar 10 03:01:00 srx-edge RT_FLOW: RT_FLOW_SESSION_CREATE: session exploded 10.0.0.9/1->2.2.2.2/3
";
    let (ev, bad) = load(data, "srx", "UTC");
    // A tuple cut before its port, a close without its reason's colon, a lone address and
    // an unknown verb are rejects; words missing at the end are only missing.
    assert_eq!((ev.len(), bad), (2, 4));
    assert_eq!(ev[0].raw("source-zone-name"), Some("trust"));
    assert_eq!(ev[0].raw("application"), None);
    assert_eq!(ev[1].get(Norm::DstPort), Some("3"));
    assert_eq!(ev[1].raw("service-name"), None);
}

pub(super) const CHECKPOINT_ALT: &str = "\
<134>1 2024-03-10T07:00:05Z gw-hq CheckPoint 26203 - - time=1710054005|hostname=gw-hq|product=VPN-1 & FireWall-1|layer_name=Network|layer_uuid=c0264a80-1832-4fce-8a90-d0849dc4ba33|match_id=1|parent_rule=0|rule_action=Accept|rule_name=Allow DNS|rule_uid=1a2b3c4d-0000-4000-8000-000000000001|action=Accept|conn_direction=Outgoing|ifdir=outbound|ifname=eth1|logid=0|loguid={0x65ee1a35,0x0,0x6400a8c0,0xc0000001}|origin=192.168.0.100|originsicname=CN=gw-hq,O=mgmt.example.com.7m2pxe|sequencenum=1|version=5|dst=8.8.8.8|inzone=Internal|outzone=External|proto=17|s_port=53011|service=53|service_id=domain-udp|src=10.1.1.5
time=2024-03-10 01:30:00|hostname=gw-branch|product=VPN-1 & FireWall-1|action=Drop|ifdir=inbound|loguid={0x65ee1a36,0x0,0x6400a8c0,0xc0000002}|origin=192.168.1.1|src=198.51.100.7|dst=192.168.1.10|proto=6|s_port=61000|service=22|rule_name=Cleanup rule
time= 9Mar2024 23:59:59|product=SmartDefense|action=Prevent|loguid={0x65ee1a37,0x0,0x6400a8c0,0xc0000003}|origin=192.168.1.1|src=198.51.100.8|dst=192.168.1.10|proto=6|service=445|attack=SMB Protocol Violation
<134>1 2024-03-10T07:00:06Z gw-hq CheckPoint 26203 - - LEEF:2.0|Check Point|VPN-1 & FireWall-1|1.0|Drop|x09|cat=Drop\tdevTime=1710054006000\tsrc=203.0.113.50\tdst=10.1.1.5\tsrcPort=51515\tdstPort=3389\tproto=6\tusrName=\tifdir=inbound\tifname=eth0\tloguid={0x65ee1a38,0x0,0x6400a8c0,0xc0000004}\torigin=192.168.0.100\trule_name=Stealth rule
<134>Mar 10 03:00:07 gw-hq LEEF:1.0|Check Point|Identity Awareness|1.0|Log In|devTime=Mar 10 2024 07:00:07 UTC\tsrc=10.1.1.9\tusrName=ACME\\\\alice\tloguid={0x65ee1a39,0x0,0x6400a8c0,0xc0000005}\tauth_method=Kerberos
time=\"1710054008\"; hostname=\"gw-hq\"; product=\"VPN-1 & FireWall-1\"; action=\"Reject\"; loguid=\"{0x65ee1a3a,0x0,0x6400a8c0,0xc0000006}\"; origin=\"192.168.0.100\"; src=\"10.1.1.7\"; dst=\"198.51.100.20\"; proto=\"6\"; s_port=\"40000\"; service=\"25\"; rule_name=\"Block SMTP\"
";

#[test]
fn checkpoint_splunk_leef_and_bare_layouts() {
    let (ev, bad) = load(CHECKPOINT_ALT, "checkpoint", "America/New_York");
    assert_eq!((ev.len(), bad), (6, 0));
    let f = &ev[0];
    assert_eq!(f.ts, ymd_hms(2024, 3, 10, 7, 0, 5).unwrap());
    assert_eq!(f.get(Norm::Host), Some("gw-hq"));
    assert_eq!(f.get(Norm::Proto), Some("udp"));
    assert_eq!(
        f.raw("originsicname"),
        Some("CN=gw-hq,O=mgmt.example.com.7m2pxe")
    );
    assert_eq!(
        f.get(Norm::Message),
        Some("allow udp 10.1.1.5:53011 -> 8.8.8.8:53 (VPN-1 & FireWall-1, rule Allow DNS)")
    );
    // Naive ISO time: in --tz (EST before the 02:00 change).
    assert_eq!(ev[1].ts, ymd_hms(2024, 3, 10, 6, 30, 0).unwrap());
    assert_eq!(ev[1].get(Norm::Action), Some("drop"));
    assert_eq!(ev[1].get(Norm::Host), Some("gw-branch"));
    // The old `9Mar2024 23:59:59` form; no hostname: the origin names the gateway.
    assert_eq!(ev[2].ts, ymd_hms(2024, 3, 10, 4, 59, 59).unwrap());
    assert_eq!(ev[2].get(Norm::Host), Some("192.168.1.1"));
    assert_eq!(ev[2].raw("attack"), Some("SMB Protocol Violation"));
    // LEEF 2.0 with a hex tab delimiter, epoch ms devTime.
    let f = &ev[3];
    assert_eq!(f.ts, ymd_hms(2024, 3, 10, 7, 0, 6).unwrap());
    assert_eq!(f.get(Norm::EventId), Some("Drop"));
    assert_eq!(f.get(Norm::SrcPort), Some("51515"));
    assert_eq!(f.get(Norm::DstPort), Some("3389"));
    assert_eq!(f.get(Norm::Action), Some("drop"));
    assert_eq!(f.get(Norm::User), None);
    assert_eq!(f.raw("rule_name"), Some("Stealth rule"));
    // LEEF 1.0 (tabs), a zoned `MMM dd yyyy` time beats the naive envelope.
    let f = &ev[4];
    assert_eq!(f.ts, ymd_hms(2024, 3, 10, 7, 0, 7).unwrap());
    assert_eq!(f.get(Norm::User), Some(r"ACME\alice"));
    assert_eq!(f.get(Norm::Provider), Some("Identity Awareness"));
    assert_eq!(f.get(Norm::Host), Some("gw-hq"));
    // `key="value";` without an envelope.
    let f = &ev[5];
    assert_eq!(f.ts, ymd_hms(2024, 3, 10, 7, 0, 8).unwrap());
    assert_eq!(f.get(Norm::Action), Some("reject"));
    assert_eq!(f.get(Norm::DstPort), Some("25"));
}

#[test]
fn checkpoint_alt_damaged() {
    let data = "\
time=1710054005|product=VPN-1 & FireWall-1|action=Accept|loguid={0x1,0x0}|src=10.0.0.1
time=17100x|product=VPN-1 & FireWall-1|action=Accept|loguid={0x2,0x0}|src=10.0.0.1
LEEF:2.0|Check Point|VPN-1 & FireWall-1|1.0
LEEF:2.0|Check Point|VPN-1 & FireWall-1|1.0|Drop|zz9|src=1.1.1.1 loguid={0x3,0x0}
time=1710054005|product=VPN-1 & FireWall-1|action=Accept|loguid={0x4,0x0}|src=10.0.0.\u{c3}
";
    let (ev, bad) = load(data, "checkpoint", "UTC");
    assert_eq!((ev.len(), bad), (2, 3));
    assert_eq!(ev[1].get(Norm::SrcIp), Some("10.0.0.\u{c3}"));
}

/// FortiGate, Check Point, Palo Alto and Cisco CEF as their devices write it.
pub(super) const CEF_MULTI: &str = r"<189>Mar 10 03:00:00 FGT60E CEF:0|Fortinet|Fortigate|v6.4.5|00013|traffic:forward close|3|deviceExternalId=FGT60E4Q16000000 FTNTFGTlogid=0000000013 cat=traffic:forward FTNTFGTsubtype=forward FTNTFGTlevel=notice FTNTFGTvd=root rt=1710054000000 src=10.1.1.5 spt=51000 deviceInboundInterface=port2 dst=8.8.8.8 dpt=53 deviceOutboundInterface=wan1 proto=17 act=accept FTNTFGTpolicyid=3 app=DNS suser=jane doe
<134>1 2024-03-10T07:00:01Z gw-hq CheckPoint 26203 - - CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Drop|https|Unknown|act=Drop deviceDirection=0 rt=1710054001000 spt=51001 dpt=443 cs2Label=Rule Name cs2=Cleanup rule layer_name=Network ifname=eth0 loguid={0x65ee1a40,0x0,0x6400a8c0,0xc0000001} origin=192.168.0.100 sequencenum=4 version=5 dst=198.51.100.1 proto=6 src=10.1.1.6 dvchost=gw-hq
<14>Mar 10 2024 03:00:02 PA-VM CEF:0|Palo Alto Networks|PAN-OS|10.1.0|end|TRAFFIC|1|rt=Mar 10 2024 07:00:02 GMT deviceExternalId=007951000012345 src=10.1.1.7 dst=52.96.88.162 sourceTranslatedAddress=203.0.113.5 destinationTranslatedAddress=52.96.88.162 cs1Label=Rule cs1=allow-outbound suser=acme\\bob duser= app=ssl cs3Label=Virtual System cs3=vsys1 cs4Label=Source Zone cs4=trust cs5Label=Destination Zone cs5=untrust deviceInboundInterface=ethernet1/2 deviceOutboundInterface=ethernet1/1 cs6Label=LogProfile cs6=default cn1Label=SessionID cn1=123456 cnt=1 spt=51002 dpt=443 sourceTranslatedPort=40001 destinationTranslatedPort=443 flexString1Label=Flags flexString1=0x400000 proto=tcp act=allow flexNumber1Label=Total bytes flexNumber1=7168 in=5120 out=2048 cat=computer-and-internet-info dvchost=PA-VM
CEF:0|Cisco|FirePOWER|6.6.0|1:2100498:7|GPL ATTACK_RESPONSE id check returned root|5|rt=Mar 10 2024 03:00:03 src=10.1.1.8 spt=80 dst=10.1.1.9 dpt=51003 proto=6 act=Blocked dvc=192.168.50.10 cs1Label=Policy cs1=Default Intrusion Policy cs2Label=Rule Message cs2=GPL ATTACK_RESPONSE id check returned root msg=uid\=0(root) gid\=0(root) in a \| pipe, a \= sign and C:\\Temp\\x.exe
CEF:0|Cisco|ASA|9.16|106023|Deny tcp src outside:1.2.3.4/5555 dst inside:10.0.0.1/445 by access-group \|outside_in\||7|rt=1710054004000 src=1.2.3.4 spt=5555 dst=10.0.0.1 dpt=445 proto=TCP act=Deny deviceInboundInterface=outside cs1Label=ACL cs1=outside_in dvchost=asa-1 filePath=C:\\Program Files\\Some App\\a b.exe
";

#[test]
fn cef_multi_vendor() {
    let (ev, bad) = load(CEF_MULTI, "cef", "America/New_York");
    assert_eq!((ev.len(), bad), (5, 0));
    // Fortinet: rt epoch ms, suser with a space.
    let f = &ev[0];
    assert_eq!(f.ts, ymd_hms(2024, 3, 10, 7, 0, 0).unwrap());
    assert_eq!(f.get(Norm::Action), Some("allow"));
    assert_eq!(f.get(Norm::Proto), Some("udp"));
    assert_eq!(f.get(Norm::User), Some("jane doe"));
    assert_eq!(f.get(Norm::Host), Some("FGT60E"));
    assert_eq!(f.get(Norm::EventId), Some("00013"));
    assert_eq!(f.raw("FTNTFGTpolicyid"), Some("3"));
    // Check Point: label with a space, value with a space.
    let f = &ev[1];
    assert_eq!(f.raw("cs2"), Some("Cleanup rule"));
    assert_eq!(f.raw("Rule Name"), Some("Cleanup rule"));
    assert_eq!(f.get(Norm::Action), Some("drop"));
    assert_eq!(f.get(Norm::Host), Some("gw-hq"));
    assert_eq!(f.get(Norm::DstPort), Some("443"));
    // Palo Alto: `MMM dd yyyy HH:mm:ss GMT`, escaped backslash, empty duser.
    let f = &ev[2];
    assert_eq!(f.ts, ymd_hms(2024, 3, 10, 7, 0, 2).unwrap());
    assert_eq!(f.get(Norm::User), Some(r"acme\bob"));
    assert_eq!(f.raw("Source Zone"), Some("trust"));
    assert_eq!(f.raw("Virtual System"), Some("vsys1"));
    assert_eq!(f.raw("SessionID"), Some("123456"));
    assert_eq!(f.raw("Total bytes"), Some("7168"));
    assert_eq!(f.get(Norm::Host), Some("PA-VM"));
    assert_eq!(f.get(Norm::Proto), Some("tcp"));
    assert_eq!(
        f.get(Norm::Message),
        Some(
            r"allow tcp 10.1.1.7:51002 -> 52.96.88.162:443 user acme\bob (Palo Alto Networks PAN-OS: TRAFFIC)"
        )
    );
    // Cisco FirePOWER: a naive rt is local (EDT after the change), dvc names the host.
    let f = &ev[3];
    assert_eq!(f.ts, ymd_hms(2024, 3, 10, 7, 0, 3).unwrap());
    assert_eq!(f.get(Norm::Host), Some("192.168.50.10"));
    assert_eq!(f.get(Norm::EventId), Some("1:2100498:7"));
    assert_eq!(f.raw("Policy"), Some("Default Intrusion Policy"));
    assert_eq!(
        f.raw("msg"),
        Some(r"uid=0(root) gid=0(root) in a | pipe, a = sign and C:\Temp\x.exe")
    );
    // Cisco ASA: escaped pipes in the header name, a file path with spaces.
    let f = &ev[4];
    assert_eq!(
        f.raw("name"),
        Some(
            "Deny tcp src outside:1.2.3.4/5555 dst inside:10.0.0.1/445 by access-group |outside_in|"
        )
    );
    assert_eq!(f.get(Norm::Action), Some("deny"));
    assert_eq!(
        f.get(Norm::File),
        Some(r"C:\Program Files\Some App\a b.exe")
    );
    assert_eq!(f.raw("ACL"), Some("outside_in"));
    assert_eq!(f.get(Norm::Severity), Some("7"));
}

#[test]
fn checkpoint_cef_goes_to_cef() {
    let line = CEF_MULTI.lines().nth(1).unwrap_or_default();
    let file = format!("{line}\n{line}\n");
    assert_eq!(sniffed(file.as_bytes()).0, "cef");
    assert!(!super::checkpoint::is_line(line.as_bytes()));
}
