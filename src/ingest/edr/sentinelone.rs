//! `sentinelone`: Deep Visibility / Cloud Funnel events (JSON with dotted names such as
//! `src.process.cmdline`, or CSV exports) and management API threat/activity JSON
//! (`{"data":[…]}` with `threatInfo`, `agentRealtimeInfo`, `createdAt`).

use super::json;
use super::norm::{self, CsvParser, JsonParser, basename, first, get, has, json_head, set_from};
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, Records};
use crate::model::{Fields, Norm, TzSpec};

pub static DEF: FormatDef = FormatDef::new("sentinelone", Family::Edr, prepare)
    .with_head(sniff)
    .with_samples(&[
    r#"{"data":[{"agentRealtimeInfo":{"agentComputerName":"WS1"},"threatInfo":{"createdAt":"2023-05-01T10:00:00.000000Z","threatName":"mimikatz.exe","confidenceLevel":"malicious","sha1":"abc","originatorProcess":"explorer.exe","mitigationStatus":"mitigated"}}],"pagination":{"totalItems":1}}"#,
    ]);

fn sniff(head: &[u8]) -> u8 {
    if let Some(h) = json_head(head) {
        let dv = norm::count(
            h,
            &[
                "\"src.process.",
                "\"tgt.process.",
                "\"endpoint.name\"",
                "\"event.time\"",
                "\"dataSource.name\"",
                "\"meta.event.name\"",
            ],
        );
        if dv >= 3 {
            return 85;
        }
        if has(h, "\"threatInfo\"") || (has(h, "\"agentRealtimeInfo\"") && has(h, "\"createdAt\""))
        {
            return 85;
        }
        if has(h, "\"activityType\"") && has(h, "\"primaryDescription\"") {
            return 80;
        }
        return 0;
    }
    if norm::csv_header_has(head, &["Event Time", "Endpoint Name", "Event Type"]) {
        return 80;
    }
    0
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    if json_head(data).is_some() {
        let (records, shape) = json::split(data, &["data"]);
        return Ok(Prepared {
            parser: Box::new(JsonParser { tz: ctx.tz, map }),
            records,
            note: Some(shape.to_owned()),
        });
    }
    let h = super::csv::header(data).ok_or("no CSV header")?;
    let records = Records::Ranges(super::csv::record_ranges(data, h.data_start));
    Ok(Prepared {
        parser: Box::new(CsvParser {
            tz: ctx.tz,
            names: h.names,
            map,
        }),
        records,
        note: Some("CSV".to_owned()),
    })
}

fn category(c: &str) -> &'static str {
    match c.to_ascii_lowercase().as_str() {
        "process" | "processcreation" | "process creation" => "process",
        "file" => "file",
        "ip" | "network" | "url" => "network",
        "dns" => "dns",
        "registry" => "registry",
        "logins" | "login" | "logout" => "auth",
        "threat" | "threats" | "indicators" => "alert",
        _ => "",
    }
}

fn map<'a>(f: &mut Fields<'a>, tz: &TzSpec) -> Result<(), Reason> {
    // `timestamp` in Cloud Funnel is a time of day only; `event.time` is the full epoch.
    norm::set_time(
        f,
        &[
            "event.time",
            "eventTime",
            "Event Time",
            "threatInfo.createdAt",
            "createdAt",
            "timestamp",
        ],
        tz,
    )?;
    let threat = get(f, "threatInfo.threatName").is_some();
    let cat = if threat {
        "alert"
    } else {
        category(&first(f, &["event.category", "Event Type", "activityType"]).unwrap_or_default())
    };
    f.set(Norm::Category, cat);
    set_from(
        f,
        Norm::EventId,
        &[
            "event.type",
            "meta.event.name",
            "Event Type",
            "activityType",
        ],
    );
    set_from(
        f,
        Norm::Host,
        &[
            "endpoint.name",
            "agentRealtimeInfo.agentComputerName",
            "agentDetectionInfo.agentComputerName",
            "Endpoint Name",
            "computerName",
        ],
    );
    let created = f
        .get(Norm::EventId)
        .is_some_and(|e| e.eq_ignore_ascii_case("ProcessCreation") || e == "Process Creation");
    let (me, parent) = if created {
        ("tgt.process", "src.process")
    } else {
        ("src.process", "src.process.parent")
    };
    let k = |a: &str, b: &str| format!("{a}.{b}");
    for (n, leaf) in [
        (Norm::Process, "name"),
        (Norm::Cmdline, "cmdline"),
        (Norm::Pid, "pid"),
        (Norm::User, "user"),
        (Norm::Hash, "image.sha256"),
    ] {
        if let Some(v) = get(f, &k(me, leaf)) {
            f.set(n, v);
        }
    }
    if let Some(v) = get(f, &k(parent, "name")) {
        f.set(Norm::Parent, v);
    }
    set_from(
        f,
        Norm::Process,
        &["Source Process Name", "threatInfo.originatorProcess"],
    );
    set_from(f, Norm::Cmdline, &["Source Process Command Line"]);
    set_from(
        f,
        Norm::User,
        &[
            "Source Process User",
            "threatInfo.processUser",
            "agentDetectionInfo.agentLastLoggedInUserName",
        ],
    );
    set_from(
        f,
        Norm::Hash,
        &[
            "tgt.file.sha256",
            "threatInfo.sha256",
            "tgt.file.sha1",
            "threatInfo.sha1",
        ],
    );
    set_from(
        f,
        Norm::File,
        &[
            "tgt.file.path",
            "threatInfo.filePath",
            "registry.keyPath",
            "File Path",
        ],
    );
    if f.get(Norm::Process).is_none()
        && let Some(p) = first(f, &["src.process.image.path"])
    {
        f.set(Norm::Process, basename(p));
    }
    set_from(f, Norm::SrcIp, &["src.ip.address", "Source IP"]);
    set_from(f, Norm::SrcPort, &["src.port.number", "Source Port"]);
    set_from(f, Norm::DstIp, &["dst.ip.address", "Destination IP"]);
    set_from(f, Norm::DstPort, &["dst.port.number", "Destination Port"]);
    set_from(f, Norm::Proto, &["event.network.protocolName"]);
    set_from(
        f,
        Norm::Action,
        &[
            "event.network.connectionStatus",
            "threatInfo.mitigationStatus",
            "event.login.type",
        ],
    );
    if threat {
        set_from(
            f,
            Norm::Severity,
            &["threatInfo.confidenceLevel", "threatInfo.classification"],
        );
        if let Some(t) = get(f, "threatInfo.threatName") {
            let h = f.get(Norm::Host).unwrap_or("");
            f.set(
                Norm::Message,
                format!("alert {} on {h}", norm::clip(&t, 300)),
            );
        }
    } else if let Some(d) = get(f, "primaryDescription") {
        f.set(
            Norm::Message,
            norm::clip(&d, 400).replace(['\n', '\r'], " "),
        );
    } else if let Some(q) = get(f, "event.dns.request") {
        f.set(Norm::Message, format!("dns {q}"));
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
    fn corpus_cloud_funnel() {
        let Some(files) = corpus_files("sentinelone-dv") else {
            return;
        };
        for path in files {
            let r = parse_all(&path, "sentinelone");
            assert_eq!((r.total, r.rejected), (1, 0), "{:?}", r.reasons);
            let row = &r.rows[0];
            assert_eq!(format_rfc3339(row.ts), "2022-10-03T15:32:29.470Z");
            assert_eq!(row.get("host"), Some("asdf1"));
            assert_eq!(row.get("process"), Some("nr-winpkg.exe"));
            assert_eq!(row.get("parent"), Some("newrelic-infra.exe"));
            assert_eq!(row.get("cmdline"), Some("./nr-winpkg"));
            assert_eq!(row.get("pid"), Some("4720"));
            assert_eq!(row.get("user"), Some("NTAUTHORITY\\SYSTEM"));
            assert_eq!(row.get("category"), Some("process"));
        }
    }

    #[test]
    fn management_api_threats() {
        let data = br#"{"data":[{"agentRealtimeInfo":{"agentComputerName":"WS1"},"threatInfo":{"createdAt":"2023-05-01T10:00:00.000000Z","threatName":"mimikatz.exe","confidenceLevel":"malicious","filePath":"\\Device\\HarddiskVolume2\\t\\mimikatz.exe","sha1":"abc","originatorProcess":"explorer.exe","processUser":"CORP\\eve","mitigationStatus":"mitigated"}},{"agentRealtimeInfo":{"agentComputerName":"WS2"},"threatInfo":{"threatName":"x"}}],"pagination":{"totalItems":2}}"#;
        assert_eq!(sniff(data), 85);
        let r = parse_bytes(data, "sentinelone", &Default::default());
        assert_eq!((r.total, r.rejected), (2, 1));
        let t = &r.rows[0];
        assert_eq!(format_rfc3339(t.ts), "2023-05-01T10:00:00Z");
        assert_eq!(t.get("message"), Some("alert mimikatz.exe on WS1"));
        assert_eq!(t.get("severity"), Some("malicious"));
        assert_eq!(t.get("user"), Some("CORP\\eve"));
        assert_eq!(t.get("process"), Some("explorer.exe"));
    }
}
