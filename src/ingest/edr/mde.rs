//! `mde` (stub).
use crate::ingest::{FormatDef, ParseCtx, Prepared};

pub static DEF: FormatDef = FormatDef { id: "mde", sniff, prepare };

fn sniff(_head: &[u8]) -> u8 {
    0
}

fn prepare(_data: &[u8], _ctx: &ParseCtx) -> Result<Prepared, String> {
    Err("not yet".into())
}
