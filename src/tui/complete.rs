//! Tab in a query prompt: the word before the cursor is a field name to complete
//! (`us` → `user:`), or the value of the field it follows (`user:ad` → `user:adm.schneider`,
//! from the values the loaded events have, most frequent first).

/// What the word before the cursor asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Want {
    Name,
    /// A value of `field` (as typed).
    Value(String),
}

/// The word to complete: where it starts (a char index), what it is, what was typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub want: Want,
    /// The typed part, without a leading quote.
    pub typed: String,
}

fn name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '@' | '.' | '-')
}

/// The word that ends at char `cursor` of `text`.
pub fn word_at(text: &str, cursor: usize) -> Word {
    let chars: Vec<char> = text.chars().take(cursor).collect();
    // The term starts after the last space or parenthesis outside quotes.
    // (`a:1, 2` is one term: a list goes on after a comma and spaces.)
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    let mut last = ' ';
    for (i, &c) in chars.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ' ' if !quoted && last == ',' => continue,
            ' ' | '(' | ')' if !quoted => start = i + 1,
            _ => {}
        }
        last = c;
    }
    if chars.get(start) == Some(&'-') {
        start += 1;
    }
    let term: String = chars[start.min(chars.len())..].iter().collect();
    let colon = term.find(':').filter(|&at| {
        at > 0
            && term[..at].chars().all(name_char)
            && term[..at]
                .chars()
                .next()
                .is_some_and(|c| !c.is_ascii_digit())
    });
    let Some(at) = colon else {
        return Word {
            start,
            want: Want::Name,
            typed: term,
        };
    };
    let field = term[..at].to_string();
    // A list continues after a comma outside quotes; the value may open with a quote.
    let value = &term[at + 1..];
    let mut vstart = 0;
    let mut q = false;
    for (i, c) in value.char_indices() {
        match c {
            '"' => q = !q,
            ',' if !q => vstart = i + 1,
            _ => {}
        }
    }
    let v = value[vstart..].trim_start();
    let skipped = value[vstart..].len() - v.len();
    let start = start + term[..at + 1].chars().count() + value[..vstart + skipped].chars().count();
    Word {
        start,
        want: Want::Value(field),
        typed: v.trim_start_matches('"').to_string(),
    }
}

/// A value as the query language reads it: bare when it is a plain word, else quoted
/// with `\` and `"` escaped.
pub fn quote(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | '$' | '/'));
    if plain {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.to_lowercase().starts_with(&prefix.to_lowercase())
}

/// What may replace the word: field names (with their `:`) or values (quoted as needed),
/// those starting with what was typed (ignoring case), in the order given.
pub fn candidates<'a>(w: &Word, options: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for o in options {
        if !starts_with_ci(o, &w.typed) {
            continue;
        }
        let c = match w.want {
            Want::Name => format!("{o}:"),
            Want::Value(_) => quote(o),
        };
        if !out.iter().any(|x| x.eq_ignore_ascii_case(&c)) {
            out.push(c);
        }
    }
    out
}

/// The longest start every candidate shares (ignoring case), in the first one's spelling.
pub fn common_prefix(cands: &[String]) -> String {
    let Some(first) = cands.first() else {
        return String::new();
    };
    let mut n = first.chars().count();
    for c in &cands[1..] {
        n = n.min(
            first
                .chars()
                .zip(c.chars())
                .take_while(|(a, b)| a.to_lowercase().eq(b.to_lowercase()))
                .count(),
        );
    }
    first.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_before_the_cursor_is_a_name_or_a_value() {
        let w = word_at("event_id:4624 us", 16);
        assert_eq!((w.start, w.want, w.typed.as_str()), (14, Want::Name, "us"));
        let w = word_at("(NOT -host:ws", 13);
        assert_eq!(w.want, Want::Value("host".into()));
        assert_eq!((w.start, w.typed.as_str()), (11, "ws"));
        let w = word_at("user:\"NT AU", 11);
        assert_eq!(w.want, Want::Value("user".into()));
        assert_eq!((w.start, w.typed.as_str()), (5, "NT AU"));
        let w = word_at("event_id:4624, 46", 17);
        assert_eq!((w.start, w.typed.as_str()), (15, "46"));
        // Only up to the cursor.
        let w = word_at("user:alice AND x", 7);
        assert_eq!((w.start, w.typed.as_str()), (5, "al"));
        // An address with a port is a word, not a field.
        assert_eq!(word_at("10.0.0.1:44", 11).want, Want::Name);
    }

    #[test]
    fn candidates_are_quoted_and_share_a_prefix() {
        let w = word_at("us", 2);
        assert_eq!(candidates(&w, ["user", "User", "url", "host"]), ["user:"]);
        let w = word_at("user:nt", 7);
        let c = candidates(&w, ["NT AUTHORITY\\SYSTEM", "nt.user", "alice"]);
        assert_eq!(c, ["\"NT AUTHORITY\\\\SYSTEM\"", "nt.user"]);
        let c = vec!["WS-RECEPTION-01".to_string(), "ws-reception-02".to_string()];
        assert_eq!(common_prefix(&c), "WS-RECEPTION-0");
        assert_eq!(common_prefix(&[]), "");
        assert_eq!(quote("4624"), "4624");
        assert_eq!(quote("a b\"c"), "\"a b\\\"c\"");
    }
}
