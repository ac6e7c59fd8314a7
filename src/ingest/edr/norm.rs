//! What the EDR formats share once a record is flattened: field lookups, time selection,
//! the one-line summary, sniffing helpers and the generic JSON/CSV record parsers that run
//! a format's mapping function.

use super::{csv, json, time};
use crate::ingest::{ParseCtx, Prepared, Reason, RecordParser, Records};
use crate::model::{Fields, Norm, TzSpec};
use std::borrow::Cow;

/// Maps a flattened record (`out.raw`) to normalised fields and sets `out.ts`.
pub type MapFn = for<'a> fn(&mut Fields<'a>, &TzSpec) -> Result<(), Reason>;

/// A JSON record parser: flatten, then the format's mapping.
pub struct JsonParser {
    pub tz: TzSpec,
    pub map: MapFn,
}

impl RecordParser for JsonParser {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        json::flatten(rec, &mut out.raw)?;
        (self.map)(out, &self.tz)
    }
}

impl JsonParser {
    /// `data` as JSON records for `map`: one document, an array, lines, or a batch whose
    /// records sit under one of `batch_keys` (see `json::split`); the note names the shape.
    pub fn prepare(data: &[u8], batch_keys: &[&str], ctx: &ParseCtx, map: MapFn) -> Prepared {
        let (records, shape) = json::split(data, batch_keys);
        Prepared {
            parser: Box::new(JsonParser { tz: ctx.tz, map }),
            records,
            note: Some(shape.to_owned()),
        }
    }
}

/// A CSV record parser: header names → fields, then the format's mapping.
pub struct CsvParser {
    pub tz: TzSpec,
    pub names: Vec<String>,
    pub map: MapFn,
}

impl RecordParser for CsvParser {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        let mut n = 0;
        for (name, v) in self.names.iter().zip(csv::fields(rec)) {
            n += 1;
            if !v.is_empty() {
                // Borrowed from the parser, which outlives the fields it fills: a copy of
                // every column name per record cost an allocation each.
                out.raw.push((Cow::Borrowed(name.as_str()), v));
            }
        }
        if n < self.names.len() / 2 {
            return Err(Reason::Owned(format!(
                "CSV record has {n} of {} columns",
                self.names.len()
            )));
        }
        (self.map)(out, &self.tz)
    }
}

/// A raw field by exact name, skipping empty values.
pub fn get<'a>(f: &Fields<'a>, name: &str) -> Option<Cow<'a, str>> {
    f.raw
        .iter()
        .find(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v.clone())
}

/// The first of `names` that is present.
pub fn first<'a>(f: &Fields<'a>, names: &[&str]) -> Option<Cow<'a, str>> {
    names.iter().find_map(|n| get(f, n))
}

/// Sets `n` from the first of `names` present (unless already set).
pub fn set_from(f: &mut Fields<'_>, n: Norm, names: &[&str]) {
    if f.get(n).is_none()
        && let Some(v) = first(f, names)
    {
        f.set(n, v);
    }
}

/// An alert's severity, from the first of `severity` present, and its message: `alert`
/// and the first of `names` present (clipped), unless none is.
pub fn set_alert(f: &mut Fields<'_>, severity: &[&str], names: &[&str]) {
    set_from(f, Norm::Severity, severity);
    if let Some(name) = first(f, names) {
        f.set(Norm::Message, format!("alert {}", clip(&name, 300)));
    }
}

/// Where normalised fields come from: `(field, names)`, names best first.
pub type FieldMap<'a> = &'a [(Norm, &'a [&'a str])];

/// `set_from` for each `(field, names)`, in order.
pub fn set_from_each(f: &mut Fields<'_>, map: FieldMap<'_>) {
    for &(n, names) in map {
        set_from(f, n, names);
    }
}

/// As `set_from`, with the base name of the path found (`C:\x\a.exe` → `a.exe`).
pub fn set_basename_from(f: &mut Fields<'_>, n: Norm, names: &[&str]) {
    if f.get(n).is_none()
        && let Some(p) = first(f, names)
    {
        f.set(n, basename(p));
    }
}

/// Drops `prefix` from every field name that has it (a wrapper level).
pub fn strip_key_prefix(raw: &mut json::Pairs<'_>, prefix: &str) {
    for (k, _) in raw.iter_mut() {
        if !k.starts_with(prefix) {
            continue;
        }
        *k = match std::mem::take(k) {
            Cow::Borrowed(b) => Cow::Borrowed(b.get(prefix.len()..).unwrap_or(b)),
            Cow::Owned(s) => Cow::Owned(s.get(prefix.len()..).unwrap_or(&s).to_owned()),
        };
    }
}

/// The file name of a Windows or Unix path.
pub fn basename(p: Cow<'_, str>) -> Cow<'_, str> {
    match p {
        Cow::Borrowed(s) => Cow::Borrowed(base(s)),
        Cow::Owned(s) => Cow::Owned(base(&s).to_owned()),
    }
}

fn base(s: &str) -> &str {
    let s = s.trim_end_matches(['\\', '/']);
    s.rsplit(['\\', '/']).next().unwrap_or(s)
}

/// Sets `ts` from the first of `names` present; returns the field used. A field that is
/// present but unreadable is an error, never a fall-back to a fake time. An epoch number
/// is read in the unit its name or magnitude gives, cross-checked against the record's
/// other fields of `names` (see `time::epoch_field`).
pub fn set_time(
    f: &mut Fields<'_>,
    names: &[&'static str],
    tz: &TzSpec,
) -> Result<&'static str, Reason> {
    for (i, &n) in names.iter().enumerate() {
        if let Some(v) = get(f, n) {
            let epoch = time::epoch_field(n, &v, &[]);
            let read = match epoch {
                Some(t) => Some(cross_check(f, n, &v, t, &names[i + 1..], tz)),
                None => time::parse_any(&v, tz),
            };
            return match read {
                Some(ts) => {
                    f.ts = ts;
                    Ok(n)
                }
                // A real date outside the nanosecond range (FILETIME 0 = 1601 in exported
                // Windows events): kept, flagged by the driver, shown as written.
                None if chrono::DateTime::parse_from_rfc3339(v.trim()).is_ok() => {
                    f.ts = i64::MIN;
                    Ok(n)
                }
                None => Err(Reason::Owned(format!("no usable time in field {n}"))),
            };
        }
    }
    Err(Reason::Owned(format!(
        "no usable time in field {}",
        names.first().copied().unwrap_or("time")
    )))
}

/// An epoch reading `t` of field `name` checked against the record's other time fields:
/// only when it is implausible, and only those that are plausible themselves count.
fn cross_check(f: &Fields<'_>, name: &str, v: &str, t: i64, others: &[&str], tz: &TzSpec) -> i64 {
    use crate::model::{PLAUSIBLE_FROM, now_ns, plausible_until};
    let ok = |t: i64| (PLAUSIBLE_FROM..=plausible_until(now_ns())).contains(&t);
    if ok(t) {
        return t;
    }
    let refs: Vec<i64> = others
        .iter()
        .filter_map(|o| get(f, o))
        .filter_map(|o| time::parse_any(&o, tz))
        .filter(|&o| ok(o))
        .collect();
    time::epoch_field(name, v, &refs).unwrap_or(t)
}

/// At most `max` bytes of `s`, cut on a character boundary.
pub fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Builds the one-line `message` from the normalised fields, unless the format set one:
/// `process powershell.exe -enc ... (parent winword.exe)`, `network a:1 -> b:2`...
pub fn summarise(f: &mut Fields<'_>) {
    if f.skips_message() || f.get(Norm::Message).is_some() {
        return;
    }
    let g = |n: Norm| f.get(n).unwrap_or("");
    let mut m = String::new();
    let what = match g(Norm::Category) {
        "" => g(Norm::EventId),
        c => c,
    };
    m.push_str(what);
    let act = g(Norm::Action);
    if !act.is_empty() && act != what {
        push(&mut m, act);
    }
    let cmd = g(Norm::Cmdline);
    if !cmd.is_empty() {
        push(&mut m, clip(cmd, 240));
    } else {
        push(&mut m, g(Norm::Process));
    }
    if !g(Norm::DstIp).is_empty() || !g(Norm::SrcIp).is_empty() {
        let ep = |ip: &str, port: &str| {
            if port.is_empty() {
                ip.to_owned()
            } else {
                format!("{ip}:{port}")
            }
        };
        push(&mut m, &ep(g(Norm::SrcIp), g(Norm::SrcPort)));
        m.push_str(" ->");
        push(&mut m, &ep(g(Norm::DstIp), g(Norm::DstPort)));
    }
    // A process's own image path adds nothing to its command line.
    if what != "process" {
        push(&mut m, clip(g(Norm::File), 240));
    }
    let user = g(Norm::User);
    if !user.is_empty() {
        push(&mut m, &format!("user {user}"));
    }
    let parent = g(Norm::Parent);
    if !parent.is_empty() {
        push(&mut m, &format!("(parent {parent})"));
    }
    // One line: control characters from the log stay out of the summary.
    let m: String = m
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    f.set(Norm::Message, m);
}

fn push(m: &mut String, s: &str) {
    if s.is_empty() {
        return;
    }
    if !m.is_empty() {
        m.push(' ');
    }
    m.push_str(s);
}

/// The bytes of the first record (for notes on what `prepare` found).
pub fn first_record<'d>(data: &'d [u8], records: &Records) -> Option<&'d [u8]> {
    match records {
        Records::Ranges(v) => {
            let &(o, l) = v.first()?;
            let o = usize::try_from(o).ok()?;
            data.get(o..o.checked_add(l as usize)?)
        }
        Records::Lines { start, .. } => crate::ingest::text::lines(data.get(*start..)?)
            .find(|l| !l.iter().all(u8::is_ascii_whitespace)),
    }
}

/// Describes the time field the first record used, flagging a zone-less one.
pub fn time_note(field: &str, value: Option<&str>, tz: &TzSpec) -> String {
    match value {
        Some(v) if time::is_naive(v) => {
            format!("time field {field} (no zone: read in {tz}, see --tz)")
        }
        _ => format!("time field {field}"),
    }
}

/// `head` without BOM, leading whitespace and an evtx_dump `Record 1` line, if it starts
/// like JSON.
pub fn json_head(head: &[u8]) -> Option<&[u8]> {
    let h = head.get(json::skip_record_header(head, json::skip_ws(head, 0))..)?;
    matches!(h.first(), Some(b'{' | b'[')).then_some(h)
}

/// Whether `head` contains `needle`.
pub fn has(head: &[u8], needle: &str) -> bool {
    memchr::memmem::find(head, needle.as_bytes()).is_some()
}

/// How many of `needles` occur in `head`.
pub fn count(head: &[u8], needles: &[&str]) -> usize {
    needles.iter().filter(|n| has(head, n)).count()
}

/// Whether `head` is a CSV whose header line holds all of `cols`.
pub fn csv_header_has(head: &[u8], cols: &[&str]) -> bool {
    match csv::header(head) {
        Some(h) => cols.iter().all(|c| h.names.iter().any(|n| n == c)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basenames() {
        assert_eq!(basename(Cow::Borrowed("C:\\Windows\\cmd.exe")), "cmd.exe");
        assert_eq!(basename(Cow::Borrowed("/bin/sh")), "sh");
        assert_eq!(basename(Cow::Borrowed("sh")), "sh");
        assert_eq!(basename(Cow::Owned("a/".into())), "a");
    }

    #[test]
    fn clip_on_char_boundary() {
        assert_eq!(clip("aé", 2), "a");
        assert_eq!(clip("abc", 5), "abc");
    }

    #[test]
    fn summary_line() {
        let mut f = Fields::new();
        f.set(Norm::Category, "process");
        f.set(Norm::Cmdline, "powershell.exe -enc\nAAA");
        f.set(Norm::Parent, "winword.exe");
        summarise(&mut f);
        assert_eq!(
            f.get(Norm::Message),
            Some("process powershell.exe -enc AAA (parent winword.exe)")
        );
    }

    #[test]
    fn no_summary_for_a_reader_without_message() {
        let mut f = Fields::without_message();
        f.set(Norm::Category, "process");
        f.set(Norm::Cmdline, "cmd.exe");
        summarise(&mut f);
        assert_eq!(f.get(Norm::Message), None);
        assert_eq!(f.get(Norm::Cmdline), Some("cmd.exe"));
        f.clear();
        assert!(f.skips_message());
    }
}
