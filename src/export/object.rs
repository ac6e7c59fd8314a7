//! JSON lines written straight from borrowed fields, without a `serde_json::Map` per event.
//!
//! [`Obj`] is an ordered list of entries with the semantics `serde_json::Map` has in this
//! build (evtx turns on `preserve_order` for the whole build, CRATES §4): inserting a
//! present key replaces its value in place, removing one moves the last entry into its
//! place (`Map::remove` is `swap_remove`). So an object built here is written byte for byte
//! as serializing the `Map` the same calls built wrote it. Strings are escaped by
//! serde_json's own `format_escaped_str`, numbers by `itoa` (what serde_json uses).

use serde_json::Value;
use std::hash::Hasher;

/// A value of an entry.
pub(crate) enum Val<'a> {
    Str(&'a str),
    Own(String),
    /// A JSON number as serde_json keeps an integer: non-negative ones as u64.
    Pos(u64),
    Neg(i64),
    Bool(bool),
    /// Rare values (annotations, rules, tag lists): kept as serde_json builds them (boxed:
    /// a `Value` is several times the size of the other variants).
    Json(Box<Value>),
    /// Text in the object's own buffer (see [`Obj::make`]).
    Made(MadeKey),
}

impl Val<'_> {
    pub fn json(v: Value) -> Val<'static> {
        Val::Json(Box::new(v))
    }

    pub fn int(n: i64) -> Val<'static> {
        u64::try_from(n).map_or(Val::Neg(n), Val::Pos)
    }

    /// Whether this equals `Value::String(s)` (what `Value`'s `==` says); `made` is the
    /// text buffer of the object it is in.
    fn eq_str(&self, s: &str, made: &str) -> bool {
        match self {
            Val::Str(v) => *v == s,
            Val::Own(v) => v == s,
            Val::Json(v) => v.as_str() == Some(s),
            Val::Made(k) => k.text(made) == s,
            _ => false,
        }
    }

    /// Writes a value that is not `Made` (those need their object: see `Obj::write`).
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Val::Made(_) => str(out, ""),
            Val::Str(s) => str(out, s),
            Val::Own(s) => str(out, s),
            Val::Pos(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
            Val::Neg(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
            Val::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            // Writing into a Vec cannot fail; a Value always serializes.
            Val::Json(v) => {
                let _ = serde_json::to_writer(&mut *out, v);
            }
        }
    }
}

/// `s` as a JSON string (quotes and escapes exactly as serde_json writes them).
pub(crate) fn str(out: &mut Vec<u8>, s: &str) {
    use serde::Serializer;
    let b = s.as_bytes();
    // Most values need no escape (serde_json escapes only controls, quotes, backslashes):
    // checked eight bytes at a time, then one copy. Export spent more time in serde_json's
    // byte-at-a-time escaper than in anything else.
    if crate::model::json_text::first_special(b).is_none() {
        out.reserve(b.len() + 2);
        out.push(b'"');
        out.extend_from_slice(b);
        out.push(b'"');
        return;
    }
    // serde_json's own escaping (its `format_escaped_str` is private); a Vec cannot fail.
    let _ = serde_json::Serializer::new(out).serialize_str(s);
}

/// `,"key":` (without the comma for the first key of an object).
pub(crate) fn key(out: &mut Vec<u8>, first: bool, k: &str) {
    if !first {
        out.push(b',');
    }
    str(out, k);
    out.push(b':');
}

/// Where a key's text is: borrowed, or in the object's own text buffer (keys made per
/// line, such as snake_case names, cost no allocation of their own).
#[derive(Clone, Copy)]
enum K<'a> {
    S(&'a str),
    At(u32, u32),
}

/// An ordered JSON object with `serde_json::Map`'s insert and remove semantics. A small
/// bitset of key hashes keeps most lookups from scanning the keys, and a scan compares
/// 16 bits of each key's hash before its text.
#[derive(Default)]
pub(crate) struct Obj<'a> {
    keys: Vec<K<'a>>,
    /// 16 bits of each key's hash, beside `keys`.
    tags: Vec<u16>,
    vals: Vec<Val<'a>>,
    text: String,
    seen: [u64; 16],
}

/// Where a key is in the bitset, and its tag.
#[derive(Clone, Copy)]
struct Bit(usize, u64, u16);

fn bit(k: &str) -> Bit {
    let mut h = rustc_hash::FxHasher::default();
    h.write(k.as_bytes());
    let h = h.finish();
    // 1024 bits: an event's 40-odd keys leave most lookups of a new key at the bitset.
    let b = (h >> 54) as usize;
    Bit(b >> 6, 1u64 << (b & 63), (h >> 32) as u16)
}

/// The buffers of an [`Obj`] between lines: a writer that builds one object per line
/// keeps them instead of allocating four per line.
#[derive(Default)]
pub(crate) struct Spare {
    keys: Vec<K<'static>>,
    tags: Vec<u16>,
    vals: Vec<Val<'static>>,
    text: String,
}

/// `v` emptied, its allocation kept for another element lifetime (std collects an
/// `into_iter` chain of a same-layout type in place).
fn recycle<T, U>(v: Vec<T>) -> Vec<U> {
    v.into_iter().filter_map(|_| None).collect()
}

impl<'a> Obj<'a> {
    /// An empty object in the buffers of an earlier one.
    pub fn from_spare(s: Spare) -> Self {
        let Spare {
            keys,
            mut tags,
            vals,
            mut text,
        } = s;
        tags.clear();
        text.clear();
        Obj {
            keys: recycle(keys),
            tags,
            vals: recycle(vals),
            text,
            seen: [0; 16],
        }
    }

    /// This object's buffers, emptied, for the next one.
    pub fn into_spare(self) -> Spare {
        let Obj {
            keys,
            mut tags,
            vals,
            mut text,
            ..
        } = self;
        tags.clear();
        text.clear();
        Spare {
            keys: recycle(keys),
            tags,
            vals: recycle(vals),
            text,
        }
    }

    pub fn new() -> Self {
        Obj {
            keys: Vec::with_capacity(48),
            tags: Vec::with_capacity(48),
            vals: Vec::with_capacity(48),
            // Room for the snake_case names of a typical event's fields.
            text: String::with_capacity(1024),
            seen: [0; 16],
        }
    }

    fn key_text(&self, k: K<'a>) -> &str {
        match k {
            K::S(s) => s,
            K::At(a, b) => MadeKey(a, b).text(&self.text),
        }
    }

    fn find(&self, k: &str) -> Option<usize> {
        self.find_at(k, bit(k))
    }

    fn find_at(&self, k: &str, Bit(w, m, tag): Bit) -> Option<usize> {
        if self.seen[w] & m == 0 {
            return None;
        }
        (0..self.keys.len()).find(|&i| self.tags[i] == tag && self.key_text(self.keys[i]) == k)
    }

    pub fn contains(&self, k: &str) -> bool {
        self.find(k).is_some()
    }

    fn put_at(&mut self, found: Option<usize>, b: Bit, k: K<'a>, v: Val<'a>) {
        match found {
            Some(i) => self.vals[i] = v,
            None => {
                self.seen[b.0] |= b.1;
                self.keys.push(k);
                self.tags.push(b.2);
                self.vals.push(v);
            }
        }
    }

    /// `Map::insert`: a present key keeps its place and takes the new value.
    pub fn insert(&mut self, k: &'a str, v: Val<'a>) {
        let b = bit(k);
        self.put_at(self.find_at(k, b), b, K::S(k), v);
    }

    /// Appends `f`'s text to the object's text buffer, for a key (`insert_made`) or a
    /// value (`Val::Made`).
    pub fn make(&mut self, f: impl FnOnce(&mut String)) -> MadeKey {
        let a = self.text.len();
        f(&mut self.text);
        MadeKey(a as u32, self.text.len() as u32)
    }

    pub fn made(&self, k: MadeKey) -> &str {
        k.text(&self.text)
    }

    /// `insert` of a key made with `make`.
    pub fn insert_made(&mut self, k: MadeKey, v: Val<'a>) {
        let text = self.made(k);
        let b = bit(text);
        let found = self.find_at(text, b);
        self.put_at(found, b, K::At(k.0, k.1), v);
    }

    /// Inserts the string `s` under `k` if `k` is absent (`None`); else leaves the object
    /// as it is and says whether the present value equals `s` (one lookup for both).
    fn insert_absent(&mut self, k: K<'a>, s: &'a str) -> Option<bool> {
        let text = self.key_text(k);
        let b = bit(text);
        match self.find_at(text, b) {
            Some(i) => Some(self.vals[i].eq_str(s, &self.text)),
            None => {
                self.put_at(None, b, k, Val::Str(s));
                None
            }
        }
    }

    /// [`Obj::insert_absent`] of a fixed key.
    pub fn put_str(&mut self, k: &'a str, s: &'a str) -> Option<bool> {
        self.insert_absent(K::S(k), s)
    }

    /// [`Obj::insert_absent`] of a key made with `make`.
    pub fn put_made(&mut self, k: MadeKey, s: &'a str) -> Option<bool> {
        self.insert_absent(K::At(k.0, k.1), s)
    }

    /// `Map::remove` under `preserve_order`: the last entry moves into the gap.
    pub fn swap_remove(&mut self, k: &str) -> Option<Val<'a>> {
        let i = self.find(k)?;
        self.keys.swap_remove(i);
        self.tags.swap_remove(i);
        Some(self.vals.swap_remove(i))
    }

    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        for (n, (k, v)) in self.keys.iter().zip(&self.vals).enumerate() {
            key(out, n == 0, self.key_text(*k));
            match v {
                Val::Made(m) => str(out, m.text(&self.text)),
                v => v.write(out),
            }
        }
        out.push(b'}');
    }
}

/// Text held in an [`Obj`]'s own buffer.
#[derive(Clone, Copy)]
pub(crate) struct MadeKey(u32, u32);

impl MadeKey {
    fn text(self, buf: &str) -> &str {
        buf.get(self.0 as usize..self.1 as usize).unwrap_or("")
    }
}

/// The `raw` object of an event (source field names and values), as collecting the pairs
/// into a `Map` wrote it: a name given twice keeps its first place and its last value.
pub(crate) fn raw_object<'a>(
    raw: &'a [(std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)],
    out: &mut Vec<u8>,
) {
    if has_repeats(raw.iter().map(|(k, _)| &**k)) {
        let mut o = Obj::new();
        for (k, v) in raw {
            o.insert(k, Val::Str(v));
        }
        o.write(out);
        return;
    }
    out.push(b'{');
    for (n, (k, v)) in raw.iter().enumerate() {
        key(out, n == 0, k);
        str(out, v);
    }
    out.push(b'}');
}

/// Whether a name comes twice (a hash bitset first, names compared only on a hit).
pub(crate) fn has_repeats<'k>(keys: impl Iterator<Item = &'k str> + Clone) -> bool {
    let mut seen = [0u64; 16];
    let all = keys.clone();
    for (n, k) in keys.enumerate() {
        let Bit(w, m, _) = bit(k);
        if seen[w] & m != 0 && all.clone().take(n).any(|x| x == k) {
            return true;
        }
        seen[w] |= m;
    }
    false
}

/// RFC 3339 with the fraction chrono's `SecondsFormat::AutoSi` gives (none, 3, 6 or 9
/// digits) and `Z`: `model::format_rfc3339` without the allocation.
pub(crate) fn rfc3339(out: &mut Vec<u8>, ns: i64) {
    let d = chrono::DateTime::<chrono::Utc>::from_timestamp_nanos(ns);
    date_time(out, &d);
    let frac = ns.rem_euclid(1_000_000_000) as u32;
    match frac {
        0 => {}
        f if f % 1_000_000 == 0 => digits(out, f / 1_000_000, 3, true),
        f if f % 1000 == 0 => digits(out, f / 1000, 6, true),
        f => digits(out, f, 9, true),
    }
    out.push(b'Z');
}

/// Where export writes ASCII: a line's bytes, or an object's own text.
pub(crate) trait PushAscii {
    fn push_ascii(&mut self, b: u8);
}

impl PushAscii for Vec<u8> {
    fn push_ascii(&mut self, b: u8) {
        self.push(b);
    }
}

impl PushAscii for String {
    fn push_ascii(&mut self, b: u8) {
        self.push(char::from(b));
    }
}

/// `YYYY-MM-DDTHH:MM:SS` (i64 nanoseconds span the years 1677–2262: always four digits).
pub(crate) fn date_time(out: &mut impl PushAscii, d: &chrono::DateTime<chrono::Utc>) {
    use chrono::{Datelike, Timelike};
    digits(out, d.year().clamp(0, 9999) as u32, 4, false);
    out.push_ascii(b'-');
    digits(out, d.month(), 2, false);
    out.push_ascii(b'-');
    digits(out, d.day(), 2, false);
    out.push_ascii(b'T');
    digits(out, d.hour(), 2, false);
    out.push_ascii(b':');
    digits(out, d.minute(), 2, false);
    out.push_ascii(b':');
    digits(out, d.second(), 2, false);
}

/// `v` in `width` digits, zero-padded, after a `.` when `dot`.
pub(crate) fn digits(out: &mut impl PushAscii, mut v: u32, width: usize, dot: bool) {
    if dot {
        out.push_ascii(b'.');
    }
    // A u32 has at most ten digits.
    let mut buf = [b'0'; 10];
    for b in buf.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
    for &b in buf.iter().skip(10 - width.min(10)) {
        out.push_ascii(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    #[test]
    fn strings_escape_as_serde_json_does() {
        let mut cases: Vec<String> = [
            "",
            "plain",
            "q\"",
            "b\\s",
            "\u{0}\u{1f} \u{7f}",
            "é€😀\n\t\r",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every byte below 0x80 alone and inside text.
        cases.extend((0u8..0x80).map(|b| format!("ab{}cd", b as char)));
        for s in cases {
            let mut b = Vec::new();
            str(&mut b, &s);
            assert_eq!(b, serde_json::to_vec(&s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn times_match_format_rfc3339() {
        let mut cases = vec![
            0,
            1,
            999,
            1000,
            1_000_000,
            1_500_000_000,
            -1,
            -1_000_000,
            i64::MIN,
            i64::MAX,
            1_773_378_445_633_439_577,
            1_773_378_445_633_439_000,
            1_773_378_445_633_000_000,
            1_773_378_445_000_000_000,
        ];
        let mut x: i64 = 0x1234_5678_9abc_def1;
        for _ in 0..2000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            cases.push(x);
            cases.push(x / 1000 * 1000);
            cases.push(x / 1_000_000 * 1_000_000);
        }
        for ns in cases {
            let mut b = Vec::new();
            rfc3339(&mut b, ns);
            assert_eq!(
                String::from_utf8(b).unwrap(),
                crate::model::format_rfc3339(ns),
                "{ns}"
            );
        }
    }

    #[test]
    fn objects_write_as_a_map_does() {
        let mut m = Map::new();
        let mut o = Obj::new();
        for (k, v) in [
            ("a", "1"),
            ("b\"\n", "x\u{1}\u{7f}é"),
            ("a", "3"),
            ("c", ""),
        ] {
            m.insert(k.into(), v.into());
            o.insert(k, Val::Str(v));
        }
        m.insert("n".into(), (-5i64).into());
        o.insert("n", Val::int(-5));
        m.insert("p".into(), 7u64.into());
        o.insert("p", Val::Pos(7));
        m.remove("b\"\n");
        o.swap_remove("b\"\n");
        m.insert("t".into(), true.into());
        o.insert("t", Val::Bool(true));
        let k = o.make(|s| s.push_str("made"));
        o.insert_made(k, Val::Own("v".into()));
        m.insert("made".into(), "v".into());
        let mut b = Vec::new();
        o.write(&mut b);
        assert_eq!(String::from_utf8(b).unwrap(), Value::Object(m).to_string());
    }

    #[test]
    fn an_object_in_spare_buffers_writes_as_a_new_one() {
        let fill = |o: &mut Obj<'_>, n: usize| {
            for k in ["a", "b", "c", "d"].iter().take(n) {
                o.insert(k, Val::Str("v"));
                let m = o.make(|s| s.push_str("mk"));
                o.insert_made(m, Val::json(Value::Bool(true)));
            }
        };
        let mut spare = Spare::default();
        for n in [4, 1, 3] {
            let (mut fresh, mut reused) = (Obj::new(), Obj::from_spare(spare));
            fill(&mut fresh, n);
            fill(&mut reused, n);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            fresh.write(&mut a);
            reused.write(&mut b);
            assert_eq!(a, b, "{n}");
            spare = reused.into_spare();
        }
    }

    #[test]
    fn raw_objects_keep_the_first_place_and_the_last_value() {
        use std::borrow::Cow;
        let pairs =
            |v: &[(&'static str, &'static str)]| -> Vec<(Cow<'static, str>, Cow<'static, str>)> {
                v.iter()
                    .map(|(k, v)| (Cow::Borrowed(*k), Cow::Borrowed(*v)))
                    .collect()
            };
        for raw in [
            pairs(&[]),
            pairs(&[("a", "1")]),
            pairs(&[("a", "1"), ("b", "2"), ("a", "3")]),
            pairs(&[("x", "\"q\"\\"), ("y", "\t"), ("x", "")]),
        ] {
            let m: Map<String, Value> = raw
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                .collect();
            let mut b = Vec::new();
            raw_object(&raw, &mut b);
            assert_eq!(String::from_utf8(b).unwrap(), Value::Object(m).to_string());
        }
        let many: Vec<String> = (0..300).map(|i| format!("k{i}")).collect();
        assert!(!has_repeats(many.iter().map(String::as_str)));
        assert!(has_repeats(many.iter().map(String::as_str).chain(["k7"])));
    }
}
