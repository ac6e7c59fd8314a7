//! The event model (DESIGN §3): compact fixed-size records, interned strings, the
//! normalised field set and the stable `EventKey`.

mod fields;
mod intern;
mod time;

pub use fields::{Fields, NORM_COUNT, Norm};
pub use intern::{Bits, Interner, Sym};
pub use time::{TzSpec, format_display, format_rfc3339, naive_to_utc, parse_time_prefix, ymd_hms};

use serde::{Deserialize, Serialize};

/// One event of the timeline: 32 bytes, no heap. What it does not hold (fields, message,
/// raw text) is re-read from the source on demand or kept in the source's field arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Event {
    /// UTC nanoseconds since the epoch.
    pub ts: i64,
    /// Where the record is in its source. Text: byte offset of the record.
    /// EVTX: `chunk << 48 | record_id`.
    pub loc: u64,
    /// Text: record length in bytes. EVTX: index of the record's fields in the arena.
    pub aux: u32,
    /// Index into the timeline's sources.
    pub source: u16,
    /// `FLAG_*` bits.
    pub flags: u16,
    /// Interned host name (`Sym::EMPTY` when unknown).
    pub host: Sym,
    /// Interned short tag shown in the table: event id or action.
    pub tag: Sym,
}

/// The record was carved from slack space or a cleared chunk.
pub const FLAG_RECOVERED: u16 = 1;

const _: () = assert!(std::mem::size_of::<Event>() == 32);

impl Event {
    pub fn evtx_chunk(&self) -> u64 {
        self.loc >> 48
    }
    pub fn evtx_record_id(&self) -> u64 {
        self.loc & ((1 << 48) - 1)
    }
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
