//! `vigil merge`: union of two analysts' case files by annotation id. Identical
//! annotations collapse to one; differing edits of the same id are both kept (the second
//! renamed `<id>-conflict-<n>` and tagged `conflict`) and reported. Candidate reviews
//! are merged by (event, candidate) the same way: a different decision is kept beside the
//! first and reported. Nothing is dropped.

use super::annotation::Annotation;
use super::file::CaseFile;
use super::review::{self, ReviewConflict};

/// The tag put on the second copy of a conflicting annotation.
pub const CONFLICT_TAG: &str = "conflict";

/// One id edited differently on both sides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The id both sides used (the first side keeps it).
    pub id: String,
    /// The id the second side's version was stored under.
    pub renamed_to: String,
    /// Author of each side's version.
    pub authors: (String, String),
}

/// What a merge did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Annotations taken from the first file.
    pub from_first: usize,
    /// Annotations only the second file had.
    pub added: usize,
    /// Annotations present, identical, in both.
    pub identical: usize,
    pub conflicts: Vec<Conflict>,
    /// Candidate reviews only the second file had.
    pub reviews_added: usize,
    /// (Event, candidate) pairs decided differently: both decisions kept.
    pub review_conflicts: Vec<ReviewConflict>,
    /// Sources only the second file had (matched by SHA-256).
    pub sources_added: usize,
    /// Anything else worth a line of output (same path with different hashes, ...).
    pub notes: Vec<String>,
}

/// Same annotation apart from the id and a `conflict` tag a previous merge added: merging
/// the same file twice must not pile up conflict copies.
fn same_content(stored: &Annotation, incoming: &Annotation) -> bool {
    let strip = |a: &Annotation| {
        let mut c = a.clone();
        c.id.clear();
        c.tags.retain(|t| t != CONFLICT_TAG);
        c
    };
    strip(stored) == strip(incoming)
}

/// The base id of `x` or `x-conflict-<n>`.
fn base_id(id: &str) -> &str {
    match id.rfind("-conflict-") {
        Some(p)
            if id
                .get(p + 10..)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit())) =>
        {
            id.get(..p).unwrap_or(id)
        }
        _ => id,
    }
}

/// Merges `b` into a copy of `a`. Sources are unioned by SHA-256, saved filters by value,
/// the view is `a`'s.
pub fn merge(a: &CaseFile, b: &CaseFile) -> (CaseFile, MergeReport) {
    let mut out = a.clone();
    out.normalise();
    let mut rep = MergeReport {
        from_first: out.annotations.len(),
        ..MergeReport::default()
    };

    for inc in &b.annotations {
        let Some(same_id) = out.annotations.iter().find(|x| x.id == inc.id) else {
            out.annotations.push(inc.clone());
            rep.added += 1;
            continue;
        };
        if same_id == inc {
            rep.identical += 1;
            continue;
        }
        let first_author = same_id.author.clone();
        let base = base_id(&inc.id).to_owned();
        let family = |x: &&Annotation| base_id(&x.id) == base;
        if out
            .annotations
            .iter()
            .filter(family)
            .any(|x| same_content(x, inc))
        {
            rep.identical += 1;
            continue;
        }
        let n = (1..)
            .find(|n| {
                let cand = format!("{base}-conflict-{n}");
                !out.annotations.iter().any(|x| x.id == cand)
            })
            .unwrap_or(1);
        let mut copy = inc.clone();
        copy.id = format!("{base}-conflict-{n}");
        copy.add_tag(CONFLICT_TAG);
        rep.conflicts.push(Conflict {
            id: inc.id.clone(),
            renamed_to: copy.id.clone(),
            authors: (first_author, inc.author.clone()),
        });
        out.annotations.push(copy);
    }

    let r = review::merge_into(&mut out.reviews, &b.reviews);
    rep.reviews_added = r.added;
    rep.review_conflicts = r.conflicts;

    for s in &b.sources {
        if out
            .sources
            .iter()
            .any(|x| x.sha256.eq_ignore_ascii_case(&s.sha256))
        {
            continue;
        }
        if out.sources.iter().any(|x| x.path == s.path) {
            rep.notes.push(format!(
                "source {} has different SHA-256 in the two files; both kept",
                s.path
            ));
        }
        out.sources.push(s.clone());
        rep.sources_added += 1;
    }
    for f in &b.filters {
        if !out.filters.contains(f) {
            out.filters.push(f.clone());
        }
    }
    out.normalise();
    (out, rep)
}

/// Folds `merge` over several files (the first is the base). `None` when `files` is empty.
pub fn merge_all(files: &[CaseFile]) -> Option<(CaseFile, MergeReport)> {
    let (first, rest) = files.split_first()?;
    let mut acc = first.clone();
    acc.normalise();
    let mut total = MergeReport {
        from_first: acc.annotations.len(),
        ..MergeReport::default()
    };
    for f in rest {
        let (m, r) = merge(&acc, f);
        acc = m;
        total.added += r.added;
        total.identical += r.identical;
        total.conflicts.extend(r.conflicts);
        total.reviews_added += r.reviews_added;
        total.review_conflicts.extend(r.review_conflicts);
        total.sources_added += r.sources_added;
        total.notes.extend(r.notes);
    }
    Some((acc, total))
}
