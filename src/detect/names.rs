//! Sigma names of one record shape: which native field (or computed value) answers each
//! name a rule may ask for. Built once per EVTX shape (records of one template share their
//! field list) and per text record, then used through `event::SigmaEvent`.
//!
//! Native names: EVTX System leaves under Sigma's flattened names (`Provider_Name`,
//! `TimeCreated_SystemTime`…, from the mapping's `system` table), EventData/UserData names
//! as they are, plus each name with its spaces removed (Defender's `Threat Name` →
//! `ThreatName`); unnamed `Data` items (stored as `Data`, `Data_1`…) answer `Data` joined
//! with spaces. A target's view adds Sigma names computed from native ones and wins over a
//! native name of the same spelling.

use super::mapping::{Mapping, Part, Spec, View};
use crate::model::Norm;
use rustc_hash::FxHashMap;

/// Where a name's value comes from. Positions index the record's native fields.
#[derive(Debug, Clone)]
pub enum Src<'m> {
    Pos(u16),
    /// Unnamed `Data` items, joined with spaces.
    Join(Box<[u16]>),
    Norm(Norm),
    Template(Box<[TPart<'m>]>),
    Alts(Box<[Src<'m>]>),
    Map(u16, &'m FxHashMap<String, String>),
}

#[derive(Debug, Clone)]
pub enum TPart<'m> {
    Lit(&'m str),
    Pos(u16),
    Norm(Norm),
}

/// Sigma name → source, for one shape of record and one view.
#[derive(Debug, Default)]
pub struct NameTable<'m> {
    map: FxHashMap<Box<str>, Src<'m>>,
}

impl<'m> NameTable<'m> {
    /// `names`: the record's native field names in order; the first `system_len` are EVTX
    /// System leaves (renamed by the mapping's `system` table).
    pub fn build(
        names: &[&str],
        system_len: usize,
        mapping: &'m Mapping,
        view: Option<&'m View>,
    ) -> NameTable<'m> {
        let mut map: FxHashMap<Box<str>, Src<'m>> = FxHashMap::default();
        map.reserve(names.len() + view.map_or(0, |v| v.fields.len()));
        let mut native: FxHashMap<&str, u16> = FxHashMap::default();
        let mut data: Vec<u16> = Vec::new();
        for (pos, &name) in names.iter().enumerate().take(u16::MAX as usize) {
            let pos = pos as u16;
            native.entry(name).or_insert(pos);
            if is_unnamed_data(name, !data.is_empty()) {
                data.push(pos);
                continue;
            }
            let system = (pos as usize) < system_len;
            let sigma = match mapping.system.get(name) {
                Some(s) if system => s.as_str(),
                // An EventData name that repeats a System leaf's was suffixed by the
                // walk (`ProcessID_1`); under its own name it is EventData's.
                _ if !system => match split_suffix(name) {
                    Some(base) if native.get(base).is_some_and(|&p| (p as usize) < system_len) => {
                        base
                    }
                    _ => name,
                },
                _ => name,
            };
            if !map.contains_key(sigma) {
                map.insert(sigma.into(), Src::Pos(pos));
            }
            if sigma.contains(' ') {
                let squeezed: String = sigma.chars().filter(|c| *c != ' ').collect();
                map.entry(squeezed.into()).or_insert(Src::Pos(pos));
            }
        }
        match data.len() {
            0 => {}
            1 => {
                map.insert("Data".into(), Src::Pos(data[0]));
            }
            _ => {
                map.insert("Data".into(), Src::Join(data.into()));
            }
        }
        if let Some(v) = view {
            for (sigma, spec) in &v.fields {
                if let Some(src) = compile(spec, &native) {
                    map.insert(sigma.as_str().into(), src);
                }
            }
        }
        NameTable { map }
    }

    pub fn get(&self, name: &str) -> Option<&Src<'m>> {
        self.map.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(|k| &**k)
    }
}

/// `Data`, or `Data_N` once a `Data` was seen (the EVTX walk suffixes repeats).
fn is_unnamed_data(name: &str, seen: bool) -> bool {
    name == "Data"
        || (seen
            && name
                .strip_prefix("Data_")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())))
}

/// `base` of `base_N`.
fn split_suffix(name: &str) -> Option<&str> {
    let (base, n) = name.rsplit_once('_')?;
    (!base.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some(base)
}

fn compile<'m>(spec: &'m Spec, native: &FxHashMap<&str, u16>) -> Option<Src<'m>> {
    match spec {
        Spec::Field(f) => native.get(f.as_str()).map(|&p| Src::Pos(p)),
        Spec::Norm(n) => Some(Src::Norm(*n)),
        Spec::Template(parts) => {
            let mut out = Vec::with_capacity(parts.len());
            for p in parts {
                out.push(match p {
                    Part::Lit(s) => TPart::Lit(s),
                    Part::Field(f) => TPart::Pos(*native.get(f.as_str())?),
                    Part::Norm(n) => TPart::Norm(*n),
                });
            }
            Some(Src::Template(out.into()))
        }
        Spec::Alts(alts) => {
            let v: Vec<Src<'m>> = alts.iter().filter_map(|a| compile(a, native)).collect();
            match v.len() {
                0 => None,
                _ => Some(Src::Alts(v.into())),
            }
        }
        Spec::Map(f, values) => native.get(f.as_str()).map(|&p| Src::Map(p, values)),
    }
}

/// Length of the EVTX System part of a record's names: up to `Computer` (and the
/// `UserID` that may follow it), the last System leaves the evtx crate writes.
pub fn evtx_system_len<'a>(names: impl IntoIterator<Item = &'a str>) -> usize {
    let mut names = names.into_iter();
    match names.position(|n| n == "Computer") {
        Some(i) if names.next() == Some("UserID") => i + 2,
        Some(i) => i + 1,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m() -> Mapping {
        Mapping::builtin().unwrap()
    }

    #[test]
    fn system_names_data_and_spaces() {
        let m = m();
        let names = [
            "Provider",
            "Guid",
            "EventID",
            "SystemTime",
            "EventRecordID",
            "ProcessID",
            "Channel",
            "Computer",
            "Threat Name",
            "Data",
            "Data_1",
            "ProcessID_1",
        ];
        let sys = evtx_system_len(names.iter().copied());
        assert_eq!(sys, 8);
        let t = NameTable::build(&names, sys, &m, None);
        assert!(matches!(t.get("Provider_Name"), Some(Src::Pos(0))));
        assert!(matches!(t.get("Provider_Guid"), Some(Src::Pos(1))));
        assert!(matches!(t.get("TimeCreated_SystemTime"), Some(Src::Pos(3))));
        assert!(matches!(t.get("Execution_ProcessID"), Some(Src::Pos(5))));
        assert!(
            t.get("Provider").is_none(),
            "System leaves answer Sigma's names"
        );
        assert!(matches!(t.get("Threat Name"), Some(Src::Pos(8))));
        assert!(matches!(t.get("ThreatName"), Some(Src::Pos(8))));
        assert!(matches!(t.get("Data"), Some(Src::Join(p)) if **p == [9, 10]));
        // EventData's own ProcessID (System's is Execution_ProcessID).
        assert!(matches!(t.get("ProcessID"), Some(Src::Pos(11))));
    }

    #[test]
    fn a_view_wins_and_only_resolvable_names_appear() {
        let m = m();
        let view = m.views.iter().find(|v| v.name == "security_4688").unwrap();
        let names = [
            "EventID",
            "Channel",
            "Computer",
            "SubjectUserName",
            "SubjectDomainName",
            "NewProcessId",
            "NewProcessName",
            "ProcessId",
            "MandatoryLabel",
        ];
        let t = NameTable::build(&names, 3, &m, Some(view));
        assert!(matches!(t.get("Image"), Some(Src::Pos(6))));
        assert!(
            matches!(t.get("ProcessId"), Some(Src::Pos(5))),
            "alias wins"
        );
        assert!(matches!(t.get("ParentProcessId"), Some(Src::Pos(7))));
        assert!(matches!(t.get("IntegrityLevel"), Some(Src::Map(8, _))));
        // Only the Subject template resolves: Target* are absent.
        assert!(matches!(t.get("User"), Some(Src::Alts(a)) if a.len() == 1));
        assert!(t.get("ParentImage").is_none());
        assert!(
            t.get("NewProcessName").is_some(),
            "4688 names stay reachable"
        );
    }
}
