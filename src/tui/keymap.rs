//! The keymap: data in `assets/keymap.txt` (one binding per line, with a description),
//! resolved from key events to commands; the help overlay is generated from it.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;

/// What a key in the timeline asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmd {
    Down,
    Up,
    PageDown,
    PageUp,
    HalfDown,
    HalfUp,
    First,
    Last,
    Search,
    NextMatch,
    PrevMatch,
    Filter,
    ClearFilter,
    Pivot,
    GotoTime,
    DayForward,
    DayBack,
    CycleZone,
    Detail,
    Focus,
    Histogram,
    ZoomIn,
    ZoomOut,
    Command,
    Help,
    Cancel,
    Mark,
    Annotate,
    NextAnnotation,
    PrevAnnotation,
    AnnotationList,
    Save,
    Export,
    Quit,
    ForceQuit,
}

impl Cmd {
    fn from_name(s: &str) -> Option<Cmd> {
        use Cmd::*;
        Some(match s {
            "down" => Down,
            "up" => Up,
            "page_down" => PageDown,
            "page_up" => PageUp,
            "half_down" => HalfDown,
            "half_up" => HalfUp,
            "first" => First,
            "last" => Last,
            "search" => Search,
            "next_match" => NextMatch,
            "prev_match" => PrevMatch,
            "filter" => Filter,
            "clear_filter" => ClearFilter,
            "pivot" => Pivot,
            "goto_time" => GotoTime,
            "day_forward" => DayForward,
            "day_back" => DayBack,
            "cycle_zone" => CycleZone,
            "detail" => Detail,
            "focus" => Focus,
            "histogram" => Histogram,
            "zoom_in" => ZoomIn,
            "zoom_out" => ZoomOut,
            "command" => Command,
            "help" => Help,
            "cancel" => Cancel,
            "mark" => Mark,
            "annotate" => Annotate,
            "next_annotation" => NextAnnotation,
            "prev_annotation" => PrevAnnotation,
            "annotation_list" => AnnotationList,
            "save" => Save,
            "export" => Export,
            "quit" => Quit,
            "force_quit" => ForceQuit,
            _ => return None,
        })
    }
}

/// A key as written in the keymap: code plus whether Ctrl is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl KeySpec {
    fn parse(s: &str) -> Option<KeySpec> {
        let (ctrl, name) = match s.strip_prefix("C-") {
            Some(rest) if !rest.is_empty() => (true, rest),
            _ => (false, s),
        };
        let code = match name {
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "PageUp" => KeyCode::PageUp,
            "PageDown" => KeyCode::PageDown,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            "Enter" => KeyCode::Enter,
            "Tab" => KeyCode::Tab,
            "Esc" => KeyCode::Esc,
            "Space" => KeyCode::Char(' '),
            n => {
                let mut it = n.chars();
                let c = it.next()?;
                if it.next().is_some() {
                    return None;
                }
                KeyCode::Char(c)
            }
        };
        Some(KeySpec { code, ctrl })
    }

    /// The key of a terminal event (Shift is folded into the character).
    pub fn of(ev: &KeyEvent) -> KeySpec {
        KeySpec {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
        }
    }

    /// How the help screen shows the key.
    pub fn label(&self, ascii: bool) -> String {
        let name = match self.code {
            KeyCode::Up if !ascii => "↑".to_string(),
            KeyCode::Down if !ascii => "↓".to_string(),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{name}")
        } else {
            name
        }
    }
}

/// One line of the keymap file.
#[derive(Clone, Debug)]
pub struct Binding {
    pub cmd: Cmd,
    pub keys: Vec<KeySpec>,
    pub desc: String,
    pub section: String,
}

#[derive(Debug)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
    index: HashMap<KeySpec, Cmd>,
}

/// The default keymap file, compiled in.
pub const DEFAULT: &str = include_str!("../../assets/keymap.txt");

impl Keymap {
    /// Parses a keymap file; errors name the line.
    pub fn parse(text: &str) -> Result<Keymap, String> {
        let mut bindings = Vec::new();
        let mut index = HashMap::new();
        let mut section = String::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if let Some(title) = line.strip_prefix("##") {
                section = title.trim().to_string();
                continue;
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let name = parts.next().unwrap_or("");
            let keys = parts.next().unwrap_or("");
            let desc = parts.collect::<Vec<_>>().join(" ");
            let cmd = Cmd::from_name(name)
                .ok_or_else(|| format!("keymap line {}: unknown action {name:?}", n + 1))?;
            let keys = keys
                .split(',')
                .map(|k| {
                    KeySpec::parse(k).ok_or_else(|| format!("keymap line {}: bad key {k:?}", n + 1))
                })
                .collect::<Result<Vec<_>, _>>()?;
            for k in &keys {
                if let Some(prev) = index.insert(*k, cmd) {
                    return Err(format!(
                        "keymap line {}: {k:?} already bound to {prev:?}",
                        n + 1
                    ));
                }
            }
            bindings.push(Binding {
                cmd,
                keys,
                desc,
                section: section.clone(),
            });
        }
        Ok(Keymap { bindings, index })
    }

    pub fn default_map() -> Keymap {
        // The compiled-in file is checked by a test; an empty map is the safe fallback.
        Keymap::parse(DEFAULT).unwrap_or(Keymap {
            bindings: Vec::new(),
            index: HashMap::new(),
        })
    }

    pub fn resolve(&self, ev: &KeyEvent) -> Option<Cmd> {
        self.index.get(&KeySpec::of(ev)).copied()
    }

    /// Help lines: `(section, keys, description)` in file order.
    pub fn help_rows(&self, ascii: bool) -> Vec<(String, String, String)> {
        self.bindings
            .iter()
            .map(|b| {
                let keys: Vec<String> = b.keys.iter().map(|k| k.label(ascii)).collect();
                (b.section.clone(), keys.join(" "), b.desc.clone())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_keymap_parses_and_binds_design_keys() {
        let k = Keymap::parse(DEFAULT).unwrap();
        let key = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        for (c, cmd) in [
            ('j', Cmd::Down),
            ('G', Cmd::Last),
            ('/', Cmd::Search),
            ('=', Cmd::Pivot),
            ('T', Cmd::CycleZone),
            ('?', Cmd::Help),
            ('m', Cmd::Mark),
        ] {
            assert_eq!(k.resolve(&key(c)), Some(cmd), "{c}");
        }
        // Shift arrives with upper-case letters; it must not matter.
        assert_eq!(
            k.resolve(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Cmd::Last)
        );
        assert_eq!(
            k.resolve(&KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Cmd::HalfDown)
        );
        assert_eq!(k.resolve(&key('d')), Some(Cmd::DayForward));
        assert_eq!(
            k.resolve(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Cmd::Cancel)
        );
        assert_eq!(k.resolve(&key('x')), None);
        let help = k.help_rows(false);
        assert!(
            help.iter()
                .any(|(s, keys, d)| s == "Move" && keys == "j ↓" && d == "next event")
        );
    }

    #[test]
    fn bad_keymaps_are_refused_with_the_line() {
        assert!(
            Keymap::parse("fly  x  up and away")
                .unwrap_err()
                .contains("line 1")
        );
        assert!(Keymap::parse("down  Fn  x").is_err());
        assert!(
            Keymap::parse("down j  a\nup j  b")
                .unwrap_err()
                .contains("already bound")
        );
    }
}
