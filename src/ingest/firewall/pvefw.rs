//! `pvefw`: the Proxmox VE firewall log (`/var/log/pve-firewall.log`), one line an event:
//! `VMID LEVEL CHAIN dd/Mon/yyyy:HH:MM:SS +zone MESSAGE`. A rule's message is a kernel LOG
//! body (`policy DROP: IN=… SRC=… DST=…`, read as `netfilter` reads it); the logger's own
//! lines (`starting pvefw logger`) keep their text. Times carry their offset.

use super::netfilter;
use super::stamp::{self, Civil};
use super::text::{self, Utf8Line, cow, find, next_token, push};
use crate::ingest::{Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser};
use crate::model::{Fields, Norm, TzSpec};

pub static DEF: FormatDef = FormatDef::new("pvefw", Family::Firewall, prepare)
    .with_line(is_line)
    .with_samples(&[concat!(
        "0 5 - 02/Jun/2024:08:00:00 +0200 starting pvefw logger\n",
        "105 6 tap105i0-IN 02/Jun/2024:08:00:01 +0200 policy DROP: IN=fwbr105i0 OUT=fwbr105i0 PHYSIN=fwln105o0 PHYSOUT=tap105i0 SRC=203.0.113.5 DST=192.0.2.15 LEN=44 TTL=50 PROTO=TCP SPT=41000 DPT=3389 SYN\n",
        "0 6 PVEFW-HOST-IN 02/Jun/2024:08:00:02 +0200 ACCEPT: IN=vmbr0 SRC=192.0.2.1 DST=192.0.2.2 PROTO=UDP SPT=5405 DPT=5405\n",
    )]);

/// The parts of a line: VMID, level, chain, time, offset, message.
struct Line<'a> {
    vmid: &'a [u8],
    level: &'a [u8],
    chain: &'a [u8],
    civil: Civil,
    offset: Option<i32>,
    msg: &'a [u8],
}

fn split(l: &[u8]) -> Option<Line<'_>> {
    let (vmid, rest) = next_token(l);
    let (level, rest) = next_token(rest);
    let (chain, rest) = next_token(rest);
    let numeric = |t: &[u8]| !t.is_empty() && t.iter().all(u8::is_ascii_digit);
    if !numeric(vmid) || !numeric(level) || chain.is_empty() {
        return None;
    }
    let rest = rest.trim_ascii_start();
    let (civil, offset, n) = stamp::clf(rest)?;
    Some(Line {
        vmid,
        level,
        chain,
        civil,
        offset,
        msg: text::trim(&rest[n..]),
    })
}

pub(super) fn is_line(l: &[u8]) -> bool {
    split(l).is_some()
}

fn prepare(_data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    Ok(Prepared::lines(Pvefw { tz: ctx.tz }))
}

struct Pvefw {
    tz: TzSpec,
}

impl RecordParser for Pvefw {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        let l = split(rec).ok_or(Reason::Borrowed("not a Proxmox VE firewall line"))?;
        out.ts = l
            .civil
            .resolve(l.offset, &self.tz)
            .ok_or(Reason::Borrowed("bad time"))?;
        push(out, b"vmid", l.vmid);
        push(out, b"loglevel", l.level);
        push(out, b"chain", l.chain);
        if find(l.msg, b"SRC=").is_some() {
            return netfilter::parse_msg(&Utf8Line::new(rec), l.msg, out);
        }
        out.set(Norm::Message, cow(l.msg));
        text::firewall(out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::firewall::tests::ParseOne;
    use crate::model::ymd_hms;

    fn parse(l: &[u8]) -> Result<Fields<'_>, Reason> {
        Pvefw { tz: TzSpec::Utc }.parse_one(l)
    }

    #[test]
    fn rule_and_logger_lines() {
        let f = parse(b"101 6 tap101i0-IN 14/Mar/2023:10:45:43 +0100 policy DROP: IN=fwbr101i0 OUT=fwbr101i0 SRC=192.0.2.10 DST=192.0.2.20 LEN=60 PROTO=TCP SPT=40000 DPT=22 SYN").unwrap();
        assert_eq!(f.ts, ymd_hms(2023, 3, 14, 9, 45, 43).unwrap());
        assert_eq!(f.get(Norm::Action), Some("drop"));
        assert_eq!(f.get(Norm::DstPort), Some("22"));
        assert_eq!(f.raw("chain"), Some("tap101i0-IN"));
        assert_eq!(f.raw("vmid"), Some("101"));
        let f = parse(b"0 5 - 14/Mar/2023:10:45:44 +0100 starting pvefw logger").unwrap();
        assert_eq!(f.get(Norm::Message), Some("starting pvefw logger"));
        assert_eq!(f.get(Norm::Category), Some("firewall"));
    }

    #[test]
    fn damaged() {
        assert!(parse(b"101 6 tap101i0-IN 14/Mar/2023:10:45").is_err());
        assert!(parse(b"vm 6 tap 14/Mar/2023:10:45:43 +0100 x").is_err());
        assert!(parse(b"101 6 tap101i0-IN 14/Mar/2023:10:45:43 +0100 DROP: IN=x SRC=\xff DST=y").is_err());
        assert!(!is_line(b"Mar 14 10:45:43 host kernel: IN=eth0 SRC=1.1.1.1 DST=2.2.2.2"));
    }
}
