use std::collections::HashMap;

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
}

/// Deduplicating string store: symbol 0 is the empty string. Built per worker and merged
/// with a remap table so symbol ids are deterministic whatever the thread count.
#[derive(Default, Debug, Clone)]
pub struct Interner {
    map: HashMap<Box<str>, u32>,
    strs: Vec<Box<str>>,
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

impl Interner {
    pub fn new() -> Self {
        let mut i = Interner::default();
        i.strs.push("".into());
        i.map.insert("".into(), 0);
        i
    }

    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(n) = as_inline(s) {
            return Sym(n | INLINE);
        }
        if let Some(&id) = self.map.get(s) {
            return Sym(id);
        }
        if self.strs.is_empty() {
            *self = Interner::new();
            if s.is_empty() {
                return Sym::EMPTY;
            }
        }
        let id = self.strs.len() as u32;
        self.strs.push(s.into());
        self.map.insert(s.into(), id);
        Sym(id)
    }

    /// Looks up without inserting.
    pub fn get(&self, s: &str) -> Option<Sym> {
        if let Some(n) = as_inline(s) {
            return Some(Sym(n | INLINE));
        }
        self.map.get(s).map(|&id| Sym(id))
    }

    /// The text of a symbol. Inline numbers are formatted into `buf`.
    pub fn resolve<'a>(&'a self, sym: Sym, buf: &'a mut String) -> &'a str {
        if let Some(n) = sym.inline_num() {
            buf.clear();
            use std::fmt::Write;
            let _ = write!(buf, "{n}");
            return buf.as_str();
        }
        self.strs.get(sym.0 as usize).map(|s| &**s).unwrap_or("")
    }

    /// Owned text of a symbol.
    pub fn text(&self, sym: Sym) -> std::borrow::Cow<'_, str> {
        match sym.inline_num() {
            Some(n) => n.to_string().into(),
            None => self
                .strs
                .get(sym.0 as usize)
                .map(|s| &**s)
                .unwrap_or("")
                .into(),
        }
    }

    /// Borrowed text when the symbol is a stored string.
    pub fn str_of(&self, sym: Sym) -> Option<&str> {
        match sym.inline_num() {
            Some(_) => None,
            None => self.strs.get(sym.0 as usize).map(|s| &**s),
        }
    }

    /// Moves every string of `other` into `self`; returns the remap table (other id → id).
    pub fn absorb(&mut self, other: Interner) -> Vec<u32> {
        let mut remap = Vec::with_capacity(other.strs.len());
        for s in other.strs {
            remap.push(self.intern(&s).0);
        }
        remap
    }

    pub fn remap(remap: &[u32], sym: Sym) -> Sym {
        if sym.inline_num().is_some() {
            return sym;
        }
        Sym(remap.get(sym.0 as usize).copied().unwrap_or(0))
    }

    pub fn len(&self) -> usize {
        self.strs.len()
    }
    pub fn is_empty(&self) -> bool {
        self.strs.len() <= 1
    }

    /// Bytes held by the strings (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        self.strs.iter().map(|s| s.len() * 2 + 48).sum()
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
}
