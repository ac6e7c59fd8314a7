//! `wfw`: Windows Defender Firewall `pfirewall.log` (W3C extended: `#Fields:` header, space
//! separated, `-` for empty). Times are local wall clock (`#Time Format: Local`) → ctx.tz.

use super::stamp;
use super::text::{self, cow, find, req};
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser, Records};
use crate::model::{Fields, Norm, TzSpec};
use std::borrow::Cow;

pub static DEF: FormatDef = FormatDef::new("wfw", Family::Firewall, prepare)
    .with_head(sniff_head)
    .with_samples(&[
    "2005-04-11 08:05:57 DROP UDP 123.45.78.90 123.156.78.255 137 137 78 - - - - - - - RECEIVE",
    "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid\r\n2024-10-27 02:30:00 ALLOW TCP fe80::1 ff02::fb 5353 5353 0 - - - - - - - SEND 4321\r\n",
    ]);

/// Columns of pfirewall.log 1.5 (Windows 10+ adds `pid` after `path`).
const DEFAULT: &[&str] = &[
    "date", "time", "action", "protocol", "src-ip", "dst-ip", "src-port", "dst-port", "size",
    "tcpflags", "tcpsyn", "tcpack", "tcpwin", "icmptype", "icmpcode", "info", "path", "pid",
];

fn sniff_head(head: &[u8]) -> u8 {
    if find(head, b"#Software: Microsoft Windows Firewall").is_some()
        || find(head, b"#Fields: date time action protocol src-ip").is_some()
    {
        return 95;
    }
    // Header lost (a cut or rotated file): the data lines alone are still distinctive.
    crate::ingest::sniffing::by_lines(head, is_line).min(70)
}

fn is_line(l: &[u8]) -> bool {
    let Some((_, n)) = stamp::ymd_hms(l) else {
        return false;
    };
    let (act, rest) = text::next_token(l.get(n..).unwrap_or_default());
    matches!(
        act,
        b"ALLOW" | b"DROP" | b"OPEN" | b"CLOSE" | b"OPEN-INBOUND" | b"INFO-EVENTS-LOST"
    ) && rest.split(|&c| c == b' ').count() >= 6
}

/// A column by its W3C name; the usual ones get a static name so pushing them is free.
#[derive(Clone, Debug)]
enum Col {
    Date,
    Time,
    Named(&'static str),
    Other(String),
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    // A UTF-8 BOM (a copy saved by an editor or PowerShell) must not hide `#Version:`.
    let start = if data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let header = crate::ingest::text::lines(&data[start..])
        .take_while(|l| l.starts_with(b"#"))
        .find_map(|l| l.strip_prefix(b"#Fields:"));
    let names: Vec<String> = match header {
        Some(h) => String::from_utf8_lossy(h)
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        None => DEFAULT.iter().map(|s| (*s).to_owned()).collect(),
    };
    let cols: Vec<Col> = names
        .iter()
        .map(|n| match n.as_str() {
            "date" => Col::Date,
            "time" => Col::Time,
            _ => match DEFAULT.iter().find(|d| **d == n.as_str()) {
                Some(d) => Col::Named(d),
                None => Col::Other(n.clone()),
            },
        })
        .collect();
    if !cols.iter().any(|c| matches!(c, Col::Date)) || !cols.iter().any(|c| matches!(c, Col::Time))
    {
        return Err("#Fields: header has no date and time columns".into());
    }
    let note = header.map(|_| format!("columns: {}", names.join(" ")));
    Ok(Prepared {
        parser: Box::new(Wfw { cols, tz: ctx.tz }),
        records: Records::Lines {
            start,
            comment: &[b"#"],
        },
        note,
    })
}

struct Wfw {
    cols: Vec<Col>,
    tz: TzSpec,
}

impl RecordParser for Wfw {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        let (mut date, mut time): (&[u8], &[u8]) = (&[], &[]);
        let mut rest = rec;
        for (i, col) in self.cols.iter().enumerate() {
            // The last column keeps any extra spaces (paths may contain them).
            let v = if i + 1 == self.cols.len() {
                // …but not the trailing blanks some writers leave.
                std::mem::take(&mut rest).trim_ascii_end()
            } else {
                let (t, r) = text::next_token(rest);
                rest = r;
                t
            };
            if v.is_empty() {
                break;
            }
            match col {
                Col::Date => date = v,
                Col::Time => time = v,
                Col::Named(n) => {
                    match *n {
                        "action" => out.set(Norm::Action, text::action(req(v, "action")?)),
                        "protocol" => out.set(Norm::Proto, text::proto(req(v, "protocol")?)),
                        "src-ip" => out.set(Norm::SrcIp, req(v, "src-ip")?),
                        "dst-ip" => out.set(Norm::DstIp, req(v, "dst-ip")?),
                        "src-port" => out.set(Norm::SrcPort, req(v, "src-port")?),
                        "dst-port" => out.set(Norm::DstPort, req(v, "dst-port")?),
                        "pid" => out.set(Norm::Pid, cow(v)),
                        _ => {}
                    }
                    if v != b"-" && !out.is_lean() {
                        out.push_raw(*n, cow(v));
                    }
                }
                Col::Other(n) => {
                    if v != b"-" && !out.is_lean() {
                        out.push_raw(Cow::Owned(n.clone()), cow(v));
                    }
                }
            }
        }
        if date.is_empty() || time.is_empty() {
            return Err(Reason::Borrowed("missing date or time"));
        }
        let mut buf = [0u8; 40];
        let n = date.len() + 1 + time.len();
        let stamp = buf.get_mut(..n).ok_or(Reason::Borrowed("bad date/time"))?;
        stamp[..date.len()].copy_from_slice(date);
        stamp[date.len()] = b' ';
        stamp[date.len() + 1..].copy_from_slice(time);
        let (c, used) = stamp::ymd_hms(stamp).ok_or(Reason::Borrowed("bad date/time"))?;
        if used != n {
            return Err(Reason::Borrowed("bad date/time"));
        }
        out.ts = c.in_tz(&self.tz).ok_or(Reason::Borrowed("bad date/time"))?;
        text::finish(out, message);
        Ok(())
    }
}

/// `drop udp 1.2.3.4:137 -> 1.2.3.255:137 (RECEIVE)`.
pub fn message(f: &Fields<'_>) -> String {
    if f.raw("action") == Some("INFO-EVENTS-LOST") {
        return format!("{} events lost", f.raw("info").unwrap_or("?"));
    }
    super::flow_message(f, f.raw("path"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::firewall::tests::ParseOne;
    use crate::model::ymd_hms;

    const HEAD: &[u8] = b"#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid\r\n";

    #[test]
    fn win10_ipv6_line_with_pid() {
        let ctx = ParseCtx {
            tz: "Europe/Paris".parse().unwrap(),
            ..ParseCtx::default()
        };
        let p = prepare(HEAD, &ctx).unwrap();
        let l =
            b"2024-10-27 02:30:00 ALLOW TCP fe80::1 ff02::fb 5353 5353 0 - - - - - - - SEND 4321";
        let f = p.parser.parse_one(l).unwrap();
        // Autumn fold: the earlier instant (still UTC+2).
        assert_eq!(f.ts, ymd_hms(2024, 10, 27, 0, 30, 0).unwrap());
        assert_eq!(f.get(Norm::Pid), Some("4321"));
        assert_eq!(
            f.get(Norm::Message),
            Some("allow tcp [fe80::1]:5353 -> [ff02::fb]:5353 (SEND)")
        );
        assert_eq!(DEF.sniff(HEAD), 95);
        // Trailing blanks after the last column are not part of it.
        let f = p
            .parser
            .parse_one(
                b"2024-10-27 02:30:00 DROP 2 10.0.0.1 224.0.0.1 - - 32 - - - - - - - RECEIVE 0 \t",
            )
            .unwrap();
        assert_eq!(f.get(Norm::Pid), Some("0"));
    }

    #[test]
    fn damaged() {
        let p = prepare(HEAD, &ParseCtx::default()).unwrap();
        for l in [
            &b"2024-10-27"[..],
            b"",
            b"2024-13-01 00:00:00 DROP",
            b"x y z",
            b"2024-01-01 00:00:00x DROP",
        ] {
            assert!(p.parser.parse_one(l).is_err(), "{l:?}");
        }
        let f = p.parser.parse_one(b"2024-01-01 00:00:00 DROP").unwrap();
        assert_eq!(f.get(Norm::Action), Some("drop"));
    }
}
