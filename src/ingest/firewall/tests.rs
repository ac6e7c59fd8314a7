//! Corpus tests: every file under corpus/firewall is sniffed as its format and parses with
//! the expected counts, the way the driver would run it.

use super::FORMATS;
use crate::ingest::{FormatDef, ParseCtx, Reason, RecordParser, Records};
use crate::model::Fields;
use std::path::PathBuf;

/// The format tests' shorthand: one record parsed into fresh fields.
pub trait ParseOne {
    fn parse_one<'a>(&self, rec: &'a [u8]) -> Result<Fields<'a>, Reason>;
}

impl<P: RecordParser + ?Sized> ParseOne for P {
    fn parse_one<'a>(&self, rec: &'a [u8]) -> Result<Fields<'a>, Reason> {
        // Owned: the fields may borrow from the parser, which tests make as a temporary.
        let mut f = Fields::new();
        self.parse(rec, &mut f).map(|()| f.into_owned())
    }
}

/// One of `lines` with one byte replaced by one of `bytes`, inserted or removed, or cut
/// short, or as it is: lines that share their bytes but where they differ, as a log's do
/// (the per-thread memos' proptests feed sequences of them).
pub fn mutated(
    lines: &'static [&'static str],
    bytes: &'static [u8],
) -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    (
        0..lines.len(),
        any::<prop::sample::Index>(),
        prop::sample::select(bytes),
        0..6u8,
        0..80usize,
    )
        .prop_map(move |(t, at, c, how, n)| {
            let mut b = lines[t].as_bytes().to_vec();
            let i = at.index(b.len().max(1)).min(b.len().saturating_sub(1));
            match how {
                0 if !b.is_empty() => b[i] = c,
                1 => b.insert(i, c),
                2 if !b.is_empty() => {
                    b.remove(i);
                }
                3 => b.truncate(n.min(b.len())),
                _ => {}
            }
            b
        })
}

/// A context for syslog lines that carry no year: they are in `year` (UTC).
pub fn in_year(year: i32) -> ParseCtx {
    ParseCtx {
        year: Some(year),
        ..ParseCtx::default()
    }
}

/// `corpus/<rel>` (`crate::testutil`: under `CI=true` its absence fails the test).
pub fn corpus(rel: &str) -> Option<PathBuf> {
    crate::testutil::corpus(rel)
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

/// A context for naive times in zone `tz`, in files last modified in 2024.
pub fn in_zone(tz: &str) -> ParseCtx {
    ParseCtx {
        tz: tz.parse().expect("zone"),
        mtime_year: 2024,
        ..ParseCtx::default()
    }
}

/// Sniffs `data`, asserts it is `id`, parses it all as the driver does (times in zone
/// `tz`); returns the events and the reject count.
pub fn load(data: impl AsRef<[u8]>, id: &str, tz: &str) -> (Vec<Fields<'static>>, usize) {
    let data = data.as_ref();
    let (got, score) = sniffed(data);
    assert_eq!(got, id, "sniffed as {got} ({score})");
    assert!(score >= 50, "{id}: score {score}");
    let def = crate::ingest::format_by_id(id).expect("registered");
    let (_, bad, all) = run(def, data, &in_zone(tz));
    (all, bad)
}

/// The format id that wins sniffing over every registered format.
pub fn sniffed(head: &[u8]) -> (&'static str, u8) {
    let head = &head[..head.len().min(crate::ingest::SNIFF_BYTES)];
    crate::ingest::sniffing::best(head, FORMATS.iter().copied()).map_or(("", 0), |(d, s)| (d.id, s))
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
    for p in crate::testutil::files_below(&dir) {
        let data = std::fs::read(&p).expect("read");
        let (id, s) = sniffed(&data);
        assert!(s < 50, "{} sniffed as {id} ({s})", p.display());
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
        // date=2020-04-23 time=01:16:08 (the time the line shows) wins over
        // eventtime=1592961368 (June): they disagree by two months in this sample.
        assert_eq!(f.ts, 1_587_604_568_000_000_000);
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
        // Written 13:46:41 -0700 (20:46:41Z); eventtime is 20:46:42.127Z, another second:
        // the shown time wins.
        assert_eq!(f.ts, ymd_hms(2024, 10, 14, 20, 46, 41).unwrap());
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

/// One line of every format, for damage tests.
const SAMPLES: &[(&str, &[u8])] = &[
    ("netfilter", b"Jun  8 14:34:33 sd-1 kernel: [5.1] IPTABLES-DROP: IN=lo OUT= SRC=127.0.0.1 DST=127.0.0.53 LEN=76 DF PROTO=UDP SPT=49007 DPT=53"),
    ("fortigate", b"<189>date=2020-04-23 time=01:16:08 devname=\"t\" logid=\"0000000013\" type=\"traffic\" eventtime=1592961368 srcip=10.10.10.10 srcport=60899 dstip=175.16.199.1 proto=17 action=\"deny\""),
    ("wfw", b"2005-04-11 08:05:57 DROP UDP 123.45.78.90 123.156.78.255 137 137 78 - - - - - - - RECEIVE"),
    ("filterlog", b"<134>1 2022-09-06T19:00:06+02:00 opnsense filterlog 57126 - [meta sequenceId=\"2667099\"] 98,,,881d,re0,match,pass,in,6,0x00,0x0ea87,51,udp,17,73,2008:8a0::2f8a,2c02:2454::1738,6881,51918,73"),
    ("asa", b"Oct 10 2018 12:34:56 localhost CiscoASA[999]: %ASA-6-302013: Built outbound TCP connection 11757 for outside:100.66.205.104/80 (100.66.205.104/80) to inside:172.31.98.44/1772 (172.31.98.44/1772)"),
    ("panos", b"Nov 30 16:09:08 PA-220 1,2018/11/30 16:09:07,012801096514,TRAFFIC,end,2049,2018/11/30 16:09:07,192.168.15.207,184.51.253.152,192.168.1.63,184.51.253.152,r,,,apple-maps,vsys1,trust,untrust,e1,e2,s,2018/11/30 16:09:07,22751,1,55113,443,16418,443,0x400053,tcp,allow"),
    ("cef", b"CEF:0|Security|threatmanager|1.0|100|worm stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 rt=1700000000123"),
    ("srx", b"<14>1 2019-11-14T11:12:46.573+01:00 SRX-GW1 RT_FLOW - RT_FLOW_SESSION_DENY [junos@1 source-address=\"10.0.0.26\" source-port=\"37233\" protocol-id=\"17\"]"),
    ("checkpoint", b"<134>1 2022-07-16T18:51:20Z fw1 CheckPoint 15190 - [action:\"Accept\"; ifname:\"eth0.11\"; time:\"1657997480\"; __policy_id_tag:\"product=VPN-1[db_tag={2A};mgmt=C\\]\"]"),
    ("sophos", b"device=\"SFW\" date=2017-01-31 time=14:16:19 timezone=\"IST\" device_name=\"CR750iNG-XP\" log_id=010101600001 status=\"Allow\" src_ip=10.198.47.71"),
];

fn parsers() -> Vec<(&'static str, Box<dyn crate::ingest::RecordParser>)> {
    let data: Vec<u8> = SAMPLES
        .iter()
        .map(|s| s.1)
        .collect::<Vec<_>>()
        .join(&b"\n"[..]);
    let ctx = ParseCtx {
        mtime_year: 2024,
        tz: "Europe/Paris".parse().expect("zone"),
        ..ParseCtx::default()
    };
    FORMATS
        .iter()
        .map(|d| (d.id, (d.prepare)(&data, &ctx).expect("prepare").parser))
        .collect()
}

#[test]
fn every_sample_parses_in_its_own_format_and_sniffs_right() {
    let ps = parsers();
    for (id, s) in SAMPLES {
        let p = &ps
            .iter()
            .find(|p| p.0 == *id)
            .unwrap_or_else(|| panic!("{id} not registered"))
            .1;
        let mut f = Fields::new();
        p.parse(s, &mut f).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(f.get(Norm::Category), Some("firewall"));
        assert!(f.get(Norm::Message).is_some());
        assert_eq!(sniffed(s).0, *id);
    }
}

#[test]
fn huge_lines_and_truncations_never_panic() {
    let ps = parsers();
    let mut big = SAMPLES[1].1.to_vec();
    big.extend_from_slice(b" msg=\"");
    big.extend(std::iter::repeat_n(b'a', 1 << 20));
    big.push(b'"');
    let mut big_kv = SAMPLES[0].1.to_vec();
    for _ in 0..50_000 {
        big_kv.extend_from_slice(b" K=V");
    }
    for (_, p) in &ps {
        for s in SAMPLES.iter().map(|s| s.1).chain([&big[..], &big_kv[..]]) {
            for cut in (0..s.len().min(400)).chain([s.len()]) {
                let mut f = Fields::new();
                let _ = p.parse(&s[..cut], &mut f);
            }
        }
    }
    // A 1 MB value is kept whole, borrowed.
    let mut f = Fields::new();
    let forti = &ps
        .iter()
        .find(|p| p.0 == "fortigate")
        .expect("registered")
        .1;
    forti.parse(&big, &mut f).expect("big fortigate line");
    assert_eq!(f.raw("msg").map(str::len), Some(1 << 20));
    assert_eq!(f.get(Norm::Action), Some("deny"));
}

#[test]
fn crlf_lines_parse_like_lf() {
    let two: Vec<&[u8]> = SAMPLES[..2].iter().map(|s| s.1).collect();
    let lf: Vec<u8> = two.join(&b"\n"[..]);
    let crlf: Vec<u8> = two.join(&b"\r\n"[..]);
    let ctx = ParseCtx {
        mtime_year: 2024,
        ..ParseCtx::default()
    };
    for def in [&super::netfilter::DEF, &super::fortigate::DEF] {
        let a = run(def, &lf, &ctx);
        let b = run(def, &crlf, &ctx);
        assert_eq!((a.0, a.1), (b.0, b.1));
        for (x, y) in a.2.iter().zip(&b.2) {
            assert_eq!(x.ts, y.ts);
            assert_eq!(x.raw, y.raw);
        }
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn parse_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            for d in FORMATS {
                let _ = d.sniff(&bytes);
                if let Ok(p) = (d.prepare)(&bytes, &ParseCtx::default()) {
                    let mut f = Fields::new();
                    let _ = p.parser.parse(&bytes, &mut f);
                    let _ = p.parser.format_of(&bytes);
                }
            }
        }

        #[test]
        fn parse_never_panics_on_damaged_samples(
            which in 0..SAMPLES.len(),
            at in 0usize..400,
            junk in proptest::collection::vec(any::<u8>(), 0..8),
        ) {
            let s = SAMPLES[which].1;
            let at = at.min(s.len());
            let mut l = s[..at].to_vec();
            l.extend_from_slice(&junk);
            l.extend_from_slice(&s[at..]);
            for (_, p) in parsers() {
                let mut f = Fields::new();
                let _ = p.parse(&l, &mut f);
            }
        }
    }
}

/// Single-thread parse throughput on repeated corpus lines. A benchmark, not a timed test:
/// `cargo test --release --lib firewall::tests::throughput -- --ignored --nocapture`.
#[test]
#[ignore]
fn throughput() {
    for (rel, id) in [
        (
            "firewall/iptables/crowdsec__iptables-scan-multi-port.log",
            "netfilter",
        ),
        (
            "firewall/fortigate/beats__fortinet_traffic.log",
            "fortigate",
        ),
        ("firewall/cisco-asa/beats__cisco_asa.head.log", "asa"),
        ("firewall/panos/beats__panw_traffic.head.log", "panos"),
    ] {
        let Some(p) = corpus(rel) else { continue };
        let one = std::fs::read(p).expect("read");
        let mut data = Vec::with_capacity(64 << 20);
        while data.len() < 64 << 20 {
            data.extend_from_slice(&one);
        }
        let def = FORMATS.iter().find(|d| d.id == id).expect("registered");
        let ctx = ParseCtx {
            mtime_year: 2024,
            ..ParseCtx::default()
        };
        let prep = (def.prepare)(&data, &ctx).expect("prepare");
        let t = std::time::Instant::now();
        let (mut n, mut bad) = (0usize, 0usize);
        let mut f = Fields::new();
        for l in memchr::memchr_iter(b'\n', &data).scan(0, |s, e| {
            let r = (*s, e);
            *s = e + 1;
            Some(r)
        }) {
            let line = &data[l.0..l.1];
            if line.is_empty() {
                continue;
            }
            f.clear();
            if prep.parser.parse(line, &mut f).is_err() {
                bad += 1;
            }
            n += 1;
        }
        let s = t.elapsed().as_secs_f64();
        eprintln!(
            "{id}: {n} lines, {bad} rejects, {:.0} MB/s, {:.0} ns/line",
            data.len() as f64 / s / 1e6,
            s * 1e9 / n as f64
        );
    }
}
