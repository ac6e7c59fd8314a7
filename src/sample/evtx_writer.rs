//! A writer of real `.evtx` files: 4 KiB file header, 64 KiB chunks with string and
//! template tables, records whose BinXML is a template instance. The first record of a
//! shape in a chunk defines its template inline; later ones reference it by offset.

use super::binxml::{
    StringTable, SystemValues, put_u32, put_u64, write_substitutions, write_template_body,
};
use std::collections::HashMap;
use std::io::{Seek, SeekFrom, Write};

pub const FILE_HEADER_SIZE: usize = 4096;
pub const CHUNK_SIZE: usize = 65536;
const CHUNK_HEADER_SIZE: usize = 512;
const RECORD_MAGIC: [u8; 4] = [0x2a, 0x2a, 0x00, 0x00];
/// Seconds between 1601-01-01 and 1970-01-01, in 100 ns units.
const FILETIME_UNIX_EPOCH: u64 = 116_444_736_000_000_000;

/// The fixed part of an event kind: provider, id and EventData names. Its template GUID is
/// derived from all of them, so two shapes never share a template by accident.
#[derive(Clone, Debug)]
pub struct Shape {
    pub provider: &'static str,
    pub provider_guid: [u8; 16],
    pub event_id: u16,
    pub version: u8,
    pub level: u8,
    pub task: u16,
    pub opcode: u8,
    pub keywords: u64,
    pub data: &'static [&'static str],
    template_guid: [u8; 16],
}

impl Shape {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        provider: &'static str,
        provider_guid: &str,
        event_id: u16,
        version: u8,
        level: u8,
        task: u16,
        keywords: u64,
        data: &'static [&'static str],
    ) -> Shape {
        let mut h = Fnv::default();
        h.write(provider.as_bytes());
        h.write(&event_id.to_le_bytes());
        h.write(&[version]);
        for d in data {
            h.write(d.as_bytes());
            h.write(&[0]);
        }
        let a = h.0;
        h.write(b"second half");
        let mut template_guid = [0u8; 16];
        template_guid[..8].copy_from_slice(&a.to_le_bytes());
        template_guid[8..].copy_from_slice(&h.0.to_le_bytes());
        Shape {
            provider,
            provider_guid: guid_bytes(provider_guid),
            event_id,
            version,
            level,
            task,
            opcode: 0,
            keywords,
            data,
            template_guid,
        }
    }

    fn template_id(&self) -> u32 {
        u32::from_le_bytes([
            self.template_guid[0],
            self.template_guid[1],
            self.template_guid[2],
            self.template_guid[3],
        ])
    }
}

#[derive(Default)]
struct Fnv(u64);
impl Fnv {
    fn write(&mut self, b: &[u8]) {
        if self.0 == 0 {
            self.0 = 0xcbf2_9ce4_8422_2325;
        }
        for x in b {
            self.0 ^= u64::from(*x);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// GUID text (`{54849625-5478-4994-A5BA-3E3B0328C30D}`) to its Windows byte layout; a
/// malformed GUID gives zeros (the caller's text is a constant, checked by tests).
pub fn guid_bytes(text: &str) -> [u8; 16] {
    let hex: String = text.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    let mut raw = [0u8; 16];
    if hex.len() != 32 {
        return raw;
    }
    for (i, b) in raw.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2).unwrap_or("00"), 16).unwrap_or(0);
    }
    // Data1..Data3 are little-endian; Data4 is a byte string.
    raw[0..4].reverse();
    raw[4..6].reverse();
    raw[6..8].reverse();
    raw
}

/// UTC nanoseconds since 1970 to FILETIME (100 ns ticks since 1601).
pub fn filetime(ts_ns: i64) -> u64 {
    (ts_ns.div_euclid(100) as u64).wrapping_add(FILETIME_UNIX_EPOCH)
}

/// One event to write.
pub struct Event<'a> {
    pub shape: &'a Shape,
    pub ts_ns: i64,
    pub pid: u32,
    pub tid: u32,
    pub channel: &'a str,
    pub computer: &'a str,
    pub user_sid: Option<&'a str>,
    /// One value per `shape.data` name (missing ones are written empty).
    pub data: &'a [&'a str],
}

struct Chunk {
    buf: Vec<u8>,
    strings: StringTable,
    templates: HashMap<[u8; 16], u32>,
    template_buckets: [u32; 32],
    first_id: u64,
    last_id: u64,
    last_record_at: u32,
}

impl Chunk {
    fn new() -> Chunk {
        let mut buf = Vec::with_capacity(CHUNK_SIZE);
        buf.resize(CHUNK_HEADER_SIZE, 0);
        Chunk {
            buf,
            strings: StringTable::default(),
            templates: HashMap::new(),
            template_buckets: [0; 32],
            first_id: 0,
            last_id: 0,
            last_record_at: 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.first_id == 0
    }

    /// Appends the record; `false` (and the chunk unchanged) when it does not fit.
    fn push(&mut self, ev: &Event<'_>, record_id: u64) -> bool {
        let start = self.buf.len();
        let saved_strings = self.strings.buckets;
        let saved_templates = self.template_buckets;
        let known: usize = self.strings.offsets.len();

        let buf = &mut self.buf;
        buf.extend_from_slice(&RECORD_MAGIC);
        put_u32(buf, 0); // size, patched below
        put_u64(buf, record_id);
        put_u64(buf, filetime(ev.ts_ns));
        buf.extend_from_slice(&[0x0f, 1, 1, 0, 0x0c, 0x01]);
        let shape = ev.shape;
        put_u32(buf, shape.template_id());
        let mut new_template = None;
        match self.templates.get(&shape.template_guid) {
            Some(&off) => put_u32(buf, off),
            None => {
                let def_at = buf.len() as u32 + 4;
                put_u32(buf, def_at);
                let bucket = (shape.template_id() % 32) as usize;
                put_u32(buf, self.template_buckets[bucket]);
                buf.extend_from_slice(&shape.template_guid);
                let size_at = buf.len();
                put_u32(buf, 0);
                // `buf` starts at the chunk start, so its indices are chunk offsets.
                write_template_body(buf, 0, &mut self.strings, shape.data);
                let size = (buf.len() - size_at - 4) as u32;
                buf[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
                self.template_buckets[bucket] = def_at;
                new_template = Some(def_at);
            }
        }
        let sys = SystemValues {
            provider: shape.provider,
            provider_guid: &shape.provider_guid,
            event_id: shape.event_id,
            version: shape.version,
            level: shape.level,
            task: shape.task,
            opcode: shape.opcode,
            keywords: shape.keywords,
            filetime: filetime(ev.ts_ns),
            record_id,
            pid: ev.pid,
            tid: ev.tid,
            channel: ev.channel,
            computer: ev.computer,
            user_sid: ev.user_sid,
        };
        let mut data: [&str; 32] = [""; 32];
        let n = shape.data.len().min(32);
        for (i, slot) in data.iter_mut().take(n).enumerate() {
            *slot = ev.data.get(i).copied().unwrap_or("");
        }
        write_substitutions(buf, &sys, &data[..n]);
        let size = (buf.len() - start + 4) as u32;
        put_u32(buf, size);

        if buf.len() > CHUNK_SIZE {
            // Roll back: the names and template this record defined belong to no chunk now.
            buf.truncate(start);
            self.strings.buckets = saved_strings;
            self.template_buckets = saved_templates;
            if self.strings.offsets.len() != known {
                let limit = start as u32;
                self.strings.offsets.retain(|_, off| *off < limit);
            }
            return false;
        }
        buf[start + 4..start + 8].copy_from_slice(&size.to_le_bytes());
        if let Some(off) = new_template {
            self.templates.insert(shape.template_guid, off);
        }
        if self.first_id == 0 {
            self.first_id = record_id;
        }
        self.last_id = record_id;
        self.last_record_at = start as u32;
        true
    }

    /// The finished 64 KiB chunk: header fields, tables and both CRCs.
    fn finish(mut self) -> Vec<u8> {
        let free = self.buf.len() as u32;
        self.buf.resize(CHUNK_SIZE, 0);
        let b = &mut self.buf;
        b[0..8].copy_from_slice(b"ElfChnk\0");
        // Record numbers and ids are the same here (a log that never wrapped).
        b[8..16].copy_from_slice(&self.first_id.to_le_bytes());
        b[16..24].copy_from_slice(&self.last_id.to_le_bytes());
        b[24..32].copy_from_slice(&self.first_id.to_le_bytes());
        b[32..40].copy_from_slice(&self.last_id.to_le_bytes());
        b[40..44].copy_from_slice(&128u32.to_le_bytes());
        b[44..48].copy_from_slice(&self.last_record_at.to_le_bytes());
        b[48..52].copy_from_slice(&free.to_le_bytes());
        for (i, off) in self.strings.buckets.iter().enumerate() {
            b[128 + 4 * i..132 + 4 * i].copy_from_slice(&off.to_le_bytes());
        }
        for (i, off) in self.template_buckets.iter().enumerate() {
            b[384 + 4 * i..388 + 4 * i].copy_from_slice(&off.to_le_bytes());
        }
        let events_crc = evtx::checksum_ieee(&b[CHUNK_HEADER_SIZE..free as usize]);
        b[52..56].copy_from_slice(&events_crc.to_le_bytes());
        b[120..124].copy_from_slice(&0u32.to_le_bytes());
        let mut h = Vec::with_capacity(504);
        h.extend_from_slice(&b[..120]);
        h.extend_from_slice(&b[128..512]);
        let header_crc = evtx::checksum_ieee(&h);
        b[124..128].copy_from_slice(&header_crc.to_le_bytes());
        self.buf
    }
}

/// Streams an EVTX file to `out`: chunks are written as they fill, the file header last.
pub struct EvtxWriter<W: Write + Seek> {
    out: W,
    chunk: Chunk,
    chunks: u64,
    next_id: u64,
}

impl<W: Write + Seek> EvtxWriter<W> {
    pub fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(&[0u8; FILE_HEADER_SIZE])?;
        Ok(EvtxWriter {
            out,
            chunk: Chunk::new(),
            chunks: 0,
            next_id: 1,
        })
    }

    /// Appends one event; returns its EventRecordID.
    pub fn append(&mut self, ev: &Event<'_>) -> std::io::Result<u64> {
        let id = self.next_id;
        if !self.chunk.push(ev, id) {
            if self.chunk.is_empty() {
                return Err(std::io::Error::other("event too large for one EVTX chunk"));
            }
            self.flush_chunk()?;
            if !self.chunk.push(ev, id) {
                return Err(std::io::Error::other("event too large for one EVTX chunk"));
            }
        }
        self.next_id += 1;
        Ok(id)
    }

    /// Leaves the next `n` record ids unused, as if those records had been cut out of the
    /// chunk (tests of record-id gap detection).
    #[cfg(test)]
    pub fn skip_record_ids(&mut self, n: u64) {
        self.next_id += n;
    }

    fn flush_chunk(&mut self) -> std::io::Result<()> {
        let chunk = std::mem::replace(&mut self.chunk, Chunk::new());
        self.out.write_all(&chunk.finish())?;
        self.chunks += 1;
        Ok(())
    }

    /// Writes the last chunk and the file header; returns the writer and the record count.
    pub fn finish(mut self) -> std::io::Result<(W, u64)> {
        if !self.chunk.is_empty() || self.chunks == 0 {
            self.flush_chunk()?;
        }
        let mut h = [0u8; FILE_HEADER_SIZE];
        h[0..8].copy_from_slice(b"ElfFile\0");
        h[8..16].copy_from_slice(&0u64.to_le_bytes());
        h[16..24].copy_from_slice(&(self.chunks - 1).to_le_bytes());
        h[24..32].copy_from_slice(&self.next_id.to_le_bytes());
        h[32..36].copy_from_slice(&128u32.to_le_bytes());
        h[36..38].copy_from_slice(&1u16.to_le_bytes());
        h[38..40].copy_from_slice(&3u16.to_le_bytes());
        h[40..42].copy_from_slice(&(FILE_HEADER_SIZE as u16).to_le_bytes());
        h[42..44].copy_from_slice(&(self.chunks.min(u64::from(u16::MAX)) as u16).to_le_bytes());
        // flags (120..124) stay 0: a cleanly closed, not full log.
        let crc = evtx::checksum_ieee(&h[..120]);
        h[124..128].copy_from_slice(&crc.to_le_bytes());
        self.out.seek(SeekFrom::Start(0))?;
        self.out.write_all(&h)?;
        self.out.seek(SeekFrom::End(0))?;
        self.out.flush()?;
        Ok((self.out, self.next_id - 1))
    }
}

#[cfg(test)]
#[path = "evtx_writer_tests.rs"]
mod tests;
