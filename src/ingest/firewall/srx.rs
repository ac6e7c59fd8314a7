//! `srx`: Juniper SRX `RT_FLOW` structured syslog (session create / close / deny, and
//! APPTRACK), RFC 5424 or a BSD header followed by `RT_FLOW_… [junos@… k="v" …]`.

use super::kv::{self, Kv};
use super::srx_text;
use crate::ingest::sniffing::head_lines;
use super::syslog::{self, Clock};
use super::text::{self, Utf8Line, cow, find};
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser};
use crate::model::{Fields, Norm};

pub static DEF: FormatDef = FormatDef::new("srx", Family::Firewall, prepare)
    .with_line(is_line)
    .with_head(device_log)
    .with_samples(&[
    "<14>1 2019-11-14T11:12:46.573+01:00 SRX-GW1 RT_FLOW - RT_FLOW_SESSION_DENY [junos@1 source-address=\"10.0.0.26\" source-port=\"37233\" protocol-id=\"17\"]",
    "Mar 10 03:01:00 srx-edge RT_FLOW: RT_FLOW_SESSION_DENY: session denied 10.0.0.9/4444->198.51.100.1/23 0x0 junos-telnet 6(0) deny-telnet trust untrust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/1.0 No policy deny 12347 N/A N/A -1 N/A",
    ]);

/// A device's whole syslog interleaves RT_FLOW with system events (kmd, sshd, snmpd…),
/// many of them with `[junos@…]` data: claim it when Junos data is common and every line
/// has a syslog time, since `parse` keeps the others as plain Junos events.
fn device_log(head: &[u8]) -> u8 {
    let (mut n, mut junos, mut dated) = (0usize, 0usize, 0usize);
    for l in head_lines(head) {
        n += 1;
        if is_line(l) || find(l, b"[junos@").is_some() {
            junos += 1;
        }
        if syslog::parse(l).is_some_and(|h| h.civil.is_some()) {
            dated += 1;
        }
    }
    if n > 0 && junos * 5 >= n && dated == n {
        60
    } else {
        0
    }
}

pub(super) fn is_line(l: &[u8]) -> bool {
    ((find(l, b"RT_FLOW_").is_some() || find(l, b"APPTRACK_").is_some())
        && find(l, b"[junos@").is_some())
        || srx_text::is_line(l)
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    let clock = Clock::new(data, ctx);
    Ok(clock.lines(Srx { clock }))
}

struct Srx {
    clock: Clock,
}

fn event_action(ev: &[u8]) -> &'static str {
    let has = |w: &[u8]| find(ev, w).is_some();
    if has(b"_CREATE") {
        "allow"
    } else if has(b"_CLOSE") {
        "close"
    } else if has(b"_DENY") {
        "deny"
    } else if has(b"_UPDATE") {
        "update"
    } else {
        "log"
    }
}

impl RecordParser for Srx {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        let mut h = syslog::Header::default();
        syslog::dated(rec, &self.clock, out, &mut h)?;
        out.set(Norm::Host, cow(h.host));
        let Some(sd_at) = find(rec, b"[junos@") else {
            if !srx_text::is_line(rec) {
                return other_event(&h, out);
            }
            // The unstructured text form.
            let ev = srx_text::parse(rec, out)?;
            out.set(Norm::EventId, cow(ev));
            out.set(Norm::Action, event_action(ev));
            text::firewall(out);
            let m = message(out);
            out.set(Norm::Message, m);
            return Ok(());
        };
        // The event name: RFC 5424 MSGID, or the RT_FLOW_/APPTRACK_ word before the data.
        let ev = if !h.msgid.is_empty() {
            h.msgid
        } else {
            let before = text::trim(&rec[..sd_at]);
            let start = before.iter().rposition(|&c| c == b' ').map_or(0, |i| i + 1);
            let w = &before[start..];
            w.strip_suffix(b":").unwrap_or(w)
        };
        out.set(Norm::EventId, cow(ev));
        out.set(Norm::Action, event_action(ev));
        // Skip the SD-ID ("junos@2636.1.1.1.2.40"), then key="value" pairs.
        let sd = &rec[sd_at + 1..];
        let sd = &sd[memchr::memchr(b' ', sd).unwrap_or(sd.len())..];
        let pairs = Kv::new(sd, b'=').map(|(k, v)| (k, v.strip_suffix(b"]").unwrap_or(v)));
        kv::read(pairs, &Utf8Line::new(rec), out, |k, v, out| {
            match k {
                b"source-address" => out.set(Norm::SrcIp, cow(v)),
                b"destination-address" => out.set(Norm::DstIp, cow(v)),
                b"source-port" => out.set(Norm::SrcPort, cow(v)),
                b"destination-port" => out.set(Norm::DstPort, cow(v)),
                b"protocol-id" => text::set_proto(out, v),
                b"username" if v != b"N/A" => out.set(Norm::User, cow(v)),
                // Screen / IDP / UTM events say what was done (`action="drop"`).
                b"action" if out.get(Norm::Action) == Some("log") => text::set_action(out, v),
                _ => {}
            }
            Ok(())
        })?;
        text::finish(out, message);
        Ok(())
    }
}

/// A Junos system event with no structured data (`kmd 9159 - - IKE negotiation failed…`):
/// the MSGID (or the process) names it, the text is the message.
fn other_event<'a>(h: &syslog::Header<'a>, out: &mut Fields<'a>) -> Result<(), Reason> {
    let ev = if h.msgid.is_empty() { h.app } else { h.msgid };
    // A flow record cut before its data is damage, not a system event.
    if [ev, h.msg]
        .iter()
        .any(|w| w.starts_with(b"RT_FLOW_") || w.starts_with(b"APPTRACK_"))
    {
        return Err(Reason::Borrowed("RT_FLOW event without its data"));
    }
    if !ev.is_empty() {
        out.set(Norm::EventId, cow(ev));
    }
    if !h.app.is_empty() {
        out.set(Norm::Process, cow(h.app));
    }
    if !h.pid.is_empty() {
        out.set(Norm::Pid, cow(h.pid));
    }
    out.set(Norm::Category, "system");
    if !out.is_lean() {
        out.set(Norm::Message, cow(text::trim(h.msg)));
    }
    Ok(())
}

/// `deny udp a:1 -> b:161 (RT_FLOW_SESSION_DENY, policy x, Denied by policy)`.
pub fn message(f: &Fields<'_>) -> String {
    let note = super::note(
        f.get(Norm::EventId),
        [("policy ", f.raw("policy-name")), ("", f.raw("reason"))],
    );
    super::flow_message(f, Some(&note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::firewall::tests::{ParseOne, in_year};
    use crate::model::ymd_hms;

    #[test]
    fn bsd_envelope_ipv6_and_truncation() {
        let p = prepare(b"", &in_year(2024)).unwrap();
        let l = br#"Mar  4 10:00:00 srx1 RT_FLOW: RT_FLOW_SESSION_CREATE [junos@2636.1.1.1.2.40 source-address="2001:db8::1" source-port="5" destination-address="2001:db8::2" destination-port="53" protocol-id="17" policy-name="p1"]"#;
        let f = p.parser.parse_one(l).unwrap();
        assert_eq!(f.ts, ymd_hms(2024, 3, 4, 10, 0, 0).unwrap());
        assert_eq!(f.get(Norm::EventId), Some("RT_FLOW_SESSION_CREATE"));
        assert_eq!(
            f.get(Norm::Message),
            Some(
                "allow udp [2001:db8::1]:5 -> [2001:db8::2]:53 (RT_FLOW_SESSION_CREATE, policy p1)"
            )
        );
        let f = p.parser
            .parse_one(br#"<14>1 2019-11-14T09:37:51Z h RT_FLOW - RT_FLOW_SESSION_DENY [junos@1 source-address="10.0.0"#)
            .unwrap();
        assert_eq!(f.get(Norm::SrcIp), Some("10.0.0"));
        assert!(
            p.parser
                .parse_one(b"<14>1 2019-11-14T09:37:51Z h RT_FLOW - RT_FLOW_SESSION_DENY")
                .is_err()
        );
    }
}
