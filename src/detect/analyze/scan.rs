//! The parallel pass: per block of events, re-read only the events whose (source, tag)
//! can matter and fold them into small maps (first occurrence and count per value,
//! connection times per source → destination, tampering events, IP → host).

use super::burst::{Failures, is_failed_logon};
use super::keys::{Hosts, Key3, Map, PairKey, push_ip};
use super::{Kind, host_short};
use crate::model::{Fields, Norm, Sym};
use crate::timeline::Timeline;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::fmt::Write;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize};

const BLOCK: usize = 32 * 1024;
const STEP: usize = 1024;

/// First occurrence and count of one (kind, host, value).
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub first: usize,
    pub host: String,
    pub count: usize,
}

/// Connection times of one (source, from, destination). `from` is a host key, or the
/// source IP for firewall records (resolved to a host later when an endpoint told us).
#[derive(Clone, Debug, Default)]
pub(crate) struct Conn {
    pub first: usize,
    /// The sender as shown (host name, or the source IP of a firewall record).
    pub host: String,
    pub times: Vec<i64>,
}

/// A connection as both ends' logs name it: source address and port, destination address
/// and port.
pub(crate) type FlowKey = (IpAddr, u16, IpAddr, u16);

/// One record of a connection, for the clock-skew estimate.
#[derive(Clone, Debug)]
pub(crate) struct Flow {
    pub key: FlowKey,
    pub source: u16,
    /// `skew::rank`: firewall 0, EDR 1, EVTX 2.
    pub rank: u8,
    /// Host key of the endpoint that logged it (empty for a firewall).
    pub host: String,
    pub shown: String,
    pub ts: i64,
    pub event: usize,
}

/// Connections kept for the skew estimate: all up to this many events, then a sample.
const FLOWS_IN_FULL: usize = 1 << 20;

#[derive(Clone, Debug)]
pub(crate) struct Tamper {
    pub event: usize,
    pub kind: Kind,
    pub host: String,
    pub detail: String,
}

/// What the pass collected.
#[derive(Default)]
pub(crate) struct Collected {
    /// (kind, host key, value) → first occurrence.
    pub first: Map<(Kind, String, String), Seen>,
    /// (source, from, destination) → times.
    pub conns: Map<(u16, String, String), Conn>,
    /// IP → (host key, host as shown), from endpoint network events.
    pub ip_host: FxHashMap<String, (String, String)>,
    pub tamper: Vec<Tamper>,
    /// Connections with both ports, sampled by connection (`FLOWS_IN_FULL`).
    pub flows: Vec<Flow>,
    /// (host key, source address or workstation) → failed logons.
    pub failures: Map<(String, String), Failures>,
}

/// A block's reusable buffers: folded host names and the text of the keys being looked up.
#[derive(Default)]
struct Scratch {
    hosts: Hosts,
    value: String,
    from: String,
    dst: String,
}

impl Collected {
    fn absorb(&mut self, o: Collected) {
        for (k, s) in o.first {
            match self.first.get_mut(&k) {
                Some(x) => {
                    if s.first < x.first {
                        x.first = s.first;
                        x.host = s.host;
                    }
                    x.count += s.count;
                }
                None => {
                    self.first.insert(k, s);
                }
            }
        }
        // Blocks come in timeline order, so appending keeps each list sorted.
        for (k, c) in o.conns {
            let x = self.conns.entry(k).or_insert_with(|| Conn {
                first: c.first,
                host: c.host.clone(),
                times: Vec::new(),
            });
            x.first = x.first.min(c.first);
            x.times.extend(c.times);
        }
        for (ip, h) in o.ip_host {
            self.ip_host.entry(ip).or_insert(h);
        }
        self.tamper.extend(o.tamper);
        self.flows.extend(o.flows);
        for (k, f) in o.failures {
            match self.failures.get_mut(&k) {
                Some(x) => x.absorb(f),
                None => {
                    self.failures.insert(k, f);
                }
            }
        }
    }
}

/// What a (source, tag) pair can give; decided by probing its first event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Skip,
    Read,
}

pub(crate) fn scan(t: &Timeline, cancel: &AtomicBool, progress: &AtomicUsize) -> Option<Collected> {
    let classes = classify(t);
    // Firewall lines are read lean: the analyzers want their normalised fields only (the
    // registry checks that a lean parse keeps them), not their source fields or message;
    // the others without their message (only a tampering event's, EVTX, is read).
    let lean: Vec<bool> = t
        .sources
        .iter()
        .map(|s| {
            crate::ingest::format_by_id(s.format())
                .is_some_and(|d| d.family == crate::ingest::Family::Firewall)
        })
        .collect();
    let n = t.len();
    // Blocks are folded into one collection per piece of work rayon splits off (a few per
    // thread), not one per block: a per-block collection copied every key it met again
    // and was merged on one thread at the end. Folding and reducing keep timeline order.
    (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .try_fold(Work::default, |mut w, b| {
            let range = b * BLOCK..((b + 1) * BLOCK).min(n);
            let mut tick = crate::detect::tick::Tick::new(progress, cancel, STEP);
            for i in range {
                if !tick.next() {
                    return None;
                }
                let Some(e) = t.events.get(i) else { continue };
                if classes.get(&(e.source, e.tag)) != Some(&Class::Read) {
                    continue;
                }
                if lean.get(usize::from(e.source)) == Some(&true) {
                    t.fields_into(i, &mut w.lean);
                    observe(t, i, &w.lean, &mut w.c, &mut w.scratch);
                } else {
                    t.fields_into(i, &mut w.full);
                    observe(t, i, &w.full, &mut w.c, &mut w.scratch);
                }
            }
            tick.finish();
            Some(w)
        })
        .map(|w| w.map(|w| w.c))
        .try_reduce(Collected::default, |mut a, b| {
            a.absorb(b);
            Some(a)
        })
}

/// One piece of the pass: what it collected, and buffers reused from event to event.
struct Work<'t> {
    c: Collected,
    scratch: Scratch,
    /// Firewall lines are re-read lean, the rest without their message.
    lean: Fields<'t>,
    full: Fields<'t>,
}

impl Default for Work<'_> {
    fn default() -> Self {
        Work {
            c: Collected::default(),
            scratch: Scratch::default(),
            lean: Fields::lean(),
            full: Fields::without_message(),
        }
    }
}

/// Probes the first event of every (source, tag) pair: the pair matters when that event
/// is of a kind an analyzer reads (by category and event id).
fn classify(t: &Timeline) -> FxHashMap<(u16, Sym), Class> {
    let mut first: FxHashMap<(u16, Sym), usize> = FxHashMap::default();
    for (i, e) in t.events.iter().enumerate() {
        first.entry((e.source, e.tag)).or_insert(i);
    }
    first
        .into_par_iter()
        .map(|(k, i)| {
            let f = t.fields_for(i, false);
            let c = if relevant(&f) {
                Class::Read
            } else {
                Class::Skip
            };
            (k, c)
        })
        .collect()
}

/// Whether an event of this shape can feed an analyzer.
fn relevant(f: &Fields<'_>) -> bool {
    let cat = f.get(Norm::Category).unwrap_or("");
    if cat == "firewall" {
        // Classes are per tag: a teardown tag's lines all repeat their build line.
        return !teardown(f.get(Norm::EventId).unwrap_or(""));
    }
    if matches!(cat, "network" | "dns") {
        return true;
    }
    let id = f.get(Norm::EventId).unwrap_or("");
    if let Some(ch) = f.get(Norm::Channel) {
        return evtx_kind(f).is_some() || tamper_kind(f).is_some() || is_failed_logon(ch, id);
    }
    cat == "process" && edr_process_start(id)
}

/// A firewall message id whose lines repeat the build line of the same connection (ASA).
fn teardown(tag: &str) -> bool {
    matches!(tag, "302014" | "302016" | "302018" | "302021" | "302036")
}

fn edr_process_start(tag: &str) -> bool {
    // Case ignored without a lower-cased copy: this runs for every EDR process event.
    let has = |w: &str| {
        tag.as_bytes()
            .windows(w.len())
            .any(|x| x.eq_ignore_ascii_case(w.as_bytes()))
    };
    has("process") && (has("creat") || has("rollup") || has("start"))
}

/// First-seen kinds read from EVTX records, by channel and event id.
fn evtx_kind(f: &Fields<'_>) -> Option<Kind> {
    let ch = f.get(Norm::Channel).unwrap_or("");
    let id = f.get(Norm::EventId).unwrap_or("");
    // The channel is looked at only for an id that needs it: this runs for every event
    // re-read, and a substring search builds a searcher each time.
    Some(match id {
        "1" if ch.contains("Sysmon") => Kind::FirstProcess,
        "4688" => Kind::FirstProcess,
        "7045" | "4697" => Kind::FirstService,
        "4698" => Kind::FirstTask,
        "106" if ch.contains("TaskScheduler") => Kind::FirstTask,
        "4624" => Kind::FirstLogon,
        "4720" => Kind::FirstAccount,
        "4728" | "4732" | "4756" => Kind::FirstGroupMember,
        _ => return None,
    })
}

/// Tampering events by channel and event id.
pub(crate) fn tamper_kind(f: &Fields<'_>) -> Option<Kind> {
    let ch = f.get(Norm::Channel)?;
    let id = f.get(Norm::EventId).unwrap_or("");
    let defender = || ch.contains("Windows Defender");
    Some(match id {
        "1102" if ch == "Security" => Kind::LogCleared,
        "104" if ch == "System" => Kind::LogCleared,
        "1100" if ch == "Security" => Kind::LogServiceStopped,
        "4719" => Kind::AuditPolicyChanged,
        "4616" => Kind::TimeChanged,
        "16" if ch.contains("Sysmon") => Kind::SysmonConfigChanged,
        "5001" | "5010" | "5012" | "5101" if defender() => Kind::DefenderDisabled,
        "5004" | "5007" | "5013" if defender() => Kind::DefenderConfigChanged,
        _ => return None,
    })
}

/// The file name of a path, lower-cased, appended to `out`.
fn lower_base(p: &str, out: &mut String) {
    let p = p.trim().trim_matches('"');
    let at = out.len();
    out.push_str(p.rsplit(['\\', '/']).next().unwrap_or(p));
    if let Some(tail) = out.get_mut(at..) {
        tail.make_ascii_lowercase();
    }
}

/// An address worth following out of the network: not private, loopback, link-local,
/// multicast or unspecified.
pub(crate) fn public_ip(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v) => {
            !(v.is_private()
                || v.is_loopback()
                || v.is_link_local()
                || v.is_multicast()
                || v.is_broadcast()
                || v.is_unspecified()
                || v.octets()[0] == 100 && (v.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v) => {
            let s = v.segments()[0];
            !(v.is_loopback()
                || v.is_unspecified()
                || v.is_multicast()
                || (s & 0xfe00) == 0xfc00
                || (s & 0xffc0) == 0xfe80)
                && v.to_ipv4_mapped().is_none_or(|m| public_ip(&IpAddr::V4(m)))
        }
    }
}

fn ip(s: &str) -> Option<IpAddr> {
    s.trim().trim_start_matches("::ffff:").parse().ok()
}

/// Machine and service accounts whose logons say nothing.
pub(crate) fn boring_user(u: &str) -> bool {
    let name = u.rsplit('\\').next().unwrap_or(u).to_ascii_uppercase();
    name.is_empty()
        || name == "-"
        || name.ends_with('$')
        || matches!(
            name.as_str(),
            "SYSTEM" | "LOCAL SERVICE" | "NETWORK SERVICE" | "ANONYMOUS LOGON"
        )
        || name.starts_with("DWM-")
        || name.starts_with("UMFD-")
}

fn observe(t: &Timeline, i: usize, f: &Fields<'_>, c: &mut Collected, x: &mut Scratch) {
    let host_raw: Cow<'_, str> = match f.get(Norm::Host) {
        Some(h) => Cow::Borrowed(h),
        None => t.host(i),
    };
    let cat = f.get(Norm::Category).unwrap_or("");
    let evtx = f.get(Norm::Channel).is_some();
    if evtx && let Some(k) = tamper_kind(f) {
        c.tamper.push(Tamper {
            event: i,
            kind: k,
            host: host_short(&host_raw),
            detail: f.get(Norm::Message).map(str::to_owned).unwrap_or_default(),
        });
        return;
    }
    if evtx
        && is_failed_logon(
            f.get(Norm::Channel).unwrap_or(""),
            f.get(Norm::EventId).unwrap_or(""),
        )
    {
        failed_logon(t, i, f, &host_raw, c, &mut x.hosts);
        return;
    }
    let kind = if evtx {
        evtx_kind(f)
    } else if cat == "process" && edr_process_start(f.get(Norm::EventId).unwrap_or("")) {
        Some(Kind::FirstProcess)
    } else {
        None
    };
    if let Some(k) = kind
        && first_value(k, f, &mut x.value)
    {
        let (hk, hs) = x.hosts.names(&host_raw);
        match c.first.get_mut(&Key3(k, hk, &x.value)) {
            Some(s) => s.count += 1,
            None => {
                let s = Seen {
                    first: i,
                    host: hs.to_owned(),
                    count: 1,
                };
                c.first.insert((k, hk.to_owned(), x.value.clone()), s);
            }
        }
        return;
    }
    if matches!(cat, "network" | "dns" | "firewall") {
        connection(t, i, f, cat, &host_raw, c, x);
    }
}

/// A failed logon, under its host and where it came from: the client address, else the
/// workstation name the client gave.
fn failed_logon(
    t: &Timeline,
    i: usize,
    f: &Fields<'_>,
    host_raw: &str,
    c: &mut Collected,
    hosts: &mut Hosts,
) {
    let known = |v: &&str| !v.is_empty() && *v != "-";
    let from = f
        .raw("IpAddress")
        .filter(known)
        .map(|a| a.trim_start_matches("::ffff:"))
        .or(f.raw("WorkstationName").filter(known))
        .unwrap_or("an unknown source");
    let (Some(e), false) = (t.events.get(i), host_raw.is_empty()) else {
        return;
    };
    let user = f.raw("TargetUserName").unwrap_or("");
    let (hk, hs) = hosts.names(host_raw);
    if let Some(x) = c.failures.get_mut(&PairKey(hk, from)) {
        x.add(e.ts, i, user);
        return;
    }
    let mut x = Failures {
        host: hs.to_owned(),
        ..Default::default()
    };
    x.add(e.ts, i, user);
    c.failures.insert((hk.to_owned(), from.to_owned()), x);
}

/// The value a first-seen kind is about, written into `out`; false for what says nothing.
fn first_value(k: Kind, f: &Fields<'_>, out: &mut String) -> bool {
    out.clear();
    let raw = |n: &str| f.raw(n).filter(|v| !v.is_empty() && *v != "-");
    let found = match k {
        Kind::FirstProcess => f
            .get(Norm::Process)
            .or(f.get(Norm::File))
            .map(|p| lower_base(p, out)),
        Kind::FirstService => raw("ServiceName").map(|v| out.push_str(v)),
        Kind::FirstTask => raw("TaskName").map(|v| out.push_str(v)),
        Kind::FirstLogon => match f.get(Norm::User) {
            Some(u) if !boring_user(u) => {
                out.push_str(u);
                out.make_ascii_lowercase();
                let ty = raw("LogonType").unwrap_or("?");
                let _ = write!(out, " type {ty}");
                Some(())
            }
            _ => None,
        },
        Kind::FirstAccount => raw("TargetUserName").map(|u| {
            let _ = match raw("TargetDomainName") {
                Some(d) => write!(out, "{d}\\{u}"),
                None => write!(out, "{u}"),
            };
        }),
        Kind::FirstGroupMember => raw("MemberName").or(raw("MemberSid")).map(|m| {
            let g = raw("TargetUserName").unwrap_or("?");
            let _ = write!(out, "{m} → {g}");
        }),
        _ => None,
    };
    found.is_some() && !out.is_empty()
}

/// A connection or name lookup: (from, destination) with its time. Only destinations
/// outside the private ranges (or names) are kept; firewall records count when their
/// source is inside.
fn connection(
    t: &Timeline,
    i: usize,
    f: &Fields<'_>,
    cat: &str,
    host_raw: &str,
    c: &mut Collected,
    x: &mut Scratch,
) {
    let src = f.get(Norm::SrcIp).and_then(ip);
    // A teardown line never gets here: its tag is classified away (`relevant`).
    let firewall = cat == "firewall";
    if !firewall
        && let Some(s) = src
        && !s.is_loopback()
        && !host_raw.is_empty()
    {
        x.from.clear();
        push_ip(&mut x.from, s);
        if !c.ip_host.contains_key(x.from.as_str()) {
            let (k, s) = x.hosts.names(host_raw);
            c.ip_host
                .insert(x.from.clone(), (k.to_owned(), s.to_owned()));
        }
    }
    x.dst.clear();
    if cat == "dns" {
        let name = f
            .raw("QueryName")
            .or(f.raw("DomainName"))
            .or(f.raw("RemoteUrl"))
            .unwrap_or("");
        x.dst.push_str(name.trim().trim_end_matches('.'));
        x.dst.make_ascii_lowercase();
        let name = &x.dst;
        if name.is_empty() || !name.contains('.') || name.ends_with(".local") {
            return;
        }
    } else {
        let Some(d) = f.get(Norm::DstIp).and_then(ip) else {
            return;
        };
        if !public_ip(&d) {
            return;
        }
        push_ip(&mut x.dst, d);
    }
    x.from.clear();
    let (from, shown): (&str, &str) = if firewall {
        match src {
            Some(s) if !public_ip(&s) => {
                push_ip(&mut x.from, s);
                (&x.from, &x.from)
            }
            _ => return,
        }
    } else {
        if host_raw.is_empty() {
            return;
        }
        x.hosts.names(host_raw)
    };
    let Some(e) = t.events.get(i) else { return };
    if let (Some(s), Some(d)) = (src, f.get(Norm::DstIp).and_then(ip)) {
        flow(t, i, f, (s, d), firewall, (from, shown), c);
    }
    match c.conns.get_mut(&Key3(e.source, from, &x.dst)) {
        Some(conn) => conn.times.push(e.ts),
        None => {
            let conn = Conn {
                first: i,
                host: shown.to_owned(),
                times: vec![e.ts],
            };
            c.conns
                .insert((e.source, from.to_owned(), x.dst.clone()), conn);
        }
    }
}

/// Keeps a connection with both ports for the skew estimate (a sample of them on a big
/// timeline: the same connection is kept or dropped alike in every source).
fn flow(
    t: &Timeline,
    i: usize,
    f: &Fields<'_>,
    (s, d): (IpAddr, IpAddr),
    firewall: bool,
    (from, shown): (&str, &str),
    c: &mut Collected,
) {
    use std::hash::{Hash, Hasher};
    let port = |n: Norm| f.get(n).and_then(|p| p.trim().parse::<u16>().ok());
    let (Some(sp), Some(dp), Some(e)) = (port(Norm::SrcPort), port(Norm::DstPort), t.events.get(i))
    else {
        return;
    };
    let key = (s, sp, d, dp);
    let every = (t.len() / FLOWS_IN_FULL).max(1).next_power_of_two() as u64;
    if every > 1 {
        let mut h = rustc_hash::FxHasher::default();
        key.hash(&mut h);
        if !h.finish().is_multiple_of(every) {
            return;
        }
    }
    let evtx = f.get(Norm::Channel).is_some();
    c.flows.push(Flow {
        key,
        source: e.source,
        rank: super::skew::rank(firewall, evtx),
        host: if firewall {
            String::new()
        } else {
            from.to_owned()
        },
        shown: shown.to_owned(),
        ts: e.ts,
        event: i,
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn edr_process_starts_by_tag_in_any_case() {
        for t in [
            "ProcessCreated",
            "PROCESSROLLUP2",
            "process_start",
            "ProcessCreate",
        ] {
            assert!(super::edr_process_start(t), "{t}");
        }
        for t in ["ProcessTerminated", "NetworkConnectIP4", "", "proc"] {
            assert!(!super::edr_process_start(t), "{t}");
        }
    }
}
