//! Copying to the clipboard of the terminal the user sits at, through OSC 52: it works
//! over SSH and inside tmux (with `set-clipboard on`), with nothing installed on the box.

use base64::Engine;

/// Most bytes sent in one copy: terminals drop larger OSC 52 payloads (xterm's default
/// limit is about 100 000 base64 characters).
pub const MAX_COPY: usize = 64 * 1024;

/// The OSC 52 sequence setting the clipboard to `text` (cut at a character boundary at
/// `MAX_COPY` bytes) and whether it was cut. The value is sent as it is: base64 carries
/// any byte, so nothing of it is filtered or changed.
pub fn osc52(text: &str) -> (Vec<u8>, bool) {
    let mut end = text.len().min(MAX_COPY);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(&text.as_bytes()[..end]);
    let mut seq = Vec::with_capacity(b64.len() + 8);
    seq.extend_from_slice(b"\x1b]52;c;");
    seq.extend_from_slice(b64.as_bytes());
    seq.push(0x07);
    (seq, end < text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_goes_out_as_base64_untouched() {
        let (seq, cut) = osc52("cmd.exe /c \"a\tb\"\u{1b}[31m");
        assert!(!cut);
        let s = String::from_utf8(seq).unwrap();
        let body = s
            .strip_prefix("\u{1b}]52;c;")
            .and_then(|b| b.strip_suffix('\u{7}'))
            .unwrap();
        let back = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        assert_eq!(back, "cmd.exe /c \"a\tb\"\u{1b}[31m".as_bytes());
        let big = "é".repeat(MAX_COPY);
        let (_, cut) = osc52(&big);
        assert!(cut);
    }
}
