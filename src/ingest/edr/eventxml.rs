//! Windows event XML carried inside JSON (Log Analytics `SyslogMessage`/`EventData`,
//! Splunk `_raw`): System values and `<Data Name=..>` pairs under the names the EVTX
//! parser uses. A small tag scanner, not a validating XML parser: damaged XML yields
//! fewer fields, never a panic.

use std::borrow::Cow;

/// Pushes the fields of one event's XML into `out` (owned values).
pub fn extract<'a>(xml: &str, out: &mut Vec<(Cow<'a, str>, Cow<'a, str>)>) {
    let mut push = |k: &str, v: String| out.push((Cow::Owned(k.to_owned()), Cow::Owned(v)));
    let mut stack: Vec<&str> = Vec::new();
    let mut data_name: Option<String> = None;
    let mut i = 0usize;
    while let Some(rel) = xml.get(i..).and_then(|s| s.find('<')) {
        let lt = i + rel;
        let text = xml.get(i..lt).unwrap_or("");
        if !text.trim().is_empty()
            && let Some(&el) = stack.last()
        {
            let v = unescape(text);
            if el == "Data" {
                push(data_name.as_deref().unwrap_or("Data"), v);
            } else if crate::ingest::evtx::schema::TEXT_ELEMENTS.contains(&el)
                || stack.contains(&"UserData")
            {
                push(el, v);
            }
        }
        // CDATA keeps its text verbatim.
        if xml.get(lt..).is_some_and(|s| s.starts_with("<![CDATA[")) {
            let Some(end) = xml.get(lt..).and_then(|s| s.find("]]>")) else {
                return;
            };
            if let (Some(&el), Some(t)) = (stack.last(), xml.get(lt + 9..lt + end)) {
                push(
                    if el == "Data" {
                        data_name.as_deref().unwrap_or("Data")
                    } else {
                        el
                    },
                    t.to_owned(),
                );
            }
            i = lt + end + 3;
            continue;
        }
        let Some(gt) = xml.get(lt..).and_then(|s| s.find('>')).map(|g| lt + g) else {
            return;
        };
        let tag = xml.get(lt + 1..gt).unwrap_or("");
        i = gt + 1;
        if let Some(close) = tag.strip_prefix('/') {
            let name = local(close.trim());
            if let Some(pos) = stack.iter().rposition(|e| *e == name) {
                stack.truncate(pos);
            }
            continue;
        }
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, attrs) = match tag.find(|c: char| c.is_ascii_whitespace()) {
            Some(p) => (local(&tag[..p]), &tag[p..]),
            None => (local(tag), ""),
        };
        match name {
            "Provider" => {
                if let Some(v) = attr(attrs, "Name") {
                    push("Provider", v);
                }
            }
            "TimeCreated" => {
                if let Some(v) = attr(attrs, "SystemTime") {
                    push("TimeCreated", v);
                }
            }
            "Execution" => {
                for a in ["ProcessID", "ThreadID"] {
                    if let Some(v) = attr(attrs, a) {
                        push(a, v);
                    }
                }
            }
            "Security" => {
                if let Some(v) = attr(attrs, "UserID") {
                    push("UserID", v);
                }
            }
            "Data" => data_name = attr(attrs, "Name"),
            _ => {}
        }
        if !self_closing {
            stack.push(name);
        }
    }
}

/// A name without its namespace prefix.
fn local(n: &str) -> &str {
    n.rsplit(':').next().unwrap_or(n)
}

/// An attribute's value (name compared case-insensitively: Linux Sysmon writes `UserId`).
fn attr(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    loop {
        let eq = rest.find('=')?;
        let key = rest.get(..eq)?.trim();
        let after = rest.get(eq + 1..)?.trim_start();
        let q = after.chars().next()?;
        if q != '"' && q != '\'' {
            return None;
        }
        let body = after.get(1..)?;
        let end = body.find(q)?;
        if key.eq_ignore_ascii_case(name) {
            return Some(unescape(body.get(..end)?));
        }
        rest = body.get(end + 1..)?;
    }
}

/// Decodes the five XML entities and numeric character references.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let tail = &rest[p..];
        let semi = tail.find(';').filter(|&e| e <= 10);
        let ent = semi.and_then(|e| tail.get(1..e));
        let ch = match ent {
            Some("lt") => Some('<'),
            Some("gt") => Some('>'),
            Some("amp") => Some('&'),
            Some("quot") => Some('"'),
            Some("apos") => Some('\''),
            Some(e) if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(e.get(2..).unwrap_or(""), 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            Some(e) if e.starts_with('#') => e
                .get(1..)
                .and_then(|d| d.parse().ok())
                .and_then(char::from_u32),
            _ => None,
        };
        match (ch, semi) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(xml: &str) -> Vec<(String, String)> {
        let mut v = Vec::new();
        extract(xml, &mut v);
        v.into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn system_and_data() {
        let x = r#"<Event xmlns="x"><System><Provider Name="Linux-Sysmon" Guid="{g}"/><EventID>5</EventID><TimeCreated SystemTime="2022-05-11T18:10:20.399931000Z"/><EventRecordID>245753</EventRecordID><Execution ProcessID="1590" ThreadID="1591"/><Channel>Linux-Sysmon/Operational</Channel><Computer>UBUNTU5</Computer><Security UserId="0"/></System><EventData><Data Name="Image">/bin/a&amp;b</Data><Data Name="User">root</Data><Data Name="Empty"/><Data>x&#x41;&lt;</Data></EventData></Event>"#;
        let v = run(x);
        let get = |k: &str| v.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("Provider"), Some("Linux-Sysmon"));
        assert_eq!(get("EventID"), Some("5"));
        assert_eq!(get("TimeCreated"), Some("2022-05-11T18:10:20.399931000Z"));
        assert_eq!(get("ProcessID"), Some("1590"));
        assert_eq!(get("ThreadID"), Some("1591"));
        assert_eq!(get("UserID"), Some("0"));
        assert_eq!(get("Computer"), Some("UBUNTU5"));
        assert_eq!(get("Image"), Some("/bin/a&b"));
        assert_eq!(get("User"), Some("root"));
        assert_eq!(get("Data"), Some("xA<"));
    }

    #[test]
    fn damaged_xml_does_not_panic() {
        for x in [
            "<",
            "<Event",
            "<Data Name=\"a",
            "<![CDATA[abc",
            "</x>text<",
            "&#xFFFFFFFF;&#99999999999;&",
            "<a b='1' c=>x</a>",
        ] {
            run(x);
        }
        assert_eq!(unescape("a &bogus; b & c"), "a &bogus; b & c");
    }
}
