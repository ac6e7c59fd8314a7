//! A scanner for the compact JSON the evtx crate renders, giving the leaves serde_json's
//! walk gives (`super::serde_walk`) at a fraction of its cost: strings are sliced from
//! the record (validated as UTF-8 once, not string by string), names are compared as
//! slices, and nothing is handed to the sink until the whole record has been read.
//!
//! It reads a subset exactly: strings without raw control characters, nesting well within
//! serde_json's limit. Escaped strings and numbers other than plain 64-bit integers are
//! read by serde_json itself, one token at a time. Anything else (a raw control
//! character, bad UTF-8, malformed JSON) gives `None`, and the caller reads the record
//! through serde_json, which decides what it means: the two never disagree.

use super::{Cow, leaf_at};

/// `(section, name, value)` of each leaf.
pub(super) type Leaves<'de> = Vec<(Cow<'de, str>, Cow<'de, str>, Cow<'de, str>)>;

/// The leaves of `json` in document order, or `None` when serde_json must read it.
pub(super) fn leaves(json: &[u8]) -> Option<Leaves<'_>> {
    let text = std::str::from_utf8(json).ok()?;
    let mut s = Scan {
        text,
        at: 0,
        path: Vec::with_capacity(8),
        out: Vec::with_capacity(48),
    };
    s.value(0)?;
    s.skip_ws();
    (s.at == text.len()).then_some(s.out)
}

/// Well below serde_json's recursion limit (128), so that a record it would refuse as
/// too deep is never read here.
const MAX_DEPTH: usize = 64;

struct Scan<'de> {
    text: &'de str,
    at: usize,
    path: Vec<Cow<'de, str>>,
    out: Leaves<'de>,
}

impl<'de> Scan<'de> {
    fn bytes(&self) -> &'de [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    /// JSON whitespace, as serde_json skips it.
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == b).then(|| self.at += 1)
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        let end = self.at + word.len();
        (self.text.get(self.at..end)? == word).then(|| self.at = end)
    }

    fn emit(&mut self, value: Cow<'de, str>) {
        if let Some((section, name)) = leaf_at(&self.path) {
            let leaf = (section.clone(), name.clone(), value);
            self.out.push(leaf);
        }
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        self.skip_ws();
        match self.peek()? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => {
                let v = self.string()?;
                self.emit(v);
                Some(())
            }
            b't' => {
                self.literal("true")?;
                self.emit(Cow::Borrowed("true"));
                Some(())
            }
            b'f' => {
                self.literal("false")?;
                self.emit(Cow::Borrowed("false"));
                Some(())
            }
            b'n' => self.literal("null"),
            b'-' | b'0'..=b'9' => {
                let v = self.number()?;
                self.emit(v);
                Some(())
            }
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.at += 1;
        self.skip_ws();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.skip_ws();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.eat(b':')?;
            self.path.push(key);
            let r = self.value(depth);
            self.path.pop();
            r?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.at += 1;
        self.skip_ws();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.value(depth)?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The string at `at` (its opening quote): borrowed when it has no escapes.
    fn string(&mut self) -> Option<Cow<'de, str>> {
        let start = self.at + 1;
        let rest = self.bytes().get(start..)?;
        let stop = crate::model::json_text::first_special(rest)?;
        match rest[stop] {
            b'"' => {
                self.at = start + stop + 1;
                // Both ends are ASCII quotes: char boundaries.
                self.text.get(start..start + stop).map(Cow::Borrowed)
            }
            b'\\' => {
                let (v, len) = unescape(self.text.get(start..)?)?;
                self.at = start + len + 1;
                Some(Cow::Owned(v))
            }
            // serde_json refuses raw control characters in strings.
            _ => None,
        }
    }

    /// A number as `Node` prints it back: the text itself for a canonical integer that
    /// serde_json reads as `u64`/`i64` (nearly all), else serde_json's reading of the
    /// token (floats, `-0`, integers beyond 64 bits).
    fn number(&mut self) -> Option<Cow<'de, str>> {
        let b = self.bytes();
        let start = self.at;
        let mut end = start;
        while b
            .get(end)
            .is_some_and(|c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            end += 1;
        }
        let token = self.text.get(start..end)?;
        self.at = end;
        let digits = token.strip_prefix('-').unwrap_or(token);
        let plain = !digits.is_empty()
            && digits.bytes().all(|c| c.is_ascii_digit())
            && !(digits.starts_with('0') && (digits.len() > 1 || digits.len() < token.len()))
            // u64 holds every 19-digit number, i64 every 18-digit one.
            && digits.len() <= if digits.len() < token.len() { 18 } else { 19 };
        if plain {
            return Some(Cow::Borrowed(token));
        }
        use serde::Deserializer as _;
        let mut de = serde_json::Deserializer::from_str(token);
        let v = (&mut de).deserialize_any(super::NumText).ok()?;
        de.end().ok()?;
        Some(Cow::Owned(v))
    }
}

/// The text of a string with escapes (`body` starts after its opening quote) and the
/// length of its body up to the closing quote. The escapes Windows paths are full of
/// (`\\`, `\"`, `\n`…) and `\uXXXX` outside the surrogates are decoded here; a
/// surrogate escape is read by serde_json itself.
fn unescape(body: &str) -> Option<(String, usize)> {
    use crate::model::json_text::first_special;
    let b = body.as_bytes();
    let mut out = String::with_capacity(64);
    let mut i = 0;
    loop {
        let stop = i + first_special(b.get(i..)?)?;
        out.push_str(body.get(i..stop)?);
        match b[stop] {
            b'"' => return Some((out, stop)),
            b'\\' => {}
            _ => return None,
        }
        let c = match *b.get(stop + 1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hex = body.get(stop + 2..stop + 6)?;
                if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                    return None;
                }
                let n = u32::from_str_radix(hex, 16).ok()?;
                // A surrogate: pairs and lone ones are serde_json's to judge.
                if (0xd800..0xe000).contains(&n) {
                    return serde_unescape(body);
                }
                out.push(char::from_u32(n)?);
                i = stop + 6;
                continue;
            }
            _ => return None,
        };
        out.push(c);
        i = stop + 2;
    }
}

/// [`unescape`] by serde_json.
fn serde_unescape(body: &str) -> Option<(String, usize)> {
    let b = body.as_bytes();
    let mut i = 0;
    loop {
        match *b.get(i)? {
            b'\\' => i += 2,
            b'"' => break,
            c if c < 0x20 => return None,
            _ => i += 1,
        }
    }
    // The literal with its opening quote: one byte before `body`.
    let quoted = format!("\"{}", body.get(..=i)?);
    let v: String = serde_json::from_str(&quoted).ok()?;
    Some((v, i))
}

#[cfg(test)]
mod tests {
    use super::super::serde_walk;
    use super::super::tests::Collect;
    use super::*;

    /// What the scanner reads, if anything, is what serde_json reads.
    fn agrees(json: &[u8]) -> bool {
        let Some(fast) = leaves(json) else {
            return false;
        };
        let mut slow = Collect::default();
        let fast: Vec<(String, String, String)> = fast
            .into_iter()
            .map(|(s, n, v)| (s.into_owned(), n.into_owned(), v.into_owned()))
            .collect();
        assert!(
            serde_walk(json, &mut slow).is_ok(),
            "read by the scanner, refused by serde_json: {}",
            String::from_utf8_lossy(json)
        );
        assert_eq!(fast, slow.0, "{}", String::from_utf8_lossy(json));
        true
    }

    fn doc(system: &str, data: &str) -> String {
        format!(
            r##"{{"Event":{{"#attributes":{{"xmlns":"x"}},"System":{system},"EventData":{data}}}}}"##
        )
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for (system, data) in [
            (
                r##"{"Provider":{"#attributes":{"Name":"P","Guid":"{g}"}},"EventID":{"#attributes":{"Qualifiers":16384},"#text":7036}}"##,
                r##"{"A":"x","Data":{"#text":["a","b",null,true,false,-12,0,9999999999999999999]}}"##,
            ),
            (
                r#"{"EventRecordID":5}"#,
                r#"{"Esc":"q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00 é"}"#,
            ),
            (
                r#" { "Computer" : "WS1" } "#,
                r##"[ {"N":{"#text":"v"}} , [] , {} ]"##,
            ),
            (r#"{"A\u0042":"k"}"#, r#"{"B":"-9223372036854775807"}"#),
            (
                r#"{"F":[1.5,-0.25,1e3,1E-7,2.5e+300,0.1,-0]}"#,
                r#"{"I":[99999999999999999999,-9999999999999999999,-9223372036854775808,-1234567890123456789,1234567890123456789,-0.0]}"#,
            ),
        ] {
            assert!(agrees(doc(system, data).as_bytes()), "{system} {data}");
        }
    }

    #[test]
    fn leaves_to_serde_json_what_it_does_not_read_exactly() {
        let ok = doc(r#"{"A":"1"}"#, "{}");
        for bad in [
            doc(r#"{"A":007}"#, "{}"),
            doc(r#"{"A":1.}"#, "{}"),
            doc(r#"{"A":1-2}"#, "{}"),
            doc(r#"{"A":-}"#, "{}"),
            doc("{\"A\":\"raw\u{1}control\"}", "{}"),
            doc(r#"{"A":"bad \x escape"}"#, "{}"),
            doc(r#"{"A":"\ud800 lone"}"#, "{}"),
            doc(r#"{"A":tru}"#, "{}"),
            doc(r#"{"A" "B"}"#, "{}"),
            doc(r#"{"A":"1",}"#, "{}"),
            format!("{ok} trailing"),
            ok[..ok.len() - 1].to_owned(),
            format!("{}{}", "[".repeat(200), "]".repeat(200)),
        ] {
            assert!(leaves(bad.as_bytes()).is_none(), "{bad}");
        }
        let mut invalid = ok.clone().into_bytes();
        invalid[12] = 0xff;
        assert!(leaves(&invalid).is_none());
        assert!(agrees(ok.as_bytes()));
    }

    /// Every record of the corpus and the samples, as the evtx crate renders it for
    /// ingest: the scanner reads nearly all of them, and each one as serde_json does.
    #[test]
    fn reads_the_corpus_as_serde_json_does() {
        let Some(corpus) = crate::testutil::corpus("evtx") else {
            return;
        };
        let files: Vec<_> = [corpus, crate::testutil::samples()]
            .iter()
            .flat_map(|d| crate::testutil::files_below(d))
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("evtx"))
            })
            .collect();
        assert!(files.len() > 100, "{}", files.len());
        let (mut fast, mut all) = (0usize, 0usize);
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            let Ok(parser) = evtx::EvtxParser::from_buffer(bytes) else {
                continue;
            };
            let settings = evtx::ParserSettings::new()
                .num_threads(1)
                .indent(false)
                .recover_records(true);
            for r in parser
                .with_configuration(settings)
                .records_json_bytes()
                .flatten()
            {
                all += 1;
                fast += usize::from(agrees(&r.data));
            }
        }
        assert!(all > 10_000, "{all}");
        // The rest are carved fragments with raw control characters or broken UTF-16.
        assert!(
            fast * 100 >= all * 98,
            "{fast} of {all} read by the scanner"
        );
    }
}
