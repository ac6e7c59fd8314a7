//! CSV by position (PAN-OS, filterlog): a borrowing splitter that honours quoted fields
//! with commas and `""` escapes, into a fixed array so the hot path does not allocate.

use std::borrow::Cow;

/// Splits `line` on commas into `out`; returns the number of fields written. Fields past
/// `out.len()` are dropped (the count says how many were kept). Surrounding quotes are
/// stripped; `""` inside stays until [`field`] resolves it.
pub fn split<'a>(line: &'a [u8], out: &mut [&'a [u8]]) -> usize {
    let mut n = 0;
    let mut i = 0;
    let len = line.len();
    loop {
        if n >= out.len() {
            return n;
        }
        if line.get(i) == Some(&b'"') {
            // Quoted: find the closing quote that is not doubled.
            let start = i + 1;
            let mut j = start;
            let mut end = len;
            while j < len {
                if line[j] == b'"' {
                    if line.get(j + 1) == Some(&b'"') {
                        j += 2;
                        continue;
                    }
                    end = j;
                    break;
                }
                j += 1;
            }
            out[n] = &line[start.min(len)..end];
            n += 1;
            // Skip to the comma after the closing quote.
            let after = (end + 1).min(len);
            match memchr::memchr(b',', &line[after..]) {
                Some(c) => i = after + c + 1,
                None => return n,
            }
        } else {
            match memchr::memchr(b',', &line[i.min(len)..]) {
                Some(c) => {
                    out[n] = &line[i..i + c];
                    n += 1;
                    i += c + 1;
                }
                None => {
                    out[n] = &line[i.min(len)..];
                    return n + 1;
                }
            }
        }
    }
}

/// A field as text with `""` resolved; borrowed unless it needs changing.
pub fn field(b: &[u8]) -> Cow<'_, str> {
    let s = super::text::cow(b);
    if s.contains("\"\"") {
        Cow::Owned(s.replace("\"\"", "\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_commas_and_empties() {
        let mut out = [&b""[..]; 8];
        let n = split(br#"a,,"b,c","d""e",f,"#, &mut out);
        assert_eq!(n, 6);
        assert_eq!(out[..n], [&b"a"[..], b"", b"b,c", br#"d""e"#, b"f", b""]);
        assert_eq!(field(out[3]), "d\"e");
    }

    #[test]
    fn truncated_and_overflow() {
        let mut out = [&b""[..]; 2];
        assert_eq!(split(b"a,b,c,d", &mut out), 2);
        let mut out = [&b""[..]; 4];
        let n = split(br#"x,"unterminated, still"#, &mut out);
        assert_eq!(n, 2);
        assert_eq!(out[1], b"unterminated, still");
        assert_eq!(split(b"", &mut out), 1);
    }
}
