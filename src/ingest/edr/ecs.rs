//! `ecs`: Elastic Common Schema documents — NDJSON, arrays or single pretty-printed
//! documents (Elastic Defend process/network/file/registry events and alerts), timed by
//! `@timestamp`. Winlogbeat documents (`winlog.*`) go to `winjson` instead.

use super::json;
use super::norm::{self, JsonParser, basename, first, get, has, json_head, set_from};
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason};
use crate::model::{Fields, Norm, TzSpec};

pub static DEF: FormatDef = FormatDef::new("ecs", Family::Edr, prepare)
    .with_head(sniff)
    .with_samples(&[
    r#"{"@timestamp":"2022-04-04T18:37:01.577Z","ecs":{"version":"8.0.0"},"event":{"kind":"event","category":["process"],"action":"start"},"host":{"name":"ws1"},"process":{"name":"cmd.exe","pid":4242},"user":{"name":"bob"}}"#,
    ]);

fn sniff(head: &[u8]) -> u8 {
    let Some(h) = json_head(head) else { return 0 };
    if !has(h, "\"@timestamp\"") {
        return 0;
    }
    let marks = norm::count(
        h,
        &[
            "\"ecs\"",
            "\"ecs.version\"",
            "\"data_stream\"",
            "\"event.kind\"",
            "\"event.category\"",
        ],
    );
    let event = has(h, "\"event\"") && (has(h, "\"kind\"") || has(h, "\"category\""));
    if marks >= 1 || event {
        return 80;
    }
    0
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    let (records, shape) = json::split(data, &["hits"]);
    Ok(Prepared {
        parser: Box::new(JsonParser { tz: ctx.tz, map }),
        records,
        note: Some(shape.to_owned()),
    })
}

/// vigil's category for ECS `event.category` values (first match wins).
fn category(cats: &str, kind: &str) -> &'static str {
    if kind == "alert" || kind == "signal" {
        return "alert";
    }
    for c in cats.split(", ") {
        let v = match c {
            "process" => "process",
            "network" => "network",
            "file" | "library" => "file",
            "registry" => "registry",
            "authentication" | "session" | "iam" => "auth",
            "malware" | "intrusion_detection" | "threat" => "alert",
            _ => continue,
        };
        return v;
    }
    ""
}

fn map<'a>(f: &mut Fields<'a>, tz: &TzSpec) -> Result<(), Reason> {
    // Search API hits carry the document under `_source`.
    norm::strip_key_prefix(&mut f.raw, "_source.");
    norm::set_time(f, &["@timestamp", "event.created", "timestamp"], tz)?;
    let cats = get(f, "event.category").unwrap_or_default();
    let kind = get(f, "event.kind").unwrap_or_default();
    let cat = category(&cats, &kind);
    f.set(Norm::Category, cat);
    set_from(
        f,
        Norm::Host,
        &[
            "host.name",
            "host.hostname",
            "agent.hostname",
            "observer.name",
        ],
    );
    set_from(
        f,
        Norm::User,
        &["user.name", "process.user.name", "user.target.name"],
    );
    set_from(f, Norm::Action, &["event.action", "event.type"]);
    set_from(
        f,
        Norm::EventId,
        &["event.code", "event.action", "event.dataset"],
    );
    match first(f, &["process.name"]) {
        Some(p) => f.set(Norm::Process, p),
        None => {
            if let Some(p) = first(f, &["process.executable"]) {
                f.set(Norm::Process, basename(p));
            }
        }
    }
    set_from(f, Norm::Pid, &["process.pid"]);
    set_from(f, Norm::Cmdline, &["process.command_line", "process.args"]);
    set_from(
        f,
        Norm::Parent,
        &["process.parent.name", "process.parent.executable"],
    );
    set_from(
        f,
        Norm::Hash,
        &[
            "process.hash.sha256",
            "file.hash.sha256",
            "process.hash.sha1",
            "process.hash.md5",
            "file.hash.md5",
        ],
    );
    set_from(
        f,
        Norm::File,
        &["file.path", "registry.path", "dll.path", "file.name"],
    );
    set_from(
        f,
        Norm::SrcIp,
        &["source.ip", "source.address", "client.ip"],
    );
    set_from(f, Norm::SrcPort, &["source.port", "client.port"]);
    set_from(
        f,
        Norm::DstIp,
        &["destination.ip", "destination.address", "server.ip"],
    );
    set_from(f, Norm::DstPort, &["destination.port", "server.port"]);
    set_from(f, Norm::Proto, &["network.transport", "network.protocol"]);
    set_from(
        f,
        Norm::Severity,
        &["kibana.alert.severity", "event.severity", "log.level"],
    );
    if cat == "alert"
        && let Some(r) = first(f, &["kibana.alert.rule.name", "rule.name", "message"])
    {
        let on = f.get(Norm::File).or(f.get(Norm::Process)).unwrap_or("");
        f.set(
            Norm::Message,
            format!("alert {} {on}", norm::clip(&r, 300))
                .trim_end()
                .to_owned(),
        );
    }
    if let Some(q) = get(f, "dns.question.name") {
        let m = format!("dns {q} {}", f.get(Norm::Process).unwrap_or(""));
        f.set_default(Norm::Category, "dns");
        f.set(Norm::Message, m.trim_end().to_owned());
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
    fn corpus_elastic_endpoint() {
        let Some(files) = corpus_files("elastic-endpoint") else {
            return;
        };
        assert_eq!(files.len(), 5);
        for path in files {
            let r = parse_all(&path, "ecs");
            assert_eq!(
                (r.total, r.rejected),
                (1, 0),
                "{}: {:?}",
                path.display(),
                r.reasons
            );
            let row = &r.rows[0];
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let (ts, host, process, cat) = match name {
                "endpoint-package__alerts.sample_event.json" => (
                    "2022-04-04T12:15:41.594406200Z",
                    "security-win-1",
                    "System",
                    "alert",
                ),
                "endpoint-package__file.sample_event.json" => (
                    "2022-04-04T18:37:01.577577100Z",
                    "response-win-1",
                    "winlogbeat.exe",
                    "file",
                ),
                "endpoint-package__network.sample_event.json" => (
                    "2022-04-04T18:52:00.600780900Z",
                    "mgmt-win-1",
                    "GCEWindowsAgent.exe",
                    "network",
                ),
                "endpoint-package__process.sample_event.json" => (
                    "2022-04-04T18:53:08.657898600Z",
                    "data-viz-win-1",
                    "svchost.exe",
                    "process",
                ),
                _ => (
                    "2022-04-04T18:53:09.128384600Z",
                    "data-viz-win-1",
                    "svchost.exe",
                    "registry",
                ),
            };
            assert_eq!(format_rfc3339(row.ts), ts, "{name}");
            assert_eq!(row.get("host"), Some(host), "{name}");
            assert_eq!(row.get("process"), Some(process), "{name}");
            assert_eq!(row.get("user"), Some("SYSTEM"), "{name}");
            assert_eq!(row.get("category"), Some(cat), "{name}");
            if cat == "network" {
                assert_eq!(row.get("dst_ip"), Some("64.233.191.95"));
                assert_eq!(row.get("dst_port"), Some("443"));
                assert_eq!(row.get("proto"), Some("tcp"));
            }
            if cat == "process" {
                assert_eq!(row.get("parent"), Some("services.exe"));
                assert_eq!(
                    row.get("cmdline"),
                    Some("C:\\Windows\\System32\\svchost.exe -k WerSvcGroup")
                );
                assert_eq!(
                    row.raw("process.Ext.token.integrity_level_name"),
                    Some("system")
                );
            }
        }
    }

    #[test]
    fn ndjson_with_bom_and_missing_time() {
        let data = "\u{feff}{\"@timestamp\":\"2023-01-01T00:00:00Z\",\"ecs\":{\"version\":\"8\"},\"host\":{\"name\":\"h\"},\"event\":{\"category\":[\"network\"],\"kind\":\"event\"},\"dns\":{\"question\":{\"name\":\"evil.example\"}}}\n{\"ecs\":{\"version\":\"8\"}}\n";
        assert_eq!(sniff(data.as_bytes()), 80);
        let r = parse_bytes(data.as_bytes(), "ecs", &Default::default());
        assert_eq!((r.total, r.rejected), (2, 1));
        assert_eq!(r.rows[0].get("message"), Some("dns evil.example"));
        assert_eq!(r.rows[0].get("host"), Some("h"));
    }
}
