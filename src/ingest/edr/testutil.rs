//! Test helper doing what the ingest driver does: sniff with every format, prepare, cut
//! the records per `Records`, parse each and count rejects.

use crate::ingest::{ParseCtx, Records, text_formats};
use crate::model::{Fields, Norm, TzSpec};
use std::path::{Path, PathBuf};

pub fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"))
}

/// Files of `edr/<sub>`, sorted; `None` (with a note) when the corpus is absent.
pub fn corpus_files(sub: &str) -> Option<Vec<PathBuf>> {
    let dir = corpus_dir().join("edr").join(sub);
    let Ok(rd) = std::fs::read_dir(&dir) else {
        eprintln!("corpus absent: {} skipped", dir.display());
        return None;
    };
    let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect();
    v.sort();
    Some(v)
}

/// One parsed record, detached from the file.
pub struct Row {
    pub ts: i64,
    pub fields: Fields<'static>,
}

impl Row {
    pub fn get(&self, norm: &str) -> Option<&str> {
        Norm::from_name(norm).and_then(|n| self.fields.get(n))
    }
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.fields.raw.iter().find(|(k, _)| k == name).map(|(_, v)| &**v)
    }
}

pub struct Outcome {
    pub total: usize,
    pub rejected: usize,
    pub reasons: Vec<String>,
    pub rows: Vec<Row>,
    pub note: Option<String>,
}

/// The winning format id for `data`, as the driver picks it.
pub fn sniffed(data: &[u8]) -> Option<&'static str> {
    let head = &data[..data.len().min(64 * 1024)];
    let mut best: Option<(&'static str, u8)> = None;
    for f in text_formats() {
        let s = (f.sniff)(head);
        if s >= 50 && best.is_none_or(|(_, b)| s > b) {
            best = Some((f.id, s));
        }
    }
    best.map(|(id, _)| id)
}

/// Reads `path`, checks it sniffs as `format`, and parses every record.
pub fn parse_all(path: &Path, format: &str) -> Outcome {
    let data = std::fs::read(path).unwrap();
    assert_eq!(sniffed(&data), Some(format), "{} sniffed wrong", path.display());
    parse_bytes(&data, format, &ParseCtx::default())
}

/// Prepares `data` as `format` and parses every record.
pub fn parse_bytes(data: &[u8], format: &str, ctx: &ParseCtx) -> Outcome {
    let def = text_formats().into_iter().find(|f| f.id == format).unwrap();
    let prep = (def.prepare)(data, ctx).unwrap();
    let recs: Vec<&[u8]> = match &prep.records {
        Records::Ranges(v) => v
            .iter()
            .map(|&(o, l)| &data[o as usize..(o as usize + l as usize).min(data.len())])
            .collect(),
        Records::Lines { start, comment } => data[*start..]
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .filter(|l| !comment.iter().any(|c| l.starts_with(c)))
            .collect(),
    };
    let mut out = Outcome { total: recs.len(), rejected: 0, reasons: vec![], rows: vec![], note: prep.note.clone() };
    for r in recs {
        let mut f = Fields::new();
        match prep.parser.parse(r, &mut f) {
            Ok(()) => out.rows.push(Row { ts: f.ts, fields: f.into_owned() }),
            Err(e) => {
                out.rejected += 1;
                out.reasons.push(e.into_owned());
            }
        }
    }
    out
}

/// A context reading naive times in `tz`.
pub fn ctx_tz(tz: &str) -> ParseCtx {
    ParseCtx { tz: tz.parse::<TzSpec>().unwrap(), ..ParseCtx::default() }
}
