//! Firewall log formats (DESIGN §9 format ids): one file per format id, plus what they
//! share (syslog envelope, key=value, CSV by position, timestamps, sniffing).

use crate::model::{Fields, Norm};

mod csvpos;
mod journal;
mod kept;
mod kv;
mod stamp;
mod syslog;
mod text;

mod checkpoint_alt;
mod checkpoint_json;
mod panos_fields;
mod panos_json;
mod srx_text;

#[cfg(test)]
mod lean_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_arrive;
#[cfg(test)]
mod tests_asa;
#[cfg(test)]
mod tests_held;
#[cfg(test)]
mod tests_json;
#[cfg(test)]
mod tests_text;

// The registered firewall formats, most specific first: sniffing gives ties to the
// earlier one, and `syslog` (mixed) tries their line tests in this order. A format is a
// file `<name>.rs` with `pub static DEF: FormatDef` (samples inside) and its name here.
super::formats![
    asa, cef, srx, checkpoint, filterlog, pflog, pvefw, netfilter, fortigate, sophos, panos, wfw,
    mixed,
];

/// The note of a flow message: `lead`, then each part that is there as `label value`, all
/// comma-separated (`RT_FLOW_SESSION_DENY, policy p1, Denied by policy`).
pub fn note<'f>(
    lead: Option<&str>,
    parts: impl IntoIterator<Item = (&'static str, Option<&'f str>)>,
) -> String {
    let mut o = String::from(lead.unwrap_or_default());
    for (label, v) in parts {
        let Some(v) = v.filter(|v| !v.is_empty()) else {
            continue;
        };
        if !o.is_empty() {
            o.push_str(", ");
        }
        o.push_str(label);
        o.push_str(v);
    }
    o
}

fn endpoint(o: &mut String, ip: Option<&str>, port: Option<&str>) {
    let ip = ip.unwrap_or_default();
    match port {
        Some(p) if ip.contains(':') => {
            o.push('[');
            o.push_str(ip);
            o.push_str("]:");
            o.push_str(p);
        }
        Some(p) => {
            o.push_str(ip);
            o.push(':');
            o.push_str(p);
        }
        None => o.push_str(ip),
    }
}

/// The one-line summary of a flow event: `deny tcp 10.0.0.5:51234 -> 8.8.8.8:53 (rule 12)`.
/// Parts that are missing are left out; `note` goes in parentheses.
pub fn flow_message(f: &Fields<'_>, note: Option<&str>) -> String {
    fn sep(o: &mut String) {
        if !o.is_empty() {
            o.push(' ');
        }
    }
    let mut o = String::with_capacity(96);
    for n in [Norm::Action, Norm::Proto] {
        if let Some(v) = f.get(n) {
            sep(&mut o);
            o.push_str(v);
        }
    }
    let (src, dst) = (f.get(Norm::SrcIp), f.get(Norm::DstIp));
    if src.is_some() {
        sep(&mut o);
        endpoint(&mut o, src, f.get(Norm::SrcPort));
    }
    if dst.is_some() {
        sep(&mut o);
        if src.is_some() {
            o.push_str("-> ");
        } else {
            o.push_str("to ");
        }
        endpoint(&mut o, dst, f.get(Norm::DstPort));
    }
    if let Some(u) = f.get(Norm::User) {
        sep(&mut o);
        o.push_str("user ");
        o.push_str(u);
    }
    if let Some(n) = note.filter(|n| !n.is_empty()) {
        sep(&mut o);
        o.push('(');
        o.push_str(n);
        o.push(')');
    }
    o
}
