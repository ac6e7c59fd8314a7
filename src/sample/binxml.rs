//! Binary XML encoding for the EVTX writer: template definitions (the element tree of one
//! event shape, with substitution slots) and substitution values, laid out the way Windows
//! writes them (MS-EVEN6 BinXml; byte layout checked against the evtx crate's reader).

use std::collections::HashMap;

// Token bytes.
const FRAGMENT_HEADER: u8 = 0x0f;
const OPEN_START: u8 = 0x01;
const OPEN_START_ATTRS: u8 = 0x41;
const CLOSE_START: u8 = 0x02;
const CLOSE_EMPTY: u8 = 0x03;
const END_ELEMENT: u8 = 0x04;
const VALUE_TEXT: u8 = 0x05;
const ATTRIBUTE: u8 = 0x06;
const ATTRIBUTE_MORE: u8 = 0x46;
const OPTIONAL_SUBST: u8 = 0x0e;
const EOF: u8 = 0x00;

// Value types.
pub const T_NULL: u8 = 0x00;
pub const T_STRING: u8 = 0x01;
pub const T_UINT8: u8 = 0x04;
pub const T_UINT16: u8 = 0x06;
pub const T_UINT32: u8 = 0x08;
pub const T_UINT64: u8 = 0x0a;
pub const T_GUID: u8 = 0x0f;
pub const T_FILETIME: u8 = 0x11;
pub const T_SID: u8 = 0x13;
pub const T_HEX64: u8 = 0x15;

/// Substitution slots of the System part, shared by every shape; EventData values follow.
pub const SUB_PROVIDER: u16 = 0;
pub const SUB_GUID: u16 = 1;
pub const SUB_EVENT_ID: u16 = 2;
pub const SUB_VERSION: u16 = 3;
pub const SUB_LEVEL: u16 = 4;
pub const SUB_TASK: u16 = 5;
pub const SUB_OPCODE: u16 = 6;
pub const SUB_KEYWORDS: u16 = 7;
pub const SUB_TIME: u16 = 8;
pub const SUB_RECORD_ID: u16 = 9;
pub const SUB_PID: u16 = 10;
pub const SUB_TID: u16 = 11;
pub const SUB_CHANNEL: u16 = 12;
pub const SUB_COMPUTER: u16 = 13;
pub const SUB_USER: u16 = 14;
pub const SYSTEM_SUBS: u16 = 15;

/// Type of every System substitution, by slot.
pub const SYSTEM_TYPES: [u8; SYSTEM_SUBS as usize] = [
    T_STRING, T_GUID, T_UINT16, T_UINT8, T_UINT8, T_UINT16, T_UINT8, T_HEX64, T_FILETIME, T_UINT64,
    T_UINT32, T_UINT32, T_STRING, T_STRING, T_SID,
];

const EVENT_NS: &str = "http://schemas.microsoft.com/win/2004/08/events/event";

/// The chunk's string table: names already written (by chunk offset) and the 64 bucket heads.
#[derive(Clone)]
pub struct StringTable {
    pub offsets: HashMap<&'static str, u32>,
    pub buckets: [u32; 64],
}

impl Default for StringTable {
    fn default() -> Self {
        StringTable {
            offsets: HashMap::new(),
            buckets: [0; 64],
        }
    }
}

/// Hash of a name as Windows stores it next to the name (and uses for the bucket).
pub fn name_hash(name: &str) -> u16 {
    let mut h: u32 = 0;
    for u in name.encode_utf16() {
        h = h.wrapping_mul(65599).wrapping_add(u32::from(u));
    }
    (h & 0xffff) as u16
}

pub fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
pub fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn patch_u32(out: &mut [u8], at: usize, v: u32) {
    if let Some(s) = out.get_mut(at..at + 4) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}

/// Writes UTF-16LE for `s`, at most `max_units` code units; returns the units written.
pub fn put_utf16(out: &mut Vec<u8>, s: &str, max_units: usize) -> usize {
    let mut n = 0;
    for u in s.encode_utf16() {
        if n == max_units {
            break;
        }
        out.extend_from_slice(&u.to_le_bytes());
        n += 1;
    }
    n
}

/// Template body writer. `base` is the chunk offset of `out[0]`, needed because names are
/// referenced (and defined inline on first use) by chunk offset.
struct Body<'t> {
    out: &'t mut Vec<u8>,
    base: u32,
    strings: &'t mut StringTable,
}

impl Body<'_> {
    fn pos(&self) -> u32 {
        self.base + self.out.len() as u32
    }

    /// A name reference: the offset of the name in the string table, with the string itself
    /// following inline when this is its first use in the chunk.
    fn name(&mut self, name: &'static str) {
        if let Some(&off) = self.strings.offsets.get(name) {
            put_u32(self.out, off);
            return;
        }
        let off = self.pos() + 4;
        put_u32(self.out, off);
        let hash = name_hash(name);
        let bucket = usize::from(hash) % 64;
        // New names go to the head of their bucket chain, as Windows does.
        put_u32(self.out, self.strings.buckets[bucket]);
        put_u16(self.out, hash);
        let len_at = self.out.len();
        put_u16(self.out, 0);
        let n = put_utf16(self.out, name, 0xfffe) as u16;
        if let Some(s) = self.out.get_mut(len_at..len_at + 2) {
            s.copy_from_slice(&n.to_le_bytes());
        }
        put_u16(self.out, 0);
        self.strings.buckets[bucket] = off;
        self.strings.offsets.insert(name, off);
    }

    /// Opens an element; returns the position of its data-size field for `end`.
    fn open(&mut self, name: &'static str, has_attrs: bool) -> (usize, Option<usize>) {
        self.out.push(if has_attrs {
            OPEN_START_ATTRS
        } else {
            OPEN_START
        });
        put_u16(self.out, 0xffff); // dependency id: none
        let size_at = self.out.len();
        put_u32(self.out, 0);
        self.name(name);
        let attrs_at = has_attrs.then(|| {
            let at = self.out.len();
            put_u32(self.out, 0);
            at
        });
        (size_at, attrs_at)
    }

    fn attrs_done(&mut self, attrs_at: Option<usize>) {
        if let Some(at) = attrs_at {
            let len = (self.out.len() - at - 4) as u32;
            patch_u32(self.out, at, len);
        }
    }

    fn close(&mut self, size_at: usize) {
        let len = (self.out.len() - size_at - 4) as u32;
        patch_u32(self.out, size_at, len);
    }

    fn attr(&mut self, name: &'static str, more: bool) {
        self.out.push(if more { ATTRIBUTE_MORE } else { ATTRIBUTE });
        self.name(name);
    }

    fn text(&mut self, s: &str) {
        self.out.push(VALUE_TEXT);
        self.out.push(T_STRING);
        let len_at = self.out.len();
        put_u16(self.out, 0);
        let n = put_utf16(self.out, s, 0xffff) as u16;
        if let Some(b) = self.out.get_mut(len_at..len_at + 2) {
            b.copy_from_slice(&n.to_le_bytes());
        }
    }

    fn subst(&mut self, index: u16, ty: u8) {
        self.out.push(OPTIONAL_SUBST);
        put_u16(self.out, index);
        self.out.push(ty);
    }

    /// `<name>{subst}</name>`
    fn leaf(&mut self, name: &'static str, index: u16) {
        let (size_at, _) = self.open(name, false);
        self.out.push(CLOSE_START);
        self.subst(index, SYSTEM_TYPES[usize::from(index)]);
        self.out.push(END_ELEMENT);
        self.close(size_at);
    }

    /// `<name attr={subst} .../>`
    fn empty_with_subst_attrs(&mut self, name: &'static str, attrs: &[(&'static str, u16)]) {
        let (size_at, attrs_at) = self.open(name, !attrs.is_empty());
        for (i, (attr, index)) in attrs.iter().enumerate() {
            self.attr(attr, i + 1 < attrs.len());
            self.subst(*index, SYSTEM_TYPES[usize::from(*index)]);
        }
        self.attrs_done(attrs_at);
        self.out.push(CLOSE_EMPTY);
        self.close(size_at);
    }
}

/// Writes the body of the template for an event with the given EventData names (Windows'
/// System layout, then one `<Data Name="..">` per name with a string substitution).
pub fn write_template_body(
    out: &mut Vec<u8>,
    base: u32,
    strings: &mut StringTable,
    data_names: &[&'static str],
) {
    let mut b = Body { out, base, strings };
    b.out.extend_from_slice(&[FRAGMENT_HEADER, 1, 1, 0]);
    let (event_at, attrs_at) = b.open("Event", true);
    b.attr("xmlns", false);
    b.text(EVENT_NS);
    b.attrs_done(attrs_at);
    b.out.push(CLOSE_START);

    let (system_at, _) = b.open("System", false);
    b.out.push(CLOSE_START);
    b.empty_with_subst_attrs("Provider", &[("Name", SUB_PROVIDER), ("Guid", SUB_GUID)]);
    b.leaf("EventID", SUB_EVENT_ID);
    b.leaf("Version", SUB_VERSION);
    b.leaf("Level", SUB_LEVEL);
    b.leaf("Task", SUB_TASK);
    b.leaf("Opcode", SUB_OPCODE);
    b.leaf("Keywords", SUB_KEYWORDS);
    b.empty_with_subst_attrs("TimeCreated", &[("SystemTime", SUB_TIME)]);
    b.leaf("EventRecordID", SUB_RECORD_ID);
    b.empty_with_subst_attrs("Correlation", &[]);
    b.empty_with_subst_attrs(
        "Execution",
        &[("ProcessID", SUB_PID), ("ThreadID", SUB_TID)],
    );
    b.leaf("Channel", SUB_CHANNEL);
    b.leaf("Computer", SUB_COMPUTER);
    b.empty_with_subst_attrs("Security", &[("UserID", SUB_USER)]);
    b.out.push(END_ELEMENT);
    b.close(system_at);

    let (data_at, _) = b.open("EventData", false);
    b.out.push(CLOSE_START);
    for (i, name) in data_names.iter().enumerate() {
        let (size_at, attrs_at) = b.open("Data", true);
        b.attr("Name", false);
        b.text(name);
        b.attrs_done(attrs_at);
        b.out.push(CLOSE_START);
        b.subst(SYSTEM_SUBS + i as u16, T_STRING);
        b.out.push(END_ELEMENT);
        b.close(size_at);
    }
    b.out.push(END_ELEMENT);
    b.close(data_at);

    b.out.push(END_ELEMENT);
    b.close(event_at);
    b.out.push(EOF);
}

/// Binary SID from its `S-1-5-21-…` text; `None` when the text is not a SID.
pub fn sid_bytes(sid: &str, out: &mut Vec<u8>) -> Option<()> {
    let mut parts = sid.strip_prefix("S-")?.split('-');
    let revision: u8 = parts.next()?.parse().ok()?;
    let authority: u64 = parts.next()?.parse().ok()?;
    let subs: Vec<u32> = parts.map(|p| p.parse().ok()).collect::<Option<_>>()?;
    if subs.len() > 15 {
        return None;
    }
    out.push(revision);
    out.push(subs.len() as u8);
    out.extend_from_slice(&authority.to_be_bytes()[2..]);
    for s in subs {
        put_u32(out, s);
    }
    Some(())
}

/// Writes the substitution array (count, descriptors, values) of one record.
/// `system` holds the System values in slot order; `data` the EventData strings.
pub fn write_substitutions(out: &mut Vec<u8>, sys: &SystemValues<'_>, data: &[&str]) {
    let count = usize::from(SYSTEM_SUBS) + data.len();
    put_u32(out, count as u32);
    let desc_at = out.len();
    out.resize(desc_at + 4 * count, 0);
    let mut slot = 0usize;
    let mut value = |out: &mut Vec<u8>, ty: u8, write: &dyn Fn(&mut Vec<u8>)| {
        let start = out.len();
        write(out);
        let mut size = out.len() - start;
        let mut ty = ty;
        if size > 0xffff {
            // Cannot be described; drop the value rather than corrupt the record.
            out.truncate(start);
            size = 0;
            ty = T_NULL;
        }
        let d = desc_at + 4 * slot;
        if let Some(b) = out.get_mut(d..d + 4) {
            b[..2].copy_from_slice(&(size as u16).to_le_bytes());
            b[2] = ty;
            b[3] = 0;
        }
        slot += 1;
    };
    value(out, T_STRING, &|o| {
        put_utf16(o, sys.provider, 0x7fff);
    });
    value(out, T_GUID, &|o| o.extend_from_slice(sys.provider_guid));
    value(out, T_UINT16, &|o| put_u16(o, sys.event_id));
    value(out, T_UINT8, &|o| o.push(sys.version));
    value(out, T_UINT8, &|o| o.push(sys.level));
    value(out, T_UINT16, &|o| put_u16(o, sys.task));
    value(out, T_UINT8, &|o| o.push(sys.opcode));
    value(out, T_HEX64, &|o| put_u64(o, sys.keywords));
    value(out, T_FILETIME, &|o| put_u64(o, sys.filetime));
    value(out, T_UINT64, &|o| put_u64(o, sys.record_id));
    value(out, T_UINT32, &|o| put_u32(o, sys.pid));
    value(out, T_UINT32, &|o| put_u32(o, sys.tid));
    value(out, T_STRING, &|o| {
        put_utf16(o, sys.channel, 0x7fff);
    });
    value(out, T_STRING, &|o| {
        put_utf16(o, sys.computer, 0x7fff);
    });
    // No user (or an unreadable one) is a NULL value, as Windows writes it.
    let mut sid = Vec::new();
    let sid_ty = match sys.user_sid.and_then(|s| sid_bytes(s, &mut sid)) {
        Some(()) => T_SID,
        None => T_NULL,
    };
    value(out, sid_ty, &|o| o.extend_from_slice(&sid));
    for d in data {
        value(out, T_STRING, &|o| {
            put_utf16(o, d, 0x7fff);
        });
    }
}

/// The System values of one record.
pub struct SystemValues<'a> {
    pub provider: &'a str,
    pub provider_guid: &'a [u8; 16],
    pub event_id: u16,
    pub version: u8,
    pub level: u8,
    pub task: u16,
    pub opcode: u8,
    pub keywords: u64,
    pub filetime: u64,
    pub record_id: u64,
    pub pid: u32,
    pub tid: u32,
    pub channel: &'a str,
    pub computer: &'a str,
    pub user_sid: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sid_round_trip_layout() {
        let mut v = Vec::new();
        assert!(sid_bytes("S-1-5-21-1-2-3-500", &mut v).is_some());
        assert_eq!(v.len(), 8 + 5 * 4);
        assert_eq!(&v[..8], &[1, 5, 0, 0, 0, 0, 0, 5]);
        let mut w = Vec::new();
        assert!(sid_bytes("S-x", &mut w).is_none());
        assert!(sid_bytes("not a sid", &mut w).is_none());
    }

    #[test]
    fn names_are_defined_once_per_table() {
        let mut t = StringTable::default();
        let mut a = Vec::new();
        write_template_body(&mut a, 1000, &mut t, &["X", "Y"]);
        let mut b = Vec::new();
        write_template_body(&mut b, 5000, &mut t, &["X", "Y"]);
        // The second body only references names, so it is shorter.
        assert!(b.len() < a.len());
        assert!(t.offsets.contains_key("EventData"));
    }
}
