//! TUI tests: whole-screen snapshots on a `TestBackend` and key-sequence scenarios run to
//! idle (jobs run inline). The timeline is built from the small test line format, so
//! nothing depends on the corpus or on the local time zone.

mod annotations;
mod answers;
mod cands;
mod detections;
mod export;
mod modgraph;
mod prompts;
mod samples;
mod scenarios;
mod snapshots;
mod table;

use super::action::Action;
use super::app::App;
use super::effects::Effects;
use super::state::{Config, State};
use super::theme::Theme;
use crate::timeline::Timeline;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;

pub const DC01: &str = "\
2022-12-03T18:00:00Z|DC01|4624|An account was successfully logged on|user=alice;LogonType=3;src_ip=10.0.0.5
2022-12-03T18:04:05.123Z|DC01|4688|New process: powershell.exe -enc SQBFAFgA|user=alice;process=powershell.exe;cmdline=powershell.exe -enc SQBFAFgA
2022-12-03T18:05:00Z|DC01|4688|New process: cmd.exe /c whoami|user=alice;process=cmd.exe
2022-12-03T21:30:00Z|DC01|4688|New process: PowerShell.exe -nop|user=bob;process=powershell.exe
2022-12-04T09:00:00Z|DC01|1102|The audit log was cleared|user=mallory
";

pub const EDGE: &str = "\
2022-12-03T18:04:06Z|edge-fw|deny|deny tcp 10.0.0.5:49152 -> 203.0.113.9:443|src_ip=10.0.0.5;dst_ip=203.0.113.9;action=deny
2022-12-03T18:10:00Z|edge-fw|allow|allow udp 10.0.0.5 -> 8.8.8.8:53 \u{1b}[31mred\u{1b}[0m bell\u{7}|src_ip=10.0.0.5;dst_ip=8.8.8.8;action=allow
2022-12-03T19:00:00Z|ws07|4663|opened invoice\u{202E}fdp.exe\twith a tab|file=invoice\u{202E}fdp.exe;ObjectType=File
";

/// A busy workstation, so that the table has to scroll.
pub fn filler() -> String {
    (0..60)
        .map(|i| {
            format!(
                "2022-12-03T20:{:02}:{:02}Z|ws07|5156|connection {i} allowed|dst_port={}\n",
                i / 2,
                (i % 2) * 30,
                1000 + i
            )
        })
        .collect()
}

pub fn timeline() -> Arc<Timeline> {
    let f = filler();
    Arc::new(Timeline::from_test_lines(&[
        ("logs/dc01/security.log", DC01),
        ("logs/fw/edge.log", EDGE),
        ("logs/ws07/wfp.log", &f),
    ]))
}

/// The app on the test timeline, loading done, jobs run inline.
pub fn state(w: u16, h: u16) -> App {
    state_with(timeline(), w, h)
}

pub fn state_with(t: Arc<Timeline>, w: u16, h: u16) -> App {
    let config = Config {
        theme: Theme::new(false, false),
        ..Config::default()
    };
    App::loaded_inline(t, config, "test".into(), w, h)
}

/// Applies an action and runs what follows to idle.
pub fn apply_sync(app: &mut App, a: Action) {
    app.apply(a);
}

/// Parses a key string: characters as typed, `<Enter>` `<Esc>` `<Tab>` `<Up>` `<Down>`
/// `<Left>` `<Right>` `<PgUp>` `<PgDn>` `<Home>` `<End>` `<BS>` `<F2>` `<A-Enter>`
/// `<A-BS>` `<C-Left>` `<C-Right>`, `<C-x>` for Ctrl and `<A-x>` for Alt.
pub fn parse_keys(s: &str) -> Vec<KeyEvent> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
            && end > 1
        {
            let name = &rest[1..end];
            let (code, mods) = match name {
                "Enter" => (KeyCode::Enter, KeyModifiers::NONE),
                "Esc" => (KeyCode::Esc, KeyModifiers::NONE),
                "Tab" => (KeyCode::Tab, KeyModifiers::NONE),
                "Up" => (KeyCode::Up, KeyModifiers::NONE),
                "Down" => (KeyCode::Down, KeyModifiers::NONE),
                "Left" => (KeyCode::Left, KeyModifiers::NONE),
                "Right" => (KeyCode::Right, KeyModifiers::NONE),
                "C-Left" => (KeyCode::Left, KeyModifiers::CONTROL),
                "C-Right" => (KeyCode::Right, KeyModifiers::CONTROL),
                "A-BS" => (KeyCode::Backspace, KeyModifiers::ALT),
                "PgUp" => (KeyCode::PageUp, KeyModifiers::NONE),
                "PgDn" => (KeyCode::PageDown, KeyModifiers::NONE),
                "Home" => (KeyCode::Home, KeyModifiers::NONE),
                "End" => (KeyCode::End, KeyModifiers::NONE),
                "BS" => (KeyCode::Backspace, KeyModifiers::NONE),
                "F2" => (KeyCode::F(2), KeyModifiers::NONE),
                "A-Enter" => (KeyCode::Enter, KeyModifiers::ALT),
                n if n.starts_with("C-") => (
                    KeyCode::Char(n.chars().nth(2).unwrap_or(' ')),
                    KeyModifiers::CONTROL,
                ),
                n if n.starts_with("A-") => (
                    KeyCode::Char(n.chars().nth(2).unwrap_or(' ')),
                    KeyModifiers::ALT,
                ),
                _ => (KeyCode::Char('<'), KeyModifiers::NONE),
            };
            if code != KeyCode::Char('<') {
                out.push(KeyEvent::new(code, mods));
                rest = &rest[end + 1..];
                continue;
            }
        }
        let mods = if c.is_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        out.push(KeyEvent::new(KeyCode::Char(c), mods));
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Feeds a key string, running every job to idle after each key.
pub fn keys(st: &mut App, s: &str) {
    for k in parse_keys(s) {
        apply_sync(st, Action::Key(k));
    }
}

/// Moves the field picker to the row of `key` (the picker must list it).
pub fn pick_field(st: &mut State, key: &str) {
    st.picker.sel = st
        .picker
        .items
        .iter()
        .position(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("{key} not in the picker"));
}

/// The events the table shows, in view order (the filtered view; it must be filtered).
pub fn view_events(st: &State) -> Vec<usize> {
    let view = st.table.view.as_ref().expect("a filtered view");
    view.iter().map(|&r| r as usize).collect()
}

pub fn draw(st: &State) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(st.size.0, st.size.1)).unwrap();
    t.draw(|f| super::views::render(st, f)).unwrap();
    t
}

/// The screen as text lines.
pub fn screen(st: &State) -> Vec<String> {
    let t = draw(st);
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

/// Message of the selected event.
pub fn selected_message(st: &State) -> String {
    st.cursor_event()
        .map(|e| st.timeline.message(e))
        .unwrap_or_default()
}
