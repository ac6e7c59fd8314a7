//! The terminal: modes ratatui does not manage (bracketed paste, the opt-in mouse) and
//! their undoing on every exit.

use ratatui::crossterm::event;
use ratatui::crossterm::{Command, execute};

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
