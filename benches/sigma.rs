//! Sigma detection benchmark (issue 13): load a rule set, ingest evidence, run every rule
//! over every event; print load time, rule-set memory, events/s and hit storage.
//!
//! ```sh
//! target/release/vigil sample --scale 200 -o /tmp/vigil-sigma     # evidence
//! VIGIL_BENCH_RULES=../shared/sigma/rules/windows:../shared/sigma/rules-emerging-threats:../shared/sigma/rules-threat-hunting \
//! VIGIL_BENCH_EVIDENCE=/tmp/vigil-sigma cargo bench --bench sigma
//! ```
//! `VIGIL_BENCH_THREADS` (default 2) sizes the pool. Figures are indicative only on a
//! shared machine: compare CPU seconds.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark: failing loudly is right

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::time::Instant;
use vigil::detect::{self, RuleOptions, RuleSet};

fn rss_anon_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("RssAnon:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn cpu_s() -> f64 {
    // utime + stime of this process, in clock ticks (100 Hz on Linux).
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

fn main() {
    let rules: Vec<PathBuf> = std::env::var_os("VIGIL_BENCH_RULES")
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default();
    let Some(evidence) = std::env::var_os("VIGIL_BENCH_EVIDENCE").map(PathBuf::from) else {
        eprintln!("set VIGIL_BENCH_EVIDENCE (and VIGIL_BENCH_RULES); see the file's header");
        return;
    };
    let threads: usize = std::env::var("VIGIL_BENCH_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(2);
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global();

    let opts = vigil::ingest::Options {
        threads,
        ..Default::default()
    };
    let (c0, w0) = (cpu_s(), Instant::now());
    let (t, _) =
        vigil::timeline::load_paths(&[evidence], &opts, &vigil::ingest::Progress::default());
    println!(
        "ingest: {} events in {:.1} s wall, {:.1} cpu-s; RssAnon {} MB",
        t.len(),
        w0.elapsed().as_secs_f64(),
        cpu_s() - c0,
        rss_anon_kb() >> 10
    );

    let before = rss_anon_kb();
    let (c0, w0) = (cpu_s(), Instant::now());
    let (rs, report) = RuleSet::load(&RuleOptions {
        dirs: rules,
        builtin: true,
        ..RuleOptions::default()
    })
    .expect("rules");
    println!(
        "rules: {} loaded ({} unsupported, {} invalid) in {:.1} s wall, {:.1} cpu-s; rule set {} MB (RssAnon delta)",
        rs.len(),
        report.unsupported.len(),
        report.invalid.len(),
        w0.elapsed().as_secs_f64(),
        cpu_s() - c0,
        rss_anon_kb().saturating_sub(before) >> 10
    );

    let (c0, w0) = (cpu_s(), Instant::now());
    let hits = detect::run(&t, &rs, &AtomicBool::new(false), &AtomicUsize::new(0)).expect("run");
    let wall = w0.elapsed().as_secs_f64();
    let cpu = cpu_s() - c0;
    println!(
        "detect: {} events in {wall:.1} s wall, {cpu:.1} cpu-s on {threads} threads: {:.0} events/s ({:.0} events/cpu-s)",
        t.len(),
        t.len() as f64 / wall,
        t.len() as f64 / cpu.max(1e-9)
    );
    println!(
        "hits: {} on {} events; storage {} bytes = {:.2} bytes/event",
        hits.hit_count(),
        hits.event_count(),
        hits.heap_bytes(),
        hits.heap_bytes() as f64 / t.len().max(1) as f64
    );
    let c = hits.level_counts(&rs);
    println!("hits by level (info..critical): {:?}", c.hits);
    for b in rs.bucket_stats() {
        if b.lookups > 0 {
            println!(
                "  memo {:<32} {:>5} memo rules {:>4} live  {:>10} lookups {:>5.1}% reused{}",
                b.name,
                b.memo_rules,
                b.live_rules,
                b.lookups,
                100.0 * b.reused as f64 / b.lookups as f64,
                if b.memo_on { "" } else { " (switched off)" }
            );
        }
    }
}
