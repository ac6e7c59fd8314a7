//! Makes log content safe to draw: control characters, escape sequences, bidi overrides
//! and invisible characters are shown visibly, never dropped and never interpreted.
//! (ratatui silently drops control characters, which would hide evidence, and passes
//! bidi overrides through, which reorders "Trojan Source" file names.)

use std::borrow::Cow;
use std::fmt::Write;

/// Characters that reorder or hide text without being control characters.
fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

fn needs_work(c: char) -> bool {
    c.is_control() || is_format_char(c)
}

/// One line of display text from `s`, at most `max_chars` characters of input (the rest
/// is cut, with `…`). Tabs become `→` (`>` with `ascii`), ESC `^[`, CR LF `↵` (`|`), other
/// C0/C1 controls `\xNN`, and format characters `⟨U+202E⟩` (`<U+202E>`).
pub fn line(s: &str, max_chars: usize, ascii: bool) -> Cow<'_, str> {
    let cut = s.char_indices().nth(max_chars).map(|(i, _)| i);
    let body = cut.map_or(s, |i| &s[..i]);
    if cut.is_none() && !body.chars().any(needs_work) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(body.len() + 8);
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' => out.push(if ascii { '>' } else { '→' }),
            '\u{1b}' => out.push_str("^["),
            '\r' if chars.peek() == Some(&'\n') => {
                chars.next();
                out.push(if ascii { '|' } else { '↵' });
            }
            '\n' => out.push(if ascii { '|' } else { '↵' }),
            c if (c as u32) < 0x100 && c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if needs_work(c) => {
                let (l, r) = if ascii { ('<', '>') } else { ('⟨', '⟩') };
                let _ = write!(out, "{l}U+{:04X}{r}", c as u32);
            }
            c => out.push(c),
        }
    }
    if cut.is_some() {
        out.push(if ascii { '~' } else { '…' });
    }
    Cow::Owned(out)
}

/// Multi-line text (a raw record) as display lines: split at `\n` (a `\r` before it is
/// dropped as part of the line end), each line sanitised; tabs expand to spaces here so
/// that indented XML keeps its shape.
pub fn lines(s: &str, max_chars: usize, ascii: bool) -> Vec<String> {
    s.split('\n')
        .map(|l| {
            let l = l.strip_suffix('\r').unwrap_or(l);
            line(&l.replace('\t', "    "), max_chars, ascii).into_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `line` shows for text that would act on the terminal or hide itself:
    /// `(input, ascii, shown)`.
    const SHOWN: &[(&str, bool, &str)] = &[
        // Escape sequences are shown, not run.
        ("a\u{1b}[31mred\u{1b}[0m", false, "a^[[31mred^[[0m"),
        ("bell\u{7}", false, "bell\\x07"),
        ("nul\0x\u{7f}", false, "nul\\x00x\\x7f"),
        // C1 control (CSI as one code point).
        ("c1\u{9b}2J", false, "c1\\x9b2J"),
        // Line ends and tabs.
        ("a\r\nb\nc", false, "a↵b↵c"),
        ("over\rwrite", false, "over\\x0dwrite"),
        ("a\tb", false, "a→b"),
        ("a\tb\r\n", true, "a>b|"),
        // Bidi and invisible characters are named. "Trojan Source" file name: RLO
        // reverses what follows.
        ("invoice\u{202E}fdp.exe", false, "invoice⟨U+202E⟩fdp.exe"),
        ("a\u{2066}b\u{2069}", true, "a<U+2066>b<U+2069>"),
        ("zero\u{200B}width", false, "zero⟨U+200B⟩width"),
    ];

    #[test]
    fn controls_and_invisible_characters_are_shown_not_run() {
        for &(input, ascii, want) in SHOWN {
            assert_eq!(line(input, 100, ascii), want, "{input:?}");
        }
    }

    #[test]
    fn lines_split_and_expand_tabs() {
        assert_eq!(lines("x\r\n\ty\r\n", 100, false), vec!["x", "    y", ""]);
    }

    #[test]
    fn clean_text_is_borrowed_and_long_text_cut() {
        assert!(matches!(
            line("plain text é 日本", 100, false),
            Cow::Borrowed(_)
        ));
        assert_eq!(line("abcdef", 3, false), "abc…");
        assert_eq!(line("日本語です", 2, true), "日本~");
        assert_eq!(line("", 0, false), "");
    }
}
