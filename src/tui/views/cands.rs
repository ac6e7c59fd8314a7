//! The candidates view: a box over the timeline listing the ranked early-detection
//! candidates, flat by score or grouped by host. Each line: the earliest-on-its-host mark
//! (`★`, `*` in ASCII: a symbol, so `NO_COLOR` shows it; bold besides), the score, the
//! time, the host, the review (`✓` accepted, `✗` dismissed), what (Sigma level or
//! analyzer id) and why. Reasons quote log text and rule titles: sanitised.

use super::popup;
use crate::case::Decision;
use crate::detect::candidates::{Candidate, Origin};
use crate::model::format_display;
use crate::tui::cands::CandLine;
use crate::tui::cells;
use crate::tui::keymap::Layer;
use crate::tui::sanitize;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// `★` / `*`.
pub fn earliest_symbol(ascii: bool) -> &'static str {
    if ascii { "*" } else { "★" }
}

/// `✓` / `✗` (`+` / `x` in ASCII).
pub fn review_symbol(d: Option<Decision>, ascii: bool) -> &'static str {
    match (d, ascii) {
        (None, _) => " ",
        (Some(Decision::Accepted), false) => "✓",
        (Some(Decision::Dismissed), false) => "✗",
        (Some(Decision::Accepted), true) => "+",
        (Some(Decision::Dismissed), true) => "x",
    }
}

/// What the status line says of the analyzers: their progress while they run.
pub fn status_text(st: &State) -> Option<String> {
    st.cands.percent().map(|p| format!("analyzing {p}%"))
}

/// What the title says the keys do.
const TITLE_KEYS: &[(&[&str], &str)] = &[
    (&["go"], "go"),
    (&["accept"], "accept"),
    (&["dismiss"], "dismiss"),
    (&["order"], "order"),
    (&["close"], "closes"),
];

pub fn view(st: &State, f: &mut Frame) {
    let theme = st.theme();
    let inner = popup::open_view(st, f, 140, Layer::Candidates, "candidates", TITLE_KEYS);
    let Some(list) = st.cands.current(st.timeline.len()) else {
        return;
    };
    let v = &st.cands.view;
    let w = inner.width as usize;
    let star = earliest_symbol(theme.ascii);
    let order = if v.by_host {
        "by host, in time order"
    } else {
        "by score"
    };
    let mut lines = vec![Line::from(Span::styled(
        sanitize::line(
            &format!(
                "{} candidates, {order}; {star} earliest on its host; score = strength x rarity x earliness",
                list.len()
            ),
            w,
            theme.ascii,
        )
        .into_owned(),
        theme.dim(),
    ))];
    if v.lines.is_empty() {
        lines.push(Line::raw("nothing stands out on this timeline"));
    }
    let rows = (inner.height as usize).saturating_sub(1).max(1);
    let first = v.sel.saturating_sub(rows.saturating_sub(1));
    let shown: Vec<(usize, &CandLine)> =
        v.lines.iter().enumerate().skip(first).take(rows).collect();
    // Hosts as the table shows them: without their domain unless that would be ambiguous,
    // cut so that two hosts on screen never read the same (`WS-RECE…N-01`).
    let full: Vec<String> = shown
        .iter()
        .map(|(_, l)| match l {
            CandLine::Cand(c) => list.list.get(*c).map_or(String::new(), |c| {
                sanitize::line(&c.host, usize::MAX, theme.ascii).into_owned()
            }),
            CandLine::Host(..) => String::new(),
        })
        .collect();
    let full: Vec<&str> = full.iter().map(String::as_str).collect();
    let hosts = cells::fit_names(&cells::shown_hosts(&full), HOST_W, theme.ascii);
    for ((i, l), host) in shown.into_iter().zip(&hosts) {
        let sel = i == v.sel;
        let line = match l {
            CandLine::Host(h, n) => {
                let h = if h.is_empty() {
                    "(no host)"
                } else {
                    h.as_str()
                };
                let text = format!(" {} ({n})", sanitize::line(h, w, theme.ascii));
                Line::from(Span::styled(text, theme.header()))
            }
            CandLine::Cand(c) => {
                let Some(c) = list.list.get(*c) else { continue };
                cand_line(st, c, host, sel, w)
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

/// Cells of the host column.
const HOST_W: usize = 12;

fn cand_line(st: &State, c: &Candidate, host: &str, sel: bool, w: usize) -> Line<'static> {
    let theme = st.theme();
    let ascii = theme.ascii;
    let mark = if sel { theme.select_symbol() } else { " " };
    let star = if c.earliest {
        earliest_symbol(ascii)
    } else {
        " "
    };
    let when = format_display(c.ts, &st.zone().1);
    // `03-13 14:47:53`: the day and the second (the table has the rest).
    let when = when.get(5..19).unwrap_or(&when).replace('T', " ");
    let review = review_symbol(st.case.marks.review(c.event, &c.id), ascii);
    let what = match &c.origin {
        Origin::Sigma { level, .. } => format!("sigma {}", level.name()),
        Origin::Analyzer(k) => k.id().to_owned(),
    };
    let head = format!(
        "{mark}{star}{:>5.2} {when} {host:<HOST_W$} {review} ",
        c.score.min(99.99)
    );
    let count = if c.count > 1 {
        format!(" (x{})", c.count)
    } else {
        String::new()
    };
    let rest = format!("{what}: {}{count}", c.why);
    let room = w.saturating_sub(head.chars().count());
    let head_style = if c.earliest {
        Style::new().add_modifier(Modifier::BOLD)
    } else {
        Style::new()
    };
    Line::from(vec![
        Span::styled(head, head_style),
        Span::raw(sanitize::line(&rest, room, ascii).into_owned()),
    ])
}
