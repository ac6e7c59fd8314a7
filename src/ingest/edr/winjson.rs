//! `winjson`: Windows events as JSON — Winlogbeat (`winlog.*`), NXLog, HELK/OTRF
//! (Security-Datasets), Azure Log Analytics rows (`SecurityEvent`, `WindowsEvent`, `Event`,
//! `Syslog` with the event XML), Splunk and evtx_dump-style `Event.System`.
//!
//! Fields come out under the names the EVTX parser gives the same event: EventData names
//! (`TargetUserName`, `Image`...) and System names (`Provider`, `EventID`, `Computer`,
//! `EventRecordID`...), so filters and the EVTX normalisation work the same on both.

use super::eventxml;
use super::json::{self, Pairs};
use super::norm::{self, count, get, has, json_head};
use crate::ingest::evtx::schema;
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser};
use crate::model::{Fields, Norm, TzSpec};
use std::borrow::Cow;

pub static DEF: FormatDef = FormatDef::new("winjson", Family::Evtx, prepare)
    .with_head(sniff)
    .with_samples(&[
    r#"{"@timestamp":"2024-02-13T06:56:24.223Z","winlog":{"channel":"Security","record_id":7,"provider_name":"Microsoft-Windows-Security-Auditing","computer_name":"dc1","event_id":"4624","event_data":{"TargetUserName":"bob","LogonType":"3"}}}"#,
    r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"P"}},"EventID":{"#text":4688},"TimeCreated":{"#attributes":{"SystemTime":"2020-01-01T00:00:00.5Z"}},"Computer":"pc","Channel":"Security","EventRecordID":9},"EventData":{"NewProcessName":"C:\\a.exe"}}}"##,
    ]);

/// Event time fields, best first: the event's own creation time, then NXLog's local
/// `EventTime`, the shipper's `@timestamp`, Log Analytics `TimeGenerated`, Splunk `_time`.
const TIME: &[&str] = &[
    "TimeCreated",
    "EventTime",
    "@timestamp",
    "TimeGenerated",
    "_time",
    "timestamp",
];

fn sniff(head: &[u8]) -> u8 {
    let Some(h) = json_head(head) else { return 0 };
    if has(h, "\"winlog\"") && (has(h, "\"event_id\"") || has(h, "\"channel\"")) {
        return 90;
    }
    if has(h, "\"System\"") && has(h, "\"EventID\"") && has(h, "\"Channel\"") {
        return 85;
    }
    if has(h, "\"SyslogMessage\"") && (has(h, "\\u003cEventID") || has(h, "<EventID>")) {
        return 80;
    }
    let sys = count(
        h,
        &[
            "\"Channel\"",
            "\"Computer\"",
            "\"Hostname\"",
            "\"SourceName\"",
            "\"EventLog\"",
            "\"RecordNumber\"",
        ],
    );
    if has(h, "\"EventID\"") && sys >= 2 {
        return 80;
    }
    if has(h, "\"EventCode\"")
        && count(h, &["\"ComputerName\"", "\"LogName\"", "\"SourceName\""]) >= 2
    {
        return 75;
    }
    0
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    let (records, shape) = json::split(data, &[]);
    let mut note = shape.to_owned();
    if let Some(first) = norm::first_record(data, &records) {
        let mut f = Fields::new();
        if let Ok(field) = parse_record(first, &mut f, &ctx.tz) {
            let v = get(&f, field);
            note.push_str("; ");
            note.push_str(&norm::time_note(field, v.as_deref(), &ctx.tz));
        }
    }
    Ok(Prepared {
        parser: Box::new(Parser { tz: ctx.tz }),
        records,
        note: Some(note),
    })
}

struct Parser {
    tz: TzSpec,
}

impl RecordParser for Parser {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        parse_record(rec, out, &self.tz)?;
        // Same user/process/… fields and message as the EVTX parser gives this event.
        crate::ingest::evtx::msg::normalise(out);
        Ok(())
    }
}

/// Parses one record; returns the time field used.
fn parse_record<'a>(
    rec: &'a [u8],
    out: &mut Fields<'a>,
    tz: &TzSpec,
) -> Result<&'static str, Reason> {
    let dump = is_evtx_crate_json(rec);
    if dump {
        evtx_crate_fields(rec, &mut out.raw)?;
    } else {
        json::flatten(rec, &mut out.raw)?;
        rename(&mut out.raw);
        embedded(&mut out.raw);
        sysmon_message(&mut out.raw);
    }
    for (n, k) in schema::NORMALISED {
        if let Some(v) = get(out, k) {
            out.set(n, v);
        }
    }
    if out.get(Norm::EventId).is_none() {
        return Err("no EventID: not a Windows event".into());
    }
    if let Some(level) = get(out, schema::LEVEL) {
        out.set(Norm::Severity, level_name(&level));
    }
    if dump {
        // The EVTX parser's time: System/TimeCreated@SystemTime, always UTC.
        return norm::set_time(out, &[schema::SYSTEM_TIME], &TzSpec::Utc);
    }
    norm::set_time(out, TIME, tz)
}

/// Severity of a numeric System/Level, as the EVTX ingest names it; other text as is.
fn level_name(level: &str) -> Cow<'static, str> {
    match schema::severity(level) {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(level.to_owned()),
    }
}

/// Whether `rec` is the evtx crate's JSON of a record (evtx_dump `-o json`/`jsonl`, with
/// or without `--separate-json-attributes`): `{"Event":{…}}` with `#attributes` objects.
fn is_evtx_crate_json(rec: &[u8]) -> bool {
    let p = json::skip_ws(rec, 1 + json::skip_ws(rec, 0));
    rec.get(p..)
        .is_some_and(|r| r.starts_with(b"\"Event\"") || r.starts_with(b"\"Event_attributes\""))
        && (has(rec, "\"#attributes\"") || has(rec, "_attributes\""))
}

/// Fields of evtx crate JSON named exactly as the EVTX ingest names them (it walks the
/// same JSON): System leaves by element/attribute name, EventData by `Name`, repeats
/// suffixed `_1`, `_2`…
fn evtx_crate_fields(rec: &[u8], raw: &mut Pairs<'_>) -> Result<(), Reason> {
    struct Sink<'r, 'a> {
        raw: &'r mut Pairs<'a>,
        seen: Vec<String>,
    }
    impl crate::ingest::evtx::json::Sink for Sink<'_, '_> {
        fn leaf(&mut self, section: &str, name: &str, value: &str) {
            // `--separate-json-attributes` nests the provider as `Provider_attributes.Name`.
            let name = if section == "System" && name == "Name" {
                "Provider"
            } else {
                name
            };
            let dup = self.seen.iter().filter(|s| *s == name).count();
            let key = if dup > 0 {
                format!("{name}_{dup}")
            } else {
                name.to_owned()
            };
            self.seen.push(name.to_owned());
            self.raw
                .push((Cow::Owned(key), Cow::Owned(value.to_owned())));
        }
    }
    let start = raw.len();
    let mut sink = Sink {
        raw,
        seen: Vec::new(),
    };
    if crate::ingest::evtx::json::walk(rec, &mut sink).is_ok() {
        return Ok(());
    }
    // The evtx crate passes control characters through inside strings: escape, retry.
    sink.raw.truncate(start);
    sink.seen.clear();
    let mut esc = Vec::with_capacity(rec.len() + 16);
    for &b in rec {
        if b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | b' ') {
            esc.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            esc.push(b);
        }
    }
    crate::ingest::evtx::json::walk(&esc, &mut sink)
        .map_err(|e| Reason::Owned(format!("bad JSON: {e}")))
}

/// The EVTX name of a source field, if it has one under another name.
fn evtx_name(k: &str) -> Option<&'static str> {
    Some(match k {
        "System.Computer"
        | "winlog.computer_name"
        | "Hostname"
        | "ComputerName"
        | "computer_name" => "Computer",
        "System.EventID"
        | "System.EventID.#text"
        | "System.EventID.Value"
        | "winlog.event_id"
        | "EventCode" => "EventID",
        "System.Channel" | "winlog.channel" | "EventLog" | "LogName" => "Channel",
        "System.Provider.#attributes.Name"
        | "System.Provider.Name"
        | "winlog.provider_name"
        | "SourceName"
        | "EventSourceName"
        | "Source" => "Provider",
        "System.EventRecordID" | "winlog.record_id" | "RecordNumber" => "EventRecordID",
        "System.Execution.#attributes.ProcessID"
        | "System.Execution.ProcessID"
        | "winlog.process.pid"
        | "ExecutionProcessID" => "ProcessID",
        "System.Execution.#attributes.ThreadID"
        | "System.Execution.ThreadID"
        | "winlog.process.thread.id" => "ThreadID",
        "System.Security.#attributes.UserID"
        | "System.Security.UserID"
        | "winlog.user.identifier" => "UserID",
        "System.Level" | "EventLevel" => "Level",
        "System.Task" | "winlog.task" => "Task",
        "System.Opcode" | "winlog.opcode" => "Opcode",
        "System.Keywords" | "winlog.keywords" => "Keywords",
        "System.Version" | "winlog.version" => "Version",
        "System.TimeCreated.#attributes.SystemTime"
        | "System.TimeCreated.SystemTime"
        | "winlog.time_created" => "TimeCreated",
        _ => return None,
    })
}

/// Prefixes under which a shipper nests EventData/UserData; the rest is the EVTX name.
const DATA_PREFIXES: &[&str] = &[
    "winlog.event_data.",
    "winlog.user_data.",
    "EventData.",
    "UserData.",
];
/// Column-type suffixes Log Analytics adds to names (`ProcessId_dynamic`).
const TYPE_SUFFIXES: &[&str] = &[
    "_string",
    "_dynamic",
    "_long",
    "_int",
    "_bool",
    "_real",
    "_datetime",
];

/// Renames shipper field names to EVTX names in place (first occurrence wins; a name the
/// record already has is never duplicated).
fn rename(raw: &mut Pairs<'_>) {
    for i in 0..raw.len() {
        let Some((k, _)) = raw.get(i) else { break };
        // Wrappers: Splunk `result.`, evtx_dump `Event.`.
        let mut start = 0;
        for p in ["result.", "Event."] {
            if k.get(start..).is_some_and(|r| r.starts_with(p)) {
                start += p.len();
            }
        }
        let mut name: Option<Cow<'static, str>> = None;
        let rest = k.get(start..).unwrap_or("");
        if let Some(p) = DATA_PREFIXES.iter().find(|p| rest.starts_with(**p)) {
            // UserData has one more element level (`UserData.LogFileCleared.SubjectUserName`).
            let leaf = rest.get(p.len()..).unwrap_or("");
            let leaf = if *p == "UserData." {
                leaf.rsplit('.').next().unwrap_or(leaf)
            } else {
                leaf
            };
            name = Some(Cow::Owned(leaf.to_owned()));
        } else if let Some(t) = evtx_name(rest) {
            name = Some(Cow::Borrowed(t));
        } else if let Some(base) = TYPE_SUFFIXES.iter().find_map(|s| rest.strip_suffix(s)) {
            if !rest.contains('.') {
                name = Some(Cow::Owned(base.to_owned()));
            }
        } else if start > 0 {
            name = Some(Cow::Owned(rest.to_owned()));
        }
        if let Some(n) = name {
            if n.is_empty() || raw.iter().any(|(k2, _)| *k2 == *n) {
                continue;
            }
            if let Some(e) = raw.get_mut(i) {
                e.0 = n;
            }
        }
    }
}

/// Events carried as text inside a field: Log Analytics `EventData` as JSON or XML,
/// `SyslogMessage` (Sysmon for Linux) and Splunk `_raw` as event XML. Their fields are
/// added unless the record already has them.
fn embedded(raw: &mut Pairs<'_>) {
    let mut extra: Pairs<'static> = Vec::new();
    for (k, v) in raw.iter() {
        let t = v.trim_start();
        match &**k {
            "EventData" | "SyslogMessage" | "_raw" | "ParameterXml" if t.starts_with('<') => {
                eventxml::extract(t, &mut extra);
            }
            "EventData" if t.starts_with('{') => {
                // Damaged embedded JSON leaves the field as text, like other damage.
                let _ = json::flatten_owned(t, "", &mut extra);
            }
            _ => {}
        }
    }
    for (k, v) in extra {
        if !raw.iter().any(|(k2, _)| *k2 == k) {
            raw.push((k, v));
        }
    }
}

/// Winlogbeat's Sysmon module moves most EventData into ECS fields; the rendered message
/// still has them as `Name: value` lines under the EVTX names, so they are taken back.
fn sysmon_message(raw: &mut Pairs<'_>) {
    let is_sysmon = raw
        .iter()
        .any(|(k, v)| k == "Provider" && v == "Microsoft-Windows-Sysmon");
    let Some(msg) = is_sysmon
        .then(|| {
            raw.iter()
                .find(|(k, _)| k == "message")
                .map(|(_, v)| v.to_string())
        })
        .flatten()
    else {
        return;
    };
    for line in msg.lines() {
        let Some((k, v)) = line.split_once(": ") else {
            continue;
        };
        let ok = !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric());
        if ok && !raw.iter().any(|(k2, _)| k2 == k) {
            raw.push((
                Cow::Owned(k.to_owned()),
                Cow::Owned(v.trim_end().to_owned()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::edr::testutil::{
        Spec, assert_row, corpus_files, parse_all, parse_bytes, sniffed,
    };
    use crate::model::ymd_hms;

    fn one(rec: &str) -> Result<Fields<'static>, Reason> {
        let mut f = Fields::new();
        parse_record(rec.as_bytes(), &mut f, &TzSpec::Utc).map(|_| f.into_owned())
    }

    #[test]
    fn winlogbeat_names_match_evtx() {
        let f = one(r#"{"@timestamp":"2024-02-13T06:56:24.223Z","winlog":{"channel":"Security","record_id":7,"provider_name":"Microsoft-Windows-Security-Auditing","process":{"pid":4,"thread":{"id":8}},"computer_name":"dc1","event_id":"4624","event_data":{"TargetUserName":"bob","LogonType":"3"}}}"#).unwrap();
        assert_eq!(f.get(Norm::Host), Some("dc1"));
        assert_eq!(f.get(Norm::EventId), Some("4624"));
        assert_eq!(f.get(Norm::RecordId), Some("7"));
        assert_eq!(f.raw("TargetUserName"), Some("bob"));
        assert_eq!(f.raw("ProcessID"), Some("4"));
        assert_eq!(f.raw("ThreadID"), Some("8"));
        assert_eq!(f.ts, ymd_hms(2024, 2, 13, 6, 56, 24).unwrap() + 223_000_000);
    }

    #[test]
    fn evtx_dump_shape() {
        let f = one(r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"P"}},"EventID":{"#text":4688},"TimeCreated":{"#attributes":{"SystemTime":"2020-01-01T00:00:00.5Z"}},"Computer":"pc","Channel":"Security","EventRecordID":9},"EventData":{"NewProcessName":"C:\\a.exe"}}}"##).unwrap();
        assert_eq!(f.get(Norm::Provider), Some("P"));
        assert_eq!(f.get(Norm::EventId), Some("4688"));
        assert_eq!(f.raw("NewProcessName"), Some("C:\\a.exe"));
        assert_eq!(f.ts, ymd_hms(2020, 1, 1, 0, 0, 0).unwrap() + 500_000_000);
    }

    /// evtx_dump `-o json` (a `Record N` line before each document, compact or indented),
    /// `-o jsonl`, and `--separate-json-attributes`: the names and values the EVTX ingest
    /// gives the same record.
    #[test]
    fn evtx_dump_outputs() {
        let sys = r##""System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon","Guid":"{5}"}},"EventID":1,"Level":4,"TimeCreated":{"#attributes":{"SystemTime":"2019-04-30T20:26:52.0904640Z"}},"EventRecordID":9807,"Correlation":null,"Execution":{"#attributes":{"ProcessID":1964,"ThreadID":1664}},"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"IEWIN7","Security":{"#attributes":{"UserID":"S-1-5-18"}}}"##;
        let data = r##""EventData":{"ProcessId":3348,"Image":"C:\\Windows\\System32\\cmd.exe","User":"NT AUTHORITY\\SYSTEM","Data":{"#text":["a","b"]}}"##;
        let doc = format!(r##"{{"Event":{{"#attributes":{{"xmlns":"x"}},{sys},{data}}}}}"##);
        let sep_sys = r##""System":{"Provider_attributes":{"Name":"Microsoft-Windows-Sysmon","Guid":"{5}"},"EventID":1,"Level":4,"TimeCreated_attributes":{"SystemTime":"2019-04-30T20:26:52.0904640Z"},"EventRecordID":9807,"Correlation":null,"Execution_attributes":{"ProcessID":1964,"ThreadID":1664},"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"IEWIN7","Security_attributes":{"UserID":"S-1-5-18"}}"##;
        let sep = format!(r#"{{"Event_attributes":{{"xmlns":"x"}},"Event":{{{sep_sys},{data}}}}}"#);
        let pretty = doc.replace(",\"", ",\n    \"").replace("{\"", "{\n  \"");
        let files = [
            format!("Record 1\n{doc}\nRecord 2\n{doc}\n"),
            format!("{doc}\n{doc}\n"),
            format!("Record 1\r\n{pretty}\r\nRecord 2\r\n{pretty}\r\n"),
            format!("{pretty}\n{pretty}\n"),
            format!("Record 1\n{sep}\nRecord 2\n{sep}"),
        ];
        for file in &files {
            assert_eq!(sniffed(file.as_bytes()), Some("winjson"), "{file}");
            let r = parse_bytes(file.as_bytes(), "winjson", &Default::default());
            assert_eq!((r.total, r.rejected), (2, 0), "{file}: {:?}", r.reasons);
            let row = &r.rows[1];
            let want = [
                ("host", "IEWIN7"),
                ("event_id", "1"),
                ("record_id", "9807"),
                ("provider", "Microsoft-Windows-Sysmon"),
                ("severity", "info"),
                // EventData ProcessId, not System's.
                ("pid", "3348"),
                ("user", "NT AUTHORITY\\SYSTEM"),
                ("raw:ProcessID", "1964"),
                ("raw:Guid", "{5}"),
                ("raw:Data", "a"),
                ("raw:Data_1", "b"),
            ];
            assert_row(row, &want, file);
            assert!(row.raw("xmlns").is_none() && row.raw("#attributes.xmlns").is_none());
            assert_eq!(
                row.ts,
                ymd_hms(2019, 4, 30, 20, 26, 52).unwrap() + 90_464_000
            );
        }
        // A file cut inside its last document: one reject, the rest read.
        let cut = format!("Record 1\n{doc}\nRecord 2\n{{\"Event\":{{\"Sys");
        let r = parse_bytes(cut.as_bytes(), "winjson", &Default::default());
        assert_eq!(
            (r.total, r.rejected, r.rows.len()),
            (2, 1, 1),
            "{:?}",
            r.reasons
        );
    }

    #[test]
    fn missing_or_bad_time_is_rejected() {
        let e = one(r#"{"EventID":1,"Computer":"x","Channel":"c"}"#).unwrap_err();
        assert!(e.contains("no usable time"), "{e}");
        let e = one(r#"{"EventID":1,"TimeCreated":"yesterday"}"#).unwrap_err();
        assert_eq!(e, "no usable time in field TimeCreated");
    }

    #[test]
    fn sniff_corpus_and_negatives() {
        assert_eq!(
            sniff(b"Jan  1 00:00:00 fw kernel: IN=eth0 OUT= SRC=1.2.3.4"),
            0
        );
        assert_eq!(
            sniff(br#"{"event_simpleName":"ProcessRollup2","timestamp":"1"}"#),
            0
        );
        assert_eq!(
            sniff(br#"{"@timestamp":"x","event":{"kind":"event"},"host":{"name":"a"}}"#),
            0
        );
    }

    #[test]
    fn corpus_sysmon_json() {
        let Some(files) = corpus_files("sysmon-json") else {
            return;
        };
        assert_eq!(files.len(), 9);
        for path in files {
            let r = parse_all(&path, "winjson");
            assert!(
                r.rejected * 100 <= r.total,
                "{}: {} of {} rejected: {:?}",
                path.display(),
                r.rejected,
                r.total,
                r.reasons
            );
            assert!(r.total > 0);
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if let Some((_, i, want)) = SYSMON_JSON_ROWS.iter().find(|(f, ..)| *f == name) {
                assert_row(&r.rows[*i], want, &format!("{name} row {i}"));
            }
        }
    }

    /// One checked row per corpus file: (file, row index, fields).
    const SYSMON_JSON_ROWS: &[(&str, usize, Spec)] = &[
        (
            "otrf__cmd_process_herpaderping_mimiexplorer.json",
            1,
            &[
                ("ts", "2020-10-26T11:58:30.366Z"),
                ("host", "WORKSTATION5"),
                ("event_id", "4688"),
                (
                    "raw:NewProcessName",
                    "C:\\Users\\wardog\\Desktop\\ProcessHerpaderping.exe",
                ),
                ("raw:SubjectUserName", "wardog"),
                ("provider", "Microsoft-Windows-Security-Auditing"),
            ],
        ),
        // TimeCreated has no zone here (it is the collector's local time): read as UTC.
        (
            "otrf__cmd_psexec_lsa_secrets_dump.json",
            0,
            &[
                ("ts", "2020-10-19T03:30:41.104Z"),
                ("host", "WORKSTATION5"),
                ("event_id", "1102"),
            ],
        ),
        (
            "otrf__covenant_copy_smb_CreateRequest.json",
            0,
            &[
                ("ts", "2020-09-22T14:53:01Z"),
                ("host", "WORKSTATION5.theshire.local"),
                ("event_id", "13"),
                ("record_id", "3518579"),
                ("raw:ProcessID", "3172"),
                ("raw:Image", "C:\\windows\\Explorer.EXE"),
            ],
        ),
        (
            "otrf__syslog_sysmon_linux_log4shell.json",
            0,
            &[
                ("ts", "2022-05-11T18:10:20.399931Z"),
                ("host", "UBUNTU5"),
                ("event_id", "5"),
                ("provider", "Linux-Sysmon"),
                ("record_id", "245753"),
                ("raw:Image", "wdavdaemon"),
                ("raw:User", "root"),
            ],
        ),
        (
            "otrf__sysmon_log4shell_java_serialized_object.json",
            0,
            &[
                ("ts", "2022-05-13T08:54:06.347Z"),
                ("host", "WORKSTATION5"),
                ("event_id", "3"),
                ("raw:DestinationPort", "8080"),
                ("raw:User", "NT AUTHORITY\\LOCAL SERVICE"),
            ],
        ),
        (
            "otrf__WindowsEvents_goldensaml.json",
            0,
            &[
                ("ts", "2021-08-02T13:09:20.040Z"),
                ("host", "ADFS01.simulandlabs.com"),
                ("event_id", "412"),
            ],
        ),
        (
            "zircolite__winlogbeat_sysmon_sample.json",
            0,
            &[
                ("ts", "2024-02-13T06:56:24.223Z"),
                ("host", "s.domain.local"),
                ("event_id", "11"),
                ("channel", "Microsoft-Windows-Sysmon/Operational"),
                ("raw:CreationUtcTime", "2024-02-09 18:40:54.452"),
                ("raw:UtcTime", "2024-02-13 06:56:24.223"),
                ("record_id", "633889"),
            ],
        ),
    ];
}
