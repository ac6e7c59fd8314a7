//! `panos`: Palo Alto Networks PAN-OS TRAFFIC / THREAT CSV logs, raw or behind a syslog
//! envelope (other log types keep their columns by position). `time_generated` is naive
//! device time: it takes the envelope's offset when the envelope had one, else ctx.tz.

use super::csvpos;
use super::panos_fields::{self as fields, Layout, generic};
use super::panos_json;
use super::stamp;
use super::syslog::{self, Header};
use super::text::{self, cow, req};
use crate::ingest::edr::json;
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser, Records};
use crate::model::{Fields, Norm, TzSpec};

pub static DEF: FormatDef = FormatDef::new("panos", Family::Firewall, prepare)
    .with_line(is_line)
    .with_head(panos_json::sniff)
    .with_samples(&[
    "Nov 30 16:09:08 PA-220 1,2018/11/30 16:09:07,012801096514,TRAFFIC,end,2049,2018/11/30 16:09:07,192.168.15.207,184.51.253.152,192.168.1.63,184.51.253.152,r,,,apple-maps,vsys1,trust,untrust,e1,e2,s,2018/11/30 16:09:07,22751,1,55113,443,16418,443,0x400053,tcp,allow",
    "1,2024/03/01 21:20:15,012801096514,IPTAG,0,2049,2024/03/01 21:20:13,vsys1,192.0.2.7,quarantine,Register,1,600,XMLAPI,XML-API,Unknown,7338,0x0",
    "<14>Mar  1 21:20:14 PA-5220 1,2024/03/01 21:20:14,012801096514,HIP-MATCH,0,2049,2024/03/01 21:20:13,corp\\alice,vsys1,LAPTOP-7,Windows 10,192.0.2.8,hip-disk-encrypted,1,profile,,,7339,0x0",
    "1,2024/03/01 21:20:15,012801096514,AUTHENTICATION,0,2561,2024/03/01 21:20:14,vsys1,192.0.2.30,corp\\carol,carol,radius-obj,auth-pol,1,7001,,fwd,radius,,Other,Authentication failed,1,9001,0x0,0,0,0,0,,PA-3220,1,PAP",
    "1,2024/03/01 21:20:16,012801096514,DECRYPTION,0,2561,2024/03/01 21:20:16,192.0.2.40,198.51.100.80,203.0.113.1,198.51.100.80,decrypt-out,,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd,2024/03/01 21:20:16,4242,1,50000,443,40000,443,0x400000,tcp,allow,N/A,,,,,,Client_Hello,Server_Hello,TLS1.3,ECDHE,AES_256_GCM,SHA384,,,Certificate,untrusted,Untrusted,Forward,,,,,,,,,,,,,,,,Certificate expired",
    "1,2024/03/01 21:20:17,012801096514,TUNNEL,end,2561,2024/03/01 21:20:17,192.0.2.50,198.51.100.90,,,tunnel-insp,,,gre,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd,,4343,1,0,0,0,0,0x0,gre,allow,informational,9002,0x0,US,US,0,0,0,0,,PA-3220",
    "1,2024/03/01 21:20:18,012801096514,SCTP,0,2561,2024/03/01 21:20:18,192.0.2.60,198.51.100.70,,,sctp-rule,,,sctp,vsys1,core,ran,ethernet1/3,ethernet1/4,fwd,,4444,1,36412,36412,0,0,,sctp,allow,0,0,0,0,,PA-7050,1,9003",
    "1,2024/03/01 21:20:19,012801096514,CORRELATION,0,2561,2024/03/01 21:20:19,192.0.2.70,corp\\dave,vsys1,compromised-host,critical,0,0,0,0,,PA-3220,1,beacon-detection,6005,host visited malware domains repeatedly",
    ]);

pub(super) const TYPES: &[&[u8]] = &[
    b"TRAFFIC",
    b"THREAT",
    b"SYSTEM",
    b"CONFIG",
    b"HIPMATCH",
    b"HIP-MATCH",
    b"IPTAG",
    b"GLOBALPROTECT",
    b"USERID",
    b"DECRYPTION",
    b"AUTHENTICATION",
    b"AUTH",
    b"TUNNEL",
    b"START",
    b"END",
    b"GTP",
    b"SCTP",
    b"CORRELATION",
];

/// The CSV payload and the envelope (if any) of a line.
pub(super) fn payload(l: &[u8]) -> (Option<Header<'_>>, &[u8]) {
    match syslog::parse(l) {
        Some(h) => (Some(h), h.msg),
        None => (None, l),
    }
}

/// `FUTURE_USE,YYYY/MM/DD HH:MM:SS,serial,TYPE,…`
pub(super) fn is_line(l: &[u8]) -> bool {
    let (_, p) = payload(l);
    let mut cols = [&b""[..]; 5];
    let n = csvpos::split(p, &mut cols);
    n == 5 && TYPES.contains(&cols[3]) && time(cols[1]).is_some()
}

/// A PAN-OS time column: `YYYY/MM/DD HH:MM:SS` (naive device time) or the ISO 8601 form
/// with a zone that Cortex Data Lake / Strata Logging forwards (`2021-05-26T16:27:07.000000Z`).
fn time(t: &[u8]) -> Option<(stamp::Civil, Option<i32>)> {
    let (c, off, used) = stamp::iso(t)?;
    (used == t.len()).then_some((c, off))
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    // JSON arrays and single documents need ranges; NDJSON and CSV are lines.
    let (records, note) = if json::opens_json(data) {
        let (r, note) = json::split(data, &[]);
        (r, Some(note.to_string()))
    } else {
        (
            Records::Lines {
                start: 0,
                comment: &[],
            },
            None,
        )
    };
    Ok(Prepared {
        parser: Box::new(Panos { tz: ctx.tz }),
        records,
        note,
    })
}

pub(super) struct Panos {
    pub(super) tz: TzSpec,
}

fn col<'a>(cols: &[&'a [u8]], names: Layout, name: &str) -> Option<&'a [u8]> {
    let i = fields::index(names, name)?;
    cols.get(i).copied().filter(|v| !v.is_empty())
}

impl RecordParser for Panos {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        let (env, p) = payload(rec);
        if p.first() == Some(&b'{') {
            return panos_json::parse(p, env, &self.tz, out);
        }
        let mut cols = [&b""[..]; 160];
        let n = csvpos::split(p, &mut cols);
        let cols = &cols[..n];
        if n < 7 {
            return Err(Reason::Borrowed("PAN-OS line too short"));
        }
        // Column names of the known log types; other types get `field_<i>`.
        let names = fields::layout(cols[3]);
        for (i, v) in cols.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let name = names
                .and_then(|n| fields::nth(n, i))
                .unwrap_or_else(|| generic(i));
            if !name.starts_with("future_use") && !out.is_lean() {
                out.push_raw(name, csvpos::field(v));
            }
        }
        // Times: time_generated (naive) at the envelope's offset, else ctx.tz. Every log
        // type has it in column 6; receive time (column 1) only when a type leaves it out.
        let t = time(cols[6]).or_else(|| names.is_none().then(|| time(cols[1])).flatten());
        let (c, off) = t.ok_or(Reason::Borrowed("bad time_generated"))?;
        out.ts = c
            .resolve(off.or(env.and_then(|h| h.offset)), &self.tz)
            .ok_or(Reason::Borrowed("bad time_generated"))?;
        if let Some(names) = names {
            let g = |k| col(cols, names, k);
            if let Some(v) = g("src") {
                out.set(Norm::SrcIp, req(v, "src")?);
            }
            if let Some(v) = g("dst") {
                out.set(Norm::DstIp, req(v, "dst")?);
            }
            if let Some(v) = g("sport") {
                out.set(Norm::SrcPort, req(v, "sport")?);
            }
            if let Some(v) = g("dport") {
                out.set(Norm::DstPort, req(v, "dport")?);
            }
            if let Some(v) = g("proto") {
                out.set(Norm::Proto, text::proto(req(v, "proto")?));
            }
            if let Some(v) = g("action") {
                out.set(Norm::Action, text::action(req(v, "action")?));
            }
            if let Some(v) = g("srcuser").or_else(|| g("admin")) {
                out.set(Norm::User, csvpos::field(v));
            }
            if let Some(v) = g("eventid").filter(|v| *v != b"0") {
                out.set_default(Norm::EventId, cow(v));
            }
            // GlobalProtect's outcome; a User-ID mapping's login/logout.
            if let Some(v) =
                g("status").or_else(|| (cols[3] == b"USERID").then(|| g("subtype")).flatten())
            {
                out.set_default(Norm::Action, text::action(req(v, "status")?));
            }
            if let Some(v) = g("device_name") {
                out.set(Norm::Host, cow(v));
            }
            if let Some(v) = g("severity") {
                out.set(Norm::Severity, cow(v));
            }
            if let Some(v) = g("threatid") {
                // "Name(40015)" → 40015
                let id = v
                    .iter()
                    .rposition(|&c| c == b'(')
                    .and_then(|o| v[o + 1..].strip_suffix(b")"))
                    .unwrap_or(v);
                out.set(Norm::EventId, cow(id));
            }
        }
        if out.get(Norm::Host).is_none()
            && let Some(h) = env
        {
            out.set(Norm::Host, cow(h.host));
        }
        text::finish(out, message);
        Ok(())
    }
}

/// `deny tcp a:1 -> b:443 (THREAT url, rule new_outbound_from_trust, consent.cmp.oath.com/)`.
pub fn message(f: &Fields<'_>) -> String {
    let mut note = String::new();
    // JSON records name them as Strata Logging Service or Cortex Data Lake do.
    let names = [
        &["type", "LogType", "log_type.value", "log_type"][..],
        &["subtype", "Subtype", "sub_type.value", "sub_type"],
    ];
    for k in names {
        if let Some(v) = k.iter().find_map(|k| f.raw(k)) {
            if !note.is_empty() {
                note.push(' ');
            }
            note.push_str(v);
        }
    }
    let keys = [
        "rule",
        "misc",
        "session_end_reason",
        "eventid",
        "cmd",
        "path",
        "result",
        "auth_event",
        "object_name",
        "description",
        "error",
    ];
    for k in keys {
        if let Some(v) = f.raw(k) {
            note.push_str(", ");
            note.push_str(v);
        }
    }
    super::flow_message(f, Some(&note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::firewall::tests::ParseOne;
    use crate::model::ymd_hms;

    fn parse(l: &[u8]) -> Result<Fields<'_>, Reason> {
        Panos { tz: TzSpec::Utc }.parse_one(l)
    }

    #[test]
    fn raw_csv_quoted_commas_ipv6() {
        let l = br#"1,2024/01/02 03:04:05,0011,THREAT,url,2049,2024/01/02 03:04:05,2001:db8::1,2001:db8::2,,,r1,"corp\bob",,ssl,vsys1,trust,untrust,e1,e2,fwd,2024/01/02 03:04:05,1,1,5000,443,0,0,0x0,tcp,alert,"a.com/x,y",Name(9999),cat,informational"#;
        assert!(is_line(l));
        let f = parse(l).unwrap();
        assert_eq!(f.ts, ymd_hms(2024, 1, 2, 3, 4, 5).unwrap());
        assert_eq!(f.raw("misc"), Some("a.com/x,y"));
        assert_eq!(f.get(Norm::User), Some(r"corp\bob"));
        assert_eq!(f.get(Norm::EventId), Some("9999"));
        assert_eq!(f.get(Norm::Action), Some("alert"));
        assert_eq!(
            f.get(Norm::Message),
            Some(
                r"alert tcp [2001:db8::1]:5000 -> [2001:db8::2]:443 user corp\bob (THREAT url, r1, a.com/x,y)"
            )
        );
    }

    #[test]
    fn damaged() {
        assert!(parse(b"1,2024/01/02 03:04:05,0011").is_err());
        assert!(
            parse(b"1,2024/01/02 03:04:05,0011,TRAFFIC,end,1,2024/13/02 03:04:05,1.1.1.1").is_err()
        );
        let f =
            parse(b"1,2024/01/02 03:04:05,0011,TRAFFIC,end,1,2024/01/02 03:04:05,1.1.1.1").unwrap();
        assert_eq!(f.get(Norm::SrcIp), Some("1.1.1.1"));
        let f =
            parse(b"1,2024/01/02 03:04:05,0011,SYSTEM,general,1,2024/01/02 03:04:05,x").unwrap();
        assert_eq!(f.raw("vsys"), Some("x"));
    }

    /// GLOBALPROTECT (integrations panw test fixture): time is the generated time (col 6),
    /// as for TRAFFIC, not the receive time; ISO columns keep their zone.
    #[test]
    fn other_types_use_generated_time() {
        let f = parse(br#"1,2021/03/02 09:55:42,12345678999,GLOBALPROTECT,0,2305,2021/03/02 09:55:39,vsys1,gateway-auth,login,Other,,maxmustermann,10.0.0.0-10.255.255.255,PC1234,10.20.30.40,0.0.0.0,0.0.0.0,0.0.0.0,985e865f-7da3-43b4-89a9-299b1bb0c975,SERIALNR,5.1.1,OS,"OS 10 Enterprise, 64-bit",1,,,,success"#).unwrap();
        assert_eq!(f.ts, ymd_hms(2021, 3, 2, 9, 55, 39).unwrap());
        let f = parse(b"931201168,2021-10-22T16:10:10.000000Z,no-serial,GLOBALPROTECT,globalprotect,9.1,2021-10-22T16:10:05.000000Z,vsys1,gateway-hip-check").unwrap();
        assert_eq!(f.ts, ymd_hms(2021, 10, 22, 16, 10, 5).unwrap());
    }
}
