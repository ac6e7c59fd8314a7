//! A few bytes a per-thread memo keeps, to be found again at the start of later lines.
//!
//! The memos compare each line against several kept runs of up to a few dozen bytes. As
//! slices, each compare was a call into libc's `memcmp` (its dispatch costs more than
//! the compare at these lengths), about 7 % of a netfilter ingest. Kept as whole words
//! with their masks, a compare is a few loads and ANDs, inlined and branch-free.

/// Up to `W × 8` bytes, zero-padded, with the mask of the bytes that count.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Kept<const W: usize> {
    words: [u64; W],
    masks: [u64; W],
    /// `u8::MAX` for [`Kept::NONE`], which opens nothing.
    len: u8,
}

impl<const W: usize> Kept<W> {
    /// Opens no line.
    pub const NONE: Self = Kept {
        words: [0; W],
        masks: [0; W],
        len: u8::MAX,
    };

    /// The most bytes kept.
    pub const CAP: usize = W * 8;

    /// `b`, if it fits.
    pub fn new(b: &[u8]) -> Option<Self> {
        if b.len() > Self::CAP || b.len() >= usize::from(u8::MAX) {
            return None;
        }
        let mut k = Kept {
            words: [0; W],
            masks: [0; W],
            len: b.len() as u8,
        };
        for i in 0..W {
            let n = b.len().saturating_sub(i * 8).min(8);
            k.words[i] = padded(b, i);
            k.masks[i] = if n == 8 {
                u64::MAX
            } else {
                (1u64 << (n * 8)) - 1
            };
        }
        Some(k)
    }

    /// How many bytes are kept (0 for [`Kept::NONE`]).
    pub fn len(&self) -> usize {
        match self.len {
            u8::MAX => 0,
            n => usize::from(n),
        }
    }

    /// Whether `s` starts with the kept bytes.
    #[inline(always)]
    pub fn opens(&self, s: &[u8]) -> bool {
        if usize::from(self.len) > s.len().min(Self::CAP) {
            return false;
        }
        let mut diff = 0;
        if s.len() >= Self::CAP {
            for i in 0..W {
                let w = u64::from_le_bytes(s[i * 8..i * 8 + 8].try_into().unwrap_or_default());
                diff |= (w ^ self.words[i]) & self.masks[i];
            }
        } else {
            for i in 0..W {
                diff |= (padded(s, i) ^ self.words[i]) & self.masks[i];
            }
        }
        diff == 0
    }
}

/// Bytes `8i..8i+8` of `b` as a little-endian word, zeros past its end.
fn padded(b: &[u8], i: usize) -> u64 {
    let part = b.get(i * 8..).unwrap_or_default();
    let n = part.len().min(8);
    let mut w = [0u8; 8];
    w[..n].copy_from_slice(&part[..n]);
    u64::from_le_bytes(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn none_opens_nothing_and_empty_opens_everything() {
        let long = [b'x'; 300];
        for s in [&b""[..], b"a", &long[..]] {
            assert!(!Kept::<4>::NONE.opens(s));
            assert!(Kept::<4>::new(b"").is_some_and(|k| k.opens(s)));
        }
        assert!(Kept::<4>::new(&[0; 33]).is_none());
        assert_eq!(Kept::<4>::new(&[0; 32]).map(|k| k.len()), Some(32));
    }

    #[test]
    fn zero_bytes_count() {
        // Padding is zeros: a kept run that ends in NULs must not open a shorter line.
        let k = Kept::<2>::new(b"ab\0\0").unwrap();
        assert!(!k.opens(b"ab"));
        assert!(!k.opens(b"ab\0"));
        assert!(k.opens(b"ab\0\0"));
        assert!(k.opens(b"ab\0\0zzzzzzzzzzzzzzzzz"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn opens_as_starts_with(
            kept in prop::collection::vec(prop::sample::select(b"ab\0".to_vec()), 0..=24),
            line in prop::collection::vec(prop::sample::select(b"ab\0".to_vec()), 0..40),
        ) {
            let k = Kept::<3>::new(&kept).unwrap();
            prop_assert_eq!(k.opens(&line), line.starts_with(&kept));
            let same = Kept::<3>::new(&line[..line.len().min(24)]).unwrap();
            prop_assert_eq!(k == same, kept == line[..line.len().min(24)]);
        }
    }
}
