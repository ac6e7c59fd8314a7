//! `sophos`: Sophos XG / SFOS `key=value` logs (`device="SFW" date= time= timezone= …` or,
//! on SFOS 19+, `timestamp="…+0200"`). Zone abbreviations are read only when unambiguous
//! (IST is India, Ireland or Israel → ctx.tz). Also the older Sophos UTM (Astaro):
//! `2023:04:28-00:50:54 host ulogd[123]: id="2001" severity="info" sys="SecureNet" …` with
//! naive local times (→ ctx.tz).

use super::kv::{self, Kv};
use super::stamp;
use super::syslog;
use super::text::{self, Utf8Line, cow, find, req};
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser};
use crate::model::{Fields, Norm, TzSpec};

pub static DEF: FormatDef = FormatDef::new("sophos", Family::Firewall, prepare)
    .with_line(is_line)
    .with_samples(&[
    "device=\"SFW\" date=2017-01-31 time=14:16:19 timezone=\"IST\" device_name=\"CR750iNG-XP\" log_id=010101600001 status=\"Allow\" src_ip=10.198.47.71",
    "2023:04:28-00:50:54 utm-1 ulogd[777]: id=\"2001\" severity=\"info\" sys=\"SecureNet\" sub=\"packetfilter\" name=\"Packet dropped\" action=\"drop\" fwrule=\"60001\" initf=\"eth1\" srcip=\"198.51.100.2\" dstip=\"192.0.2.129\" proto=\"6\" length=\"60\" srcport=\"443\" dstport=\"42181\" tcpflags=\"SYN\"",
    ]);

pub(super) fn is_line(l: &[u8]) -> bool {
    (find(l, b"log_id=").is_some()
        && (find(l, b"device=\"SFW\"").is_some()
            || (find(l, b"log_type=").is_some() && find(l, b"log_component=").is_some())))
        || utm_header(l).is_some_and(|(_, _, body)| {
            body.starts_with(b"id=\"") && find(body, b" sys=\"").is_some()
        })
}

/// A Sophos UTM line: `[<PRI>]YYYY:MM:DD-HH:MM:SS host tag[pid]: body` → (time, host, body).
fn utm_header(l: &[u8]) -> Option<(stamp::Civil, &[u8], &[u8])> {
    let l = match (l.first(), memchr::memchr(b'>', l)) {
        (Some(b'<'), Some(e)) if e <= 4 => &l[e + 1..],
        _ => l,
    };
    let (c, n) = stamp::utm(l)?;
    let (host, rest) = text::next_token(l.get(n..)?);
    let (tag, body) = text::next_token(rest);
    tag.ends_with(b":").then_some((c, host, text::trim(body)))
}

fn prepare(_data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    Ok(Prepared::lines(Sophos { tz: ctx.tz }))
}

struct Sophos {
    tz: TzSpec,
}

impl RecordParser for Sophos {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        let utm = utm_header(rec);
        let (env, body) = match (utm, syslog::parse(rec)) {
            (Some((_, host, body)), _) => {
                out.set(Norm::Host, cow(host));
                (None, body)
            }
            (None, Some(h)) => (Some(h), h.msg),
            (None, None) => (None, rec),
        };
        let (mut date, mut time, mut zone, mut stamp_v) = (None, None, None, None);
        kv::read(Kv::new(body, b'='), &Utf8Line::new(rec), out, |k, v, out| {
            match k {
                b"date" => date = Some(v),
                b"time" => time = Some(v),
                b"timezone" => zone = Some(v),
                b"timestamp" => stamp_v = Some(v),
                b"device_name" => out.set(Norm::Host, cow(v)),
                b"device_id" => out.set_default(Norm::Host, cow(v)),
                b"log_id" => out.set(Norm::EventId, cow(v)),
                b"priority" | b"severity" => out.set(Norm::Severity, cow(v)),
                b"src_ip" | b"srcip" => out.set(Norm::SrcIp, req(v, "src_ip")?),
                b"dst_ip" | b"dstip" => out.set(Norm::DstIp, req(v, "dst_ip")?),
                b"src_port" | b"srcport" => out.set(Norm::SrcPort, cow(v)),
                b"dst_port" | b"dstport" => out.set(Norm::DstPort, cow(v)),
                // UTM: the message id and the verdict.
                b"id" if utm.is_some() => out.set(Norm::EventId, cow(v)),
                b"action" if utm.is_some() => text::set_action(out, v),
                b"protocol" | b"proto" => text::set_proto(out, v),
                b"status" | b"log_subtype" => {
                    if let Ok(a) = std::str::from_utf8(v) {
                        out.set_default(Norm::Action, text::action(a));
                    }
                }
                b"user_name" | b"user" => out.set_default(Norm::User, kv::unescape(cow(v))),
                _ => {}
            }
            Ok(())
        })?;
        if let Some(h) = env {
            out.set_default(Norm::Host, cow(h.host));
        }
        let ts = match (utm, stamp_v, date, time) {
            (Some((c, _, _)), ..) => c.resolve(None, &self.tz),
            (None, None, None, None) => return Err(super::syslog::NO_TIME),
            (None, stamp_v, date, time) => self.kv_time(stamp_v, date, time, zone),
        };
        out.ts = ts.ok_or(Reason::Borrowed("no usable date/time"))?;
        text::finish(out, message);
        Ok(())
    }
}

impl Sophos {
    /// XG / SFOS time: `timestamp=` (with its zone) or `date=` `time=` at `timezone=`.
    fn kv_time(
        &self,
        stamp_v: Option<&[u8]>,
        date: Option<&[u8]>,
        time: Option<&[u8]>,
        zone: Option<&[u8]>,
    ) -> Option<i64> {
        match (stamp_v, date, time) {
            (Some(s), _, _) => stamp::iso(s).and_then(|(c, off, _)| c.resolve(off, &self.tz)),
            (None, Some(d), Some(t)) => stamp::date_and_time(d, t)?
                .resolve(zone.and_then(stamp::zone_name), &self.tz),
            _ => None,
        }
    }
}

/// `deny icmp a -> b (Firewall Rule, rule 1)`.
pub fn message(f: &Fields<'_>) -> String {
    // UTM names the event in `name` ("Packet dropped (GEOIP)").
    let what = f.raw("log_component").or_else(|| f.raw("name"));
    let note = super::note(what, [("rule ", f.raw("fw_rule_id")), ("", f.raw("message"))]);
    super::flow_message(f, Some(&note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::firewall::tests::ParseOne;
    use crate::model::ymd_hms;

    #[test]
    fn sfos19_timestamp_and_abbreviations() {
        let p = prepare(b"", &ParseCtx::default()).unwrap();
        let f = p.parser
            .parse_one(br#"device_name="SFW" timestamp="2022-06-28T16:57:26+0200" log_id=010101600001 log_type="Firewall" log_component="Firewall Rule" status="Allow" src_ip=fe80::1 dst_ip=fe80::2 protocol="TCP" src_port=1 dst_port=2"#)
            .unwrap();
        assert_eq!(f.ts, ymd_hms(2022, 6, 28, 14, 57, 26).unwrap());
        assert_eq!(
            f.get(Norm::Message),
            Some("allow tcp [fe80::1]:1 -> [fe80::2]:2 (Firewall Rule)")
        );
        let f = p
            .parser
            .parse_one(br#"device="SFW" date=2020-06-05 time=03:45:23 timezone="CEST" log_id=1"#)
            .unwrap();
        assert_eq!(f.ts, ymd_hms(2020, 6, 5, 1, 45, 23).unwrap());
        // A numeric zone (Wazuh ruleset tests) is the line's own offset.
        let f = p
            .parser
            .parse_one(br#"device="SFW" date=2019-10-09 time=17:19:06 timezone="+08" log_id=1"#)
            .unwrap();
        assert_eq!(f.ts, ymd_hms(2019, 10, 9, 9, 19, 6).unwrap());
        assert!(
            p.parser
                .parse_one(br#"device="SFW" date=2020-06-05 log_id=1"#)
                .is_err()
        );
    }
}
