//! `key=value` / `key:"value";` pairs with quoted values, as FortiGate, Sophos, Juniper and
//! Check Point write them. Borrowing iterator: no allocation, never panics; an unterminated
//! quote runs to the end of the line; tokens without a separator are skipped.

use super::text::{Utf8Line, find2, find3};
use crate::ingest::Reason;
use crate::model::Fields;
use std::borrow::Cow;

/// The tail every key=value firewall parser shares: each pair goes to `field` (the
/// format's own names → normalised fields), then, unless the parse is lean, is kept under
/// its own name with escapes resolved. Returns how many pairs there were.
pub fn read<'a>(
    pairs: impl Iterator<Item = (&'a [u8], &'a [u8])>,
    line: &Utf8Line<'a>,
    out: &mut Fields<'a>,
    mut field: impl FnMut(&'a [u8], &'a [u8], &mut Fields<'a>) -> Result<(), Reason>,
) -> Result<usize, Reason> {
    let mut n = 0;
    for (k, v) in pairs {
        n += 1;
        field(k, v, out)?;
        if !out.is_lean()
            && let Some(k) = line.text(k).or_else(|| std::str::from_utf8(k).ok())
        {
            out.push_raw(k, unescape(line.cow(v)));
        }
    }
    Ok(n)
}

/// Iterates `(key, value)` pairs; quotes are stripped from values, escapes are kept
/// (see [`unescape`]).
pub struct Kv<'a> {
    s: &'a [u8],
    pos: usize,
    sep: u8,
    /// A comma also ends a bare value (`date=…,time=…,logid=…`).
    commas: bool,
}

impl<'a> Kv<'a> {
    pub fn new(s: &'a [u8], sep: u8) -> Self {
        Kv {
            s,
            pos: 0,
            sep,
            commas: false,
        }
    }

    /// Pairs separated by commas as well as spaces (FortiGate's comma form, some
    /// collectors' rewrites): a bare value ends at the first comma.
    pub fn commas(s: &'a [u8], sep: u8) -> Self {
        Kv {
            commas: true,
            ..Kv::new(s, sep)
        }
    }

    /// What is left to read.
    pub fn rest(&self) -> &'a [u8] {
        self.s.get(self.pos..).unwrap_or_default()
    }
}

const CURLY_OPEN: &[u8] = "\u{201C}".as_bytes();
const CURLY_CLOSE: &[u8] = "\u{201D}".as_bytes();

fn is_space(c: u8) -> bool {
    c == b' ' || c == b'\t' || c == b';' || c == b','
}

impl<'a> Iterator for Kv<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.s;
        loop {
            while self.pos < s.len() && is_space(s[self.pos]) {
                self.pos += 1;
            }
            if self.pos >= s.len() {
                return None;
            }
            let start = self.pos;
            // Key: up to the separator; a space first means a stray token.
            // Tabs separate like spaces (some relays and exports write them).
            let i = start + find3(&s[start..], self.sep, b' ', b'\t').unwrap_or(s.len() - start);
            if i >= s.len() || s[i] != self.sep {
                self.pos = i;
                continue;
            }
            let key = &s[start..i];
            let vstart = i + 1;
            let rest = &s[vstart..];
            let (val, next) = if rest.first() == Some(&b'"') {
                let body = &rest[1..];
                match closing_quote(body) {
                    Some(e) => (&body[..e], vstart + 1 + e + 1),
                    None => (body, s.len()),
                }
            } else if rest.starts_with(CURLY_OPEN) || rest.starts_with(CURLY_CLOSE) {
                let body = &rest[3..];
                match memchr::memmem::find(body, CURLY_CLOSE) {
                    Some(e) => (&body[..e], vstart + 3 + e + 3),
                    None => (body, s.len()),
                }
            } else {
                let e = if self.commas {
                    find3(rest, b' ', b'\t', b',')
                } else {
                    find2(rest, b' ', b'\t')
                };
                let e = e.unwrap_or(rest.len());
                (&rest[..e], vstart + e)
            };
            self.pos = next;
            if key.is_empty() {
                continue;
            }
            return Some((key, val));
        }
    }
}

/// Position of the closing `"` in `b` (after the opening one), skipping `\"`.
fn closing_quote(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < b.len() {
        i += find2(&b[i..], b'"', b'\\')?;
        if b[i] == b'"' {
            return Some(i);
        }
        i += 2;
    }
    None
}

/// Resolves `\"`, `\\`, `\]` and `\=` escapes; borrowed when there are none.
pub fn unescape(v: Cow<'_, str>) -> Cow<'_, str> {
    if !v.contains('\\') {
        return v;
    }
    let mut o = String::with_capacity(v.len());
    let mut it = v.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some(n @ ('"' | '\\' | ']' | '=' | '|')) => o.push(n),
                Some('n') => o.push(' '),
                Some(n) => {
                    o.push('\\');
                    o.push(n);
                }
                None => o.push('\\'),
            }
        } else {
            o.push(c);
        }
    }
    Cow::Owned(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(s: &str, sep: u8) -> Vec<(String, String)> {
        Kv::new(s.as_bytes(), sep)
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(k).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn quoted_and_bare() {
        let v = all(
            r#"date=2024-10-14 tz="-0700" msg="a \"b\" c" empty= x=1"#,
            b'=',
        );
        assert_eq!(v[0], ("date".into(), "2024-10-14".into()));
        assert_eq!(v[1], ("tz".into(), "-0700".into()));
        assert_eq!(v[2], ("msg".into(), r#"a \"b\" c"#.into()));
        assert_eq!(v[3], ("empty".into(), "".into()));
        assert_eq!(v[4], ("x".into(), "1".into()));
    }

    #[test]
    fn stray_tokens_and_unterminated() {
        let v = all(r#"device_id=C44- P29PUA log_id=01 m="open end"#, b'=');
        assert_eq!(v.len(), 3);
        assert_eq!(v[1], ("log_id".into(), "01".into()));
        assert_eq!(v[2], ("m".into(), "open end".into()));
        assert!(all("\"", b'=').is_empty());
        assert!(all("a=\"\\", b'=').len() == 1);
    }

    #[test]
    fn colon_form_and_curly_quotes() {
        let v = all(r#"action:"Accept"; ifdir:"inbound"; p:"x\]";"#, b':');
        assert_eq!(v.len(), 3);
        assert_eq!(v[2].1, r"x\]");
        let v = all("a=\u{201D}st0.0\u{201D} b=\"c\"", b'=');
        assert_eq!(v[0].1, "st0.0");
        assert_eq!(v[1].1, "c");
    }

    /// The byte-at-a-time iterator `Kv` replaced, kept as the reference.
    fn reference(s: &[u8], sep: u8, commas: bool) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < s.len() {
            while pos < s.len() && is_space(s[pos]) {
                pos += 1;
            }
            if pos >= s.len() {
                break;
            }
            let start = pos;
            let mut i = start;
            while i < s.len() && s[i] != sep && s[i] != b' ' && s[i] != b'\t' {
                i += 1;
            }
            if i >= s.len() || s[i] != sep {
                pos = i;
                continue;
            }
            let key = &s[start..i];
            let rest = &s[i + 1..];
            let (val, next) = if rest.first() == Some(&b'"') {
                let body = &rest[1..];
                let mut e = 0;
                let mut found = None;
                while e < body.len() {
                    match body[e] {
                        b'\\' => e += 2,
                        b'"' => {
                            found = Some(e);
                            break;
                        }
                        _ => e += 1,
                    }
                }
                match found {
                    Some(e) => (&body[..e], i + 1 + 1 + e + 1),
                    None => (body, s.len()),
                }
            } else if rest.starts_with(CURLY_OPEN) || rest.starts_with(CURLY_CLOSE) {
                let body = &rest[3..];
                match memchr::memmem::find(body, CURLY_CLOSE) {
                    Some(e) => (&body[..e], i + 1 + 3 + e + 3),
                    None => (body, s.len()),
                }
            } else {
                let e = rest
                    .iter()
                    .position(|&c| c == b' ' || c == b'\t' || (commas && c == b','))
                    .unwrap_or(rest.len());
                (&rest[..e], i + 1 + e)
            };
            pos = next;
            if !key.is_empty() {
                out.push((key.to_vec(), val.to_vec()));
            }
        }
        out
    }

    #[test]
    fn word_scans_match_the_byte_loop() {
        use proptest::prelude::*;
        // Long enough for many words and a tail; escapes and NUL bytes too.
        let bytes = prop::sample::select(b"ab=:\" ;,\t\\\0\xe2\x80\x9d".to_vec());
        proptest!(ProptestConfig::with_cases(4000), |(s in prop::collection::vec(bytes, 0..200))| {
            for sep in [b'=', b':'] {
                let got: Vec<(Vec<u8>, Vec<u8>)> =
                    Kv::new(&s, sep).map(|(k, v)| (k.to_vec(), v.to_vec())).collect();
                prop_assert_eq!(got, reference(&s, sep, false));
                let got: Vec<(Vec<u8>, Vec<u8>)> =
                    Kv::commas(&s, sep).map(|(k, v)| (k.to_vec(), v.to_vec())).collect();
                prop_assert_eq!(got, reference(&s, sep, true));
            }
        });
    }

    /// Values and keys that straddle word boundaries, escapes, and a line ending in a pair.
    #[test]
    fn pairs_across_words() {
        let mut line = String::new();
        for i in 0..40 {
            line.push_str(&format!(
                "k{i}=\"{}\\\"q\" b{i}={} ",
                "v".repeat(i),
                "w".repeat(i % 7)
            ));
        }
        line.push_str("last=end");
        let got = all(&line, b'=');
        assert_eq!(got.len(), 81);
        assert_eq!(got[2 * 13].1, format!("{}\\\"q", "v".repeat(13)));
        assert_eq!(got[80], ("last".into(), "end".into()));
    }

    #[test]
    fn comma_form() {
        let v: Vec<(&[u8], &[u8])> =
            Kv::commas(br#"date=2024-05-01,time=10:11:12,msg="a, b",x=1"#, b'=').collect();
        let want: [(&[u8], &[u8]); 4] = [
            (b"date", b"2024-05-01"),
            (b"time", b"10:11:12"),
            (b"msg", b"a, b"),
            (b"x", b"1"),
        ];
        assert_eq!(v, want);
        // Without `commas` the bare value runs to the space, as before.
        assert_eq!(Kv::new(b"a=1,b=2", b'=').count(), 1);
    }

    #[test]
    fn unescapes() {
        assert_eq!(unescape(Cow::Borrowed(r#"a \"b\" c\]"#)), r#"a "b" c]"#);
        assert!(matches!(unescape(Cow::Borrowed("plain")), Cow::Borrowed(_)));
    }
}
