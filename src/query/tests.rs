use super::*;
use crate::model::{format_rfc3339, ymd_hms};
use std::collections::{HashMap, HashSet};

/// A hand-built event: fields by lowercase name; free text = message then raw values.
#[derive(Default)]
struct Ev {
    ts: i64,
    fields: HashMap<String, String>,
    marks: HashSet<String>,
    tags: HashSet<String>,
    /// (candidate, reviewed, dismissed)
    cand: (bool, bool, bool),
}

impl Ev {
    fn new(pairs: &[(&str, &str)]) -> Ev {
        Ev {
            ts: t(2022, 12, 3, 18, 4, 5),
            fields: pairs
                .iter()
                .map(|(k, v)| (k.to_lowercase(), v.to_string()))
                .collect(),
            ..Ev::default()
        }
    }
    fn at(mut self, ts: i64) -> Ev {
        self.ts = ts;
        self
    }
}

impl Subject for Ev {
    fn ts(&self) -> i64 {
        self.ts
    }
    fn field(&self, name: &str) -> Option<Cow<'_, str>> {
        if name == "ts" {
            return Some(format_rfc3339(self.ts).into());
        }
        self.fields
            .get(&name.to_lowercase())
            .map(|v| Cow::Borrowed(v.as_str()))
    }
    fn any_text(&self, f: &mut dyn FnMut(&str) -> bool) -> bool {
        if let Some(m) = self.fields.get("message")
            && f(m)
        {
            return true;
        }
        let mut keys: Vec<_> = self.fields.keys().filter(|k| *k != "message").collect();
        keys.sort();
        keys.into_iter().any(|k| f(&self.fields[k]))
    }
    fn annotated(&self) -> bool {
        !self.marks.is_empty() || !self.tags.is_empty()
    }
    fn has_mark(&self, kind: &str) -> bool {
        self.marks.contains(kind)
    }
    fn has_tag(&self, tag: &str) -> bool {
        self.tags.contains(tag)
    }
    fn candidate(&self) -> bool {
        self.cand.0
    }
    fn reviewed(&self) -> bool {
        self.cand.1
    }
    fn dismissed(&self) -> bool {
        self.cand.2
    }
}

fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    ymd_hms(y, mo, d, h, mi, s).unwrap()
}

fn q(text: &str) -> Query {
    Query::parse(text, &TzSpec::Utc).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn m(text: &str, ev: &Ev) -> bool {
    q(text).matches(ev)
}

fn e(text: &str) -> QueryError {
    match Query::parse(text, &TzSpec::Utc) {
        Ok(_) => panic!("{text:?} parsed"),
        Err(e) => e,
    }
}

#[test]
fn empty_query_matches_all() {
    for s in ["", "   ", "\t\n"] {
        let x = q(s);
        assert!(x.is_empty());
        assert!(x.matches(&Ev::new(&[])));
        assert_eq!(x.time_bounds(), (None, None));
    }
    assert!(!q("a").is_empty());
}

#[test]
fn exact_is_case_insensitive_and_whole_value() {
    let ev = Ev::new(&[("user", "Alice"), ("TargetUserName", "JÉRÔME")]);
    assert!(m("user:alice", &ev));
    assert!(m("USER:ALICE", &ev));
    assert!(!m("user:ali", &ev));
    assert!(!m("user:alicex", &ev));
    assert!(!m("host:alice", &ev), "absent field never matches");
    // Source field names, any case; Unicode case folding.
    assert!(m("targetusername:jérôme", &ev));
    assert!(m("TargetUserName:\"Jérôme\"", &ev));
    assert!(!m("targetusername:jerome", &ev));
    let greek = Ev::new(&[("user", "ΟΔΥΣΣΕΥΣ")]);
    assert!(
        m("user:Οδυσσευς", &greek),
        "final sigma folds like the field side"
    );
    assert!(m("user:ΟΔΥΣΣΕΥΣ", &greek));
}

#[test]
fn lists_and_quoting() {
    let ev = Ev::new(&[
        ("event_id", "4625"),
        ("user", "Alice Smith"),
        ("file", r"C:\Windows\x.exe"),
    ]);
    assert!(m("event_id:4624,4625", &ev));
    assert!(!m("event_id:4624,4634", &ev));
    assert!(m(r#"user:bob,"alice smith",carol"#, &ev));
    assert!(
        !m("user:alice smith", &ev),
        "unquoted: user:alice AND smith"
    );
    assert!(
        m(r#"file:"c:\windows\x.exe""#, &ev),
        "backslashes kept in quotes"
    );
    let ev2 = Ev::new(&[("message", r#"he said "hi" \o/"#)]);
    assert!(m(r#""said \"hi\" \\o/""#, &ev2));
}

#[test]
fn wildcards() {
    let ev = Ev::new(&[(
        "process",
        r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
    )]);
    assert!(m("process:*powershell.exe", &ev));
    assert!(m("process:c:*", &ev));
    assert!(m("process:*POWERSHELL*", &ev));
    assert!(!m("process:*cmd.exe", &ev));
    assert!(!m("process:powershell*", &ev), "anchored at both ends");
    assert!(
        !m(r#"process:"*powershell.exe""#, &ev),
        "quoted star is literal"
    );
    assert!(m("process:*", &ev));
    assert!(!m("user:*", &ev), "field:* means present");
    assert!(m("*", &ev));
    assert!(m("power*exe", &ev), "wildcard inside a free-text word");
    assert!(!m("power*cmd", &ev));
    // Regex metacharacters in wildcard values are literal.
    let ev = Ev::new(&[("file", "a.b(1)")]);
    assert!(m(r#"file:a.b*"#, &ev));
    assert!(!m("file:a?b*", &ev));
}

#[test]
fn regexes_and_flags() {
    let ev = Ev::new(&[
        ("cmdline", "powershell -EncodedCommand SQBFAFgA"),
        ("file", "/tmp/a/b"),
    ]);
    assert!(m("cmdline~/-enc[a-z]*command/i", &ev));
    // Smart case, as `/` search: lower case ignores case, an upper-case letter does not.
    assert!(m("cmdline~/-enc[a-z]*command/", &ev), "smart case");
    assert!(
        !m("cmdline~/-Enc[a-z]*command/", &ev),
        "case-sensitive with upper case"
    );
    assert!(m("cmdline~/-Enc[a-z]*command/i", &ev), "i forces it");
    assert!(
        m("cmdline~/\\S+$/", &ev),
        "an escape is no upper-case letter"
    );
    assert!(m("cmdline~/EncodedCommand\\s+\\S+$/", &ev));
    assert!(m(r"file~/^\/tmp\/a/", &ev), "escaped slash");
    assert!(m("/encoded.ommand/i", &ev));
    assert!(m("/encoded.ommand/", &ev));
    assert!(!m("/Encoded.Ommand/", &ev));
    assert!(m("(/nope/ OR /SQB/)", &ev), "regex next to a parenthesis");
    assert!(!m("user~/./", &ev));
}

/// EVTX names a host `FS-01.klinikum-see.local`, CrowdStrike `FS-01`: either name finds
/// both; full names of different domains, IP addresses and prefixes do not mix.
#[test]
fn host_names_match_across_sources_by_short_name() {
    let full = Ev::new(&[("host", "FS-01.klinikum-see.local")]);
    let short = Ev::new(&[("host", "FS-01")]);
    let other = Ev::new(&[("host", "FS-01.elsewhere.org")]);
    let near = Ev::new(&[("host", "FS-011.klinikum-see.local")]);
    let ip = Ev::new(&[("host", "10.0.0.5")]);
    for query in [
        "host:FS-01",
        "host:fs-01",
        "host:\"fs-01.KLINIKUM-SEE.local\"",
    ] {
        assert!(m(query, &full), "{query}");
        assert!(m(query, &short), "{query}");
        assert!(!m(query, &near), "{query}");
    }
    assert!(
        m("host:FS-01", &other),
        "a short name finds it in any domain"
    );
    assert!(!m("host:FS-01.klinikum-see.local", &other));
    assert!(m("host:FS-01.elsewhere.org", &short));
    assert!(!m("host:10", &ip));
    assert!(!m("host:10.0.0.5.x", &ip));
    assert!(m("host:10.0.0.5", &ip));
    assert!(m("NOT host:FS-01", &near));
    // Only the host: other fields compare whole values.
    let u = Ev::new(&[("user", "alice.smith")]);
    assert!(!m("user:alice", &u));
}

#[test]
fn precedence_and_before_or() {
    let a = Ev::new(&[("message", "alpha")]);
    let b = Ev::new(&[("message", "beta")]);
    let bc = Ev::new(&[("message", "beta gamma")]);
    let ac = Ev::new(&[("message", "alpha gamma")]);
    // a OR b c  ==  a OR (b AND c)
    assert!(m("alpha OR beta gamma", &a));
    assert!(!m("alpha OR beta gamma", &b));
    assert!(m("alpha OR beta gamma", &bc));
    assert!(m("alpha OR beta AND gamma", &bc));
    // Parentheses regroup.
    assert!(!m("(alpha OR beta) gamma", &a));
    assert!(m("(alpha OR beta) gamma", &ac));
    assert!(m("(alpha OR beta) gamma", &bc));
    // Keywords in any case.
    assert!(m("alpha or beta", &b));
    assert!(!m("alpha aNd beta", &a));
    assert!(m("\"or\" OR alpha", &a), "quoted keyword is a phrase");
}

#[test]
fn not_and_minus() {
    let ev = Ev::new(&[("user", "bob"), ("message", "logon")]);
    assert!(!m("NOT user:bob", &ev));
    assert!(m("not user:alice", &ev));
    assert!(m("NOT NOT user:bob", &ev));
    assert!(!m("-user:bob", &ev));
    assert!(m("-user:alice logon", &ev));
    assert!(!m("-(user:alice OR logon)", &ev));
    assert!(!m("-\"logon\"", &ev));
    assert!(!m("-/log/", &ev));
    assert!(m("NOT (user:alice OR nothing)", &ev));
    // `-1` is a word, not a negation.
    let ev = Ev::new(&[("message", "exit code -1")]);
    assert!(m("-1", &ev));
}

#[test]
fn numeric_comparisons() {
    let ev = Ev::new(&[
        ("dst_port", "443"),
        ("status", "0xC000006D"),
        ("score", "7.5"),
        ("pid", "-3"),
    ]);
    assert!(m("dst_port>80", &ev));
    assert!(m("dst_port>=443", &ev));
    assert!(!m("dst_port>443", &ev));
    assert!(m("dst_port<1024", &ev));
    assert!(m("dst_port<=443", &ev));
    assert!(m("dst_port:>80", &ev), "field:>value form");
    // Numerically, not as text ("443" > "1000" as text).
    assert!(!m("dst_port>1000", &ev));
    assert!(m("status>=0xc0000000", &ev));
    assert!(m("status>3221225000", &ev), "hex against decimal");
    assert!(m("score>7.25", &ev));
    assert!(!m("score>7.5", &ev));
    assert!(m("pid<0", &ev));
    // A number query against a non-number field never holds.
    let ev = Ev::new(&[("dst_port", "https")]);
    assert!(!m("dst_port>1", &ev));
    assert!(!m("dst_port<1", &ev));
}

#[test]
fn ip_comparisons() {
    let ev4 = Ev::new(&[("src_ip", "10.0.0.200")]);
    assert!(m("src_ip>=10.0.0.128", &ev4));
    assert!(m("src_ip<10.0.1.0", &ev4));
    assert!(!m("src_ip<10.0.0.9", &ev4), "as addresses, not as text");
    let ev6 = Ev::new(&[("src_ip", "fe80::1:2")]);
    assert!(m("src_ip>fe80::1", &ev6));
    assert!(m("src_ip<\"fe80::2:0\"", &ev6));
    assert!(!m("src_ip<fe80::ffff", &ev6), "fe80::ffff is fe80::0:ffff");
    assert!(!m("src_ip>10.0.0.1", &ev6), "v6 does not order against v4");
    assert!(!m("src_ip<10.0.0.1", &ev6));
}

#[test]
fn text_and_time_comparisons_on_fields() {
    let ev = Ev::new(&[("user", "Mallory"), ("created", "2022-12-03T18:00:00Z")]);
    assert!(m("user>m", &ev));
    assert!(m("user<n", &ev));
    assert!(!m("user>mz", &ev));
    assert!(m("created>2022-12-03T17", &ev));
    assert!(m("created<2022-12-03T18:00:01", &ev));
    assert!(!m("created>2022-12-03T18", &ev));
}

#[test]
fn after_before_and_ts() {
    let ev = Ev::new(&[]).at(t(2022, 12, 3, 18, 4, 5));
    assert!(m("after:2022-12-03T18", &ev));
    assert!(m("after:2022-12-03T18:04:05Z", &ev), "after is inclusive");
    assert!(!m("after:2022-12-03T18:04:06", &ev));
    // before: a prefix means before the start of that period.
    assert!(!m("before:2022-12-03T18", &ev));
    assert!(m("before:2022-12-03T19", &ev));
    assert!(!m("before:2022-12-03T18:04:05", &ev));
    assert!(
        m("before:2022-12-03T20:05:00+02:00", &ev),
        "explicit offset"
    );
    assert!(
        !m("before:2022-12-03T20:04:00+02:00", &ev),
        "explicit offset"
    );
    assert!(m("AFTER:2022-12-03 before:2022-12-04", &ev));
    // ts comparisons and periods.
    assert!(m("ts>2022-12-03T18:04:04", &ev));
    assert!(!m("ts>2022-12-03T18:04:05", &ev));
    assert!(m("ts>=2022-12-03T18:04:05", &ev));
    assert!(m("ts:2022-12-03", &ev));
    assert!(m("ts:2022-12", &ev));
    assert!(m("ts:2022", &ev));
    assert!(m("ts:2022-12-03T18:04", &ev));
    assert!(!m("ts:2022-12-03T18:05", &ev));
    assert!(!m("ts:2022-12-02", &ev));
    assert!(m("ts:2022-12-01,2022-12-03", &ev));
    assert!(m("ts:\"2022-12-03 18:04\"", &ev), "quoted, with a space");
    assert!(m("after:\"2022-12-03 18:04\"", &ev));
    assert!(m("ts:2022-12-03T20+02:00", &ev), "prefix with an offset");
    assert!(!m("ts:2022-12-03T18-02:00", &ev));
    assert!(m("ts~/^2022-12-03T18/", &ev), "regex on the RFC 3339 form");
    let end_of_year = Ev::new(&[]).at(t(2022, 12, 31, 23, 59, 59));
    assert!(m("ts:2022-12", &end_of_year));
    assert!(!m("ts:2023", &end_of_year));
}

#[test]
fn naive_times_use_the_query_zone() {
    let tz: TzSpec = "+02:00".parse().unwrap();
    let x = Query::parse("after:2022-12-03T20", &tz).unwrap();
    assert_eq!(x.time_bounds(), (Some(t(2022, 12, 3, 18, 0, 0)), None));
    let x = Query::parse("after:2022-12-03T20Z", &tz).unwrap();
    assert_eq!(x.time_bounds().0, Some(t(2022, 12, 3, 20, 0, 0)));
    // A DST day in Paris has 23 hours: the period ends at the next local midnight.
    let paris: TzSpec = "Europe/Paris".parse().unwrap();
    let x = Query::parse("ts:2024-03-31", &paris).unwrap();
    assert_eq!(
        x.time_bounds(),
        (
            Some(t(2024, 3, 30, 23, 0, 0)),
            Some(t(2024, 3, 31, 22, 0, 0) - 1)
        )
    );
}

#[test]
fn time_bounds() {
    let lo = t(2022, 12, 3, 18, 0, 0);
    let hi = t(2022, 12, 4, 0, 0, 0);
    assert_eq!(
        q("after:2022-12-03T18 before:2022-12-04 user:x").time_bounds(),
        (Some(lo), Some(hi - 1))
    );
    assert_eq!(
        q("ts>2022-12-03T18 ts<=2022-12-04").time_bounds(),
        (Some(lo + 1), Some(hi))
    );
    assert_eq!(
        q("after:2022-12-03T18 OR user:x").time_bounds(),
        (None, None)
    );
    assert_eq!(q("NOT after:2022-12-03T18").time_bounds(), (None, None));
    assert_eq!(
        q("(after:2022-12-03T18 OR after:2022-12-04) before:2022-12-05").time_bounds(),
        (Some(lo), Some(t(2022, 12, 5, 0, 0, 0) - 1))
    );
    assert_eq!(
        q("ts:2022-12-03T18").time_bounds(),
        (Some(lo), Some(lo + 3_600_000_000_000 - 1))
    );
    // The bounds agree with matching.
    let x = q("after:2022-12-03T18 before:2022-12-04");
    for ts in [lo - 1, lo, hi - 1, hi] {
        let (l, h) = x.time_bounds();
        let inside = l.is_none_or(|l| ts >= l) && h.is_none_or(|h| ts <= h);
        assert_eq!(inside, x.matches(&Ev::new(&[]).at(ts)), "ts {ts}");
    }
}

#[test]
fn annotations() {
    let mut ev = Ev::new(&[]);
    assert!(!m("annotated", &ev));
    assert!(m("NOT annotated", &ev));
    ev.marks.insert("early-detection".into());
    ev.tags.insert("lateral".into());
    assert!(m("annotated", &ev));
    assert!(m("ANNOTATED", &ev));
    assert!(m("mark:early-detection", &ev));
    assert!(m("mark:Early-Detection", &ev), "passed lowercase");
    assert!(!m("mark:ioc", &ev));
    assert!(m("mark:ioc,early-detection", &ev));
    assert!(m("tag:lateral", &ev));
    assert!(!m("tag:persistence", &ev));
    assert!(m("\"annotated\" OR annotated", &ev));
}

#[test]
fn candidates_and_reviews() {
    let mut ev = Ev::new(&[("message", "a candidate word in the text")]);
    assert!(!m("candidate", &ev), "a term, not the word in the message");
    assert!(m("\"candidate\"", &ev), "quoted: free text");
    ev.cand = (true, false, false);
    assert!(m("candidate NOT reviewed", &ev));
    assert!(!m("dismissed", &ev));
    ev.cand = (true, true, true);
    assert!(m("CANDIDATE reviewed dismissed", &ev));
    assert!(!m("candidate NOT reviewed", &ev));
    assert!(q("reviewed").uses_annotations());
    assert!(q("NOT dismissed").uses_annotations());
    assert!(!q("candidate").uses_annotations());
    assert!(q("candidate OR x").uses_candidates());
    assert!(!q("detected").uses_candidates());
}

#[test]
fn free_text() {
    let ev = Ev::new(&[
        ("message", "Process created: Mimikatz.exe"),
        ("CommandLine", "sekurlsa::logonpasswords"),
        ("IpAddress", "10.0.0.1:4433"),
        ("comment", "Ärger über Straße"),
    ]);
    assert!(m("mimikatz", &ev));
    assert!(m("MIMIKATZ.EXE", &ev));
    assert!(
        m("logonpasswords", &ev),
        "raw field values are searched too"
    );
    assert!(m("\"process created\"", &ev));
    assert!(!m("\"created process\"", &ev));
    assert!(m("10.0.0.1:443", &ev), "ip:port is a word, not a field");
    assert!(!m("10.0.0.2", &ev));
    assert!(m("sekurlsa::logon*", &ev), "`::` keeps it a word");
    assert!(m("ärger", &ev));
    assert!(m("ÜBER", &ev));
    assert!(!m("uber", &ev));
    let ev = Ev::new(&[(
        "message",
        "fetched http://evil.example/x at 2022-12-03T18:04:05",
    )]);
    assert!(m("http://evil.example/x", &ev));
    assert!(m("2022-12-03T18:04", &ev), "a time is a word");
    // Needle longer than every haystack, and at the very end.
    assert!(!m(
        "fetched_http_evil_example_x_at_2022_12_03_and_then_some",
        &ev
    ));
    assert!(m("18:04:05", &ev));
}

#[test]
fn canonical_field_names() {
    let ev = Ev::new(&[
        ("src_ip", "10.0.0.1"),
        ("source", "fw.log"),
        ("format", "wfw"),
    ]);
    assert!(m("SRC_IP:10.0.0.1", &ev));
    assert!(m("Source:FW.LOG Format:wfw", &ev));
    assert!(m("src_ip:10.0.0.*", &ev));
}

#[test]
fn error_columns() {
    let cases: &[(&str, usize, &str)] = &[
        ("user:\"bob", 6, "unclosed quote"),
        ("a \"b", 3, "unclosed quote"),
        ("x /ab", 3, "unclosed /regex/"),
        ("cmd~/ab", 5, "unclosed /regex/"),
        ("cmd~ab", 5, "expected /REGEX/"),
        ("/ab/x", 5, "unknown regex flag"),
        ("/ab/ix", 6, "unknown regex flag"),
        ("user:", 5, "missing value after `user:`"),
        ("user: bob", 5, "missing value"),
        ("port>", 6, "missing value after `port>`"),
        ("port>= 5", 7, "missing value after `port>=`"),
        ("user:a,", 8, "empty item"),
        ("user:a,,b", 8, "empty item"),
        ("user:\"a\"b", 9, "after closing quote"),
        ("\"a\"b", 4, "after closing quote"),
        ("(a", 1, "unbalanced `(`"),
        ("a (b OR (c)", 3, "unbalanced `(`"),
        ("a)", 2, "unbalanced `)`"),
        (")", 1, "unbalanced `)`"),
        ("()", 1, "empty parentheses"),
        ("a OR", 3, "missing term after OR"),
        ("a AND", 3, "missing term after AND"),
        ("a OR )", 3, "missing term after OR"),
        ("NOT", 1, "missing term after NOT"),
        ("OR a", 1, "OR needs a term before it"),
        ("a OR OR b", 6, "OR needs a term"),
        ("after:yesterday", 7, "unknown time `yesterday`"),
        ("before:2022-13", 8, "unknown time"),
        ("ts:12/03/2022", 4, "unknown time"),
        ("ts>soon", 4, "unknown time"),
        ("after:2022,2023", 12, "single time"),
        ("\"\"", 1, "empty phrase"),
    ];
    for &(text, col, msg) in cases {
        let err = e(text);
        assert_eq!(err.col, col, "{text:?}: {err}");
        assert!(err.msg.contains(msg), "{text:?}: {err}");
    }
}

#[test]
fn regex_errors_point_into_the_pattern() {
    // `(` is at column 12 of the query.
    let err = e("cmdline~/ab(cd/");
    assert_eq!(err.col, 12, "{err}");
    assert!(err.msg.starts_with("bad regex: unclosed group"), "{err}");
    assert!(!err.msg.contains('\n'));
    let err = e("x /a{2,1}/");
    assert!(err.msg.contains("bad regex"), "{err}");
    assert_eq!(err.col, 5, "{err}");
    let err = e("/(?<=a)b/");
    assert!(err.msg.contains("look-around"), "{err}");
    let err = e(r"/\w{2000}\w{2000}/");
    assert!(err.msg.contains("too big"), "{err}");
    assert_eq!(err.col, 2, "the pattern starts after the slash");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}a{}", "(".repeat(5000), ")".repeat(5000));
    assert!(e(&deep).msg.contains("nested too deeply"));
    let nots = "NOT ".repeat(5000) + "a";
    assert!(e(&nots).msg.contains("nested too deeply"));
    let fine = format!("{}a{}", "(".repeat(50), ")".repeat(50));
    assert!(m(&fine, &Ev::new(&[("message", "a")])));
    // Long flat chains are iterative.
    let long = vec!["a"; 20_000].join(" OR ");
    assert!(m(&long, &Ev::new(&[("message", "a")])));
}

#[test]
fn columns_count_characters_not_bytes() {
    let err = e("ümlaut:\"x");
    assert_eq!(err.col, 8);
}

#[test]
fn smart_case_search() {
    let r = search_regex("mimikatz").unwrap();
    assert!(r.is_match("MimiKatz.exe"));
    let r = search_regex("Mimikatz").unwrap();
    assert!(!r.is_match("mimikatz.exe"));
    assert!(r.is_match("Mimikatz.exe"));
    // Escapes and class names are not literal uppercase.
    let r = search_regex(r"lsass\W\S+\p{Lu}").unwrap();
    assert!(r.is_match("LSASS dump X"));
    let r = search_regex(r"\pLsass").unwrap();
    assert!(r.is_match("LSASS"));
    let r = search_regex(r"(?P<Name>evil)\.EXE").unwrap();
    assert!(!r.is_match("evil.exe"));
    let r = search_regex(r"(?P<Name>evil)").unwrap();
    assert!(r.is_match("EVIL"));
    let err = search_regex("ab[c").unwrap_err();
    assert_eq!(err.col, 3, "{err}");
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn query_chars() -> impl Strategy<Value = String> {
        // Weighted towards the characters the grammar cares about.
        proptest::collection::vec(
            prop_oneof![
                3 => proptest::sample::select(vec![
                    ":", "~", "/", "\"", "\\", "(", ")", ",", "*", "<", ">", "=", "-", " ", "OR ", "AND ",
                    "NOT ", "user", "ts", "after:", "before:", "mark:", "tag:", "annotated", "2022-12-03T18",
                    "10.0.0.1", "::", "i", "ä", "{", "}", "[", "?", "0x1F",
                ])
                .prop_map(str::to_string),
                1 => any::<char>().prop_map(|c| c.to_string()),
            ],
            0..40,
        )
        .prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Query::parse(&s, &TzSpec::Utc);
        }

        #[test]
        fn structured_queries_never_panic(s in query_chars()) {
            let ev = Ev::new(&[("user", "bob"), ("message", "x ä 10.0.0.1")]);
            match Query::parse(&s, &TzSpec::Utc) {
                Ok(x) => { let _ = x.matches(&ev); let _ = x.time_bounds(); }
                Err(e) => prop_assert!(e.col >= 1 && e.col <= s.chars().count() + 1, "{s:?}: {e}"),
            }
            let _ = search_regex(&s);
        }
    }
}

#[test]
fn query_can_be_shared_across_rayon_workers() {
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<Query>();
}

#[test]
fn needs_message_only_for_free_text_and_message_terms() {
    for (text, want) in [
        ("host:a AND event_id:4624", false),
        ("dst_port>1024 NOT user:x", false),
        ("mimikatz", true),
        ("/lsass/", true),
        ("host:a OR message~/x/", true),
        ("NOT \"a b\"", true),
        ("", false),
    ] {
        assert_eq!(q(text).needs_message(), want, "{text}");
    }
}

/// Issue 11: `event_id:4624, 4625` matched one event (`4625` became free text).
#[test]
fn a_list_continues_after_a_comma_and_space() {
    let a = Ev::new(&[("event_id", "4624")]);
    let b = Ev::new(&[("event_id", "4625")]);
    for text in [
        "event_id:4624, 4625",
        "event_id:4624,  4625",
        "event_id:4624,\t4625",
    ] {
        assert!(m(text, &a) && m(text, &b), "{text}");
    }
    let err = e("event_id:4624, ");
    assert!(err.msg.contains("empty item"), "{err}");
    // Free text after the list still is free text.
    let c = Ev::new(&[("event_id", "4625"), ("message", "logon failed")]);
    assert!(m("event_id:4624,4625 failed", &c));
    assert!(!m("event_id:4624,4625 succeeded", &c));
}

/// Issue 11: `dst_port>=abc` and `src_ip<10.0.0.300` matched nothing silently and
/// `event_id:>abc` compared text; all are errors pointing at the value.
#[test]
fn comparisons_with_a_value_of_the_wrong_kind_are_errors() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "dst_port>=abc",
            11,
            "`dst_port>=` needs a number, not `abc`",
        ),
        ("src_port<1e3", 10, "needs a number"),
        ("event_id:>abc", 11, "`event_id>` needs a number"),
        ("pid<=x", 6, "needs a number"),
        (
            "src_ip<10.0.0.300",
            8,
            "`src_ip<` needs an IP address, not `10.0.0.300`",
        ),
        ("dst_ip>host", 8, "needs an IP address"),
        (
            "IpAddress>10.0.0.300",
            11,
            "`10.0.0.300` is not an IPv4 address",
        ),
    ];
    for &(text, col, msg) in cases {
        let err = e(text);
        assert_eq!(err.col, col, "{text:?}: {err}");
        assert!(err.msg.contains(msg), "{text:?}: {err}");
    }
    // Values of the right kind, and text comparisons on other fields, still work.
    let ev = Ev::new(&[("dst_port", "443"), ("user", "mallory"), ("src_ip", "::1")]);
    assert!(m("dst_port>=0x1bb", &ev));
    assert!(m("user>m", &ev));
    assert!(m("src_ip<=\"::1\"", &ev));
}

/// Issue 11: the README's `user:SYSTEM` found nothing on real EVTX, where the user is
/// `NT AUTHORITY\SYSTEM`.
#[test]
fn user_matches_the_account_part_of_domain_backslash_user() {
    let ev = Ev::new(&[("user", r"NT AUTHORITY\SYSTEM")]);
    assert!(m("user:SYSTEM", &ev));
    assert!(m("user:system", &ev));
    assert!(
        m(r#"user:"nt authority\system""#, &ev),
        "the whole value too"
    );
    assert!(m("user:SYS*", &ev));
    assert!(!m("user:AUTHORITY", &ev));
    assert!(!m("user:SYST", &ev));
    // Only `user` reads the account part.
    let host = Ev::new(&[("host", r"CORP\DC01")]);
    assert!(!m("host:DC01", &host));
}

#[test]
fn annotation_terms_are_known_before_running() {
    for (text, uses) in [
        ("mark:ioc", true),
        ("TAG:c2 OR x", true),
        ("NOT annotated", true),
        ("user:bob marked", false),
        ("\"mark:ioc\"", false),
    ] {
        assert_eq!(q(text).uses_annotations(), uses, "{text}");
    }
    let fields: Vec<(String, usize)> = q("a:1 (B:2 OR c>3)").field_terms().to_vec();
    assert_eq!(fields, [("a".into(), 1), ("B".into(), 6), ("c".into(), 13)]);
}
