//! `mde`: Microsoft Defender for Endpoint / Defender XDR advanced hunting exports (CSV or
//! JSON rows of DeviceProcessEvents, DeviceNetworkEvents, DeviceFileEvents,
//! DeviceLogonEvents, DeviceRegistryEvents, DeviceImageLoadEvents, DeviceEvents,
//! AlertInfo, AlertEvidence) and the streaming API / Event Hub shape
//! (`{"records":[{"time","category":"AdvancedHunting-…","properties":{…}}]}` or one such
//! object per line). Column names are kept as Defender names them.

use super::json;
use super::norm::{self, CsvParser, JsonParser, basename, first, get, has, json_head, set_from};
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason};
use crate::model::{Fields, Norm, TzSpec};

pub static DEF: FormatDef = FormatDef::new("mde", Family::Edr, prepare)
    .with_head(sniff)
    .with_samples(&[
    r#"{"records":[{"time":"2024-01-01T00:00:00Z","category":"AdvancedHunting-DeviceNetworkEvents","properties":{"Timestamp":"2024-01-01T00:00:01Z","DeviceName":"pc","ActionType":"ConnectionSuccess","LocalIP":"10.0.0.1","LocalPort":5000,"RemoteIP":"1.2.3.4","RemotePort":443,"InitiatingProcessFileName":"curl.exe"}}]}"#,
    "Timestamp,DeviceName,ActionType,FileName,ProcessCommandLine,AccountName\n2024-01-01T00:00:01Z,ws1,ProcessCreated,cmd.exe,cmd.exe /c whoami,bob\n",
    ]);

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
    let Some(h) = super::csv::header(head) else {
        return 0;
    };
    let names: Vec<&str> = h.names.iter().map(|n| portal_name(n)).collect();
    let has_all = |cols: &[&str]| cols.iter().all(|c| names.contains(c));
    // Sentinel / Log Analytics exports have TimeGenerated beside (or instead of) Timestamp.
    let time = has_all(&["Timestamp"]) || has_all(&["TimeGenerated"]);
    if time
        && (has_all(&["DeviceName", "ActionType"]) || has_all(&["AlertId", "Title", "Severity"]))
    {
        return 85;
    }
    0
}

/// A column name without the ` [UTC]` the Azure portal appends to time columns in CSV
/// exports (`TimeGenerated [UTC]`).
fn portal_name(n: &str) -> &str {
    n.strip_suffix(" [UTC]").unwrap_or(n)
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
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
    // Columns marked ` [UTC]` hold UTC times whatever --tz says.
    let utc = h.names.iter().any(|n| n.ends_with(" [UTC]"));
    let names = h.names.iter().map(|n| portal_name(n).to_owned()).collect();
    Ok(Prepared {
        parser: Box::new(CsvParser {
            tz: if utc { TzSpec::Utc } else { ctx.tz },
            names,
            map,
        }),
        records: crate::ingest::Records::Ranges(records),
        note: Some(
            if utc {
                "CSV (Azure portal export, times UTC)"
            } else {
                "CSV"
            }
            .to_owned(),
        ),
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
    use crate::ingest::edr::testutil::{corpus_files, parse_all, parse_bytes, sniffed};
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

    /// Azure portal / Sentinel "Export to CSV": time columns named `X [UTC]`, US 12-hour
    /// times, TimeGenerated beside Timestamp. The times are UTC even when --tz says otherwise.
    #[test]
    fn sentinel_portal_csv_export() {
        let data = "TenantId,\"TimeGenerated [UTC]\",AccountName,ActionType,DeviceName,FileName,ProcessCommandLine,\"Timestamp [UTC]\",Type\r\n\
            t1,\"5/13/2022, 8:54:06.347 AM\",alice,ProcessCreated,pc1,cmd.exe,\"cmd /c \"\"whoami\"\"\",\"5/13/2022, 8:54:05.100 AM\",DeviceProcessEvents\r\n\
            t1,\"5/13/2022, 1:04:07.000 PM\",bob,ProcessCreated,pc2,powershell.exe,powershell,,DeviceProcessEvents\r\n";
        assert_eq!(sniffed(data.as_bytes()), Some("mde"));
        let ctx = crate::ingest::edr::testutil::ctx_tz("Europe/Paris");
        let r = parse_bytes(data.as_bytes(), "mde", &ctx);
        assert_eq!((r.total, r.rejected), (2, 0), "{:?}", r.reasons);
        assert_eq!(format_rfc3339(r.rows[0].ts), "2022-05-13T08:54:05.100Z");
        assert_eq!(r.rows[0].get("host"), Some("pc1"));
        assert_eq!(r.rows[0].get("user"), Some("alice"));
        assert_eq!(r.rows[0].get("cmdline"), Some("cmd /c \"whoami\""));
        // No Timestamp: TimeGenerated.
        assert_eq!(format_rfc3339(r.rows[1].ts), "2022-05-13T13:04:07Z");
        // Without the marker a portal-style header is still not claimed without a time column.
        assert_eq!(sniff(b"DeviceName,ActionType,FileName\n"), 0);
    }
}
