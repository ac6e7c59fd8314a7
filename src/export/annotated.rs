//! What an export writes, line by line, once a case is loaded: timeline rows (with their
//! annotations) and annotated events whose evidence is not loaded (from the event copy in
//! the case file, marked `"evidence":"missing"`), merged in time order.

use crate::case::{Annotation, CaseFile, CaseMarks, MissingEvent};
use crate::query::{Query, Subject};
use crate::timeline::Timeline;
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::collections::HashMap;

/// One output line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// A timeline row.
    Row(usize),
    /// Index into `CaseMarks::missing()`.
    Missing(usize),
}

/// The case side of an export: annotations by row, and the case's source list to name
/// the format of events whose evidence is missing.
pub struct Annotated<'a, 'c> {
    pub marks: &'a CaseMarks<'c>,
    /// sha256 → format id, then path → format id, from the case's source list.
    formats: HashMap<String, String>,
}

impl<'a, 'c> Annotated<'a, 'c> {
    pub fn new(marks: &'a CaseMarks<'c>, file: &CaseFile) -> Self {
        let mut formats = HashMap::new();
        for s in &file.sources {
            if !s.format.is_empty() {
                formats.insert(s.path.clone(), s.format.clone());
                formats.insert(s.sha256.to_ascii_lowercase(), s.format.clone());
            }
        }
        Annotated { marks, formats }
    }

    /// Annotations on row `i`.
    pub fn on_row(&self, i: usize) -> &[&'c Annotation] {
        self.marks.on_row(i)
    }

    pub fn missing(&self, m: usize) -> Option<&MissingEvent<'c>> {
        self.marks.missing().get(m)
    }

    /// The format id recorded in the case for a missing event's source ("" if unknown).
    pub fn missing_format(&self, m: &MissingEvent<'_>) -> &str {
        let by_hash = self.formats.get(&m.key.sha256.to_ascii_lowercase());
        let by_path = m.first().and_then(|a| self.formats.get(&a.event.source));
        by_hash.or(by_path).map(String::as_str).unwrap_or("")
    }
}

/// The jsonl `annotation` object (**contract** keys).
pub fn annotation_json(a: &Annotation) -> Value {
    json!({
        "id": a.id,
        "kind": a.kind.id(),
        "severity": a.severity.map(|s| s.label()),
        "tags": a.tags,
        "note": a.note,
        "author": a.author,
        "created": a.created,
        "modified": a.modified,
    })
}

/// Adds `annotation` (the oldest annotation on the event) and, when the event carries
/// several, `annotations` (all of them), so `.annotation.kind` always works in jq and
/// nothing is lost.
pub fn add_annotations(m: &mut Map<String, Value>, anns: &[&Annotation]) {
    if let Some(first) = anns.first() {
        m.insert("annotation".into(), annotation_json(first));
    }
    if anns.len() > 1 {
        let all = anns.iter().map(|a| annotation_json(a)).collect();
        m.insert("annotations".into(), Value::Array(all));
    }
}

/// CSV columns added when a case is loaded.
pub const CSV_COLUMNS: [&str; 6] = [
    "annotation_kind",
    "annotation_severity",
    "annotation_tags",
    "annotation_note",
    "annotation_author",
    "evidence",
];

/// The CSV cells of `CSV_COLUMNS` (before `safe_cell`). Several annotations on one event
/// are joined with " | "; the tags of one annotation with ",".
pub fn csv_cells(anns: &[&Annotation], missing: bool) -> Vec<String> {
    let join = |f: &dyn Fn(&Annotation) -> String| {
        anns.iter().map(|a| f(a)).collect::<Vec<_>>().join(" | ")
    };
    vec![
        join(&|a| a.kind.id().to_owned()),
        join(&|a| a.severity.map(|s| s.label()).unwrap_or("").to_owned()),
        join(&|a| a.tags.join(",")),
        join(&|a| a.note.clone()),
        join(&|a| a.author.clone()),
        if missing {
            "missing".into()
        } else {
            String::new()
        },
    ]
}

/// Which annotated events whose evidence is not loaded become lines (from the event copy
/// the case file keeps).
#[derive(Clone, Copy, Debug)]
pub enum MissingLines<'q> {
    None,
    All,
    /// Those the query accepts (the export's filter: it applies to the copies too).
    Matching(&'q Query),
}

/// The lines to write: `rows` (ascending timeline rows already filtered), restricted to
/// annotated ones when `annotated_only`, merged by time with the missing-evidence events
/// `missing` selects. Without a case this is just `rows`.
pub fn plan(
    t: &Timeline,
    rows: Vec<usize>,
    ann: Option<&Annotated<'_, '_>>,
    annotated_only: bool,
    missing: MissingLines<'_>,
) -> Vec<Item> {
    let Some(ann) = ann else {
        return rows.into_iter().map(Item::Row).collect();
    };
    let rows: Vec<usize> = if annotated_only {
        rows.into_iter()
            .filter(|&i| !ann.on_row(i).is_empty())
            .collect()
    } else {
        rows
    };
    let missing: Vec<(i64, usize)> = ann
        .marks
        .missing()
        .iter()
        .enumerate()
        .filter(|(_, m)| match missing {
            MissingLines::None => false,
            MissingLines::All => true,
            MissingLines::Matching(q) => q.is_empty() || q.matches(&CopySubject(m)),
        })
        .map(|(k, m)| (m.key.ts, k))
        .collect();
    let mut out = Vec::with_capacity(rows.len() + missing.len());
    let mut mi = missing.into_iter().peekable();
    for i in rows {
        let ts = t.events.get(i).map(|e| e.ts).unwrap_or(i64::MIN);
        while let Some((_, k)) = mi.next_if(|(mts, _)| *mts < ts) {
            out.push(Item::Missing(k));
        }
        out.push(Item::Row(i));
    }
    out.extend(mi.map(|(_, k)| Item::Missing(k)));
    out
}

/// A missing-evidence event as the query language sees it: the fields of its event copy
/// and its annotations.
struct CopySubject<'m, 'c>(&'m MissingEvent<'c>);

impl Subject for CopySubject<'_, '_> {
    fn ts(&self) -> i64 {
        self.0.key.ts
    }

    fn field(&self, name: &str) -> Option<Cow<'_, str>> {
        let e = &self.0.first()?.event;
        let v = match name {
            "source" => &e.source,
            "host" => &e.host,
            "event_id" => &e.event_id,
            "message" => &e.message,
            "ts" => &e.ts,
            _ => return None,
        };
        Some(Cow::Borrowed(v.as_str())).filter(|v| !v.is_empty())
    }

    fn any_text(&self, f: &mut dyn FnMut(&str) -> bool) -> bool {
        self.0.first().is_some_and(|a| {
            let e = &a.event;
            [&e.message, &e.host, &e.event_id, &e.source]
                .iter()
                .any(|v| f(v))
        })
    }

    fn annotated(&self) -> bool {
        true
    }
    fn has_mark(&self, kind: &str) -> bool {
        self.0
            .annotations
            .iter()
            .any(|a| a.kind.id().eq_ignore_ascii_case(kind))
    }
    fn has_tag(&self, tag: &str) -> bool {
        self.0.annotations.iter().any(|a| a.has_tag(tag))
    }
}
