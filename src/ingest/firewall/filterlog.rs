//! `filterlog`: pfSense / OPNsense packet filter CSV (`filterlog:` tag) in RFC 3164 or
//! RFC 5424 syslog; IPv4 and IPv6, TCP / UDP / ICMP / CARP / other protocols.

use super::csvpos;
use super::syslog::{self, Clock};
use super::text::{self, cow, req};
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser};
use crate::model::{Fields, Norm};

pub static DEF: FormatDef = FormatDef::new("filterlog", Family::Firewall, prepare)
    .with_line(is_line)
    .with_samples(&[
    "<134>1 2022-09-06T19:00:06+02:00 opnsense filterlog 57126 - [meta sequenceId=\"2667099\"] 98,,,881d,re0,match,pass,in,6,0x00,0x0ea87,51,udp,17,73,2008:8a0::2f8a,2c02:2454::1738,6881,51918,73",
    // pf's CSV relayed under another tag.
    "<134>Jun  2 08:00:00 fw1 pf: 5,,,1000000103,em0,match,block,in,4,0x0,,64,1,0,DF,6,tcp,40,203.0.113.5,192.0.2.6,40000,22,0,S,1,,1024,,",
    ]);

/// A `filterlog:` line, or any line whose message is pf's CSV (OPNsense relays tag it
/// otherwise, collectors strip the header): its reason, action, direction and IP version
/// columns say so.
pub(super) fn is_line(l: &[u8]) -> bool {
    let (app, msg) = match syslog::parse(l) {
        Some(h) => (h.app, h.msg),
        None => (&b""[..], tag_stripped(l)),
    };
    let csv = msg.first().is_some_and(u8::is_ascii_digit) && msg.contains(&b',');
    csv && (app == b"filterlog" || pf_csv(msg))
}

/// `filterlog[pid]: 5,,,…` without a time: the CSV.
fn tag_stripped(l: &[u8]) -> &[u8] {
    match l.strip_prefix(b"filterlog") {
        Some(r) => {
            let r = &r[memchr::memchr(b':', r).map_or(0, |i| i + 1)..];
            r.trim_ascii_start()
        }
        None => l,
    }
}

fn pf_csv(msg: &[u8]) -> bool {
    let mut cols = [&b""[..]; 10];
    let n = csvpos::split(msg, &mut cols);
    n == 10
        && matches!(cols[6], b"pass" | b"block" | b"reject" | b"match")
        && matches!(cols[7], b"in" | b"out")
        && matches!(cols[8], b"4" | b"6")
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    let p = Filterlog::new(data, ctx);
    let clock = p.clock;
    Ok(clock.lines(p))
}

pub(super) struct Filterlog {
    clock: Clock,
}

impl Filterlog {
    pub(super) fn new(data: &[u8], ctx: &ParseCtx) -> Self {
        Filterlog {
            clock: Clock::new(data, ctx),
        }
    }
}

const HEAD: &[&str] = &[
    "rule",
    "subrule",
    "anchor",
    "tracker",
    "interface",
    "reason",
    "action",
    "direction",
    "ipversion",
];
const V4: &[&str] = &[
    "tos",
    "ecn",
    "ttl",
    "id",
    "offset",
    "flags",
    "protonum",
    "protoname",
    "length",
    "src",
    "dst",
];
const V6: &[&str] = &[
    "class",
    "flowlabel",
    "hoplimit",
    "protoname",
    "protonum",
    "length",
    "src",
    "dst",
];
const TCP: &[&str] = &[
    "srcport", "dstport", "datalen", "tcpflags", "seq", "ack", "window", "urg", "options",
];
const UDP: &[&str] = &["srcport", "dstport", "datalen"];
const ICMP: &[&str] = &[
    "icmp_type",
    "icmp_a",
    "icmp_b",
    "icmp_c",
    "icmp_d",
    "icmp_e",
];
const CARP: &[&str] = &[
    "carp_type",
    "carp_ttl",
    "vhid",
    "version",
    "advskew",
    "advbase",
];
const EXTRA: &[&str] = &[
    "extra1", "extra2", "extra3", "extra4", "extra5", "extra6", "extra7", "extra8",
];

impl RecordParser for Filterlog {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        let mut h = syslog::Header::default();
        syslog::dated(rec, &self.clock, out, &mut h)?;
        out.set(Norm::Host, cow(h.host));
        let mut cols = [&b""[..]; 48];
        let n = csvpos::split(h.msg, &mut cols);
        let cols = &cols[..n];
        if n < 9 {
            return Err(Reason::Borrowed("filterlog line too short"));
        }
        let mut names: [&[&'static str]; 3] = [HEAD, &[], &[]];
        let ipver = cols[8];
        let (l3, src_at) = match ipver {
            b"4" => (V4, 18),
            b"6" => (V6, 15),
            _ => (&[][..], 0),
        };
        names[1] = l3;
        let protonum = match ipver {
            b"4" => cols.get(15),
            b"6" => cols.get(13),
            _ => None,
        }
        .copied()
        .unwrap_or_default();
        names[2] = match protonum {
            b"6" => TCP,
            b"17" => UDP,
            b"1" | b"58" => ICMP,
            b"112" => CARP,
            _ => EXTRA,
        };
        let mut i = 0;
        for group in names {
            for name in group {
                let Some(v) = cols.get(i) else { break };
                i += 1;
                if !v.is_empty() && !out.is_lean() {
                    out.push_raw(*name, cow(v));
                }
            }
        }
        let lean = out.is_lean();
        for (k, v) in EXTRA.iter().zip(cols.iter().skip(i)).filter(|_| !lean) {
            out.push_raw(*k, cow(v));
        }
        out.set(Norm::Action, text::action(req(cols[6], "action")?));
        if src_at > 0 {
            if let Some(s) = cols.get(src_at) {
                out.set(Norm::SrcIp, req(s, "src")?);
            }
            if let Some(d) = cols.get(src_at + 1) {
                out.set(Norm::DstIp, req(d, "dst")?);
            }
            if let Some(p) = cols.get(src_at - 2) {
                out.set(Norm::Proto, text::proto(req(p, "protoname")?));
            }
            if names[2] == TCP || names[2] == UDP {
                if let Some(p) = cols.get(src_at + 2) {
                    out.set(Norm::SrcPort, req(p, "srcport")?);
                }
                if let Some(p) = cols.get(src_at + 3) {
                    out.set(Norm::DstPort, req(p, "dstport")?);
                }
            }
        }
        text::finish(out, message);
        Ok(())
    }
}

/// `deny tcp 10.0.2.2:53742 -> 10.0.2.15:22 (rule 53, in on em0)`.
pub fn message(f: &Fields<'_>) -> String {
    let note = format!(
        "rule {}, {} on {}",
        f.raw("rule").unwrap_or("?"),
        f.raw("direction").unwrap_or("?"),
        f.raw("interface").unwrap_or("?")
    );
    super::flow_message(f, Some(&note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::firewall::tests::{ParseOne, in_year};

    fn parse(l: &[u8]) -> Result<Fields<'_>, Reason> {
        Filterlog::new(b"", &in_year(2024)).parse_one(l)
    }

    #[test]
    fn ipv6_icmp_and_other_protocols() {
        let f = parse(b"Jan  1 00:00:00 fw filterlog: 5,,,1000000103,igb1,match,block,in,6,0x00,0x00000,255,ipv6-icmp,58,32,fe80::1,ff02::1,datagram,32").unwrap();
        assert_eq!(f.get(Norm::Proto), Some("icmpv6"));
        assert_eq!(f.get(Norm::SrcIp), Some("fe80::1"));
        assert_eq!(f.raw("icmp_type"), Some("datagram"));
        assert_eq!(f.get(Norm::SrcPort), None);
        let f = parse(b"Jan  1 00:00:00 fw filterlog: 9,,,1,em0,match,pass,out,4,0x0,,64,1,0,DF,50,esp,100,1.1.1.1,2.2.2.2,datalength=80").unwrap();
        assert_eq!(f.get(Norm::Proto), Some("esp"));
        assert_eq!(f.raw("extra1"), Some("datalength=80"));
        assert_eq!(
            f.get(Norm::Message),
            Some("allow esp 1.1.1.1 -> 2.2.2.2 (rule 9, out on em0)")
        );
    }

    #[test]
    fn short_truncated_and_empty_fields() {
        assert!(parse(b"Jan  1 00:00:00 fw filterlog: 5,,,1").is_err());
        let f = parse(b"Jan  1 00:00:00 fw filterlog: 5,,,1,em0,match,block,in,4,0x0,,64,1,0,DF,6,tcp,40,1.1.1.1").unwrap();
        assert_eq!(f.get(Norm::SrcIp), Some("1.1.1.1"));
        assert_eq!(f.get(Norm::DstIp), None);
        assert!(parse(b"Jan  1 00:00:00 fw filterlog: 5,,,1,em0,match,\xff,in,4").is_err());
    }
}
