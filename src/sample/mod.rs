//! `vigil sample`: a deterministic ransomware-incident corpus (EVTX, firewall, EDR) with
//! its ground truth, and the EVTX writer it needs.
//!
//! Layout: `DIR/evtx/<HOST>/<Channel>.evtx`, `DIR/firewall/*.log`, `DIR/edr/*`,
//! `DIR/ground-truth.json`, `DIR/README.txt`. Files are generated in parallel, each from its
//! own RNG stream, so the bytes depend only on the seed and the scale.

pub mod binxml;
mod edr_out;
pub mod evtx_writer;
mod firewall_out;
mod noise;
pub mod rng;
mod scenario;
mod winevents;
mod world;

use anyhow::Context;
use edr_out::EdrFile;
use evtx_writer::{Event, EvtxWriter};
use firewall_out::Fw;
use rayon::prelude::*;
use rng::Rng;
use scenario::Story;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use winevents::WinEv;
use world::{Chan, HOSTS};

#[derive(Clone, Copy, Debug)]
pub struct SampleOptions {
    /// Multiplies the background noise (≥ 1).
    pub scale: u32,
    pub seed: u64,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions { scale: 1, seed: 7 }
    }
}

#[derive(Debug)]
pub struct SampleSummary {
    /// Every file written with its record (EVTX) or line count.
    pub files: Vec<(PathBuf, u64)>,
    pub events: u64,
}

/// One output line of a text source.
pub(crate) struct Line {
    pub ts: i64,
    pub text: Vec<u8>,
    pub gt: Option<&'static str>,
}

/// One early-detection point.
#[derive(serde::Serialize)]
struct Truth {
    source: String,
    locator: Locator,
    time: String,
    host: String,
    what: &'static str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum Locator {
    RecordId(u64),
    Offset(u64),
}

enum Job {
    Evtx(usize, Chan),
    Firewall(Fw),
    Edr(EdrFile),
}

impl Job {
    fn rel_path(&self) -> String {
        match self {
            Job::Evtx(h, c) => format!("evtx/{}/{}", HOSTS[*h].name, c.file_name()),
            Job::Firewall(f) => format!("firewall/{}", f.file_name()),
            Job::Edr(e) => format!("edr/{}", e.file_name()),
        }
    }
}

struct Written {
    rel: String,
    count: u64,
    truths: Vec<Truth>,
}

/// Writes the sample incident into `dir` (created if needed).
pub fn generate(dir: &Path, opts: &SampleOptions) -> anyhow::Result<SampleSummary> {
    let scale = u64::from(opts.scale.max(1));
    let story = scenario::story(opts.seed);
    let mut jobs = Vec::new();
    for (h, host) in HOSTS.iter().enumerate() {
        for c in host.channels() {
            jobs.push(Job::Evtx(h, c));
        }
    }
    jobs.extend(Fw::ALL.map(Job::Firewall));
    jobs.extend(EdrFile::ALL.map(Job::Edr));
    for sub in ["evtx", "firewall", "edr"] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("creating {}", dir.join(sub).display()))?;
    }
    for host in &HOSTS {
        std::fs::create_dir_all(dir.join("evtx").join(host.name))?;
    }
    // Biggest jobs first keeps both cores busy to the end.
    jobs.sort_by_key(|j| std::cmp::Reverse(weight(j)));
    let results: Vec<anyhow::Result<Written>> = jobs
        .par_iter()
        .map(|job| {
            let rel = job.rel_path();
            let path = dir.join(&rel);
            let mut rng = Rng::fork(opts.seed, &rel);
            let (count, truths) = match job {
                Job::Evtx(h, c) => write_evtx(&path, &rel, &story, *h, *c, scale, &mut rng),
                Job::Firewall(f) => {
                    write_text(&path, &rel, &text_lines_fw(&story, *f, scale, &mut rng)?)
                }
                Job::Edr(e) => {
                    write_text(&path, &rel, &text_lines_edr(&story, *e, scale, &mut rng))
                }
            }
            .with_context(|| format!("writing {}", path.display()))?;
            Ok(Written { rel, count, truths })
        })
        .collect();
    let mut written = Vec::new();
    for r in results {
        written.push(r?);
    }
    written.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut truths: Vec<Truth> = written
        .iter_mut()
        .flat_map(|w| std::mem::take(&mut w.truths))
        .collect();
    truths.sort_by(|a, b| a.time.cmp(&b.time).then(a.source.cmp(&b.source)));
    let gt = serde_json::json!({
        "scenario": "Ransomware intrusion at Klinikum am See, Fri 2026-03-13 to Sun 2026-03-15",
        "zone": world::ZONE,
        "seed": opts.seed,
        "scale": scale,
        "hosts": HOSTS.iter().map(|h| serde_json::json!({"name": h.name, "fqdn": h.fqdn(), "ip": h.ip_str()})).collect::<Vec<_>>(),
        "attacker": {"c2": world::ip(world::C2_IP), "c2_domain": world::C2_DOMAIN, "exfil": world::ip(world::EXFIL_IP), "exfil_domain": world::EXFIL_DOMAIN},
        "early_detection": truths,
    });
    let mut f = BufWriter::new(File::create(dir.join("ground-truth.json"))?);
    serde_json::to_writer_pretty(&mut f, &gt)?;
    f.write_all(b"\n")?;
    f.flush()?;
    std::fs::write(dir.join("README.txt"), README)?;
    let events = written.iter().map(|w| w.count).sum();
    Ok(SampleSummary {
        files: written
            .into_iter()
            .map(|w| (dir.join(w.rel), w.count))
            .collect(),
        events,
    })
}

const README: &str = "This directory is a synthetic incident written by `vigil sample`: a ransomware intrusion \
against a small hospital network (Klinikum am See, domain KLINIKUM) over the weekend of Friday 13 to Sunday 15 March \
2026, local zone Europe/Berlin. A phishing attachment opened on WS-RECEPTION-01 on Friday afternoon runs an encoded \
PowerShell that beacons to 185.225.73.18, credentials are dumped from lsass, the attacker moves to FS-01 and DC-01 \
with PsExec and RDP, creates an admin account, a service and a scheduled task, exfiltrates patient files with rclone \
to 31.220.45.110, disables Defender, deletes shadow copies and the backup catalog, clears logs and encrypts files \
(.locked) on Saturday evening, all among benign background activity. evtx/ holds real .evtx files per host and \
channel, firewall/ a FortiGate perimeter log, a netfilter internal router log and a Cisco ASA server-segment log, \
edr/ Defender for Endpoint and CrowdStrike exports; ground-truth.json lists the early-detection points with the file \
and record id or byte offset of each. Everything here is fictional and generated from a seed; the log clearing is \
recorded but earlier records are kept so the story stays visible.\n";

fn weight(j: &Job) -> u64 {
    match j {
        Job::Evtx(h, c) => noise::evtx_count(&HOSTS[*h], *c),
        Job::Firewall(f) => f.base_count(),
        Job::Edr(e) => e.base_count(),
    }
}

fn write_evtx(
    path: &Path,
    rel: &str,
    story: &Story,
    h: usize,
    chan: Chan,
    scale: u64,
    rng: &mut Rng,
) -> anyhow::Result<(u64, Vec<Truth>)> {
    let n = noise::evtx_count(&HOSTS[h], chan) * scale;
    let background: Vec<WinEv> = (0..n).map(|_| noise::evtx_event(rng, h, chan)).collect();
    let mut all: Vec<&WinEv> = story
        .win
        .iter()
        .filter(|e| e.host == h && e.kind.chan() == chan)
        .chain(background.iter())
        .collect();
    all.sort_by_key(|e| e.ts);
    let computer = HOSTS[h].fqdn();
    let mut w = EvtxWriter::new(BufWriter::with_capacity(1 << 20, File::create(path)?))?;
    let mut truths = Vec::new();
    let mut refs: Vec<&str> = Vec::with_capacity(32);
    for e in all {
        refs.clear();
        refs.extend(e.data.iter().map(String::as_str));
        let id = w.append(&Event {
            shape: e.kind.shape(),
            ts_ns: e.ts,
            pid: e.pid,
            tid: e.tid,
            channel: chan.name(),
            computer: &computer,
            user_sid: e.user_sid.as_deref(),
            data: &refs,
        })?;
        if let Some(what) = e.gt {
            truths.push(truth(rel, Locator::RecordId(id), e.ts, HOSTS[h].name, what));
        }
    }
    let (mut out, count) = w.finish()?;
    out.flush()?;
    Ok((count, truths))
}

fn truth(rel: &str, locator: Locator, ts: i64, host: &str, what: &'static str) -> Truth {
    Truth {
        source: rel.to_string(),
        locator,
        time: crate::model::format_rfc3339(ts),
        host: host.to_string(),
        what,
    }
}

fn text_lines_fw(story: &Story, fw: Fw, scale: u64, rng: &mut Rng) -> anyhow::Result<Vec<Line>> {
    let mut lines = Vec::new();
    let mut seq = 0;
    for f in story.flows.iter().filter(|f| fw.sees(f)) {
        firewall_out::render(fw, f, seq, &mut lines)?;
        seq += 1;
    }
    // Only the perimeter line of a story flow is an early-detection point.
    if fw != Fw::Fortigate {
        lines.iter_mut().for_each(|l| l.gt = None);
    }
    for _ in 0..fw.base_count() * scale {
        let f = firewall_out::background_flow(rng, fw);
        firewall_out::render(fw, &f, seq, &mut lines)?;
        seq += 1;
    }
    Ok(lines)
}

fn text_lines_edr(story: &Story, e: EdrFile, scale: u64, rng: &mut Rng) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut seq = 0;
    for p in &story.procs {
        edr_out::render_proc(e, p, seq, &mut lines);
        seq += 1;
    }
    for c in &story.conns {
        edr_out::render_conn(e, c, seq, &mut lines);
        seq += 1;
    }
    for _ in 0..e.base_count() * scale {
        edr_out::background(rng, e, seq, &mut lines);
        seq += 1;
    }
    lines
}

fn write_text(path: &Path, rel: &str, lines: &[Line]) -> anyhow::Result<(u64, Vec<Truth>)> {
    let mut order: Vec<&Line> = lines.iter().collect();
    order.sort_by_key(|l| l.ts);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut offset = 0u64;
    let mut truths = Vec::new();
    if rel.ends_with(".csv") {
        out.write_all(edr_out::MDE_CSV_HEADER.as_bytes())?;
        offset += edr_out::MDE_CSV_HEADER.len() as u64;
    }
    let eol: &[u8] = if rel.ends_with(".csv") {
        b"\r\n"
    } else {
        b"\n"
    };
    for l in &order {
        if let Some(what) = l.gt {
            let host = host_of_line(&l.text);
            truths.push(truth(rel, Locator::Offset(offset), l.ts, host, what));
        }
        out.write_all(&l.text)?;
        out.write_all(eol)?;
        offset += (l.text.len() + eol.len()) as u64;
    }
    out.flush()?;
    Ok((order.len() as u64, truths))
}

/// The hospital host a text line is about (first host name or address found in it).
fn host_of_line(text: &[u8]) -> &'static str {
    let s = String::from_utf8_lossy(text);
    HOSTS
        .iter()
        .find(|h| {
            s.contains(&format!("={} ", h.ip_str()))
                || s.contains(&format!("\"{}\"", h.name))
                || s.to_lowercase().contains(&h.fqdn().to_lowercase())
        })
        .map(|h| h.name)
        .unwrap_or("-")
}

#[cfg(test)]
mod tests;
