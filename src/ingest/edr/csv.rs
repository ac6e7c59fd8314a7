//! CSV shared by the EDR formats (Defender and SentinelOne exports): record ranges that
//! respect quoted multi-line fields, the header, and one record's fields borrowed from it.

use std::borrow::Cow;

/// The header of a CSV export: column names in order, and where the data starts.
pub struct Header {
    pub names: Vec<String>,
    pub data_start: usize,
}

/// Reads the header line (BOM and leading blank lines skipped).
pub fn header(data: &[u8]) -> Option<Header> {
    let mut p = 0;
    if data.starts_with(b"\xEF\xBB\xBF") {
        p = 3;
    }
    while matches!(data.get(p), Some(b'\r' | b'\n')) {
        p += 1;
    }
    let end = record_end(data, p, crate::ingest::text::eol_of(data));
    let line = trim_eol(data.get(p..end)?);
    let names: Vec<String> = fields(line)
        .map(|f| f.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    if names.len() < 2 {
        return None;
    }
    Some(Header {
        names,
        data_start: end,
    })
}

/// End (exclusive, after the line end) of the record starting at `p`: the first `eol`
/// (`\n`, or `\r` in CR-only files) outside quotes. Unbalanced quotes run to the end of
/// the data.
fn record_end(data: &[u8], p: usize, eol: u8) -> usize {
    let mut in_q = false;
    let mut i = p;
    while let Some(rel) = data.get(i..).and_then(|s| memchr::memchr2(b'"', eol, s)) {
        i += rel;
        if data.get(i) == Some(&b'"') {
            in_q = !in_q;
        } else if !in_q {
            return i + 1;
        }
        i += 1;
    }
    data.len()
}

fn trim_eol(mut s: &[u8]) -> &[u8] {
    while let Some((b'\n' | b'\r', rest)) = s.split_last() {
        s = rest;
    }
    s
}

/// `(offset, len)` of every non-blank record from `start` on.
pub fn record_ranges(data: &[u8], start: usize) -> Vec<(u64, u32)> {
    let mut v = Vec::new();
    let mut p = start;
    let eol = crate::ingest::text::eol_of(data);
    while p < data.len() {
        let end = record_end(data, p, eol);
        let rec = trim_eol(data.get(p..end).unwrap_or_default());
        if !rec.iter().all(u8::is_ascii_whitespace) {
            v.push((p as u64, u32::try_from(rec.len()).unwrap_or(u32::MAX)));
        }
        if end <= p {
            break;
        }
        p = end;
    }
    v
}

/// The fields of one record. Unquoted fields and quoted fields without `""` borrow; text
/// that is not UTF-8 is read lossily.
pub fn fields(rec: &[u8]) -> impl Iterator<Item = Cow<'_, str>> {
    let mut p = 0usize;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let rest = rec.get(p..).unwrap_or_default();
        if rest.first() == Some(&b'"') {
            // Quoted: up to a quote not followed by another quote.
            let mut i = 1;
            let mut escaped = false;
            loop {
                match rest.get(i) {
                    None => break,
                    Some(b'"') if rest.get(i + 1) == Some(&b'"') => {
                        escaped = true;
                        i += 2;
                    }
                    Some(b'"') => break,
                    Some(_) => i += 1,
                }
            }
            let inner = rest.get(1..i).unwrap_or_default();
            // Anything between the closing quote and the comma is kept, as csv readers do.
            let after = rest.get(i + 1..).unwrap_or_default();
            let comma = memchr::memchr(b',', after);
            let tail = &after[..comma.unwrap_or(after.len())];
            match comma {
                Some(c) => p += i + 1 + c + 1,
                None => done = true,
            }
            let mut v = text(inner);
            if escaped {
                v = Cow::Owned(v.replace("\"\"", "\""));
            }
            if !tail.is_empty() {
                v = Cow::Owned(format!("{v}{}", String::from_utf8_lossy(tail)));
            }
            Some(v)
        } else {
            let comma = memchr::memchr(b',', rest);
            let f = &rest[..comma.unwrap_or(rest.len())];
            match comma {
                Some(c) => p += c + 1,
                None => done = true,
            }
            Some(text(f))
        }
    })
}

fn text(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_multiline_and_escapes() {
        let data = b"\xEF\xBB\xBFTimestamp,DeviceName,ProcessCommandLine\r\n2024-01-01T00:00:00Z,pc1,\"cmd /c \"\"echo a,b\"\"\r\nsecond line\"\r\n\r\n2024-01-01T00:00:01Z,pc2,plain\n";
        let h = header(data).unwrap();
        assert_eq!(h.names, ["Timestamp", "DeviceName", "ProcessCommandLine"]);
        let r = record_ranges(data, h.data_start);
        assert_eq!(r.len(), 2);
        let rec = |i: usize| &data[r[i].0 as usize..(r[i].0 + u64::from(r[i].1)) as usize];
        let f: Vec<_> = fields(rec(0)).collect();
        assert_eq!(
            f,
            [
                "2024-01-01T00:00:00Z",
                "pc1",
                "cmd /c \"echo a,b\"\r\nsecond line"
            ]
        );
        let f: Vec<_> = fields(rec(1)).collect();
        assert!(matches!(f[2], Cow::Borrowed("plain")));
    }

    #[test]
    fn damaged_fields_do_not_panic() {
        for rec in [
            &b"\""[..],
            b"\"abc",
            b"a,\"b\"x,c",
            b",,",
            b"\"\"\"",
            b"\xff,\"\xfe\"",
        ] {
            let n = fields(rec).count();
            assert!(n >= 1);
        }
        let f: Vec<_> = fields(b"a,\"b\"x,c").collect();
        assert_eq!(f, ["a", "bx", "c"]);
        assert_eq!(fields(b",,").count(), 3);
        // An unbalanced quote runs to the end: one record, not a panic.
        assert_eq!(record_ranges(b"a,\"b\nc\nd", 0).len(), 1);
    }

    /// Old Mac exports end lines with CR only: one record per line, not one for the file.
    #[test]
    fn cr_only_line_ends() {
        let data =
            b"Timestamp,DeviceName\r2024-01-01T00:00:00Z,pc1\r2024-01-01T00:00:01Z,\"a\rb\"\r";
        let h = header(data).unwrap();
        assert_eq!(h.names, ["Timestamp", "DeviceName"]);
        let r = record_ranges(data, h.data_start);
        assert_eq!(r.len(), 2);
        let rec = |i: usize| &data[r[i].0 as usize..(r[i].0 + u64::from(r[i].1)) as usize];
        assert_eq!(
            fields(rec(0)).collect::<Vec<_>>(),
            ["2024-01-01T00:00:00Z", "pc1"]
        );
        assert_eq!(fields(rec(1)).nth(1).unwrap(), "a\rb");
    }
}
