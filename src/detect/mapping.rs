//! The Sigma mapping as data (`assets/sigma-mapping.yml`, overridable): which events a
//! rule's `logsource` covers (targets), and the Sigma names those events answer to (views).
//! The file's own header documents the format.

use super::DetectError;
use crate::model::Norm;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The mapping vigil ships (embedded).
pub const BUILTIN: &str = include_str!("../../assets/sigma-mapping.yml");

pub type TargetId = u16;
pub type ViewId = u16;

/// One place events of a logsource come from.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// Lowercase channel names; empty = any.
    pub channels: Vec<String>,
    /// EventIDs as text; empty = any.
    pub event_ids: Vec<String>,
    /// Format ids; empty = any format whose events carry a Channel.
    pub formats: Vec<String>,
    /// Native field -> accepted lowercase values (`*` = present).
    pub when: Vec<(String, Vec<String>)>,
    pub view: Option<ViewId>,
}

impl Target {
    /// Whether the target can apply to events of a source of `format` at all.
    pub fn fits_format(&self, format: &str) -> bool {
        if self.formats.is_empty() {
            // Channel targets are Windows events: EVTX and its JSON exports.
            matches!(format, "evtx" | "winjson")
        } else {
            self.formats.iter().any(|f| f == format)
        }
    }

    /// Whether a Windows event with this channel (lowercase) and event id fits.
    pub fn fits_channel(&self, channel: &str, event_id: &str) -> bool {
        (self.channels.is_empty() || self.channels.iter().any(|c| c == channel))
            && (self.event_ids.is_empty() || self.event_ids.iter().any(|e| e == event_id))
    }

    /// Whether the `when` conditions hold for a record, `get` giving native values.
    pub fn fits_fields<'v>(&self, get: impl Fn(&str) -> Option<&'v str>) -> bool {
        self.when.iter().all(|(field, accepted)| {
            let Some(v) = get(field) else {
                return false;
            };
            accepted.iter().any(|a| {
                a == "*"
                    || v.eq_ignore_ascii_case(a)
                    || v.split(", ").any(|part| part.eq_ignore_ascii_case(a))
            })
        })
    }
}

/// How a view computes one Sigma name.
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    /// A native field.
    Field(String),
    /// One of vigil's normalised fields.
    Norm(Norm),
    /// Literal text and fields; resolves only when every field is present and not empty.
    Template(Vec<Part>),
    /// The first alternative that resolves.
    Alts(Vec<Spec>),
    /// A native field with some values translated.
    Map(String, FxHashMap<String, String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Lit(String),
    Field(String),
    Norm(Norm),
}

/// Sigma names added for a target's events: `(name, spec)` in file order.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub name: String,
    pub fields: Vec<(String, Spec)>,
}

#[derive(Debug, Default)]
struct Product {
    events: Vec<TargetId>,
    services: FxHashMap<String, Vec<String>>,
    categories: FxHashMap<String, Vec<TargetId>>,
}

/// The compiled mapping.
#[derive(Debug, Default)]
pub struct Mapping {
    /// Stored System leaf name -> Sigma name.
    pub system: FxHashMap<String, String>,
    /// Fields unique per event: rules reading them are not memoised.
    pub volatile: FxHashSet<String>,
    /// Fields that repeat less than the rest: rules reading them are memoised apart.
    pub apart: FxHashSet<String>,
    pub targets: Vec<Target>,
    pub views: Vec<View>,
    products: FxHashMap<String, Product>,
}

// ---- the file as written ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    system: BTreeMap<String, String>,
    #[serde(default)]
    memo: Memo,
    products: BTreeMap<String, FileProduct>,
    #[serde(default)]
    views: BTreeMap<String, BTreeMap<String, yaml_serde::Value>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Memo {
    #[serde(default)]
    volatile: Vec<String>,
    #[serde(default)]
    apart: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileProduct {
    #[serde(default)]
    events: Vec<FileTarget>,
    #[serde(default)]
    services: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    categories: BTreeMap<String, Vec<FileTarget>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTarget {
    #[serde(default)]
    channel: Option<OneOrMany>,
    #[serde(default)]
    event_id: Option<OneOrMany>,
    #[serde(default)]
    format: Option<OneOrMany>,
    #[serde(default)]
    when: BTreeMap<String, OneOrMany>,
    #[serde(default)]
    view: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Scalar),
    Many(Vec<Scalar>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Int(i64),
    Str(String),
}

impl Scalar {
    fn text(self) -> String {
        match self {
            Scalar::Int(i) => i.to_string(),
            Scalar::Str(s) => s,
        }
    }
}

impl OneOrMany {
    fn texts(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.text()],
            OneOrMany::Many(v) => v.into_iter().map(Scalar::text).collect(),
        }
    }
}

fn bad(what: impl Into<String>) -> DetectError {
    DetectError::Mapping(what.into())
}

impl Mapping {
    /// The mapping vigil ships.
    pub fn builtin() -> Result<Mapping, DetectError> {
        Mapping::parse(BUILTIN)
    }

    pub fn parse(text: &str) -> Result<Mapping, DetectError> {
        let file: File = yaml_serde::from_str(text).map_err(|e| bad(e.to_string()))?;
        if file.version != 1 {
            return Err(bad(format!("unsupported version {}", file.version)));
        }
        let mut m = Mapping {
            system: file.system.into_iter().collect(),
            volatile: file.memo.volatile.into_iter().collect(),
            apart: file.memo.apart.into_iter().collect(),
            ..Mapping::default()
        };
        let mut view_ids: FxHashMap<String, ViewId> = FxHashMap::default();
        for (name, fields) in file.views {
            let mut v = View {
                name: name.clone(),
                fields: Vec::new(),
            };
            for (sigma, spec) in fields {
                let spec = spec_of(&spec).map_err(|e| bad(format!("view {name}, {sigma}: {e}")))?;
                v.fields.push((sigma, spec));
            }
            view_ids.insert(name, m.views.len() as ViewId);
            m.views.push(v);
        }
        for (pname, p) in file.products {
            let mut prod = Product::default();
            for t in p.events {
                prod.events.push(m.add_target(t, &view_ids)?);
            }
            prod.services = p
                .services
                .into_iter()
                .map(|(k, v)| (k, v.iter().map(|c| c.to_lowercase()).collect()))
                .collect();
            for (cat, ts) in p.categories {
                let mut ids = Vec::new();
                for t in ts {
                    ids.push(m.add_target(t, &view_ids)?);
                }
                prod.categories.insert(cat, ids);
            }
            m.products.insert(pname, prod);
        }
        m.prepare_services();
        Ok(m)
    }

    fn add_target(
        &mut self,
        t: FileTarget,
        views: &FxHashMap<String, ViewId>,
    ) -> Result<TargetId, DetectError> {
        let view = match t.view {
            Some(v) => Some(
                *views
                    .get(&v)
                    .ok_or_else(|| bad(format!("unknown view {v}")))?,
            ),
            None => None,
        };
        let target = Target {
            channels: t
                .channel
                .map(|c| c.texts().iter().map(|s| s.to_lowercase()).collect())
                .unwrap_or_default(),
            event_ids: t.event_id.map(OneOrMany::texts).unwrap_or_default(),
            formats: t.format.map(OneOrMany::texts).unwrap_or_default(),
            when: t
                .when
                .into_iter()
                .map(|(k, v)| (k, v.texts().iter().map(|s| s.to_lowercase()).collect()))
                .collect(),
            view,
        };
        if self.targets.len() >= TargetId::MAX as usize {
            return Err(bad("too many targets"));
        }
        self.targets.push(target);
        Ok((self.targets.len() - 1) as TargetId)
    }

    /// The targets of a rule's logsource, or why it has none.
    pub fn resolve(
        &self,
        product: Option<&str>,
        service: Option<&str>,
        category: Option<&str>,
    ) -> Result<Vec<TargetId>, String> {
        let pname = product.unwrap_or("any");
        let lower = |s: Option<&str>| s.map(str::to_lowercase);
        let (service, category) = (lower(service), lower(category));
        let Some(p) = self.products.get(&pname.to_lowercase()) else {
            return Err(format!("no mapped source for product {pname}"));
        };
        let by_category = match &category {
            Some(c) => match p.categories.get(c) {
                Some(ts) => Some(ts.clone()),
                None => return Err(format!("no mapped source for category {c} ({pname})")),
            },
            None => None,
        };
        let channels = match &service {
            Some(s) => match p.services.get(s) {
                Some(chs) => Some(chs),
                None => return Err(format!("no mapped source for service {s} ({pname})")),
            },
            None => None,
        };
        let mut out: Vec<TargetId> = match (by_category, channels) {
            (Some(ts), None) => ts,
            (Some(ts), Some(chs)) => ts
                .into_iter()
                .filter(|&t| {
                    let t = &self.targets[t as usize];
                    !t.channels.is_empty() && t.channels.iter().all(|c| chs.contains(c))
                })
                .collect(),
            (None, Some(chs)) => {
                // One target per service, made on first use: its channels.
                return Ok(vec![self.service_target(chs).ok_or_else(|| {
                    format!("service {} has no channels", service.unwrap_or_default())
                })?]);
            }
            (None, None) if product.is_some() => p.events.clone(),
            (None, None) => return Err("logsource names no product, service or category".into()),
        };
        out.sort_unstable();
        out.dedup();
        if out.is_empty() {
            return Err(format!(
                "no mapped source for logsource {pname}/{}/{}",
                service.unwrap_or_default(),
                category.unwrap_or_default()
            ));
        }
        Ok(out)
    }

    /// The target of a service's channels (added by `prepare_services`).
    fn service_target(&self, chs: &[String]) -> Option<TargetId> {
        self.targets
            .iter()
            .position(|t| {
                t.channels == chs
                    && t.event_ids.is_empty()
                    && t.formats.is_empty()
                    && t.when.is_empty()
                    && t.view.is_none()
            })
            .map(|i| i as TargetId)
    }

    /// Adds one plain channel target per service, so that `resolve` can name it.
    fn prepare_services(&mut self) {
        let lists: Vec<Vec<String>> = self
            .products
            .values()
            .flat_map(|p| p.services.values().cloned())
            .collect();
        for chs in lists {
            if self.service_target(&chs).is_none() && self.targets.len() < TargetId::MAX as usize {
                self.targets.push(Target {
                    channels: chs,
                    ..Target::default()
                });
            }
        }
    }

    pub fn view(&self, v: Option<ViewId>) -> Option<&View> {
        v.and_then(|v| self.views.get(v as usize))
    }
}

fn spec_of(v: &yaml_serde::Value) -> Result<Spec, String> {
    use yaml_serde::Value;
    match v {
        Value::String(s) => Ok(text_spec(s)?),
        Value::Sequence(items) => {
            let alts = items.iter().map(spec_of).collect::<Result<Vec<_>, _>>()?;
            if alts.is_empty() {
                return Err("empty list".into());
            }
            Ok(Spec::Alts(alts))
        }
        Value::Mapping(m) => {
            let field = m
                .get("field")
                .and_then(Value::as_str)
                .ok_or("a value map needs `field`")?;
            let mut values = FxHashMap::default();
            if let Some(Value::Mapping(vs)) = m.get("values") {
                for (k, v) in vs {
                    let key = scalar_text(k).ok_or("value map keys must be scalars")?;
                    let val = scalar_text(v).ok_or("value map values must be scalars")?;
                    values.insert(key, val);
                }
            } else {
                return Err("a value map needs `values`".into());
            }
            Ok(Spec::Map(field.to_owned(), values))
        }
        _ => Err("expected a field name, template, list or value map".into()),
    }
}

fn scalar_text(v: &yaml_serde::Value) -> Option<String> {
    match v {
        yaml_serde::Value::String(s) => Some(s.clone()),
        yaml_serde::Value::Number(n) => Some(n.to_string()),
        yaml_serde::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn norm_ref(s: &str) -> Result<Option<Norm>, String> {
    match s.strip_prefix('@') {
        Some(n) => Norm::from_name(n)
            .map(Some)
            .ok_or_else(|| format!("unknown vigil field @{n}")),
        None => Ok(None),
    }
}

/// `Name`, `@norm`, or a template with `%Field%` parts.
fn text_spec(s: &str) -> Result<Spec, String> {
    if !s.contains('%') {
        return Ok(match norm_ref(s)? {
            Some(n) => Spec::Norm(n),
            None => Spec::Field(s.to_owned()),
        });
    }
    let mut parts = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find('%') {
        if start > 0 {
            parts.push(Part::Lit(rest[..start].to_owned()));
        }
        let after = &rest[start + 1..];
        let end = after
            .find('%')
            .ok_or_else(|| format!("unclosed % in {s:?}"))?;
        let name = &after[..end];
        if name.is_empty() {
            return Err(format!("empty %% in {s:?}"));
        }
        parts.push(match norm_ref(name)? {
            Some(n) => Part::Norm(n),
            None => Part::Field(name.to_owned()),
        });
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Lit(rest.to_owned()));
    }
    Ok(Spec::Template(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Mapping {
        Mapping::builtin().unwrap()
    }

    #[test]
    fn builtin_parses_and_routes_by_channel() {
        let m = builtin();
        let pc = m
            .resolve(Some("windows"), None, Some("process_creation"))
            .unwrap();
        let sec4688 = pc
            .iter()
            .map(|&t| &m.targets[t as usize])
            .find(|t| t.fits_channel("security", "4688"))
            .expect("4688 is a process creation");
        assert_eq!(m.view(sec4688.view).unwrap().name, "security_4688");
        // Service security is the Security channel, whatever the provider (1102 is
        // written by Microsoft-Windows-Eventlog).
        let sec = m.resolve(Some("windows"), Some("security"), None).unwrap();
        assert_eq!(sec.len(), 1);
        let t = &m.targets[sec[0] as usize];
        assert!(t.fits_channel("security", "1102"));
        assert!(!t.fits_channel("system", "1102"));
    }

    #[test]
    fn unmapped_logsources_say_why() {
        let m = builtin();
        let e = m.resolve(Some("linux"), None, Some("process_creation"));
        assert!(e.unwrap_err().contains("product linux"));
        let e = m.resolve(Some("windows"), None, Some("file_access"));
        assert!(e.unwrap_err().contains("category file_access"));
        let e = m.resolve(Some("windows"), Some("nosuch"), None);
        assert!(e.unwrap_err().contains("service nosuch"));
        assert!(m.resolve(None, None, None).is_err());
        assert!(m.resolve(None, None, Some("firewall")).is_ok());
    }

    #[test]
    fn templates_and_refs_parse() {
        assert_eq!(
            text_spec("%A%\\%@user%x").unwrap(),
            Spec::Template(vec![
                Part::Field("A".into()),
                Part::Lit("\\".into()),
                Part::Norm(Norm::User),
                Part::Lit("x".into())
            ])
        );
        assert_eq!(text_spec("@dst_ip").unwrap(), Spec::Norm(Norm::DstIp));
        assert!(text_spec("%open").is_err());
        assert!(text_spec("@nosuch").is_err());
        let bad = "version: 1\nproducts: {}\nviews: {v: {X: {values: {}}}}\n";
        assert!(Mapping::parse(bad).is_err());
        let unknown = "version: 1\nproducts: {any: {categories: {c: [{view: nope}]}}}\n";
        assert!(
            Mapping::parse(unknown)
                .unwrap_err()
                .to_string()
                .contains("nope")
        );
    }

    #[test]
    fn when_matches_values_and_lists() {
        let t = Target {
            when: vec![("event.category".into(), vec!["process".into()])],
            ..Target::default()
        };
        assert!(t.fits_fields(|_| Some("Process")));
        assert!(t.fits_fields(|_| Some("network, process")));
        assert!(!t.fits_fields(|_| Some("processes")));
        assert!(!t.fits_fields(|_| None));
        let any = Target {
            when: vec![("CommandLine".into(), vec!["*".into()])],
            ..Target::default()
        };
        assert!(any.fits_fields(|_| Some("")));
    }
}
