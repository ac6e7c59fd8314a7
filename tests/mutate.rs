//! Mutation harness (DESIGN §11, issue 11): runs `vigil stats` and `vigil export` on every
//! corpus and sample file mutated — bit flips, EVTX cut at chunk boundaries and inside
//! chunks, a huge line, very deep JSON, CR-only and NUL line ends, gzip with junk, cut
//! and bomb-like gzip — each run under a timeout and an address-space limit. A panic
//! (exit 101), a signal (SIGBUS, SIGSEGV, SIGABRT from OOM), a hang or an exit code
//! outside 0/1/2 is a failure. So is a silent loss where it can be told: a CR-only or
//! NUL-separated copy, or an EVTX cut at a chunk boundary, that exits 0 with fewer events
//! than the clean original, and a gzip with junk after it that loses events or does not
//! report the junk. Each failing input is kept under `target/mutate-failures/`.
//!
//! Run by hand (it takes minutes): `benches/mutate.sh`, or
//! `cargo test --release --test mutate -- --ignored --nocapture`. `MUTATE_ROUNDS` (variants
//! of each kind per file, default 2) and `MUTATE_SEED` change the run; `MUTATE_VIGIL=PATH`
//! runs another vigil binary.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);
/// Address-space limit of each run: a blow-up hits it and fails instead of swapping.
const MEM_LIMIT: u64 = 4 << 30;

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// The mutated variants of one file: (name suffix, bytes).
fn variants(name: &str, data: &[u8], rng: &mut Rng, rounds: usize) -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    let evtx = data.starts_with(b"ElfFile\0");
    let json = name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".ndjson");
    for r in 0..rounds {
        for flips in [1usize, 16, 256] {
            let mut d = data.to_vec();
            for _ in 0..flips {
                if d.is_empty() {
                    break;
                }
                let i = rng.below(d.len());
                d[i] ^= 1 << rng.below(8);
            }
            v.push((format!("flip{flips}-{r}"), d));
        }
        // Random bytes overwritten with 0xff / 0x00 runs (sizes, offsets in headers).
        let mut d = data.to_vec();
        if !d.is_empty() {
            let at = rng.below(d.len());
            let n = (1 + rng.below(64)).min(d.len() - at);
            let b = if rng.below(2) == 0 { 0xff } else { 0 };
            d[at..at + n].fill(b);
        }
        v.push((format!("fill-{r}"), d));
        let cut = rng.below(data.len() + 1);
        v.push((format!("cut{cut}"), data[..cut].to_vec()));
    }
    if evtx {
        let slots = data.len().saturating_sub(4096).div_ceil(65536);
        // Chunks past the header's count (dirty files under-count) cannot be missed.
        let counted = usize::from(u16::from_le_bytes([data[42], data[43]]));
        for k in 0..slots.min(4) {
            let at = 4096 + k * 65536;
            let tag = if k < counted { "" } else { "-uncounted" };
            v.push((
                format!("chunkcut{k}{tag}"),
                data[..at.min(data.len())].to_vec(),
            ));
            let mid = (at + 512 + rng.below(65000)).min(data.len());
            v.push((format!("midcut{k}"), data[..mid].to_vec()));
        }
        // A chunk's header fields (free space, last record offsets) set to extremes.
        if data.len() > 4096 + 128 {
            let mut d = data.to_vec();
            for off in [4096 + 40, 4096 + 44, 4096 + 48] {
                d[off..off + 4].copy_from_slice(&u32::MAX.to_le_bytes());
            }
            v.push(("chunkhdr".into(), d));
        }
        let mut d = data.to_vec();
        d[42..44].copy_from_slice(&u16::MAX.to_le_bytes());
        v.push(("chunkcount".into(), d));
    } else {
        let cr: Vec<u8> = data
            .iter()
            .map(|&b| if b == b'\n' { b'\r' } else { b })
            .collect();
        v.push(("cr".into(), cr));
        let nul: Vec<u8> = data
            .iter()
            .map(|&b| if b == b'\n' { 0 } else { b })
            .collect();
        v.push(("nul".into(), nul));
        // A 20 MiB line (over the record limit) in the middle.
        let mid = data.len() / 2;
        let mut d = data[..mid].to_vec();
        d.extend_from_slice(b"\n");
        d.extend(std::iter::repeat_n(b'A', 20 << 20));
        d.extend_from_slice(b"\n");
        d.extend_from_slice(&data[mid..]);
        v.push(("hugeline".into(), d));
    }
    if json {
        // Very deep JSON: as a record of its own and inside the first record.
        let depth = 200_000;
        let mut d = data.to_vec();
        d.extend_from_slice(b"\n");
        d.extend(std::iter::repeat_n(b'[', depth));
        d.extend(std::iter::repeat_n(b']', depth));
        d.extend_from_slice(b"\n");
        v.push(("deeparray".into(), d));
        if let Some(i) = data.iter().position(|&b| b == b'{') {
            let mut d = data[..=i].to_vec();
            d.extend_from_slice(b"\"deep\":");
            d.extend(std::iter::repeat_n(b"{\"a\":".as_slice(), depth).flatten());
            d.extend_from_slice(b"1");
            d.extend(std::iter::repeat_n(b'}', depth));
            d.extend_from_slice(b",");
            d.extend_from_slice(&data[i + 1..]);
            v.push(("deepobject".into(), d));
        }
    }
    // Compressed: good, with junk after it, cut short, and bomb-like (mostly zeros).
    let gz = gzip(data);
    let mut junk = gz.clone();
    junk.extend_from_slice(b"\x1f\x8bjunk after the member");
    v.push(("gzjunk.gz".into(), junk));
    v.push(("gzcut.gz".into(), gz[..gz.len() / 2].to_vec()));
    let mut two = gz.clone();
    two.extend(gzip(&data[..data.len() / 3]));
    v.push(("gz2.gz".into(), two));
    v
}

/// What a run gave: exit code and, for `stats --json`, the events and rejects it counted.
struct Ran {
    code: i32,
    counts: Option<(u64, u64)>,
}

fn run_counts(args: &[&str], file: &Path) -> Result<Ran, String> {
    // `MUTATE_VIGIL` runs another build (e.g. an older one, to see what it fails).
    let bin = std::env::var_os("MUTATE_VIGIL").unwrap_or(env!("CARGO_BIN_EXE_vigil").into());
    let mut c = Command::new(bin);
    c.args(args)
        .arg(file)
        .env("VIGIL_MAX_DECOMPRESSED", (256u64 << 20).to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // A memory limit on the child: no safe API sets one before exec.
    #[cfg(unix)]
    #[allow(unsafe_code)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setrlimit is async-signal-safe and touches only the child.
        unsafe {
            c.pre_exec(|| {
                let lim = libc::rlimit {
                    rlim_cur: MEM_LIMIT,
                    rlim_max: MEM_LIMIT,
                };
                libc::setrlimit(libc::RLIMIT_AS, &lim);
                Ok(())
            });
        }
    }
    let mut child = c.spawn().map_err(|e| format!("spawn: {e}"))?;
    // Drained on threads: a full pipe would block the child and look like a hang.
    let drain = |r: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut v);
            }
            v
        })
    };
    let out_t = drain(child.stdout.take().map(|o| Box::new(o) as _));
    let err_t = drain(child.stderr.take().map(|e| Box::new(e) as _));
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("hang (> {} s)", TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("wait: {e}")),
        }
    };
    let out = out_t.join().unwrap_or_default();
    let err = err_t.join().unwrap_or_default();
    let err = String::from_utf8_lossy(&err);
    match status.code() {
        Some(code @ 0..=2) if !err.contains("panicked") => {
            let counts = serde_json::from_slice::<serde_json::Value>(&out)
                .ok()
                .and_then(|v| Some((v["events"].as_u64()?, v["rejected"].as_u64()?)));
            Ok(Ran { code, counts })
        }
        Some(c) => Err(format!(
            "exit {c}: {}",
            err.lines().take(3).collect::<Vec<_>>().join(" | ")
        )),
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt;
                Err(format!("signal {:?}", status.signal()))
            }
            #[cfg(not(unix))]
            Err("killed".into())
        }
    }
}

/// A silent loss `variant` shows against its clean original, if it can be told: the
/// copy exits 0 with fewer events (CR-only, NUL, EVTX cut at a chunk boundary), or a gzip
/// with junk after it lost events or did not report the junk.
fn silent_loss(variant: &str, original: &Ran, got: &Ran) -> Option<String> {
    let (want, want_rejected) = original.counts?;
    let (events, rejected) = got.counts?;
    let checked = matches!(variant, "cr" | "nul")
        || (variant.starts_with("chunkcut") && !variant.ends_with("-uncounted"));
    if checked && got.code == 0 && events < want {
        return Some(format!("exit 0 with {events} of {want} events"));
    }
    if variant == "gzjunk.gz" && (events != want || rejected <= want_rejected) {
        return Some(format!("{events} of {want} events, {rejected} rejected"));
    }
    None
}

fn inputs() -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(c) = common::corpus("") {
        for ext in ["evtx", "log", "json", "jsonl", "ndjson", "csv"] {
            v.extend(common::files(&c, ext));
        }
    }
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    for ext in ["evtx", "log", "json", "ndjson", "csv"] {
        v.extend(common::files(&samples, ext));
    }
    v
}

#[test]
#[ignore = "minutes long: run by hand (benches/mutate.sh)"]
fn mutated_inputs_never_panic_hang_or_blow_up() {
    let rounds: usize = std::env::var("MUTATE_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let seed: u64 = std::env::var("MUTATE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234);
    let keep = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/mutate-failures");
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng(seed | 1);
    let (mut files, mut runs) = (0usize, 0usize);
    let mut failures: Vec<String> = Vec::new();
    let started = Instant::now();
    let inputs = inputs();
    assert!(!inputs.is_empty(), "no inputs: corpus and samples missing");
    // A gzip bomb: 1 GiB of zeros in about 1 MiB, past the 256 MiB bound set for the runs.
    let bomb = tmp.path().join("bomb.log.gz");
    {
        use std::io::Write;
        let f = std::fs::File::create(&bomb).unwrap();
        let mut e = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..1024 {
            e.write_all(&zeros).unwrap();
        }
        e.finish().unwrap();
    }
    match run_counts(&["stats", "--json"], &bomb) {
        Ok(r) if r.counts.is_some_and(|(_, rejected)| rejected >= 1) => {}
        Ok(r) => failures.push(format!("bomb: limit not reported: {:?}", r.counts)),
        Err(e) => failures.push(format!("bomb: {e}")),
    }
    files += 1;
    runs += 1;
    for (k, src) in inputs.iter().enumerate() {
        let Ok(data) = std::fs::read(src) else {
            continue;
        };
        let name = src.file_name().unwrap().to_string_lossy().into_owned();
        let original = run_counts(&["stats", "--json"], src).ok();
        for (suffix, bytes) in variants(&name, &data, &mut rng, rounds) {
            let ext = if suffix.ends_with(".gz") { "" } else { ".mut" };
            let p = tmp.path().join(format!("{k}-{suffix}-{name}{ext}"));
            if std::fs::write(&p, &bytes).is_err() {
                continue;
            }
            files += 1;
            for args in [&["stats", "--json"][..], &["export"][..]] {
                runs += 1;
                let why = match (run_counts(args, &p), &original) {
                    (Err(e), _) => Some(e),
                    (Ok(got), Some(o)) if args[0] == "stats" => silent_loss(&suffix, o, &got),
                    _ => None,
                };
                if let Some(why) = why {
                    let msg = format!("{} {}: {why}", args[0], p.display());
                    eprintln!("FAIL {msg}");
                    let _ = std::fs::create_dir_all(&keep);
                    let _ = std::fs::copy(&p, keep.join(p.file_name().unwrap()));
                    failures.push(msg);
                }
            }
            let _ = std::fs::remove_file(&p);
        }
    }
    eprintln!(
        "mutate: {} inputs, {files} mutated files, {runs} runs, {} failures, {:.0} s",
        inputs.len(),
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
