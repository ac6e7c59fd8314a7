//! The headless subcommands behind `main.rs`: `stats` and `export`.

use crate::export;
use crate::ingest::{Options, Progress, SourceReport};
use crate::model::format_rfc3339;
use crate::timeline::{self, Timeline};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Exit codes (**contract**).
pub const EXIT_OK: u8 = 0;
pub const EXIT_UNUSABLE: u8 = 1;
pub const EXIT_REJECTS: u8 = 2;

/// Loads the paths with a progress line on stderr when it is a terminal and loading takes
/// more than a second.
pub fn load_with_progress(paths: &[PathBuf], opts: &Options) -> (Timeline, Vec<SourceReport>) {
    let progress = Progress::default();
    let done = std::sync::atomic::AtomicBool::new(false);
    let (t, errors) = std::thread::scope(|s| {
        if std::io::stderr().is_terminal() {
            s.spawn(|| {
                let start = Instant::now();
                let mut shown = false;
                while !done.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    if start.elapsed() > Duration::from_secs(1) && !done.load(Ordering::Relaxed) {
                        shown = true;
                        let p = &progress;
                        eprint!(
                            "\r\x1b[Kvigil: {}/{} files, {} MB, {} events, {} rejected",
                            p.files_done.load(Ordering::Relaxed),
                            p.files_total.load(Ordering::Relaxed),
                            p.bytes_done.load(Ordering::Relaxed) >> 20,
                            p.events.load(Ordering::Relaxed),
                            p.rejected.load(Ordering::Relaxed)
                        );
                    }
                }
                if shown {
                    eprint!("\r\x1b[K");
                }
            });
        }
        let r = timeline::load_paths(paths, opts, &progress);
        done.store(true, Ordering::Relaxed);
        r
    });
    if std::env::var_os("VIGIL_MEM_REPORT").is_some() {
        let (ev, ar, st, sh) = t.heap_parts();
        let rss = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("RssAnon"))
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        eprintln!("vigil: after load: {rss}");
        eprintln!(
            "vigil: memory: {} events; events {ev} B, field arena {ar} B, strings {st} B ({} strings), {sh} shapes",
            t.len(),
            t.strings.len()
        );
    }
    let unreadable = errors
        .into_iter()
        .map(|(p, e)| {
            let mut r = SourceReport {
                path: p.display().to_string(),
                format: "unreadable".into(),
                ..Default::default()
            };
            r.reject(0, format!("cannot read: {e}"));
            r
        })
        .collect();
    (t, unreadable)
}

#[derive(Serialize)]
struct StatsJson<'a> {
    events: u64,
    rejected: u64,
    first: Option<String>,
    last: Option<String>,
    sources: Vec<&'a SourceReport>,
    /// Sigma hits per level, only when rules ran (`--rules`/`--detect`).
    #[serde(skip_serializing_if = "Option::is_none")]
    detections: Option<crate::detect::DetectStats>,
}

/// All source reports: loaded ones then unreadable paths.
fn reports<'a>(t: &'a Timeline, extra: &'a [SourceReport]) -> Vec<&'a SourceReport> {
    t.sources
        .iter()
        .map(|s| &s.report)
        .chain(extra.iter())
        .collect()
}

/// Exit code from what was read.
pub fn exit_code(t: &Timeline, extra: &[SourceReport]) -> u8 {
    let rs = reports(t, extra);
    if t.is_empty() {
        EXIT_UNUSABLE
    } else if rs.iter().any(|r| r.rejected > 0) {
        EXIT_REJECTS
    } else {
        EXIT_OK
    }
}

/// `vigil stats`. With `rules`, also runs them and counts hits per level (rules need
/// every field, so that ingest stores them; without, only times and counts are kept).
pub fn stats(
    paths: &[PathBuf],
    opts: &Options,
    json: bool,
    rules: Option<&crate::detect::RuleOptions>,
    out: &mut dyn Write,
) -> std::io::Result<u8> {
    let rules = match rules {
        Some(ro) => Some(
            crate::detect::RuleSet::load(ro)
                .map_err(std::io::Error::other)?
                .0,
        ),
        None => None,
    };
    let opts = Options {
        index_only: rules.is_none(),
        ..opts.clone()
    };
    let (t, extra) = load_with_progress(paths, &opts);
    let detections = rules.as_ref().map(|rs| {
        let hits = crate::detect::hunt::detect_with_progress(&t, rs);
        crate::detect::DetectStats::new(rs, &hits)
    });
    let rs = reports(&t, &extra);
    let valid = t
        .events
        .iter()
        .filter(|e| e.flags & crate::ingest::evtx::FLAG_BAD_TIME == 0);
    let (first, last) = valid.fold((i64::MAX, i64::MIN), |(a, b), e| (a.min(e.ts), b.max(e.ts)));
    let span = (first <= last).then(|| (format_rfc3339(first), format_rfc3339(last)));
    let s = StatsJson {
        events: t.len() as u64,
        rejected: rs.iter().map(|r| r.rejected).sum(),
        first: span.as_ref().map(|s| s.0.clone()),
        last: span.as_ref().map(|s| s.1.clone()),
        sources: rs,
        detections,
    };
    let r = if json {
        serde_json::to_writer_pretty(&mut *out, &s)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out))
    } else {
        write_stats_text(&s, out)
    };
    export::quiet_pipe(r.and_then(|_| out.flush()))?;
    Ok(exit_code(&t, &extra))
}

fn write_stats_text(s: &StatsJson<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{} events, {} rejected, {} sources",
        s.events,
        s.rejected,
        s.sources.len()
    )?;
    if let (Some(a), Some(b)) = (&s.first, &s.last) {
        writeln!(out, "span: {a} .. {b}")?;
    }
    if let Some(d) = &s.detections {
        let levels: Vec<String> = crate::detect::Level::ALL
            .iter()
            .rev()
            .map(|l| format!("{} {}", l.name(), d.hits.0[*l as usize]))
            .collect();
        writeln!(out, "sigma: {} rules; hits: {}", d.rules, levels.join(", "))?;
    }
    for r in &s.sources {
        writeln!(
            out,
            "{:<10} {:>9} ev {:>6} rej  {}",
            r.format, r.events, r.rejected, r.path
        )?;
        for rj in r.reasons.iter().take(3) {
            writeln!(out, "    rejected at offset {}: {}", rj.offset, rj.reason)?;
        }
        for n in &r.notes {
            writeln!(out, "    note: {n}")?;
        }
    }
    Ok(())
}

/// Which export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Jsonl,
    Csv,
    Timesketch,
}

/// What `vigil export` writes besides the format.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExportOptions<'a> {
    pub filter: Option<&'a str>,
    pub output: Option<&'a Path>,
    /// Case file whose annotations are added (`--case`).
    pub case: Option<&'a Path>,
    /// Only annotated events, plus annotated events whose evidence is missing.
    pub annotated_only: bool,
    /// Sigma rules to run; their hits are added to each event (`rules`).
    pub rules: Option<&'a crate::detect::RuleOptions>,
}

/// `vigil export`.
pub fn export(
    paths: &[PathBuf],
    opts: &Options,
    format: ExportFormat,
    eo: &ExportOptions<'_>,
) -> anyhow::Result<u8> {
    if eo.annotated_only && eo.case.is_none() {
        anyhow::bail!("--annotated-only needs --case FILE");
    }
    if format == ExportFormat::Timesketch
        && let Some(o) = eo.output
        && o.extension().and_then(|e| e.to_str()) != Some("jsonl")
    {
        eprintln!(
            "vigil: note: Timesketch imports only files named *.jsonl; rename {} before upload",
            o.display()
        );
    }
    // Read the case before the (possibly long) ingest, so a bad path fails fast.
    let case = match eo.case {
        Some(p) => {
            if !p.exists() {
                anyhow::bail!("case file {} not found", p.display());
            }
            let (case, report) = crate::case::Case::open(p, &crate::case::default_author())?;
            for n in &report.notes {
                eprintln!("vigil: {n}");
            }
            Some(case)
        }
        None => None,
    };
    let rules = match eo.rules {
        Some(ro) => Some(crate::detect::RuleSet::load(ro)?.0),
        None => None,
    };
    let (t, extra) = load_with_progress(paths, opts);
    let hits = rules
        .as_ref()
        .map(|rs| crate::detect::hunt::detect_with_progress(&t, rs));
    let det = match (&rules, &hits) {
        (Some(rules), Some(hits)) => Some(crate::detect::Detected { rules, hits }),
        _ => None,
    };
    let marks = case.as_ref().map(|c| crate::case::CaseMarks::new(c, &t));
    let ann = match (&case, &marks) {
        (Some(c), Some(m)) => Some(export::Annotated::new(m, c.file())),
        _ => None,
    };
    let text = eo.filter.map(str::trim).filter(|q| !q.is_empty());
    let rows: Vec<usize> = match text {
        Some(q) => {
            let f = crate::timeline::filter::Filter::parse(q, &opts.tz)
                .map_err(|e| anyhow::anyhow!("bad filter: {e}"))?;
            let case_marks: &dyn crate::timeline::filter::Marks = match &marks {
                Some(m) => m,
                None => &crate::timeline::filter::NoMarks,
            };
            let both = det.map(|det| crate::detect::WithHits {
                marks: case_marks,
                det,
            });
            let marks: &dyn crate::timeline::filter::Marks = match &both {
                Some(b) => b,
                None => case_marks,
            };
            let none = std::sync::atomic::AtomicBool::new(false);
            let done = std::sync::atomic::AtomicUsize::new(0);
            crate::timeline::filter::run(&t, &f, marks, &none, &done)
                .unwrap_or_default()
                .into_iter()
                .map(|i| i as usize)
                .collect()
        }
        None => (0..t.len()).collect(),
    };
    let query = match text {
        Some(q) => Some(
            crate::query::Query::parse(q, &opts.tz)
                .map_err(|e| anyhow::anyhow!("bad filter: {e}"))?,
        ),
        None => None,
    };
    let items = export::plan(&t, rows, ann.as_ref(), eo.annotated_only, query.as_ref());
    if let Some(m) = &marks
        && !m.missing().is_empty()
    {
        eprintln!(
            "vigil: {} annotated events are not in the loaded evidence; exported from the case file's copies (\"evidence\":\"missing\")",
            m.missing().len()
        );
    }
    let d = det.as_ref();
    let mut out = export::output(eo.output)?;
    let a = ann.as_ref();
    let r = match format {
        ExportFormat::Jsonl => export::jsonl::write_detected(&t, &items, a, d, &mut out),
        ExportFormat::Csv => export::csv::write_detected(&t, &items, a, d, &mut out),
        ExportFormat::Timesketch => export::timesketch::write_detected(&t, &items, a, d, &mut out),
    };
    export::quiet_pipe(r)?;
    Ok(exit_code(&t, &extra))
}

/// `vigil sample`: writes the sample incident and says what it wrote.
pub fn sample(dir: &Path, scale: u32, seed: u64, out: &mut dyn Write) -> anyhow::Result<u8> {
    let start = Instant::now();
    let opts = crate::sample::SampleOptions { scale, seed };
    let s = crate::sample::generate(dir, &opts)?;
    let bytes: u64 = s
        .files
        .iter()
        .filter_map(|(p, _)| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    export::quiet_pipe(writeln!(
        out,
        "wrote {} files, {} events, {} MB to {} in {:.1} s",
        s.files.len(),
        s.events,
        bytes >> 20,
        dir.display(),
        start.elapsed().as_secs_f64()
    ))?;
    Ok(EXIT_OK)
}

/// `vigil report CASE`: the Markdown narrative of a case file.
pub fn report(case: &Path, output: Option<&Path>) -> anyhow::Result<u8> {
    let file = crate::case::CaseFile::load(case)?;
    let dir = case.parent().unwrap_or(Path::new("."));
    let statuses = crate::case::verify_sources(&file, dir);
    let md = export::report::markdown(&file, &statuses);
    let mut out = export::output(output)?;
    export::quiet_pipe(out.write_all(md.as_bytes()).and_then(|_| out.flush()))?;
    Ok(EXIT_OK)
}

/// `vigil merge A B… -o OUT`: unions annotations by id; conflicting edits are both kept.
pub fn merge(cases: &[PathBuf], output: &Path, err: &mut dyn Write) -> anyhow::Result<u8> {
    let files = cases
        .iter()
        .map(|p| crate::case::CaseFile::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let (merged, rep) =
        crate::case::merge_all(&files).ok_or_else(|| anyhow::anyhow!("no case files given"))?;
    merged.save(output)?;
    writeln!(
        err,
        "merged {} files into {}: {} annotations ({} identical, {} added, {} conflicts)",
        cases.len(),
        output.display(),
        merged.annotations.len(),
        rep.identical,
        rep.added,
        rep.conflicts.len()
    )?;
    for c in &rep.conflicts {
        writeln!(
            err,
            "  conflict: annotation {} edited by {} and {}; the second kept as {}",
            c.id, c.authors.0, c.authors.1, c.renamed_to
        )?;
    }
    for n in &rep.notes {
        writeln!(err, "  note: {n}")?;
    }
    Ok(EXIT_OK)
}
