//! TUI figures at scale (DESIGN §10): frame render, full re-filter, next search hit and
//! histogram recomputation, on a directory loaded the way the TUI loads it.
//!
//! ```text
//! vigil sample --scale 2000 -o /tmp/big10m         # ≈ 10 M events
//! cargo bench --bench tui -- /tmp/big10m [RUNS]
//! VIGIL_BENCH_INDEX_ONLY=1 …   # skip the runs without the free-text index
//! VIGIL_BENCH_FILTER=QUERY …   # measure that filter alone
//! VIGIL_BENCH_COUNTS_ONLY=1 …  # the index, then `:top FIELD` alone
//! VIGIL_BENCH_ANALYZE_ONLY=1 … # the candidates' analyzers alone (issue 14's figure)
//! VIGIL_BENCH_ANALYZE_DUMP=FILE # …and their findings written to FILE (to compare builds)
//! ```
//! Every figure is the median (and max) over RUNS repetitions (default 5).
// A measuring tool, not library code: a query or pattern of its own that does not compile
// is a bug in the benchmark, and it stops there.
#![allow(clippy::expect_used)]

use regex::Regex;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::time::{Duration, Instant};
use vigil::TuiHarness;
use vigil::ingest::{Options, Progress};
use vigil::model::TzSpec;
use vigil::timeline::filter::{self, Filter, NoMarks};
use vigil::timeline::search::{self, Dir};
use vigil::timeline::{Timeline, histogram};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// User + system CPU time of this process so far, in ms.
#[allow(unsafe_code)] // getrusage has no safe wrapper in std or libc
fn cpu_ms() -> f64 {
    let mut u = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: an all-zero rusage is valid, and getrusage only writes into it.
    let u = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, u.as_mut_ptr());
        u.assume_init()
    };
    let tv = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// Runs `f` `runs` times; prints (median, max) wall in ms and the median CPU time (all
/// threads: on an idle 2-core machine the wall is about half of it, or more), returns
/// (median wall, last result).
fn measure<T>(name: &str, runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::with_capacity(runs);
    let mut cpus = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let (t0, c0) = (Instant::now(), cpu_ms());
        let r = f();
        times.push(ms(t0.elapsed()));
        cpus.push(cpu_ms() - c0);
        last = Some(r);
    }
    times.sort_by(f64::total_cmp);
    cpus.sort_by(f64::total_cmp);
    let med = times[times.len() / 2];
    let max = times[times.len() - 1];
    let cpu = cpus[cpus.len() / 2];
    println!("{name:<58} median {med:>9.3} ms   max {max:>9.3} ms   cpu {cpu:>9.1} ms");
    (med, last.expect("at least one run"))
}

/// RssAnon of this process in bytes (the mapped evidence is RssFile: not counted).
fn rss_anon() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let l = s.lines().find(|l| l.starts_with("RssAnon:"))?.to_owned();
            l.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(0.0, |kb| kb * 1024.0)
}

fn state(t: Arc<Timeline>, w: u16, h: u16) -> TuiHarness {
    TuiHarness::new(t, w, h)
}

fn frames(t: &Arc<Timeline>, w: u16, h: u16, runs: usize) {
    let mut st = state(t.clone(), w, h);
    let n = t.len();
    for (label, at) in [("top", 0), ("middle", n / 2), ("end", n.saturating_sub(1))] {
        st.set_cursor(at);
        st.refresh();
        measure(&format!("frame {w}x{h} at {label}"), runs * 20, || {
            st.draw();
        });
    }
    st.set_search(Regex::new("(?i)powershell").ok());
    st.set_detail(true);
    st.set_cursor(n / 2);
    st.refresh();
    measure(
        &format!("frame {w}x{h} middle, detail open, search hl"),
        runs * 20,
        || {
            st.draw();
        },
    );
    // A key press: update + refresh (histogram, detail) + draw.
    st.set_detail(false);
    let mut pos = n / 3;
    measure(
        &format!("key j + refresh + frame {w}x{h}"),
        runs * 20,
        || {
            pos += 1;
            st.set_cursor(pos);
            st.refresh();
            st.draw();
        },
    );
}

/// Filters and searches; returns every result (the first is the filtered view used later).
fn queries(t: &Arc<Timeline>, runs: usize) -> Vec<Vec<u32>> {
    let t = &**t;
    let mut results = Vec::new();
    // (b) full re-filter
    let cancel = AtomicBool::new(false);
    let mut view = Vec::new();
    // `VIGIL_BENCH_FILTER=QUERY` measures that filter alone (for profiling).
    let only = std::env::var("VIGIL_BENCH_FILTER").ok();
    let all = [
        "host:WS-RAD-01* AND event_id:4624",
        "rclone",
        "lsass",
        "dst_port:443 AND action:deny",
    ];
    let list: Vec<&str> = match &only {
        Some(q) => vec![q.as_str()],
        None => all.to_vec(),
    };
    for q in list {
        let f = Filter::parse(q, &TzSpec::Utc).expect("query parses");
        let (_, rows) = measure(&format!("filter {q:?}"), runs, || {
            filter::run(t, &f, &NoMarks, &cancel, &AtomicUsize::new(0)).unwrap_or_default()
        });
        println!("    -> {} rows", rows.len());
        if view.is_empty() {
            view = rows.clone();
        }
        results.push(rows);
    }

    // (c) next search hit from the top
    for pat in [
        r"(?i)\.locked\b",
        r"(?i)vssadmin.*delete",
        "zq-no-such-thing-xq",
    ] {
        let re = Regex::new(pat).expect("regex");
        let (_, hit) = measure(&format!("search /{pat}/ from top"), runs, || {
            search::find(t, None, 0, Dir::Forward, &re, &cancel)
        });
        results.push(hit.flatten().map(|h| h.row as u32).into_iter().collect());
        match hit.flatten() {
            Some(h) => println!(
                "    -> row {} ({:.1}% deep), wrapped {}",
                h.row,
                100.0 * h.row as f64 / t.len().max(1) as f64,
                h.wrapped
            ),
            None => println!("    -> no match"),
        }
    }
    // `n`/`N` after a search: a step in the hit list the search made (index only).
    let re = Regex::new("(?i)lsass").expect("regex");
    if let Some(hits) = search::all_hits(t, None, &re, &cancel) {
        let mut from = 0;
        measure(
            &format!("n: next hit from the list ({} hits), x1000", hits.len()),
            runs,
            || {
                for _ in 0..1000 {
                    from = search::next_in(&hits, from, Dir::Forward).map_or(0, |h| h.row);
                }
            },
        );
    }
    let re = Regex::new("(?i)WS-RAD-01").expect("regex");
    measure("search /(?i)WS-RAD-01/ in filtered view", runs, || {
        search::find(t, Some(&view), 0, Dir::Forward, &re, &cancel)
    });
    results
}

/// `:top FIELD` typed and the counts drawn (issue 15: ≤ 1 s at 10 M events), over every
/// event and over a filtered view.
fn counts(t: &Arc<Timeline>, view: &[u32], runs: usize) {
    for field in ["host", "event_id", "user", "dst_port", "process"] {
        for (label, rows) in [("all events", None), ("filtered view", Some(view.to_vec()))] {
            let mut st = state(t.clone(), 80, 24);
            st.set_view(rows);
            let (_, shown) = measure(&format!(":top {field} + frame, {label}"), runs, || {
                st.type_keys(&format!(":top {field}\n"));
                st.draw();
                let shown = st.counts_shown();
                // Closed again, so that the next run starts from the table as well.
                st.type_keys("\x1b");
                shown
            });
            // A view none of whose events has the field (no port on a logon) opens no
            // counts: the status line says so.
            match shown {
                Some((values, events)) => println!("    -> {values} values over {events} events"),
                None => println!("    -> no {field} in this view"),
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: cargo bench --bench tui -- DIR [RUNS]");
        std::process::exit(1);
    };
    let runs: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    println!("threads: {}", rayon::current_num_threads());

    let t0 = Instant::now();
    let progress = Progress::default();
    let (t, errors) =
        vigil::timeline::load_paths(&[PathBuf::from(dir)], &Options::default(), &progress);
    println!(
        "load {dir}: {} events from {} sources in {:.2} s ({} unreadable)",
        t.len(),
        t.sources.len(),
        t0.elapsed().as_secs_f64(),
        errors.len()
    );
    let per = |b: usize| b as f64 / t.len().max(1) as f64;
    let (ev, arena, strings, _) = t.heap_parts();
    println!(
        "    -> RssAnon {:.1} B/event; events {:.1}, EVTX fields {:.1}, strings {:.1} B/event",
        rss_anon() / t.len().max(1) as f64,
        per(ev),
        per(arena),
        per(strings)
    );
    let t = Arc::new(t);

    // `VIGIL_BENCH_ANALYZE_ONLY=1`: the analyzers alone, as the TUI runs them after loading.
    if std::env::var_os("VIGIL_BENCH_ANALYZE_ONLY").is_some() {
        let (_, a) = measure("analyzers (candidates)", runs, || {
            vigil::detect::analyze::analyze(&t, &AtomicBool::new(false), &AtomicUsize::new(0))
        });
        println!(
            "    -> {} findings",
            a.as_ref().map_or(0, |a| a.findings.len())
        );
        // `VIGIL_BENCH_ANALYZE_DUMP=FILE`: every finding and silence, to compare two builds.
        if let (Some(out), Some(a)) = (std::env::var_os("VIGIL_BENCH_ANALYZE_DUMP"), a) {
            let text = format!("{:#?}\n{:#?}\n", a.findings, a.silences);
            std::fs::write(out, text).expect("dump written");
        }
        return;
    }
    // `VIGIL_BENCH_COUNTS_ONLY=1`: the index, then `:top` alone (issue 15's figure).
    if std::env::var_os("VIGIL_BENCH_COUNTS_ONLY").is_some() {
        let (_, ok) = measure("build free-text index", 1, || {
            t.build_text_index(&AtomicBool::new(false), &AtomicUsize::new(0))
        });
        assert!(ok);
        let f = Filter::parse("host:WS-RAD-01* AND event_id:4624", &TzSpec::Utc).expect("parses");
        let cancel = AtomicBool::new(false);
        let view = filter::run(&t, &f, &NoMarks, &cancel, &AtomicUsize::new(0)).unwrap_or_default();
        counts(&t, &view, runs);
        return;
    }
    // (a) frames
    frames(&t, 160, 48, runs);
    frames(&t, 80, 24, runs);

    // (b) full re-filter and (c) next search hit, the slow way, then with the index.
    let before = if std::env::var_os("VIGIL_BENCH_INDEX_ONLY").is_some() {
        Vec::new()
    } else {
        println!("-- without the free-text index");
        queries(&t, runs)
    };
    let (_, ok) = measure("build free-text index", 1, || {
        t.build_text_index(&AtomicBool::new(false), &AtomicUsize::new(0))
    });
    assert!(ok);
    if let Some(idx) = t.text_index() {
        let per = |b: usize| b as f64 / t.len().max(1) as f64;
        println!(
            "    -> {:.1} MB, {:.1} B/event; RssAnon {:.1} B/event",
            idx.heap_bytes() as f64 / 1e6,
            per(idx.heap_bytes()),
            rss_anon() / t.len().max(1) as f64
        );
        for (part, b) in idx.heap_parts() {
            println!("       {part}: {:.1} B/event", per(b));
        }
    }
    if let Some(idx) = t.text_index() {
        for q in ["rclone", "/(?i)\\.locked\\b/"] {
            let query = vigil::query::Query::parse(q, &TzSpec::Utc).expect("parses");
            measure(
                &format!("  index prepare {q:?} (inside each query)"),
                runs,
                || {
                    // Terms are matched on first use: ask once to pay for it here.
                    let terms = query.text_terms();
                    idx.prepare(&t, terms).hit(0, 0, &terms[0])
                },
            );
        }
    }
    println!("-- with the free-text index");
    let after = queries(&t, runs);
    assert!(
        before.is_empty() || before == after,
        "the same rows and hits with and without the index"
    );
    let view = after.into_iter().next().unwrap_or_default();

    // (d) histogram
    if let Some((lo, hi)) = histogram::extent(&t) {
        measure("histogram 160 buckets, all events", runs * 20, || {
            histogram::buckets_all(&t, lo, hi, 160)
        });
        measure(
            &format!("histogram 160 buckets, filtered view ({})", view.len()),
            runs * 20,
            || histogram::buckets_rows(&t, &view, lo, hi, 160),
        );
    }
    counts(&t, &view, runs);
    let mut st = state(t.clone(), 160, 48);
    st.set_view(Some(view));
    st.set_cursor(0);
    measure(
        "State::refresh (histogram + detail), filtered",
        runs * 20,
        || st.refresh(),
    );
}
