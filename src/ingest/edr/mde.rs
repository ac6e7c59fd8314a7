//! `mde`: Microsoft Defender for Endpoint / Defender XDR advanced hunting exports (CSV or
//! JSON rows of DeviceProcessEvents, DeviceNetworkEvents, DeviceFileEvents,
//! DeviceLogonEvents, DeviceRegistryEvents, DeviceImageLoadEvents, DeviceEvents,
//! AlertInfo, AlertEvidence) and the streaming API / Event Hub shape
//! (`{"records":[{"time","category":"AdvancedHunting-…","properties":{…}}]}` or one such
//! object per line). Column names are kept as Defender names them.

use super::norm::{
    self, CsvParser, FieldMap, JsonParser, get, has, json_head, set_basename_from, set_from,
    set_from_each,
};
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
        return Ok(JsonParser::prepare(data, &["records"], ctx, map));
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
    let who: FieldMap = &[
        (Norm::Host, &["DeviceName", "RemoteDeviceName"]),
        (Norm::Action, &["ActionType"]),
        (Norm::EventId, &["ActionType", "category"]),
    ];
    set_from_each(f, who);
    f.set(Norm::Category, cat);
    if cat == "process" {
        // The row is about the created process; the initiating one is its parent.
        let created: FieldMap = &[
            (Norm::Process, &["FileName"]),
            (Norm::Cmdline, &["ProcessCommandLine"]),
            (Norm::Pid, &["ProcessId"]),
            (Norm::Parent, &["InitiatingProcessFileName"]),
            (Norm::Hash, &["SHA256", "SHA1", "MD5"]),
            (Norm::User, &["AccountName", "InitiatingProcessAccountName"]),
        ];
        set_from_each(f, created);
    } else {
        let initiating: FieldMap = &[
            (Norm::Process, &["InitiatingProcessFileName"]),
            (Norm::Cmdline, &["InitiatingProcessCommandLine"]),
            (Norm::Pid, &["InitiatingProcessId"]),
            (Norm::Parent, &["InitiatingProcessParentFileName"]),
            (
                Norm::User,
                &["AccountName", "InitiatingProcessAccountName", "AccountUpn"],
            ),
            (
                Norm::Hash,
                &[
                    "SHA256",
                    "SHA1",
                    "MD5",
                    "InitiatingProcessSHA256",
                    "InitiatingProcessSHA1",
                ],
            ),
        ];
        set_from_each(f, initiating);
    }
    set_basename_from(f, Norm::Process, &["InitiatingProcessFolderPath"]);
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
    let network: FieldMap = &[
        (Norm::SrcIp, &[src.0]),
        (Norm::SrcPort, &[src.1]),
        (Norm::DstIp, &[dst.0, "DestinationIPAddress"]),
        (Norm::DstPort, &[dst.1, "DestinationPort"]),
        (Norm::Proto, &["Protocol"]),
    ];
    set_from_each(f, network);
    if cat == "alert" {
        norm::set_alert(f, &["Severity"], &["Title"]);
    }
    norm::summarise(f);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::edr::testutil::{assert_row, parse_bytes, parse_sample, sniffed};
    use crate::model::format_rfc3339;

    #[test]
    fn csv_export_with_multiline_field() {
        let data = "\u{feff}Timestamp,DeviceName,ActionType,FileName,ProcessCommandLine,InitiatingProcessFileName,AccountName\r\n\
            2024-03-01T10:00:00.123Z,pc1,ProcessCreated,powershell.exe,\"powershell -c \"\"a\r\nb\"\"\",winword.exe,alice\r\n\
            ,pc1,ProcessCreated,cmd.exe,cmd,explorer.exe,bob\r\n";
        let r = parse_sample(data.as_bytes(), "mde", 85);
        assert_eq!(r.total, 2);
        assert_eq!(r.rejected, 1, "second row has no time");
        assert_eq!(r.reasons[0], "no usable time in field Timestamp");
        let want = [
            ("cmdline", "powershell -c \"a\r\nb\""),
            ("process", "powershell.exe"),
            ("parent", "winword.exe"),
            ("category", "process"),
            (
                "message",
                "process ProcessCreated powershell -c \"a  b\" user alice (parent winword.exe)",
            ),
        ];
        assert_row(&r.rows[0], &want, "multi-line row");
    }

    #[test]
    fn event_hub_batch_array() {
        let data = br#"{"records":[{"time":"2024-01-01T00:00:00Z","category":"AdvancedHunting-DeviceNetworkEvents","properties":{"Timestamp":"2024-01-01T00:00:01Z","DeviceName":"pc","ActionType":"ConnectionSuccess","LocalIP":"10.0.0.1","LocalPort":5000,"RemoteIP":"1.2.3.4","RemotePort":443,"InitiatingProcessFileName":"curl.exe"}},{"time":"2024-01-01T00:00:02Z","category":"AdvancedHunting-DeviceNetworkEvents","properties":{"DeviceName":"pc"}}]}"#;
        let r = parse_sample(data, "mde", 95);
        assert_eq!((r.total, r.rejected), (2, 0));
        let want = [
            ("ts", "2024-01-01T00:00:01Z"),
            ("dst_ip", "1.2.3.4"),
            ("src_port", "5000"),
            ("category", "network"),
        ];
        assert_row(&r.rows[0], &want, "properties");
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
        let first = [
            ("ts", "2022-05-13T08:54:05.100Z"),
            ("host", "pc1"),
            ("user", "alice"),
            ("cmdline", "cmd /c \"whoami\""),
        ];
        assert_row(&r.rows[0], &first, "Timestamp [UTC]");
        // No Timestamp: TimeGenerated.
        assert_eq!(format_rfc3339(r.rows[1].ts), "2022-05-13T13:04:07Z");
        // Without the marker a portal-style header is still not claimed without a time column.
        assert_eq!(sniff(b"DeviceName,ActionType,FileName\n"), 0);
    }
}
