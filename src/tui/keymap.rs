//! The keymap as data: `assets/keymap.txt` has one section per layer (the timeline, the
//! input line, each dialog), one binding per line with its description. Keys resolve to
//! command names here; each layer's commands are an enum beside its handler (`update/`)
//! that implements `Command`, so adding a key touches only the file and that handler. The
//! help screen and every hint line are generated from the bindings, and from the file's
//! `[query]` and `[commands]` sections, which document the query language and the `:`
//! commands. A user file overrides the defaults key by key.

use super::layout::{text_width, wrap};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;
use std::path::PathBuf;

/// Where a set of keys applies: one layer is active at a time, `Global` in all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layer {
    Global,
    Table,
    Prompt,
    Editor,
    Kind,
    Severity,
    List,
    Picker,
    Export,
    Confirm,
    Help,
    Hist,
    Counts,
    Sources,
    Columns,
    Quit,
    Detections,
    Candidates,
}

impl Layer {
    pub const ALL: [Layer; 18] = [
        Layer::Global,
        Layer::Table,
        Layer::Prompt,
        Layer::Editor,
        Layer::Kind,
        Layer::Severity,
        Layer::List,
        Layer::Picker,
        Layer::Export,
        Layer::Confirm,
        Layer::Help,
        Layer::Hist,
        Layer::Counts,
        Layer::Sources,
        Layer::Columns,
        Layer::Quit,
        Layer::Detections,
        Layer::Candidates,
    ];

    /// The name in `[brackets]` in the keymap file.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Global => "global",
            Layer::Table => "table",
            Layer::Prompt => "prompt",
            Layer::Editor => "editor",
            Layer::Kind => "kind",
            Layer::Severity => "severity",
            Layer::List => "list",
            Layer::Picker => "picker",
            Layer::Export => "export",
            Layer::Confirm => "confirm",
            Layer::Help => "help",
            Layer::Hist => "histogram",
            Layer::Counts => "counts",
            Layer::Sources => "sources",
            Layer::Columns => "columns",
            Layer::Quit => "quit",
            Layer::Detections => "detections",
            Layer::Candidates => "candidates",
        }
    }

    fn from_name(s: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.name() == s)
    }
}

/// A binding naming a command its layer does not have (a user keymap's typo).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("no action {action:?} in [{layer}]")]
pub struct UnknownAction {
    pub action: String,
    pub layer: &'static str,
}

/// The commands of one layer: an enum whose handler lives in `update/`. `ALL` names every
/// command as the keymap file spells it.
pub trait Command: Copy + PartialEq + 'static {
    const LAYER: Layer;
    const ALL: &'static [(Self, &'static str)];
}

/// A key as written in the keymap: code plus Ctrl and Alt (Shift is folded into the
/// character, and ignored on other keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeySpec {
    fn parse(s: &str) -> Option<KeySpec> {
        let (mut ctrl, mut alt, mut name) = (false, false, s);
        loop {
            if let Some(rest) = name.strip_prefix("C-").filter(|r| !r.is_empty()) {
                ctrl = true;
                name = rest;
            } else if let Some(rest) = name.strip_prefix("A-").filter(|r| !r.is_empty()) {
                alt = true;
                name = rest;
            } else {
                break;
            }
        }
        let code = match name {
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "Left" => KeyCode::Left,
            "Right" => KeyCode::Right,
            "PageUp" => KeyCode::PageUp,
            "PageDown" => KeyCode::PageDown,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            "Enter" => KeyCode::Enter,
            "Tab" => KeyCode::Tab,
            "BackTab" => KeyCode::BackTab,
            "Esc" => KeyCode::Esc,
            "Space" => KeyCode::Char(' '),
            "Backspace" => KeyCode::Backspace,
            "Comma" => KeyCode::Char(','),
            n if n.len() > 1 && n.starts_with('F') => match n[1..].parse::<u8>() {
                Ok(f @ 1..=12) => KeyCode::F(f),
                _ => return None,
            },
            n => {
                let mut it = n.chars();
                let c = it.next()?;
                if it.next().is_some() {
                    return None;
                }
                KeyCode::Char(c)
            }
        };
        Some(KeySpec { code, ctrl, alt })
    }

    /// The key of a terminal event.
    pub fn of(ev: &KeyEvent) -> KeySpec {
        KeySpec {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// How help and hints show the key.
    pub fn label(&self, ascii: bool) -> String {
        let name = match self.code {
            KeyCode::Up if !ascii => "↑".to_string(),
            KeyCode::Down if !ascii => "↓".to_string(),
            KeyCode::Left if !ascii => "←".to_string(),
            KeyCode::Right if !ascii => "→".to_string(),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::BackTab => "Shift-Tab".to_string(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        let mut s = String::new();
        if self.ctrl {
            s.push_str("Ctrl-");
        }
        if self.alt {
            s.push_str("Alt-");
        }
        s.push_str(&name);
        s
    }
}

/// One line of the keymap file.
#[derive(Clone, Debug)]
pub struct Binding {
    pub layer: Layer,
    pub action: String,
    pub keys: Vec<KeySpec>,
    pub desc: String,
    /// The words after the key in the layer's hint line (none: not in the hint line).
    pub hint: Option<String>,
    /// The help screen's section title.
    pub section: String,
}

/// A plain character of a key without modifiers.
fn plain_char(k: &KeySpec) -> Option<char> {
    match k.code {
        KeyCode::Char(c) if !k.ctrl && !k.alt => Some(c),
        _ => None,
    }
}

impl Binding {
    /// Three or more keys that are consecutive characters (`1,2,…,8`) read as `1-8`.
    fn run_label(&self) -> Option<String> {
        let chars: Vec<char> = self.keys.iter().map(plain_char).collect::<Option<_>>()?;
        let consecutive = chars.windows(2).all(|w| w[1] as u32 == w[0] as u32 + 1);
        match (chars.first(), chars.last()) {
            (Some(a), Some(b)) if chars.len() >= 3 && consecutive => Some(format!("{a}-{b}")),
            _ => None,
        }
    }

    /// Every key, for the help screen.
    pub fn keys_label(&self, ascii: bool) -> String {
        if let Some(r) = self.run_label() {
            return r;
        }
        let keys: Vec<String> = self.keys.iter().map(|k| k.label(ascii)).collect();
        keys.join(" ")
    }

    /// The first key, for hint lines and titles.
    pub fn short_label(&self, ascii: bool) -> String {
        self.run_label()
            .or_else(|| self.keys.first().map(|k| k.label(ascii)))
            .unwrap_or_default()
    }
}

/// Sections of the keymap file that document rather than bind: the query language and
/// the `:` commands. Their lines are `ITEM  DESCRIPTION` (two spaces or more between).
pub const DOC_SECTIONS: [&str; 2] = ["query", "commands"];

/// A documentation line of the keymap file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocLine {
    /// `query` or `commands`.
    pub doc: String,
    /// The help screen's section title.
    pub section: String,
    pub item: String,
    pub desc: String,
}

/// A line of the help screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HelpLine {
    Section(String),
    Key { keys: String, desc: String },
}

/// A row of the help screen as drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HelpRow {
    Section(String),
    Key {
        keys: String,
        desc: String,
    },
    /// A description's continuation, under itself.
    More(String),
}

/// Width of the keys column of the help screen (with its indent and a space).
pub const HELP_KEYS_W: usize = 19;

/// A keymap file that could not be used: the line and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeymapError {
    /// 1-based; 0 when the clash is between layers rather than on one line.
    pub line: usize,
    pub msg: String,
}

impl std::fmt::Display for KeymapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => f.write_str(&self.msg),
            n => write!(f, "line {n}: {}", self.msg),
        }
    }
}

impl std::error::Error for KeymapError {}

#[derive(Clone, Debug)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
    /// The query language and the `:` commands, for the help screen.
    pub docs: Vec<DocLine>,
    /// Text that leads a layer's hint line.
    prompts: HashMap<Layer, String>,
    /// (layer, key) → binding.
    index: HashMap<(Layer, KeySpec), usize>,
}

/// The default keymap file, compiled in.
pub const DEFAULT: &str = include_str!("../../assets/keymap.txt");

/// A parsed line: layer, action, keys, description, hint.
struct Line<'a> {
    action: &'a str,
    keys: Vec<KeySpec>,
    desc: String,
    hint: Option<String>,
}

/// A binding line under `layer` (none yet: the file starts with a binding).
fn binding_line(
    layer: Option<Layer>,
    line: &str,
    n: usize,
) -> Result<(Layer, Line<'_>), KeymapError> {
    let Some(layer) = layer else {
        return Err(KeymapError {
            line: n,
            msg: "a binding before the first [layer]".into(),
        });
    };
    Ok((layer, parse_line(line, n)?))
}

fn parse_line(line: &str, n: usize) -> Result<Line<'_>, KeymapError> {
    let err = |msg: String| KeymapError { line: n, msg };
    let (body, hint) = match line.rsplit_once(" | ") {
        Some((b, h)) => (b, Some(h.trim().to_string()).filter(|h| !h.is_empty())),
        None => (line, None),
    };
    let mut parts = body.split_whitespace();
    let action = parts.next().unwrap_or("");
    let keys = parts.next().unwrap_or("");
    let desc = parts.collect::<Vec<_>>().join(" ");
    if keys.is_empty() {
        return Err(err(format!("{action:?} has no key")));
    }
    let keys = keys
        .split(',')
        .map(|k| KeySpec::parse(k).ok_or_else(|| err(format!("bad key {k:?}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Line {
        action,
        keys,
        desc,
        hint,
    })
}

/// `[query]` or `[commands]`: a documentation section.
fn doc_section(line: &str) -> Option<&'static str> {
    let name = line.strip_prefix('[')?.strip_suffix(']')?.trim();
    DOC_SECTIONS.into_iter().find(|d| *d == name)
}

/// `ITEM  DESCRIPTION`: split at the first run of two spaces or more.
fn split_doc(line: &str) -> Option<(String, String)> {
    let at = line.find("  ")?;
    let (item, desc) = (line[..at].trim(), line[at..].trim());
    (!item.is_empty() && !desc.is_empty()).then(|| (item.to_string(), desc.to_string()))
}

/// `[layer] prompt`.
fn parse_layer(line: &str, n: usize) -> Result<Option<(Layer, String)>, KeymapError> {
    let Some(rest) = line.strip_prefix('[') else {
        return Ok(None);
    };
    let (name, prompt) = rest.split_once(']').ok_or(KeymapError {
        line: n,
        msg: "unclosed [layer]".into(),
    })?;
    let layer = Layer::from_name(name.trim()).ok_or_else(|| KeymapError {
        line: n,
        msg: format!("unknown layer [{}]", name.trim()),
    })?;
    Ok(Some((layer, prompt.trim().to_string())))
}

impl Keymap {
    /// Parses a keymap file; errors name the line.
    pub fn parse(text: &str) -> Result<Keymap, KeymapError> {
        let mut km = Keymap {
            bindings: Vec::new(),
            docs: Vec::new(),
            prompts: HashMap::new(),
            index: HashMap::new(),
        };
        let mut layer = None;
        let mut doc: Option<&str> = None;
        let mut section = String::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let line = line.trim();
            if let Some(d) = doc_section(line) {
                doc = Some(d);
                layer = None;
                section = d.to_string();
                continue;
            }
            if let Some(d) = doc.filter(|_| !line.starts_with('['))
                && !line.is_empty()
                && !line.starts_with('#')
            {
                let (item, desc) = split_doc(line).ok_or(KeymapError {
                    line: n,
                    msg: "a documentation line needs ITEM  DESCRIPTION".into(),
                })?;
                km.docs.push(DocLine {
                    doc: d.to_string(),
                    section: section.clone(),
                    item,
                    desc,
                });
                continue;
            }
            if let Some(title) = line.strip_prefix("##").filter(|_| doc.is_some()) {
                section = title.trim().to_string();
                continue;
            }
            if let Some((l, prompt)) = parse_layer(line, n)? {
                doc = None;
                layer = Some(l);
                section = l.name().to_string();
                if !prompt.is_empty() {
                    km.prompts.insert(l, prompt);
                }
                continue;
            }
            if let Some(title) = line.strip_prefix("##") {
                section = title.trim().to_string();
                continue;
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (layer, l) = binding_line(layer, line, n)?;
            let at = km.bindings.len();
            for k in &l.keys {
                if let Some(prev) = km.index.insert((layer, *k), at) {
                    let prev = &km.bindings[prev].action;
                    return Err(KeymapError {
                        line: n,
                        msg: format!(
                            "{} already bound to {prev} in [{}]",
                            k.label(true),
                            layer.name()
                        ),
                    });
                }
            }
            km.bindings.push(Binding {
                layer,
                action: l.action.to_string(),
                keys: l.keys,
                desc: l.desc,
                hint: l.hint,
                section: section.clone(),
            });
        }
        km.check_global()?;
        Ok(km)
    }

    /// A key bound in `[global]` would never reach another layer's binding.
    fn check_global(&self) -> Result<(), KeymapError> {
        for &(layer, key) in self.index.keys() {
            if layer != Layer::Global && self.index.contains_key(&(Layer::Global, key)) {
                return Err(KeymapError {
                    line: 0,
                    msg: format!(
                        "{} in [{}] is taken by [global]",
                        key.label(true),
                        layer.name()
                    ),
                });
            }
        }
        Ok(())
    }

    pub fn default_map() -> Keymap {
        // The compiled-in file is checked by a test; an empty map is the safe fallback.
        Keymap::parse(DEFAULT).unwrap_or(Keymap {
            bindings: Vec::new(),
            docs: Vec::new(),
            prompts: HashMap::new(),
            index: HashMap::new(),
        })
    }

    /// This keymap with a user file's bindings on top, key by key: `ACTION KEYS` in a
    /// `[layer]` takes those keys from whatever had them there; `none KEYS` unbinds them.
    /// The action must be one the layer has. Any error leaves the keymap as it was.
    pub fn with_user(&self, text: &str) -> Result<Keymap, KeymapError> {
        let mut km = self.clone();
        let mut layer = None;
        let mut in_doc = false;
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let line = line.trim();
            // Documentation comes from the defaults; a user file's copy is passed over.
            if doc_section(line).is_some() {
                in_doc = true;
                continue;
            }
            if let Some((l, _)) = parse_layer(line, n)? {
                layer = Some(l);
                in_doc = false;
                continue;
            }
            if line.is_empty() || line.starts_with('#') || in_doc {
                continue;
            }
            let (layer, l) = binding_line(layer, line, n)?;
            let target = km
                .bindings
                .iter()
                .position(|b| b.layer == layer && b.action == l.action);
            if target.is_none() && l.action != "none" {
                return Err(KeymapError {
                    line: n,
                    msg: format!("no action {:?} in [{}]", l.action, layer.name()),
                });
            }
            for k in &l.keys {
                if let Some(old) = km.index.remove(&(layer, *k)) {
                    km.bindings[old].keys.retain(|x| x != k);
                }
                if let Some(t) = target {
                    km.bindings[t].keys.push(*k);
                    km.index.insert((layer, *k), t);
                }
            }
        }
        km.check_global()?;
        Ok(km)
    }

    /// The command name `ev` is bound to in `layer`. An Alt-combination that is not bound
    /// falls back to the plain key (a split escape sequence over a slow link reads as Alt).
    pub fn resolve(&self, layer: Layer, ev: &KeyEvent) -> Option<&str> {
        let k = KeySpec::of(ev);
        let i = self.index.get(&(layer, k)).or_else(|| {
            k.alt
                .then(|| self.index.get(&(layer, KeySpec { alt: false, ..k })))
                .flatten()
        })?;
        self.bindings.get(*i).map(|b| b.action.as_str())
    }

    /// The command of layer `C` that `ev` is bound to.
    pub fn command<C: Command>(&self, ev: &KeyEvent) -> Option<C> {
        let name = self.resolve(C::LAYER, ev)?;
        C::ALL.iter().find(|(_, n)| *n == name).map(|(c, _)| *c)
    }

    /// Every binding of `C`'s layer names one of its commands.
    pub fn validate<C: Command>(&self) -> Result<(), UnknownAction> {
        for b in self.bindings.iter().filter(|b| b.layer == C::LAYER) {
            if !C::ALL.iter().any(|(_, n)| *n == b.action) {
                return Err(UnknownAction {
                    action: b.action.clone(),
                    layer: C::LAYER.name(),
                });
            }
        }
        Ok(())
    }

    /// Whether `action` has a key in `layer`.
    #[cfg(test)]
    pub fn is_bound(&self, layer: Layer, action: &str) -> bool {
        self.bindings
            .iter()
            .any(|b| b.layer == layer && b.action == action && !b.keys.is_empty())
    }

    /// The documentation lines of `doc` (`query` or `commands`).
    #[cfg(test)]
    pub fn docs(&self, doc: &str) -> impl Iterator<Item = &DocLine> {
        self.docs.iter().filter(move |d| d.doc == doc)
    }

    /// The help screen: every layer's bindings under their section titles, in file order,
    /// then the query language and the `:` commands.
    pub fn help_lines(&self, ascii: bool) -> Vec<HelpLine> {
        let mut out = Vec::new();
        let mut section: Option<&str> = None;
        for b in &self.bindings {
            if section != Some(b.section.as_str()) {
                if section.is_some() {
                    out.push(HelpLine::Section(String::new()));
                }
                out.push(HelpLine::Section(b.section.clone()));
                section = Some(&b.section);
            }
            let keys = if b.keys.is_empty() {
                "(unbound)".to_string()
            } else {
                b.keys_label(ascii)
            };
            out.push(HelpLine::Key {
                keys,
                desc: b.desc.clone(),
            });
        }
        for d in &self.docs {
            if section != Some(d.section.as_str()) {
                out.push(HelpLine::Section(String::new()));
                out.push(HelpLine::Section(d.section.clone()));
                section = Some(&d.section);
            }
            out.push(HelpLine::Key {
                keys: d.item.clone(),
                desc: d.desc.clone(),
            });
        }
        out
    }

    /// The help screen in rows `width` cells wide: a long description wraps under itself
    /// instead of being cut.
    pub fn help_rows(&self, ascii: bool, width: usize) -> Vec<HelpRow> {
        let desc_w = width.saturating_sub(HELP_KEYS_W).max(12);
        let mut out = Vec::new();
        for l in self.help_lines(ascii) {
            match l {
                HelpLine::Section(s) => out.push(HelpRow::Section(s)),
                // A long item (`event_id:4624,4625`) takes its own row.
                HelpLine::Key { keys, desc } if text_width(&keys) > HELP_KEYS_W - 3 => {
                    out.push(HelpRow::Key {
                        keys,
                        desc: String::new(),
                    });
                    out.extend(
                        wrap(&desc, desc_w, usize::MAX)
                            .into_iter()
                            .map(HelpRow::More),
                    );
                }
                HelpLine::Key { keys, desc } => {
                    let mut rows = wrap(&desc, desc_w, usize::MAX).into_iter();
                    let first = rows.next().unwrap_or_default();
                    out.push(HelpRow::Key { keys, desc: first });
                    out.extend(rows.map(HelpRow::More));
                }
            }
        }
        out
    }

    /// A layer's hint line: its prompt, then `KEY HINT` for each binding with a hint;
    /// neighbours with the same hint share an entry (`j/k move`).
    pub fn hint(&self, layer: Layer, ascii: bool) -> String {
        let mut entries: Vec<(Vec<String>, &str)> = Vec::new();
        for b in self.bindings.iter().filter(|b| b.layer == layer) {
            let Some(h) = &b.hint else { continue };
            if b.keys.is_empty() {
                continue;
            }
            let key = b.short_label(ascii);
            match entries.last_mut() {
                Some((keys, last)) if *last == h.as_str() => {
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                }
                _ => entries.push((vec![key], h.as_str())),
            }
        }
        let body: Vec<String> = entries
            .iter()
            .map(|(k, h)| format!("{} {h}", k.join("/")))
            .collect();
        let body = body.join("  ");
        match self.prompts.get(&layer) {
            Some(p) => format!("{p} {body}"),
            None => body,
        }
    }

    /// The first key of each binding of `action` in `layer`, joined by `/` (for titles).
    pub fn keys(&self, layer: Layer, action: &str, ascii: bool) -> String {
        let keys: Vec<String> = self
            .bindings
            .iter()
            .filter(|b| b.layer == layer && b.action == action && !b.keys.is_empty())
            .map(|b| b.short_label(ascii))
            .collect();
        keys.join("/")
    }
}

/// The user's keymap file: `$XDG_CONFIG_HOME/vigil/keymap.txt`, else
/// `$HOME/.config/vigil/keymap.txt`.
pub fn user_path() -> Option<PathBuf> {
    let nonempty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    let base = nonempty("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| nonempty("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("vigil").join("keymap.txt"))
}

#[cfg(test)]
mod tests;
