//! The terminal UI, read in one direction: input and worker results become `Action`s;
//! `update` (one file per layer) changes `State` and asks for `Effect`s; `effects` runs
//! them (jobs, case I/O) and answers with more actions; `views` draw the state. `state`,
//! `action`, `layout` and `keymap` are leaves: nothing below this file imports it, and
//! the module graph has no cycle (checked by a test).

pub mod action;
pub mod annotations;
pub mod app;
pub mod cands;
mod case_state;
mod casepath;
pub mod cells;
pub mod clipboard;
pub mod columns;
mod commands;
pub mod complete;
pub mod counts;
pub mod decode;
pub mod detect;
pub mod effects;
pub mod harness;
pub mod history;
pub mod keymap;
pub mod layout;
pub mod panels;
pub mod run;
pub use crate::sanitize;
mod setup;
pub mod state;
mod term;
pub mod theme;
pub mod trace;
pub mod update;
pub mod views;
pub mod window;
pub mod zones;

#[cfg(test)]
mod tests;

use crate::ingest::{Options, Progress};
use crate::model::TzSpec;
use crate::query::Query;
use crate::timeline::Timeline;
use action::{Action, Effect};
use anyhow::{Context, bail};
use app::App;
use effects::Effects;
use state::{Config, IndexStatus, IngestStatus, Msg, State, Stop};
use std::io::IsTerminal;
use std::io::Write;
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
    /// `--filter QUERY`: the filter to start with.
    pub filter: Option<String>,
    /// `--case FILE`.
    pub case: Option<PathBuf>,
    /// Sigma rules run once everything is loaded (`None`: `--no-rules`).
    pub rules: Option<crate::detect::RuleOptions>,
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
    let (zones, zone) = zones::zones(zones::local_zone(), tui.display_tz);
    // The start filter is read in the zone the view starts in, as if typed at `f`; the
    // same query tells a Parquet source what it may skip.
    let start_zone = zones.get(zone).map_or(TzSpec::Utc, |(_, z)| *z);
    let filter = match tui
        .filter
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        Some(f) => {
            Some(Query::parse(f, &start_zone).map_err(|e| anyhow::anyhow!("bad --filter: {e}"))?)
        }
        None => None,
    };
    let opts = Options {
        pushdown: filter,
        ..opts
    };
    let config = Config {
        zones,
        start_zone: zone,
        theme: Theme::new(color, tui.ascii),
        mouse: tui.mouse,
        author: tui.author.clone(),
        ingest: opts.clone(),
        rules: tui.rules.clone(),
        analyze: true,
    };
    let author = tui
        .author
        .clone()
        .unwrap_or_else(crate::case::default_author);
    let setup = setup::prepare(paths, tui.case.clone(), &author)?;
    let (keymap, keymap_error) = load_keymap();
    // Prompt histories: a folder that cannot be read means none this time (said once).
    let history_dir = history::default_dir();
    let (history, history_error) = match history_dir.as_deref().map(history::History::load) {
        Some(Ok(h)) => (h, None),
        Some(Err(e)) => (
            history::History::default(),
            history_dir
                .as_ref()
                .map(|d| format!("prompt history {}: {e}", d.display())),
        ),
        None => (history::History::default(), None),
    };
    if setup.paths.is_empty() && setup.case.is_none() {
        bail!("no evidence given");
    }

    let (tx, rx) = mpsc::channel();
    // Set once `run` is about to return: the signal watchdog stands down.
    let done = Arc::new(AtomicBool::new(false));
    let mouse = tui.mouse;
    watch_signals(tx.clone(), done.clone(), mouse)?;
    // The screen comes back before the panic message is printed.
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        term::reset_modes(mouse);
        ratatui::restore();
        prev(info);
    }));
    let colors = term::color_count(
        std::env::var("TERM").ok().as_deref(),
        std::env::var("COLORTERM").ok().as_deref(),
    );
    let mut terminal = term::init(colors).context("setting up the terminal")?;
    term::set_modes(mouse);
    let mut trace = trace::Trace::from_env();
    let start = Start {
        setup,
        opts,
        config,
        author,
        keymap,
        keymap_error: keymap_error.clone(),
        history,
        history_dir,
        history_error,
    };
    let result = event_loop(&mut terminal, start, (tx, rx), &mut trace);
    let mut app = match result {
        Ok(app) => app,
        Err(e) => {
            term::reset_modes(mouse);
            ratatui::restore();
            done.store(true, Ordering::SeqCst);
            return Err(e);
        }
    };
    let stopped = app.stopped;
    // A signal or a lost terminal: every annotation is in the journal already; the case
    // file is brought up to date too (atomically), before anything else.
    let mut saved_msg = None;
    if stopped.is_some() && app.case.unsaved && app.case.info.is_some() {
        let req = update::case::save_request(&app.st);
        let saved = app.fx.save(&req);
        app.apply(Action::Saved(saved));
        saved_msg = app.msg.clone();
    }
    // A terminal that hung up takes no more writes: nothing to restore, and nothing may
    // wait on it.
    let gone = stopped == Some(Stop::TerminalLost) || !term::alive();
    if !gone {
        term::reset_modes(mouse);
        ratatui::restore();
    }
    trace.emit();
    let mut notes = Vec::new();
    if let Some(Msg::Info(m) | Msg::Error(m)) = saved_msg {
        notes.push(m);
    } else if app.case.unsaved
        && let Some(c) = &app.case.info
    {
        notes.push(if c.journal_written {
            format!(
                "unsaved annotations are kept in {} (replayed when the case is reopened)",
                c.journal_path.display()
            )
        } else {
            format!("{} was not saved", c.path.display())
        });
    }
    notes.extend(
        app.ingest
            .skipped
            .iter()
            .map(|r| format!("{}: {}", r.path, state::passed_over_why(r))),
    );
    notes.extend(keymap_error.iter().cloned());
    match stopped {
        Some(Stop::Signal(sig)) => notes.push(format!("stopped by signal {sig}")),
        Some(Stop::TerminalLost) => notes.push("the terminal went away".into()),
        None => {}
    }
    // stderr may be the terminal that went away: never panic on a failed write.
    let mut err = std::io::stderr().lock();
    for n in notes {
        let _ = writeln!(err, "vigil: {n}");
    }
    let code = if app.ingest.status.rejected > 0 {
        crate::commands::EXIT_REJECTS
    } else {
        crate::commands::EXIT_OK
    };
    done.store(true, Ordering::SeqCst);
    if stopped.is_some() {
        // Ending at once: freeing a timeline of millions of events takes longer than
        // the process exit does.
        std::mem::forget(app);
    }
    Ok(code)
}

/// The default keymap with the user's file on top, if there is one. A file that cannot
/// be used is reported in one line and the defaults are kept.
fn load_keymap() -> (keymap::Keymap, Option<String>) {
    let default = keymap::Keymap::default_map();
    let Some(path) = keymap::user_path() else {
        return (default, None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (default, None),
        Err(e) => {
            let msg = format!("keymap {}: {e}; defaults kept", path.display());
            return (default, Some(msg));
        }
    };
    let user = default
        .with_user(&text)
        .map_err(|e| e.to_string())
        .and_then(|km| {
            update::validate_keymap(&km)
                .map(|()| km)
                .map_err(|e| e.to_string())
        });
    match user {
        Ok(km) => (km, None),
        Err(e) => {
            let msg = format!("keymap {}: {e}; defaults kept", path.display());
            (default, Some(msg))
        }
    }
}

/// What the event loop starts from.
struct Start {
    setup: setup::CaseSetup,
    opts: Options,
    config: Config,
    author: String,
    keymap: keymap::Keymap,
    keymap_error: Option<String>,
    history: history::History,
    history_dir: Option<PathBuf>,
    history_error: Option<String>,
}

/// SIGHUP (SSH drop), SIGTERM and SIGINT would kill us with the terminal in raw mode:
/// they become `Action::Stopped`, and the loop saves the case and ends. Should the loop
/// be stuck, this thread ends the process after `GRACE` (the journal has every annotation).
fn watch_signals(
    tx: mpsc::Sender<Action>,
    done: Arc<AtomicBool>,
    mouse: bool,
) -> anyhow::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    const GRACE: Duration = Duration::from_secs(3);
    let mut signals = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGINT])
        .context("installing signal handlers")?;
    std::thread::spawn(move || {
        let Some(sig) = signals.forever().next() else {
            return;
        };
        let _ = tx.send(Action::Stopped(Stop::Signal(sig)));
        let deadline = Instant::now() + GRACE;
        while Instant::now() < deadline {
            if done.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if term::alive() {
            term::reset_modes(mouse);
            ratatui::restore();
        }
        let _ = writeln!(std::io::stderr(), "vigil: stopped by signal {sig}");
        std::process::exit(128 + sig);
    });
    Ok(())
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

const FRAME: Duration = Duration::from_millis(16);
/// How long a message stays on the input line (errors longer).
const INFO_TTL: Duration = Duration::from_secs(8);
const ERROR_TTL: Duration = Duration::from_secs(20);

type Channel = (mpsc::Sender<Action>, mpsc::Receiver<Action>);

fn event_loop(
    terminal: &mut term::Term,
    start: Start,
    (tx, rx): Channel,
    trace: &mut trace::Trace,
) -> anyhow::Result<App> {
    let Start {
        setup,
        opts,
        config,
        author,
        keymap,
        keymap_error,
        history,
        history_dir,
        history_error,
    } = start;
    let mouse = config.mouse;
    let started = Instant::now();
    let mut st = State::new(Arc::new(Timeline::new()), config);
    st.keymap = keymap;
    st.history = history;
    let size = terminal.size()?;
    st.size = (size.width, size.height);
    let setup::CaseSetup {
        case,
        paths,
        sources,
        problems,
    } = setup;
    st.case.sources = sources;
    st.case.problems = problems;
    let mut app = App::new(st, Effects::threaded(tx.clone(), author, history_dir));
    app.fx.protect_evidence(&paths);
    // A reopened case brings back the filter and the place it was saved with.
    if let Some((case, report)) = case {
        let opened = app.fx.adopt_case(case, report);
        app.apply(opened);
    }
    // `--filter` (the query ingest was told, so a Parquet dataset skips what it cannot match).
    if let Some(q) = opts.pushdown.as_ref() {
        app.start_filter(q.as_str().to_owned());
    }
    if let Some(e) = keymap_error.or(history_error) {
        app.error(e);
    }
    // First frame before any evidence is read.
    if terminal.draw(|f| views::render(&app.st, f)).is_err() {
        app.apply(Action::Stopped(Stop::TerminalLost));
        return Ok(app);
    }
    trace.drawn(app.timeline.len(), false);
    let progress = Arc::new(Progress::default());
    effects::spawn_ingest(paths, opts, progress.clone(), tx.clone());
    // Keys come from their own thread: after a hang-up crossterm's reader can spin
    // without ever returning, and the loop must stay free to save and go.
    term::spawn_input(tx, mouse);
    let mut dirty = false;
    let mut last_draw = Instant::now();
    // The message on screen (its number) and since when.
    let mut shown_msg: Option<(u64, Instant)> = None;
    while !app.quit {
        let st = &app.st;
        let busy = !st.ingest.status.done
            || st.query.filter_pending.is_some()
            || st.query.search_pending.is_some()
            || st.counts.pending.is_some();
        let timeout = if dirty {
            FRAME.saturating_sub(last_draw.elapsed())
        } else if busy {
            Duration::from_millis(50)
        } else if st.msg.is_some() {
            Duration::from_millis(500)
        } else {
            Duration::from_millis(250)
        };
        // Everything queued (input and workers' results), then draw once; a flood of
        // input still gets a frame and the checks below every FRAME.
        if let Ok(a) = rx.recv_timeout(timeout) {
            app.apply(a);
            dirty = true;
            let until = Instant::now() + FRAME;
            while !app.quit
                && Instant::now() < until
                && let Ok(a) = rx.try_recv()
            {
                app.apply(a);
            }
        }
        if app.quit {
            break;
        }
        if !term::alive() {
            app.apply(Action::Stopped(Stop::TerminalLost));
            break;
        }
        if std::mem::take(&mut app.st.suspend) {
            if let Err(e) = term::suspend(mouse) {
                app.error(format!("suspend: {e}"));
            }
            // Back from `fg`: the screen is blank and may have another size. Both
            // buffers are emptied so that the next frame is drawn whole (`clear` would ask
            // the terminal where its cursor is, an answer the input thread takes).
            terminal.swap_buffers();
            terminal.swap_buffers();
            if let Ok(size) = terminal.size() {
                app.apply(Action::Resize(size.width, size.height));
            }
            dirty = true;
        }
        // Messages expire: an error after ERROR_TTL, anything else after INFO_TTL.
        match (&app.st.msg, shown_msg) {
            (None, _) => shown_msg = None,
            (Some(m), Some((seq, since))) if seq == app.st.msg_seq => {
                let ttl = if matches!(m, Msg::Error(_)) {
                    ERROR_TTL
                } else {
                    INFO_TTL
                };
                if since.elapsed() >= ttl {
                    app.apply(Action::ExpireMsg(seq));
                    dirty = true;
                }
            }
            (Some(_), _) => shown_msg = Some((app.st.msg_seq, Instant::now())),
        }
        let st = &app.st;
        if !st.ingest.status.done
            || !st.ingest.pending.is_empty()
            || st.query.filter_pending.is_some()
            || st.counts.pending.is_some()
            || st.ingest.index == IndexStatus::Building
        {
            let mut snap = snapshot(&progress, started);
            snap.done = st.ingest.status.done;
            if st.ingest.status.done {
                snap.elapsed = st.ingest.status.elapsed;
            }
            let tick = Action::Tick {
                ingest: snap,
                filter_done: app.fx.filter_progress(),
                index_done: app.fx.index_progress(),
                count_done: app.fx.count_progress(),
            };
            app.apply(tick);
            dirty = true;
        }
        if dirty && last_draw.elapsed() >= FRAME {
            if terminal.draw(|f| views::render(&app.st, f)).is_err() {
                app.apply(Action::Stopped(Stop::TerminalLost));
                break;
            }
            let loaded = app.ingest.status.done && app.ingest.pending.is_empty();
            trace.drawn(app.timeline.len(), loaded);
            dirty = false;
            last_draw = Instant::now();
        }
    }
    app.fx.run(Effect::CancelJobs);
    app.fx.run(Effect::Detect(detect::DetectEffect::Cancel));
    app.fx.run(Effect::Cands(cands::CandEffect::Cancel));
    Ok(app)
}
