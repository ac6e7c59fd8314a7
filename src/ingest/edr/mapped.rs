//! `mapped`: any other JSON/NDJSON/CSV export, read through a mapping file (`--map`):
//! `{"time":{"field":"ts","format":"rfc3339|epoch|epoch_s|epoch_ms|epoch_us|epoch_ns|filetime|ticks|strftime:%d/%m/%Y %H:%M:%S"},
//!   "fields":{"host":"DeviceName","user":"actor.name",…}}`. Never sniffed: chosen only with
//! `--format mapped` / `--map`. Nested JSON names are dotted (`actor.name`).

use super::norm::{self, CsvParser, json_head};
use super::{csv, json, time};
use crate::ingest::{
    Family, FormatDef, ParseCtx, PrepareError, Prepared, Reason, RecordParser, Records,
};
use crate::model::{Fields, Norm, TzSpec, naive_to_utc};
use serde::Deserialize;
use std::collections::BTreeMap;

pub static DEF: FormatDef = FormatDef::new("mapped", Family::Edr, prepare)
    .with_samples(&[r#"{"ts":"2024-01-02T03:04:05Z","host":"h1","msg":"a"}"#]);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mapping {
    time: TimeSpec,
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeSpec {
    field: String,
    #[serde(default)]
    format: Option<String>,
}

/// What is wrong with a `--map` file.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("format mapped needs a mapping file (--map FILE)")]
    Missing,
    #[error("{}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("bad mapping file: {0}")]
    Syntax(#[from] serde_json::Error),
    #[error("mapping names unknown field {0:?}")]
    UnknownField(String),
    #[error("unknown time format {0:?}")]
    TimeFormat(String),
}

/// How the time field is read.
#[derive(Clone)]
enum TimeFormat {
    Auto,
    EpochUnit(i64),
    Filetime,
    Ticks,
    Strftime(String),
}

fn time_format(s: Option<&str>) -> Result<TimeFormat, MappingError> {
    Ok(match s.unwrap_or("auto") {
        "auto" | "rfc3339" | "iso8601" | "iso" | "epoch" => TimeFormat::Auto,
        "epoch_s" => TimeFormat::EpochUnit(1_000_000_000),
        "epoch_ms" => TimeFormat::EpochUnit(1_000_000),
        "epoch_us" => TimeFormat::EpochUnit(1_000),
        "epoch_ns" => TimeFormat::EpochUnit(1),
        "filetime" => TimeFormat::Filetime,
        "ticks" => TimeFormat::Ticks,
        other => match other.strip_prefix("strftime:") {
            Some(f) if !f.is_empty() => TimeFormat::Strftime(f.to_owned()),
            _ => return Err(MappingError::TimeFormat(other.to_owned())),
        },
    })
}

fn read_time(v: &str, fmt: &TimeFormat, tz: &TzSpec) -> Option<i64> {
    let v = v.trim();
    match fmt {
        TimeFormat::Auto => time::parse_any(v, tz),
        TimeFormat::EpochUnit(u) => time::epoch_unit(v, *u),
        TimeFormat::Filetime => time::filetime(v),
        TimeFormat::Ticks => time::ticks(v),
        TimeFormat::Strftime(f) => match chrono::DateTime::parse_from_str(v, f) {
            Ok(d) => d.timestamp_nanos_opt(),
            Err(_) => chrono::NaiveDateTime::parse_from_str(v, f)
                .ok()
                .and_then(|n| naive_to_utc(n, tz)),
        },
    }
}

/// The mapping applied after a record is flattened.
struct Rules {
    tz: TzSpec,
    time_field: String,
    format: TimeFormat,
    fields: Vec<(Norm, String)>,
}

impl Rules {
    fn apply<'a>(&self, f: &mut Fields<'a>) -> Result<(), Reason> {
        let v = norm::get(f, &self.time_field)
            .ok_or_else(|| Reason::Owned(format!("no usable time in field {}", self.time_field)))?;
        f.ts = read_time(&v, &self.format, &self.tz)
            .ok_or_else(|| Reason::Owned(format!("no usable time in field {}", self.time_field)))?;
        for (n, src) in &self.fields {
            if let Some(v) = norm::get(f, src) {
                f.set(*n, v);
            }
        }
        norm::summarise(f);
        Ok(())
    }
}

struct JsonMapped(Rules);

impl RecordParser for JsonMapped {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        json::flatten(rec, &mut out.raw)?;
        self.0.apply(out)
    }
}

struct CsvMapped(CsvParser, Rules);

impl RecordParser for CsvMapped {
    fn parse<'a>(&'a self, rec: &'a [u8], out: &mut Fields<'a>) -> Result<(), Reason> {
        self.0.parse(rec, out)?;
        self.1.apply(out)
    }
}

fn rules(text: &str, tz: TzSpec) -> Result<Rules, MappingError> {
    let m: Mapping = serde_json::from_str(text)?;
    let mut fields = Vec::new();
    for (k, v) in m.fields {
        let n = Norm::from_name(&k).ok_or_else(|| MappingError::UnknownField(k.clone()))?;
        fields.push((n, v));
    }
    Ok(Rules {
        tz,
        time_field: m.time.field,
        format: time_format(m.time.format.as_deref())?,
        fields,
    })
}

fn prepare(data: &[u8], ctx: &ParseCtx) -> Result<Prepared, PrepareError> {
    let path = ctx.map.as_ref().ok_or(MappingError::Missing)?;
    let text = std::fs::read_to_string(path).map_err(|source| MappingError::Read {
        path: path.clone(),
        source,
    })?;
    prepare_with(data, &text, ctx.tz)
}

fn prepare_with(data: &[u8], mapping: &str, tz: TzSpec) -> Result<Prepared, PrepareError> {
    let r = rules(mapping, tz)?;
    let note = Some(format!("time field {}", r.time_field));
    if json_head(data).is_some() {
        let (records, _) = json::split(data, &[]);
        return Ok(Prepared {
            parser: Box::new(JsonMapped(r)),
            records,
            note,
        });
    }
    let h = csv::header(data).ok_or("neither JSON nor CSV with a header")?;
    let records = Records::Ranges(csv::record_ranges(data, h.data_start));
    fn noop<'a>(_: &mut Fields<'a>, _: &TzSpec) -> Result<(), Reason> {
        Ok(())
    }
    let p = CsvParser {
        tz,
        names: h.names,
        map: noop,
    };
    Ok(Prepared {
        parser: Box::new(CsvMapped(p, r)),
        records,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::format_rfc3339;

    fn run(data: &[u8], mapping: &str) -> Vec<Result<Fields<'static>, String>> {
        let p = prepare_with(data, mapping, TzSpec::Utc).unwrap();
        let Records::Ranges(v) = &p.records else {
            return data
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| {
                    let mut f = Fields::new();
                    p.parser
                        .parse(l, &mut f)
                        .map(|_| f.into_owned())
                        .map_err(|e| e.into_owned())
                })
                .collect();
        };
        v.iter()
            .map(|&(o, l)| {
                let mut f = Fields::new();
                let rec = &data[o as usize..(o + u64::from(l)) as usize];
                p.parser
                    .parse(rec, &mut f)
                    .map(|_| f.into_owned())
                    .map_err(|e| e.into_owned())
            })
            .collect()
    }

    #[test]
    fn json_with_strftime_and_nested_names() {
        let m = r#"{"time":{"field":"when","format":"strftime:%d/%m/%Y %H:%M:%S"},"fields":{"host":"dev.name","user":"who"}}"#;
        let r = run(b"{\"when\":\"03/12/2022 18:04:05\",\"dev\":{\"name\":\"h1\"},\"who\":\"u\"}\n{\"when\":\"bad\"}\n", m);
        let f = r[0].as_ref().unwrap();
        assert_eq!(format_rfc3339(f.ts), "2022-12-03T18:04:05Z");
        assert_eq!(f.get(Norm::Host), Some("h1"));
        assert_eq!(r[1].as_ref().unwrap_err(), "no usable time in field when");
    }

    #[test]
    fn csv_with_filetime() {
        let m = r#"{"time":{"field":"T","format":"filetime"},"fields":{"process":"P"}}"#;
        let r = run(b"T,P\n132223104000000000,cmd.exe\n", m);
        let f = r[0].as_ref().unwrap();
        assert_eq!(format_rfc3339(f.ts), "2020-01-01T00:00:00Z");
        assert_eq!(f.get(Norm::Process), Some("cmd.exe"));
    }

    #[test]
    fn bad_mappings_are_errors() {
        assert!(prepare_with(b"{}", "{}", TzSpec::Utc).is_err());
        assert!(
            prepare_with(
                b"{}",
                r#"{"time":{"field":"t","format":"weird"}}"#,
                TzSpec::Utc
            )
            .is_err()
        );
        assert!(
            prepare_with(
                b"{}",
                r#"{"time":{"field":"t"},"fields":{"nope":"x"}}"#,
                TzSpec::Utc
            )
            .is_err()
        );
        assert!(prepare(b"{}", &ParseCtx::default()).is_err());
        assert_eq!(DEF.sniff(b"{\"a\":1}"), 0);
    }
}
