//! Corpus tests: every file under corpus/firewall is sniffed as its format and parses with
//! the expected counts, the way the driver would run it.

use super::FORMATS;
use crate::ingest::{FormatDef, ParseCtx, Records};
use crate::model::Fields;
use std::path::{Path, PathBuf};

pub fn corpus(rel: &str) -> Option<PathBuf> {
    let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")).join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("corpus absent: {} skipped", p.display());
        None
    }
}

/// What the driver does: prepare, split lines, parse each. Returns (ok, rejects, parsed).
pub fn run(def: &FormatDef, data: &[u8], ctx: &ParseCtx) -> (usize, usize, Vec<Fields<'static>>) {
    let prep = (def.prepare)(data, ctx).expect("prepare");
    let (mut ok, mut bad, mut all) = (0, 0, Vec::new());
    let recs: Vec<&[u8]> = match &prep.records {
        Records::Lines { start, comment } => data[*start..]
            .split(|&c| c == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| !l.is_empty() && !comment.iter().any(|c| l.starts_with(c)))
            .collect(),
        Records::Ranges(r) => r
            .iter()
            .map(|&(o, n)| &data[o as usize..o as usize + n as usize])
            .collect(),
    };
    for r in recs {
        let mut f = Fields::new();
        match prep.parser.parse(r, &mut f) {
            Ok(()) => {
                ok += 1;
                all.push(f.into_owned());
            }
            Err(e) => {
                eprintln!("reject: {e}: {}", String::from_utf8_lossy(r));
                bad += 1;
            }
        }
    }
    (ok, bad, all)
}

/// The format id that wins sniffing over every registered format.
pub fn sniffed(head: &[u8]) -> (&'static str, u8) {
    let head = &head[..head.len().min(64 * 1024)];
    FORMATS
        .iter()
        .map(|d| (d.id, (d.sniff)(head)))
        .max_by_key(|&(_, s)| s)
        .unwrap_or(("", 0))
}

/// Sniffs and parses one corpus file: asserts the format wins and the counts.
pub fn check_file(rel: &str, id: &str, ok: usize, rejects: usize) -> Option<Vec<Fields<'static>>> {
    let p = corpus(rel)?;
    let data = std::fs::read(&p).expect("read corpus file");
    let (got, score) = sniffed(&data);
    assert_eq!(got, id, "{rel}: sniffed as {got} ({score})");
    assert!(score >= 50, "{rel}: score {score}");
    let def = FORMATS
        .iter()
        .find(|d| d.id == id)
        .expect("format registered");
    let ctx = ParseCtx {
        mtime_year: 2024,
        ..ParseCtx::default()
    };
    let (o, r, all) = run(def, &data, &ctx);
    assert_eq!((o, r), (ok, rejects), "{rel}: (ok, rejects)");
    Some(all)
}

#[test]
fn corpus_sniffing_never_picks_firewall_for_edr() {
    let Some(dir) = corpus("edr") else { return };
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let data = std::fs::read(&p).expect("read");
            let (id, s) = sniffed(&data);
            assert!(s < 50, "{} sniffed as {id} ({s})", p.display());
        }
    }
}

use crate::model::{Norm, ymd_hms};

#[test]
fn corpus_netfilter() {
    if let Some(all) = check_file(
        "firewall/iptables/crowdsec__iptables-scan-multi-port.log",
        "netfilter",
        49,
        0,
    ) {
        let f = &all[0];
        assert_eq!(f.ts, ymd_hms(2024, 9, 30, 10, 9, 23).unwrap());
        assert_eq!(f.get(Norm::Host), Some("scw-d95986"));
        assert_eq!(f.get(Norm::SrcIp), Some("62.34.17.168"));
        assert_eq!(f.get(Norm::DstPort), Some("80"));
        assert_eq!(f.get(Norm::Proto), Some("tcp"));
        assert_eq!(f.raw("TTL"), Some("43"));
    }
    if let Some(all) = check_file(
        "firewall/iptables/crowdsec__iptables-logs.log",
        "netfilter",
        4,
        0,
    ) {
        let f = &all[3];
        assert_eq!(f.get(Norm::Action), Some("drop"));
        assert_eq!(f.raw("IPFLAGS"), Some("DF"));
        assert_eq!(
            f.get(Norm::Message),
            Some("drop udp 127.0.0.1:49007 -> 127.0.0.53:53 (IPTABLES-DROP:)")
        );
        // The crowdsec negative sample "XX=enp1s0" is still a readable flow; it keeps its key.
        assert_eq!(all[2].raw("XX"), Some("enp1s0"));
    }
}

#[test]
fn corpus_fortigate() {
    if let Some(all) = check_file(
        "firewall/fortigate/beats__fortinet_traffic.log",
        "fortigate",
        13,
        0,
    ) {
        let f = &all[0];
        // eventtime=1592961368 wins over date=2020-04-23 (they disagree in this sample).
        assert_eq!(f.ts, 1_592_961_368_000_000_000);
        assert_eq!(f.get(Norm::Host), Some("testswitch1"));
        assert_eq!(f.get(Norm::EventId), Some("0000000013"));
        assert_eq!(f.get(Norm::Proto), Some("udp"));
        assert_eq!(f.get(Norm::Action), Some("deny"));
        assert_eq!(
            f.get(Norm::Message),
            Some("deny udp 10.10.10.10:60899 -> 175.16.199.1:161 (policy 0)")
        );
        assert_eq!(all[2].get(Norm::Action), Some("allow"));
    }
    if let Some(all) = check_file(
        "firewall/fortigate/crowdsec__fortinet-vpn-bf.log",
        "fortigate",
        9,
        0,
    ) {
        let f = &all[1];
        // Written 13:46:41 -0700 (20:46:41Z); eventtime, which wins, is 20:46:42.127Z.
        assert_eq!(f.ts, 1_728_938_802_127_358_411);
        assert_eq!(
            f.ts / 1_000_000_000,
            ymd_hms(2024, 10, 14, 20, 46, 42).unwrap() / 1_000_000_000
        );
        assert_eq!(f.get(Norm::User), Some("sapservicecq1"));
        assert_eq!(all[0].get(Norm::User), None);
        assert_eq!(f.get(Norm::SrcIp), Some("192.168.0.1"));
        assert_eq!(f.get(Norm::Action), Some("ssl-login-fail"));
    }
}

#[test]
fn corpus_wfw() {
    if let Some(all) = check_file(
        "firewall/windows-firewall/plaso__windows_firewall.log",
        "wfw",
        15,
        0,
    ) {
        let f = &all[7];
        assert_eq!(f.ts, ymd_hms(2005, 4, 11, 8, 6, 26).unwrap());
        assert_eq!(f.get(Norm::Action), Some("drop"));
        assert_eq!(f.raw("tcpflags"), Some("A"));
        assert_eq!(f.raw("tcpsyn"), Some("123456789"));
        assert_eq!(
            f.get(Norm::Message),
            Some("drop tcp 123.45.78.90:80 -> 123.156.78.90:1774 (RECEIVE)")
        );
        assert_eq!(all[14].get(Norm::Message), Some("59 events lost"));
    }
}

#[test]
fn corpus_filterlog() {
    if let Some(all) = check_file(
        "firewall/pfsense-filterlog/crowdsec__pf-logs.log",
        "filterlog",
        9,
        0,
    ) {
        assert_eq!(all[0].ts, ymd_hms(2024, 9, 28, 10, 38, 9).unwrap());
        assert_eq!(all[0].get(Norm::Host), Some("pfSense"));
        assert_eq!(all[0].raw("tcpflags"), Some("PA"));
        assert_eq!(
            all[0].get(Norm::Message),
            Some("deny tcp 10.0.2.2:53742 -> 10.0.2.15:22 (rule 53, in on em0)")
        );
        // RFC 5424 with +02:00 and an IPv6 UDP line.
        assert_eq!(all[3].ts, ymd_hms(2022, 9, 6, 16, 37, 34).unwrap());
        let v6 = &all[7];
        assert_eq!(
            v6.get(Norm::SrcIp),
            Some("2008:8a0:702e:ce00:acc6:c7ee:fa01:2f8a")
        );
        assert_eq!(v6.get(Norm::DstPort), Some("51918"));
        assert_eq!(v6.get(Norm::Action), Some("allow"));
    }
    if let Some(all) = check_file(
        "firewall/pfsense-filterlog/crowdsec__pfsense-rfc5424-filterlog.log",
        "filterlog",
        4,
        0,
    ) {
        assert_eq!(
            all[0].ts,
            ymd_hms(2025, 11, 6, 11, 32, 42).unwrap() + 868_451_000
        );
        assert_eq!(all[2].get(Norm::Proto), Some("tcp"));
        assert_eq!(
            all[2].get(Norm::SrcIp),
            Some("fdfd:ace:ace:10:d8:cdbf:f6f8:6d69")
        );
        assert_eq!(all[2].get(Norm::DstPort), Some("443"));
    }
}

#[test]
fn corpus_asa() {
    if let Some(all) = check_file("firewall/cisco-asa/beats__cisco_asa.head.log", "asa", 89, 0) {
        let f = &all[1];
        assert_eq!(f.ts, ymd_hms(2018, 10, 10, 12, 34, 56).unwrap());
        assert_eq!(f.get(Norm::EventId), Some("302013"));
        // Built outbound: the inside host opened it.
        assert_eq!(f.get(Norm::SrcIp), Some("172.31.98.44"));
        assert_eq!(f.get(Norm::DstPort), Some("80"));
        assert_eq!(
            f.get(Norm::Message),
            Some(
                "allow tcp 172.31.98.44:1772 -> 100.66.205.104:80 (302013 built outbound, conn 11757)"
            )
        );
        let t = &all[2];
        assert_eq!(
            t.get(Norm::Message),
            Some(
                "close tcp 100.66.211.242:80 -> 172.31.98.44:1758 (302014 teardown tcp, conn 11749, duration 0:01:07, bytes 38110, TCP Reset-I)"
            )
        );
        let nat = &all[0];
        assert_eq!(nat.get(Norm::Action), Some("nat"));
        assert_eq!(nat.raw("mapped_ip"), Some("100.66.98.44"));
        let deny = all
            .iter()
            .find(|f| f.get(Norm::EventId) == Some("106023"))
            .unwrap();
        assert_eq!(deny.get(Norm::Action), Some("deny"));
        assert_eq!(deny.raw("acl"), Some("inbound"));
        assert_eq!(deny.get(Norm::SrcIp), Some("100.66.19.254"));
        assert_eq!(deny.raw("src_interface"), Some("outside"));
    }
}

#[test]
fn corpus_panos() {
    if let Some(all) = check_file(
        "firewall/panos/beats__panw_traffic.head.log",
        "panos",
        34,
        0,
    ) {
        let f = &all[0];
        assert_eq!(f.ts, ymd_hms(2018, 11, 30, 16, 9, 7).unwrap());
        assert_eq!(f.get(Norm::Host), Some("PA-220"));
        assert_eq!(f.get(Norm::SrcIp), Some("192.168.15.207"));
        assert_eq!(f.get(Norm::DstPort), Some("443"));
        assert_eq!(f.raw("app"), Some("apple-maps"));
        assert_eq!(f.raw("session_end_reason"), Some("tcp-fin"));
        assert_eq!(
            f.get(Norm::Message),
            Some(
                "allow tcp 192.168.15.207:55113 -> 184.51.253.152:443 (TRAFFIC end, new_outbound_from_trust, tcp-fin)"
            )
        );
    }
    if let Some(all) = check_file("firewall/panos/beats__panw_threat.head.log", "panos", 10, 0) {
        assert_eq!(all[0].get(Norm::Action), Some("deny"));
        assert_eq!(all[0].raw("action"), Some("block-url"));
        assert_eq!(all[0].raw("misc"), Some("consent.cmp.oath.com/"));
        assert_eq!(all[0].get(Norm::EventId), Some("9999"));
    }
    if let Some(all) = check_file(
        "firewall/panos/crowdsec__palo-alto-threat.log",
        "panos",
        2,
        0,
    ) {
        // time_generated 08:11:40 at the envelope's +02:00.
        assert_eq!(all[0].ts, ymd_hms(2023, 7, 6, 6, 11, 40).unwrap());
        assert_eq!(all[0].get(Norm::EventId), Some("40015"));
        assert_eq!(all[0].get(Norm::Action), Some("reject"));
        assert_eq!(all[0].get(Norm::Host), Some("FW-PA-111"));
    }
}

#[test]
fn corpus_srx() {
    if let Some(all) = check_file(
        "firewall/juniper-srx/integrations__juniper_srx_flow.head.log",
        "srx",
        21,
        0,
    ) {
        let f = &all[1];
        // 11:12:46.573+01:00
        assert_eq!(
            f.ts,
            ymd_hms(2019, 11, 14, 10, 12, 46).unwrap() + 573_000_000
        );
        assert_eq!(f.get(Norm::Host), Some("SRX-GW1"));
        assert_eq!(f.get(Norm::Action), Some("deny"));
        assert_eq!(f.get(Norm::Proto), Some("udp"));
        assert_eq!(f.raw("reason"), Some("Denied by policy"));
        assert_eq!(
            f.get(Norm::Message),
            Some(
                "deny udp 10.0.0.26:37233 -> 67.43.156.13:161 (RT_FLOW_SESSION_DENY, policy MgmtAccess-trust-cleanup, Denied by policy)"
            )
        );
        // No zone in the text: ctx.tz (UTC here).
        assert_eq!(
            all[12].ts,
            ymd_hms(2013, 1, 19, 15, 18, 17).unwrap() + 40_000_000
        );
        // Values in U+201D quotes.
        assert!(
            all.iter()
                .any(|f| f.raw("destination-interface-name") == Some("st0.0"))
        );
    }
}

#[test]
fn corpus_checkpoint() {
    if let Some(all) = check_file(
        "firewall/checkpoint/integrations__checkpoint_r81x.head.log",
        "checkpoint",
        17,
        0,
    ) {
        let f = &all[0];
        // time:"1657997480" = 2022-07-16T18:51:20Z, same as the envelope.
        assert_eq!(f.ts, ymd_hms(2022, 7, 16, 18, 51, 20).unwrap());
        assert_eq!(f.get(Norm::Host), Some("fw1"));
        assert_eq!(f.get(Norm::Action), Some("allow"));
        assert_eq!(f.raw("ifname"), Some("eth0.11"));
        let g = &all[2];
        // "--5:00" read as -05:00.
        assert_eq!(g.ts, ymd_hms(2023, 1, 13, 17, 10, 16).unwrap());
        assert_eq!(g.get(Norm::SrcIp), Some("81.2.69.192"));
        assert_eq!(g.get(Norm::User), Some("alice"));
        assert_eq!(
            g.get(Norm::Message),
            Some(
                "tcp 81.2.69.192:56530 -> 172.28.11.213:443 user alice (VPN-1 & FireWall-1, rule internal)"
            )
        );
        assert!(all.iter().any(|f| f.get(Norm::Action) == Some("deny")));
    }
}

#[test]
fn corpus_sophos() {
    if let Some(all) = check_file(
        "firewall/sophos-xg/integrations__sophos_xg_firewall.log",
        "sophos",
        16,
        0,
    ) {
        let f = &all[0];
        // "IST" is ambiguous: ctx.tz (UTC) applies.
        assert_eq!(f.ts, ymd_hms(2017, 1, 31, 14, 16, 19).unwrap());
        assert_eq!(f.get(Norm::Host), Some("CR750iNG-XP"));
        assert_eq!(f.get(Norm::EventId), Some("010101600001"));
        assert_eq!(f.get(Norm::User), Some("gaurav"));
        assert_eq!(
            f.get(Norm::Message),
            Some(
                "allow udp 10.198.47.71:59859 -> 81.2.69.143:53 user gaurav (Firewall Rule, rule 2)"
            )
        );
        // BST is +01:00.
        assert_eq!(all[2].ts, ymd_hms(2018, 6, 1, 9, 55, 41).unwrap());
        assert_eq!(all[1].get(Norm::Action), Some("deny"));
    }
}
