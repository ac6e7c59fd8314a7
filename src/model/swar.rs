//! Eight bytes at a time: which bytes of a word are zero, or equal a given byte, exactly
//! (carries masked, so no byte is flagged by its neighbour). Fields, values and JSON
//! strings are a few to a few dozen bytes: too short for a `memchr` call to pay off, long
//! enough for a byte loop to cost.

const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HI: u64 = 0x8080_8080_8080_8080;

/// `b` in every byte.
pub const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// The high bit of each zero byte of `x`.
#[inline]
pub fn zero_bytes(x: u64) -> u64 {
    !(((x & LO7) + LO7) | x) & HI
}

/// The high bit of each byte of `w` equal to `c`.
#[inline]
pub fn bytes_eq(w: u64, c: u8) -> u64 {
    zero_bytes(w ^ splat(c))
}
