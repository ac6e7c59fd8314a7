//! The terminal UI: setup and teardown of the terminal, the event loop, and the ingest
//! thread that streams sources in. State and its update live in `app`, drawing in `views`.

mod annlist;
mod annotate;
pub mod annotations;
pub mod app;
mod casefx;
mod input;
mod jobs;
pub mod keymap;
mod merge;
mod nav;
mod picker;
mod prompt;
mod refresh;
pub use crate::sanitize;
pub mod theme;
pub mod trace;
pub mod views;
pub mod worker;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod zone_tests {
    use super::*;

    #[test]
    fn zone_cycle_has_no_repeats() {
        let paris: TzSpec = "Europe/Paris".parse().unwrap();
        let etc_utc: TzSpec = "Etc/UTC".parse().unwrap();
        let (v, start) = zones(etc_utc, None);
        assert_eq!((v.len(), start), (1, 0));
        let (v, start) = zones(paris, Some(paris));
        assert_eq!(v.len(), 2);
        assert_eq!(v[start].1, paris);
        let tokyo: TzSpec = "Asia/Tokyo".parse().unwrap();
        let (v, start) = zones(paris, Some(tokyo));
        let names: Vec<&str> = v.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(names, ["UTC", "local Europe/Paris", "Asia/Tokyo"]);
        assert_eq!(start, 2);
        let (v, start) = zones(paris, Some("+00:00".parse().unwrap()));
        assert_eq!((v.len(), start), (2, 0));
    }
}

use crate::ingest::{self, Options, Progress};
use crate::model::TzSpec;
use crate::timeline::Timeline;
use crate::timeline::filter::Filter;
use anyhow::{Context, bail};
use app::{Action, Config, IngestStatus, State};
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::{Command, execute};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};
use theme::{ColorMode, Theme};

/// TUI settings from the command line.
#[derive(Clone, Debug, Default)]
pub struct TuiOptions {
    /// Extra display zone (`--display-tz`), also the zone shown first.
    pub display_tz: Option<TzSpec>,
    pub color: ColorMode,
    pub ascii: bool,
    pub mouse: bool,
    pub author: Option<String>,
    /// `--case FILE`.
    pub case: Option<PathBuf>,
}

/// Mouse reporting without any-motion tracking (?1003 floods events over SSH): button
/// presses and drags (?1000, ?1002) in SGR encoding (?1006).
struct MouseOn;
struct MouseOff;

impl Command for MouseOn {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        f.write_str("\x1b[?1000h\x1b[?1002h\x1b[?1006h")
    }
    #[cfg(windows)]
    fn execute_winapi(&self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Command for MouseOff {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        f.write_str("\x1b[?1006l\x1b[?1002l\x1b[?1000l")
    }
    #[cfg(windows)]
    fn execute_winapi(&self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Undoes what `ratatui::restore` does not: paste and mouse modes, hidden cursor.
fn reset_modes(mouse: bool) {
    let mut out = std::io::stdout();
    let _ = execute!(
        out,
        event::DisableBracketedPaste,
        ratatui::crossterm::cursor::Show
    );
    if mouse {
        let _ = execute!(out, MouseOff);
    }
}

/// The zone of this machine: `TZ`, `/etc/timezone`, the `/etc/localtime` link, or else
/// the current fixed offset.
fn local_zone() -> TzSpec {
    let named = std::env::var("TZ")
        .ok()
        .map(|s| s.trim_start_matches(':').to_string())
        .or_else(|| std::fs::read_to_string("/etc/timezone").ok())
        .or_else(|| {
            let p = std::fs::read_link("/etc/localtime").ok()?;
            let s = p.to_string_lossy().into_owned();
            s.split_once("zoneinfo/").map(|(_, z)| z.to_string())
        });
    if let Some(z) = named.and_then(|n| n.trim().parse::<TzSpec>().ok()) {
        return z;
    }
    use chrono::Offset;
    TzSpec::Fixed(chrono::Local::now().offset().fix())
}

/// Zones that are UTC under another name (`Etc/UTC` is a common `/etc/localtime`).
fn is_utc(z: &TzSpec) -> bool {
    match z {
        TzSpec::Utc => true,
        TzSpec::Fixed(o) => o.local_minus_utc() == 0,
        TzSpec::Named(t) => matches!(
            t.name(),
            "UTC"
                | "Etc/UTC"
                | "Etc/UCT"
                | "UCT"
                | "Universal"
                | "Etc/Universal"
                | "Zulu"
                | "Etc/Zulu"
        ),
    }
}

/// UTC, local, `--display-tz`, without repeats; the first shown is `--display-tz` if set.
pub fn zones(local: TzSpec, display: Option<TzSpec>) -> (Vec<(String, TzSpec)>, usize) {
    let mut v: Vec<(String, TzSpec)> = vec![("UTC".into(), TzSpec::Utc)];
    if !is_utc(&local) {
        v.push((format!("local {local}"), local));
    }
    let mut start = 0;
    if let Some(d) = display {
        let same = |z: &TzSpec| *z == d || (is_utc(z) && is_utc(&d));
        match v.iter().position(|(_, z)| same(z)) {
            Some(i) => start = i,
            None => {
                v.push((d.to_string(), d));
                start = v.len() - 1;
            }
        }
    }
    (v, start)
}

/// Opens the TUI on `paths`. Refuses when stdin/stdout is not a terminal or TERM=dumb.
pub fn run(paths: Vec<PathBuf>, opts: Options, tui: TuiOptions) -> anyhow::Result<u8> {
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() || dumb {
        bail!(
            "the timeline viewer needs a terminal (stdin and stdout, TERM not dumb); \
             use `vigil export PATH...` or `vigil stats PATH...` instead"
        );
    }
    let no_color = std::env::var("NO_COLOR").ok();
    let color = theme::use_color(tui.color, no_color.as_deref());
    if tui.color == ColorMode::Always {
        ratatui::crossterm::style::force_color_output(true);
    }
    let (zones, zone) = zones(local_zone(), tui.display_tz);
    let config = Config {
        zones,
        start_zone: zone,
        theme: Theme::new(color, tui.ascii),
        mouse: tui.mouse,
        author: tui.author.clone(),
        ingest: opts.clone(),
    };
    let author = tui
        .author
        .clone()
        .unwrap_or_else(crate::case::default_author);
    let setup = casefx::prepare(paths, tui.case.clone(), &author)?;
    if setup.paths.is_empty() && setup.case.is_none() {
        bail!("no evidence given");
    }

    let stop = Arc::new(AtomicBool::new(false));
    watch_signals(stop.clone(), tui.mouse)?;
    // Installed before ratatui's, which restores the screen and then calls this one.
    let mouse = tui.mouse;
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        reset_modes(mouse);
        prev(info);
    }));
    let mut terminal = ratatui::try_init().context("setting up the terminal")?;
    let _ = execute!(std::io::stdout(), event::EnableBracketedPaste);
    if mouse {
        let _ = execute!(std::io::stdout(), MouseOn);
    }
    let mut trace = trace::Trace::from_env();
    let mut result = event_loop(&mut terminal, setup, opts, config, &stop, &mut trace);
    // SIGHUP/SIGTERM: every annotation is in the journal already; a save is a bonus,
    // done first because the signal watchdog exits the process shortly.
    let mut saved_msg = None;
    if let Ok(st) = &mut result
        && stop.load(Ordering::Relaxed)
        && st.unsaved
        && st.case.is_some()
    {
        casefx::save(st);
        saved_msg = st.msg.clone();
    }
    reset_modes(mouse);
    ratatui::restore();
    trace.emit();
    let st = result?;
    if let Some(app::Msg::Info(m) | app::Msg::Error(m)) = saved_msg {
        eprintln!("vigil: {m}");
    } else if st.unsaved
        && let Some(c) = &st.case
    {
        eprintln!(
            "vigil: unsaved annotations are kept in {} (replayed when the case is reopened)",
            c.journal_path().display()
        );
    }
    for e in &st.ingest_errors {
        eprintln!("vigil: {e}");
    }
    if stop.load(Ordering::Relaxed) {
        eprintln!("vigil: stopped by a signal");
    }
    Ok(if st.ingest.rejected > 0 {
        crate::commands::EXIT_REJECTS
    } else {
        crate::commands::EXIT_OK
    })
}

/// SIGHUP (SSH drop), SIGTERM and SIGINT would kill us with the terminal in raw mode:
/// they set `stop`, which the loop checks. When the terminal is gone, crossterm can spin
/// inside `poll` on zero-byte reads and never return to the loop, so if the loop has not
/// ended half a second later this thread restores the terminal and exits itself.
fn watch_signals(stop: Arc<AtomicBool>, mouse: bool) -> anyhow::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGINT])
        .context("installing signal handlers")?;
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            stop.store(true, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(500));
            reset_modes(mouse);
            ratatui::restore();
            eprintln!("vigil: stopped by signal {sig}");
            std::process::exit(128 + sig);
        }
    });
    Ok(())
}

/// Discovers and loads every path on a background thread, sending each source as it is
/// parsed, then `IngestDone` with the paths that could not be read.
fn spawn_ingest(
    paths: Vec<PathBuf>,
    opts: Options,
    progress: Arc<Progress>,
    tx: mpsc::Sender<Action>,
) {
    std::thread::spawn(move || {
        let (found, errors) = ingest::discover::discover(&paths);
        let (ltx, lrx) = mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| ingest::load_all(&found, &opts, &progress, ltx));
            for (_, loaded) in lrx {
                if tx.send(Action::Loaded(Box::new(loaded))).is_err() {
                    break;
                }
            }
        });
        let errors = errors
            .into_iter()
            .map(|(p, e)| format!("{}: {e}", p.display()))
            .collect();
        let _ = tx.send(Action::IngestDone(errors));
    });
}

fn snapshot(p: &Progress, started: Instant) -> IngestStatus {
    let l = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    IngestStatus {
        files_done: l(&p.files_done),
        files_total: l(&p.files_total),
        bytes_done: l(&p.bytes_done),
        bytes_total: l(&p.bytes_total),
        events: l(&p.events),
        rejected: l(&p.rejected),
        elapsed: started.elapsed(),
        done: false,
    }
}

fn to_action(ev: Event, mouse: bool) -> Option<Action> {
    match ev {
        // Release events come from Windows and the kitty protocol; only presses count.
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Action::Key(k)),
        Event::Paste(s) => Some(Action::Paste(s)),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        Event::Mouse(m) if mouse => Some(Action::Mouse(m)),
        _ => None,
    }
}

const FRAME: Duration = Duration::from_millis(16);

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    setup: casefx::CaseSetup,
    opts: Options,
    config: Config,
    stop: &AtomicBool,
    trace: &mut trace::Trace,
) -> anyhow::Result<State> {
    let mouse = config.mouse;
    let started = Instant::now();
    let mut st = State::new(Arc::new(Timeline::new()), config);
    let size = terminal.size()?;
    st.size = (size.width, size.height);
    let casefx::CaseSetup {
        case,
        paths,
        sources,
        problems,
    } = setup;
    // A reopened case brings back the filter and the place it was saved with.
    let mut initial = Vec::new();
    if let Some((case, report)) = case {
        let saved = case.file().view.filter.clone();
        st.resume_at = case.file().view.cursor_ts;
        st.set_case(case, &report);
        if let Some(f) = saved.filter(|f| Filter::parse(f, &st.zone().1).is_ok()) {
            initial = app::apply_filter(&mut st, f);
        }
    }
    st.case_sources = sources;
    st.evidence_problems = problems;
    casefx::show_problems(&mut st);
    st.refresh();
    // First frame before any evidence is read.
    terminal.draw(|f| views::render(&st, f))?;
    trace.drawn(st.timeline.len(), false);
    let (tx, rx) = mpsc::channel();
    let progress = Arc::new(Progress::default());
    spawn_ingest(paths, opts, progress.clone(), tx.clone());
    let mut exec = worker::Executor::new(tx);
    worker::dispatch(&mut st, &mut exec, initial);
    let mut dirty = false;
    let mut last_draw = Instant::now();
    while !st.quit && !stop.load(Ordering::Relaxed) {
        let busy = !st.ingest.done || st.filter_pending.is_some() || st.search_pending.is_some();
        let timeout = if dirty {
            FRAME.saturating_sub(last_draw.elapsed())
        } else if busy {
            Duration::from_millis(50)
        } else {
            Duration::from_millis(250)
        };
        // Drain everything queued, then draw once.
        if event::poll(timeout)? {
            loop {
                if let Some(a) = to_action(event::read()?, mouse) {
                    worker::step(&mut st, &mut exec, a);
                    dirty = true;
                }
                // A vanished terminal can report endless input: the signal flag ends it.
                if st.quit || stop.load(Ordering::Relaxed) || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        while let Ok(a) = rx.try_recv() {
            worker::step(&mut st, &mut exec, a);
            dirty = true;
        }
        if !st.ingest.done
            || !st.pending_sources.is_empty()
            || st.filter_pending.is_some()
            || st.index == app::IndexStatus::Building
        {
            let mut snap = snapshot(&progress, started);
            snap.done = st.ingest.done;
            if st.ingest.done {
                snap.elapsed = st.ingest.elapsed;
            }
            let tick = Action::Tick {
                ingest: snap,
                filter_done: exec.filter_progress(),
                index_done: exec.index_progress(),
            };
            worker::step(&mut st, &mut exec, tick);
            dirty = true;
        }
        if dirty && last_draw.elapsed() >= FRAME {
            terminal.draw(|f| views::render(&st, f))?;
            let loaded = st.ingest.done && st.pending_sources.is_empty();
            trace.drawn(st.timeline.len(), loaded);
            dirty = false;
            last_draw = Instant::now();
        }
    }
    exec.run(vec![app::Effect::CancelJobs]);
    Ok(st)
}
