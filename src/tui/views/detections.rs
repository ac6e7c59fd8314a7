//! Sigma detections on screen: the level styles (colour repeats the symbol, never replaces
//! it), the status line's `detecting 43%` / hit count, the histogram's hit row, and the
//! Detections view (rules by level with hit counts, per host when expanded). Every hit
//! shown names its rule's title, id and author (DRL 1.1); rule text is sanitised like log
//! text, since rules can come from anyone.

use super::popup;
use crate::detect::Level;
use crate::tui::detect::{DetectPhase, ViewLine, level_char, level_symbol};
use crate::tui::keymap::Layer;
use crate::tui::sanitize;
use crate::tui::state::State;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Critical and high bold red (critical reversed too), medium yellow, low cyan,
/// informational dim. Without colour: bold for critical and high, dim for informational.
pub fn level_style(theme: &Theme, l: Level) -> Style {
    let fg = |c: Color| {
        if theme.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    };
    match l {
        Level::Critical => fg(Color::Red).add_modifier(Modifier::BOLD | Modifier::REVERSED),
        Level::High => fg(Color::Red).add_modifier(Modifier::BOLD),
        Level::Medium => fg(Color::Yellow),
        Level::Low => fg(Color::Cyan),
        Level::Informational => theme.dim(),
    }
}

/// What the status line says of detection (before the zone).
pub fn status_text(st: &State) -> Option<String> {
    let d = &st.detect;
    let ge = if st.theme().ascii { ">=" } else { "≥" };
    Some(match d.phase {
        DetectPhase::Off | DetectPhase::Ready => return None,
        DetectPhase::LoadingRules => "loading rules".into(),
        DetectPhase::Running(_) => format!("detecting {}%", d.percent().unwrap_or(0)),
        DetectPhase::Done => format!("{} hits{ge}{}", d.shown_hits, short(d.min_level)),
        DetectPhase::Failed => "no detection".into(),
    })
}

/// Level names that fit the view's column (`informational` is shortened).
fn level_name(l: Level) -> &'static str {
    match l {
        Level::Informational => "info",
        l => l.name(),
    }
}

fn short(l: Level) -> &'static str {
    match l {
        Level::Informational => "info",
        Level::Medium => "med",
        Level::Critical => "crit",
        l => l.name(),
    }
}

/// The histogram gives its top row to hits (there are some, at the chosen level).
pub fn hist_has_hits(st: &State) -> bool {
    st.detect.shown_hits > 0 && st.detect.current(st.timeline.len()).is_some()
}

/// The hit row: per bucket, the symbol of the highest level among its hits.
pub fn hist_hits(st: &State, f: &mut Frame, area: Rect) {
    let theme = st.theme();
    let buf = f.buffer_mut();
    for &(col, l) in &st.detect.hist {
        let Ok(x) = u16::try_from(col) else { continue };
        if x < area.width {
            buf.set_string(area.x + x, area.y, level_char(l), level_style(&theme, l));
        }
    }
}

/// What the title says the keys do.
const TITLE_KEYS: &[(&[&str], &str)] = &[
    (&["filter"], "filter"),
    (&["expand"], "hosts"),
    (&["close"], "closes"),
];

/// The Detections view: a box over the timeline.
pub fn view(st: &State, f: &mut Frame) {
    let theme = st.theme();
    let d = &st.detect;
    let inner = popup::open_view(st, f, 110, Layer::Detections, "detections", TITLE_KEYS);
    let Some(rules) = &d.rules else { return };
    let w = inner.width as usize;
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{} rules loaded, {} not loaded (vigil hunt --check-rules says why); {} with hits",
            rules.len(),
            d.unsupported,
            d.view.rules.len()
        ),
        theme.dim(),
    ))];
    let all = d.view.lines();
    if all.is_empty() {
        lines.push(Line::raw("no rule fired on this timeline"));
    }
    let rows = (inner.height as usize).saturating_sub(1).max(1);
    let first = d.view.sel.saturating_sub(rows.saturating_sub(1));
    for (i, l) in all.iter().enumerate().skip(first).take(rows) {
        let sel = i == d.view.sel;
        let mark = if sel { theme.select_symbol() } else { " " };
        let line = match *l {
            ViewLine::Rule(r) => {
                let Some(row) = d.view.rules.get(r) else {
                    continue;
                };
                let Some(m) = rules.get(row.rule) else {
                    continue;
                };
                let open = match (&row.hosts, theme.ascii) {
                    (Some(_), false) => "▾",
                    (None, false) => "▸",
                    (Some(_), true) => "-",
                    (None, true) => "+",
                };
                let head = format!(
                    "{mark}{open} {:<2} {:<8} {:>7}  ",
                    level_symbol(m.level),
                    level_name(m.level),
                    row.hits
                );
                // Title, then id and author (DRL 1.1), cut to the line.
                let rest = format!("{}  [{}] by {}", m.title, m.id, m.author);
                let room = w.saturating_sub(head.chars().count());
                Line::from(vec![
                    Span::styled(head, level_style(&theme, m.level)),
                    Span::raw(sanitize::line(&rest, room, theme.ascii).into_owned()),
                ])
            }
            ViewLine::Host(r, h) => {
                let Some((host, n)) = d.view.rules.get(r).and_then(|x| x.hosts.as_ref()?.get(h))
                else {
                    continue;
                };
                let host = if host.is_empty() {
                    "(no host)"
                } else {
                    host.as_str()
                };
                let text = format!(
                    "{mark}  {:<10} {:>7}  {}",
                    "host",
                    n,
                    sanitize::line(host, w, theme.ascii)
                );
                Line::raw(text)
            }
        };
        lines.push(if sel {
            line.patch_style(theme.selected())
        } else {
            line
        });
    }
    f.render_widget(Paragraph::new(lines), inner);
}
