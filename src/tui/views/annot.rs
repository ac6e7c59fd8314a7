//! Annotation overlays: the kind picker, the tags/note editor, and the annotation list
//! (listed from the case file's event copies, so annotations on missing evidence show too).

use super::popup::{self, boxed};
use crate::case::Kind;
use crate::model::format_display;
use crate::tui::annotations::severity_letter;
use crate::tui::cells::short_host;
use crate::tui::keymap::Layer;
use crate::tui::layout::centered;
use crate::tui::sanitize;
use crate::tui::state::{FormField, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn kind_picker(st: &State, f: &mut Frame) {
    let theme = st.theme();
    let Some(form) = &st.form else { return };
    let area = centered(f.area(), 42, Kind::ALL.len() as u16 + 2);
    let title = if form.editing {
        " edit annotation: kind "
    } else {
        " annotate: kind "
    };
    let block = boxed(st, title);
    let inner = block.inner(area);
    let lines: Vec<Line> = Kind::ALL
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let sel = i == form.kind_sel;
            let mark = if sel { theme.select_symbol() } else { " " };
            let style = if sel { theme.selected() } else { Style::new() };
            Line::from(Span::styled(
                format!("{mark} {} {:<18} {}", i + 1, k.label(), k.id()),
                style,
            ))
        })
        .collect();
    popup::clear(f, area);
    f.render_widget(block, area);
    f.render_widget(Paragraph::new(lines), inner);
}

pub fn editor(st: &State, f: &mut Frame) {
    let theme = st.theme();
    let Some(form) = &st.form else { return };
    let h = f.area().height.saturating_sub(6).clamp(8, 16);
    let area = centered(f.area(), 76, h);
    let kind = Kind::ALL
        .get(form.kind_sel)
        .copied()
        .unwrap_or(form.ann.kind);
    let ascii = theme.ascii;
    let title = format!(
        " {} {}: {} save, {} cancel ",
        if form.editing { "edit" } else { "new" },
        kind.id(),
        st.keymap.keys(Layer::Editor, "finish", ascii),
        st.keymap.keys(Layer::Editor, "cancel", ascii),
    );
    let block = boxed(st, &title);
    let inner = block.inner(area);
    popup::clear(f, area);
    f.render_widget(block, area);
    let [ev, tags_l, tags, note_l, note] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let copy = &form.ann.event;
    let what = format!("{} {} {}", copy.ts, copy.event_id, copy.message);
    f.render_widget(
        Paragraph::new(sanitize::line(&what, ev.width as usize, theme.ascii).into_owned())
            .style(theme.dim()),
        ev,
    );
    let label = |text: &'static str, on: bool| {
        let s = if on {
            theme.header()
        } else {
            theme
                .label()
                .remove_modifier(ratatui::style::Modifier::BOLD)
        };
        let mark = if on { theme.select_symbol() } else { " " };
        Paragraph::new(Span::styled(format!("{mark} {text}"), s))
    };
    f.render_widget(
        label("tags (comma separated):", form.field == FormField::Tags),
        tags_l,
    );
    f.render_widget(&form.tags, tags);
    f.render_widget(
        label(
            "note (Enter = new line, Tab switches):",
            form.field == FormField::Note,
        ),
        note_l,
    );
    f.render_widget(&form.note, note);
}

pub fn list(st: &State, f: &mut Frame) {
    let theme = st.theme();
    let anns = st.case.annotations();
    let area = centered(
        f.area(),
        f.area().width.saturating_sub(4),
        f.area().height.saturating_sub(4),
    );
    let title = format!(" annotations ({}) by event time ", anns.len());
    let block = boxed(st, &title);
    let inner = block.inner(area);
    popup::clear(f, area);
    f.render_widget(block, area);
    let rows = inner.height as usize;
    let first = st.list.sel.saturating_sub(rows.saturating_sub(1));
    let zone = st.zone().1;
    let w = inner.width as usize;
    // Hosts and kinds as wide as the widest in the list (hosts without their domain).
    let host_w = anns
        .iter()
        .map(|a| short_host(&a.event.host).chars().count())
        .max()
        .unwrap_or(0)
        .min(15);
    let kind_w = anns.iter().map(|a| a.kind.id().len()).max().unwrap_or(0);
    let lines: Vec<Line> = anns
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, a)| {
            let sel = i == st.list.sel;
            let mark = match (a.kind, a.severity) {
                (Kind::EarlyDetection, Some(s)) => format!("!{}", severity_letter(s)),
                (Kind::EarlyDetection, None) => "! ".into(),
                _ => "* ".into(),
            };
            let missing = st.ingest.status.done && st.case.marks.event_of(&a.id).is_none();
            let time = format_display(a.key.ts, &zone);
            let time = time.get(..19).unwrap_or(&time);
            let host: String = short_host(&a.event.host).chars().take(host_w).collect();
            let mut text = format!(
                "{} {mark} {time} {host:<host_w$} {:<kind_w$} {}",
                if sel { theme.select_symbol() } else { " " },
                a.kind.id(),
                if missing { "[missing] " } else { "" },
            );
            if !a.tags.is_empty() {
                text.push_str(&format!("[{}] ", a.tags.join(",")));
            }
            text.push_str(&a.event.message);
            if !a.note.is_empty() {
                text.push_str(" | ");
                text.push_str(&a.note.replace('\n', " / "));
            }
            let style = if sel { theme.selected() } else { Style::new() };
            Line::from(Span::styled(
                sanitize::line(&text, w, theme.ascii).into_owned(),
                style,
            ))
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// The histogram's annotation marks: `!` for early-detection points (they win a shared
/// bucket), `*` for others, on the top bar row at their bucket.
pub fn hist_marks(st: &State, f: &mut Frame, area: Rect) {
    let theme = st.theme();
    let buf = f.buffer_mut();
    for &(col, early) in &st.hist.marks {
        let Ok(x) = u16::try_from(col) else { continue };
        if x >= area.width {
            continue;
        }
        let sym = if early { "!" } else { "*" };
        buf.set_string(area.x + x, area.y, sym, theme.label());
    }
}
