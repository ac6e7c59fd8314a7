//! The System part of a Windows event record as vigil reads it, in one place: the names of
//! its fields, which of them are normalised fields, what a numeric level means, and how an
//! EVTX record is located in its file (`Event::loc` = `chunk << 48 | record id`). The EVTX
//! parser, the EVTX message builder and the Windows-events-as-JSON/XML readers share it.

use crate::model::Norm;

/// Every System name the EVTX ingest pushes before the event's own data (EventData or
/// UserData), as the evtx crate's JSON names them.
pub const NAMES: [&str; 20] = [
    "Provider",
    "EventID",
    "Version",
    "Level",
    "Task",
    "Opcode",
    "Keywords",
    RECORD_ID,
    "Channel",
    "Computer",
    "UserID",
    "ProcessID",
    "ThreadID",
    "Qualifiers",
    "TimeCreated",
    SYSTEM_TIME,
    "ActivityID",
    "RelatedActivityID",
    "EventSourceName",
    "Guid",
];

/// System elements whose value is their text (the others carry it in attributes:
/// `Provider@Name`, `TimeCreated@SystemTime`, `Execution@ProcessID`, …).
pub const TEXT_ELEMENTS: [&str; 9] = [
    "EventID", "Version", "Level", "Task", "Opcode", "Keywords", RECORD_ID, "Channel", "Computer",
];

/// System values that rarely change between records of one template on one host: the
/// EVTX ingest keeps them in the record's shape, not per record.
pub const SHAPE_FIXED: [&str; 12] = [
    "Provider",
    "Guid",
    "EventSourceName",
    "EventID",
    "Qualifiers",
    "Version",
    "Level",
    "Task",
    "Opcode",
    "Keywords",
    "Channel",
    "Computer",
];

/// The record's time (`TimeCreated@SystemTime`).
pub const SYSTEM_TIME: &str = "SystemTime";
/// The record's id (also in the EVTX record header).
pub const RECORD_ID: &str = "EventRecordID";

/// System names that are a normalised field as they are (`Level` is one through
/// [`severity`]).
pub const NORMALISED: [(Norm, &str); 5] = [
    (Norm::Host, "Computer"),
    (Norm::EventId, "EventID"),
    (Norm::Channel, "Channel"),
    (Norm::Provider, "Provider"),
    (Norm::RecordId, RECORD_ID),
];

/// The System name that gives `severity`.
pub const LEVEL: &str = "Level";

/// The normalised field System name `name` is, if any.
pub fn norm_of(name: &str) -> Option<Norm> {
    NORMALISED.iter().find(|(_, k)| *k == name).map(|(n, _)| *n)
}

/// Severity of a numeric System level (`1` critical … `5` verbose, others info); `None`
/// when the level is not a number.
pub fn severity(level: &str) -> Option<&'static str> {
    Some(match level {
        "1" => "critical",
        "2" => "error",
        "3" => "warning",
        "5" => "verbose",
        l if l.bytes().all(|b| b.is_ascii_digit()) => "info",
        _ => return None,
    })
}

/// Bits of `Event::loc` that hold the record id; the chunk number is above them.
const ID_BITS: u32 = 48;
const ID_MASK: u64 = (1 << ID_BITS) - 1;

/// `Event::loc` of record `record_id` in chunk `chunk`.
pub fn loc(chunk: u64, record_id: u64) -> u64 {
    (chunk << ID_BITS) | record_id_of(record_id)
}

/// The chunk number of an EVTX event's `loc`.
pub fn chunk_of(loc: u64) -> u64 {
    loc >> ID_BITS
}

/// The record id of an EVTX event's `loc`, or a record header's id as `loc` keeps it.
pub fn record_id_of(loc: u64) -> u64 {
    loc & ID_MASK
}

/// The stable locator of an EVTX event (**contract**, `EventKey::locator`): `chunk:record`.
/// Appended to `out`.
pub fn write_locator(loc: u64, out: &mut String) {
    let mut b = itoa::Buffer::new();
    out.push_str(b.format(chunk_of(loc)));
    out.push(':');
    out.push_str(b.format(record_id_of(loc)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loc_round_trip_and_mask() {
        let l = loc(3, 77);
        assert_eq!((chunk_of(l), record_id_of(l)), (3, 77));
        let mut text = String::new();
        write_locator(l, &mut text);
        assert_eq!(text, "3:77");
        // Ids wider than the field are cut to it, as the record header's are.
        assert_eq!(record_id_of(loc(1, (5 << 48) | 9)), 9);
        assert_eq!(chunk_of(loc(1, u64::MAX)), 1);
    }

    #[test]
    fn severity_and_names() {
        assert_eq!(severity("2"), Some("error"));
        assert_eq!(severity("4"), Some("info"));
        assert_eq!(severity("0"), Some("info"));
        assert_eq!(severity("Information"), None);
        assert_eq!(norm_of("Computer"), Some(Norm::Host));
        assert_eq!(norm_of("Level"), None);
        for n in TEXT_ELEMENTS.iter().chain(&SHAPE_FIXED) {
            assert!(NAMES.contains(n), "{n}");
        }
        for (_, n) in NORMALISED {
            assert!(NAMES.contains(&n), "{n}");
        }
    }
}
