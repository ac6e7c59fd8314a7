//! Byte-level helpers every firewall parser shares: UTF-8 per field, numbers, and the
//! vendor-word → normalised-word tables for protocols and actions.

use crate::ingest::Reason;
use crate::model::swar::bytes_eq;
use crate::model::{Fields, Norm};
use std::borrow::Cow;

/// A field as text: borrowed when valid UTF-8 (the common case), lossy copy otherwise so a
/// stray byte never costs the whole record.
pub fn cow(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(String::from_utf8_lossy(b).into_owned()),
    }
}

/// A record checked for UTF-8 once, so its fields are sliced from that text instead of
/// each being validated again (the per-field check dominated the parse of short fields).
#[derive(Clone, Copy)]
pub struct Utf8Line<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
}

impl<'a> Utf8Line<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Utf8Line {
            bytes,
            // Every line is checked whole, once: the SIMD check is the faster (same answer).
            text: simdutf8::basic::from_utf8(bytes).ok(),
        }
    }

    /// Whether the whole line is valid UTF-8 (then no field of it fails as text).
    pub fn is_text(&self) -> bool {
        self.text.is_some()
    }

    /// `sub` as text when it lies inside the line and the line is valid UTF-8.
    #[inline]
    pub fn text(&self, sub: &'a [u8]) -> Option<&'a str> {
        let text = self.text?;
        let off = (sub.as_ptr() as usize).checked_sub(self.bytes.as_ptr() as usize)?;
        let end = off.checked_add(sub.len())?;
        // `get` checks bounds and char boundaries; a slice from elsewhere falls outside.
        text.get(off..end)
    }

    /// As [`cow`], without revalidating fields of a valid line.
    pub fn cow(&self, sub: &'a [u8]) -> Cow<'a, str> {
        match self.text(sub) {
            Some(s) => Cow::Borrowed(s),
            None => cow(sub),
        }
    }

    /// As [`req`], without revalidating fields of a valid line.
    pub fn req(&self, sub: &'a [u8], what: &'static str) -> Result<&'a str, Reason> {
        match self.text(sub) {
            Some(s) => Ok(s),
            None => req(sub, what),
        }
    }
}

/// A field that must be valid UTF-8 (addresses, times); the line is rejected otherwise.
pub fn req<'a>(b: &'a [u8], what: &'static str) -> Result<&'a str, Reason> {
    std::str::from_utf8(b).map_err(|_| Reason::Owned(format!("{what} is not UTF-8")))
}

/// Pushes a source field under its own name; the name must be UTF-8 to be addressable.
pub fn push<'a>(out: &mut Fields<'a>, k: &'a [u8], v: &'a [u8]) {
    if out.is_lean() {
        return;
    }
    if let Ok(k) = std::str::from_utf8(k) {
        out.push_raw(k, cow(v));
    }
}

pub fn trim(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if first.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = b {
        if last.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// Parses an unsigned decimal of at most 19 digits (no sign, no spaces).
pub fn uint(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 19 {
        return None;
    }
    let mut n: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(c - b'0');
    }
    Some(n)
}

/// Index of the first occurrence of `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Splits off the next space-separated token, skipping leading spaces. A plain loop:
/// tokens are a few bytes, where a `memchr` call costs more than it saves.
pub fn next_token(b: &[u8]) -> (&[u8], &[u8]) {
    // Tabs separate like spaces (tab-separated collector files, Kiwi Syslog).
    let start = b
        .iter()
        .position(|&c| c != b' ' && c != b'\t')
        .unwrap_or(b.len());
    let b = &b[start..];
    match b.iter().position(|&c| c == b' ' || c == b'\t') {
        Some(i) => (&b[..i], &b[i + 1..]),
        None => (b, &[]),
    }
}

/// Positions of `needle` in `hay`, eight bytes at a time (SWAR). For the many hits in a
/// short line this beats `memchr_iter`, whose per-hit call and setup dominate there.
pub fn byte_positions(hay: &[u8], needle: u8) -> BytePositions<'_> {
    BytePositions {
        hay,
        needle,
        base: 0,
        next: 0,
        mask: 0,
    }
}

pub struct BytePositions<'a> {
    hay: &'a [u8],
    needle: u8,
    /// Offset of the word `mask` describes.
    base: usize,
    /// Offset of the next word to load.
    next: usize,
    /// High bit of each byte of the current word that equals `needle`.
    mask: u64,
}

/// Index of the first byte of `hay` that is `a` or `b`, eight bytes at a time: the
/// fields and values this looks through are a few to a few dozen bytes, too short for a
/// `memchr2` call to pay off and long enough for a byte loop to cost.
pub fn find2(hay: &[u8], a: u8, b: u8) -> Option<usize> {
    let mut i = 0;
    while let Some(w) = hay.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let w = u64::from_le_bytes(*w);
        let m = bytes_eq(w, a) | bytes_eq(w, b);
        if m != 0 {
            return Some(i + m.trailing_zeros() as usize / 8);
        }
        i += 8;
    }
    hay[i..]
        .iter()
        .position(|&c| c == a || c == b)
        .map(|p| i + p)
}

/// As `find2`, for three bytes.
pub fn find3(hay: &[u8], a: u8, b: u8, c: u8) -> Option<usize> {
    let mut i = 0;
    while let Some(w) = hay.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let w = u64::from_le_bytes(*w);
        let m = bytes_eq(w, a) | bytes_eq(w, b) | bytes_eq(w, c);
        if m != 0 {
            return Some(i + m.trailing_zeros() as usize / 8);
        }
        i += 8;
    }
    hay[i..]
        .iter()
        .position(|&x| x == a || x == b || x == c)
        .map(|p| i + p)
}

impl Iterator for BytePositions<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            let rest = self.hay.get(self.next..).filter(|r| !r.is_empty())?;
            // A direct 8-byte load; only the tail is padded (a variable-length copy there
            // is a `memcpy` call and a store-forwarding stall on every word).
            let w = match rest.first_chunk::<8>() {
                Some(w) => u64::from_le_bytes(*w),
                None => {
                    let mut w = [!self.needle; 8];
                    w[..rest.len()].copy_from_slice(rest);
                    u64::from_le_bytes(w)
                }
            };
            self.mask = bytes_eq(w, self.needle);
            self.base = self.next;
            self.next += 8;
        }
        let at = self.base + self.mask.trailing_zeros() as usize / 8;
        self.mask &= self.mask - 1;
        Some(at)
    }
}

/// IP protocol by name or number → lowercase name; borrowed when already normal.
pub fn proto(p: &str) -> Cow<'_, str> {
    let s: &'static str = match p {
        "6" => "tcp",
        "17" => "udp",
        "1" => "icmp",
        "58" => "icmpv6",
        "47" => "gre",
        "50" => "esp",
        "51" => "ah",
        "132" => "sctp",
        "2" => "igmp",
        "41" => "ipv6",
        "112" => "vrrp",
        _ => {
            if p.eq_ignore_ascii_case("tcp") {
                "tcp"
            } else if p.eq_ignore_ascii_case("udp") {
                "udp"
            } else if p.eq_ignore_ascii_case("icmp") {
                "icmp"
            } else if p.eq_ignore_ascii_case("icmpv6")
                || p.eq_ignore_ascii_case("ipv6-icmp")
                || p.eq_ignore_ascii_case("icmp6")
            {
                "icmpv6"
            } else {
                return lower(p);
            }
        }
    };
    Cow::Borrowed(s)
}

/// Lowercase, allocating only when something changes.
pub fn lower(p: &str) -> Cow<'_, str> {
    if p.bytes().any(|c| c.is_ascii_uppercase()) {
        Cow::Owned(p.to_ascii_lowercase())
    } else {
        Cow::Borrowed(p)
    }
}

/// Vendor action word → the normalised vocabulary (allow deny drop reject close …);
/// unknown words are kept, lowercased. The vendor word itself stays in the raw fields.
pub fn action(a: &str) -> Cow<'_, str> {
    const TABLE: &[(&str, &str)] = &[
        ("accept", "allow"),
        ("accepted", "allow"),
        ("allow", "allow"),
        ("allowed", "allow"),
        ("pass", "allow"),
        ("permit", "allow"),
        ("permitted", "allow"),
        ("open", "allow"),
        ("open-inbound", "allow"),
        ("start", "allow"),
        ("deny", "deny"),
        ("denied", "deny"),
        ("block", "deny"),
        ("blocked", "deny"),
        ("block-url", "deny"),
        ("drop", "drop"),
        ("dropped", "drop"),
        ("reject", "reject"),
        ("rejected", "reject"),
        ("reset-both", "reject"),
        ("reset-client", "reject"),
        ("reset-server", "reject"),
        ("close", "close"),
        ("end", "close"),
        ("teardown", "close"),
        ("server-rst", "close"),
        ("client-rst", "close"),
        ("timeout", "close"),
        ("alert", "alert"),
    ];
    for (k, v) in TABLE {
        if a.eq_ignore_ascii_case(k) {
            return Cow::Borrowed(v);
        }
    }
    lower(a)
}

/// Sets the fields every firewall event shares.
pub fn firewall(out: &mut Fields<'_>) {
    out.set(Norm::Category, "firewall");
}

/// Ends a firewall record: its category and, unless the parse is lean, the message the
/// format writes from what it read.
pub fn finish(out: &mut Fields<'_>, message: fn(&Fields<'_>) -> String) {
    firewall(out);
    if !out.is_lean() {
        let m = message(out);
        out.set(Norm::Message, m);
    }
}

/// `proto=` as a name (`6` → `tcp`); left unset when not UTF-8.
pub fn set_proto<'a>(out: &mut Fields<'a>, v: &'a [u8]) {
    if let Ok(p) = std::str::from_utf8(v) {
        out.set(Norm::Proto, proto(p));
    }
}

/// A verdict word as vigil's action (`Accept` → `allow`); left unset when not UTF-8.
pub fn set_action<'a>(out: &mut Fields<'a>, v: &'a [u8]) {
    if let Ok(a) = std::str::from_utf8(v) {
        out.set(Norm::Action, action(a));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find2_matches_a_plain_scan() {
        let hay: Vec<u8> = (0..40u8)
            .map(|i| [b'a', b' ', b'=', 0xff, b'"'][i as usize % 7 % 5])
            .collect();
        for start in 0..hay.len() {
            for end in start..=hay.len() {
                let h = &hay[start..end];
                for (a, b) in [(b' ', b'='), (b'"', b'\\'), (0xff, 0xff), (b'=', b'=')] {
                    let want = h.iter().position(|&c| c == a || c == b);
                    assert_eq!(find2(h, a, b), want, "{h:?} {a} {b}");
                }
            }
        }
    }

    #[test]
    fn byte_positions_match_a_plain_scan() {
        let cases: [&[u8]; 6] = [
            b"",
            b"=",
            b"abc",
            b"SRC=1 DST=2 X==y =",
            b"\xff=\x7f=\x80\x3d=========",
            b"0123456=89abcdef=",
        ];
        for h in cases {
            for needle in [b'=', 0xff, 0x80, b' '] {
                let want: Vec<usize> = (0..h.len()).filter(|&i| h[i] == needle).collect();
                assert_eq!(byte_positions(h, needle).collect::<Vec<_>>(), want, "{h:?}");
            }
        }
    }
}
