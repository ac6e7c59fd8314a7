//! Which field names the loaded evidence has, so a query naming a field nothing has
//! (`usr:alice`, `dstport>80`) gets a warning instead of a silent zero.

use super::{Query, QueryError};
use crate::model::Norm;
use crate::timeline::Timeline;
use rayon::prelude::*;
use std::collections::HashMap;

/// Events read per source. Sources up to this size are read whole; larger ones evenly
/// across their length (a field only a handful of events in millions carry may be missed:
/// the result is a warning, never a refusal).
const PER_SOURCE: usize = 20_000;

/// Names a query term may use that are not per-event fields (record flags included:
/// `recovered:true` and `bad_time` are answered from the event, not its fields).
pub(crate) const EVENT_LEVEL: [&str; 11] = [
    "source",
    "format",
    "ts",
    "host",
    "message",
    "after",
    "before",
    "mark",
    "tag",
    "recovered",
    "bad_time",
];

/// The field names present in a timeline: normalised fields that are set on some event,
/// and the sources' own field names (lowercase → as first seen).
#[derive(Debug, Clone, Default)]
pub struct FieldNames {
    names: HashMap<String, String>,
    events: usize,
}

impl FieldNames {
    /// Collects the names from the loaded events (see `PER_SOURCE`), in parallel.
    pub fn of_timeline(t: &Timeline) -> FieldNames {
        let mut count = vec![0usize; t.sources.len()];
        for e in &t.events {
            if let Some(c) = count.get_mut(e.source as usize) {
                *c += 1;
            }
        }
        let stride: Vec<usize> = count
            .iter()
            .map(|&n| n.div_ceil(PER_SOURCE).max(1))
            .collect();
        let mut seen = vec![0usize; t.sources.len()];
        let picked: Vec<usize> = t
            .events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let s = e.source as usize;
                let k = seen.get_mut(s)?;
                *k += 1;
                ((*k - 1) % stride.get(s).copied().unwrap_or(1) == 0).then_some(i)
            })
            .collect();
        let names = picked
            .par_iter()
            .fold(HashMap::new, |mut acc: HashMap<String, String>, &i| {
                let f = t.fields_for(i, false);
                for (n, _) in f.norm_iter() {
                    if !acc.contains_key(n.name()) {
                        acc.insert(n.name().to_owned(), n.name().to_owned());
                    }
                }
                for (k, _) in &f.raw {
                    acc.entry(k.to_lowercase()).or_insert_with(|| k.to_string());
                }
                acc
            })
            .reduce(HashMap::new, |mut a, b| {
                for (k, v) in b {
                    a.entry(k).or_insert(v);
                }
                a
            });
        FieldNames {
            names,
            events: picked.len(),
        }
    }

    /// From a list of names (tests, or a caller that knows its fields).
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> FieldNames {
        let names: HashMap<String, String> = names
            .into_iter()
            .map(|n| (n.to_lowercase(), n.to_owned()))
            .collect();
        FieldNames {
            events: usize::from(!names.is_empty()),
            names,
        }
    }

    /// Every name, as first seen (for completion).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.values().map(String::as_str)
    }

    /// Whether some loaded event has the field (case-insensitive).
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains_key(&name.to_lowercase())
    }

    /// The closest known name, for "did you mean".
    fn suggest(&self, name: &str) -> Option<&str> {
        let n = name.to_lowercase();
        let squash = |s: &str| s.replace(['_', '-', '.'], "");
        self.names
            .iter()
            .map(|(k, shown)| {
                let d = if squash(k) == squash(&n) {
                    0
                } else {
                    distance(k, &n)
                };
                (d, shown)
            })
            .filter(|(d, _)| *d <= 2 && n.chars().count() > 2)
            .min()
            .map(|(_, k)| k.as_str())
    }
}

/// Levenshtein distance over chars (names are short).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(c) = cur.get_mut(j + 1) {
                *c = sub.min(del).min(ins);
            }
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

impl Query {
    /// Field terms naming a field no loaded event has: one warning each (same `col` and
    /// message shape as a `QueryError`: "column 3: no loaded source has field `usr`").
    /// Empty when nothing is loaded.
    pub fn unknown_fields(&self, known: &FieldNames) -> Vec<QueryError> {
        if known.events == 0 {
            return Vec::new();
        }
        let mut out: Vec<QueryError> = Vec::new();
        for (name, col) in self.field_terms() {
            let lname = name.to_lowercase();
            if EVENT_LEVEL.contains(&lname.as_str()) || known.contains(&lname) {
                continue;
            }
            if out.iter().any(|w| w.msg.contains(&format!("`{name}`"))) {
                continue;
            }
            let kind = if Norm::from_name(&lname).is_some() {
                "no loaded event has"
            } else {
                "no loaded source has field"
            };
            let mut msg = format!("{kind} `{name}`");
            if let Some(s) = known.suggest(&lname) {
                msg.push_str(&format!(" (did you mean `{s}`?)"));
            }
            out.push(QueryError { col: *col, msg });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TzSpec;

    #[test]
    fn unknown_names_warn_with_their_column_and_a_suggestion() {
        let known = FieldNames::from_names(["user", "event_id", "LogonType", "src_ip"]);
        let q = Query::parse(
            "usr:alice AND event_id:4624 LogonType:3 dstport>80",
            &TzSpec::Utc,
        )
        .unwrap();
        let w = q.unknown_fields(&known);
        let shown: Vec<String> = w.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "column 1: no loaded source has field `usr` (did you mean `user`?)",
                "column 41: no loaded source has field `dstport`",
            ]
        );
        let none =
            Query::parse("after:2022-01-01 mark:ioc source:*fw* host:x", &TzSpec::Utc).unwrap();
        assert!(none.unknown_fields(&known).is_empty());
        assert!(q.unknown_fields(&FieldNames::default()).is_empty());
        // Record flags are no source field: never "no loaded source has field".
        let flags =
            Query::parse("recovered:true OR bad_time OR BAD_TIME:true", &TzSpec::Utc).unwrap();
        assert!(flags.unknown_fields(&known).is_empty());
    }

    #[test]
    fn a_normalised_field_no_event_carries_is_named_as_such() {
        let known = FieldNames::from_names(["src_ip"]);
        let q = Query::parse("user:alice", &TzSpec::Utc).unwrap();
        let w = q.unknown_fields(&known);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].to_string(), "column 1: no loaded event has `user`");
    }
}
