use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::BuildHasher;

/// An interned string, or a small non-negative integer stored inline (high bit set),
/// so that pids, ports and ids cost no interner entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Sym(pub u32);

const INLINE: u32 = 1 << 31;

impl Sym {
    pub const EMPTY: Sym = Sym(0);

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    fn inline_num(self) -> Option<u32> {
        (self.0 & INLINE != 0).then_some(self.0 & !INLINE)
    }

    /// The inline number this symbol holds, if it is one.
    pub fn as_num(self) -> Option<u32> {
        self.inline_num()
    }

    /// A symbol holding `n` inline (needs no interner).
    pub fn from_num(n: u32) -> Sym {
        Sym((n & !INLINE) | INLINE)
    }
}

/// Deduplicating string store: symbol 0 is the empty string. Strings live in one buffer,
/// each followed by `\n` (no allocation per string, 16 bytes of index each), found again
/// through a hash table of ids. The separator lets a search scan the whole buffer at once
/// (`scan`) and see each string's end as a line end. Built per worker and merged with a remap table so symbol ids are
/// deterministic whatever the thread count.
#[derive(Default, Clone)]
pub struct Interner {
    buf: String,
    /// `offset << 24 | len` per string.
    spans: Vec<u64>,
    // Fx: interning is on the ingest hot path; a crafted collision could only slow
    // ingest, never change its result.
    table: HashTable<u32>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Interner({} strings, {} bytes)",
            self.spans.len(),
            self.buf.len()
        )
    }
}

/// Canonical decimal without sign or leading zeros, short enough to fit inline.
fn as_inline(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 9 || (b.len() > 1 && b[0] == b'0') {
        return None;
    }
    if !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.parse::<u32>().ok()
}

/// Decimal text of 0..100 000, built once: pids, ports, ids and levels are shown and
/// filtered all the time, and formatting each one allocated.
fn small_number(n: u32) -> Option<&'static str> {
    use std::sync::LazyLock;
    const N: u32 = 100_000;
    static TABLE: LazyLock<(String, Vec<u32>)> = LazyLock::new(|| {
        let mut text = String::with_capacity(500_000);
        let mut ends = Vec::with_capacity(N as usize);
        for i in 0..N {
            use std::fmt::Write;
            let _ = write!(text, "{i}");
            ends.push(text.len() as u32);
        }
        (text, ends)
    });
    if n >= N {
        return None;
    }
    let (text, ends) = &*TABLE;
    let end = *ends.get(n as usize)? as usize;
    let start = match n {
        0 => 0,
        _ => *ends.get(n as usize - 1)? as usize,
    };
    text.get(start..end)
}

/// Written after every string.
pub const SEP: char = '\n';

fn unpack(sp: u64) -> (usize, usize) {
    ((sp >> 24) as usize, (sp & 0xff_ffff) as usize)
}

fn hash(s: &str) -> u64 {
    FxBuildHasher.hash_one(s)
}

impl Interner {
    pub fn new() -> Self {
        let mut i = Interner::default();
        i.spans.push(0);
        i.buf.push(SEP);
        i.table.insert_unique(hash(""), 0, |_| hash(""));
        i
    }

    fn at(&self, id: u32) -> &str {
        match self.spans.get(id as usize) {
            Some(&sp) => {
                let (a, n) = unpack(sp);
                self.buf.get(a..a + n).unwrap_or("")
            }
            None => "",
        }
    }

    /// Room for `strings` more strings of `bytes` bytes in all. Merging many interners
    /// into one spent nearly half its time re-hashing the table as it grew (each string
    /// read again, in random order); sized once, it never grows.
    pub fn reserve(&mut self, strings: usize, bytes: usize) {
        if self.spans.is_empty() {
            *self = Interner::new();
        }
        if self.table.is_empty() {
            self.rebuild_table(strings);
        }
        self.buf.reserve(bytes + strings);
        self.spans.reserve(strings);
        let (buf, spans) = (&self.buf, &self.spans);
        self.table.reserve(strings, |&i| {
            let (a, n) = unpack(spans[i as usize]);
            hash(&buf[a..a + n])
        });
    }

    /// `reserve` for every string of `others`, before absorbing them one by one.
    pub fn reserve_for<'a>(&mut self, others: impl Iterator<Item = &'a Interner>) {
        let (n, bytes) = others.fold((0, 0), |(n, bytes), o| {
            (
                n + o.len(),
                bytes + o.buf.len().saturating_sub(o.spans.len()),
            )
        });
        self.reserve(n, bytes);
    }

    fn find(&self, h: u64, s: &str) -> Option<u32> {
        self.table.find(h, |&id| self.at(id) == s).copied()
    }

    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(n) = as_inline(s) {
            return Sym(n | INLINE);
        }
        if self.spans.is_empty() {
            *self = Interner::new();
        }
        if self.table.is_empty() {
            self.rebuild_table(0);
        }
        let h = hash(s);
        if let Some(id) = self.find(h, s) {
            return Sym(id);
        }
        // A string over 16 MiB (never seen in logs: records are capped below that) is
        // kept whole by splitting nothing: it is stored truncated to fit the span.
        let s = if s.len() >= 1 << 24 {
            let mut end = (1 << 24) - 1;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            &s[..end]
        } else {
            s
        };
        let id = self.spans.len() as u32;
        self.spans
            .push(((self.buf.len() as u64) << 24) | s.len() as u64);
        self.buf.push_str(s);
        self.buf.push(SEP);
        let (buf, spans) = (&self.buf, &self.spans);
        self.table.insert_unique(h, id, |&i| {
            let (a, n) = unpack(spans[i as usize]);
            hash(&buf[a..a + n])
        });
        Sym(id)
    }

    /// Looks up without inserting.
    pub fn get(&self, s: &str) -> Option<Sym> {
        if let Some(n) = as_inline(s) {
            return Some(Sym(n | INLINE));
        }
        if self.table.is_empty() {
            // Sealed: nothing looks strings up then, so a walk is enough to stay correct.
            return (0..self.spans.len() as u32)
                .find(|&id| self.at(id) == s)
                .map(Sym);
        }
        self.find(hash(s), s).map(Sym)
    }

    /// The lookup table again, after `seal` dropped it, with room for `extra` more.
    fn rebuild_table(&mut self, extra: usize) {
        let (buf, spans) = (&self.buf, &self.spans);
        let at = |i: u32| {
            let (a, n) = unpack(spans[i as usize]);
            hash(&buf[a..a + n])
        };
        self.table = HashTable::with_capacity(spans.len() + extra);
        for id in 0..spans.len() as u32 {
            self.table.insert_unique(at(id), id, |&i| at(i));
        }
    }

    /// The text of a symbol. Inline numbers are formatted into `buf`.
    pub fn resolve<'a>(&'a self, sym: Sym, buf: &'a mut String) -> &'a str {
        if let Some(n) = sym.inline_num() {
            buf.clear();
            use std::fmt::Write;
            let _ = write!(buf, "{n}");
            return buf.as_str();
        }
        self.at(sym.0)
    }

    /// Text of a symbol, borrowed unless it is an inline number of 100 000 or more.
    pub fn text(&self, sym: Sym) -> std::borrow::Cow<'_, str> {
        match sym.inline_num() {
            Some(n) => match small_number(n) {
                Some(s) => s.into(),
                None => n.to_string().into(),
            },
            None => self.at(sym.0).into(),
        }
    }

    /// Borrowed text when the symbol is a stored string.
    pub fn str_of(&self, sym: Sym) -> Option<&str> {
        match sym.inline_num() {
            Some(_) => None,
            None => Some(self.at(sym.0)),
        }
    }

    /// Moves every string of `other` into `self`; returns the remap table (other id → id).
    pub fn absorb(&mut self, other: Interner) -> Vec<u32> {
        let mut remap = Vec::with_capacity(other.spans.len());
        for id in 0..other.spans.len() as u32 {
            remap.push(self.intern(other.at(id)).0);
        }
        remap
    }

    pub fn remap(remap: &[u32], sym: Sym) -> Sym {
        if sym.inline_num().is_some() {
            return sym;
        }
        Sym(remap.get(sym.0 as usize).copied().unwrap_or(0))
    }

    /// Ids of the stored strings `exact` holds for, as a bitset. `bulk` must match
    /// wherever `exact` could (a superset: the same pattern, multi-line so that `^`/`$`
    /// hold at each string's ends); it finds candidates in the whole buffer at memchr
    /// speed, in parallel, and `exact` confirms each candidate string once.
    pub fn scan(&self, bulk: &regex::Regex, exact: &(dyn Fn(&str) -> bool + Sync)) -> Bits {
        use rayon::prelude::*;
        let n = self.spans.len();
        let parts = (rayon::current_num_threads() * 4).max(1);
        let total = self.buf.len().max(1);
        // Split by bytes (string lengths vary a lot), at string starts.
        let cuts: Vec<usize> = (0..=parts)
            .map(|k| {
                let byte = total * k / parts;
                self.spans.partition_point(|&sp| unpack(sp).0 < byte)
            })
            .collect();
        let hits: Vec<Vec<u32>> = cuts
            .par_windows(2)
            .map(|w| self.scan_ids(w[0], w[1].min(n), bulk, exact))
            .collect();
        let mut bits = Bits::new(n);
        for id in hits.into_iter().flatten() {
            bits.set(id as usize);
        }
        bits
    }

    /// `scan` over the strings `a..b`.
    fn scan_ids(
        &self,
        a: usize,
        b: usize,
        bulk: &regex::Regex,
        exact: &(dyn Fn(&str) -> bool + Sync),
    ) -> Vec<u32> {
        let mut out = Vec::new();
        let start = |id: usize| {
            self.spans
                .get(id)
                .map_or(self.buf.len(), |&sp| unpack(sp).0)
        };
        if a >= b {
            return out;
        }
        let (lo, hi) = (start(a), start(b));
        let Some(hay) = self.buf.get(lo..hi) else {
            return out;
        };
        let mut pos = 0;
        while let Some(m) = bulk.find_at(hay, pos) {
            let off = lo + m.start();
            // The string the candidate starts in (or on whose separator it starts).
            let id = (self.spans[a..b].partition_point(|&sp| unpack(sp).0 <= off) + a).max(1) - 1;
            if exact(self.at(id as u32)) {
                out.push(id as u32);
            }
            // Each string is confirmed at most once; a candidate that crossed into the
            // next string cannot hide a match there, since the search resumes at its start.
            pos = start(id + 1) - lo;
            if pos >= hay.len() {
                break;
            }
        }
        out
    }

    /// Drops the lookup table once no more strings are expected (`text` and `scan` do not
    /// need it; it is 5–10 B a string). Interning again rebuilds it.
    pub fn seal(&mut self) {
        self.drop_table();
        self.buf.shrink_to_fit();
        self.spans.shrink_to_fit();
    }

    /// `seal` without giving back spare text capacity: no copy of the strings (the TUI
    /// does this on its own thread, where copying them would stall a frame).
    pub fn drop_table(&mut self) {
        self.table = HashTable::new();
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn is_empty(&self) -> bool {
        self.spans.len() <= 1
    }

    /// Bytes held (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        self.buf.capacity() + self.spans.capacity() * 8 + self.table.capacity() * 5
    }
}

/// One bit per id.
#[derive(Clone, Debug, Default)]
pub struct Bits(Vec<u64>);

impl Bits {
    pub fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    pub fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
    pub fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_inline_and_strings_dedup() {
        let mut i = Interner::new();
        let a = i.intern("4624");
        let b = i.intern("host");
        let c = i.intern("host");
        let z = i.intern("007");
        assert_eq!(b, c);
        assert_eq!(i.len(), 3);
        let mut buf = String::new();
        assert_eq!(i.resolve(a, &mut buf), "4624");
        assert_eq!(i.text(z), "007");
        assert_eq!(i.text(Sym::EMPTY), "");
        assert_eq!(i.intern(""), Sym::EMPTY);
    }

    #[test]
    fn a_sealed_interner_interns_again_with_the_same_symbols() {
        let mut i = Interner::new();
        let words: Vec<String> = (0..1000).map(|n| format!("w{n}")).collect();
        let syms: Vec<Sym> = words.iter().map(|w| i.intern(w)).collect();
        i.seal();
        assert_eq!(i.get("w17"), Some(syms[17]));
        assert_eq!(i.get("nope"), None);
        assert_eq!(i.get(""), Some(Sym::EMPTY));
        assert_eq!(i.text(syms[999]), "w999");
        // Interning again finds the old strings and adds new ones once.
        assert_eq!(i.intern("w500"), syms[500]);
        let n = i.len();
        let new = i.intern("fresh");
        assert_eq!(i.intern("fresh"), new);
        assert_eq!(i.len(), n + 1);
        assert_eq!(i.get("w3"), Some(syms[3]));
        let mut other = Interner::new();
        other.intern("w1");
        other.intern("other");
        i.seal();
        let remap = i.absorb(other);
        assert_eq!(remap[1], syms[1].0);
        assert_eq!(i.len(), n + 2);
    }

    #[test]
    fn small_numbers_are_borrowed_and_exact() {
        let i = Interner::new();
        for n in [0u32, 7, 10, 99_999, 100_000, 2_000_000_000] {
            let s = Sym::from_num(n);
            let t = i.text(s);
            assert_eq!(t, n.to_string());
            assert_eq!(matches!(t, std::borrow::Cow::Borrowed(_)), n < 100_000);
        }
    }

    #[test]
    fn absorb_remaps() {
        let mut g = Interner::new();
        g.intern("x");
        let mut l = Interner::new();
        let y = l.intern("y");
        let x = l.intern("x");
        let map = g.absorb(l);
        assert_eq!(g.text(Interner::remap(&map, y)), "y");
        assert_eq!(g.text(Interner::remap(&map, x)), "x");
        assert_eq!(Interner::remap(&map, x), g.get("x").unwrap());
    }

    #[test]
    fn scan_equals_matching_each_string() {
        let mut i = Interner::new();
        let words = [
            "foo", "barfoo", "x\nfoo", "fo", "o", "foo bar", "FOO", "a\n", "9", "éfoo",
        ];
        for w in words {
            i.intern(w);
        }
        i.intern("12345");
        for p in [
            "foo", "^foo", "o$", "fo\no", r"\bfoo\b", "", "o\\s*f", "(?i)foo", "^$", "[^o]",
            r"\Bfoo",
        ] {
            let exact = regex::Regex::new(p).unwrap();
            let bulk = regex::RegexBuilder::new(p)
                .multi_line(true)
                .build()
                .unwrap();
            let bits = i.scan(&bulk, &|s: &str| exact.is_match(s));
            for id in 0..i.len() {
                let s = i.at(id as u32);
                assert_eq!(
                    bits.get(id),
                    exact.is_match(s),
                    "pattern {p:?} string {s:?}"
                );
            }
        }
    }
}
