//! Candidate reviews (DESIGN §8, issue 14): what an analyst decided about one
//! early-detection candidate on one event — accepted (an early-detection annotation was
//! made from it) or dismissed — so that a colleague does not review it twice.
//!
//! A review is identified by its event and its candidate id (a Sigma rule id, or an
//! analyzer id such as `first-seen:process`). Within one case a new decision on the same
//! pair replaces the old one; `vigil merge` keeps both sides' decisions when they differ
//! and reports the conflict.

use crate::model::EventKey;
use serde::{Deserialize, Serialize};

/// What was decided (serialised lowercase, **contract**).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Accepted,
    Dismissed,
}

impl Decision {
    pub fn id(self) -> &'static str {
        match self {
            Decision::Accepted => "accepted",
            Decision::Dismissed => "dismissed",
        }
    }
}

/// One review. Field order is the file's key order (**contract**).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub key: EventKey,
    /// The candidate's id: a Sigma rule id, or an analyzer id (`tamper:log-cleared`).
    pub candidate: String,
    pub decision: Decision,
    #[serde(default)]
    pub author: String,
    /// RFC 3339 UTC.
    pub at: String,
}

impl Review {
    /// Whether this review is about `key`'s event and `candidate` (the key's time is part
    /// of it, as for annotations; SHA-256 compares case-insensitively).
    pub fn is_about(&self, key: &EventKey, candidate: &str) -> bool {
        self.candidate == candidate && same_key(&self.key, key)
    }

    /// The file's order: by event time, then place, then candidate, then time of review.
    pub(crate) fn order_key(&self) -> (i64, &str, &str, &str, &str) {
        (
            self.key.ts,
            &self.key.locator,
            &self.key.sha256,
            &self.candidate,
            &self.at,
        )
    }
}

pub(crate) fn same_key(a: &EventKey, b: &EventKey) -> bool {
    a.ts == b.ts && a.locator == b.locator && a.sha256.eq_ignore_ascii_case(&b.sha256)
}

/// The decision that counts for `(key, candidate)` among `reviews`: the latest (by `at`,
/// RFC 3339 UTC text, which orders as time); after a merge conflict both are kept and the
/// later one wins until someone reviews again.
pub fn effective<'r>(reviews: &'r [Review], key: &EventKey, candidate: &str) -> Option<&'r Review> {
    reviews
        .iter()
        .filter(|r| r.is_about(key, candidate))
        .max_by(|a, b| a.at.cmp(&b.at))
}

/// Sorts reviews in the file's stable order.
pub(crate) fn normalise(reviews: &mut [Review]) {
    reviews.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
}

/// Replaces every review of `r`'s (event, candidate) with `r`, keeping the file's order.
pub(crate) fn put(reviews: &mut Vec<Review>, r: Review) {
    reviews.retain(|x| !x.is_about(&r.key, &r.candidate));
    reviews.push(r);
    normalise(reviews);
}

/// One (event, candidate) decided differently in two merged files: both are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewConflict {
    pub key: EventKey,
    pub candidate: String,
    /// (decision, author) of the first file's review and of the second's.
    pub first: (Decision, String),
    pub second: (Decision, String),
}

/// What merging reviews did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewMerge {
    /// Reviews only the second file had.
    pub added: usize,
    /// Reviews both had with the same decision (the first file's copy is kept).
    pub identical: usize,
    pub conflicts: Vec<ReviewConflict>,
}

/// Merges `incoming` into `out`: new (event, candidate) pairs are added; the same decision
/// is kept once; a different decision is kept beside the existing one and reported.
/// Merging the same file twice changes nothing the second time.
pub(crate) fn merge_into(out: &mut Vec<Review>, incoming: &[Review]) -> ReviewMerge {
    let mut rep = ReviewMerge::default();
    for inc in incoming {
        let same: Vec<&Review> = out
            .iter()
            .filter(|x| x.is_about(&inc.key, &inc.candidate))
            .collect();
        if same.is_empty() {
            out.push(inc.clone());
            rep.added += 1;
            continue;
        }
        if same.iter().any(|x| x.decision == inc.decision) {
            rep.identical += 1;
            continue;
        }
        if let Some(first) = same.first() {
            rep.conflicts.push(ReviewConflict {
                key: inc.key.clone(),
                candidate: inc.candidate.clone(),
                first: (first.decision, first.author.clone()),
                second: (inc.decision, inc.author.clone()),
            });
        }
        out.push(inc.clone());
    }
    normalise(out);
    rep
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(loc: &str, ts: i64) -> EventKey {
        EventKey {
            sha256: "ab".repeat(32),
            locator: loc.into(),
            ts,
        }
    }

    fn rev(loc: &str, cand: &str, d: Decision, who: &str, at: &str) -> Review {
        Review {
            key: key(loc, 5),
            candidate: cand.into(),
            decision: d,
            author: who.into(),
            at: at.into(),
        }
    }

    #[test]
    fn serialises_with_the_contract_names() {
        let r = rev(
            "0:12",
            "tamper:log-cleared",
            Decision::Dismissed,
            "ann",
            "2026-03-15T10:00:00Z",
        );
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["decision"], "dismissed");
        assert_eq!(v["candidate"], "tamper:log-cleared");
        assert_eq!(v["key"]["locator"], "0:12");
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 5, "{keys:?}");
        assert_eq!(serde_json::from_value::<Review>(v).unwrap(), r);
    }

    #[test]
    fn put_replaces_the_same_event_and_candidate_only() {
        let mut v = Vec::new();
        put(&mut v, rev("0:1", "a", Decision::Dismissed, "x", "1"));
        put(&mut v, rev("0:1", "b", Decision::Dismissed, "x", "1"));
        put(&mut v, rev("0:1", "a", Decision::Accepted, "y", "2"));
        assert_eq!(v.len(), 2);
        let k = key("0:1", 5);
        assert_eq!(
            effective(&v, &k, "a").map(|r| r.decision),
            Some(Decision::Accepted)
        );
        assert_eq!(
            effective(&v, &k, "b").map(|r| r.decision),
            Some(Decision::Dismissed)
        );
        assert!(effective(&v, &key("0:2", 5), "a").is_none());
        assert!(
            effective(&v, &key("0:1", 6), "a").is_none(),
            "time is part of the key"
        );
    }

    #[test]
    fn merge_keeps_conflicts_and_is_idempotent() {
        let a = vec![
            rev(
                "0:1",
                "r1",
                Decision::Accepted,
                "ann",
                "2026-03-15T10:00:00Z",
            ),
            rev(
                "0:2",
                "r2",
                Decision::Dismissed,
                "ann",
                "2026-03-15T10:01:00Z",
            ),
        ];
        let b = vec![
            // same decision, other author: one is enough
            rev(
                "0:1",
                "r1",
                Decision::Accepted,
                "bob",
                "2026-03-15T11:00:00Z",
            ),
            // other decision: both kept
            rev(
                "0:2",
                "r2",
                Decision::Accepted,
                "bob",
                "2026-03-15T11:01:00Z",
            ),
            rev(
                "0:3",
                "r3",
                Decision::Dismissed,
                "bob",
                "2026-03-15T11:02:00Z",
            ),
        ];
        let mut out = a.clone();
        let rep = merge_into(&mut out, &b);
        assert_eq!((rep.added, rep.identical, rep.conflicts.len()), (1, 1, 1));
        let c = &rep.conflicts[0];
        assert_eq!(c.first, (Decision::Dismissed, "ann".to_string()));
        assert_eq!(c.second, (Decision::Accepted, "bob".to_string()));
        assert_eq!(out.len(), 4);
        // The later decision counts until someone reviews again.
        let k2 = key("0:2", 5);
        assert_eq!(
            effective(&out, &k2, "r2").map(|r| r.author.as_str()),
            Some("bob")
        );
        let again = merge_into(&mut out, &b);
        assert_eq!((again.added, again.conflicts.len()), (0, 0));
        assert_eq!(out.len(), 4);
    }
}
