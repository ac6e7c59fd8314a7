//! Sigma detection benchmark (issue 13): load a rule set, ingest evidence, run every rule
//! over every event; print load time, rule-set memory, events/s per core with the
//! projection to 10 M events, and hit storage. `benches/sigma.sh` runs it on generated
//! evidence and adds the `vigil hunt` / `evtx_dump` comparison.
//!
//! ```sh
//! target/release/vigil sample --scale 100 -o /tmp/vigil-sigma     # evidence
//! VIGIL_BENCH_RULES=../shared/sigma/rules/windows:../shared/sigma/rules-emerging-threats:../shared/sigma/rules-threat-hunting \
//! VIGIL_BENCH_EVIDENCE=/tmp/vigil-sigma/evtx cargo bench --bench sigma
//! ```
//! `VIGIL_BENCH_THREADS` (default 2) sizes the pool; `VIGIL_BENCH_REPEAT=N` runs detection
//! N times (profiling). Figures are indicative only on a shared machine: compare CPU
//! seconds. `VIGIL_BENCH_HITS=FILE` writes every hit as `source, loc, rule id, title`
//! lines, sorted, to compare two builds' hits.
#![allow(clippy::expect_used, clippy::unwrap_used)]
// a benchmark: failing loudly is right
// The allocation counter below is the only unsafe code: a `GlobalAlloc` must be.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering::Relaxed};
use std::time::Instant;
use vigil::detect::{self, RuleOptions, RuleSet};

/// Counts the bytes allocated and not freed while `COUNTING` is on: the rule set's own
/// heap, without the allocator's slack and fragmentation that the RSS delta includes.
/// Off (one relaxed load per call) while detection runs, so it cannot skew its timing.
struct Counting;
static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if COUNTING.load(Relaxed) && !p.is_null() {
            LIVE.fetch_add(l.size() as isize, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if COUNTING.load(Relaxed) {
            LIVE.fetch_sub(l.size() as isize, Relaxed);
        }
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if COUNTING.load(Relaxed) && !q.is_null() {
            LIVE.fetch_add(new as isize - l.size() as isize, Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

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
    COUNTING.store(true, Relaxed);
    let (c0, w0) = (cpu_s(), Instant::now());
    let (rs, report) = RuleSet::load(&RuleOptions {
        dirs: rules,
        builtin: true,
        ..RuleOptions::default()
    })
    .expect("rules");
    COUNTING.store(false, Relaxed);
    println!(
        "rules: {} loaded ({} unsupported, {} invalid) in {:.1} s wall, {:.1} cpu-s",
        rs.len(),
        report.unsupported.len(),
        report.invalid.len(),
        w0.elapsed().as_secs_f64(),
        cpu_s() - c0,
    );
    println!(
        "rule-set memory: {} MB RssAnon delta, {} MB live heap",
        rss_anon_kb().saturating_sub(before) >> 10,
        LIVE.load(Relaxed) >> 20
    );

    let repeat: usize = std::env::var("VIGIL_BENCH_REPEAT")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(1)
        .max(1);
    let (c0, w0) = (cpu_s(), Instant::now());
    let mut hits = None;
    for _ in 0..repeat {
        hits = detect::run(&t, &rs, &AtomicBool::new(false), &AtomicUsize::new(0));
    }
    let hits = hits.expect("run");
    let n = (t.len() * repeat) as f64;
    let wall = w0.elapsed().as_secs_f64();
    let cpu = (cpu_s() - c0).max(0.01);
    let per_core = n / cpu;
    println!(
        "detect: {n} events in {wall:.1} s wall, {cpu:.2} cpu-s on {threads} threads: \
         {:.0} events/s wall, {per_core:.0} events/s per core (events per cpu-s)",
        n / wall,
    );
    println!(
        "projected per 10 M events: {:.1} cpu-s, {:.1} s on 2 cores (perfect scaling), \
         {:.1} s at this run's wall rate",
        1e7 / per_core,
        1e7 / per_core / 2.0,
        1e7 / (n / wall),
    );
    println!(
        "hits: {} on {} events; storage {} bytes = {:.2} bytes/event",
        hits.hit_count(),
        hits.event_count(),
        hits.heap_bytes(),
        hits.heap_bytes() as f64 / t.len().max(1) as f64
    );
    if let Some(path) = std::env::var_os("VIGIL_BENCH_HITS") {
        let mut lines: Vec<String> = Vec::with_capacity(hits.hit_count());
        for (i, on) in hits.iter() {
            let e = &t.events[i];
            let label = &t.sources[e.source as usize].label;
            for r in on {
                let m = rs.rule(*r);
                lines.push(format!("{label}\t{}\t{}\t{}", e.loc, m.id, m.title));
            }
        }
        lines.sort_unstable();
        lines.push(String::new());
        std::fs::write(&path, lines.join("\n")).expect("write hits");
    }
    let c = hits.level_counts(&rs);
    println!("hits by level (info..critical): {:?}", c.hits);
    for b in rs.bucket_stats() {
        if b.lookups > 0 {
            println!(
                "  memo {:<32} {:>5} memo rules {:>4} live {:>4} pinned {:>10} lookups {:>5.1}% reused{}",
                b.name,
                b.memo_rules,
                b.live_rules,
                b.pinned_rules,
                b.lookups,
                100.0 * b.reused as f64 / b.lookups as f64,
                if b.memo_on { "" } else { " (switched off)" }
            );
        }
    }
}
