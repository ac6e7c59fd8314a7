//! `vigil hunt`: Sigma hits over the given evidence, one line per (event, rule), in time
//! order, as CSV or JSON lines (like Hayabusa's csv-timeline); `--check-rules` lists what
//! loaded and what did not, with reasons.
//!
//! Columns: `time, host, rule, level, attack, event_id, summary, source, record_id,
//! rule_id, author`. `record_id` is the EVTX EventRecordID, else `offset:N` (the byte
//! offset of the record in its file, as in `EventKey`). Every line names the rule's title, id and author (DRL 1.1).

use super::{DetectError, Hits, Level, LoadReport, RuleIdx, RuleOptions, RuleSet};
use crate::commands::Sink;
use crate::export::csv::safe_cell;
use crate::ingest::Options;
use crate::model::Norm;
use crate::output::{self, OutputOptions, Protected};
use crate::timeline::Timeline;
use serde_json::json;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HuntFormat {
    Csv,
    Jsonl,
}

/// What `vigil hunt` writes and where.
#[derive(Clone, Copy, Debug)]
pub struct HuntOptions<'a> {
    pub format: HuntFormat,
    pub output: Option<&'a Path>,
    /// Overwrite an existing output file.
    pub force: bool,
    /// List loaded and unsupported rules instead of hunting.
    pub check_rules: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum HuntError {
    #[error(transparent)]
    Rules(#[from] DetectError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

pub const CSV_HEADER: [&str; 11] = [
    "time",
    "host",
    "rule",
    "level",
    "attack",
    "event_id",
    "summary",
    "source",
    "record_id",
    "rule_id",
    "author",
];

/// `vigil hunt`. Progress and the summary go to `err`.
pub fn hunt(
    paths: &[PathBuf],
    opts: &Options,
    ro: &RuleOptions,
    ho: &HuntOptions<'_>,
    err: &mut dyn Write,
) -> Result<u8, HuntError> {
    if !ho.check_rules && paths.is_empty() {
        return Err(HuntError::Usage(
            "no evidence given: vigil hunt PATH... (or --check-rules)".into(),
        ));
    }
    let mut protected = Protected::inputs(paths, None);
    let out_opts = OutputOptions {
        force: ho.force,
        private: false,
    };
    if let Some(o) = ho.output {
        output::check(o, &protected, out_opts).map_err(|e| HuntError::Usage(e.to_string()))?;
    }
    let (rules, report) = RuleSet::load(ro)?;
    if ho.check_rules {
        let mut sink = Sink::open(ho.output, &protected, out_opts)
            .map_err(|e| HuntError::Usage(e.to_string()))?;
        let r = write_check(&rules, &report, sink.writer());
        sink.finish(r)
            .map_err(|e| HuntError::Usage(e.to_string()))?;
        return Ok(if rules.is_empty() {
            crate::commands::EXIT_UNUSABLE
        } else if report.invalid.is_empty() {
            crate::commands::EXIT_OK
        } else {
            crate::commands::EXIT_REJECTS
        });
    }
    if rules.is_empty() {
        return Err(HuntError::Usage(
            "no rules loaded (see --check-rules)".into(),
        ));
    }
    let (t, extra) = crate::commands::load_with_progress(paths, opts);
    let hits = detect_with_progress(&t, &rules);
    // Files found inside given folders are protected now that they are known.
    protected.timeline(&t);
    let mut sink =
        Sink::open(ho.output, &protected, out_opts).map_err(|e| HuntError::Usage(e.to_string()))?;
    let out = sink.writer();
    let r = match ho.format {
        HuntFormat::Csv => write_csv(&t, &rules, &hits, out),
        HuntFormat::Jsonl => write_jsonl(&t, &rules, &hits, out),
    };
    sink.finish(r)
        .map_err(|e| HuntError::Usage(e.to_string()))?;
    let _ = writeln!(err, "vigil: {}", summary(&rules, &report, &hits));
    let code = crate::commands::exit_code(&t, &extra);
    Ok(
        if code == crate::commands::EXIT_OK && !report.invalid.is_empty() {
            crate::commands::EXIT_REJECTS
        } else {
            code
        },
    )
}

/// Refuses an output that exists (without `force`) or that is one of the inputs.
/// Runs the rules with a `detecting N%` line on stderr when it is a terminal.
pub fn detect_with_progress(t: &Timeline, rules: &RuleSet) -> Hits {
    let cancel = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let finished = AtomicBool::new(false);
    let hits = std::thread::scope(|s| {
        if io::stderr().is_terminal() {
            s.spawn(|| {
                let start = Instant::now();
                let mut shown = false;
                while !finished.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    if start.elapsed() > Duration::from_secs(1) && !finished.load(Ordering::Relaxed)
                    {
                        shown = true;
                        let pct = done.load(Ordering::Relaxed) * 100 / t.len().max(1);
                        eprint!("\r\x1b[Kvigil: detecting {pct}%");
                    }
                }
                if shown {
                    eprint!("\r\x1b[K");
                }
            });
        }
        let h = super::run(t, rules, &cancel, &done);
        finished.store(true, Ordering::Relaxed);
        h
    });
    // Nothing cancels this run.
    hits.unwrap_or_default()
}

/// `N rules (M unsupported, K invalid), H hits on E events (critical a, high b, …)`.
pub fn summary(rules: &RuleSet, report: &LoadReport, hits: &Hits) -> String {
    let c = hits.level_counts(rules);
    let levels: Vec<String> = Level::ALL
        .iter()
        .rev()
        .filter(|l| c.hits[**l as usize] > 0)
        .map(|l| format!("{} {}", l.name(), c.hits[*l as usize]))
        .collect();
    format!(
        "{} rules ({} unsupported, {} invalid, {} skipped), {} hits on {} events{}",
        rules.len(),
        report.unsupported.len(),
        report.invalid.len(),
        report.skipped.len(),
        hits.hit_count(),
        hits.event_count(),
        if levels.is_empty() {
            String::new()
        } else {
            format!(" ({})", levels.join(", "))
        }
    )
}

/// Control characters and bidi overrides made visible: hit lines go to terminals and
/// spreadsheets, and a summary is one line.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    let odd =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(odd) {
        return s.into();
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if c.is_control() && (c as u32) < 0x100 => {
                o.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if odd(c) => o.push_str(&format!("⟨U+{:04X}⟩", c as u32)),
            c => o.push(c),
        }
    }
    o.into()
}

/// One hit line's cells (the event's cells shared by its rules).
struct EventCells {
    time: String,
    host: String,
    event_id: String,
    summary: String,
    source: String,
    record_id: String,
}

fn event_cells(t: &Timeline, i: usize) -> EventCells {
    let f = t.fields(i);
    let mut summary = match f.get(Norm::Message) {
        Some(m) => m.to_owned(),
        None => crate::timeline::generic_message(&f),
    };
    if t.events.get(i).is_some_and(|e| e.flags.recovered()) {
        summary.insert_str(0, "[recovered] ");
    }
    let record_id = match (t.events.get(i), t.source_of(i)) {
        (Some(e), Some(s)) if s.format() == "evtx" => {
            crate::ingest::evtx::schema::record_id_of(e.loc).to_string()
        }
        (Some(e), _) => match f.get(Norm::RecordId) {
            Some(r) => r.to_owned(),
            None => format!("offset:{}", e.loc),
        },
        _ => String::new(),
    };
    EventCells {
        time: t.time_text(i),
        host: visible(&t.host(i)).into_owned(),
        event_id: visible(f.get(Norm::EventId).unwrap_or("")).into_owned(),
        summary: visible(&summary).into_owned(),
        source: t.source_of(i).map(|s| s.label.clone()).unwrap_or_default(),
        record_id,
    }
}

/// The rules of an event, highest level first, then by title.
fn ordered<'r>(rules: &'r RuleSet, on: &[RuleIdx]) -> Vec<&'r super::RuleMeta> {
    let mut v: Vec<&super::RuleMeta> = on.iter().filter_map(|r| rules.get(*r)).collect();
    v.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.title.cmp(&b.title)));
    v
}

pub fn write_csv<W: Write>(t: &Timeline, rules: &RuleSet, hits: &Hits, out: W) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER).map_err(csv_io)?;
    for (i, on) in hits.iter() {
        let e = event_cells(t, i);
        for m in ordered(rules, on) {
            let attack = m.attack_text();
            let row = [
                e.time.as_str(),
                &e.host,
                &m.title,
                m.level.name(),
                &attack,
                &e.event_id,
                &e.summary,
                &e.source,
                &e.record_id,
                &m.id,
                &m.author,
            ];
            w.write_record(row.iter().map(|c| safe_cell(&visible(c)).into_owned()))
                .map_err(csv_io)?;
        }
    }
    w.flush()
}

pub fn write_jsonl<W: Write>(
    t: &Timeline,
    rules: &RuleSet,
    hits: &Hits,
    mut out: W,
) -> io::Result<()> {
    for (i, on) in hits.iter() {
        let e = event_cells(t, i);
        for m in ordered(rules, on) {
            let line = json!({
                "time": e.time,
                "host": e.host,
                "rule": m.title,
                "level": m.level.name(),
                "attack": m.attack,
                "event_id": e.event_id,
                "summary": e.summary,
                "source": e.source,
                "record_id": e.record_id,
                "rule_id": m.id,
                "author": m.author,
            });
            serde_json::to_writer(&mut out, &line)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()
}

fn csv_io(e: ::csv::Error) -> io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// `--check-rules`: loaded rules by level, then what was not loaded and why.
fn write_check(rules: &RuleSet, report: &LoadReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{} rule files: {} rules loaded, {} unsupported, {} invalid, {} skipped",
        report.files,
        rules.len(),
        report.unsupported.len(),
        report.invalid.len(),
        report.skipped.len()
    )?;
    let by = rules.rules_by_level();
    let levels: Vec<String> = Level::ALL
        .iter()
        .rev()
        .map(|l| format!("{} {}", l.name(), by[*l as usize]))
        .collect();
    writeln!(out, "loaded by level: {}", levels.join(", "))?;
    for (title, notes) in [
        ("invalid", &report.invalid),
        ("unsupported", &report.unsupported),
    ] {
        if notes.is_empty() {
            continue;
        }
        writeln!(out, "\n{title}, by reason:")?;
        let by = super::count_reasons(notes);
        for (r, n) in by {
            writeln!(out, "  {n:5}  {}", visible(r))?;
        }
    }
    writeln!(out, "\nloaded:")?;
    for m in rules.rules() {
        writeln!(
            out,
            "  {:<13} {:<36} {:<40} {} ({}) [{}]",
            m.level.name(),
            m.id,
            m.logsource,
            visible(&m.title),
            visible(&m.author),
            visible(&m.path)
        )?;
    }
    for (title, notes) in [
        ("invalid", &report.invalid),
        ("unsupported", &report.unsupported),
        ("skipped", &report.skipped),
    ] {
        if notes.is_empty() {
            continue;
        }
        writeln!(out, "\n{title}:")?;
        for n in notes.iter() {
            writeln!(
                out,
                "  {} {} [{}]: {}",
                visible(&n.id),
                visible(&n.title),
                visible(&n.path),
                visible(&n.reason)
            )?;
        }
    }
    Ok(())
}
