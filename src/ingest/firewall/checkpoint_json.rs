//! `checkpoint` in JSON: Log Exporter's JSON layout (`{"action":"Accept","loguid":"{…}",
//! "origin":…,"time":"1600000000",…}`), one object a line (bare or behind syslog) or an
//! array. Every field is kept under its name; the flow fields are named as in the other
//! layouts. Time: `time` (epoch or ISO), else the envelope.

use super::stamp;
use super::syslog::{self, Clock, Header};
use super::text::{self, find};
use crate::ingest::Reason;
use crate::ingest::edr::json;
use crate::model::{Fields, Norm};
use std::borrow::Cow;

/// A Check Point object: the log's unique id and where it came from.
pub(super) fn looks_like(b: &[u8]) -> bool {
    find(b, b"\"loguid\"").is_some()
        && (find(b, b"\"origin\"").is_some() || find(b, b"\"product\"").is_some())
}

/// An NDJSON line (bare or behind syslog) of Log Exporter JSON.
pub(super) fn is_line(l: &[u8]) -> bool {
    let msg = syslog::parse(l).map_or(l, |h| h.msg);
    msg.first() == Some(&b'{') && looks_like(msg)
}

/// A JSON array or pretty-printed object of Check Point logs.
pub(super) fn sniff(head: &[u8]) -> u8 {
    if json::opens_json(head) && looks_like(head) {
        85
    } else {
        0
    }
}

/// Parses one object (`obj` borrows the record); `env` is the syslog envelope if any.
pub(super) fn parse<'a>(
    obj: &'a [u8],
    env: Option<Header<'a>>,
    clock: &Clock,
    out: &mut Fields<'a>,
) -> Result<(), Reason> {
    let mut pairs = json::Pairs::new();
    json::flatten(obj, &mut pairs)?;
    let mut t = None;
    for (k, v) in pairs {
        let own = |v: &Cow<'a, str>, f: fn(&str) -> Cow<'_, str>| Cow::Owned(f(v).into_owned());
        match k.as_ref() {
            "src" => out.set(Norm::SrcIp, v.clone()),
            "dst" => out.set(Norm::DstIp, v.clone()),
            "s_port" | "sport_svc" => out.set_default(Norm::SrcPort, v.clone()),
            "service" | "svc" => out.set_default(Norm::DstPort, v.clone()),
            "proto" => out.set(Norm::Proto, own(&v, text::proto)),
            "action" => out.set(Norm::Action, own(&v, text::action)),
            "user" | "src_user_name" | "administrator" => out.set_default(Norm::User, v.clone()),
            "origin" | "hostname" => out.set_default(Norm::Host, v.clone()),
            "product" => out.set_default(Norm::Provider, v.clone()),
            "severity" => out.set_default(Norm::Severity, v.clone()),
            "time" if t.is_none() => t = stamp::epoch_or_iso(&v, None, &clock.tz),
            _ => {}
        }
        out.push_raw(k, v);
    }
    out.ts = t
        .or_else(|| env.and_then(|h| clock.of(&h)))
        .ok_or(syslog::NO_TIME)?;
    if let Some(h) = env.filter(|h| !h.host.is_empty()) {
        out.set_default(Norm::Host, text::cow(h.host));
    }
    text::firewall(out);
    let m = super::checkpoint::message(out);
    out.set(Norm::Message, m);
    Ok(())
}
