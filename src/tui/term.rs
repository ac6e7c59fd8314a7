//! The terminal: modes ratatui does not manage (bracketed paste, the opt-in mouse) and
//! their undoing on every exit, whether it is still there, and reading it.

use super::action::Action;
use super::state::Stop;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::{Command, execute, terminal};
use std::io::{IsTerminal, Stdout, Write};
use std::sync::mpsc::Sender;

/// An escape sequence crossterm has no command for, written as it is.
struct Raw(&'static str);

impl Command for Raw {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        f.write_str(self.0)
    }
    #[cfg(windows)]
    fn execute_winapi(&self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Mouse reporting without any-motion tracking (?1003 floods events over SSH): button
/// presses and drags (?1000, ?1002) in SGR encoding (?1006); off undoes them in reverse.
const MOUSE_ON: Raw = Raw("\x1b[?1000h\x1b[?1002h\x1b[?1006h");
const MOUSE_OFF: Raw = Raw("\x1b[?1006l\x1b[?1002l\x1b[?1000l");

/// Turns on bracketed paste (and the mouse, when asked for).
pub fn set_modes(mouse: bool) {
    let mut out = std::io::stdout();
    let _ = execute!(out, event::EnableBracketedPaste);
    if mouse {
        let _ = execute!(out, MOUSE_ON);
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
        let _ = execute!(out, MOUSE_OFF);
    }
}

/// `Ctrl-Z`: the terminal goes back to the shell as it was, the process stops (SIGTSTP,
/// as a shell job), and once `fg` continues it the screen is taken again; the caller
/// redraws it whole.
pub fn suspend(mouse: bool) -> std::io::Result<()> {
    reset_modes(mouse);
    ratatui::restore();
    signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)?;
    // Continued (SIGCONT): raw mode, the alternate screen and our modes again.
    terminal::enable_raw_mode()?;
    execute!(
        std::io::stdout(),
        terminal::EnterAlternateScreen,
        terminal::Clear(terminal::ClearType::All)
    )?;
    set_modes(mouse);
    Ok(())
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

/// Colours the terminal has, by the conventions of its `TERM` name (terminfo's
/// `colors`): `*-256color` 256, `*-16color` 16, everything else (`xterm`, `screen`,
/// `tmux`, `linux`, `vt100`…) 8; `COLORTERM=truecolor`/`24bit` means more than 256.
pub fn color_count(term: Option<&str>, colorterm: Option<&str>) -> u16 {
    if colorterm.is_some_and(|c| c.contains("truecolor") || c.contains("24bit")) {
        return u16::MAX;
    }
    match term {
        Some(t) if t.contains("256") || t.ends_with("-direct") => 256,
        Some(t) if t.ends_with("-16color") => 16,
        _ => 8,
    }
}

/// SGR parameters for colour `n` (0–15) on a terminal of `colors` colours: `fg` 30–37
/// (90–97 with 16 colours), background 40–47 (100–107). With 8 colours a bright colour
/// becomes its normal one, and bright black (the dim grey) the default colour.
fn basic_color(n: u32, fg: bool, colors: u16) -> String {
    let (base, bright, default) = if fg { (30, 90, 39) } else { (40, 100, 49) };
    match n {
        0..=7 => (base + n).to_string(),
        8..=15 if colors >= 16 => (bright + n - 8).to_string(),
        8 => default.to_string(),
        9..=15 => (base + n - 8).to_string(),
        _ => default.to_string(),
    }
}

/// The parameters of one SGR sequence (`ESC [ … m`) for a terminal of `colors` colours:
/// 256-colour and RGB forms become the basic ones; underline colours go.
fn rewrite_sgr(params: &str, colors: u16) -> String {
    let p: Vec<&str> = params.split(';').collect();
    let mut out: Vec<String> = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        let num = |k: usize| p.get(k).and_then(|s| s.parse::<u32>().ok());
        match (p[i], num(i + 1)) {
            (c @ ("38" | "48" | "58"), Some(5)) => {
                if c != "58" {
                    let n = num(i + 2).unwrap_or(u32::MAX);
                    out.push(basic_color(n, c == "38", colors));
                }
                i += 3;
            }
            (c @ ("38" | "48" | "58"), Some(2)) => {
                if c != "58" {
                    out.push(basic_color(u32::MAX, c == "38", colors));
                }
                i += 5;
            }
            ("59", _) => i += 1,
            (other, _) => {
                out.push(other.to_string());
                i += 1;
            }
        }
    }
    out.join(";")
}

/// Rewrites every SGR sequence of `bytes` for a terminal of `colors` colours; the rest
/// passes unchanged.
fn rewrite(bytes: &[u8], colors: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b && bytes.get(i + 1) == Some(&b'[') {
            // Parameters, then the final byte (0x40–0x7e).
            let start = i + 2;
            let end = bytes[start..]
                .iter()
                .position(|b| (0x40..=0x7e).contains(b))
                .map(|p| start + p);
            if let Some(end) = end
                && bytes[end] == b'm'
                && let Ok(params) = std::str::from_utf8(&bytes[start..end])
            {
                let fixed = rewrite_sgr(params, colors);
                if !fixed.is_empty() {
                    out.extend_from_slice(b"\x1b[");
                    out.extend_from_slice(fixed.as_bytes());
                    out.push(b'm');
                }
                i = end + 1;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The terminal's output: for terminals of fewer than 256 colours, what a frame writes
/// is collected and its colour sequences rewritten on `flush` (crossterm writes even the
/// 16 named colours as `38;5;N`, which `TERM=screen` and the Linux console do not know).
pub struct SgrWriter<W: Write> {
    out: W,
    colors: u16,
    buf: Vec<u8>,
}

impl<W: Write> SgrWriter<W> {
    pub fn new(out: W, colors: u16) -> Self {
        SgrWriter {
            out,
            colors,
            buf: Vec::new(),
        }
    }
}

impl<W: Write> Write for SgrWriter<W> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.colors >= 256 {
            return self.out.write(b);
        }
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            let fixed = rewrite(&self.buf, self.colors);
            self.buf.clear();
            self.out.write_all(&fixed)?;
        }
        self.out.flush()
    }
}

pub type Term = ratatui::Terminal<CrosstermBackend<SgrWriter<Stdout>>>;

/// Raw mode, the alternate screen, and a terminal writing through `SgrWriter`.
pub fn init(colors: u16) -> std::io::Result<Term> {
    terminal::enable_raw_mode()?;
    execute!(std::io::stdout(), terminal::EnterAlternateScreen)?;
    ratatui::Terminal::new(CrosstermBackend::new(SgrWriter::new(
        std::io::stdout(),
        colors,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Style};
    use ratatui::text::Span;

    #[test]
    fn colour_count_follows_term() {
        assert_eq!(color_count(Some("screen"), None), 8);
        assert_eq!(color_count(Some("xterm"), None), 8);
        assert_eq!(color_count(Some("linux"), None), 8);
        assert_eq!(color_count(Some("vt100"), None), 8);
        assert_eq!(color_count(None, None), 8);
        assert_eq!(color_count(Some("xterm-16color"), None), 16);
        assert_eq!(color_count(Some("screen-256color"), None), 256);
        assert_eq!(color_count(Some("tmux-256color"), None), 256);
        assert_eq!(color_count(Some("screen"), Some("truecolor")), u16::MAX);
    }

    #[test]
    fn sgr_sequences_are_rewritten_for_small_palettes() {
        let r = |s: &str, n| String::from_utf8(rewrite(s.as_bytes(), n)).unwrap();
        // Cyan, bold, reset: the basic codes.
        assert_eq!(
            r("\x1b[38;5;6m\x1b[1mA\x1b[0m", 8),
            "\x1b[36m\x1b[1mA\x1b[0m"
        );
        assert_eq!(r("\x1b[48;5;1mB", 8), "\x1b[41mB");
        // Bright colours: 90–97 with 16 colours, the normal one with 8; dim grey default.
        assert_eq!(r("\x1b[38;5;9m", 16), "\x1b[91m");
        assert_eq!(r("\x1b[38;5;9m", 8), "\x1b[31m");
        assert_eq!(r("\x1b[38;5;8m", 8), "\x1b[39m");
        assert_eq!(r("\x1b[38;2;1;2;3;1m", 8), "\x1b[39;1m");
        // Underline colour goes; other sequences and text pass unchanged.
        assert_eq!(
            r("\x1b[59m\x1b[2J\x1b[5;10Hx\x1b[39m", 8),
            "\x1b[2J\x1b[5;10Hx\x1b[39m"
        );
    }

    /// Regression: with `TERM=screen` the frame carried `38;5;N` sequences.
    #[test]
    fn a_frame_for_screen_has_no_256_colour_sequences() {
        /// What the backend writes, kept for the test to read.
        #[derive(Clone, Default)]
        struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let draw = |colors| {
            let out = Shared::default();
            let backend = CrosstermBackend::new(SgrWriter::new(out.clone(), colors));
            let mut t = ratatui::Terminal::new(backend).unwrap();
            t.draw(|f| {
                let s = Span::styled("alert", Style::new().fg(Color::Cyan).bg(Color::Red));
                f.render_widget(s, f.area());
            })
            .unwrap();
            String::from_utf8_lossy(&out.0.lock().unwrap()).into_owned()
        };
        let screen = draw(8);
        assert!(screen.contains("\x1b[36;41malert"), "{screen:?}");
        assert!(
            !screen.contains("38;5") && !screen.contains("48;5"),
            "{screen:?}"
        );
        let wide = draw(256);
        assert!(wide.contains("38;5;6"), "{wide:?}");
    }
}
