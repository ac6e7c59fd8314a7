//! `CaseMarks`: where a case's annotations sit in a loaded timeline.
//!
//! Annotations are keyed by `EventKey` (source SHA-256 + locator + time), never by row, so
//! after every ingest they are matched again: by SHA-256 and locator, with the time as a
//! tie-check when the same evidence is loaded twice. Annotations whose event is not in the
//! timeline (source missing, changed, or not given this time) are listed apart so exports
//! and reports can still show them from the event copy the case file keeps.

use super::annotation::Annotation;
use super::review::{Decision, Review};
use super::session::Case;
use crate::model::EventKey;
use crate::timeline::Timeline;
use crate::timeline::filter::Marks;
use std::collections::HashMap;

/// One annotated event that is not in the loaded timeline, with every annotation on it.
#[derive(Debug)]
pub struct MissingEvent<'c> {
    pub key: &'c EventKey,
    /// Oldest first (creation time, then id); never empty.
    pub annotations: Vec<&'c Annotation>,
}

impl<'c> MissingEvent<'c> {
    /// The first annotation, whose event copy stands for the event.
    pub fn first(&self) -> Option<&'c Annotation> {
        self.annotations.first().copied()
    }
}

/// A case's annotations indexed by timeline row.
#[derive(Debug, Default)]
pub struct CaseMarks<'c> {
    /// Row → annotations on it, oldest first.
    by_row: HashMap<usize, Vec<&'c Annotation>>,
    /// Annotated rows, ascending.
    rows: Vec<usize>,
    /// Annotated events not found in the timeline, by time.
    missing: Vec<MissingEvent<'c>>,
    /// Row → the decision that counts for each candidate reviewed on it.
    reviews: HashMap<usize, Vec<&'c Review>>,
}

impl<'c> CaseMarks<'c> {
    /// Matches every annotation of an open case against the timeline.
    pub fn new(case: &'c Case, t: &Timeline) -> CaseMarks<'c> {
        Self::from_annotations(case.annotations(), t).with_reviews(case.reviews(), t)
    }

    /// Adds candidate reviews (`reviewed`, `dismissed`), matched to rows as annotations
    /// are. Where one (event, candidate) has several reviews (a merge kept a conflict),
    /// the latest counts.
    pub fn with_reviews(mut self, reviews: &'c [Review], t: &Timeline) -> CaseMarks<'c> {
        for (group, rows) in rows_by_event(reviews, |r| &r.key, t) {
            let mut latest: Vec<&'c Review> = Vec::new();
            for r in group {
                match latest.iter_mut().find(|x| x.candidate == r.candidate) {
                    Some(x) if x.at < r.at => *x = r,
                    Some(_) => {}
                    None => latest.push(r),
                }
            }
            for row in rows {
                self.reviews.entry(row).or_default().extend(&latest);
            }
        }
        self
    }

    /// Rows with a review, in no particular order.
    pub fn reviewed_rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.reviews.keys().copied()
    }

    /// The candidate reviews that count on row `i` (one per candidate).
    pub fn reviews_on_row(&self, i: usize) -> &[&'c Review] {
        self.reviews.get(&i).map(Vec::as_slice).unwrap_or(&[])
    }

    /// As `new`, from any list of annotations (a loaded `CaseFile`, a merge result).
    pub fn from_annotations(anns: &'c [Annotation], t: &Timeline) -> CaseMarks<'c> {
        let mut by_row: HashMap<usize, Vec<&'c Annotation>> = HashMap::new();
        let mut missing: Vec<MissingEvent<'c>> = Vec::new();
        for (mut group, rows) in rows_by_event(anns, |a| &a.key, t) {
            // Oldest annotation first, so `annotation` in exports is stable.
            group.sort_by_cached_key(|a| (created_ns(a), a.id.clone()));
            if rows.is_empty() {
                if let Some(first) = group.first() {
                    missing.push(MissingEvent {
                        key: &first.key,
                        annotations: group,
                    });
                }
                continue;
            }
            for r in rows {
                by_row.entry(r).or_default().extend(group.iter().copied());
            }
        }
        missing.sort_by(|a, b| {
            (a.key.ts, &a.key.sha256, &a.key.locator).cmp(&(
                b.key.ts,
                &b.key.sha256,
                &b.key.locator,
            ))
        });
        let mut rows: Vec<usize> = by_row.keys().copied().collect();
        rows.sort_unstable();
        CaseMarks {
            by_row,
            rows,
            missing,
            reviews: HashMap::new(),
        }
    }

    /// Annotations on row `i` (empty when none), oldest first.
    pub fn on_row(&self, i: usize) -> &[&'c Annotation] {
        self.by_row.get(&i).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Annotated rows, ascending.
    pub fn rows(&self) -> &[usize] {
        &self.rows
    }

    /// Annotated events absent from the timeline, by time.
    pub fn missing(&self) -> &[MissingEvent<'c>] {
        &self.missing
    }

    /// Number of annotations matched to at least one row.
    pub fn matched(&self) -> usize {
        let mut ids: Vec<&str> = self
            .by_row
            .values()
            .flatten()
            .map(|a| a.id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

/// Creation time for ordering; unparsable times sort last.
fn created_ns(a: &Annotation) -> i64 {
    chrono::DateTime::parse_from_rfc3339(&a.created)
        .ok()
        .and_then(|d| d.timestamp_nanos_opt())
        .unwrap_or(i64::MAX)
}

/// `items` grouped by event identity without the time (SHA-256, locator), in the order
/// first seen, each group with its timeline rows (`find_rows`).
fn rows_by_event<'c, T>(
    items: &'c [T],
    key: impl Fn(&'c T) -> &'c EventKey,
    t: &Timeline,
) -> Vec<(Vec<&'c T>, Vec<usize>)> {
    let mut ids: HashMap<(String, &str), usize> = HashMap::new();
    let mut groups: Vec<Vec<&'c T>> = Vec::new();
    for x in items {
        let k = key(x);
        let id = (k.sha256.to_ascii_lowercase(), k.locator.as_str());
        let g = *ids.entry(id).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        if let Some(v) = groups.get_mut(g) {
            v.push(x);
        }
    }
    let times: Vec<Vec<i64>> = groups
        .iter()
        .map(|g| g.iter().map(|x| key(x).ts).collect())
        .collect();
    let rows_of = find_rows(&ids, &times, t);
    groups.into_iter().zip(rows_of).collect()
}

/// The timeline rows of each event identity `ids` (lowercase SHA-256, locator → group
/// number), given the times its keys carry (`times[group]`).
///
/// Fast path: the timeline is sorted by time, so look only at the rows at each recorded
/// time. Slow path for the rest: the event is in a loaded source but at another time
/// (re-ingested with another --tz or --skew); only the sources those keys name are
/// scanned, once.
fn find_rows(
    ids: &HashMap<(String, &str), usize>,
    times: &[Vec<i64>],
    t: &Timeline,
) -> Vec<Vec<usize>> {
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); times.len()];
    for ((sha, loc), &g) in ids {
        let (Some(found), Some(ts)) = (rows_of.get_mut(g), times.get(g)) else {
            continue;
        };
        let mut ts = ts.clone();
        ts.sort_unstable();
        ts.dedup();
        for ts in ts {
            let mut i = t.lower_bound(ts);
            while t.events.get(i).is_some_and(|e| e.ts == ts) {
                if t.key(i)
                    .is_some_and(|k| k.locator == *loc && k.sha256.eq_ignore_ascii_case(sha))
                {
                    found.push(i);
                }
                i += 1;
            }
        }
    }
    let pending: HashMap<(&str, &str), usize> = ids
        .iter()
        .filter(|(_, g)| rows_of.get(**g).is_some_and(Vec::is_empty))
        .map(|((h, l), g)| ((h.as_str(), *l), *g))
        .collect();
    let relevant: Vec<bool> = t
        .sources
        .iter()
        .map(|s| {
            // A Parquet source's events name their original evidence, not the file.
            s.format() == crate::ingest::parquet::ID
                || pending
                    .keys()
                    .any(|(h, _)| s.report.sha256.eq_ignore_ascii_case(h))
        })
        .collect();
    // Nothing pending (no annotations, or all found at their time): no key to read.
    if !pending.is_empty() && relevant.contains(&true) {
        for (i, e) in t.events.iter().enumerate() {
            if !relevant.get(e.source as usize).copied().unwrap_or(false) {
                continue;
            }
            let Some(k) = t.key(i) else { continue };
            let sha = k.sha256.to_ascii_lowercase();
            if let Some(&g) = pending.get(&(sha.as_str(), k.locator.as_str()))
                && let Some(v) = rows_of.get_mut(g)
            {
                v.push(i);
            }
        }
    }
    rows_of
}

impl Marks for CaseMarks<'_> {
    fn annotated(&self, i: usize) -> bool {
        self.by_row.contains_key(&i)
    }
    fn has_mark(&self, i: usize, kind: &str) -> bool {
        self.on_row(i)
            .iter()
            .any(|a| a.kind.id().eq_ignore_ascii_case(kind))
    }
    fn has_tag(&self, i: usize, tag: &str) -> bool {
        self.on_row(i).iter().any(|a| a.has_tag(tag))
    }
    fn reviewed(&self, i: usize) -> bool {
        self.reviews.contains_key(&i)
    }
    fn dismissed(&self, i: usize) -> bool {
        self.reviews_on_row(i)
            .iter()
            .any(|r| r.decision == Decision::Dismissed)
    }
}
