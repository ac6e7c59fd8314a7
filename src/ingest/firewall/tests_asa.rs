//! One hand-written line per Cisco ASA message id of issue 3, with the fields each must give.

use crate::ingest::ParseCtx;
use crate::model::{Fields, Norm};

/// `data` sniffed and read as ASA lines with no reject.
fn load(data: &str) -> Vec<Fields<'static>> {
    let (all, bad) = super::tests::load(data, "asa", "Europe/Paris");
    assert_eq!(bad, 0);
    all
}

/// (line, event id, action, src, sport, dst, dport, proto, user, a raw field, its value);
/// "" = absent.
type Case = (&'static str, [&'static str; 10]);

const CASES: &[Case] = &[
    (
        r#"Mar 10 2024 03:00:00 asa-1 : %ASA-2-106001: Inbound TCP connection denied from 192.0.2.10/4444 to 10.0.0.5/23 flags SYN  on interface outside"#,
        [
            "106001",
            "deny",
            "192.0.2.10",
            "4444",
            "10.0.0.5",
            "23",
            "tcp",
            "",
            "interface",
            "outside",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:01 asa-1 : %ASA-2-106006: Deny inbound UDP from 192.0.2.10/5353 to 10.0.0.5/161 on interface outside"#,
        [
            "106006",
            "deny",
            "192.0.2.10",
            "5353",
            "10.0.0.5",
            "161",
            "udp",
            "",
            "interface",
            "outside",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:02 asa-1 : %ASA-6-106015: Deny TCP (no connection) from 10.0.0.5/443 to 192.0.2.10/51000 flags RST  on interface inside"#,
        [
            "106015",
            "deny",
            "10.0.0.5",
            "443",
            "192.0.2.10",
            "51000",
            "tcp",
            "",
            "interface",
            "inside",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:03 asa-1 : %ASA-4-106023: Deny tcp src outside:192.0.2.10/4444 dst inside:10.0.0.5/445 by access-group "outside_in" [0x0, 0x0]"#,
        [
            "106023",
            "deny",
            "192.0.2.10",
            "4444",
            "10.0.0.5",
            "445",
            "tcp",
            "",
            "acl",
            "outside_in",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:04 asa-1 : %ASA-6-106100: access-list outside_in denied tcp outside/192.0.2.10(4444) -> inside/10.0.0.5(22) hit-cnt 1 first hit [0x91c26a3, 0x0]"#,
        [
            "106100",
            "deny",
            "192.0.2.10",
            "4444",
            "10.0.0.5",
            "22",
            "tcp",
            "",
            "dst_interface",
            "inside",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:05 asa-1 : %ASA-6-302013: Built inbound TCP connection 123456 for outside:192.0.2.10/4444 (192.0.2.10/4444) to inside:10.0.0.5/443 (203.0.113.5/443)"#,
        [
            "302013",
            "allow",
            "192.0.2.10",
            "4444",
            "10.0.0.5",
            "443",
            "tcp",
            "",
            "connection_id",
            "123456",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:06 asa-1 : %ASA-6-302014: Teardown TCP connection 123456 for outside:192.0.2.10/4444 to inside:10.0.0.5/443 duration 0:00:30 bytes 5120 TCP FINs"#,
        [
            "302014",
            "close",
            "192.0.2.10",
            "4444",
            "10.0.0.5",
            "443",
            "tcp",
            "",
            "teardown_reason",
            "TCP FINs",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:07 asa-1 : %ASA-6-302015: Built outbound UDP connection 123457 for outside:8.8.8.8/53 (8.8.8.8/53) to inside:10.0.0.5/51000 (203.0.113.5/51000)"#,
        [
            "302015",
            "allow",
            "10.0.0.5",
            "51000",
            "8.8.8.8",
            "53",
            "udp",
            "",
            "src_interface",
            "inside",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:08 asa-1 : %ASA-6-302016: Teardown UDP connection 123457 for outside:8.8.8.8/53 to inside:10.0.0.5/51000 duration 0:00:01 bytes 120"#,
        [
            "302016", "close", "8.8.8.8", "53", "10.0.0.5", "51000", "udp", "", "bytes", "120",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:09 asa-1 : %ASA-6-302017: Built inbound GRE connection 123458 from outside:192.0.2.20 (192.0.2.20) to inside:10.0.0.6 (10.0.0.6)"#,
        [
            "302017",
            "allow",
            "192.0.2.20",
            "",
            "10.0.0.6",
            "",
            "gre",
            "",
            "connection_id",
            "123458",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:10 asa-1 : %ASA-6-302018: Teardown GRE connection 123458 from outside:192.0.2.20 (192.0.2.20) to inside:10.0.0.6 (10.0.0.6) duration 0:01:00 bytes 2000"#,
        [
            "302018",
            "close",
            "192.0.2.20",
            "",
            "10.0.0.6",
            "",
            "gre",
            "",
            "duration",
            "0:01:00",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:11 asa-1 : %ASA-6-302020: Built inbound ICMP connection for faddr 192.0.2.10/1 gaddr 10.0.0.5/0 laddr 10.0.0.5/0 type 8 code 0"#,
        [
            "302020",
            "allow",
            "192.0.2.10",
            "1",
            "10.0.0.5",
            "0",
            "icmp",
            "",
            "vendor",
            "ASA",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:12 asa-1 : %ASA-6-302021: Teardown ICMP connection for faddr 192.0.2.10/1 gaddr 10.0.0.5/0 laddr 10.0.0.5/0 type 8 code 0"#,
        [
            "302021",
            "close",
            "192.0.2.10",
            "1",
            "10.0.0.5",
            "0",
            "icmp",
            "",
            "vendor",
            "ASA",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:13 asa-1 : %ASA-6-305011: Built dynamic TCP translation from inside:10.0.0.5/51000 to outside:203.0.113.5/40001"#,
        [
            "305011",
            "nat",
            "10.0.0.5",
            "51000",
            "",
            "",
            "tcp",
            "",
            "mapped_ip",
            "203.0.113.5",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:14 asa-1 : %ASA-6-305012: Teardown dynamic TCP translation from inside:10.0.0.5/51000 to outside:203.0.113.5/40001 duration 0:00:30"#,
        [
            "305012",
            "close",
            "10.0.0.5",
            "51000",
            "",
            "",
            "tcp",
            "",
            "mapped_port",
            "40001",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:15 asa-1 : %ASA-3-710003: TCP access denied by ACL from 192.0.2.10/4444 to outside:203.0.113.1/22"#,
        [
            "710003",
            "deny",
            "192.0.2.10",
            "4444",
            "203.0.113.1",
            "22",
            "tcp",
            "",
            "dst_interface",
            "outside",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:16 asa-1 : %ASA-6-113004: AAA user authentication Successful : server =  10.0.0.20 : user = alice"#,
        [
            "113004",
            "success",
            "",
            "",
            "",
            "",
            "",
            "alice",
            "server",
            "10.0.0.20",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:17 asa-1 : %ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.0.0.20 : user = bob : user IP = 192.0.2.30"#,
        [
            "113005",
            "failure",
            "192.0.2.30",
            "",
            "",
            "",
            "",
            "bob",
            "reason",
            "AAA failure",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:18 asa-1 : %ASA-4-113039: Group <GroupPolicy_VPN> User <carol> IP <192.0.2.40> AnyConnect parent session started."#,
        [
            "113039",
            "start",
            "192.0.2.40",
            "",
            "",
            "",
            "",
            "carol",
            "group",
            "GroupPolicy_VPN",
        ],
    ),
    (
        r#"Mar 10 2024 03:00:19 asa-1 : %ASA-4-733100: [ Scanning] drop rate-1 exceeded. Current burst rate is 10 per second, max configured rate is 10; Current average rate is 5 per second, max configured rate is 5; Cumulative total count is 3000"#,
        ["733100", "alert", "", "", "", "", "", "", "vendor", "ASA"],
    ),
];

#[test]
fn every_issue_id_parses_with_its_fields() {
    let data: String = CASES.iter().map(|c| format!("{}\n", c.0)).collect();
    let ev = load(&data);
    assert_eq!(ev.len(), CASES.len());
    for (i, ((line, e), f)) in CASES.iter().zip(&ev).enumerate() {
        let opt = |s: &'static str| (!s.is_empty()).then_some(s);
        let got = [
            f.get(Norm::EventId),
            f.get(Norm::Action),
            f.get(Norm::SrcIp),
            f.get(Norm::SrcPort),
            f.get(Norm::DstIp),
            f.get(Norm::DstPort),
            f.get(Norm::Proto).filter(|p| *p != "ip"),
            f.get(Norm::User),
        ];
        let want = [e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]].map(opt);
        assert_eq!(got, want, "{line}");
        assert_eq!(f.raw(e[8]), Some(e[9]), "{line}");
        // Paris local time (CET in March before the change): one line a second from 02:00Z.
        assert_eq!(
            f.ts,
            crate::model::ymd_hms(2024, 3, 10, 2, 0, i as u32).unwrap(),
            "{line}"
        );
        assert_eq!(f.get(Norm::Host), Some("asa-1"));
        assert!(f.get(Norm::Message).is_some_and(|m| !m.is_empty()));
    }
}

/// The new shapes of issue 3, damaged anywhere: no parser may panic, whole files included
/// (JSON splitting of cut arrays and objects).
mod props {
    use super::super::tests_json::{CDL_ARRAY, JOURNAL_JSON, PANOS_HTTP};
    use super::super::tests_text::{CEF_MULTI, CHECKPOINT_ALT, SRX_TEXT};
    use super::*;
    use proptest::prelude::*;

    const FILES: [&str; 7] = [
        PANOS_HTTP,
        CDL_ARRAY,
        JOURNAL_JSON,
        SRX_TEXT,
        CHECKPOINT_ALT,
        CEF_MULTI,
        CASES[3].0,
    ];

    fn parse_all(data: &[u8]) {
        for d in super::super::FORMATS {
            let _ = d.sniff(data);
            let Ok(p) = (d.prepare)(data, &ParseCtx::default()) else {
                continue;
            };
            let recs: Vec<&[u8]> = match &p.records {
                crate::ingest::Records::Ranges(r) => r
                    .iter()
                    .filter_map(|&(o, n)| data.get(o as usize..o as usize + n as usize))
                    .collect(),
                crate::ingest::Records::Lines { .. } => data.split(|&c| c == b'\n').collect(),
            };
            for r in recs {
                let mut f = Fields::new();
                let _ = p.parser.parse(r, &mut f);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn damaged_new_shapes_never_panic(
            which in 0..FILES.len(),
            at in 0usize..4000,
            cut in 0usize..4000,
            junk in proptest::collection::vec(any::<u8>(), 0..8),
        ) {
            let s = FILES[which].as_bytes();
            let at = at.min(s.len());
            let mut d = s[..at].to_vec();
            d.extend_from_slice(&junk);
            d.extend_from_slice(&s[at..]);
            d.truncate(cut.max(1));
            parse_all(&d);
        }
    }

    #[test]
    fn every_prefix_of_every_new_shape_is_safe() {
        for s in FILES {
            let s = s.as_bytes();
            for n in (0..s.len()).step_by(7) {
                parse_all(&s[..n]);
            }
        }
    }
}
