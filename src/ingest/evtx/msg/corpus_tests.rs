//! `normalise` over every record of the real EVTX corpus, through a small JSON → `Fields`
//! adapter that mirrors what the EVTX ingest pushes (System names, EventData by name,
//! unnamed Data as `Data`, `Data_1`…, UserData leaves by element name).

use super::{MSG_CAP, normalise};
use crate::model::{Fields, Norm};
use evtx::{EvtxParser, ParserSettings};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `corpus/evtx` (`crate::testutil`: under `CI=true` its absence fails the test).
fn corpus_evtx() -> Option<PathBuf> {
    crate::testutil::corpus("evtx")
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(o) => o.get("#text").and_then(text),
        Value::Array(a) => Some(a.iter().filter_map(text).collect::<Vec<_>>().join(" ")),
    }
}

fn attr(v: &Value, el: &str, name: &str) -> Option<String> {
    text(v.get(el)?.get("#attributes")?.get(name)?)
}

fn flatten_user_data(o: &Map<String, Value>, f: &mut Fields<'static>) {
    for (k, v) in o {
        if k == "#attributes" {
            continue;
        }
        match v {
            Value::Object(inner) if !inner.contains_key("#text") => flatten_user_data(inner, f),
            _ => f.push_raw(k.clone(), text(v).unwrap_or_default()),
        }
    }
}

/// Builds the fields of one rendered record as the EVTX ingest does.
pub(super) fn fields_from_json(v: &Value) -> Fields<'static> {
    let mut f = Fields::new();
    let ev = &v["Event"];
    let sys = &ev["System"];
    let push_sys = |f: &mut Fields<'static>, name: &str, val: Option<String>| {
        if let Some(val) = val {
            f.push_raw(name.to_owned(), val);
        }
    };
    push_sys(&mut f, "Provider", attr(sys, "Provider", "Name"));
    for name in crate::ingest::evtx::schema::TEXT_ELEMENTS {
        push_sys(&mut f, name, sys.get(name).and_then(text));
    }
    push_sys(&mut f, "UserID", attr(sys, "Security", "UserID"));
    push_sys(&mut f, "ProcessID", attr(sys, "Execution", "ProcessID"));
    push_sys(&mut f, "ThreadID", attr(sys, "Execution", "ThreadID"));
    let copy = |f: &mut Fields<'static>, n: Norm, name: &str| {
        if let Some(v) = f.raw(name).map(str::to_owned) {
            f.set(n, v);
        }
    };
    for (n, name) in crate::ingest::evtx::schema::NORMALISED {
        copy(&mut f, n, name);
    }
    match ev.get("EventData") {
        Some(Value::Object(o)) => {
            let mut unnamed = 0;
            for (k, v) in o {
                if k == "#attributes" {
                    continue;
                }
                if k != "Data" {
                    f.push_raw(k.clone(), text(v).unwrap_or_default());
                    continue;
                }
                let items: Vec<&Value> = match v {
                    Value::Array(a) => a.iter().collect(),
                    Value::Object(d) => match d.get("#text") {
                        Some(Value::Array(a)) => a.iter().collect(),
                        Some(t) => vec![t],
                        None => vec![],
                    },
                    other => vec![other],
                };
                for it in items {
                    let name = if unnamed == 0 {
                        "Data".to_owned()
                    } else {
                        format!("Data_{unnamed}")
                    };
                    f.push_raw(name, text(it).unwrap_or_default());
                    unnamed += 1;
                }
            }
        }
        Some(other) => {
            if let Some(t) = text(other) {
                f.push_raw("Data", t);
            }
        }
        None => {}
    }
    if let Some(Value::Object(o)) = ev.get("UserData") {
        flatten_user_data(o, &mut f);
    }
    f
}

/// The `.evtx` files below `dir`, sorted.
fn evtx_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = crate::testutil::files_below(dir);
    files.retain(|p| {
        p.extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("evtx"))
    });
    files
}

/// Every record of `path` normalised: (fields, message).
fn normalised(path: &Path) -> Vec<Fields<'static>> {
    let Ok(p) = EvtxParser::from_path(path) else {
        return vec![];
    };
    let mut p = p.with_configuration(ParserSettings::new().num_threads(1));
    let mut v = Vec::new();
    for rec in p.records_json_value().flatten() {
        let mut f = fields_from_json(&rec.data);
        normalise(&mut f);
        v.push(f);
    }
    v
}

fn is_generic(f: &Fields<'_>) -> bool {
    let p = f.get(Norm::Provider).or(f.get(Norm::Channel)).unwrap_or("");
    let e = f.get(Norm::EventId).unwrap_or("");
    let msg = f.get(Norm::Message).unwrap_or("");
    let head = format!("{p} {e}");
    msg == head || msg.starts_with(&format!("{head}: "))
}

#[test]
fn corpus_messages_are_single_line_and_stable() {
    let Some(root) = corpus_evtx() else {
        return;
    };
    let files = evtx_files(&root);
    assert!(
        files.len() > 100,
        "expected the corpus EVTX files, found {}",
        files.len()
    );
    let (mut total, mut templated) = (0usize, 0usize);
    let mut generic: BTreeMap<(String, String), usize> = BTreeMap::new();
    for path in &files {
        for f in normalised(path) {
            total += 1;
            let msg = f.get(Norm::Message).unwrap_or("");
            assert!(!msg.is_empty(), "empty message in {}", path.display());
            assert!(
                !msg.contains(['\n', '\r', '\t']),
                "multi-line message {msg:?} in {}",
                path.display()
            );
            assert!(
                msg.chars().count() <= MSG_CAP,
                "message too long in {}",
                path.display()
            );
            let mut again = f.clone();
            normalise(&mut again);
            let a: Vec<_> = f.norm_iter().collect();
            let b: Vec<_> = again.norm_iter().collect();
            assert_eq!(a, b, "normalise is not idempotent in {}", path.display());
            if is_generic(&f) {
                let p = f.get(Norm::Provider).unwrap_or("").to_owned();
                let e = f.get(Norm::EventId).unwrap_or("").to_owned();
                *generic.entry((p, e)).or_default() += 1;
            } else {
                templated += 1;
            }
        }
    }
    let mut hist: Vec<_> = generic.into_iter().collect();
    hist.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    eprintln!("{total} records, {templated} with a template; without one (provider, event id):");
    for ((p, e), n) in hist.iter().take(60) {
        eprintln!("{n:6}  {p} {e}");
    }
    assert!(
        total > 10_000,
        "expected the whole corpus, got {total} records"
    );
}

/// Exact messages for known records, to pin the templates to real data.
fn messages_of(rel: &str) -> Option<Vec<Fields<'static>>> {
    let path = corpus_evtx()?.join(rel);
    assert!(path.is_file(), "{} is gone from the corpus", path.display());
    Some(normalised(&path))
}

#[test]
#[ignore = "a dump tool, not a test: cargo test corpus_dump_samples -- --ignored"]
fn corpus_dump_samples() {
    let Some(root) = corpus_evtx() else {
        return;
    };
    let files = evtx_files(&root);
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for path in &files {
        for f in normalised(path) {
            let p = f.get(Norm::Provider).unwrap_or("").to_owned();
            let e = f.get(Norm::EventId).unwrap_or("").to_owned();
            let n = seen.entry((p, e)).or_default();
            *n += 1;
            if *n <= 2 {
                let norm: Vec<String> = f
                    .norm_iter()
                    .filter(|(n, _)| {
                        !matches!(
                            n,
                            Norm::Message | Norm::Channel | Norm::Provider | Norm::RecordId
                        )
                    })
                    .map(|(n, v)| format!("{}={v}", n.name()))
                    .collect();
                eprintln!(
                    "{} | {}\n    {}",
                    path.display(),
                    f.get(Norm::Message).unwrap_or(""),
                    norm.join(" ")
                );
            }
        }
    }
}

fn find_msg<'f>(v: &'f [Fields<'static>], record_id: &str) -> &'f Fields<'static> {
    let f = v.iter().find(|f| f.get(Norm::RecordId) == Some(record_id));
    f.unwrap_or_else(|| panic!("record {record_id} missing"))
}

#[test]
fn corpus_known_messages() {
    if let Some(v) =
        messages_of("evtx-attack-samples/Lateral Movement/LM_WMI_4624_4688_TargetHost.evtx")
    {
        let f = find_msg(&v, "563297");
        assert_eq!(
            f.get(Norm::Message),
            Some(
                "4624 logon type 3 (network) EXAMPLE\\Administrator from 10.0.2.17 (PC01) via NTLM (NTLM V2)"
            )
        );
        assert_eq!(f.get(Norm::User), Some("EXAMPLE\\Administrator"));
        assert_eq!(f.get(Norm::SrcIp), Some("10.0.2.17"));
        assert_eq!(f.get(Norm::SrcPort), Some("49249"));
        assert_eq!(f.get(Norm::Action), Some("success"));
        assert_eq!(f.get(Norm::Category), Some("auth"));
        // ProcessId 0x0 on a network logon means "none".
        assert_eq!(f.get(Norm::Pid), None);
        let f = find_msg(&v, "563299");
        assert_eq!(
            f.get(Norm::Message),
            Some(
                "4688 process C:\\Windows\\System32\\calc.exe (creator pid 0xae8) by EXAMPLE\\WIN-77LTAPHIQ1R$"
            )
        );
        assert_eq!(f.get(Norm::Pid), Some("0x424"));
    }
    if let Some(v) = messages_of("evtx-attack-samples/Execution/exec_sysmon_1_ftp.evtx") {
        let f = find_msg(&v, "16513");
        assert_eq!(
            f.get(Norm::Message),
            Some(
                "Sysmon 1 process C:\\Windows\\system32\\cmd.exe /C c:\\Windows\\system32\\calc.exe (parent C:\\Windows\\System32\\ftp.exe) by IEWIN7\\IEUser"
            )
        );
        assert_eq!(f.get(Norm::Parent), Some("C:\\Windows\\System32\\ftp.exe"));
        assert_eq!(f.get(Norm::Pid), Some("2392"));
        assert!(
            f.get(Norm::Hash)
                .is_some_and(|h| h.contains("MD5=AD7B9C14083B52BC532FBA5948342B98"))
        );
    }
    let expect = [
        (
            "evtx-attack-samples/Credential Access/CA_4624_4625_LogonType2_LogonProc_chrome.evtx",
            "4625 failed logon type 2 (interactive) MSEDGEWIN10\\IEUser from MSEDGEWIN10 via Negotiate: bad password (0xc000006a)",
        ),
        (
            "evtx-attack-samples/Credential Access/kerberos_pwd_spray_4771.evtx",
            "4771 Kerberos pre-auth failed for Administrator service krbtgt/THREEBEESCO.COM from 172.16.66.1: KDC_ERR_PREAUTH_FAILED (bad password) (0x18)",
        ),
        (
            "evtx-attack-samples/Defense Evasion/DE_104_system_log_cleared.evtx",
            "104 System log cleared by EXAMPLE\\user01",
        ),
        (
            "evtx-attack-samples/Command and Control/DE_RDP_Tunneling_TerminalServices-RemoteConnectionManagerOperational_1149.evtx",
            "RDP 1149 user authenticated ie11win7\\administrator from 10.0.2.16",
        ),
        (
            "evtx-attack-samples/Execution/temp_scheduled_task_4698_4699.evtx",
            "4698 scheduled task created \\CYAlyNSS by EXAMPLE\\Administrator: cmd.exe /C tasklist > %windir%\\Temp\\CYAlyNSS.tmp 2>&1",
        ),
        (
            "evtx-attack-samples/Lateral Movement/LM_Remote_Service02_7045.evtx",
            "7045 service installed spoolfool: cmd.exe (auto start) as LocalSystem",
        ),
    ];
    for (rel, msg) in expect {
        if let Some(v) = messages_of(rel) {
            assert!(
                v.iter().any(|f| f.get(Norm::Message) == Some(msg)),
                "{msg:?} not found in {rel}"
            );
        }
    }
}

#[test]
#[ignore = "a dump tool: VIGIL_DUMP_FILE=REL cargo test corpus_dump_file -- --ignored"]
fn corpus_dump_file() {
    let Some(rel) = std::env::var_os("VIGIL_DUMP_FILE") else {
        return;
    };
    for f in messages_of(&rel.to_string_lossy()).unwrap_or_default() {
        let norm: Vec<String> = f
            .norm_iter()
            .map(|(n, v)| format!("{}={v}", n.name()))
            .collect();
        eprintln!("{}", norm.join(" | "));
    }
}
