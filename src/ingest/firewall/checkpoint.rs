//! `checkpoint`: Check Point Log Exporter syslog. Two shapes: RFC 5424 whose structured
//! data is `[key:"value"; …]`, and `[Fields@1.3.6.1.4.1.2620 key="value" …]`; a bare
//! `key="value"` body is read the same way. Time: `time` (epoch) else the envelope.
//! Its `|`, LEEF and JSON layouts are read in `checkpoint_alt` and `checkpoint_json`.

use super::checkpoint_alt;
use super::checkpoint_json;
use super::kv::{self, Kv};
use super::stamp;
use super::syslog::{self, Clock};
use super::text::{self, Utf8Line, cow, find};
use crate::ingest::edr::json;
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser};
use crate::model::{Fields, Norm};

pub static DEF: FormatDef = FormatDef::new("checkpoint", Family::Firewall, prepare)
    .with_line(is_line)
    .with_head(checkpoint_json::sniff)
    .with_samples(&[
    "<134>1 2022-07-16T18:51:20Z fw1 CheckPoint 15190 - [action:\"Accept\"; ifname:\"eth0.11\"; time:\"1657997480\"; __policy_id_tag:\"product=VPN-1[db_tag={2A};mgmt=C\\]\"]",
    // Log Exporter's JSON layout.
    "{\"action\":\"Drop\",\"ifdir\":\"inbound\",\"loguid\":\"{0x6650,0x0,0x35,0xee}\",\"origin\":\"192.0.2.1\",\"time\":\"1717315200\",\"product\":\"VPN-1 & FireWall-1\",\"proto\":\"6\",\"s_port\":\"40000\",\"service\":\"23\",\"src\":\"203.0.113.5\",\"dst\":\"192.0.2.10\"}",
    ]);

pub(super) fn is_line(l: &[u8]) -> bool {
    // Log Exporter's CEF layout is `cef`'s, even behind a `CheckPoint` syslog tag.
    if super::cef::is_line(l) {
        return false;
    }
    if find(l, b"[Fields@1.3.6.1.4.1.2620").is_some()
        || checkpoint_alt::is_line(l)
        || checkpoint_json::is_line(l)
    {
        return true;
    }
    syslog::parse(l).is_some_and(|h| {
        (h.app == b"CheckPoint" || h.app == b"CP-GW")
            || (h.sd.starts_with(b"[") && find(h.sd, b"loguid:\"").is_some())
    })
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    let clock = Clock::new(data, ctx);
    let mut p = clock.lines(Checkpoint { clock });
    // JSON (arrays, objects, NDJSON) is cut into records by the JSON reader.
    if json::opens_json(data) {
        let (records, note) = json::split(data, &[]);
        p.records = records;
        p.note = Some(note.to_string());
    }
    Ok(p)
}

struct Checkpoint {
    clock: Clock,
}

impl RecordParser for Checkpoint {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        let env = syslog::parse(rec);
        let msg = env.map_or(rec, |h| h.msg);
        if msg.first() == Some(&b'{') {
            return checkpoint_json::parse(msg, env, &self.clock, out);
        }
        if let Some(k) = checkpoint_alt::kind(msg) {
            return checkpoint_alt::parse(k, msg, env, &self.clock, out);
        }
        // A bare `key="value"; …` body without an envelope (a file written by a collector).
        let h = env.unwrap_or(syslog::Header {
            msg: rec,
            ..Default::default()
        });
        out.set(Norm::Host, cow(h.host));
        // `[key:"v"; …]` vs `[Fields@… key="v" …]` vs a bare body.
        let (body, sep): (&[u8], u8) = if let Some(sd) = h.sd.strip_prefix(b"[") {
            let sd = sd.strip_suffix(b"]").unwrap_or(sd);
            let first = memchr::memchr2(b':', b' ', sd).map(|i| sd[i]);
            if sd.starts_with(b"Fields@") || first == Some(b' ') {
                (&sd[memchr::memchr(b' ', sd).unwrap_or(sd.len())..], b'=')
            } else {
                (sd, b':')
            }
        } else {
            (h.msg, b'=')
        };
        let mut epoch = None;
        let n = kv::read(Kv::new(body, sep), &Utf8Line::new(rec), out, |k, v, out| {
            match k {
                _ if flow_field(k, v, out) => {}
                b"time" => epoch = stamp::epoch_auto(v),
                b"product" | b"ProductName" => out.set_default(Norm::Provider, cow(v)),
                b"severity" => out.set(Norm::Severity, cow(v)),
                _ => {}
            }
            Ok(())
        })?;
        if n == 0 {
            return Err(Reason::Borrowed("no Check Point fields"));
        }
        out.ts = epoch
            .or_else(|| self.clock.of(&h))
            .ok_or(syslog::NO_TIME)?;
        text::finish(out, message);
        Ok(())
    }
}

/// The flow fields every Check Point layout (syslog key="value", Log Exporter `|`, LEEF)
/// names the same way; false when `k` is not one of them.
pub(super) fn flow_field<'a>(k: &[u8], v: &'a [u8], out: &mut Fields<'a>) -> bool {
    match k {
        b"src" => out.set(Norm::SrcIp, cow(v)),
        b"dst" => out.set(Norm::DstIp, cow(v)),
        b"s_port" | b"sport_svc" | b"srcPort" => out.set_default(Norm::SrcPort, cow(v)),
        b"service" | b"svc" | b"dstPort" => out.set_default(Norm::DstPort, cow(v)),
        b"proto" => text::set_proto(out, v),
        b"action" => text::set_action(out, v),
        b"user" | b"src_user_name" | b"usrName" | b"administrator" => {
            out.set_default(Norm::User, kv::unescape(cow(v)))
        }
        _ => return false,
    }
    true
}

/// `allow tcp a:1 -> b:443 (VPN-1 & FireWall-1, rule internal)` or the audit text.
pub fn message(f: &Fields<'_>) -> String {
    // The rule, else the first text that says what happened.
    let extra = f
        .raw("rule_name")
        .map(|r| ("rule ", Some(r)))
        .or_else(|| {
            ["operation", "additional_info", "description"]
                .into_iter()
                .find_map(|k| f.raw(k))
                .map(|o| ("", Some(o)))
        });
    let note = super::note(f.get(Norm::Provider), extra);
    super::flow_message(f, Some(&note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::firewall::tests::ParseOne;
    use crate::model::ymd_hms;

    #[test]
    fn bare_body_and_empty() {
        let p = prepare(b"", &ParseCtx::default()).unwrap();
        let f = p.parser
            .parse_one(br#"<134>1 2024-01-02T03:04:05Z gw CheckPoint 1 - - action="Drop" src="2001:db8::1" dst="2001:db8::2" proto="17" service="53""#)
            .unwrap();
        assert_eq!(f.ts, ymd_hms(2024, 1, 2, 3, 4, 5).unwrap());
        assert_eq!(
            f.get(Norm::Message),
            Some("drop udp 2001:db8::1 -> [2001:db8::2]:53")
        );
        assert!(
            p.parser
                .parse_one(b"<134>1 2024-01-02T03:04:05Z gw CheckPoint 1 - -")
                .is_err()
        );
    }
}
