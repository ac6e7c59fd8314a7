//! `mde`: Microsoft Defender for Endpoint / Defender XDR advanced hunting exports (CSV or
//! JSON rows of DeviceProcessEvents, DeviceNetworkEvents, DeviceFileEvents,
//! DeviceLogonEvents, DeviceRegistryEvents, DeviceImageLoadEvents, DeviceEvents,
//! AlertInfo, AlertEvidence) and the streaming API / Event Hub shape
//! (`{"records":[{"time","category":"AdvancedHunting-…","properties":{…}}]}` or one such
//! object per line). Column names are kept as Defender names them.

use super::json;
use super::norm::{self, CsvParser, JsonParser, basename, first, get, has, json_head, set_from};
use crate::ingest::{FormatDef, ParseCtx, Prepared, Reason};
use crate::model::{Fields, Norm, TzSpec};

pub static DEF: FormatDef = FormatDef {
    id: "mde",
    sniff,
    prepare,
};

/// Columns typical of advanced hunting rows; several together mean Defender.
const COLUMNS: &[&str] = &[
    "\"DeviceName\"",
    "\"ActionType\"",
    "\"InitiatingProcessFileName\"",
    "\"InitiatingProcessAccountName\"",
    "\"ReportId",
    "\"DeviceId\"",
    "\"AlertId\"",
];

fn sniff(head: &[u8]) -> u8 {
    if let Some(h) = json_head(head) {
        if has(h, "\"AdvancedHunting-") {
            return 95;
        }
        if has(h, "\"Timestamp\"") && norm::count(h, COLUMNS) >= 3 {
            return 85;
        }
        return 0;
    }
    let ah = ["Timestamp", "DeviceName", "ActionType"];
    if norm::csv_header_has(head, &ah)
        || norm::csv_header_has(head, &["Timestamp", "AlertId", "Title", "Severity"])
    {
        return 85;
    }
    0
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, String> {
    if json_head(data).is_some() {
        let (records, shape) = json::split(data, &["records"]);
        return Ok(Prepared {
            parser: Box::new(JsonParser { tz: ctx.tz, map }),
            records,
            note: Some(shape.to_owned()),
        });
    }
    let h = super::csv::header(data).ok_or("no CSV header")?;
    let records = super::csv::record_ranges(data, h.data_start);
    Ok(Prepared {
        parser: Box::new(CsvParser {
            tz: ctx.tz,
            names: h.names,
            map,
        }),
        records: crate::ingest::Records::Ranges(records),
        note: Some("CSV".to_owned()),
    })
}

/// The table of a row: the Event Hub category, else guessed from its columns.
fn table(f: &Fields<'_>) -> &'static str {
    if let Some(c) = get(f, "category") {
        let t = c.strip_prefix("AdvancedHunting-").unwrap_or(&c);
        for (name, cat) in TABLES {
            if t == *name {
                return cat;
            }
        }
    }
    let act = get(f, "ActionType").unwrap_or_default();
    if get(f, "AlertId").is_some() {
        "alert"
    } else if act == "ProcessCreated"
        || (get(f, "ProcessCommandLine").is_some() && get(f, "RemoteIP").is_none())
    {
        "process"
    } else if get(f, "LogonType").is_some() || act.starts_with("Logon") {
        "auth"
    } else if get(f, "RegistryKey").is_some() {
        "registry"
    } else if get(f, "RemoteIP").is_some() || act.starts_with("Connection") || act.contains("Dns") {
        "network"
    } else if get(f, "FolderPath").is_some() {
        "file"
    } else {
        ""
    }
}

const TABLES: &[(&str, &str)] = &[
    ("DeviceProcessEvents", "process"),
    ("DeviceNetworkEvents", "network"),
    ("DeviceFileEvents", "file"),
    ("DeviceImageLoadEvents", "file"),
    ("DeviceLogonEvents", "auth"),
    ("DeviceRegistryEvents", "registry"),
    ("AlertInfo", "alert"),
    ("AlertEvidence", "alert"),
];

fn map<'a>(f: &mut Fields<'a>, tz: &TzSpec) -> Result<(), Reason> {
    // The Event Hub shape nests the row under `properties`.
    norm::strip_key_prefix(&mut f.raw, "properties.");
    norm::set_time(f, &["Timestamp", "time", "TimeGenerated"], tz)?;
    let cat = table(f);
    set_from(f, Norm::Host, &["DeviceName", "RemoteDeviceName"]);
    set_from(f, Norm::Action, &["ActionType"]);
    set_from(f, Norm::EventId, &["ActionType", "category"]);
    f.set(Norm::Category, cat);
    if cat == "process" {
        // The row is about the created process; the initiating one is its parent.
        set_from(f, Norm::Process, &["FileName"]);
        set_from(f, Norm::Cmdline, &["ProcessCommandLine"]);
        set_from(f, Norm::Pid, &["ProcessId"]);
        set_from(f, Norm::Parent, &["InitiatingProcessFileName"]);
        set_from(f, Norm::Hash, &["SHA256", "SHA1", "MD5"]);
        set_from(
            f,
            Norm::User,
            &["AccountName", "InitiatingProcessAccountName"],
        );
    } else {
        set_from(f, Norm::Process, &["InitiatingProcessFileName"]);
        set_from(f, Norm::Cmdline, &["InitiatingProcessCommandLine"]);
        set_from(f, Norm::Pid, &["InitiatingProcessId"]);
        set_from(f, Norm::Parent, &["InitiatingProcessParentFileName"]);
        set_from(
            f,
            Norm::User,
            &["AccountName", "InitiatingProcessAccountName", "AccountUpn"],
        );
        set_from(
            f,
            Norm::Hash,
            &[
                "SHA256",
                "SHA1",
                "MD5",
                "InitiatingProcessSHA256",
                "InitiatingProcessSHA1",
            ],
        );
    }
    if f.get(Norm::Process).is_none()
        && let Some(p) = first(f, &["InitiatingProcessFolderPath"])
    {
        f.set(Norm::Process, basename(p));
    }
    match cat {
        "registry" => {
            let key = get(f, "RegistryKey").unwrap_or_default();
            match get(f, "RegistryValueName") {
                Some(v) => f.set(Norm::File, format!("{key}\\{v}")),
                None => f.set(Norm::File, key),
            }
        }
        "process" => set_from(f, Norm::File, &["FolderPath"]),
        _ => set_from(f, Norm::File, &["FolderPath", "FileName"]),
    }
    let inbound = f
        .get(Norm::Action)
        .is_some_and(|a| a.starts_with("Inbound"))
        || cat == "auth";
    let (src, dst) = if inbound {
        (("RemoteIP", "RemotePort"), ("LocalIP", "LocalPort"))
    } else {
        (("LocalIP", "LocalPort"), ("RemoteIP", "RemotePort"))
    };
    set_from(f, Norm::SrcIp, &[src.0]);
    set_from(f, Norm::SrcPort, &[src.1]);
    set_from(f, Norm::DstIp, &[dst.0, "DestinationIPAddress"]);
    set_from(f, Norm::DstPort, &[dst.1, "DestinationPort"]);
    set_from(f, Norm::Proto, &["Protocol"]);
    if cat == "alert" {
        set_from(f, Norm::Severity, &["Severity"]);
        if let Some(t) = get(f, "Title") {
            f.set(Norm::Message, format!("alert {}", norm::clip(&t, 300)));
        }
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
    fn corpus_files_parse() {
        let Some(files) = corpus_files("mde-advanced-hunting") else {
            return;
        };
        assert_eq!(files.len(), 2);
        for path in files {
            let r = parse_all(&path, "mde");
            assert_eq!(r.rejected, 0, "{}: {:?}", path.display(), r.reasons);
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let row = &r.rows[0];
            if name.starts_with("otrf") {
                assert_eq!(r.total, 9);
                assert_eq!(format_rfc3339(row.ts), "2021-08-02T13:11:39.772449100Z");
                assert_eq!(row.get("host"), Some("adfs01.simulandlabs.com"));
                assert_eq!(row.get("user"), Some("wardog"));
                assert_eq!(row.get("process"), Some("powershell.exe"));
                assert_eq!(row.get("event_id"), Some("LdapSearch"));
                assert_eq!(r.rows[5].get("user"), Some("pgustavo"));
            } else {
                assert_eq!(r.total, 8);
                assert_eq!(format_rfc3339(row.ts), "2022-11-07T17:07:42.025918600Z");
                assert_eq!(row.get("host"), Some("testmachine5"));
                assert_eq!(row.get("user"), Some("administrator1"));
                assert_eq!(row.get("process"), Some("backgroundtaskhost.exe"));
                assert_eq!(row.get("parent"), Some("svchost.exe"));
                assert_eq!(row.get("action"), Some("DpapiAccessed"));
                let logon = &r.rows[7];
                assert_eq!(logon.get("category"), Some("auth"));
                assert_eq!(logon.get("src_ip"), Some("67.43.156.1"));
                assert_eq!(logon.get("user"), Some("administrator"));
                let file = &r.rows[2];
                assert_eq!(
                    file.get("file"),
                    Some("C:\\Windows\\System32\\VMAgentDisabler.dll")
                );
                assert_eq!(file.get("category"), Some("file"));
            }
        }
    }

    #[test]
    fn csv_export_with_multiline_field() {
        let data = "\u{feff}Timestamp,DeviceName,ActionType,FileName,ProcessCommandLine,InitiatingProcessFileName,AccountName\r\n\
            2024-03-01T10:00:00.123Z,pc1,ProcessCreated,powershell.exe,\"powershell -c \"\"a\r\nb\"\"\",winword.exe,alice\r\n\
            ,pc1,ProcessCreated,cmd.exe,cmd,explorer.exe,bob\r\n";
        assert_eq!(sniff(data.as_bytes()), 85);
        let r = parse_bytes(data.as_bytes(), "mde", &Default::default());
        assert_eq!(r.total, 2);
        assert_eq!(r.rejected, 1, "second row has no time");
        assert_eq!(r.reasons[0], "no usable time in field Timestamp");
        let row = &r.rows[0];
        assert_eq!(row.get("cmdline"), Some("powershell -c \"a\r\nb\""));
        assert_eq!(row.get("process"), Some("powershell.exe"));
        assert_eq!(row.get("parent"), Some("winword.exe"));
        assert_eq!(row.get("category"), Some("process"));
        assert_eq!(
            row.get("message"),
            Some("process ProcessCreated powershell -c \"a  b\" user alice (parent winword.exe)")
        );
    }

    #[test]
    fn event_hub_batch_array() {
        let data = br#"{"records":[{"time":"2024-01-01T00:00:00Z","category":"AdvancedHunting-DeviceNetworkEvents","properties":{"Timestamp":"2024-01-01T00:00:01Z","DeviceName":"pc","ActionType":"ConnectionSuccess","LocalIP":"10.0.0.1","LocalPort":5000,"RemoteIP":"1.2.3.4","RemotePort":443,"InitiatingProcessFileName":"curl.exe"}},{"time":"2024-01-01T00:00:02Z","category":"AdvancedHunting-DeviceNetworkEvents","properties":{"DeviceName":"pc"}}]}"#;
        assert_eq!(sniff(data), 95);
        let r = parse_bytes(data, "mde", &Default::default());
        assert_eq!((r.total, r.rejected), (2, 0));
        let row = &r.rows[0];
        assert_eq!(format_rfc3339(row.ts), "2024-01-01T00:00:01Z");
        assert_eq!(row.get("dst_ip"), Some("1.2.3.4"));
        assert_eq!(row.get("src_port"), Some("5000"));
        assert_eq!(row.get("category"), Some("network"));
        // No Timestamp in the properties: the envelope time is used.
        assert_eq!(format_rfc3339(r.rows[1].ts), "2024-01-01T00:00:02Z");
    }
}
