//! `ecs`: Elastic Common Schema documents — NDJSON, arrays or single pretty-printed
//! documents (Elastic Defend process/network/file/registry events and alerts), timed by
//! `@timestamp`. Winlogbeat documents (`winlog.*`) go to `winjson` instead.

use super::norm::{
    self, FieldMap, JsonParser, basename, first, get, has, json_head, set_from_each,
};
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
    Ok(JsonParser::prepare(data, &["hits"], ctx, map))
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
    let who: FieldMap = &[
        (
            Norm::Host,
            &[
                "host.name",
                "host.hostname",
                "agent.hostname",
                "observer.name",
            ],
        ),
        (
            Norm::User,
            &["user.name", "process.user.name", "user.target.name"],
        ),
        (Norm::Action, &["event.action", "event.type"]),
        (
            Norm::EventId,
            &["event.code", "event.action", "event.dataset"],
        ),
    ];
    set_from_each(f, who);
    match first(f, &["process.name"]) {
        Some(p) => f.set(Norm::Process, p),
        None => {
            if let Some(p) = first(f, &["process.executable"]) {
                f.set(Norm::Process, basename(p));
            }
        }
    }
    let what: FieldMap = &[
        (Norm::Pid, &["process.pid"]),
        (Norm::Cmdline, &["process.command_line", "process.args"]),
        (
            Norm::Parent,
            &["process.parent.name", "process.parent.executable"],
        ),
        (
            Norm::Hash,
            &[
                "process.hash.sha256",
                "file.hash.sha256",
                "process.hash.sha1",
                "process.hash.md5",
                "file.hash.md5",
            ],
        ),
        (
            Norm::File,
            &["file.path", "registry.path", "dll.path", "file.name"],
        ),
        (Norm::SrcIp, &["source.ip", "source.address", "client.ip"]),
        (Norm::SrcPort, &["source.port", "client.port"]),
        (
            Norm::DstIp,
            &["destination.ip", "destination.address", "server.ip"],
        ),
        (Norm::DstPort, &["destination.port", "server.port"]),
        (Norm::Proto, &["network.transport", "network.protocol"]),
        (
            Norm::Severity,
            &["kibana.alert.severity", "event.severity", "log.level"],
        ),
    ];
    set_from_each(f, what);
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
    use crate::ingest::edr::testutil::{assert_row, parse_sample};

    #[test]
    fn ndjson_with_bom_and_missing_time() {
        let data = "\u{feff}{\"@timestamp\":\"2023-01-01T00:00:00Z\",\"ecs\":{\"version\":\"8\"},\"host\":{\"name\":\"h\"},\"event\":{\"category\":[\"network\"],\"kind\":\"event\"},\"dns\":{\"question\":{\"name\":\"evil.example\"}}}\n{\"ecs\":{\"version\":\"8\"}}\n";
        let r = parse_sample(data.as_bytes(), "ecs", 80);
        assert_eq!((r.total, r.rejected), (2, 1));
        let want = [("message", "dns evil.example"), ("host", "h")];
        assert_row(&r.rows[0], &want, "first line");
    }
}
