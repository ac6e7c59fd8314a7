//! Recognising a format from the first bytes of a file: every registered format rates the
//! head, the most confident wins.

use super::{FormatDef, evtx};

/// Size of the head given to sniffers.
pub const SNIFF_BYTES: usize = 64 << 10;

/// How confident the winner must be.
pub const MIN_CONFIDENCE: u8 = 50;

/// How many head lines line tests look at.
const SNIFF_LINES: usize = 50;

/// Picks the format of `data` from its content: EVTX or Parquet magic, else the most confident text
/// format (at least `MIN_CONFIDENCE`).
pub fn sniff(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(evtx::MAGIC) {
        return Some(evtx::ID);
    }
    if super::parquet::is_parquet(data) {
        return Some(super::parquet::ID);
    }
    let head = &data[..data.len().min(SNIFF_BYTES)];
    // A UTF-8 BOM (editor or PowerShell copy) is not content.
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    best(head, super::text_formats())
        .filter(|&(_, s)| s >= MIN_CONFIDENCE)
        .map(|(f, _)| f.id)
}

/// The most confident of `formats` about `head`, with its confidence (any, even 0); among
/// equals the first, so a registry lists its more specific formats first.
pub fn best<'f>(
    head: &[u8],
    formats: impl IntoIterator<Item = &'f FormatDef>,
) -> Option<(&'f FormatDef, u8)> {
    let mut top: Option<(&FormatDef, u8)> = None;
    for f in formats {
        let s = f.sniff(head);
        if top.is_none_or(|(_, t)| s > t) {
            top = Some((f, s));
        }
    }
    top
}

/// The lines of a sniffing head: blank and `#` lines skipped, and the last line dropped
/// when the head cut it (no newline) unless it is the only one.
pub fn head_lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    let eol = super::text::eol_of(head);
    let cut = !head.ends_with(&[eol]);
    let mut parts: Vec<&[u8]> = head.split(|&c| c == eol).collect();
    if cut && parts.len() > 1 {
        parts.pop();
    }
    parts
        .into_iter()
        .map(super::text::trim_cr)
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace) && !l.starts_with(b"#"))
        .take(SNIFF_LINES)
}

/// Confidence from the share of head lines `is_fmt` recognises: all of them → 90, most →
/// less, under half → 0. Mixed syslog files score higher in `syslog`.
pub fn by_lines(head: &[u8], is_fmt: fn(&[u8]) -> bool) -> u8 {
    let (mut n, mut m) = (0usize, 0usize);
    for l in head_lines(head) {
        n += 1;
        if is_fmt(l) {
            m += 1;
        }
    }
    score(m, n)
}

fn score(m: usize, n: usize) -> u8 {
    if n == 0 || m == 0 {
        return 0;
    }
    match m * 100 / n {
        100 => 90,
        90..=99 => 80,
        75..=89 => 65,
        50..=74 => 52,
        _ => 0,
    }
}
