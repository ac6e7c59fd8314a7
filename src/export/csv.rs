//! `--format csv`: the jsonl columns flattened; cells that a spreadsheet would run as a
//! formula are escaped.

use crate::model::{NORM_COUNT, Norm};
use crate::timeline::Timeline;
use std::borrow::Cow;
use std::io::{self, Write};

/// Prefixes a `'` to cells starting with `= + - @`, a tab or a carriage return, so that
/// log content cannot become a spreadsheet formula (CSV injection).
pub fn safe_cell(s: &str) -> Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// Header: ts, source, format, the normalised fields, raw (JSON), then `extra` columns.
pub fn header(extra: &[&str]) -> Vec<String> {
    let mut h = vec!["ts".to_string(), "source".into(), "format".into()];
    h.extend(Norm::ALL.iter().map(|n| n.name().to_string()));
    h.push("raw".into());
    h.extend(extra.iter().map(|s| s.to_string()));
    h
}

pub fn write<W: Write>(
    t: &Timeline,
    rows: &[usize],
    extra_cols: &[&str],
    extra: &dyn Fn(usize) -> Vec<String>,
    out: W,
) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(header(extra_cols))?;
    let mut rec: Vec<String> = Vec::with_capacity(NORM_COUNT + 8);
    for &i in rows {
        let f = t.fields(i);
        rec.clear();
        rec.push(t.time_text(i));
        let src = t.source_of(i);
        rec.push(src.map(|s| s.label.clone()).unwrap_or_default());
        rec.push(src.map(|s| s.format().to_string()).unwrap_or_default());
        for n in Norm::ALL {
            let v = match (n, f.get(n)) {
                (_, Some(v)) => v.to_string(),
                (Norm::Message, None) => crate::timeline::generic_message(&f),
                _ => String::new(),
            };
            rec.push(v);
        }
        let raw: serde_json::Map<String, serde_json::Value> = f
            .raw
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string().into()))
            .collect();
        rec.push(serde_json::Value::Object(raw).to_string());
        rec.extend(extra(i));
        w.write_record(rec.iter().map(|c| safe_cell(c).into_owned()))?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_escaped() {
        for bad in ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\r=x"] {
            assert!(safe_cell(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(safe_cell("powershell.exe"), "powershell.exe");
        assert_eq!(safe_cell(""), "");
    }
}
