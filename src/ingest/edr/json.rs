//! JSON shared by the EDR formats: cutting a file into records without building a tree
//! (NDJSON lines, elements of a top-level array, a single document, `{"records":[...]}`
//! batches) and flattening one record into `(dotted.name, value)` pairs that borrow from it.

use crate::ingest::{Reason, Records};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

pub type Pairs<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Offset of the first byte that is not a BOM or whitespace.
pub fn skip_ws(data: &[u8], mut p: usize) -> usize {
    if p == 0 && data.starts_with(BOM) {
        p = BOM.len();
    }
    while data.get(p).is_some_and(|b| b.is_ascii_whitespace()) {
        p += 1;
    }
    p
}

/// Whether `data` opens (after a BOM and blanks) a JSON array or object.
pub fn opens_json(data: &[u8]) -> bool {
    matches!(data.get(skip_ws(data, 0)), Some(b'[' | b'{'))
}

/// End (exclusive) of the JSON value starting at `p`, found by tracking strings, escapes
/// and nesting only. `None` when the data ends first (a truncated file).
pub fn value_end(data: &[u8], p: usize) -> Option<usize> {
    let first = *data.get(p)?;
    if first != b'{' && first != b'[' {
        // A scalar: up to the next delimiter (strings are handled by the loop below).
        if first == b'"' {
            return string_end(data, p);
        }
        let len = data
            .get(p..)?
            .iter()
            .position(|b| matches!(b, b',' | b']' | b'}') || b.is_ascii_whitespace())
            .unwrap_or(data.len() - p);
        return Some(p + len);
    }
    let mut depth = 0usize;
    let mut i = p;
    while let Some(&b) = data.get(i) {
        match b {
            b'"' => {
                i = string_end(data, i)?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// End (exclusive) of the string whose opening quote is at `p`.
fn string_end(data: &[u8], p: usize) -> Option<usize> {
    let mut i = p + 1;
    loop {
        let rel = memchr::memchr2(b'"', b'\\', data.get(i..)?)?;
        i += rel;
        if data.get(i) == Some(&b'\\') {
            i += 2;
        } else {
            return Some(i + 1);
        }
    }
}

/// Ranges of the elements of the array whose `[` is at `open`. A truncated array yields
/// its last partial element too (it becomes one reject, not a silent loss).
pub fn array_elements(data: &[u8], open: usize, out: &mut Vec<(u64, u32)>) {
    let mut p = skip_ws(data, open + 1);
    loop {
        match data.get(p) {
            None | Some(b']') => return,
            Some(b',') => p = skip_ws(data, p + 1),
            Some(_) => {
                let end = value_end(data, p).unwrap_or(data.len());
                push_range(out, p, end);
                if end <= p {
                    return;
                }
                p = skip_ws(data, end);
            }
        }
    }
}

fn push_range(out: &mut Vec<(u64, u32)>, start: usize, end: usize) {
    if end > start {
        let len = u32::try_from(end - start).unwrap_or(u32::MAX);
        out.push((start as u64, len));
    }
}

/// The key of a top-level object whose array value holds the real records
/// (Event Hub `records`, Carbon Black `events`...), found without parsing the values.
fn batch_array(data: &[u8], open: usize, keys: &[&str]) -> Option<usize> {
    let mut p = skip_ws(data, open + 1);
    loop {
        if data.get(p) != Some(&b'"') {
            return None;
        }
        let kend = string_end(data, p)?;
        let key = data.get(p + 1..kend - 1)?;
        p = skip_ws(data, kend);
        if data.get(p) != Some(&b':') {
            return None;
        }
        p = skip_ws(data, p + 1);
        if data.get(p) == Some(&b'[') && keys.iter().any(|k| k.as_bytes() == key) {
            return Some(p);
        }
        p = skip_ws(data, value_end(data, p)?);
        match data.get(p) {
            Some(b',') => p = skip_ws(data, p + 1),
            _ => return None,
        }
    }
}

/// Offset after an evtx_dump `Record 12` line (its `-o json` output puts one before each
/// record) and the whitespace after it; `p` itself when there is none.
pub fn skip_record_header(data: &[u8], p: usize) -> usize {
    let Some(rest) = data.get(p..).and_then(|r| r.strip_prefix(b"Record ")) else {
        return p;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    match rest.get(digits) {
        Some(b'\r' | b'\n') if digits > 0 => skip_ws(data, p + 7 + digits),
        _ => p,
    }
}

/// Ranges of JSON values written one after another (pretty-printed documents, evtx_dump
/// `Record N` + document pairs). Text that is not a value becomes a one-line range (a
/// reject), so the scan always moves on.
fn concatenated(data: &[u8], mut q: usize) -> Vec<(u64, u32)> {
    let mut v = Vec::new();
    loop {
        q = skip_record_header(data, skip_ws(data, q));
        if q >= data.len() {
            return v;
        }
        let end = match data.get(q) {
            Some(b'{' | b'[') => value_end(data, q).unwrap_or(data.len()),
            _ => memchr::memchr(b'\n', data.get(q..).unwrap_or_default())
                .map_or(data.len(), |n| q + n),
        };
        push_range(&mut v, q, end);
        if end <= q {
            return v;
        }
        q = end;
    }
}

/// How to cut a JSON source into records, and a short note on the shape found.
pub fn split(data: &[u8], batch_keys: &[&str]) -> (Records, &'static str) {
    let p = skip_ws(data, 0);
    if skip_record_header(data, p) != p {
        return (Records::Ranges(concatenated(data, p)), "evtx_dump JSON");
    }
    match data.get(p) {
        Some(b'[') => {
            let mut v = Vec::new();
            array_elements(data, p, &mut v);
            (Records::Ranges(v), "JSON array")
        }
        Some(b'{') => {
            let first_end = value_end(data, p);
            let batched = batch_array(data, p, batch_keys).is_some();
            let rest = first_end.map(|e| skip_ws(data, e));
            if !batched {
                // A first document spread over lines: pretty-printed documents one after
                // another, not JSON lines.
                let multiline = first_end
                    .and_then(|e| data.get(p..e))
                    .is_some_and(|d| d.contains(&b'\n'));
                match rest {
                    Some(r) if r < data.len() && multiline => {
                        return (
                            Records::Ranges(concatenated(data, p)),
                            "concatenated JSON documents",
                        );
                    }
                    Some(r) if r < data.len() => {
                        return (
                            Records::Lines {
                                start: 0,
                                comment: &[],
                            },
                            "JSON lines",
                        );
                    }
                    _ => {
                        let mut v = Vec::new();
                        push_range(&mut v, p, first_end.unwrap_or(data.len()));
                        return (Records::Ranges(v), "single JSON document");
                    }
                }
            }
            // One or more batch objects (one per line in Event Hub captures).
            let mut v = Vec::new();
            let mut q = p;
            while q < data.len() {
                let end = value_end(data, q).unwrap_or(data.len());
                match (data.get(q), batch_array(data, q, batch_keys)) {
                    (Some(b'{'), Some(open)) => array_elements(data, open, &mut v),
                    _ => push_range(&mut v, q, end),
                }
                if end <= q {
                    break;
                }
                q = skip_ws(data, end);
            }
            (Records::Ranges(v), "batched JSON records")
        }
        _ => (
            Records::Lines {
                start: 0,
                comment: &[],
            },
            "JSON lines",
        ),
    }
}

/// Flattens one JSON object into `out`: nested objects become dotted names
/// (`process.parent.name`), arrays of scalars are joined with `, `, arrays of objects are
/// indexed (`a.0.b`), `null` is left out. Strings without escapes and top-level keys borrow
/// from `rec`; records that are not valid UTF-8 are read lossily instead of rejected.
pub fn flatten<'a>(rec: &'a [u8], out: &mut Pairs<'a>) -> Result<(), Reason> {
    let start = skip_ws(rec, 0);
    let body = rec.get(start..).unwrap_or_default();
    if body.first() != Some(&b'{') {
        return Err("record is not a JSON object".into());
    }
    match std::str::from_utf8(body) {
        Ok(s) => flatten_str(s, out),
        Err(_) => {
            let lossy = String::from_utf8_lossy(body).into_owned();
            let mut tmp = Vec::new();
            flatten_str(&lossy, &mut tmp)?;
            out.extend(tmp.into_iter().map(|(k, v)| (owned(k), owned(v))));
            Ok(())
        }
    }
}

fn owned<'a>(c: Cow<'_, str>) -> Cow<'a, str> {
    Cow::Owned(c.into_owned())
}

/// Flattens a JSON object given as text (also used for JSON nested in a string field).
pub fn flatten_str<'a>(s: &'a str, out: &mut Pairs<'a>) -> Result<(), Reason> {
    let mut de = serde_json::Deserializer::from_str(s);
    Node {
        prefix: "",
        name: None,
        out,
    }
    .deserialize(&mut de)
    .map(|_| ())
    .map_err(|e| Reason::Owned(format!("bad JSON: {e}")))?;
    // Trailing garbage after the object is a damaged record.
    de.end()
        .map_err(|e| Reason::Owned(format!("bad JSON: {e}")))
}

/// Flattens JSON nested in a string into owned pairs named `prefix.key` (or `key`).
pub fn flatten_owned<'a>(s: &str, prefix: &str, out: &mut Pairs<'a>) -> Result<(), Reason> {
    let mut tmp = Vec::new();
    let mut de = serde_json::Deserializer::from_str(s);
    Node {
        prefix,
        name: None,
        out: &mut tmp,
    }
    .deserialize(&mut de)
    .map(|_| ())
    .map_err(|e| Reason::Owned(format!("bad JSON: {e}")))?;
    out.extend(tmp.into_iter().map(|(k, v)| (owned(k), owned(v))));
    Ok(())
}

/// A value at `prefix`; pushes its leaves.
struct Node<'r, 'a> {
    prefix: &'r str,
    /// The leaf's name when it can borrow from the record (top-level keys).
    name: Option<Cow<'a, str>>,
    out: &'r mut Pairs<'a>,
}

fn join(prefix: &str, key: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + 1 + key.len());
    s.push_str(prefix);
    s.push('.');
    s.push_str(key);
    s
}

impl<'de, 'r> DeserializeSeed<'de> for Node<'r, 'de> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, 'r> Node<'r, 'de> {
    fn leaf(self, v: Cow<'de, str>) {
        let k = self
            .name
            .unwrap_or_else(|| Cow::Owned(self.prefix.to_owned()));
        self.out.push((k, v));
    }
}

impl<'de, 'r> Visitor<'de> for Node<'r, 'de> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<bool, E> {
        self.leaf(Cow::Borrowed(v));
        Ok(true)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        self.leaf(Cow::Owned(v.to_owned()));
        Ok(true)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<bool, E> {
        self.leaf(Cow::Owned(v));
        Ok(true)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        self.leaf(Cow::Borrowed(if v { "true" } else { "false" }));
        Ok(true)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        self.leaf(Cow::Owned(v.to_string()));
        Ok(true)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        self.leaf(Cow::Owned(v.to_string()));
        Ok(true)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        self.leaf(Cow::Owned(v.to_string()));
        Ok(true)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while let Some(key) = map.next_key_seed(CowStr)? {
            if self.prefix.is_empty() {
                // Top-level names are pushed as-is (borrowed when unescaped).
                let name = Some(key.clone());
                map.next_value_seed(Node {
                    prefix: &key,
                    name,
                    out: self.out,
                })?;
            } else {
                let p = join(self.prefix, &key);
                map.next_value_seed(Node {
                    prefix: &p,
                    name: None,
                    out: self.out,
                })?;
            }
        }
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut joined: Option<String> = None;
        let mut i = 0usize;
        loop {
            let p = join(self.prefix, &i.to_string());
            let Some(scalar) = seq.next_element_seed(Node {
                prefix: &p,
                name: None,
                out: self.out,
            })?
            else {
                break;
            };
            // A scalar element was pushed as `prefix.i`: take it back and join it.
            if scalar && let Some((_, v)) = self.out.pop() {
                let j = joined.get_or_insert_with(String::new);
                if !j.is_empty() {
                    j.push_str(", ");
                }
                j.push_str(&v);
            }
            i += 1;
        }
        if let Some(j) = joined {
            let k = self
                .name
                .unwrap_or_else(|| Cow::Owned(self.prefix.to_owned()));
            self.out.push((k, Cow::Owned(j)));
        }
        Ok(false)
    }
}

/// A map key, borrowed when it has no escapes.
struct CowStr;

impl<'de> DeserializeSeed<'de> for CowStr {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for CowStr {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(s: &str) -> Vec<(String, String)> {
        let mut v = Vec::new();
        flatten(s.as_bytes(), &mut v).unwrap();
        v.into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    fn ranges(r: Records) -> Vec<(u64, u32)> {
        match r {
            Records::Ranges(v) => v,
            Records::Lines { .. } => panic!("expected ranges"),
        }
    }

    #[test]
    fn flattens_nested_arrays_and_escapes() {
        let v = flat(
            r#"{"a":{"b":{"c":"x\"y"}},"n":1.5,"i":-3,"t":true,"z":null,"l":["p","q"],"o":[{"k":1},{"k":2}],"m":[[1,2],[3]],"e":[]}"#,
        );
        let get = |k: &str| v.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("a.b.c"), Some("x\"y"));
        assert_eq!(get("n"), Some("1.5"));
        assert_eq!(get("i"), Some("-3"));
        assert_eq!(get("t"), Some("true"));
        assert_eq!(get("z"), None);
        assert_eq!(get("l"), Some("p, q"));
        assert_eq!(get("o.0.k"), Some("1"));
        assert_eq!(get("o.1.k"), Some("2"));
        assert_eq!(get("m.0"), Some("1, 2"));
        assert_eq!(get("m.1"), Some("3"));
        assert_eq!(get("e"), None);
    }

    #[test]
    fn borrows_plain_strings() {
        let rec = br#"{"Image":"C:\\x.exe","Name":"cmd.exe"}"#;
        let mut v = Vec::new();
        flatten(rec, &mut v).unwrap();
        assert!(matches!(v[1].1, Cow::Borrowed("cmd.exe")));
        assert!(matches!(v[1].0, Cow::Borrowed("Name")));
        assert_eq!(v[0].1, "C:\\x.exe");
    }

    #[test]
    fn damaged_records() {
        let mut v = Vec::new();
        assert!(flatten(b"{\"a\":", &mut v).is_err());
        assert!(flatten(b"[1,2]", &mut v).is_err());
        assert!(flatten(b"{\"a\":1} x", &mut v).is_err());
        assert!(flatten(b"", &mut v).is_err());
        // Invalid UTF-8 inside a string is read lossily, not rejected.
        v.clear();
        flatten(b"\xEF\xBB\xBF {\"a\":\"x\xFFy\"}", &mut v).unwrap();
        assert_eq!(v[0].1, "x\u{FFFD}y");
    }

    #[test]
    fn splits_arrays_and_documents() {
        let data = br#" [ {"a":"]"} , {"b":[1,{"c":"\"}"}]} ]"#;
        let r = ranges(split(data, &[]).0);
        assert_eq!(r.len(), 2);
        let s = |(o, l): (u64, u32)| &data[o as usize..o as usize + l as usize];
        assert_eq!(s(r[0]), br#"{"a":"]"}"#);
        assert_eq!(s(r[1]), br#"{"b":[1,{"c":"\"}"}]}"#);

        let trunc = br#"[{"a":1},{"b":"#;
        let r = ranges(split(trunc, &[]).0);
        assert_eq!(r.len(), 2, "partial last element kept as a range");

        let doc = b"{\n  \"a\": 1\n}\n";
        assert_eq!(ranges(split(doc, &[]).0), vec![(0, 12)]);
        assert!(matches!(
            split(b"{\"a\":1}\n{\"a\":2}\n", &[]).0,
            Records::Lines { .. }
        ));

        let hub = b"{\"records\":[{\"x\":1},{\"x\":2}]}\n{\"records\":[{\"x\":3}]}\n";
        let r = ranges(split(hub, &["records"]).0);
        assert_eq!(r.len(), 3);
        assert_eq!(s2(hub, r[2]), b"{\"x\":3}");
    }

    #[test]
    fn splits_concatenated_documents() {
        // `jq .` / evtx_dump style: documents spread over lines, one after another.
        let data = b"{\n  \"a\": \"}\"\n}\n{\n  \"b\": [1,\n 2]\n}\n";
        let (r, note) = split(data, &[]);
        let r = ranges(r);
        assert_eq!(note, "concatenated JSON documents");
        assert_eq!(r.len(), 2);
        assert_eq!(s2(data, r[1]), b"{\n  \"b\": [1,\n 2]\n}");
        // evtx_dump -o json: a `Record N` line before each; stray text is its own range.
        let dump =
            b"Record 1\r\n{\"x\":1}\r\nRecord 22\n{\n \"x\": 2\n}\ngarbage\nRecord 3\n{\"x\":3}";
        let (r, note) = split(dump, &[]);
        let r = ranges(r);
        assert_eq!(note, "evtx_dump JSON");
        let got: Vec<&[u8]> = r.iter().map(|&x| s2(dump, x)).collect();
        assert_eq!(
            got,
            vec![
                &b"{\"x\":1}"[..],
                b"{\n \"x\": 2\n}",
                b"garbage",
                b"{\"x\":3}"
            ]
        );
        // `Record` without a number is not a header.
        assert_eq!(skip_record_header(b"Record x\n{}", 0), 0);
        assert_eq!(skip_record_header(b"Record 7", 0), 0);
    }

    fn s2(d: &[u8], (o, l): (u64, u32)) -> &[u8] {
        &d[o as usize..o as usize + l as usize]
    }
}
