//! `vigil triage`: the ranked early-detection candidates of the evidence (Sigma hits and
//! analyzer findings, `candidates::rank`) as Markdown, JSON lines or CSV; with `--case`,
//! each candidate says whether it was accepted or dismissed, by whom and when.
//!
//! Markdown columns: `#, score, time, host, what, why, count, review`; JSON lines and CSV
//! add the event's source, locator and the candidate id reviews are kept under. Log
//! content is sanitised (one line, no controls; `|` escaped in Markdown; CSV cells that
//! a spreadsheet would run as a formula are quoted).

use super::analyze::{self, Analysis};
use super::candidates::{self, Candidate, Candidates};
use super::hunt::{HuntError, detect_with_progress};
use super::{RuleOptions, RuleSet};
use crate::case::{CaseFile, Review, effective_review};
use crate::commands::Sink;
use crate::export::csv::safe_cell;
use crate::ingest::Options;
use crate::model::format_rfc3339;
use crate::output::{self, OutputOptions, Protected};
use crate::sanitize;
use crate::timeline::Timeline;
use serde_json::json;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TriageFormat {
    Markdown,
    Jsonl,
    Csv,
}

#[derive(Clone, Copy, Debug)]
pub struct TriageOptions<'a> {
    pub format: TriageFormat,
    pub output: Option<&'a Path>,
    pub force: bool,
    /// Case file whose reviews are shown.
    pub case: Option<&'a Path>,
    /// At most this many candidates (0: all).
    pub limit: usize,
}

pub const CSV_HEADER: [&str; 12] = [
    "rank",
    "score",
    "time",
    "host",
    "what",
    "why",
    "count",
    "review",
    "reviewer",
    "source",
    "locator",
    "candidate",
];

/// `vigil triage`. Progress and the summary go to `err`.
pub fn triage(
    paths: &[PathBuf],
    opts: &Options,
    ro: &RuleOptions,
    to: &TriageOptions<'_>,
    err: &mut dyn Write,
) -> Result<u8, HuntError> {
    if paths.is_empty() {
        return Err(HuntError::Usage(
            "no evidence given: vigil triage PATH...".into(),
        ));
    }
    let usage = |e: &dyn std::fmt::Display| HuntError::Usage(e.to_string());
    let mut protected = Protected::inputs(paths, to.case);
    let out_opts = OutputOptions {
        force: to.force,
        private: false,
    };
    if let Some(o) = to.output {
        output::check(o, &protected, out_opts).map_err(|e| usage(&e))?;
    }
    let case = match to.case {
        Some(c) => Some(CaseFile::load(c).map_err(|e| usage(&e))?),
        None => None,
    };
    let (rules, _report) = RuleSet::load(ro)?;
    let (t, extra) = crate::commands::load_with_progress(paths, opts);
    let hits = detect_with_progress(&t, &rules);
    let analysis = run_analysis(&t);
    let cands = candidates::rank(&t, Some((&hits, &rules)), &analysis);
    protected.timeline(&t);
    let mut sink = Sink::open(to.output, &protected, out_opts).map_err(|e| usage(&e))?;
    let reviews = case.as_ref().map_or(&[][..], |c| c.reviews.as_slice());
    let r = write(&t, &cands, reviews, to, sink.writer());
    sink.finish(r).map_err(|e| usage(&e))?;
    let reviewed = cands
        .list
        .iter()
        .filter(|c| review_of(&t, c, reviews).is_some())
        .count();
    let _ = writeln!(
        err,
        "vigil: {} candidates ({} findings, {} Sigma rule×host groups){}",
        cands.len(),
        analysis.findings.len(),
        // Counted, not subtracted: findings on one event are one candidate.
        cands
            .list
            .iter()
            .filter(|c| matches!(c.origin, candidates::Origin::Sigma { .. }))
            .count(),
        if case.is_some() {
            format!(", {reviewed} reviewed")
        } else {
            String::new()
        }
    );
    Ok(crate::commands::exit_code(&t, &extra))
}

/// Runs the analyzers to the end (nothing cancels a headless run).
pub fn run_analysis(t: &Timeline) -> Analysis {
    let (cancel, done) = (AtomicBool::new(false), AtomicUsize::new(0));
    analyze::analyze(t, &cancel, &done).unwrap_or_default()
}

fn review_of<'r>(t: &Timeline, c: &Candidate, reviews: &'r [Review]) -> Option<&'r Review> {
    let key = t.key(c.event)?;
    effective_review(reviews, &key, &c.id)
}

/// Writes the list in the chosen format.
pub fn write(
    t: &Timeline,
    cands: &Candidates,
    reviews: &[Review],
    to: &TriageOptions<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let limit = if to.limit == 0 { usize::MAX } else { to.limit };
    let list = cands.list.iter().take(limit).enumerate();
    let one = |s: &str, n: usize| sanitize::line(s, n, false).into_owned();
    match to.format {
        TriageFormat::Markdown => {
            writeln!(out, "# Early-detection candidates\n")?;
            writeln!(
                out,
                "{} candidates, best first (score = strength × rarity × earliness on the host; ★ earliest on its host).\n",
                cands.len()
            )?;
            writeln!(
                out,
                "| # | score | time (UTC) | host | what | why | count | review |"
            )?;
            writeln!(out, "|---|---|---|---|---|---|---|---|")?;
            for (n, c) in list {
                let md = |s: &str, w: usize| one(s, w).replace('|', "\\|");
                let review = review_of(t, c, reviews)
                    .map(|r| format!("{} by {} {}", r.decision.id(), md(&r.author, 40), r.at))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "| {} | {:.3} | {} | {}{} | {} | {} | {} | {} |",
                    n + 1,
                    c.score,
                    format_rfc3339(c.ts),
                    md(&c.host, 60),
                    if c.earliest { " ★" } else { "" },
                    c.label(),
                    md(&c.why, 200),
                    c.count,
                    review
                )?;
            }
        }
        TriageFormat::Jsonl => {
            for (n, c) in list {
                let key = t.key(c.event);
                let r = review_of(t, c, reviews);
                let v = json!({
                    "rank": n + 1,
                    "score": (c.score * 1000.0).round() / 1000.0,
                    "time": format_rfc3339(c.ts),
                    "host": c.host,
                    "what": c.label(),
                    "why": c.why,
                    "count": c.count,
                    "earliest_on_host": c.earliest,
                    "candidate": c.id,
                    "source": t.source_of(c.event).map(|s| s.label.as_str()),
                    "key": key,
                    "review": r.map(|r| json!({"decision": r.decision.id(), "author": r.author, "at": r.at})),
                });
                writeln!(out, "{v}")?;
            }
        }
        TriageFormat::Csv => {
            let mut w = ::csv::Writer::from_writer(out);
            w.write_record(CSV_HEADER)?;
            for (n, c) in list {
                let r = review_of(t, c, reviews);
                let cell = |s: &str| safe_cell(&one(s, 1000)).into_owned();
                w.write_record([
                    (n + 1).to_string(),
                    format!("{:.3}", c.score),
                    format_rfc3339(c.ts),
                    cell(&c.host),
                    c.label().to_owned(),
                    cell(&c.why),
                    c.count.to_string(),
                    r.map(|r| r.decision.id().to_owned()).unwrap_or_default(),
                    cell(r.map_or("", |r| r.author.as_str())),
                    cell(t.source_of(c.event).map_or("", |s| s.label.as_str())),
                    t.key(c.event).map(|k| k.locator).unwrap_or_default(),
                    cell(&c.id),
                ])?;
            }
            w.flush()?;
        }
    }
    Ok(())
}
