//! How the events of a loaded source are read again after ingest: their fields, raw record,
//! locator, stored field values and free text. The timeline asks through these methods and
//! knows no format; each family answers beside its parser (`evtx::Stored`, `Prepared` in
//! `text`, `parquet::Stored`).

use super::Prepared;
use super::evtx::{self, Slots, Stored, schema};
use crate::model::{Event, Fields, Interner};
use std::borrow::Cow;

/// How the events of a loaded source are re-read.
pub enum Kind {
    /// Nothing usable (unknown format, unreadable file).
    None,
    /// EVTX: fields stored at ingest, or re-rendered from the file (index-only ingest).
    Evtx(Stored),
    /// Text and JSON formats: each record parsed again from its bytes.
    Text(Prepared),
    /// Parquet: the decoded columns, each event a row of them.
    Parquet(super::parquet::Stored),
}

/// One event of a source, with what reading it again needs.
#[derive(Clone, Copy)]
pub struct Rec<'a> {
    /// The source's bytes.
    pub data: &'a [u8],
    pub event: &'a Event,
    /// The strings the event's (and its stored fields') symbols name.
    pub strings: &'a Interner,
}

/// Where free-text queries look in an event without building its fields.
pub enum FreeText<'a> {
    /// The raw line: every value a text parser reads is in it.
    Line(&'a [u8]),
    /// Stored values: symbols, and values made from the event (`Slot::made`).
    Stored(Slots<'a>),
    /// Nothing to look in but the fields.
    None,
}

impl Kind {
    /// The stored fields of an EVTX source (detection walks them shape by shape).
    pub fn evtx(&self) -> Option<&Stored> {
        match self {
            Kind::Evtx(s) => Some(s),
            _ => None,
        }
    }

    /// Records are parsed again from their bytes.
    pub fn is_text(&self) -> bool {
        matches!(self, Kind::Text(_))
    }

    /// Every field of event `r`, normalised; `message: false` lets EVTX events and EDR
    /// records skip building their message (readers that never look at it: filters
    /// without free text, Sigma, the analyzers).
    pub fn fields<'a>(&'a self, r: Rec<'a>, message: bool) -> Fields<'a> {
        let mut f = if message {
            Fields::new()
        } else {
            Fields::without_message()
        };
        self.fields_into(r, &mut f);
        f
    }

    /// Event `r`'s fields read into `f` (cleared first), which says what is wanted:
    /// `Fields::new()` everything, `without_message()` no message, `lean()` normalised
    /// fields alone (for a text source no source fields either: a lean parse, for readers
    /// that want only normalised fields, at a fraction of the cost). A reader of many
    /// events passes the same buffer, so its allocations are made once, not per event.
    pub fn fields_into<'a>(&'a self, r: Rec<'a>, f: &mut Fields<'a>) {
        f.clear();
        match self {
            Kind::Evtx(s) => {
                let message = !f.skips_message() && !f.is_lean();
                s.fields_into(r, message, f);
            }
            Kind::Text(p) if f.is_lean() => p.lean_fields_into(r, f),
            Kind::Text(p) => p.fields_into(r, f),
            Kind::Parquet(s) => s.fields_into(r.event, f),
            Kind::None => f.ts = r.event.ts,
        }
    }

    /// The record as the source has it: EVTX XML re-read from the file, or the line.
    pub fn raw_record(&self, r: Rec<'_>) -> String {
        match self {
            Kind::Evtx(_) => evtx::record_xml(r.data, r.event.loc)
                .unwrap_or_else(|| "(record could not be re-read)".into()),
            Kind::Text(_) => String::from_utf8_lossy(self.raw_line(r)).into_owned(),
            Kind::Parquet(s) => s.record(r.event),
            Kind::None => String::new(),
        }
    }

    /// The bytes of a text record (empty for other kinds), for searches over the raw text.
    pub fn raw_line<'a>(&self, r: Rec<'a>) -> &'a [u8] {
        match self {
            Kind::Text(_) => super::text::record_bytes(r.data, r.event.loc, r.event.aux),
            _ => &[],
        }
    }

    /// The format of the parser that read event `r` when its source mixes formats (a
    /// syslog server's file: each line its own); `None` means the source's format.
    pub fn format_of(&self, r: Rec<'_>) -> Option<&'static str> {
        match self {
            Kind::Text(p) => p.parser.format_of(self.raw_line(r)),
            Kind::Parquet(s) => s.format_of(r.event),
            _ => None,
        }
    }

    /// The event's stable locator in its source (**contract**, `EventKey::locator`): EVTX
    /// `chunk:record`, else `@byte_offset`.
    pub fn locator(&self, e: &Event) -> String {
        let mut s = String::new();
        self.write_locator(e, &mut s);
        s
    }

    /// Appends [`Kind::locator`] to `out` (the Parquet export writes one per row).
    pub fn write_locator(&self, e: &Event, out: &mut String) {
        let at_offset = |out: &mut String| {
            out.push('@');
            out.push_str(itoa::Buffer::new().format(e.loc));
        };
        match self {
            Kind::Evtx(_) => schema::write_locator(e.loc, out),
            Kind::Parquet(s) => match s.origin(e) {
                Some((_, l)) => out.push_str(l),
                None => at_offset(out),
            },
            _ => at_offset(out),
        }
    }

    /// The SHA-256 of the evidence event `r` was read from when it is not this source
    /// (a Parquet row keeps its original's): its `EventKey` names that evidence.
    pub fn origin_sha256<'a>(&'a self, r: Rec<'a>) -> Option<&'a str> {
        match self {
            Kind::Parquet(s) => s.origin(r.event).map(|(sha, _)| sha),
            _ => None,
        }
    }

    /// Event `r`'s own field `name` (not a normalised name) when it can be read without
    /// building every field (EVTX stored values); `None` when it cannot tell.
    pub fn stored_field<'a>(&'a self, r: Rec<'a>, name: &str) -> Option<Option<Cow<'a, str>>> {
        match self {
            Kind::Evtx(s) => s.field(r, name),
            _ => None,
        }
    }

    /// Where free-text queries can look in event `r` without its fields.
    pub fn free_text<'a>(&'a self, r: Rec<'a>) -> FreeText<'a> {
        match self {
            Kind::Text(_) => FreeText::Line(self.raw_line(r)),
            Kind::Evtx(_) if r.event.aux == evtx::NO_FIELDS => FreeText::None,
            Kind::Evtx(s) => FreeText::Stored(s.slots(r.event.aux)),
            Kind::Parquet(_) | Kind::None => FreeText::None,
        }
    }

    /// The event's tag is its parsed `event_id` when it has one (text ingest keeps that as
    /// tag, else the action; a re-parse gives the same fields). EVTX tags come from another
    /// reading of the record, so they do not answer for the fields.
    pub fn tag_is_event_id(&self) -> bool {
        matches!(self, Kind::Text(_) | Kind::Parquet(_))
    }

    /// The time the record itself writes (EVTX `SystemTime`), for an event whose time
    /// could not be represented; `None` when it has none in RFC 3339.
    pub fn written_time(&self, r: Rec<'_>) -> Option<String> {
        self.fields(r, false)
            .raw(schema::SYSTEM_TIME)
            .filter(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok())
            .map(str::to_owned)
    }

    /// Rewrites the symbols the kind keeps after its batch's strings moved into another
    /// interner (`Interner::absorb`).
    pub fn remap(&mut self, remap: &[u32]) {
        if let Kind::Evtx(s) = self {
            s.remap(remap);
        }
    }

    /// Heap bytes of what the kind keeps per event (EVTX stored values).
    pub fn heap_bytes(&self) -> usize {
        match self {
            Kind::Evtx(s) => s.heap_bytes(),
            Kind::Parquet(s) => s.heap_bytes(),
            _ => 0,
        }
    }

    /// How many record shapes the kind keeps (EVTX).
    pub fn shape_count(&self) -> usize {
        match self {
            Kind::Evtx(s) => s.shape_count(),
            _ => 0,
        }
    }
}
