//! Tampering: cleared logs and stopped log service, audit policy and system time changes,
//! Sysmon and Defender configuration changes (collected by the scan); record-id gaps
//! inside an EVTX file; EVTX files whose header says they were not closed cleanly.

use super::scan::Collected;
use super::sources::PerSource;
use super::{Finding, Kind, host_short};
use crate::timeline::Timeline;

/// EVTX file header: "ElfFile\0" then, at 0x78, flags (bit 0: dirty, not closed cleanly).
const MAGIC: &[u8; 8] = b"ElfFile\0";
const FLAGS_AT: usize = 0x78;
const DIRTY: u32 = 1;

pub(super) fn findings(t: &Timeline, seen: &Collected, per: &PerSource) -> Vec<Finding> {
    let mut out: Vec<Finding> = seen
        .tamper
        .iter()
        .map(|x| Finding {
            kind: x.kind,
            event: x.event,
            host: x.host.clone(),
            reason: reason(x.kind, &x.detail),
            rarity: None,
            strength: x.kind.strength(),
        })
        .collect();
    let mut srcs: Vec<_> = per.records.iter().collect();
    srcs.sort_by_key(|(s, _)| **s);
    for (&src, recs) in srcs {
        out.extend(gaps(t, src, recs));
    }
    for (s, src) in t.sources.iter().enumerate() {
        if src.format() != "evtx" || !dirty(src.bytes()) {
            continue;
        }
        let Some(first) = per
            .records
            .get(&(s as u16))
            .and_then(|r| r.iter().map(|x| x.1).min())
        else {
            continue;
        };
        out.push(Finding {
            kind: Kind::NotClosedCleanly,
            event: first,
            host: host_short(&t.host(first)),
            reason: format!("{} was not closed cleanly (header marked dirty)", src.label),
            rarity: None,
            strength: Kind::NotClosedCleanly.strength(),
        });
    }
    out
}

fn reason(k: Kind, detail: &str) -> String {
    let what = match k {
        Kind::LogCleared => "event log cleared",
        Kind::LogServiceStopped => "event log service stopped",
        Kind::AuditPolicyChanged => "audit policy changed",
        Kind::TimeChanged => "system time changed",
        Kind::SysmonConfigChanged => "Sysmon configuration changed",
        Kind::DefenderDisabled => "Defender protection disabled",
        Kind::DefenderConfigChanged => "Defender configuration changed",
        _ => "tampering",
    };
    let detail: String = detail.chars().take(120).collect();
    if detail.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {detail}")
    }
}

/// Whether an EVTX file header says the file was not closed cleanly.
pub(crate) fn dirty(bytes: &[u8]) -> bool {
    if bytes.get(..8) != Some(MAGIC.as_slice()) {
        return false;
    }
    bytes
        .get(FLAGS_AT..FLAGS_AT + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .is_some_and(|b| u32::from_le_bytes(b) & DIRTY != 0)
}

/// Records missing between the first and the last record id read from one EVTX file.
/// The anchor is the record after the gap.
fn gaps(t: &Timeline, src: u16, recs: &[(u64, usize)]) -> Vec<Finding> {
    let mut ids = recs.to_vec();
    ids.sort_unstable();
    ids.dedup_by_key(|x| x.0);
    let label = t
        .sources
        .get(src as usize)
        .map(|s| s.label.as_str())
        .unwrap_or("?");
    let rejected = t.sources.get(src as usize).map_or(0, |s| s.report.rejected);
    let mut out = Vec::new();
    for w in ids.windows(2) {
        let [(a, _), (b, after)] = w else { continue };
        if *b <= a + 1 {
            continue;
        }
        let missing = b - a - 1;
        let mut reason = format!(
            "{missing} record{} missing in {label} (record ids {}–{})",
            if missing == 1 { "" } else { "s" },
            a + 1,
            b - 1
        );
        if rejected > 0 {
            reason.push_str(&format!("; {rejected} records of this file were rejected"));
        }
        out.push(Finding {
            kind: Kind::RecordGap,
            event: *after,
            host: host_short(&t.host(*after)),
            reason,
            rarity: None,
            strength: Kind::RecordGap.strength(),
        });
    }
    out
}
