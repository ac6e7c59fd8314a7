//! `VIGIL_TRACE_FIRST_FRAME`: startup timings of the TUI (DESIGN §10 "first frame ≤ 0.5 s
//! whatever the input size"). Set to `1` to print them to stderr once the terminal is
//! restored, or to a file path to append them there. Unset: nothing is recorded.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const ENV: &str = "VIGIL_TRACE_FIRST_FRAME";

static START: OnceLock<Instant> = OnceLock::new();

/// Marks the process start; `main` calls it first thing (later calls keep the first).
pub fn mark_process_start() {
    START.get_or_init(Instant::now);
}

fn since_start() -> Duration {
    START.get_or_init(Instant::now).elapsed()
}

/// Milestones of one TUI session, as elapsed times since the process started.
#[derive(Default)]
pub struct Trace {
    on: bool,
    pub first_frame: Option<Duration>,
    pub first_events: Option<Duration>,
    pub all_loaded: Option<Duration>,
    pub events: usize,
}

impl Trace {
    pub fn from_env() -> Trace {
        Trace {
            on: std::env::var_os(ENV).is_some_and(|v| !v.is_empty() && v != "0"),
            ..Trace::default()
        }
    }

    /// After a draw: records the first frame, the first frame with events, and the first
    /// frame once every source is in.
    pub fn drawn(&mut self, events: usize, loaded: bool) {
        if !self.on {
            return;
        }
        let now = since_start();
        self.first_frame.get_or_insert(now);
        if events > 0 {
            self.first_events.get_or_insert(now);
        }
        if loaded && self.all_loaded.is_none() {
            self.all_loaded = Some(now);
            self.events = events;
        }
    }

    pub fn report(&self) -> Option<String> {
        if !self.on {
            return None;
        }
        let ms = |d: Option<Duration>| {
            d.map_or("-".to_string(), |d| {
                format!("{:.1} ms", d.as_secs_f64() * 1e3)
            })
        };
        Some(format!(
            "vigil trace: first frame {}, first events shown {}, all {} events shown {}",
            ms(self.first_frame),
            ms(self.first_events),
            self.events,
            ms(self.all_loaded)
        ))
    }

    /// Prints (value `1`) or appends to the file the variable names.
    pub fn emit(&self) {
        let Some(line) = self.report() else { return };
        let target = std::env::var(ENV).unwrap_or_default();
        use std::io::Write;
        // stderr may be a terminal that went away: a failed write is no reason to panic.
        if target == "1" {
            let _ = writeln!(std::io::stderr(), "{line}");
            return;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&target);
        match file {
            Ok(mut f) => {
                let _ = writeln!(f, "{line}");
            }
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "{line} ({target}: {e})");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_milestones_in_order_only_when_on() {
        let mut off = Trace::default();
        off.drawn(5, true);
        assert!(off.first_frame.is_none() && off.report().is_none());

        let mut t = Trace {
            on: true,
            ..Trace::default()
        };
        t.drawn(0, false);
        let first = t.first_frame.unwrap();
        assert!(t.first_events.is_none());
        t.drawn(10, false);
        t.drawn(20, true);
        t.drawn(30, true);
        assert_eq!(t.first_frame, Some(first));
        assert!(t.first_events.unwrap() >= first);
        assert!(t.all_loaded.unwrap() >= t.first_events.unwrap());
        assert_eq!(t.events, 20);
        assert!(t.report().unwrap().contains("all 20 events"));
    }
}
