//! Styles and symbols. Colours are the 16 named ANSI colours (they follow the user's
//! terminal theme); with colour off (`NO_COLOR`, `--color never`) only modifiers remain,
//! and meaning is never carried by colour alone: selection is REVERSED, matches are
//! BOLD+UNDERLINED, errors carry a `!`/caret, filtered-out density a different glyph.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorMode {
    #[default]
    Auto,
    Always,
    Never,
}

/// A `--color` value that is none of auto, always, never.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("expected auto, always or never, got {0:?}")]
pub struct UnknownColorMode(pub String);

impl std::str::FromStr for ColorMode {
    type Err = UnknownColorMode;
    fn from_str(s: &str) -> Result<Self, UnknownColorMode> {
        match s {
            "auto" => Ok(ColorMode::Auto),
            "always" => Ok(ColorMode::Always),
            "never" => Ok(ColorMode::Never),
            _ => Err(UnknownColorMode(s.to_owned())),
        }
    }
}

/// Whether to use colour: `NO_COLOR` (present and non-empty) turns it off in auto mode.
pub fn use_color(mode: ColorMode, no_color_env: Option<&str>) -> bool {
    match mode {
        ColorMode::Always => true,
        ColorMode::Never => false,
        ColorMode::Auto => no_color_env.is_none_or(str::is_empty),
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub color: bool,
    pub ascii: bool,
}

const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Theme {
    pub fn new(color: bool, ascii: bool) -> Self {
        Theme { color, ascii }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn header(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn matched(&self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    pub fn dim(&self) -> Style {
        self.fg(Color::DarkGray).add_modifier(Modifier::DIM)
    }
    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn info(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn bar(&self) -> Style {
        self.fg(Color::Blue)
    }
    pub fn cursor_mark(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    pub fn label(&self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }
    pub fn status(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn border(&self) -> border::Set<'static> {
        if self.ascii {
            ASCII_BORDER
        } else {
            border::PLAIN
        }
    }
    /// Glyphs for a density bar cell, from empty to full (8 steps).
    pub fn bar_glyphs(&self) -> [&'static str; 9] {
        if self.ascii {
            [" ", ".", ".", ":", ":", "=", "=", "#", "#"]
        } else {
            [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        }
    }
    /// Glyph for density that the filter hides.
    pub fn hidden_glyph(&self) -> &'static str {
        if self.ascii { "'" } else { "░" }
    }
    pub fn select_symbol(&self) -> &'static str {
        if self.ascii { ">" } else { "▶" }
    }
    pub fn cursor_symbol(&self) -> &'static str {
        if self.ascii { "^" } else { "▲" }
    }
    pub fn progress_glyphs(&self) -> (&'static str, &'static str) {
        if self.ascii {
            ("#", "-")
        } else {
            ("█", "░")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_rules() {
        assert!(use_color(ColorMode::Auto, None));
        assert!(use_color(ColorMode::Auto, Some("")));
        assert!(!use_color(ColorMode::Auto, Some("1")));
        assert!(use_color(ColorMode::Always, Some("1")));
        assert!(!use_color(ColorMode::Never, None));
    }

    #[test]
    fn without_colour_meaning_stays_in_modifiers() {
        let t = Theme::new(false, false);
        assert_eq!(t.matched().fg, None);
        assert!(t.matched().add_modifier.contains(Modifier::BOLD));
        assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
        assert!(Theme::new(true, false).error().fg.is_some());
    }
}
