//! Finding the bytes a JSON string cannot hold as they are (controls, `"`, `\`) eight at a
//! time: export writes, and EVTX ingest reads, a few million short strings, and a byte
//! loop over them was the larger part of both.

use super::swar::{bytes_eq, splat, zero_bytes};

/// The high bit of each byte of `w` that is below 0x20, `"` or `\`.
fn special_bits(w: u64) -> u64 {
    // A byte below 0x20 has its top three bits clear.
    zero_bytes(w & splat(0xe0)) | bytes_eq(w, b'"') | bytes_eq(w, b'\\')
}

/// Index of the first byte of `b` below 0x20, `"` or `\`.
pub fn first_special(b: &[u8]) -> Option<usize> {
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let bits = special_bits(u64::from_le_bytes(w));
        if bits != 0 {
            return Some(at + (bits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c < 0x20 || c == b'"' || c == b'\\')
        .map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_special_byte_as_a_byte_loop_does() {
        let slow = |b: &[u8]| b.iter().position(|&c| c < 0x20 || c == b'"' || c == b'\\');
        // Every byte value at every position of a 19-byte text, over several fillers.
        for fill in [
            b'a', 0x7f, 0x80, 0xff, b' ', b'!', b'#', b'[', b']', 0x21, 0x5d,
        ] {
            for at in 0..19 {
                for v in 0..=255u8 {
                    let mut b = vec![fill; 19];
                    b[at] = v;
                    assert_eq!(first_special(&b), slow(&b), "{fill} {at} {v}");
                }
            }
        }
        for s in ["", "x", "C:\\Windows", "a\"b", "é€😀\n"] {
            assert_eq!(first_special(s.as_bytes()), slow(s.as_bytes()), "{s:?}");
        }
    }
}
