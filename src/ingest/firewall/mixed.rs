//! `syslog`: a syslog server's combined file where firewall formats are interleaved. Each
//! line is recognised on its own and handed to that format's parser; `format_of` names it.
//! Sniffed only when the head holds at least two firewall formats. The formats it knows
//! are the registered ones with a line test, tried in registry order (most specific
//! first).

use super::FORMATS;
use crate::ingest::sniffing::head_lines;
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser};
use crate::model::Fields;

pub static DEF: FormatDef = FormatDef::new("syslog", Family::Firewall, prepare)
    .with_head(sniff)
    .with_samples(&[concat!(
        "Jan  2 03:04:05 fw1 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=1.1.1.1 DST=2.2.2.2 PROTO=UDP SPT=1 DPT=53\n",
        "Jan  2 03:04:06 asa1 : %ASA-4-106023: Deny tcp src outside:3.3.3.3/80 dst inside:4.4.4.4/8277 by access-group \"in\" [0x0, 0x0]\n",
        "Jan  2 03:04:07 pf filterlog: 5,,,1,em0,match,block,in,4,0x0,,64,1,0,DF,6,tcp,40,5.5.5.5,6.6.6.6,1,2,0,S,1,,1,,\n",
        "<189>date=2024-01-02 time=03:04:08 devname=\"fgt\" logid=\"0000000013\" type=\"traffic\" srcip=7.7.7.7 dstip=8.8.8.8 action=\"deny\"\n",
    )]);

/// Index in `FORMATS` of the first format whose line test takes `l`.
fn kind(l: &[u8]) -> Option<usize> {
    FORMATS
        .iter()
        .position(|d| d.line.is_some_and(|is_line| is_line(l)))
}

fn sniff(head: &[u8]) -> u8 {
    let mut seen = [0usize; FORMATS.len()];
    let (mut n, mut m) = (0, 0);
    for l in head_lines(head) {
        n += 1;
        if let Some(k) = kind(l) {
            if let Some(c) = seen.get_mut(k) {
                *c += 1;
            }
            m += 1;
        }
    }
    if seen.iter().filter(|&&c| c > 0).count() < 2 || n == 0 {
        return 0;
    }
    // Above any single format's 90 when most lines are known firewall lines.
    match m * 100 / n {
        90..=100 => 95,
        70..=89 => 85,
        50..=69 => 60,
        _ => 0,
    }
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    let mut parsers = Vec::with_capacity(FORMATS.len());
    let mut note = None;
    for def in FORMATS {
        parsers.push(match def.line {
            Some(_) => {
                let p = (def.prepare)(data, ctx)?;
                // The formats read the same lines: their notes (the year) are the same.
                note = note.or(p.note);
                Some(p.parser)
            }
            None => None,
        });
    }
    Ok(Prepared {
        note,
        ..Prepared::lines(Mixed { parsers })
    })
}

struct Mixed {
    /// The parser of each format of `FORMATS` that has a line test.
    parsers: Vec<Option<Box<dyn RecordParser>>>,
}

impl Mixed {
    fn parse_kind<'a>(
        &'a self,
        k: Option<usize>,
        rec: &'a [u8],
        out: &mut Fields<'a>,
    ) -> Result<(), Reason> {
        let k = k.ok_or(Reason::Borrowed("not a known firewall line"))?;
        let p = self
            .parsers
            .get(k)
            .and_then(Option::as_ref)
            .ok_or(Reason::Borrowed("format not prepared"))?;
        p.parse(rec, out)
    }
}

impl RecordParser for Mixed {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        self.parse_kind(kind(rec), rec, out)
    }

    fn parse_as<'a>(
        &'a self,
        rec: &'a [u8],
        out: &mut Fields<'a>,
    ) -> (Option<&'static str>, Result<(), Reason>) {
        let k = kind(rec);
        let id = k.and_then(|k| FORMATS.get(k)).map_or("unknown", |d| d.id);
        (Some(id), self.parse_kind(k, rec, out))
    }

    fn format_of(&self, rec: &[u8]) -> Option<&'static str> {
        kind(rec).and_then(|k| FORMATS.get(k)).map(|d| d.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::firewall::tests::{ParseOne, in_year};
    use crate::model::Norm;

    const MIXED: &[u8] = b"Jan  2 03:04:05 fw1 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=1.1.1.1 DST=2.2.2.2 PROTO=UDP SPT=1 DPT=53\r
Jan  2 03:04:06 asa1 : %ASA-4-106023: Deny tcp src outside:3.3.3.3/80 dst inside:4.4.4.4/8277 by access-group \"in\" [0x0, 0x0]\r
Jan  2 03:04:07 pf filterlog: 5,,,1,em0,match,block,in,4,0x0,,64,1,0,DF,6,tcp,40,5.5.5.5,6.6.6.6,1,2,0,S,1,,1,,\r
<189>date=2024-01-02 time=03:04:08 devname=\"fgt\" logid=\"0000000013\" type=\"traffic\" srcip=7.7.7.7 dstip=8.8.8.8 action=\"deny\"\r
Jan  2 03:04:09 relay something else entirely\r
";

    #[test]
    fn dispatches_per_line() {
        assert!(sniff(MIXED) >= 85, "{}", sniff(MIXED));
        for d in FORMATS.iter().filter(|d| d.id != "syslog") {
            assert!(d.sniff(MIXED) < sniff(MIXED), "{}", d.id);
        }
        let p = prepare(MIXED, &in_year(2024)).unwrap();
        let lines: Vec<&[u8]> = MIXED
            .split(|&c| c == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .collect();
        let ids: Vec<_> = lines.iter().map(|l| p.parser.format_of(l)).collect();
        assert_eq!(
            ids,
            [
                Some("netfilter"),
                Some("asa"),
                Some("filterlog"),
                Some("fortigate"),
                None
            ]
        );
        let mut hosts = vec![];
        for l in &lines[..4] {
            let f = p.parser.parse_one(l).unwrap();
            hosts.push(f.get(Norm::Host).map(str::to_owned));
        }
        assert_eq!(
            hosts,
            [
                Some("fw1".into()),
                Some("asa1".into()),
                Some("pf".into()),
                Some("fgt".into())
            ]
        );
        assert!(p.parser.parse_one(lines[4]).is_err());
        // One format alone is not "mixed".
        assert_eq!(sniff(lines[0]), 0);
    }
}
