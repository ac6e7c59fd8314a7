//! `sentinelone`: Deep Visibility / Cloud Funnel events (JSON with dotted names such as
//! `src.process.cmdline`, or CSV exports) and management API threat/activity JSON
//! (`{"data":[…]}` with `threatInfo`, `agentRealtimeInfo`, `createdAt`).

use super::norm::{
    self, CsvParser, FieldMap, JsonParser, first, get, has, json_head, set_basename_from, set_from,
    set_from_each,
};
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
        return Ok(JsonParser::prepare(data, &["data"], ctx, map));
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
    let what: FieldMap = &[
        (
            Norm::Process,
            &["Source Process Name", "threatInfo.originatorProcess"],
        ),
        (Norm::Cmdline, &["Source Process Command Line"]),
        (
            Norm::User,
            &[
                "Source Process User",
                "threatInfo.processUser",
                "agentDetectionInfo.agentLastLoggedInUserName",
            ],
        ),
        (
            Norm::Hash,
            &[
                "tgt.file.sha256",
                "threatInfo.sha256",
                "tgt.file.sha1",
                "threatInfo.sha1",
            ],
        ),
        (
            Norm::File,
            &[
                "tgt.file.path",
                "threatInfo.filePath",
                "registry.keyPath",
                "File Path",
            ],
        ),
    ];
    set_from_each(f, what);
    set_basename_from(f, Norm::Process, &["src.process.image.path"]);
    let network: FieldMap = &[
        (Norm::SrcIp, &["src.ip.address", "Source IP"]),
        (Norm::SrcPort, &["src.port.number", "Source Port"]),
        (Norm::DstIp, &["dst.ip.address", "Destination IP"]),
        (Norm::DstPort, &["dst.port.number", "Destination Port"]),
        (Norm::Proto, &["event.network.protocolName"]),
        (
            Norm::Action,
            &[
                "event.network.connectionStatus",
                "threatInfo.mitigationStatus",
                "event.login.type",
            ],
        ),
    ];
    set_from_each(f, network);
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
    use crate::ingest::edr::testutil::{assert_row, parse_sample};

    #[test]
    fn management_api_threats() {
        let data = br#"{"data":[{"agentRealtimeInfo":{"agentComputerName":"WS1"},"threatInfo":{"createdAt":"2023-05-01T10:00:00.000000Z","threatName":"mimikatz.exe","confidenceLevel":"malicious","filePath":"\\Device\\HarddiskVolume2\\t\\mimikatz.exe","sha1":"abc","originatorProcess":"explorer.exe","processUser":"CORP\\eve","mitigationStatus":"mitigated"}},{"agentRealtimeInfo":{"agentComputerName":"WS2"},"threatInfo":{"threatName":"x"}}],"pagination":{"totalItems":2}}"#;
        let r = parse_sample(data, "sentinelone", 85);
        assert_eq!((r.total, r.rejected), (2, 1));
        let threat = [
            ("ts", "2023-05-01T10:00:00Z"),
            ("message", "alert mimikatz.exe on WS1"),
            ("severity", "malicious"),
            ("user", "CORP\\eve"),
            ("process", "explorer.exe"),
        ];
        assert_row(&r.rows[0], &threat, "threat");
    }
}
