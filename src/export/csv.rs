//! `--format csv`: the jsonl columns flattened; cells that a spreadsheet would run as a
//! formula are escaped.

use super::Lines;
use super::annotated::{CSV_COLUMNS, Item, csv_cells};
use crate::model::{NORM_COUNT, Norm, format_rfc3339};
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

/// The header line; with a case, the `annotated::CSV_COLUMNS` follow `raw`; with
/// detections, a last `rules` column.
pub(super) fn write_header<W: Write + ?Sized>(
    annotated: bool,
    detected: bool,
    out: &mut W,
) -> io::Result<()> {
    let mut extra: Vec<&str> = if annotated {
        CSV_COLUMNS.to_vec()
    } else {
        Vec::new()
    };
    if detected {
        extra.push("rules");
    }
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(header(&extra)).map_err(io_error)?;
    w.flush()
}

/// Writes the records of `items` (no header). Each record stands alone (quoting is per
/// cell), so any run of items can be written apart and the parts joined.
pub(super) fn write_items<W: Write + ?Sized>(
    cx: &Lines<'_>,
    items: &[Item],
    out: &mut W,
) -> io::Result<()> {
    let (t, ann) = (cx.timeline, cx.ann);
    let mut w = ::csv::Writer::from_writer(out);
    let mut rec: Vec<String> = Vec::with_capacity(NORM_COUNT + 12);
    for &item in items {
        rec.clear();
        match item {
            Item::Row(i) => {
                row_cells(t, i, &mut rec);
                if let Some(a) = ann {
                    rec.extend(csv_cells(a.on_row(i), false));
                }
                if let Some(d) = cx.det {
                    rec.push(d.cell(i));
                }
            }
            Item::Missing(k) => {
                let Some((a, m)) = ann.and_then(|a| Some((a, a.missing(k)?))) else {
                    continue;
                };
                let e = m.first().map(|a| a.event.clone()).unwrap_or_default();
                rec.push(format_rfc3339(m.key.ts));
                rec.push(e.source);
                rec.push(a.missing_format(m).to_owned());
                for n in Norm::ALL {
                    rec.push(match n {
                        Norm::Host => e.host.clone(),
                        Norm::EventId => e.event_id.clone(),
                        Norm::Message => e.message.clone(),
                        _ => String::new(),
                    });
                }
                rec.push("{}".into());
                rec.extend(csv_cells(&m.annotations, true));
                if cx.det.is_some() {
                    rec.push(String::new());
                }
            }
        }
        w.write_record(rec.iter().map(|c| safe_cell(c)).map(|c| c.into_owned()))
            .map_err(io_error)?;
    }
    w.flush()
}

/// The csv crate wraps I/O errors; unwrap them so a closed pipe stays a `BrokenPipe` that
/// `quiet_pipe` recognises.
fn io_error(e: ::csv::Error) -> io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// ts, source, format, normalised fields, raw JSON of timeline row `i`.
fn row_cells(t: &Timeline, i: usize, rec: &mut Vec<String>) {
    let f = t.fields(i);
    rec.push(t.time_text(i));
    let src = t.source_of(i);
    rec.push(src.map(|s| s.label.clone()).unwrap_or_default());
    rec.push(t.event_format(i).to_string());
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
