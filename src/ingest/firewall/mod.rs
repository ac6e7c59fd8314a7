//! Firewall log formats (DESIGN §9 format ids): one file per format id, plus what they
//! share (syslog envelope, key=value, CSV by position, timestamps, sniffing).

use super::FormatDef;
use crate::model::{Fields, Norm};

mod csvpos;
mod journal;
mod kv;
mod stamp;
mod syslog;
mod text;

pub mod asa;
pub mod cef;
pub mod checkpoint;
mod checkpoint_alt;
pub mod filterlog;
pub mod fortigate;
mod mixed;
pub mod netfilter;
pub mod panos;
mod panos_fields;
mod panos_json;
pub mod sophos;
pub mod srx;
mod srx_text;
pub mod wfw;

#[cfg(test)]
mod lean_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_asa;
#[cfg(test)]
mod tests_held;
#[cfg(test)]
mod tests_json;
#[cfg(test)]
mod tests_text;

/// Registered firewall formats.
pub const FORMATS: &[&FormatDef] = &[
    &wfw::DEF,
    &netfilter::DEF,
    &filterlog::DEF,
    &fortigate::DEF,
    &asa::DEF,
    &panos::DEF,
    &cef::DEF,
    &srx::DEF,
    &checkpoint::DEF,
    &sophos::DEF,
    &mixed::DEF,
];

/// How many head lines sniffing looks at.
const SNIFF_LINES: usize = 50;

/// The lines of a sniffing head: blank and `#` lines skipped, and the last line dropped when
/// the head cut it (no newline) unless it is the only one.
fn head_lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    let eol = super::text::eol_of(head);
    let cut = !head.ends_with(&[eol]);
    let mut parts: Vec<&[u8]> = head.split(|&c| c == eol).collect();
    if cut && parts.len() > 1 {
        parts.pop();
    }
    parts
        .into_iter()
        .map(super::text::trim_cr)
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace) && !l.starts_with(b"#"))
        .take(SNIFF_LINES)
}

/// Confidence from the share of head lines `is_fmt` recognises: all of them → 90, most →
/// less, under half → 0. Mixed syslog files score higher in `syslog`.
pub(crate) fn sniff_lines(head: &[u8], is_fmt: fn(&[u8]) -> bool) -> u8 {
    let (mut n, mut m) = (0usize, 0usize);
    for l in head_lines(head) {
        n += 1;
        if is_fmt(l) {
            m += 1;
        }
    }
    score(m, n)
}

fn score(m: usize, n: usize) -> u8 {
    if n == 0 || m == 0 {
        return 0;
    }
    match m * 100 / n {
        100 => 90,
        90..=99 => 80,
        75..=89 => 65,
        50..=74 => 52,
        _ => 0,
    }
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
