//! "Which values does this field take, and how often?" over the rows shown: the answer
//! behind `c`/`:top FIELD` and behind Tab completion of values. Runs on a worker, in
//! parallel blocks, cancellable; reads what it can without parsing events: the host and
//! the source from the index entry, normalised fields from the free-text index's columns,
//! EVTX fields from their stored symbols. Values equal but for ASCII case are one value
//! (as `FIELD:VALUE` matches them), shown in their most frequent spelling.

use crate::model::Norm;
use crate::timeline::Timeline;
use crate::timeline::textindex::Prepared;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The values of a field with their counts, most frequent first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub field: String,
    pub values: Vec<(String, u64)>,
    /// Events looked at.
    pub events: usize,
    /// Events without the field.
    pub without: u64,
}

/// How a field is read.
enum Reader {
    Host,
    Source,
    Format,
    Norm(Norm),
    Raw(String),
}

fn reader(field: &str) -> Reader {
    match field.to_ascii_lowercase().as_str() {
        "host" => Reader::Host,
        "source" => Reader::Source,
        "format" => Reader::Format,
        n => match Norm::from_name(n) {
            Some(n) => Reader::Norm(n),
            None => Reader::Raw(field.to_string()),
        },
    }
}

/// Event `i`'s value of the field.
fn value<'a>(
    t: &'a Timeline,
    prep: Option<&'a Prepared<'a>>,
    r: &Reader,
    i: usize,
) -> Option<Cow<'a, str>> {
    match r {
        Reader::Host => Some(t.host(i)).filter(|h| !h.is_empty()),
        Reader::Source => t.source_of(i).map(|s| Cow::Borrowed(s.label.as_str())),
        Reader::Format => t.source_of(i).map(|s| Cow::Borrowed(s.format())),
        Reader::Norm(n) => {
            if let Some(v) = prep.and_then(|p| p.norm(i, *n)) {
                return v;
            }
            let f = t.fields_for(i, *n == Norm::Message);
            match f.get(*n) {
                Some(v) => Some(Cow::Owned(v.to_string())),
                None if *n == Norm::Message => {
                    Some(Cow::Owned(crate::timeline::generic_message(&f)))
                }
                None => None,
            }
        }
        Reader::Raw(name) => {
            if let Some(v) = prep.and_then(|p| p.raw_field(i, name)) {
                return v;
            }
            t.fields_for(i, false)
                .raw(name)
                .map(|v| Cow::Owned(v.to_string()))
        }
    }
}

/// A block's values with their counts, and how many events lacked the field.
type Tally<'a> = (FxHashMap<Cow<'a, str>, u64>, u64);

/// Rows per parallel block.
const BLOCK: usize = 16_384;

/// Counts the values of `field` over `rows` (positions in the timeline; `None`: every
/// event). `None` when `cancel` is set midway; `done` counts events looked at.
pub fn count(
    t: &Timeline,
    rows: Option<&[u32]>,
    field: &str,
    cancel: &AtomicBool,
    done: &AtomicUsize,
) -> Option<Counts> {
    let r = reader(field);
    let prep = t.text_index().map(|idx| idx.prepare(t, &[]));
    let n = rows.map_or(t.len(), <[u32]>::len);
    let event = |k: usize| rows.map_or(k, |v| v[k] as usize);
    let blocks: Vec<Option<Tally<'_>>> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
            let mut m: FxHashMap<Cow<'_, str>, u64> = FxHashMap::default();
            let mut without = 0;
            for k in lo..hi {
                match value(t, prep.as_ref(), &r, event(k)) {
                    Some(v) => *m.entry(v).or_default() += 1,
                    None => without += 1,
                }
            }
            done.fetch_add(hi - lo, Ordering::Relaxed);
            Some((m, without))
        })
        .collect();
    let mut all: FxHashMap<Cow<'_, str>, u64> = FxHashMap::default();
    let mut without = 0;
    for b in blocks {
        let (m, w) = b?;
        without += w;
        for (k, c) in m {
            *all.entry(k).or_default() += c;
        }
    }
    // Spellings that differ only in case are one value, named by the most frequent.
    let mut folded: FxHashMap<String, (u64, u64, String)> = FxHashMap::default();
    for (k, c) in all {
        let e = folded
            .entry(k.to_ascii_lowercase())
            .or_insert_with(|| (0, 0, k.to_string()));
        e.0 += c;
        if c > e.1 || (c == e.1 && *k < *e.2) {
            e.1 = c;
            e.2 = k.into_owned();
        }
    }
    let mut values: Vec<(String, u64)> = folded.into_values().map(|(n, _, v)| (v, n)).collect();
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Some(Counts {
        field: field.to_string(),
        values,
        events: n,
        without,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(t: &Timeline, rows: Option<&[u32]>, field: &str) -> Counts {
        count(
            t,
            rows,
            field,
            &AtomicBool::new(false),
            &AtomicUsize::new(0),
        )
        .unwrap()
    }

    #[test]
    fn values_are_counted_with_and_without_the_index() {
        let text = "\
2022-01-01T00:00:00Z|dc1|4624|a|user=alice;dst_port=443
2022-01-01T00:00:01Z|DC1|4625|b|user=bob
2022-01-01T00:00:02Z|dc1|4624|c|user=Alice
2022-01-01T00:00:03Z|fw||d|action=allow;dst_port=443
";
        let t = Timeline::from_test_lines(&[("a.log", text)]);
        for indexed in [false, true] {
            if indexed {
                assert!(t.build_text_index(&AtomicBool::new(false), &AtomicUsize::new(0)));
            }
            let c = run(&t, None, "user");
            assert_eq!(
                c.values,
                [("Alice".to_string(), 2), ("bob".to_string(), 1)],
                "{indexed}"
            );
            assert_eq!((c.events, c.without), (4, 1));
            let c = run(&t, None, "host");
            assert_eq!(c.values, [("dc1".to_string(), 3), ("fw".to_string(), 1)]);
            let c = run(&t, Some(&[0, 3]), "dst_port");
            assert_eq!(c.values, [("443".to_string(), 2)]);
            let c = run(&t, None, "event_id");
            assert_eq!(c.values[0], ("4624".to_string(), 2));
            assert_eq!(run(&t, None, "source").values, [("a.log".to_string(), 4)]);
        }
        let cancel = AtomicBool::new(true);
        assert!(count(&t, None, "user", &cancel, &AtomicUsize::new(0)).is_none());
    }
}
