//! `--format csv`: the jsonl columns flattened; cells that a spreadsheet would run as a
//! formula are escaped.

use super::Lines;
use super::annotated::{CSV_COLUMNS, Item, csv_cells};
use super::object;
use crate::model::{Fields, Norm, format_rfc3339};
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
/// cell), so any run of items can be written apart and the parts joined. Cells are written
/// from the borrowed fields; only a formula-like cell is copied (to prefix its `'`).
pub(super) fn write_items(cx: &Lines<'_>, items: &[Item], out: &mut Vec<u8>) -> io::Result<()> {
    let (t, ann) = (cx.timeline, cx.ann);
    let mut w = ::csv::Writer::from_writer(out);
    let mut cells = Cells::default();
    let mut f = Fields::new();
    for &item in items {
        match item {
            Item::Row(i) => {
                row_cells(t, i, &mut f, &mut w, &mut cells)?;
                if let Some(a) = ann {
                    for c in csv_cells(a.on_row(i), false) {
                        cells.put(&mut w, c.as_bytes())?;
                    }
                }
                if let Some(d) = cx.det {
                    cells.put(&mut w, d.cell(i).as_bytes())?;
                }
            }
            Item::Missing(k) => {
                let Some((a, m)) = ann.and_then(|a| Some((a, a.missing(k)?))) else {
                    continue;
                };
                let e = m.first().map(|a| a.event.clone()).unwrap_or_default();
                cells.put(&mut w, format_rfc3339(m.key.ts).as_bytes())?;
                cells.put(&mut w, e.source.as_bytes())?;
                cells.put(&mut w, a.missing_format(m).as_bytes())?;
                for n in Norm::ALL {
                    let v = match n {
                        Norm::Host => &e.host,
                        Norm::EventId => &e.event_id,
                        Norm::Message => &e.message,
                        _ => "",
                    };
                    cells.put(&mut w, v.as_bytes())?;
                }
                cells.put(&mut w, b"{}")?;
                for c in csv_cells(&m.annotations, true) {
                    cells.put(&mut w, c.as_bytes())?;
                }
                if cx.det.is_some() {
                    cells.put(&mut w, b"")?;
                }
            }
        }
        w.write_record(None::<&[u8]>).map_err(io_error)?;
    }
    w.flush()
}

/// Scratch space reused across cells: the escaped copy of a formula-like cell, and the
/// text of cells that are made (time, raw JSON).
#[derive(Default)]
struct Cells {
    escaped: Vec<u8>,
    made: Vec<u8>,
}

impl Cells {
    /// Writes one cell as `safe_cell` leaves it.
    fn put<W: Write>(&mut self, w: &mut ::csv::Writer<W>, cell: &[u8]) -> io::Result<()> {
        let cell = match cell.first() {
            Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => {
                self.escaped.clear();
                self.escaped.push(b'\'');
                self.escaped.extend_from_slice(cell);
                &self.escaped[..]
            }
            _ => cell,
        };
        w.write_field(cell).map_err(io_error)
    }

    /// Writes the made cell (`self.made`).
    fn put_made<W: Write>(&mut self, w: &mut ::csv::Writer<W>) -> io::Result<()> {
        let made = std::mem::take(&mut self.made);
        let r = self.put(w, &made);
        self.made = made;
        r
    }
}
/// The csv crate wraps I/O errors; unwrap them so a closed pipe stays a `BrokenPipe` that
/// `quiet_pipe` recognises.
fn io_error(e: ::csv::Error) -> io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// ts, source, format, normalised fields, raw JSON of timeline row `i` (read into `f`, a
/// buffer reused from row to row).
fn row_cells<'t, W: Write>(
    t: &'t Timeline,
    i: usize,
    f: &mut Fields<'t>,
    w: &mut ::csv::Writer<W>,
    cells: &mut Cells,
) -> io::Result<()> {
    t.fields_into(i, f);
    let f = &*f;
    cells.made.clear();
    match t.events.get(i) {
        Some(e) if !(e.flags.bad_time() && e.ts == i64::MIN) => {
            object::rfc3339(&mut cells.made, e.ts)
        }
        _ => cells.made.extend_from_slice(t.time_text(i).as_bytes()),
    }
    cells.put_made(w)?;
    let src = t.source_of(i);
    cells.put(w, src.map_or("", |s| s.label.as_str()).as_bytes())?;
    cells.put(w, t.event_format(i).as_bytes())?;
    for n in Norm::ALL {
        match (n, f.get(n)) {
            (_, Some(v)) => cells.put(w, v.as_bytes())?,
            (Norm::Message, None) => {
                cells.put(w, crate::timeline::generic_message(f).as_bytes())?
            }
            _ => cells.put(w, b"")?,
        }
    }
    cells.made.clear();
    object::raw_object(&f.raw, &mut cells.made);
    cells.put_made(w)
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
