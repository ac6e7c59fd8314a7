//! `vigil report`: the Markdown narrative of a case (DESIGN §8, §9): early-detection points
//! in time order with the analyst's reasons, the annotated timeline, per-host activity,
//! dwell time, sources with their verification status, and who annotated.
//!
//! Event copies and even notes are attacker-influenced (messages come from the logs), so
//! every piece of case text goes through `inline`/`cell`: control characters stripped,
//! bidi and zero-width characters made visible, Markdown and HTML syntax escaped.

use crate::case::{Annotation, CaseFile, Kind, SourceStatus, Verify};
use crate::model::{TzSpec, format_display};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Longest message shown in a table cell, in characters (the full one is in the case file).
const CELL_MAX: usize = 160;
/// Longest message shown in the early-detection section.
const TEXT_MAX: usize = 2000;

/// Renders the report. `statuses` come from `Case::verify_sources` (may be empty: then
/// sources show as "not checked").
pub fn markdown(case: &CaseFile, statuses: &[SourceStatus]) -> String {
    let mut anns: Vec<&Annotation> = case.annotations.iter().collect();
    anns.sort_by(|a, b| (a.key.ts, &a.id).cmp(&(b.key.ts, &b.id)));
    let early: Vec<&Annotation> = anns
        .iter()
        .copied()
        .filter(|a| a.kind == Kind::EarlyDetection)
        .collect();

    let mut o = String::new();
    o.push_str("# Incident timeline report\n\n");
    o.push_str("All times are UTC.\n\n");
    summary(&mut o, case, &anns, &early, statuses);
    early_points(&mut o, &early);
    timeline(&mut o, &anns);
    hosts(&mut o, &anns);
    sources(&mut o, case, statuses);
    analysts(&mut o, &anns);
    o
}

fn summary(
    o: &mut String,
    case: &CaseFile,
    anns: &[&Annotation],
    early: &[&Annotation],
    st: &[SourceStatus],
) {
    o.push_str("## Summary\n\n");
    let by_kind: Vec<String> = Kind::ALL
        .iter()
        .filter_map(|k| {
            let n = anns.iter().filter(|a| a.kind == *k).count();
            (n > 0).then(|| format!("{} {n}", k.label().to_lowercase()))
        })
        .collect();
    let _ = write!(o, "- **Annotations:** {}", anns.len());
    if !by_kind.is_empty() {
        let _ = write!(o, " ({})", by_kind.join(", "));
    }
    o.push('\n');
    let hosts = per_host(anns).len();
    let _ = writeln!(o, "- **Hosts with annotated activity:** {hosts}");
    if let (Some(first), Some(last)) = (anns.first(), anns.last()) {
        let _ = writeln!(
            o,
            "- **Annotated span:** {} → {}",
            time(first.key.ts),
            time(last.key.ts)
        );
    }
    let _ = writeln!(
        o,
        "- **Dwell (first early-detection point → last annotated event):** {}",
        dwell(early, anns)
    );
    let count = |want: &str| st.iter().filter(|s| s.status.label() == want).count();
    let _ = write!(o, "- **Sources:** {}", case.sources.len());
    if !st.is_empty() {
        let parts: Vec<String> = ["ok", "changed", "missing", "unreadable"]
            .iter()
            .map(|l| (l, count(l)))
            .filter(|(_, n)| *n > 0)
            .map(|(l, n)| format!("{n} {l}"))
            .collect();
        let _ = write!(o, " ({})", parts.join(", "));
    }
    o.push('\n');
    let authors: Vec<String> = per_author(anns)
        .into_iter()
        .map(|(a, v)| format!("{} ({})", inline(a), v.len()))
        .collect();
    let _ = writeln!(
        o,
        "- **Analysts:** {}",
        if authors.is_empty() {
            "none".to_owned()
        } else {
            authors.join(", ")
        }
    );
    o.push('\n');
}

fn dwell(early: &[&Annotation], anns: &[&Annotation]) -> String {
    match (early.first(), anns.last()) {
        (Some(e), Some(l)) => duration(l.key.ts.saturating_sub(e.key.ts)),
        _ => "n/a (no early-detection point marked)".to_owned(),
    }
}

/// Opens section `title`; with nothing to list (`empty`) it says `none` (Markdown, its
/// own line ends included) and gives `false`: the section ends there.
fn section(o: &mut String, title: &str, empty: bool, none: &str) -> bool {
    o.push_str("## ");
    o.push_str(title);
    o.push_str("\n\n");
    if empty {
        o.push_str(none);
    }
    !empty
}

fn early_points(o: &mut String, early: &[&Annotation]) {
    if !section(
        o,
        "Early-detection points",
        early.is_empty(),
        "_No early-detection points were marked._\n\n",
    ) {
        return;
    }
    for (i, a) in early.iter().enumerate() {
        let _ = writeln!(
            o,
            "### {}. {} — {}\n",
            i + 1,
            time(a.key.ts),
            or_dash(&inline(&a.event.host))
        );
        let _ = writeln!(o, "- **What:** {}", what(a, TEXT_MAX));
        o.push_str("- **Why:** ");
        if a.note.trim().is_empty() {
            o.push_str("_no note_\n");
        } else {
            // Each note line becomes its own escaped continuation line of the bullet.
            let lines: Vec<String> = a
                .note
                .lines()
                .map(block_line)
                .filter(|l| !l.is_empty())
                .collect();
            o.push_str(&lines.join("\\\n  "));
            o.push('\n');
        }
        let _ = writeln!(
            o,
            "- **Severity:** {}",
            a.severity.map_or("unrated", |s| s.label())
        );
        let _ = writeln!(o, "- **Tags:** {}", or_dash(&tags(a)));
        let _ = writeln!(
            o,
            "- **Source:** {} at {}",
            or_dash(&inline(&a.event.source)),
            inline(&a.key.locator)
        );
        let _ = writeln!(
            o,
            "- **Annotated by:** {} ({})\n",
            or_dash(&inline(&a.author)),
            inline(&a.created)
        );
    }
}

fn timeline(o: &mut String, anns: &[&Annotation]) {
    if !section(
        o,
        "Timeline of annotated events",
        anns.is_empty(),
        "_No annotations._\n\n",
    ) {
        return;
    }
    o.push_str("| Time (UTC) | Kind | Severity | Host | Event | Note | Tags |\n");
    o.push_str("|---|---|---|---|---|---|---|\n");
    for a in anns {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            time(a.key.ts),
            a.kind.label(),
            a.severity.map_or("", |s| s.label()),
            cell(&a.event.host, CELL_MAX),
            what(a, CELL_MAX),
            cell(&a.note, CELL_MAX),
            tags(a)
        );
    }
    o.push('\n');
}

type Span = (i64, i64, usize);

fn per_host<'a>(anns: &[&'a Annotation]) -> BTreeMap<&'a str, Span> {
    let mut m: BTreeMap<&str, Span> = BTreeMap::new();
    for a in anns {
        let e = m
            .entry(a.event.host.as_str())
            .or_insert((a.key.ts, a.key.ts, 0));
        e.0 = e.0.min(a.key.ts);
        e.1 = e.1.max(a.key.ts);
        e.2 += 1;
    }
    m
}

fn hosts(o: &mut String, anns: &[&Annotation]) {
    let m = per_host(anns);
    if !section(
        o,
        "Activity per host",
        m.is_empty(),
        "_No annotated activity._\n\n",
    ) {
        return;
    }
    o.push_str("| Host | First annotated | Last annotated | Annotations |\n|---|---|---|---|\n");
    for (h, (first, last, n)) in m {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {n} |",
            or_dash(&cell(h, CELL_MAX)),
            time(first),
            time(last)
        );
    }
    o.push('\n');
}

fn sources(o: &mut String, case: &CaseFile, st: &[SourceStatus]) {
    if !section(
        o,
        "Sources",
        case.sources.is_empty(),
        "_No sources recorded._\n\n",
    ) {
        return;
    }
    o.push_str("| Path | Format | Bytes | SHA-256 | Zone | Skew | Verification |\n|---|---|---|---|---|---|---|\n");
    let mut list: Vec<_> = case.sources.iter().collect();
    list.sort_by(|a, b| (&a.path, &a.sha256).cmp(&(&b.path, &b.sha256)));
    for s in list {
        let status = match st.iter().find(|x| x.path == s.path).map(|x| &x.status) {
            None => "not checked".to_owned(),
            Some(Verify::Ok) => "ok".to_owned(),
            Some(Verify::Missing) => "**missing**".to_owned(),
            Some(Verify::Changed { found, .. }) => format!("**changed** (now {})", hash(found)),
            Some(Verify::Unreadable { error }) => {
                format!("**unreadable**: {}", cell(error, CELL_MAX))
            }
        };
        let skew = if s.skew == 0 {
            "none".to_owned()
        } else {
            signed(s.skew)
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {status} |",
            cell(&s.path, CELL_MAX),
            cell(&s.format, CELL_MAX),
            s.bytes,
            hash(&s.sha256),
            cell(&s.tz, CELL_MAX),
            skew
        );
    }
    o.push('\n');
}

fn per_author<'a>(anns: &[&'a Annotation]) -> BTreeMap<&'a str, Vec<&'a Annotation>> {
    let mut m: BTreeMap<&str, Vec<&Annotation>> = BTreeMap::new();
    for a in anns {
        m.entry(a.author.as_str()).or_default().push(a);
    }
    m
}

fn analysts(o: &mut String, anns: &[&Annotation]) {
    let m = per_author(anns);
    if !section(
        o,
        "Analysts",
        m.is_empty(),
        "_Nobody has annotated this case yet._\n",
    ) {
        return;
    }
    o.push_str("| Analyst | Annotations | Early-detection points | First annotation made | Last change |\n");
    o.push_str("|---|---|---|---|---|\n");
    for (who, v) in m {
        let early = v.iter().filter(|a| a.kind == Kind::EarlyDetection).count();
        // RFC 3339 UTC strings of one form sort as times.
        let first = v.iter().map(|a| a.created.as_str()).min().unwrap_or("");
        let last = v.iter().map(|a| a.modified.as_str()).max().unwrap_or("");
        let _ = writeln!(
            o,
            "| {} | {} | {early} | {} | {} |",
            or_dash(&cell(who, CELL_MAX)),
            v.len(),
            cell(first, CELL_MAX),
            cell(last, CELL_MAX)
        );
    }
}

/// "event 4688: message" (or just one of them), escaped and cut to `max` characters.
fn what(a: &Annotation, max: usize) -> String {
    let id = cell(&a.event.event_id, 40);
    let msg = cell(&a.event.message, max);
    match (id.is_empty(), msg.is_empty()) {
        (false, false) => format!("event {id}: {msg}"),
        (false, true) => format!("event {id}"),
        (true, false) => msg,
        (true, true) => "—".to_owned(),
    }
}

fn tags(a: &Annotation) -> String {
    a.tags
        .iter()
        .map(|t| cell(t, 60))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "—".to_owned()
    } else {
        s.to_owned()
    }
}

fn time(ns: i64) -> String {
    format_display(ns, &TzSpec::Utc)
}

/// A hash as a code span when it is plain hex (the case file itself may be tampered with).
fn hash(h: &str) -> String {
    if !h.is_empty() && h.bytes().all(|c| c.is_ascii_hexdigit()) {
        format!("`{h}`")
    } else {
        cell(h, 80)
    }
}

/// Durations like "1 d 4 h 12 min"; under a minute "42 s".
pub fn duration(ns: i64) -> String {
    let secs = ns.max(0) / 1_000_000_000;
    if secs < 60 {
        return format!("{secs} s");
    }
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    match (d, h) {
        (0, 0) => format!("{m} min"),
        (0, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h {m} min"),
    }
}

/// A clock correction with its sign and every non-zero unit down to milliseconds.
fn signed(ns: i64) -> String {
    let sign = if ns < 0 { '-' } else { '+' };
    let abs = ns.unsigned_abs();
    let (s, ms) = (abs / 1_000_000_000, abs % 1_000_000_000 / 1_000_000);
    let units = [
        (s / 86_400, "d"),
        (s % 86_400 / 3_600, "h"),
        (s % 3_600 / 60, "min"),
        (s % 60, "s"),
        (ms, "ms"),
    ];
    let parts: Vec<String> = units
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n} {u}"))
        .collect();
    if parts.is_empty() {
        format!("{sign}{abs} ns")
    } else {
        format!("{sign}{}", parts.join(" "))
    }
}

/// Cleans one piece of text for Markdown: control characters dropped (newlines and tabs
/// become spaces), bidi/zero-width characters shown as `⟨U+202E⟩`, Markdown and HTML
/// punctuation backslash-escaped (`<` suffices against HTML; `>` only matters at a line
/// start, see `block_line`), at most `max` characters kept.
fn clean(s: &str, max: usize) -> String {
    let mut o = String::with_capacity(s.len().min(max * 2));
    let mut n = 0usize;
    let mut last_space = false;
    for c in s.chars() {
        if n >= max {
            o.push('…');
            break;
        }
        let space = matches!(c, '\n' | '\r' | '\t');
        if space {
            if !last_space {
                o.push(' ');
                n += 1;
            }
            last_space = true;
            continue;
        }
        last_space = false;
        if c.is_control() {
            continue;
        }
        if matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
        {
            let _ = write!(o, "⟨U+{:04X}⟩", c as u32);
        } else {
            if matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '|' | '~' | '&' | '#' | '!'
            ) {
                o.push('\\');
            }
            o.push(c);
        }
        n += 1;
    }
    o
}

/// Text for a table cell: one line, escaped, trimmed.
fn cell(s: &str, max: usize) -> String {
    clean(s.trim(), max)
}

/// Text in running prose.
fn inline(s: &str) -> String {
    clean(s.trim(), TEXT_MAX)
}

/// One line of a multi-line note inside a list item: also neutralise what would start a
/// block (list markers, headings, quotes, thematic breaks) at the start of the line.
fn block_line(s: &str) -> String {
    let t = clean(s.trim(), TEXT_MAX);
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && matches!(t.as_bytes().get(digits), Some(b'.' | b')')) {
        let (num, rest) = t.split_at(digits);
        return format!("{num}\\{rest}");
    }
    if t.starts_with(['-', '+', '=', '>']) {
        format!("\\{t}")
    } else {
        t
    }
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
