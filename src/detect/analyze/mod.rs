//! Analyzers (issue 14): what deserves a look besides Sigma hits — first-seen and rare
//! things per host, tampering (cleared logs, audit and protection changes, EVTX record-id
//! gaps and files not closed cleanly), bursts of failed logons, sources that fall silent,
//! and connections that repeat like a clock.
//!
//! One parallel pass over the timeline (`scan`) collects what the analyzers need, beside
//! a sequential pass for per-source spacing and EVTX record ids (`sources`); the
//! analyzers then work on those small summaries. Only events whose (source, tag) pair
//! can matter are re-read, so a firewall-heavy timeline costs one parse per connection
//! and nothing else; its map keys are looked up borrowed (`keys`), so an event that repeats
//! a key allocates nothing. Cancellable; `progress` counts events scanned (of `t.len()`).
//!
//! Findings name their anchor event by timeline index: they belong to the timeline as it
//! was when `analyze` started (as `Hits` do).

mod beacon;
mod burst;
mod firstseen;
mod keys;
mod scan;
mod silence;
mod skew;
mod sources;
mod tamper;
#[cfg(test)]
mod tests;

pub(crate) use scan::boring_user;
pub use silence::Silence;

use crate::timeline::Timeline;
use std::sync::atomic::{AtomicBool, AtomicUsize};

/// What an analyzer found. The id is the candidate id reviews are kept under
/// (**contract**: `first-seen:process`, `tamper:log-cleared`, `beacon`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    FirstProcess,
    FirstService,
    FirstTask,
    FirstLogon,
    FirstAccount,
    FirstGroupMember,
    FirstDestination,
    LogCleared,
    LogServiceStopped,
    AuditPolicyChanged,
    TimeChanged,
    SysmonConfigChanged,
    DefenderDisabled,
    DefenderConfigChanged,
    RecordGap,
    NotClosedCleanly,
    Silence,
    Beacon,
    /// A host's clock differs from a firewall's (or an EDR's) on the same connections.
    ClockSkew,
    /// Many failed logons on one host from one source in a short time.
    LogonFailures,
}

impl Kind {
    pub fn id(self) -> &'static str {
        match self {
            Kind::FirstProcess => "first-seen:process",
            Kind::FirstService => "first-seen:service",
            Kind::FirstTask => "first-seen:task",
            Kind::FirstLogon => "first-seen:logon",
            Kind::FirstAccount => "first-seen:account",
            Kind::FirstGroupMember => "first-seen:group-member",
            Kind::FirstDestination => "first-seen:destination",
            Kind::LogCleared => "tamper:log-cleared",
            Kind::LogServiceStopped => "tamper:eventlog-stopped",
            Kind::AuditPolicyChanged => "tamper:audit-policy",
            Kind::TimeChanged => "tamper:time-changed",
            Kind::SysmonConfigChanged => "tamper:sysmon-config",
            Kind::DefenderDisabled => "tamper:defender-disabled",
            Kind::DefenderConfigChanged => "tamper:defender-config",
            Kind::RecordGap => "tamper:record-gap",
            Kind::NotClosedCleanly => "tamper:not-closed-cleanly",
            Kind::Silence => "silence",
            Kind::Beacon => "beacon",
            Kind::ClockSkew => "skew",
            Kind::LogonFailures => "burst:logon-failures",
        }
    }

    /// Tampering recorded by the event itself (a log cleared, a setting changed): repeats
    /// on one host are usually one act. Gaps and dirty files are per place, not acts.
    pub fn is_tampering_act(self) -> bool {
        matches!(
            self,
            Kind::LogCleared
                | Kind::LogServiceStopped
                | Kind::AuditPolicyChanged
                | Kind::TimeChanged
                | Kind::SysmonConfigChanged
                | Kind::DefenderDisabled
                | Kind::DefenderConfigChanged
        )
    }

    /// How much a finding of this kind deserves a look on its own (0..=1), before rarity.
    pub fn strength(self) -> f64 {
        match self {
            Kind::LogCleared | Kind::DefenderDisabled => 0.9,
            Kind::LogServiceStopped | Kind::AuditPolicyChanged | Kind::SysmonConfigChanged => 0.8,
            Kind::RecordGap => 0.7,
            Kind::FirstService | Kind::FirstTask | Kind::FirstAccount => 0.7,
            Kind::FirstGroupMember | Kind::Beacon | Kind::LogonFailures => 0.7,
            Kind::DefenderConfigChanged => 0.6,
            Kind::FirstDestination | Kind::FirstProcess => 0.5,
            Kind::Silence => 0.5,
            Kind::FirstLogon => 0.4,
            Kind::TimeChanged => 0.3,
            Kind::NotClosedCleanly => 0.3,
            // Not a sign of attack, but every time on that host is off until corrected.
            Kind::ClockSkew => 0.3,
        }
    }
}

/// How common the finding's value is across the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rarity {
    /// Hosts it was seen on, of `of` hosts that report this kind of event.
    pub hosts: usize,
    pub of: usize,
    /// Events in all.
    pub count: usize,
}

impl Rarity {
    /// `on 1 of 14 hosts, 2 times`.
    pub fn text(&self) -> String {
        let times = if self.count == 1 {
            "once".to_owned()
        } else {
            format!("{} times", self.count)
        };
        format!("on {} of {} hosts, {times}", self.hosts, self.of)
    }

    /// 1 for once on one host, falling with spread and repetition.
    pub fn factor(&self) -> f64 {
        let repeat = 1.0 / (1.0 + (self.count.max(1) as f64).log10());
        self.spread() * repeat
    }

    /// 1 on one host, falling with the number of hosts (repetition not counted: it is
    /// what makes a beacon).
    pub fn spread(&self) -> f64 {
        1.0 / (self.hosts.max(1) as f64).sqrt()
    }
}

/// One analyzer finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub kind: Kind,
    /// Timeline index of the event to look at (the first occurrence, the record after a
    /// gap, the last event before a silence).
    pub event: usize,
    /// Short host name (`FS-01`), or the source IP when no host is known.
    pub host: String,
    /// Why, in one line (attacker-controlled parts included: sanitise before display).
    pub reason: String,
    pub rarity: Option<Rarity>,
    /// 0..=1: the kind's strength, adjusted by the analyzer (regularity of a beacon…).
    pub strength: f64,
}

/// Everything the analyzers found.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// By anchor event, then kind.
    pub findings: Vec<Finding>,
    /// Silent stretches per source, for the histogram lane.
    pub silences: Vec<Silence>,
    /// Events the pass covered (`t.len()` when it started).
    pub covered: usize,
}

/// Runs every analyzer over `t` on the rayon pool. `progress` counts events scanned (of
/// `t.len()`); returns None when `cancel` was set.
pub fn analyze(t: &Timeline, cancel: &AtomicBool, progress: &AtomicUsize) -> Option<Analysis> {
    let (seen, per_source) = rayon::join(
        || scan::scan(t, cancel, progress),
        || sources::per_source(t, cancel),
    );
    let (seen, per_source) = (seen?, per_source?);
    // The slower analyzers (skew matches connections, beacons measure intervals) run
    // beside the rest; the sort below makes the order independent of who finished first.
    let ((mut findings, silences), (beacons, skews)) = rayon::join(
        || {
            let mut f = firstseen::findings(t, &seen);
            f.extend(tamper::findings(t, &seen, &per_source));
            f.extend(burst::findings(&seen));
            let silences = silence::silences(t, &per_source);
            f.extend(silence::findings(t, &silences));
            (f, silences)
        },
        || rayon::join(|| beacon::findings(&seen), || skew::findings(t, &seen)),
    );
    findings.extend(beacons);
    findings.extend(skews);
    findings.sort_by_key(|f| (f.event, f.kind));
    Some(Analysis {
        findings,
        silences,
        covered: t.len(),
    })
}

/// The short, case-folded host key (`WS-01.corp.local` → `ws-01`); IP addresses stay whole.
pub(crate) fn host_key(h: &str) -> String {
    let h = h.trim();
    if h.parse::<std::net::IpAddr>().is_ok() {
        return h.to_owned();
    }
    h.split('.').next().unwrap_or(h).to_ascii_lowercase()
}

/// The short host name as shown (`WS-01.corp.local` → `WS-01`), case kept.
pub(crate) fn host_short(h: &str) -> String {
    let h = h.trim();
    if h.parse::<std::net::IpAddr>().is_ok() {
        return h.to_owned();
    }
    h.split('.').next().unwrap_or(h).to_owned()
}

/// `1h 05m`, `12m 30s`, `45s`: a duration for a reason line.
pub(crate) fn span_text(ns: i64) -> String {
    let s = ns.max(0) / 1_000_000_000;
    if s >= 86_400 {
        format!("{}d {:02}h", s / 86_400, (s % 86_400) / 3600)
    } else if s >= 3600 {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}
