//! `velociraptor`: JSONL results of any Velociraptor artifact. Columns differ per artifact,
//! so `prepare` picks the best time column from the first rows and says which in the note;
//! rows without it fall back to the other known time columns.

use super::json;
use super::norm::{self, FieldMap, basename, first, get, has, json_head, set_from, set_from_each};
use crate::ingest::{
    Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser, Records,
};
use crate::model::{Fields, Norm, TzSpec};

pub static DEF: FormatDef = FormatDef::new("velociraptor", Family::Edr, prepare)
    .with_head(sniff)
    .with_samples(&[
    "{\"EventTime\":\"2024-01-01T00:00:00Z\",\"Name\":\"cmd.exe\",\"Pid\":42,\"_Source\":\"Windows.Events.ProcessCreation\"}\n",
    ]);

/// Time columns in order of preference: when the event happened, then when it was seen.
const TIME: &[&str] = &[
    "EventTime",
    "Timestamp",
    "CreateTime",
    "CreationTime",
    "StartTime",
    "Time",
    "LastModified",
    "Mtime",
    "Btime",
    "Ctime",
    "Atime",
    "_ts",
    "timestamp",
];

fn sniff(head: &[u8]) -> u8 {
    let Some(h) = json_head(head) else { return 0 };
    if h.first() != Some(&b'{') {
        return 0;
    }
    if norm::count(h, &["\"_ts\"", "\"_Source\"", "\"ClientId\"", "\"FlowId\""]) >= 1 {
        return 70;
    }
    let quoted: Vec<String> = TIME.iter().map(|t| format!("\"{t}\"")).collect();
    if quoted.iter().any(|t| has(h, t)) {
        return 55;
    }
    0
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    let (records, shape) = json::split(data, &[]);
    // The first column of TIME that the first few rows have and that reads as a time.
    let mut best: Option<usize> = None;
    for rec in sample(data, &records, 16) {
        let mut f = Fields::new();
        if json::flatten(rec, &mut f.raw).is_err() {
            continue;
        }
        let found = TIME.iter().position(|t| {
            get(&f, t).is_some_and(|v| super::time::parse_any(&v, &ctx.tz).is_some())
        });
        if let Some(i) = found {
            best = Some(best.map_or(i, |b| b.min(i)));
        }
    }
    let order: Vec<&'static str> = match best {
        Some(i) => std::iter::once(TIME[i])
            .chain(TIME.iter().copied().filter(|t| *t != TIME[i]))
            .collect(),
        None => TIME.to_vec(),
    };
    let note = match best {
        Some(i) => format!("{shape}; time column {}", TIME[i]),
        None => format!("{shape}; no time column found"),
    };
    Ok(Prepared {
        parser: Box::new(Parser { tz: ctx.tz, order }),
        records,
        note: Some(note),
    })
}

/// Up to `n` leading records.
fn sample<'d>(data: &'d [u8], records: &Records, n: usize) -> Vec<&'d [u8]> {
    match records {
        Records::Ranges(v) => v
            .iter()
            .take(n)
            .filter_map(|&(o, l)| {
                let o = usize::try_from(o).ok()?;
                data.get(o..o.checked_add(l as usize)?)
            })
            .collect(),
        Records::Lines { start, .. } => {
            crate::ingest::text::lines(data.get(*start..).unwrap_or_default())
                .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
                .take(n)
                .collect()
        }
    }
}

struct Parser {
    tz: TzSpec,
    order: Vec<&'static str>,
}

impl RecordParser for Parser {
    fn parse<'a>(&'a self, rec: &'a [u8], f: &mut Fields<'a>) -> Result<(), Reason> {
        json::flatten(rec, &mut f.raw)?;
        norm::set_time(f, &self.order, &self.tz)?;
        set_from(
            f,
            Norm::Host,
            &["Fqdn", "Hostname", "ComputerName", "Computer", "ClientId"],
        );
        set_from(f, Norm::User, &["Username", "User", "UserName", "Owner"]);
        match first(f, &["Name", "ProcessName"]) {
            Some(n) => f.set(Norm::Process, n),
            None => {
                if let Some(e) = first(f, &["Exe", "Image", "Path"]) {
                    f.set(Norm::Process, basename(e));
                }
            }
        }
        let columns: FieldMap = &[
            (Norm::Pid, &["Pid", "PID", "ProcessId"]),
            (Norm::Cmdline, &["CommandLine", "Cmdline"]),
            (Norm::Parent, &["ParentName", "ParentInfo", "Ppid", "PPID"]),
            (
                Norm::Hash,
                &["Hash.SHA256", "SHA256", "Hash.SHA1", "Hash.MD5", "MD5"],
            ),
            (
                Norm::File,
                &[
                    "OSPath",
                    "FullPath",
                    "TargetFilename",
                    "Filename",
                    "FileName",
                ],
            ),
            (Norm::SrcIp, &["Laddr.IP", "SrcIP", "SourceIP"]),
            (Norm::SrcPort, &["Laddr.Port", "SrcPort", "SourcePort"]),
            (Norm::DstIp, &["Raddr.IP", "DestIP", "DestinationIP"]),
            (
                Norm::DstPort,
                &["Raddr.Port", "DestPort", "DestinationPort"],
            ),
            (Norm::Proto, &["Type", "Protocol"]),
            (Norm::Action, &["Status", "Action"]),
            (
                Norm::EventId,
                &["EventID", "EventType", "_Source", "Artifact"],
            ),
        ];
        set_from_each(f, columns);
        let cat = if f.get(Norm::DstIp).is_some() || f.get(Norm::SrcIp).is_some() {
            "network"
        } else if f.get(Norm::Cmdline).is_some() {
            "process"
        } else if f.get(Norm::File).is_some() {
            "file"
        } else {
            ""
        };
        f.set(Norm::Category, cat);
        norm::summarise(f);
        Ok(())
    }
}

#[cfg(test)]
mod tests {

    use crate::ingest::edr::testutil::parse_bytes;
    use crate::model::format_rfc3339;

    #[test]
    fn mixed_time_formats_in_one_file() {
        let data = b"{\"EventTime\":\"2024-01-01T00:00:00Z\",\"Name\":\"a\"}\n{\"EventTime\":1704067201,\"Name\":\"b\"}\n{\"EventTime\":\"1704067202000\"}\n{\"_ts\":1704067203}\n{\"EventTime\":\"soon\"}\n{\"Name\":\"none\"}\n";
        let r = parse_bytes(data, "velociraptor", &Default::default());
        assert_eq!(r.note.as_deref(), Some("JSON lines; time column EventTime"));
        let ts: Vec<String> = r.rows.iter().map(|r| format_rfc3339(r.ts)).collect();
        assert_eq!(
            ts,
            [
                "2024-01-01T00:00:00Z",
                "2024-01-01T00:00:01Z",
                "2024-01-01T00:00:02Z",
                "2024-01-01T00:00:03Z"
            ]
        );
        assert_eq!(
            r.reasons,
            [
                "no usable time in field EventTime",
                "no usable time in field EventTime"
            ]
        );
    }
}
