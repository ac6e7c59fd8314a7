//! Discovery, format sniffing and parsing of evidence into events (DESIGN §1, §4).

pub mod edr;
pub mod evtx_msg;
pub mod firewall;
pub mod source;

pub use source::{
    FormatDef, ParseCtx, Prepared, Reason, RecordParser, Records, Reject, SourceReport,
};

/// Every text/JSON format vigil knows, firewall then EDR.
pub fn text_formats() -> Vec<&'static FormatDef> {
    let mut v: Vec<&'static FormatDef> = firewall::FORMATS.to_vec();
    v.extend_from_slice(edr::FORMATS);
    v
}
