//! The headless subcommands behind `main.rs`: `stats`, `export`, `sample`, `report`,
//! `merge`. Every file they write goes through `output` (never onto an input, a case file
//! or a journal; an existing file only with `--force`).

use crate::export;
use crate::ingest::{Options, Progress, SourceReport};
use crate::model::format_rfc3339;
use crate::output::{self, OutputOptions, Protected, Role};
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
    (t, errors.into_iter().map(|s| s.report()).collect())
}

/// When nothing is usable: one line saying how many files were passed over and why
/// (`stats` and `export` exit 1 then).
pub fn unusable_message(t: &Timeline, extra: &[SourceReport]) -> Option<String> {
    if !t.is_empty() {
        return None;
    }
    Some(crate::ingest::source::nothing_usable(&reports(t, extra)))
}

#[derive(Serialize)]
struct StatsJson<'a> {
    events: u64,
    rejected: u64,
    /// Events flagged `bad_time` (kept, outside `first`..`last`).
    bad_time: u64,
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
    let valid = t.events.iter().filter(|e| !e.flags.bad_time());
    let (first, last) = valid.fold((i64::MAX, i64::MIN), |(a, b), e| (a.min(e.ts), b.max(e.ts)));
    let span = (first <= last).then(|| (format_rfc3339(first), format_rfc3339(last)));
    let s = StatsJson {
        events: t.len() as u64,
        rejected: rs.iter().map(|r| r.rejected).sum(),
        bad_time: rs.iter().map(|r| r.bad_time).sum(),
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
    if let Some(m) = unusable_message(&t, &extra) {
        eprintln!("vigil: {m}");
    }
    Ok(exit_code(&t, &extra))
}

/// File names, reasons and notes come from the evidence (names too: an attacker names the
/// files on the box), so they are shown with controls and bidi overrides made visible.
fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    crate::sanitize::line(s, 4096, false)
}

fn write_stats_text(s: &StatsJson<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let bad = match s.bad_time {
        0 => String::new(),
        n => format!(", {n} bad_time"),
    };
    writeln!(
        out,
        "{} events, {} rejected{bad}, {} sources",
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
            shown(&r.format),
            r.events,
            r.rejected,
            shown(&r.path)
        )?;
        if !r.formats.is_empty() {
            let per: Vec<String> = r
                .formats
                .iter()
                .map(|(id, c)| format!("{id} {} ev {} rej", c.events, c.rejected))
                .collect();
            writeln!(out, "    formats: {}", per.join(", "))?;
        }
        for rj in r.reasons.iter().take(3) {
            writeln!(
                out,
                "    rejected at offset {}: {}",
                rj.offset,
                shown(&rj.reason)
            )?;
        }
        for n in &r.notes {
            writeln!(out, "    note: {}", shown(n))?;
        }
    }
    Ok(())
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
    /// Replace `output` if it exists.
    pub force: bool,
    /// Sigma rules to run; their hits are added to each event (`rules`).
    pub rules: Option<&'a crate::detect::RuleOptions>,
    /// Parquet: the shard whose part files this export writes (and may replace).
    pub shard: Option<&'a str>,
}

/// `--threads N` made safe: 0 means every core; more than 4 per core is capped (thousands
/// of threads only cost memory and a failed pool). Returns the count and a note when capped.
pub fn thread_count(requested: usize, cores: usize) -> (usize, Option<String>) {
    let cores = cores.max(1);
    let cap = cores.saturating_mul(4);
    match requested {
        0 => (cores, None),
        n if n > cap => (
            cap,
            Some(format!(
                "--threads {n} capped to {cap} (4 per core, {cores} core(s))"
            )),
        ),
        n => (n, None),
    }
}

/// Builds the global thread pool with `threads` workers, or with fewer when the system
/// refuses that many (a thread limit); returns the size it got.
pub fn build_pool(threads: usize) -> anyhow::Result<usize> {
    let mut n = threads.max(1);
    loop {
        match rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
        {
            Ok(()) => return Ok(n),
            Err(e) if n > 1 => {
                let fewer = (n / 2).max(1);
                eprintln!("vigil: cannot start {n} worker threads ({e}); trying {fewer}");
                n = fewer;
            }
            Err(e) => anyhow::bail!("cannot start a worker thread: {e}"),
        }
    }
}

/// Where a command's output goes: stdout, or a file written through `output`.
pub(crate) enum Sink {
    Stdout(Box<dyn Write>),
    File(output::Output),
}

impl Sink {
    pub(crate) fn open(
        path: Option<&Path>,
        protected: &Protected,
        opts: OutputOptions,
    ) -> Result<Sink, output::OutputError> {
        Ok(match path {
            Some(p) => Sink::File(output::create(p, protected, opts)?),
            None => Sink::Stdout(export::stdout()),
        })
    }

    pub(crate) fn writer(&mut self) -> &mut dyn Write {
        match self {
            Sink::Stdout(w) => w,
            Sink::File(o) => o,
        }
    }

    /// Puts a file in place; a closed stdout pipe (`| head`) is a normal end.
    pub(crate) fn finish(self, written: std::io::Result<()>) -> anyhow::Result<()> {
        match self {
            Sink::Stdout(mut w) => export::quiet_pipe(written.and_then(|_| w.flush()))?,
            Sink::File(o) => {
                let path = o.path().to_owned();
                written.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                o.commit()?;
            }
        }
        Ok(())
    }
}

/// `vigil export`.
pub fn export(
    paths: &[PathBuf],
    opts: &Options,
    format: export::Format,
    eo: &ExportOptions<'_>,
) -> anyhow::Result<u8> {
    if eo.annotated_only && eo.case.is_none() {
        anyhow::bail!("--annotated-only needs --case FILE");
    }
    // Everything that can be refused is refused before the (possibly long) ingest.
    let query = match eo.filter.map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) => Some(
            crate::query::Query::parse(q, &opts.tz)
                .map_err(|e| anyhow::anyhow!("bad filter: {e}"))?,
        ),
        None => None,
    };
    if let Some(q) = &query
        && q.uses_annotations()
        && eo.case.is_none()
    {
        anyhow::bail!(
            "--filter {:?} uses annotations (mark:, tag:, annotated): give --case FILE",
            q.as_str()
        );
    }
    let mut protected = Protected::inputs(paths, eo.case);
    let out_opts = OutputOptions {
        force: eo.force,
        private: false,
    };
    let dataset = format
        .is_dataset()
        .then(|| export::parquet::DatasetOptions {
            shard: eo.shard.unwrap_or(export::parquet::DEFAULT_SHARD),
            // Naming the shard says its files are this export's to replace.
            replace: eo.force || eo.shard.is_some(),
        });
    if eo.shard.is_some() && dataset.is_none() {
        anyhow::bail!("--shard names the files of a Parquet dataset: use it with -F parquet");
    }
    match (eo.output, dataset) {
        (None, Some(_)) => anyhow::bail!("-F parquet writes a dataset directory: give -o DIR"),
        (Some(o), Some(d)) => export::parquet::check_dataset(o, &protected, d)?,
        (Some(o), None) => output::check(o, &protected, out_opts)?,
        (None, None) => {}
    }
    if format == export::Format::Timesketch
        && let Some(o) = eo.output
        && o.extension().and_then(|e| e.to_str()) != Some("jsonl")
    {
        eprintln!(
            "vigil: note: Timesketch imports only files named *.jsonl; rename {} before upload",
            o.display()
        );
    }
    let case = match eo.case {
        Some(p) => {
            let (case, report) =
                crate::case::Case::open_existing(p, &crate::case::default_author())?;
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
    // A Parquet input reads only the partitions and row groups the filter can match.
    let opts = Options {
        pushdown: query.clone(),
        ..opts.clone()
    };
    let (t, extra) = load_with_progress(paths, &opts);
    if let Some(q) = &query {
        let known = crate::query::FieldNames::of_timeline(&t);
        for w in q.unknown_fields(&known) {
            eprintln!("vigil: filter {w}");
        }
    }
    // Files found inside given folders are protected now that they are known.
    protected.timeline(&t);
    let hits = rules
        .as_ref()
        .map(|rs| crate::detect::hunt::detect_with_progress(&t, rs));
    let det = match (&rules, &hits) {
        (Some(rules), Some(hits)) => Some(crate::detect::Detected { rules, hits }),
        _ => None,
    };
    // The query compiled above is the filter: not parsed again.
    let filter = query.map(crate::timeline::filter::Filter::from);
    let req = export::Request {
        format,
        rows: match &filter {
            Some(f) => export::Rows::Matching(f),
            None => export::Rows::All,
        },
        case: case.as_ref().map(|c| c.file()),
        annotated_only: eo.annotated_only,
        missing_evidence: true,
        detected: det,
    };
    let summary = match (eo.output, dataset) {
        (Some(o), Some(d)) => Some(export::parquet::write_dataset(&t, &req, o, &protected, d)?),
        (Some(o), None) => Some(export::to_file(&t, &req, o, &protected, out_opts)?),
        (None, _) => match export::run(&t, &req, &mut export::stdout()) {
            Ok(s) => Some(s),
            // A closed pipe (`| head`) is a normal end.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => None,
            Err(e) => return Err(e.into()),
        },
    };
    if let Some(s) = summary
        && s.missing_in_case > 0
    {
        eprintln!(
            "vigil: {} annotated events are not in the loaded evidence; exported from the case file's copies (\"evidence\":\"missing\")",
            s.missing_in_case
        );
    }
    if let Some(m) = unusable_message(&t, &extra) {
        eprintln!("vigil: {m}");
    } else if let Some(m) = rejects_message(&t, &extra) {
        eprintln!("vigil: {m}");
    }
    Ok(exit_code(&t, &extra))
}

/// Export writes events only: a record it could not read must still be said out loud.
fn rejects_message(t: &Timeline, extra: &[SourceReport]) -> Option<String> {
    let rs = reports(t, extra);
    let with: Vec<&&SourceReport> = rs.iter().filter(|r| r.rejected > 0).collect();
    let n: u64 = with.iter().map(|r| r.rejected).sum();
    (n > 0).then(|| {
        format!(
            "{n} records rejected in {} of {} sources, not exported (`vigil stats` lists them with reasons and offsets)",
            with.len(),
            rs.len()
        )
    })
}

/// What `vigil sample` writes.
#[derive(Clone, Copy, Debug)]
pub struct SampleOptions {
    pub scale: u32,
    pub seed: u64,
    /// Write into a folder that is not empty.
    pub force: bool,
}

/// `vigil sample`: writes the sample incident and says what it wrote. A folder that holds
/// anything already is refused without `force` (it may be someone's evidence).
pub fn sample(dir: &Path, so: &SampleOptions, out: &mut dyn Write) -> anyhow::Result<u8> {
    match std::fs::read_dir(dir) {
        Ok(mut rd) => {
            if rd.next().is_some() && !so.force {
                anyhow::bail!(
                    "{}: folder is not empty; sample files would be written among what is \
                     there (use --force, or give a new folder)",
                    dir.display()
                );
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(_) if dir.exists() => {
            anyhow::bail!(
                "{}: not a folder; give a folder to write into",
                dir.display()
            )
        }
        Err(e) => anyhow::bail!("{}: {e}", dir.display()),
    }
    let start = Instant::now();
    let opts = crate::sample::SampleOptions {
        scale: so.scale,
        seed: so.seed,
    };
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

/// `vigil report CASE`: the Markdown narrative of a case file (with its journal replayed,
/// as the TUI would show it).
pub fn report(case: &Path, output: Option<&Path>, force: bool) -> anyhow::Result<u8> {
    let mut protected = Protected::new();
    protected.case(case);
    let opts = OutputOptions {
        force,
        private: false,
    };
    if let Some(o) = output {
        output::check(o, &protected, opts)?;
    }
    let (c, rep) = crate::case::Case::open_existing(case, &crate::case::default_author())?;
    for n in &rep.notes {
        eprintln!("vigil: {n}");
    }
    let file = c.file();
    let dir = case.parent().unwrap_or(Path::new("."));
    for s in &file.sources {
        protected.add(&crate::case::resolve_source(dir, &s.path), Role::Evidence);
    }
    let statuses = crate::case::verify_sources(file, dir);
    let md = export::report::markdown(file, &statuses);
    let mut sink = Sink::open(output, &protected, opts)?;
    let r = sink.writer().write_all(md.as_bytes());
    sink.finish(r)?;
    Ok(EXIT_OK)
}

/// `vigil merge A B… -o OUT`: unions annotations by id; conflicting edits are both kept.
/// Each input is read with its journal replayed; source paths are re-expressed for OUT's
/// folder.
pub fn merge(
    cases: &[PathBuf],
    output: &Path,
    force: bool,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    let mut protected = Protected::new();
    for p in cases {
        protected
            .add(p, Role::Input)
            .add(&crate::case::journal_path(p), Role::Journal);
    }
    let opts = OutputOptions {
        force,
        private: true,
    };
    output::check(output, &protected, opts)?;
    let stale = crate::case::journal_path(output);
    if stale.exists() {
        anyhow::bail!(
            "{}: a journal of unsaved changes is beside it ({}); open that case and save it, \
             or merge into another file",
            output.display(),
            stale.display()
        );
    }
    let mut files = Vec::with_capacity(cases.len());
    for p in cases {
        let (c, rep) = crate::case::Case::open_existing(p, &crate::case::default_author())?;
        for n in &rep.notes {
            writeln!(err, "  {}: {n}", p.display())?;
        }
        let mut f = c.file().clone();
        f.rebase_sources(p, output);
        files.push(f);
    }
    let (merged, rep) =
        crate::case::merge_all(&files).ok_or_else(|| anyhow::anyhow!("no case files given"))?;
    let bytes = merged.to_bytes()?;
    output::write(output, &bytes, &protected, opts)?;
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
    if !merged.reviews.is_empty() {
        writeln!(
            err,
            "  candidate reviews: {} ({} added, {} conflicts)",
            merged.reviews.len(),
            rep.reviews_added,
            rep.review_conflicts.len()
        )?;
    }
    for c in &rep.review_conflicts {
        writeln!(
            err,
            "  conflict: candidate {} on {} {} at {}: {} by {}, {} by {}; both kept",
            shown(&c.candidate),
            shown(&c.key.sha256.chars().take(12).collect::<String>()),
            shown(&c.key.locator),
            format_rfc3339(c.key.ts),
            c.first.0.id(),
            shown(&c.first.1),
            c.second.0.id(),
            shown(&c.second.1)
        )?;
    }
    for n in &rep.notes {
        writeln!(err, "  note: {n}")?;
    }
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_count_caps_at_four_per_core() {
        assert_eq!(thread_count(0, 2), (2, None));
        assert_eq!(thread_count(3, 2), (3, None));
        assert_eq!(thread_count(8, 2), (8, None));
        let (n, note) = thread_count(1000, 2);
        assert_eq!(n, 8);
        assert!(note.is_some_and(|m| m.contains("capped to 8")));
        assert_eq!(thread_count(usize::MAX, 0).0, 4, "no cores reported: one");
    }
}
