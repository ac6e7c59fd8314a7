//! The free-text index: lets `WORD`, `"phrase"`, `/regex/` filters and `/` searches
//! answer without re-building each event's fields (≈ 1–2 µs an event).
//!
//! An event's free text is its raw line (text sources), its field values and its
//! message. At query time:
//! - raw lines are searched where they lie (the mapped file);
//! - stored EVTX values are interned strings: each distinct string is matched once per
//!   query by scanning the whole interner buffer, then an event checks its symbols;
//! - everything else (messages, normalised values, values a text parser derived that are
//!   not in the line) is kept per event as one "derived" entry, deduplicated, built once
//!   in the background, and scanned the same way.
//!
//! A text-source value that sits in its line between non-word ASCII bytes is not kept:
//! any match in it is a match in the line too, except for `^`/`$`-anchored patterns,
//! which text sources answer the slow way.

use super::Timeline;
use super::blocks::{self, Blocks};
use crate::ingest::FreeText;
use crate::ingest::evtx::Slot;
use crate::model::{Bits, Fields, Interner, Norm, Sym};
use crate::query::TextTerm;
use std::borrow::Cow;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize};

/// The derived entry could not be kept (a piece holds the separator, or the event's
/// fields are not stored): the event is matched the slow way.
const SLOW: Sym = Sym(u32::MAX);

/// What free-text queries need beyond the timeline itself.
pub struct TextIndex {
    derived: Interner,
    /// Derived entry of each event, in timeline order.
    per_event: Vec<Sym>,
    /// Normalised values of each event (but host, message and record id). Events of one
    /// parser mostly have the same fields, so each event names its list of ids (`Norm` as
    /// u8, `COVERED` set when the value is also in the raw text) in `shapes`; its symbols
    /// (in `derived`) are `norm_syms` from `norm_base[i / GROUP] + norm_off[i]`, one per
    /// id without `SLOT`. An id with `SLOT` is followed by its value's symbol in the
    /// timeline's strings: an EVTX System value fixed in the record's shape (event id,
    /// channel, provider), the same for every event of the shape, costs the event nothing.
    /// Field terms on them need no parse. (A u32 offset and the ids per event cost 13 B an
    /// event; shape and u16 offset cost 4.)
    shapes: Vec<Box<[u8]>>,
    shape: Vec<u16>,
    norm_base: Vec<u32>,
    norm_off: Vec<u16>,
    norm_syms: Vec<Sym>,
}

/// Events per `norm_base` entry: at most 255 values an event, so offsets within a group
/// fit a u16.
const GROUP: usize = 64;

/// In `norm_ids`: the value is found through the raw line or stored symbols too.
const COVERED: u8 = 0x80;
/// In `norm_ids`: the value is the symbol in the next 4 bytes (little-endian), of the
/// timeline's strings: a stored EVTX value fixed in the record's shape. (Values stored
/// per event are not read from there: that is a random read per event, and field filters
/// on them were 15–20 % slower than with the index's own symbols, read in order.)
const SLOT: u8 = 0x40;
const _: () = assert!(crate::model::NORM_COUNT < SLOT as usize);

/// Where an event's normalised value is.
#[derive(Clone, Copy)]
enum NormAt {
    /// A symbol of the index's own strings.
    Sym(Sym),
    /// A symbol of the timeline's strings, the same for every event of the shape.
    Fixed(Sym),
}

/// The ids of a shape, each with its value's symbol when the shape holds it: `(id with
/// `COVERED`, Some(value))`, or `(id, None)` for the next of the event's own symbols.
fn shape_ids(shape: &[u8]) -> impl Iterator<Item = (u8, Option<NormAt>)> + '_ {
    let mut rest = shape;
    std::iter::from_fn(move || {
        let (&id, r) = rest.split_first()?;
        rest = r;
        if id & SLOT == 0 {
            return Some((id, None));
        }
        let (sym, r) = rest.split_first_chunk::<4>()?;
        rest = r;
        Some((
            id & !SLOT,
            Some(NormAt::Fixed(Sym(u32::from_le_bytes(*sym)))),
        ))
    })
}

/// How many symbols an event of `shape` has.
fn own_values(shape: &[u8]) -> usize {
    shape_ids(shape).filter(|(_, at)| at.is_none()).count()
}

/// Normalised fields kept in the index's columns.
fn in_columns(n: Norm) -> bool {
    !matches!(n, Norm::Host | Norm::Message | Norm::RecordId)
}

/// One build block's output.
struct Block {
    strings: Interner,
    entries: Vec<Sym>,
    /// Each event's shape, a number in `shapes` (the block's own).
    shape: Vec<u16>,
    shapes: Shapes,
    /// The ids of the event being added (reused).
    ids: Vec<u8>,
    syms: Vec<Sym>,
}

/// Distinct lists of normalised ids (shapes), numbered as first seen; 0 is the empty list.
struct Shapes {
    list: Vec<Box<[u8]>>,
    number: std::collections::HashMap<Box<[u8]>, u16>,
}

impl Shapes {
    fn new() -> Self {
        Shapes {
            list: vec![Box::default()],
            number: [(Box::default(), 0)].into_iter().collect(),
        }
    }

    /// The number of shape `ids` (looked up by slice: a key is boxed only for a new
    /// shape); `None` past u16 numbers.
    fn number(&mut self, ids: &[u8]) -> Option<u16> {
        if let Some(&s) = self.number.get(ids) {
            return Some(s);
        }
        let s = u16::try_from(self.list.len()).ok()?;
        let key: Box<[u8]> = ids.into();
        self.list.push(key.clone());
        self.number.insert(key, s);
        Some(s)
    }
}

/// Events per parallel build block.
const BLOCK: usize = 32_768;

impl TextIndex {
    /// Builds the index of `t`; `None` when cancelled. `done` counts events indexed.
    pub fn build(t: &Timeline, cancel: &AtomicBool, done: &AtomicUsize) -> Option<TextIndex> {
        // In rounds of a few blocks per thread: a filter or search started meanwhile
        // queues its own parallel work behind one round, not behind the whole build.
        let blocks = blocks::run(
            0..t.len(),
            Blocks::new(BLOCK).in_rounds(4),
            cancel,
            done,
            |r| build_block(t, r),
        )?;
        let mut idx = TextIndex {
            derived: Interner::new(),
            per_event: Vec::with_capacity(t.len()),
            // Filled below (shape 0: no values, and the events matched the slow way).
            shapes: Vec::new(),
            shape: Vec::with_capacity(t.len()),
            norm_base: Vec::with_capacity(t.len().div_ceil(GROUP)),
            norm_off: Vec::with_capacity(t.len()),
            norm_syms: Vec::new(),
        };
        let mut global = Shapes::new();
        // Sized for every block's strings at once: grown as it went, the sequential merge
        // below spent about half its time re-hashing.
        idx.derived.reserve_for(blocks.iter().map(|b| &b.strings));
        for b in blocks {
            let remap = idx.derived.absorb(b.strings);
            let re = |s: Sym| match s {
                SLOW => SLOW,
                s => Interner::remap(&remap, s),
            };
            let lens: Vec<usize> = b.shapes.list.iter().map(|s| own_values(s)).collect();
            let shapes: Vec<Option<u16>> =
                b.shapes.list.iter().map(|ids| global.number(ids)).collect();
            let mut syms = b.syms.into_iter().map(re);
            for (e, local) in b.entries.into_iter().zip(b.shape) {
                let n = lens.get(usize::from(local)).copied().unwrap_or(0);
                let vals = syms.by_ref().take(n);
                match shapes.get(usize::from(local)).copied().flatten() {
                    Some(g) => idx.push(re(e), g, vals),
                    // Too many distinct shapes (never seen): the event goes the slow way.
                    None => {
                        vals.for_each(drop);
                        idx.push(SLOW, 0, std::iter::empty());
                    }
                }
            }
        }
        idx.shapes = global.list;
        idx.derived.seal();
        idx.norm_syms.shrink_to_fit();
        Some(idx)
    }

    /// Appends the next event: its derived entry, shape and normalised symbols.
    fn push(&mut self, entry: Sym, shape: u16, vals: impl Iterator<Item = Sym>) {
        let i = self.per_event.len();
        if i.is_multiple_of(GROUP) {
            self.norm_base.push(self.norm_syms.len() as u32);
        }
        let base = self.norm_base.last().copied().unwrap_or(0) as usize;
        self.norm_off
            .push(u16::try_from(self.norm_syms.len() - base).unwrap_or(u16::MAX));
        self.per_event.push(entry);
        self.shape.push(shape);
        self.norm_syms.extend(vals);
    }

    /// Bytes held (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        self.heap_parts().iter().map(|(_, b)| b).sum()
    }

    /// Bytes held by part, for memory reports.
    pub fn heap_parts(&self) -> [(&'static str, usize); 4] {
        [
            ("derived strings", self.derived.heap_bytes()),
            ("derived entry per event", self.per_event.capacity() * 4),
            (
                "shapes and offsets",
                self.shape.capacity() * 2
                    + self.norm_off.capacity() * 2
                    + self.norm_base.capacity() * 4
                    + self.shapes.iter().map(|s| s.len() + 16).sum::<usize>(),
            ),
            ("normalised symbols", self.norm_syms.capacity() * 4),
        ]
    }

    /// Event `i`'s normalised values: (id with `COVERED` bit, where its value is).
    fn norms(&self, i: usize) -> impl Iterator<Item = (u8, NormAt)> + '_ {
        let ids: &[u8] = self
            .shape
            .get(i)
            .and_then(|&s| self.shapes.get(usize::from(s)))
            .map_or(&[], |s| s);
        let base = self.norm_base.get(i / GROUP).copied().unwrap_or(0) as usize;
        let a = base + self.norm_off.get(i).copied().unwrap_or(0) as usize;
        let mut syms = self.norm_syms.get(a..).unwrap_or(&[]).iter();
        shape_ids(ids).map_while(move |(id, at)| match at {
            Some(at) => Some((id, at)),
            None => syms.next().map(|&s| (id, NormAt::Sym(s))),
        })
    }

    /// Ready for per-event checks of `terms`. Each term is matched against every distinct
    /// string once, when first asked about: a term that is never asked (a field hint the
    /// columns answer) costs nothing.
    pub fn prepare<'a>(&'a self, t: &'a Timeline, terms: &[TextTerm]) -> Prepared<'a> {
        Prepared {
            t,
            idx: self,
            terms: terms.iter().map(|x| (x.clone(), OnceLock::new())).collect(),
        }
    }

    fn match_term(&self, t: &Timeline, term: &TextTerm) -> TermHits {
        let exact = |s: &str| term.is_match(s);
        let pieces = |s: &str| s.split(SEP).any(|p| term.is_match(p));
        let bulk = term.bulk();
        let (main, derived) = match &bulk {
            Some(bulk) => (
                t.strings.scan(bulk, &exact),
                self.derived.scan(bulk, &pieces),
            ),
            None => (Bits::new(0), Bits::new(0)),
        };
        let small = term
            .may_match_within(b"0123456789")
            .then(|| small_numbers(term));
        TermHits {
            usable: bulk.is_some(),
            anchored: term.anchored(),
            // SystemTime text and record ids are made per event, not stored.
            may_time: term.may_match_within(Slot::MADE_BYTES),
            term: term.clone(),
            main,
            derived,
            small,
        }
    }
}

const SEP: char = '\n';

/// Builds the derived entries and normalised columns of events `range`.
fn build_block(t: &Timeline, range: std::ops::Range<usize>) -> Block {
    // Measured on the sample: 0.8 new strings and 66 bytes an event.
    let mut strings = Interner::new();
    strings.reserve(range.len(), range.len() * 80);
    let mut b = Block {
        strings,
        entries: Vec::with_capacity(range.len()),
        shape: Vec::with_capacity(range.len()),
        shapes: Shapes::new(),
        ids: Vec::new(),
        syms: Vec::new(),
    };
    let mut entry = String::new();
    // Every event is read into one buffer, reused from event to event.
    let mut fields = Fields::new();
    for i in range {
        if !add_event(t, i, &mut b, &mut entry, &mut fields) {
            b.entries.push(SLOW);
            b.shape.push(0);
        }
    }
    b
}

/// Adds event `i` to `b`: its derived entry (the pieces of its free text that are neither
/// in its raw line nor stored symbols, joined by `SEP`) and its normalised columns. False
/// (nothing added) when the event must be matched the slow way. `f` is the fields buffer.
fn add_event<'t>(
    t: &'t Timeline,
    i: usize,
    b: &mut Block,
    entry: &mut String,
    f: &mut Fields<'t>,
) -> bool {
    let Some((src, r)) = t.rec(i) else {
        return false;
    };
    let line = match src.kind.free_text(r) {
        FreeText::Line(l) => Some(String::from_utf8_lossy(l)),
        FreeText::Stored(_) => None,
        FreeText::None => return false,
    };
    t.fields_into(i, f);
    let f = &*f;
    let covered = |v: &str| {
        v.is_empty()
            || match &line {
                Some(l) => delimited_in(l, v),
                // EVTX stored values are matched through their symbols.
                None => f.raw.iter().any(|(_, r)| r == v),
            }
    };
    // The symbol of a stored EVTX value fixed in the record's shape that the value is
    // borrowed from (the same text, not a copy): the shape can hold it.
    let stored = src.kind.evtx().filter(|_| line.is_none());
    let slot_of = |v: &str| -> Option<Sym> {
        let k = f
            .raw
            .iter()
            .position(|(_, r)| std::ptr::eq(r.as_ptr(), v.as_ptr()) && r.len() == v.len())?;
        stored?.fixed_at(r.event.aux, k)
    };
    let mut kept: Vec<&str> = Vec::new();
    let mut norms: Vec<(u8, Option<Sym>, &str)> = Vec::new();
    for (n, v) in f.norm_iter() {
        if in_columns(n) {
            match slot_of(v) {
                Some(sym) => norms.push((n as u8 | COVERED | SLOT, Some(sym), v)),
                None => norms.push((n as u8 | if covered(v) { COVERED } else { 0 }, None, v)),
            }
        } else if !covered(v) && !kept.contains(&v) {
            kept.push(v);
        }
    }
    if line.is_some() {
        for (_, v) in &f.raw {
            let v: &str = v;
            if !covered(v) && !kept.contains(&v) && !norms.iter().any(|&(_, _, n)| n == v) {
                kept.push(v);
            }
        }
    }
    // Offsets within a `GROUP` are u16: at most 255 values an event.
    if norms.len() > 255
        || kept
            .iter()
            .chain(norms.iter().map(|(_, _, v)| v))
            .any(|p| p.contains(SEP))
    {
        return false;
    }
    entry.clear();
    for (n, p) in kept.iter().enumerate() {
        if n > 0 {
            entry.push(SEP);
        }
        entry.push_str(p);
    }
    b.ids.clear();
    for &(id, sym, _) in &norms {
        b.ids.push(id);
        if let Some(s) = sym {
            b.ids.extend(s.0.to_le_bytes());
        }
    }
    // A block has far fewer shapes than events; past u16 the event goes slow.
    let Some(shape) = b.shapes.number(&b.ids) else {
        return false;
    };
    b.entries.push(b.strings.intern(entry));
    b.shape.push(shape);
    for (_, at, v) in norms {
        if at.is_none() {
            b.syms.push(b.strings.intern(v));
        }
    }
    true
}

/// `v` occurs in `line` with a non-word ASCII byte (or the line's end) on each side, so
/// that every unanchored match in `v` is also a match in `line`.
fn delimited_in(line: &str, v: &str) -> bool {
    let (l, n) = (line.as_bytes(), v.as_bytes());
    let outside = |b: Option<&u8>| b.is_none_or(|b| b.is_ascii() && !is_word(*b));
    let Some(&first) = n.first() else {
        return true;
    };
    let delimited_at =
        |p: usize| outside(p.checked_sub(1).and_then(|q| l.get(q))) && outside(l.get(p + n.len()));
    // Most values are slices of the line itself: their place is known without a search.
    let at = (v.as_ptr() as usize).wrapping_sub(line.as_ptr() as usize);
    if at.checked_add(n.len()).is_some_and(|end| end <= l.len()) && delimited_at(at) {
        return true;
    }
    // Values are short and found early: a memchr on the first byte beats building a
    // memmem searcher per value.
    memchr::memchr_iter(first, l).any(|p| l.get(p..p + n.len()) == Some(n) && delimited_at(p))
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Hits among the inline numbers below 100 000 (ports, pids, ids).
fn small_numbers(term: &TextTerm) -> Bits {
    let mut bits = Bits::new(100_000);
    let mut buf = String::new();
    for n in 0..100_000u32 {
        use std::fmt::Write;
        buf.clear();
        let _ = write!(buf, "{n}");
        if term.is_match(&buf) {
            bits.set(n as usize);
        }
    }
    bits
}

struct TermHits {
    term: TextTerm,
    usable: bool,
    anchored: bool,
    may_time: bool,
    main: Bits,
    derived: Bits,
    small: Option<Bits>,
}

/// A query's terms matched against the index, ready for per-event checks.
pub struct Prepared<'a> {
    t: &'a Timeline,
    idx: &'a TextIndex,
    terms: Vec<(TextTerm, OnceLock<TermHits>)>,
}

impl Prepared<'_> {
    /// Whether term `k` matches event `i`'s free text; `None` when the index cannot tell.
    /// `term` is term `k` itself, or a clone of it (whose regex caches are the calling
    /// thread's own).
    pub fn hit(&self, i: usize, k: usize, term: &TextTerm) -> Option<bool> {
        let (t0, once) = self.terms.get(k)?;
        let h = once.get_or_init(|| self.idx.match_term(self.t, t0));
        if !h.usable {
            return None;
        }
        let d = *self.idx.per_event.get(i)?;
        if d == SLOW {
            return None;
        }
        let (src, r) = self.t.rec(i)?;
        let hit = match src.kind.free_text(r) {
            FreeText::Line(line) => {
                if h.anchored {
                    return None;
                }
                term.is_match_lossy(line)
            }
            // The walk of `Timeline::fields_for`, symbols instead of text.
            FreeText::Stored(slots) => slots.map(|(_, v)| v).any(|v| match v {
                Slot::Sym(v) => self.sym_hit(h, v),
                made => {
                    h.may_time
                        && made
                            .made(r.event, &mut [0; 28])
                            .is_some_and(|s| term.is_match(s))
                }
            }),
            FreeText::None => return None,
        };
        Some(
            hit || self.derived_hit(h, d)
                || self.idx.norms(i).any(|(id, at)| match at {
                    NormAt::Sym(s) => id & COVERED == 0 && self.derived_hit(h, s),
                    // A stored field: its symbol was checked above.
                    NormAt::Fixed(_) => false,
                }),
        )
    }

    /// Event `i`'s value of normalised field `n`, as `Fields::get` gives it; `None` when
    /// the index cannot tell (not a column, or the event is matched the slow way).
    pub fn norm(&self, i: usize, n: Norm) -> Option<Option<Cow<'_, str>>> {
        if !in_columns(n) || *self.idx.per_event.get(i)? == SLOW {
            return None;
        }
        let Some((_, at)) = self.idx.norms(i).find(|&(id, _)| id & !COVERED == n as u8) else {
            return Some(None);
        };
        match at {
            NormAt::Sym(s) => Some(Some(self.idx.derived.text(s))),
            NormAt::Fixed(sym) => Some(Some(self.t.strings.text(sym))),
        }
    }

    /// Event `i`'s own field `name` (not a normalised name), as `Fields::raw` gives it,
    /// for EVTX events read from their stored symbols; `None` when it cannot tell.
    pub fn raw_field(&self, i: usize, name: &str) -> Option<Option<Cow<'_, str>>> {
        let (src, r) = self.t.rec(i)?;
        src.kind.stored_field(r, name)
    }

    /// A symbol of the index's own strings (entries, normalised values).
    fn derived_hit(&self, h: &TermHits, s: Sym) -> bool {
        match s.as_num() {
            Some(_) => self.sym_hit(h, s),
            None => h.derived.get(s.0 as usize),
        }
    }

    fn sym_hit(&self, h: &TermHits, s: Sym) -> bool {
        match s.as_num() {
            Some(n) if n < 100_000 => h.small.as_ref().is_some_and(|b| b.get(n as usize)),
            Some(n) => h.small.is_some() && h.term.is_match(&n.to_string()),
            None => h.main.get(s.0 as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiting() {
        assert!(delimited_in("SRC=10.0.0.1 DPT=443", "443"));
        assert!(delimited_in("SRC=10.0.0.1 DPT=443", "10.0.0.1"));
        assert!(!delimited_in("DPT=4433", "443"));
        assert!(!delimited_in("user=alice_b", "alice"));
        assert!(
            !delimited_in("x=éalice", "alice"),
            "a non-ASCII neighbour may be a word char"
        );
        assert!(delimited_in("", ""));
        // A slice of the line is checked where it lies, then searched for elsewhere.
        let line = "a=443x b=443";
        assert!(delimited_in(line, &line[9..]));
        assert!(
            delimited_in(line, &line[2..5]),
            "found again at its delimited place"
        );
        assert!(!delimited_in("a=443x", &"a=443x"[2..5]));
    }
}
