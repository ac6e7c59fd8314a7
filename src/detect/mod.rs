//! Detections: Sigma rules over the whole merged timeline (issue 13, `shared/SIGMA.md`).
//!
//! The engine is rsigma (pinned); this module supplies what it does not: loading rule
//! folders and vigil's own rules, logsource routing and field names as data
//! (`assets/sigma-mapping.yml`), rsigma's `Event` over vigil's borrowed fields, and a
//! parallel, cancellable run that stores hits sparsely.
//!
//! # Use
//!
//! ```no_run
//! use std::sync::atomic::{AtomicBool, AtomicUsize};
//! use vigil::detect::{self, Level, RuleOptions, RuleSet};
//! # let t = vigil::timeline::Timeline::new();
//! let (rules, report) = RuleSet::load(&RuleOptions::default())?;
//! eprintln!("{} rules, {} unsupported", report.loaded, report.unsupported.len());
//! let (cancel, progress) = (AtomicBool::new(false), AtomicUsize::new(0));
//! // Runs on the rayon pool; `progress` counts events done (of `t.len()`); None if cancelled.
//! let hits = detect::run(&t, &rules, &cancel, &progress).expect("not cancelled");
//! for (event, on) in hits.iter() {
//!     for &r in on {
//!         let m = rules.rule(r); // title, id, author (DRL 1.1: show them), level, tags…
//!         println!("{event}: {} [{}] by {}", m.title, m.level.name(), m.author);
//!     }
//! }
//! let counts = hits.level_counts(&rules); // hits per level
//! # Ok::<(), detect::DetectError>(())
//! ```
//!
//! - Routing is by Channel and EventID (never Provider): a rule meets only the events of
//!   its logsource's targets, and each EVTX record shape is routed once.
//! - Rules answer with native names (EVTX System names as Sigma flattens them, EventData
//!   names, names without spaces, joined `Data`) plus the target's view (4688 → Sysmon
//!   process names, EDR → Sysmon names, firewall → `src_ip`…).
//! - Rules that read only stable fields are evaluated once per distinct tuple of those
//!   fields (process creations repeat heavily); a bucket where that does not pay stops
//!   memoising by itself.
//! - `Hits` belong to the timeline as it was when `run` started (event indices).

pub mod analyze;
mod builtin;
pub mod candidates;
mod event;
mod export;
mod hits;
pub mod hunt;
pub mod lineage;

pub mod mapping;
mod names;
mod pin;
mod rules;
mod run;
mod tick;
pub mod triage;

pub use export::{Detected, WithHits};
pub use hits::{DetectStats, Hits, LevelCounts, LevelMap};
pub use rules::{
    BucketStats, LoadReport, RuleNote, RuleOptions, RuleSet, count_reasons, default_rule_dirs,
};
pub use run::run;

use std::fmt;

/// Errors that stop a rule set from loading at all (a bad rule is only reported).
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("sigma mapping: {0}")]
    Mapping(String),
    #[error("{path}: {msg}")]
    Path { path: String, msg: String },
}

/// Index of a rule in its `RuleSet`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleIdx(pub u32);

/// Sigma rule level, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::Informational,
        Level::Low,
        Level::Medium,
        Level::High,
        Level::Critical,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Level::Informational => "informational",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    /// Full names and the short forms `info`, `crit`; case-insensitive.
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s.to_ascii_lowercase().as_str() {
            "informational" | "info" => Level::Informational,
            "low" => Level::Low,
            "medium" | "med" => Level::Medium,
            "high" => Level::High,
            "critical" | "crit" => Level::Critical,
            _ => return None,
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::parse(s).ok_or_else(|| {
            format!("unknown level {s:?} (informational, low, medium, high, critical)")
        })
    }
}

/// Sigma rule status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Stable,
    Test,
    Experimental,
    Deprecated,
    Unsupported,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Stable => "stable",
            Status::Test => "test",
            Status::Experimental => "experimental",
            Status::Deprecated => "deprecated",
            Status::Unsupported => "unsupported",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Some(match s.to_ascii_lowercase().as_str() {
            "stable" => Status::Stable,
            "test" => Status::Test,
            "experimental" => Status::Experimental,
            "deprecated" => Status::Deprecated,
            "unsupported" => Status::Unsupported,
            _ => return None,
        })
    }
}

impl std::str::FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::parse(s).ok_or_else(|| {
            format!("unknown status {s:?} (stable, test, experimental, deprecated, unsupported)")
        })
    }
}

/// What vigil keeps of a loaded rule: everything a hit must show (DRL 1.1: title, id and
/// author wherever a hit is shown or written) and the detail pane's documentation.
#[derive(Clone, Debug)]
pub struct RuleMeta {
    pub title: String,
    /// The rule's `id` (empty when the rule has none).
    pub id: String,
    /// The rule's `author` (`unknown` when the rule has none).
    pub author: String,
    /// `informational` when the rule names none.
    pub level: Level,
    pub status: Option<Status>,
    pub description: String,
    pub falsepositives: Vec<String>,
    pub references: Vec<String>,
    pub tags: Vec<String>,
    /// ATT&CK technique ids from the tags (`attack.t1003.001` → `T1003.001`).
    pub attack: Vec<String>,
    /// `product/service/category` as the rule wrote it.
    pub logsource: String,
    /// The rule file, or `builtin:NAME.yml` for vigil's own rules.
    pub path: String,
    pub date: String,
    pub modified: String,
}

impl RuleMeta {
    /// `T1003.001 T1059.001` (space-separated ATT&CK techniques).
    pub fn attack_text(&self) -> String {
        self.attack.join(" ")
    }
}

/// ATT&CK technique ids from Sigma tags (`attack.t1003.001`).
pub fn attack_ids(tags: &[String]) -> Vec<String> {
    let mut v: Vec<String> = tags
        .iter()
        .filter_map(|t| {
            let rest = t.strip_prefix("attack.")?;
            let t = rest.strip_prefix('t').or_else(|| rest.strip_prefix('T'))?;
            let ok = !t.is_empty()
                && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && t.as_bytes()[0].is_ascii_digit();
            ok.then(|| format!("T{t}"))
        })
        .collect();
    v.dedup();
    v
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn levels_order_and_parse() {
        assert!(Level::High > Level::Medium);
        assert_eq!(Level::parse("CRIT"), Some(Level::Critical));
        assert_eq!("info".parse::<Level>(), Ok(Level::Informational));
        assert!("severe".parse::<Level>().is_err());
        assert_eq!(Status::parse("Test"), Some(Status::Test));
    }

    #[test]
    fn attack_ids_from_tags() {
        let tags: Vec<String> = [
            "attack.credential-access",
            "attack.t1003.001",
            "attack.T1059",
            "cve.2021-1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(attack_ids(&tags), ["T1003.001", "T1059"]);
    }
}

#[cfg(test)]
mod tests;
