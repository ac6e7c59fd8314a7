//! `crowdstrike`: Falcon Data Replicator / Event Search rows (`event_simpleName`,
//! `timestamp` epoch ms, `ContextTimeStamp` epoch s, or FILETIME in identity-protection
//! events: see `time::EpochUnit`) and the streaming API
//! (`{"metadata":{"eventType","eventCreationTime"},"event":{…}}`: DetectionSummaryEvent,
//! EppDetectionSummaryEvent, AuthActivityAuditEvent…).

use super::json;
use super::norm::{self, JsonParser, basename, first, get, has, json_head, set_from};
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason};
use crate::model::{Fields, Norm, TzSpec};

pub static DEF: FormatDef = FormatDef::new("crowdstrike", Family::Edr, prepare)
    .with_head(sniff)
    .with_samples(&[
    r#"{"event_simpleName":"ProcessRollup2","ComputerName":"EHR-APP-01","timestamp":"1773379785252","TargetProcessId":"4164012499","ImageFileName":"\\Device\\HarddiskVolume2\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c whoami","UserName":"bob"}"#,
    r#"{"metadata":{"customerIDString":"c","offset":1,"eventType":"DetectionSummaryEvent","eventCreationTime":1536846439000,"version":"1.0"},"event":{"ProcessStartTime":1536846339,"ComputerName":"FALCON-CROWDSTR","UserName":"bob","DetectName":"Suspicious Activity","Severity":2,"FileName":"explorer.exe"}}"#,
    ]);

fn sniff(head: &[u8]) -> u8 {
    let Some(h) = json_head(head) else { return 0 };
    if has(h, "\"event_simpleName\"") {
        return 90;
    }
    if has(h, "\"metadata\"") && has(h, "\"eventType\"") && has(h, "\"eventCreationTime\"") {
        return 90;
    }
    0
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    let (records, shape) = json::split(data, &["resources", "events"]);
    Ok(Prepared {
        parser: Box::new(JsonParser { tz: ctx.tz, map }),
        records,
        note: Some(shape.to_owned()),
    })
}

/// The category of an event by its name.
fn category(name: &str) -> &'static str {
    let n = name.to_ascii_lowercase();
    if n.contains("detection") || n.contains("incident") {
        "alert"
    } else if n.contains("processrollup") || n == "endofprocess" || n.contains("processexecution") {
        "process"
    } else if n.contains("dns") {
        "dns"
    } else if n.contains("logon")
        || n.contains("logoff")
        || n.contains("authactivity")
        || n.contains("userauth")
    {
        "auth"
    } else if n.starts_with("reg") || n.contains("registry") || n.starts_with("asepvalue") {
        "registry"
    } else if n.contains("network") || n.contains("ip4") || n.contains("ip6") {
        "network"
    } else if n.contains("written") || n.contains("file") || n.contains("directorycreate") {
        "file"
    } else {
        ""
    }
}

fn proto_name(p: &str) -> Option<&'static str> {
    Some(match p {
        "6" => "tcp",
        "17" => "udp",
        "1" => "icmp",
        "58" => "icmpv6",
        _ => return None,
    })
}

fn map<'a>(f: &mut Fields<'a>, tz: &TzSpec) -> Result<(), Reason> {
    // Streaming API: the payload sits under `event`, the envelope under `metadata`.
    norm::strip_key_prefix(&mut f.raw, "event.");
    norm::set_time(
        f,
        &[
            "ContextTimeStamp",
            "timestamp",
            "metadata.eventCreationTime",
            "UTCTimestamp",
            "ProcessStartTime",
        ],
        tz,
    )?;
    let name = first(
        f,
        &["event_simpleName", "metadata.eventType", "OperationName"],
    )
    .unwrap_or_default();
    let cat = category(&name);
    f.set(Norm::Category, cat);
    f.set(Norm::EventId, name);
    set_from(f, Norm::Host, &["ComputerName", "Hostname", "aid"]);
    set_from(f, Norm::User, &["UserName", "UserId", "UserPrincipal"]);
    set_from(
        f,
        Norm::Action,
        &["PatternDispositionDescription", "OperationName"],
    );
    if let Some(img) = first(f, &["ImageFileName", "FileName"]) {
        f.set(Norm::Process, basename(img));
    }
    set_from(f, Norm::Cmdline, &["CommandLine"]);
    set_from(
        f,
        Norm::Pid,
        &["RawProcessId", "ProcessId", "ContextProcessId"],
    );
    set_from(
        f,
        Norm::Parent,
        &["ParentBaseFileName", "ParentImageFileName"],
    );
    set_from(
        f,
        Norm::Hash,
        &[
            "SHA256HashValue",
            "SHA256String",
            "MD5HashValue",
            "MD5String",
        ],
    );
    set_from(
        f,
        Norm::File,
        &["TargetFileName", "FilePath", "RegObjectName"],
    );
    // ConnectionDirection 1 is inbound: the remote end is the source.
    let inbound = get(f, "ConnectionDirection").is_some_and(|d| d == "1");
    let local = (
        ["LocalAddressIP4", "LocalAddressIP6", "LocalIP"],
        ["LocalPort"],
    );
    let remote = (
        ["RemoteAddressIP4", "RemoteAddressIP6", "RemoteIP"],
        ["RemotePort"],
    );
    let (src, dst) = if inbound {
        (remote, local)
    } else {
        (local, remote)
    };
    set_from(f, Norm::SrcIp, &src.0);
    set_from(f, Norm::SrcPort, &src.1);
    set_from(f, Norm::DstIp, &dst.0);
    set_from(f, Norm::DstPort, &dst.1);
    if let Some(p) = get(f, "Protocol") {
        match proto_name(&p) {
            Some(n) => f.set(Norm::Proto, n),
            None => f.set(Norm::Proto, p),
        }
    }
    if cat == "alert" {
        set_from(f, Norm::Severity, &["SeverityName", "Severity"]);
        if let Some(d) = first(f, &["DetectName", "Tactic", "DetectDescription"]) {
            let host = f.get(Norm::Host).unwrap_or("");
            f.set(
                Norm::Message,
                format!("alert {} on {host}", norm::clip(&d, 300)),
            );
        }
    }
    if cat == "dns"
        && let Some(d) = get(f, "DomainName")
    {
        let p = f.get(Norm::Process).unwrap_or("");
        f.set(Norm::Message, format!("dns {d} {p}").trim_end().to_owned());
    }
    norm::summarise(f);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::edr::testutil::{corpus_files, parse_all, parse_bytes};
    use crate::model::format_rfc3339;

    #[test]
    fn corpus_fdr() {
        let Some(files) = corpus_files("crowdstrike-fdr") else {
            return;
        };
        for path in files {
            let r = parse_all(&path, "crowdstrike");
            assert_eq!((r.total, r.rejected), (23, 0), "{:?}", r.reasons);
            let row = &r.rows[0];
            assert_eq!(format_rfc3339(row.ts), "2021-07-07T17:05:21.137Z");
            assert_eq!(row.get("event_id"), Some("SyntheticProcessRollup2"));
            assert_eq!(row.get("process"), Some("sh"));
            assert_eq!(row.get("cmdline"), Some("/bin/sh -s unix:cmd"));
            assert_eq!(row.get("host"), Some("ffffffffa63e404bba4bff7465ab3afb"));
            assert_eq!(row.get("category"), Some("process"));
            let bind = &r.rows[2];
            assert_eq!(bind.get("proto"), Some("udp"));
            assert_eq!(bind.get("src_port"), Some("547"));
            let dns = r
                .rows
                .iter()
                .find(|r| r.get("event_id") == Some("DnsRequest"))
                .unwrap();
            assert_eq!(dns.get("category"), Some("dns"));
            assert!(dns.get("message").unwrap().starts_with("dns "));
        }
    }

    #[test]
    fn streaming_detection() {
        let data = br#"{"metadata":{"customerIDString":"c","offset":1,"eventType":"DetectionSummaryEvent","eventCreationTime":1536846439000,"version":"1.0"},"event":{"ProcessStartTime":1536846339,"ComputerName":"FALCON-CROWDSTR","UserName":"bob","DetectName":"Suspicious Activity","Severity":2,"SeverityName":"Low","FileName":"explorer.exe","CommandLine":"C:\\Windows\\Explorer.EXE","SHA256String":"6a67","ParentImageFileName":"C:\\Windows\\System32\\userinit.exe"}}
{"metadata":{"eventType":"AuthActivityAuditEvent","eventCreationTime":1581542773000},"event":{"UserId":"alice@example.com","OperationName":"twoFactorAuthenticate","ServiceName":"CrowdStrike Authentication","Success":true,"UTCTimestamp":1581542773}}
{"metadata":{"eventType":"AuthActivityAuditEvent"},"event":{"UserId":"x"}}
"#;
        assert_eq!(sniff(data), 90);
        let r = parse_bytes(data, "crowdstrike", &Default::default());
        assert_eq!((r.total, r.rejected), (3, 1));
        assert_eq!(r.reasons[0], "no usable time in field ContextTimeStamp");
        let d = &r.rows[0];
        assert_eq!(format_rfc3339(d.ts), "2018-09-13T13:47:19Z");
        assert_eq!(d.get("host"), Some("FALCON-CROWDSTR"));
        assert_eq!(d.get("severity"), Some("Low"));
        assert_eq!(d.get("category"), Some("alert"));
        assert_eq!(
            d.get("message"),
            Some("alert Suspicious Activity on FALCON-CROWDSTR")
        );
        let a = &r.rows[1];
        assert_eq!(a.get("category"), Some("auth"));
        assert_eq!(a.get("user"), Some("alice@example.com"));
    }

    /// Falcon identity-protection events carry FILETIME `ContextTimeStamp`s; read as Unix
    /// nanoseconds they dated a 2023 alert in 1974. Seconds in the same field stay
    /// seconds, and a FILETIME beside a millisecond `timestamp` agrees with it.
    #[test]
    fn identity_protection_filetimes() {
        let data = br#"{"event_simpleName":"IdpDetectionSummaryEvent","ContextTimeStamp":"133274088000000000","timestamp":"1682935200123","ComputerName":"DC01"}
{"event_simpleName":"UserLogon","ContextTimeStamp":"1682935200.5","ComputerName":"DC01"}
{"event_simpleName":"IdpPolicyRuleMatch","ContextTimeStamp":133274088000000000,"ComputerName":"DC01"}
"#;
        let r = parse_bytes(data, "crowdstrike", &Default::default());
        assert_eq!((r.total, r.rejected), (3, 0), "{:?}", r.reasons);
        let times: Vec<String> = r.rows.iter().map(|r| format_rfc3339(r.ts)).collect();
        assert_eq!(
            times,
            [
                "2023-05-01T10:00:00Z",
                "2023-05-01T10:00:00.500Z",
                "2023-05-01T10:00:00Z"
            ]
        );
    }
}
