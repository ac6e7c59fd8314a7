//! `carbonblack`: Carbon Black Cloud event forwarder JSON (`endpoint.event.procstart`,
//! `netconn`, `filemod`, `regmod`, `crossproc`, `moduleload`…) and its alerts.

use super::norm::{self, JsonParser, basename, first, get, has, json_head, set_from};
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason};
use crate::model::{Fields, Norm, TzSpec};

pub static DEF: FormatDef = FormatDef::new("carbonblack", Family::Edr, prepare)
    .with_head(sniff)
    .with_samples(&[
    r#"{"type":"endpoint.event.netconn","device_name":"h","process_guid":"g","device_timestamp":"2022-02-10 11:50:51.686294 +0000 UTC","netconn_local_ipv4":"10.0.0.5","netconn_local_port":3389,"netconn_remote_ipv4":"203.0.113.9","netconn_remote_port":50000,"netconn_protocol":"PROTO_TCP"}"#,
    ]);

fn sniff(head: &[u8]) -> u8 {
    let Some(h) = json_head(head) else { return 0 };
    if has(h, "\"endpoint.event.") || (has(h, "\"device_name\"") && has(h, "\"process_guid\"")) {
        return 90;
    }
    if has(h, "\"type\":\"CB_ANALYTICS\"") || (has(h, "\"org_key\"") && has(h, "\"threat_id\"")) {
        return 85;
    }
    0
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    Ok(JsonParser::prepare(data, &["events", "results"], ctx, map))
}

fn category(t: &str) -> &'static str {
    match t.strip_prefix("endpoint.event.").unwrap_or(t) {
        "procstart" | "procend" | "crossproc" => "process",
        "netconn" | "netconn_proxy" => "network",
        "filemod" | "fileless_scriptload" | "scriptload" | "moduleload" => "file",
        "regmod" => "registry",
        "apicall" => "process",
        _ if t.contains("alert")
            || t == "CB_ANALYTICS"
            || t == "WATCHLIST"
            || t == "DEVICE_CONTROL" =>
        {
            "alert"
        }
        _ => "",
    }
}

fn map<'a>(f: &mut Fields<'a>, tz: &TzSpec) -> Result<(), Reason> {
    norm::set_time(
        f,
        &[
            "device_timestamp",
            "create_time",
            "backend_timestamp",
            "first_event_time",
            "last_update_time",
        ],
        tz,
    )?;
    let t = get(f, "type").unwrap_or_default();
    let cat = category(&t);
    f.set(Norm::Category, cat);
    f.set(Norm::EventId, t);
    // `device_name` may carry the domain (`CORP\\host`): the host is after the backslash.
    if let Some(d) = first(f, &["device_name"]) {
        f.set(Norm::Host, basename(d));
    }
    set_from(
        f,
        Norm::Action,
        &["action", "sensor_action", "netconn_action"],
    );
    set_from(
        f,
        Norm::User,
        &["process_username", "childproc_username", "device_username"],
    );
    let started = cat == "process" && get(f, "childproc_name").is_some();
    if let Some(p) = first(f, &["process_path", "process_name"]) {
        f.set(Norm::Process, basename(p));
    }
    set_from(f, Norm::Cmdline, &["process_cmdline"]);
    set_from(f, Norm::Pid, &["process_pid"]);
    if let Some(p) = first(f, &["parent_path", "parent_name"]) {
        f.set(Norm::Parent, basename(p));
    }
    // The `*_hash` arrays hold MD5 then SHA-256.
    if let Some(h) = first(f, &["process_sha256", "process_hash"]) {
        let last = h.rsplit(", ").next().unwrap_or(&h).to_owned();
        f.set(Norm::Hash, last);
    }
    set_from(
        f,
        Norm::File,
        &[
            "filemod_name",
            "regmod_name",
            "modload_name",
            "childproc_name",
            "crossproc_name",
            "scriptload_name",
        ],
    );
    let inbound = get(f, "netconn_inbound").is_some_and(|v| v == "true");
    let (src, dst) = if inbound {
        ("remote", "local")
    } else {
        ("local", "remote")
    };
    set_from(
        f,
        Norm::SrcIp,
        &[
            &format!("netconn_{src}_ipv4"),
            &format!("netconn_{src}_ipv6"),
        ],
    );
    set_from(f, Norm::SrcPort, &[&format!("netconn_{src}_port")]);
    set_from(
        f,
        Norm::DstIp,
        &[
            &format!("netconn_{dst}_ipv4"),
            &format!("netconn_{dst}_ipv6"),
            "netconn_domain",
        ],
    );
    set_from(f, Norm::DstPort, &[&format!("netconn_{dst}_port")]);
    set_from(f, Norm::Proto, &["netconn_protocol"]);
    if started {
        // procstart: the child is the new process; the reporting process is its parent.
        if let Some(p) = f.get(Norm::Process).map(str::to_owned) {
            f.set(Norm::Parent, p);
        }
        if let Some(c) = first(f, &["childproc_name"]) {
            f.set(Norm::Process, basename(c));
        }
        if let Some(c) = first(f, &["target_cmdline", "childproc_cmdline"]) {
            f.set(Norm::Cmdline, c);
        }
        set_from(f, Norm::Pid, &["childproc_pid"]);
    }
    if cat == "alert" {
        norm::set_alert(f, &["severity"], &["reason", "threat_cause_reason"]);
    }
    norm::summarise(f);
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::ingest::edr::testutil::{assert_row, parse_sample};

    #[test]
    fn netconn_inbound() {
        let data = br#"{"type":"endpoint.event.netconn","device_name":"h","process_guid":"g","device_timestamp":"2022-02-10 11:50:51.686294 +0000 UTC","netconn_inbound":true,"netconn_local_ipv4":"10.0.0.5","netconn_local_port":3389,"netconn_remote_ipv4":"203.0.113.9","netconn_remote_port":50000,"netconn_protocol":"PROTO_TCP","process_path":"c:\\windows\\system32\\svchost.exe"}"#;
        let r = parse_sample(data, "carbonblack", 90);
        let want = [
            ("src_ip", "203.0.113.9"),
            ("dst_port", "3389"),
            ("category", "network"),
        ];
        assert_row(&r.rows[0], &want, "inbound");
    }
}
