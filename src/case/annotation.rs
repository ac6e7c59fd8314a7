//! One analyst annotation on one event (DESIGN §8): what kind of point it is, how bad,
//! tags, a note, and a copy of the event so the case file reads without the evidence.

use crate::model::{EventKey, format_rfc3339};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};

/// What an annotated point means in the incident (serialised kebab-case, **contract**).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    EarlyDetection,
    Ioc,
    InitialAccess,
    LateralMovement,
    Persistence,
    Exfiltration,
    Impact,
    Note,
}

impl Kind {
    /// Every kind, in picker order.
    pub const ALL: [Kind; 8] = [
        Kind::EarlyDetection,
        Kind::Ioc,
        Kind::InitialAccess,
        Kind::LateralMovement,
        Kind::Persistence,
        Kind::Exfiltration,
        Kind::Impact,
        Kind::Note,
    ];

    /// Human label for pickers and reports.
    pub fn label(self) -> &'static str {
        match self {
            Kind::EarlyDetection => "Early detection",
            Kind::Ioc => "IOC",
            Kind::InitialAccess => "Initial access",
            Kind::LateralMovement => "Lateral movement",
            Kind::Persistence => "Persistence",
            Kind::Exfiltration => "Exfiltration",
            Kind::Impact => "Impact",
            Kind::Note => "Note",
        }
    }

    /// The serialised id (`early-detection`), also what `mark:KIND` in queries uses.
    pub fn id(self) -> &'static str {
        match self {
            Kind::EarlyDetection => "early-detection",
            Kind::Ioc => "ioc",
            Kind::InitialAccess => "initial-access",
            Kind::LateralMovement => "lateral-movement",
            Kind::Persistence => "persistence",
            Kind::Exfiltration => "exfiltration",
            Kind::Impact => "impact",
            Kind::Note => "note",
        }
    }

    /// Parses an id (`lateral-movement`) case-insensitively; `_` is accepted for `-`.
    pub fn from_id(s: &str) -> Option<Kind> {
        let s = s.trim().replace('_', "-");
        Kind::ALL
            .into_iter()
            .find(|k| k.id().eq_ignore_ascii_case(&s))
    }
}

/// How bad an annotated point is (optional on an annotation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn from_id(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|k| k.label().eq_ignore_ascii_case(s.trim()))
    }
}

/// The copy of the annotated event kept in the case file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCopy {
    /// RFC 3339 UTC.
    pub ts: String,
    /// The source's path as opened.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub event_id: String,
    /// One-line summary (attacker-influenced: sanitise before display).
    #[serde(default)]
    pub message: String,
}

impl EventCopy {
    /// A copy with `ts` rendered from UTC nanoseconds.
    pub fn new(ts_ns: i64, source: &str, host: &str, event_id: &str, message: &str) -> EventCopy {
        EventCopy {
            ts: format_rfc3339(ts_ns),
            source: source.to_owned(),
            host: host.to_owned(),
            event_id: event_id.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// One annotation. Field order is the file's key order (**contract**).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// 16 lowercase hex chars, or `<id>-conflict-<n>` after a merge conflict.
    pub id: String,
    pub key: EventKey,
    pub event: EventCopy,
    pub kind: Kind,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub author: String,
    /// RFC 3339 UTC.
    pub created: String,
    /// RFC 3339 UTC.
    pub modified: String,
}

/// Process-wide counter so two annotations made in the same nanosecond still differ.
static ID_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Now as UTC nanoseconds (0 if the clock is outside the i64 range, which it is not).
pub(crate) fn now_ns() -> i64 {
    chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
}

/// Now as RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    format_rfc3339(now_ns())
}

impl Annotation {
    /// A new annotation created now, with a fresh id and no severity, tags or note.
    pub fn new(key: EventKey, event: EventCopy, kind: Kind, author: &str) -> Annotation {
        Self::new_at(key, event, kind, author, now_ns())
    }

    /// As `new`, with an explicit creation time (UTC ns): for imports and tests.
    pub fn new_at(
        key: EventKey,
        event: EventCopy,
        kind: Kind,
        author: &str,
        created_ns: i64,
    ) -> Annotation {
        let created = format_rfc3339(created_ns);
        let id = new_id(&key, &created);
        Annotation {
            id,
            key,
            event,
            kind,
            severity: None,
            tags: Vec::new(),
            note: String::new(),
            author: author.to_owned(),
            modified: created.clone(),
            created,
        }
    }

    /// Marks the annotation as edited now. Call before `Case::upsert` of an edited copy.
    pub fn touch(&mut self) {
        self.modified = now_rfc3339();
    }

    /// Adds a tag unless already present (tags compare case-insensitively).
    pub fn add_tag(&mut self, tag: &str) {
        let t = tag.trim();
        if !t.is_empty() && !self.has_tag(t) {
            self.tags.push(t.to_owned());
        }
    }

    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|x| x.eq_ignore_ascii_case(tag))
    }

    /// The file's order: by event time, then id.
    pub(crate) fn order_key(&self) -> (i64, &str) {
        (self.key.ts, &self.id)
    }
}

/// 16 hex chars of sha256(key, created time, pid, counter): unique across analysts without
/// coordination, and stable once written (ids are never recomputed).
fn new_id(key: &EventKey, created: &str) -> String {
    let n = ID_COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut h = Sha256::new();
    for part in [
        key.sha256.as_bytes(),
        key.locator.as_bytes(),
        &key.ts.to_le_bytes(),
        created.as_bytes(),
    ] {
        // Length-prefix each part so ("ab","c") and ("a","bc") hash differently.
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.update(std::process::id().to_le_bytes());
    h.update(n.to_le_bytes());
    let digest = h.finalize();
    hex::encode(digest.get(..8).unwrap_or(&[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> EventKey {
        EventKey {
            sha256: "ab".repeat(32),
            locator: "@120".into(),
            ts: 1_670_090_645_000_000_000,
        }
    }

    #[test]
    fn kind_serialises_kebab_case_and_round_trips() {
        for k in Kind::ALL {
            let s = serde_json::to_string(&k).unwrap();
            assert_eq!(s, format!("\"{}\"", k.id()));
            assert_eq!(serde_json::from_str::<Kind>(&s).unwrap(), k);
            assert_eq!(Kind::from_id(&k.id().to_uppercase()), Some(k));
        }
        assert_eq!(
            Kind::from_id("lateral_movement"),
            Some(Kind::LateralMovement)
        );
        assert_eq!(Kind::from_id("bogus"), None);
        assert!(serde_json::from_str::<Kind>("\"EarlyDetection\"").is_err());
    }

    #[test]
    fn ids_are_16_hex_and_unique_even_at_the_same_instant() {
        let a = Annotation::new_at(key(), EventCopy::default(), Kind::Ioc, "ann", 5);
        let b = Annotation::new_at(key(), EventCopy::default(), Kind::Ioc, "ann", 5);
        assert_eq!(a.id.len(), 16);
        assert!(
            a.id.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a.id, b.id);
        assert_eq!(a.created, "1970-01-01T00:00:00.000000005Z");
        assert_eq!(a.created, a.modified);
    }

    #[test]
    fn tags_are_deduplicated_case_insensitively() {
        let mut a = Annotation::new(key(), EventCopy::default(), Kind::Note, "ann");
        a.add_tag("Mimikatz");
        a.add_tag("mimikatz");
        a.add_tag("  ");
        assert_eq!(a.tags, vec!["Mimikatz".to_string()]);
    }
}
