//! Free-text terms (`WORD`, `"phrase"`, `/regex/`) as engines with an index see them:
//! an exact test for one piece of text, a looser pattern to find candidates in a whole
//! buffer of pieces at once, and what the pattern can and cannot match.

use super::QueryError;
use super::eval::{Text, build_regex, wildcard_body};
use regex::{Regex, RegexBuilder};
use regex_syntax::hir::{Hir, Look, literal::Extractor};

/// One free-text term.
#[derive(Debug, Clone)]
pub struct TextTerm {
    exact: Exact,
    /// Source of the equivalent regex and its case-insensitivity.
    pattern: String,
    ci: bool,
}

#[derive(Debug, Clone)]
enum Exact {
    Text(Text),
    Regex(Regex),
}

impl TextTerm {
    pub(crate) fn word(w: &str, col: usize) -> Result<TextTerm, QueryError> {
        Ok(TextTerm {
            exact: Exact::Text(Text::new(w, col)?),
            pattern: regex::escape(w),
            ci: true,
        })
    }

    pub(crate) fn wildcard(w: &str, col: usize) -> Result<TextTerm, QueryError> {
        TextTerm::regex(&wildcard_body(w), true, col)
    }

    pub(crate) fn regex(src: &str, ci: bool, col: usize) -> Result<TextTerm, QueryError> {
        Ok(TextTerm {
            exact: Exact::Regex(build_regex(src, ci, col)?),
            pattern: src.to_string(),
            ci,
        })
    }

    /// The `/` search's regex as a term. `pattern`/`ci` must be what `re` was built from.
    pub fn from_search(re: Regex) -> TextTerm {
        TextTerm {
            pattern: re.as_str().to_string(),
            // `search_regex` folds case through the builder, not in the pattern.
            ci: !super::has_literal_upper(re.as_str()),
            exact: Exact::Regex(re),
        }
    }

    /// Whether the term matches in `hay`.
    pub fn is_match(&self, hay: &str) -> bool {
        match &self.exact {
            Exact::Text(t) => t.is_in(hay),
            Exact::Regex(re) => re.is_match(hay),
        }
    }

    /// `is_match` on the lossy UTF-8 text of `raw`, without converting when it can.
    pub fn is_match_lossy(&self, raw: &[u8]) -> bool {
        if let Exact::Text(t) = &self.exact
            && let Some(hit) = t.is_in_bytes(raw)
        {
            return hit;
        }
        match std::str::from_utf8(raw) {
            Ok(s) => self.is_match(s),
            Err(_) => self.is_match(&String::from_utf8_lossy(raw)),
        }
    }

    /// A regex that matches wherever `is_match` could, in a buffer of pieces separated
    /// by `\n`: the same pattern in multi-line mode (`^`/`$` at each piece's ends).
    /// `None` when it cannot be built (then scan piece by piece).
    pub fn bulk(&self) -> Option<Regex> {
        RegexBuilder::new(&self.pattern)
            .case_insensitive(self.ci)
            .multi_line(true)
            .size_limit(4 << 20)
            .dfa_size_limit(4 << 20)
            .build()
            .ok()
    }

    fn hir(&self) -> Option<Hir> {
        regex_syntax::ParserBuilder::new()
            .case_insensitive(self.ci)
            .build()
            .parse(&self.pattern)
            .ok()
    }

    /// The pattern uses `^`, `$`, `\A` or `\z`: a match in a piece of text need not be a
    /// match in a longer text holding that piece.
    pub fn anchored(&self) -> bool {
        match &self.exact {
            Exact::Text(_) => false,
            Exact::Regex(_) => self.hir().is_none_or(|h| {
                let looks = h.properties().look_set();
                [
                    Look::Start,
                    Look::End,
                    Look::StartLF,
                    Look::EndLF,
                    Look::StartCRLF,
                    Look::EndCRLF,
                ]
                .into_iter()
                .any(|l| looks.contains(l))
            }),
        }
    }

    /// Whether the term could match in some text made only of bytes of `alphabet`
    /// (false answers are certain; true may be a guess).
    pub fn may_match_within(&self, alphabet: &[u8]) -> bool {
        let inside = |lit: &[u8]| lit.iter().all(|b| alphabet.contains(b));
        if let Exact::Text(Text::Ascii(_) | Text::Exact(_)) = &self.exact {
            // The needle itself must fit (in one of its cases).
            return self.pattern.bytes().filter(|&b| b != b'\\').all(|b| {
                alphabet.contains(&b)
                    || alphabet.contains(&b.to_ascii_lowercase())
                    || alphabet.contains(&b.to_ascii_uppercase())
            });
        }
        let Some(hir) = self.hir() else {
            return true;
        };
        // Every match starts with one of the extracted prefixes (when they are finite).
        let seq = Extractor::new().extract(&hir);
        match seq.literals() {
            Some(lits) if !lits.is_empty() => lits.iter().any(|l| inside(l.as_bytes())),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGITS: &[u8] = b"0123456789-:.TZ";

    #[test]
    fn anchors_and_alphabets() {
        let re = |p: &str| TextTerm::regex(p, true, 1).unwrap();
        assert!(re("^foo").anchored());
        assert!(re("foo$").anchored());
        assert!(!re(r"\.locked\b").anchored());
        assert!(!re("[^a]x").anchored());
        assert!(!TextTerm::word("a^b", 1).unwrap().anchored());

        assert!(!re(r"\.locked\b").may_match_within(DIGITS));
        assert!(!re("vssadmin.*delete").may_match_within(DIGITS));
        assert!(re(r"\d+").may_match_within(DIGITS));
        assert!(re("2026-03").may_match_within(DIGITS));
        assert!(re(".*").may_match_within(DIGITS));
        let w = |p: &str| TextTerm::word(p, 1).unwrap();
        assert!(!w("rclone").may_match_within(DIGITS));
        assert!(w("10:4").may_match_within(DIGITS));
        // Lowercase `t` and `z` fold onto the alphabet's uppercase.
        assert!(w("05t").may_match_within(DIGITS));
        assert!(!w("10.0.0.1:4").may_match_within(b"0123456789"));
    }

    #[test]
    fn bulk_finds_what_exact_finds_across_pieces() {
        let hay = "alpha\nfoo bar\nbaz";
        for (p, ci) in [("^foo", true), ("bar$", false), (r"\bbaz\b", true)] {
            let t = TextTerm::regex(p, ci, 1).unwrap();
            let b = t.bulk().unwrap();
            let m = b.find(hay).unwrap();
            assert!(hay.split('\n').any(|piece| t.is_match(piece)), "{p}");
            assert!(m.start() > 0, "{p}");
        }
        let t = TextTerm::word("FOO", 1).unwrap();
        assert!(t.bulk().unwrap().is_match(hay) && t.is_match("a foo"));
    }

    #[test]
    fn raw_bytes_match_like_their_lossy_text() {
        let lines: [&[u8]; 5] = [
            b"deny tcp 10.0.0.1",
            b"DE\xffNY \xc3A 443",
            b"\xe9\x80 d\xe9ny",
            b"",
            "caf\u{e9} D\u{c9}NY".as_bytes(),
        ];
        for w in ["deny", "443", "a 4", "caf\u{e9}", "\u{e9}ny", "d\u{c9}ny"] {
            let t = TextTerm::word(w, 1).unwrap();
            for l in lines {
                let lossy = String::from_utf8_lossy(l);
                assert_eq!(
                    t.is_match_lossy(l),
                    t.is_match(&lossy),
                    "{w:?} in {lossy:?}"
                );
            }
        }
    }
}
