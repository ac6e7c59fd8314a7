//! The TUI's annotation index: which timeline events carry annotations, owned (no borrow
//! of the case) so that filter workers can hold it in an `Arc` beside the timeline.
//! Rebuilt whenever annotations change or sources merge (event numbers move then).
//! Annotations are matched by `EventKey` (SHA-256 + locator + time), never by row.

use crate::case::{Annotation, Decision, Kind, Review, Severity};
use crate::timeline::Timeline;
use crate::timeline::filter::Marks;
use std::collections::HashMap;

/// What the table, histogram and filter need to know of one annotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkInfo {
    pub id: String,
    pub kind: Kind,
    pub severity: Option<Severity>,
    pub tags: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct AnnIndex {
    /// Event → its annotations, in case order (event time, then id).
    by_event: HashMap<u32, Vec<MarkInfo>>,
    /// Annotated events, ascending (so also in time order).
    events: Vec<u32>,
    /// Annotation id → its event, for the annotations found in the timeline.
    by_id: HashMap<String, u32>,
    /// Event → the decisions that count on it, by candidate id.
    reviews: HashMap<u32, Vec<(String, Decision)>>,
}

impl AnnIndex {
    /// Matches every annotation against the timeline the way exports do
    /// (`case::CaseMarks`: by time and exact key, falling back to SHA-256 + locator when a
    /// changed `--tz`/`--skew` moved the event), and keeps an owned copy of what the UI needs.
    pub fn build(anns: &[Annotation], reviews: &[Review], t: &Timeline) -> AnnIndex {
        let marks = crate::case::CaseMarks::from_annotations(anns, t).with_reviews(reviews, t);
        let mut ix = AnnIndex::default();
        // Matched as annotations are; the latest decision per candidate counts.
        for row in marks.reviewed_rows() {
            let Ok(ev) = u32::try_from(row) else { continue };
            let on: Vec<(String, Decision)> = marks
                .reviews_on_row(row)
                .iter()
                .map(|x| (x.candidate.clone(), x.decision))
                .collect();
            ix.reviews.insert(ev, on);
        }
        for &row in marks.rows() {
            let Ok(ev) = u32::try_from(row) else {
                continue;
            };
            for a in marks.on_row(row) {
                ix.by_event.entry(ev).or_default().push(MarkInfo {
                    id: a.id.clone(),
                    kind: a.kind,
                    severity: a.severity,
                    tags: a.tags.clone(),
                });
                ix.by_id.insert(a.id.clone(), ev);
            }
        }
        ix.events = ix.by_event.keys().copied().collect();
        ix.events.sort_unstable();
        ix
    }

    /// The decision that counts on candidate `id` of event `ev`, if it was reviewed.
    pub fn review(&self, ev: usize, id: &str) -> Option<Decision> {
        let e = u32::try_from(ev).ok()?;
        self.reviews
            .get(&e)?
            .iter()
            .find(|(c, _)| c == id)
            .map(|(_, d)| *d)
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn on(&self, ev: usize) -> &[MarkInfo] {
        u32::try_from(ev)
            .ok()
            .and_then(|e| self.by_event.get(&e))
            .map_or(&[], Vec::as_slice)
    }

    /// Annotated events, ascending.
    pub fn events(&self) -> &[u32] {
        &self.events
    }

    /// The event an annotation is on, if its evidence is loaded.
    pub fn event_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).map(|&e| e as usize)
    }

    /// Two characters for the table's marker column: `!` and the severity's initial for
    /// an early-detection point (`!` alone without severity), `*` for other kinds, `+` after
    /// the first when the event has more than one annotation.
    pub fn marker(&self, ev: usize) -> Option<String> {
        let m = self.on(ev);
        let first = m
            .iter()
            .find(|x| x.kind == Kind::EarlyDetection)
            .or(m.first())?;
        let mut s = String::with_capacity(2);
        if first.kind == Kind::EarlyDetection {
            s.push('!');
            if let Some(sev) = first.severity {
                s.push(severity_letter(sev));
            }
        } else {
            s.push('*');
        }
        if m.len() > 1 && s.len() < 2 {
            s.push('+');
        }
        Some(s)
    }
}

/// `L`, `M`, `H`, `C`.
pub fn severity_letter(s: Severity) -> char {
    match s {
        Severity::Low => 'L',
        Severity::Medium => 'M',
        Severity::High => 'H',
        Severity::Critical => 'C',
    }
}

impl Marks for AnnIndex {
    fn annotated(&self, i: usize) -> bool {
        !self.on(i).is_empty()
    }
    /// `mark:KIND`: the kind id (`early-detection`, `lateral_movement` also accepted);
    /// `*` wildcards as in the rest of the query language.
    fn has_mark(&self, i: usize, kind: &str) -> bool {
        let m = self.on(i);
        if m.is_empty() {
            return false;
        }
        if let Some(k) = Kind::from_id(kind) {
            return m.iter().any(|x| x.kind == k);
        }
        let want = kind.replace('_', "-");
        m.iter().any(|x| wild_eq(&want, x.kind.id()))
    }
    fn has_tag(&self, i: usize, tag: &str) -> bool {
        self.on(i)
            .iter()
            .any(|x| x.tags.iter().any(|t| wild_eq(tag, t)))
    }
    fn reviewed(&self, i: usize) -> bool {
        u32::try_from(i).is_ok_and(|e| self.reviews.contains_key(&e))
    }
    fn dismissed(&self, i: usize) -> bool {
        u32::try_from(i).is_ok_and(|e| {
            self.reviews
                .get(&e)
                .is_some_and(|v| v.iter().any(|(_, d)| *d == Decision::Dismissed))
        })
    }
}

/// Case-insensitive equality with `*` matching any run of characters.
fn wild_eq(pat: &str, s: &str) -> bool {
    let (p, s) = (pat.to_lowercase(), s.to_lowercase());
    if !p.contains('*') {
        return p == s;
    }
    let parts: Vec<&str> = p.split('*').collect();
    let (Some(head), Some(tail)) = (parts.first(), parts.last()) else {
        return false;
    };
    if !s.starts_with(head) || s.len() < head.len() + tail.len() || !s.ends_with(tail) {
        return false;
    }
    let mut rest = &s[head.len()..s.len() - tail.len()];
    for mid in parts.iter().skip(1).take(parts.len().saturating_sub(2)) {
        match rest.find(mid) {
            Some(at) => rest = &rest[at + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::EventCopy;

    #[test]
    fn wildcards() {
        assert!(wild_eq("mimi*", "Mimikatz"));
        assert!(wild_eq("*katz", "mimikatz"));
        assert!(wild_eq("m*k*z", "mimikatz"));
        assert!(!wild_eq("m*q*z", "mimikatz"));
        assert!(!wild_eq("ab*ba", "aba"));
        assert!(wild_eq("exact", "EXACT"));
        assert!(!wild_eq("exact", "exactly"));
    }

    #[test]
    fn index_finds_events_by_key_and_ignores_missing_ones() {
        let t = Timeline::from_test_lines(&[(
            "a.log",
            "2022-12-03T18:00:00Z|H|1|one|\n2022-12-03T18:00:00Z|H|2|two|\n",
        )]);
        let k1 = t.key(1).unwrap();
        let mut a = Annotation::new(k1.clone(), EventCopy::default(), Kind::EarlyDetection, "x");
        a.severity = Some(Severity::High);
        a.tags = vec!["Mimikatz".into()];
        let mut gone = k1.clone();
        gone.locator = "@999".into();
        let b = Annotation::new(gone, EventCopy::default(), Kind::Ioc, "x");
        let ix = AnnIndex::build(&[a.clone(), b.clone()], &[], &t);
        assert_eq!(ix.events(), &[1]);
        assert_eq!(ix.marker(1).as_deref(), Some("!H"));
        assert_eq!(ix.marker(0), None);
        assert_eq!(ix.event_of(&a.id), Some(1));
        assert_eq!(ix.event_of(&b.id), None);
        assert!(ix.annotated(1) && !ix.annotated(0));
        assert!(ix.has_mark(1, "early-detection") && ix.has_mark(1, "EARLY_DETECTION"));
        assert!(ix.has_mark(1, "early*") && !ix.has_mark(1, "ioc"));
        assert!(ix.has_tag(1, "mimikatz") && ix.has_tag(1, "mimi*") && !ix.has_tag(1, "x"));
    }
}
