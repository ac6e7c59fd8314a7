//! "What led here" (issue 14): the earlier events on an event's host that are related to
//! it by process lineage (the parent chain from Sysmon 1, Security 4688 and EDR process
//! starts), logon session (LogonId), user or remote address.
//!
//! One backward pass from the event: the timeline is in time order, so a parent's
//! creation comes after its children's while walking back, and the chain grows as the
//! pass goes (a process creation of a process already in the chain adds its parent and
//! its logon session; a logon of a session in the set adds the address it came from).
//! Only events of the same host are parsed. Cancellable; `progress` counts events passed.
//!
//! Which address: for a network event the destination (the source is the host itself),
//! otherwise the source (a logon's `IpAddress`). Loopback and unspecified addresses and
//! the system's own sessions (`0x3e7`, `0x3e4`, `0x3e5`) relate nothing; neither do
//! machine and service accounts.

use super::analyze::host_key;
use crate::ingest::evtx::msg::parse_num;
use crate::model::{Fields, Norm, Sym};
use crate::timeline::Timeline;
use rustc_hash::{FxHashMap, FxHashSet};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// How an earlier event is related (bits; several may hold).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Relation(u8);

impl Relation {
    pub const LINEAGE: Relation = Relation(1);
    pub const LOGON: Relation = Relation(2);
    pub const USER: Relation = Relation(4);
    pub const IP: Relation = Relation(8);

    pub fn has(self, r: Relation) -> bool {
        self.0 & r.0 != 0
    }

    fn add(&mut self, r: Relation) {
        self.0 |= r.0;
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// `lineage+logon`.
    pub fn text(self) -> String {
        let names = [
            (Relation::LINEAGE, "lineage"),
            (Relation::LOGON, "logon"),
            (Relation::USER, "user"),
            (Relation::IP, "ip"),
        ];
        let v: Vec<&str> = names
            .iter()
            .filter(|(r, _)| self.has(*r))
            .map(|(_, n)| *n)
            .collect();
        v.join("+")
    }
}

/// The result: the event itself last, and the related earlier events before it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LedHere {
    /// Timeline indices, ascending, with how each is related (the event itself: empty).
    pub rows: Vec<(usize, Relation)>,
    /// Process creations found in the parent chain (the event's own first), images.
    pub chain: Vec<String>,
}

impl LedHere {
    /// Related events of one kind.
    pub fn count(&self, r: Relation) -> usize {
        self.rows.iter().filter(|(_, x)| x.has(r)).count()
    }
}

/// What the pass looks for.
#[derive(Default)]
struct Wanted {
    guids: FxHashSet<String>,
    /// Process ids, for records without a process GUID (4688, EDR).
    pids: FxHashSet<u64>,
    logons: FxHashSet<u64>,
    user: Option<String>,
    ips: FxHashSet<IpAddr>,
}

fn raw<'f>(f: &'f Fields<'_>, names: &[&str]) -> Option<&'f str> {
    names
        .iter()
        .find_map(|n| f.raw(n))
        .map(str::trim)
        .filter(|v| !v.is_empty() && *v != "-")
}

fn is_4688(f: &Fields<'_>) -> bool {
    f.get(Norm::EventId) == Some("4688") && f.get(Norm::Channel).is_some()
}

/// A process creation record: Sysmon 1, Security 4688, an EDR process start.
fn is_creation(f: &Fields<'_>) -> bool {
    let id = f.get(Norm::EventId).unwrap_or("");
    match f.get(Norm::Channel) {
        Some(ch) => (id == "1" && ch.contains("Sysmon")) || id == "4688",
        None => {
            let t = id.to_ascii_lowercase();
            f.get(Norm::Category) == Some("process")
                && t.contains("process")
                && (t.contains("creat") || t.contains("start") || t.contains("rollup"))
        }
    }
}

fn guid(f: &Fields<'_>) -> Option<String> {
    raw(f, &["ProcessGuid"]).map(|g| g.to_ascii_lowercase())
}

fn parent_guid(f: &Fields<'_>) -> Option<String> {
    raw(f, &["ParentProcessGuid"]).map(|g| g.to_ascii_lowercase())
}

fn pid(f: &Fields<'_>) -> Option<u64> {
    f.get(Norm::Pid).and_then(parse_num)
}

/// In 4688, `ProcessId` is the creator's.
fn parent_pid(f: &Fields<'_>) -> Option<u64> {
    let names: &[&str] = if is_4688(f) {
        &["ProcessId"]
    } else {
        &["ParentProcessId", "ParentPid", "ppid"]
    };
    raw(f, names).and_then(parse_num)
}

/// The system's own sessions relate everything on a host.
fn logon_ids<'a>(f: &'a Fields<'_>) -> impl Iterator<Item = u64> + 'a {
    ["LogonId", "TargetLogonId", "SubjectLogonId"]
        .into_iter()
        .filter_map(|n| f.raw(n))
        .filter_map(parse_num)
        .filter(|id| !matches!(id, 0 | 0x3e7 | 0x3e4 | 0x3e5))
}

/// The address on the far side: a network event's destination, else the source.
fn far_ip(f: &Fields<'_>) -> Option<IpAddr> {
    let network = matches!(f.get(Norm::Category), Some("network" | "dns" | "firewall"));
    let v = if network {
        f.get(Norm::DstIp)
    } else {
        f.get(Norm::SrcIp)
    };
    let ip: IpAddr = v?.trim().trim_start_matches("::ffff:").parse().ok()?;
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

fn user(f: &Fields<'_>) -> Option<String> {
    let u = f.get(Norm::User)?;
    (!super::analyze::boring_user(u)).then(|| {
        u.rsplit('\\')
            .next()
            .unwrap_or(u)
            .trim()
            .to_ascii_lowercase()
    })
}

/// The earlier events of event `ev`'s host related to it, and `ev` itself; None when
/// cancelled or `ev` is not in the timeline.
pub fn led_here(
    t: &Timeline,
    ev: usize,
    cancel: &AtomicBool,
    progress: &AtomicUsize,
) -> Option<LedHere> {
    t.events.get(ev)?;
    let host = host_key(&t.host(ev));
    let f0 = t.fields_for(ev, false);
    let mut want = Wanted::default();
    let mut out = LedHere::default();
    want.guids.extend(guid(&f0));
    want.guids.extend(parent_guid(&f0));
    if guid(&f0).is_none() {
        want.pids.extend(pid(&f0));
        want.pids.extend(parent_pid(&f0));
    }
    want.logons.extend(logon_ids(&f0));
    want.user = user(&f0);
    want.ips.extend(far_ip(&f0));
    if is_creation(&f0) {
        out.chain.extend(f0.get(Norm::Process).map(str::to_owned));
    }
    drop(f0);
    // Hosts compare by their short, case-folded name; each spelling is looked at once.
    let mut same: FxHashMap<Sym, bool> = FxHashMap::default();
    let mut rows = vec![(ev, Relation::default())];
    for i in (0..ev).rev() {
        if i.is_multiple_of(4096) {
            progress.store(ev - i, Ordering::Relaxed);
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
        }
        let Some(x) = t.events.get(i) else { continue };
        let on_host = *same
            .entry(x.host)
            .or_insert_with(|| host_key(&t.host(i)) == host);
        if !on_host {
            continue;
        }
        let f = t.fields_for(i, false);
        let rel = relate(&f, &mut want, &mut out.chain);
        if !rel.is_empty() {
            rows.push((i, rel));
        }
    }
    progress.store(ev, Ordering::Relaxed);
    rows.reverse();
    out.rows = rows;
    Some(out)
}

/// How `f` relates to what is wanted; widens what is wanted along the way.
fn relate(f: &Fields<'_>, want: &mut Wanted, chain: &mut Vec<String>) -> Relation {
    let mut rel = Relation::default();
    let g = guid(f);
    let in_chain = match &g {
        Some(g) => want.guids.contains(g),
        None => pid(f).is_some_and(|p| want.pids.contains(&p)),
    };
    if in_chain {
        rel.add(Relation::LINEAGE);
        if is_creation(f) {
            // Its parent led here too, and so did the session it ran in.
            want.guids.extend(parent_guid(f));
            if g.is_none() {
                want.pids.extend(parent_pid(f));
            }
            want.logons.extend(logon_ids(f));
            chain.extend(f.get(Norm::Process).map(str::to_owned));
        }
    }
    let mut logon = false;
    for id in logon_ids(f) {
        logon |= want.logons.contains(&id);
    }
    if logon {
        rel.add(Relation::LOGON);
        // The logon that opened the session says where it came from.
        if f.get(Norm::EventId) == Some("4624") {
            want.ips.extend(far_ip(f));
        }
    }
    if want.user.is_some() && user(f) == want.user {
        rel.add(Relation::USER);
    }
    if far_ip(f).is_some_and(|ip| want.ips.contains(&ip)) {
        rel.add(Relation::IP);
    }
    rel
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    fn sample() -> Timeline {
        let opts = crate::ingest::Options::default();
        crate::timeline::load_paths(
            &[testutil::samples()],
            &opts,
            &crate::ingest::Progress::default(),
        )
        .0
    }

    /// The event of `file` (path suffix) with EVTX record id `rid`.
    fn record(t: &Timeline, file: &str, rid: u64) -> usize {
        (0..t.len())
            .find(|&i| {
                t.source_of(i)
                    .is_some_and(|s| s.label.replace('\\', "/").ends_with(file))
                    && t.key(i)
                        .is_some_and(|k| k.locator.ends_with(&format!(":{rid}")))
            })
            .unwrap_or_else(|| panic!("{file} record {rid}"))
    }

    const SYSMON: &str = "WS-RECEPTION-01/Microsoft-Windows-Sysmon%4Operational.evtx";

    #[test]
    fn encoded_powershell_leads_back_to_the_word_macro() {
        let t = sample();
        // Record 24: encoded PowerShell started by cmd.exe under WINWORD (ground truth).
        let ev = record(&t, SYSMON, 24);
        let shell = record(&t, SYSMON, 23);
        let (c, p) = (AtomicBool::new(false), AtomicUsize::new(0));
        let l = led_here(&t, ev, &c, &p).unwrap();
        assert_eq!(l.rows.last(), Some(&(ev, Relation::default())));
        let rel = l.rows.iter().find(|(i, _)| *i == shell).map(|(_, r)| *r);
        assert!(
            rel.is_some_and(|r| r.has(Relation::LINEAGE)),
            "the macro's cmd.exe: {rel:?}"
        );
        let chain: Vec<String> = l.chain.iter().map(|s| s.to_ascii_lowercase()).collect();
        assert!(chain[0].ends_with("powershell.exe"), "{chain:?}");
        assert!(chain.iter().any(|s| s.ends_with("cmd.exe")), "{chain:?}");
        // Every row is earlier, on the same host, and related somehow.
        let e = t.events[ev].ts;
        for &(i, r) in &l.rows {
            assert!(t.events[i].ts <= e);
            assert_eq!(host_key(&t.host(i)), "ws-reception-01");
            assert!(i == ev || !r.is_empty());
        }
        assert!(l.rows.windows(2).all(|w| w[0].0 < w[1].0));
        // Not the whole host: the system's own events stay out; the lineage is short.
        let on_host = (0..ev)
            .filter(|&i| host_key(&t.host(i)) == "ws-reception-01")
            .count();
        assert!(l.rows.len() < on_host, "{} of {on_host}", l.rows.len());
        assert!(l.count(Relation::LINEAGE) < 10, "{:?}", l.chain);
        assert_eq!(p.load(Ordering::Relaxed), ev);
    }

    #[test]
    fn cancelled_or_out_of_range_gives_nothing() {
        let t = sample();
        let (c, p) = (AtomicBool::new(true), AtomicUsize::new(0));
        assert!(led_here(&t, t.len() - 1, &c, &p).is_none());
        c.store(false, Ordering::Relaxed);
        assert!(led_here(&t, t.len(), &c, &p).is_none());
    }

    #[test]
    fn relation_names_join_with_plus() {
        assert_eq!(
            Relation(Relation::LINEAGE.0 | Relation::IP.0).text(),
            "lineage+ip"
        );
    }
}
