//! The event model (DESIGN §3): compact fixed-size records, interned strings, the
//! normalised field set and the stable `EventKey`.

mod fields;
mod intern;
pub(crate) mod json_text;
pub(crate) mod swar;
mod time;

pub use fields::{Fields, NORM_COUNT, Norm};
pub use intern::{Bits, Interner, Sym};
pub use time::{
    PLAUSIBLE_FROM, TzError, TzSpec, format_display, format_rfc3339, naive_to_utc, now_ns,
    parse_time_prefix, plausible_until, ymd_hms,
};

use serde::{Deserialize, Serialize};

/// One event of the timeline: 32 bytes, no heap. What it does not hold (fields, message,
/// raw text) is re-read from the source on demand or kept in the source's field arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Event {
    /// UTC nanoseconds since the epoch.
    pub ts: i64,
    /// Where the record is in its source. Text: byte offset of the record.
    /// EVTX: chunk number and record id (`ingest::evtx::schema::loc`).
    pub loc: u64,
    /// Text: record length in bytes. EVTX: index of the record's fields in the arena.
    pub aux: u32,
    /// Index into the timeline's sources.
    pub source: u16,
    /// Record flags: carved from slack space, time outside the plausible range.
    pub flags: EventFlags,
    /// Interned host name (`Sym::EMPTY` when unknown).
    pub host: Sym,
    /// Interned short tag shown in the table: event id or action.
    pub tag: Sym,
}

/// Facts about one record that the table, filters and exports show (2 bytes in `Event`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct EventFlags(u16);

impl EventFlags {
    /// No flag set.
    pub const NONE: EventFlags = EventFlags(0);
    const RECOVERED: u16 = 1;
    const BAD_TIME: u16 = 2;

    /// The record was carved from slack space or a cleared chunk (query `recovered:true`).
    pub fn recovered(self) -> bool {
        self.0 & Self::RECOVERED != 0
    }

    /// The event's time is outside `PLAUSIBLE_FROM ..= now + 1 day`, or could not be
    /// represented at all (query `bad_time`). Such events stay in the timeline but out of
    /// its span.
    pub fn bad_time(self) -> bool {
        self.0 & Self::BAD_TIME != 0
    }

    pub fn with_recovered(self, on: bool) -> EventFlags {
        self.with(Self::RECOVERED, on)
    }

    pub fn with_bad_time(self, on: bool) -> EventFlags {
        self.with(Self::BAD_TIME, on)
    }

    fn with(self, bit: u16, on: bool) -> EventFlags {
        EventFlags(if on { self.0 | bit } else { self.0 & !bit })
    }
}

const _: () = assert!(std::mem::size_of::<Event>() == 32);

/// Flags every event dated before `PLAUSIBLE_FROM` or after `plausible_until(now)` as
/// `bad_time` (those already flagged stay so). Returns how many are flagged.
pub fn flag_bad_times(events: &mut [Event], now: i64) -> u64 {
    let until = plausible_until(now);
    let mut n = 0;
    for e in events {
        let bad = e.flags.bad_time() || e.ts < PLAUSIBLE_FROM || e.ts > until;
        e.flags = e.flags.with_bad_time(bad);
        n += u64::from(bad);
    }
    n
}

/// Stable identity of an event that survives re-ingest (**contract**, DESIGN §3).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EventKey {
    /// SHA-256 of the source file, lowercase hex.
    pub sha256: String,
    /// EVTX: `chunk:record_id`; text sources: `@byte_offset`.
    pub locator: String,
    /// UTC nanoseconds.
    pub ts: i64,
}
