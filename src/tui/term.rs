//! The terminal: modes ratatui does not manage (bracketed paste, the opt-in mouse) and
//! their undoing on every exit, whether it is still there, and reading it.

use super::action::Action;
use super::state::Stop;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::{Command, execute};
use std::io::IsTerminal;
use std::sync::mpsc::Sender;

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

/// Turns on bracketed paste (and the mouse, when asked for).
pub fn set_modes(mouse: bool) {
    let mut out = std::io::stdout();
    let _ = execute!(out, event::EnableBracketedPaste);
    if mouse {
        let _ = execute!(out, MouseOn);
    }
}

/// Undoes what `ratatui::restore` does not: paste and mouse modes, hidden cursor.
pub fn reset_modes(mouse: bool) {
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

/// The terminal is still there: a hung-up tty fails `tcgetattr`, so it stops being one.
pub fn alive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
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

/// Reads the terminal on a thread of its own and sends what it reads as actions; a read
/// error means the terminal is gone. (After a hang-up crossterm may also spin inside its
/// reader for good: this thread is then simply left behind when the process ends.)
pub fn spawn_input(tx: Sender<Action>, mouse: bool) {
    std::thread::spawn(move || {
        loop {
            match event::read() {
                Ok(ev) => {
                    if let Some(a) = to_action(ev, mouse)
                        && tx.send(a).is_err()
                    {
                        return;
                    }
                }
                Err(_) => {
                    let _ = tx.send(Action::Stopped(Stop::TerminalLost));
                    return;
                }
            }
        }
    });
}
