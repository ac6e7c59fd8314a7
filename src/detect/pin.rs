//! Routing by EventID within a logsource: the EventIDs a rule's detection pins (it can
//! only fire on events whose `EventID` equals one of them), and the engines of one rule
//! group split by those pins, so a Security 4624 meets the 4624 rules and the unpinned
//! ones, not all 160 Security rules. rsigma's own candidate index cannot do this: a
//! numeric `EventID: 4624` gives it only "EventID is present" (issue 13).
//!
//! Sound by construction: a rule is pinned only where its condition cannot hold unless a
//! plain `EventID` item (no modifier, integer values, which rsigma compiles to numeric
//! equality) holds; anything else (negation, keywords, `0 of`, string values) leaves it
//! unpinned, evaluated on every event of its logsource as before.

use rsigma_eval::{CompiledRule, Engine, Event, EventValue};
use rsigma_parser::{ConditionExpr, Detection, Quantifier, SigmaRule, SigmaValue};
use rustc_hash::FxHashMap;
use std::collections::HashMap;

/// The EventIDs `rule` can fire on (sorted, unique), or None when it is not pinned.
pub(crate) fn event_ids(rule: &SigmaRule) -> Option<Vec<i64>> {
    let named = &rule.detection.named;
    let mut all: Vec<i64> = Vec::new();
    // Several conditions: the rule fires when any holds.
    for c in &rule.detection.conditions {
        all.extend(cond_pin(c, named)?);
    }
    if rule.detection.conditions.is_empty() {
        return None;
    }
    all.sort_unstable();
    all.dedup();
    Some(all)
}

fn union(sets: impl Iterator<Item = Option<Vec<i64>>>) -> Option<Vec<i64>> {
    let mut out: Option<Vec<i64>> = None;
    for s in sets {
        let s = s?;
        let o = out.get_or_insert_with(Vec::new);
        o.extend(s);
        o.sort_unstable();
        o.dedup();
    }
    out
}

/// Intersection of the pinned ones (an AND holds only where each of them does).
fn intersect(sets: impl Iterator<Item = Option<Vec<i64>>>) -> Option<Vec<i64>> {
    let mut out: Option<Vec<i64>> = None;
    for s in sets.flatten() {
        out = Some(match out {
            None => s,
            Some(o) => o.into_iter().filter(|v| s.contains(v)).collect(),
        });
    }
    out
}

fn cond_pin(c: &ConditionExpr, named: &HashMap<String, Detection>) -> Option<Vec<i64>> {
    match c {
        ConditionExpr::Identifier(n) => named.get(n).and_then(det_pin),
        ConditionExpr::And(es) => intersect(es.iter().map(|e| cond_pin(e, named))),
        ConditionExpr::Or(es) => {
            if es.is_empty() {
                return None;
            }
            union(es.iter().map(|e| cond_pin(e, named)))
        }
        ConditionExpr::Not(_) => None,
        ConditionExpr::Selector {
            quantifier,
            pattern,
        } => {
            let mut matching = named
                .iter()
                .filter(|(n, _)| pattern.matches_detection_name(n))
                .map(|(_, d)| det_pin(d))
                .peekable();
            matching.peek()?;
            match quantifier {
                // At least one (or n ≥ 1) of them must hold.
                Quantifier::Any => union(matching),
                Quantifier::Count(n) if *n >= 1 => union(matching),
                Quantifier::Count(_) => None,
                Quantifier::All => intersect(matching),
            }
        }
    }
}

fn det_pin(d: &Detection) -> Option<Vec<i64>> {
    match d {
        Detection::AllOf(items) => intersect(items.iter().map(|it| {
            let plain = it.field.name.as_deref() == Some("EventID")
                && it.field.modifiers.is_empty()
                && !it.values.is_empty();
            if !plain {
                return None;
            }
            it.values
                .iter()
                .map(|v| match v {
                    SigmaValue::Integer(n) => Some(*n),
                    _ => None,
                })
                .collect()
        })),
        Detection::AnyOf(ds) => {
            if ds.is_empty() {
                return None;
            }
            union(ds.iter().map(det_pin))
        }
        Detection::And(ds) => intersect(ds.iter().map(det_pin)),
        Detection::Keywords(_) | Detection::ArrayMatch { .. } | Detection::Conditional { .. } => {
            None
        }
    }
}

/// Which of a group's engines an event meets, from its `EventID` as rules see it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Eid {
    /// An integral value: the unpinned engine and those pinned to it.
    Is(i64),
    /// Absent or not a number: no pinned rule can hold (numeric equality fails).
    None,
    /// Something the routing does not decide (arrays, fractions): every engine.
    All,
}

impl Eid {
    /// The event's `EventID` read the way rsigma's numeric equality reads it.
    pub(crate) fn of<E: Event>(ev: &E) -> Eid {
        let x = match ev.get_field("EventID") {
            None => return Eid::None,
            Some(EventValue::Int(n)) => return Eid::Is(n),
            Some(EventValue::Str(s)) => match s.parse::<f64>() {
                Ok(x) => x,
                Err(_) => return Eid::None,
            },
            Some(EventValue::Float(x)) => x,
            Some(EventValue::Array(_)) => return Eid::All,
            Some(_) => return Eid::None,
        };
        if x.fract() == 0.0 && x.abs() < 9.0e15 && x != 0.0 {
            Eid::Is(x as i64)
        } else {
            // NaN, huge, fractional or zero (within EPSILON of 0 is not exact): let
            // every engine decide.
            Eid::All
        }
    }
}

/// Engines with fewer rules are built without rsigma's substring index (see `build`).
const SMALL: usize = 16;

/// The engines of one rule group: unpinned rules in one, pinned rules in one engine per
/// distinct EventID set (no rule is compiled twice).
pub(crate) struct Parts {
    free: Option<Engine>,
    pinned: Vec<Engine>,
    by_eid: FxHashMap<i64, Box<[u16]>>,
}

impl Parts {
    /// From compiled rules with their pins.
    pub(crate) fn build(rules: Vec<(CompiledRule, Option<Vec<i64>>)>) -> Parts {
        let mut free: Vec<CompiledRule> = Vec::new();
        let mut sets: Vec<(Vec<i64>, Vec<CompiledRule>)> = Vec::new();
        for (r, pin) in rules {
            match pin {
                None => free.push(r),
                Some(ids) => match sets.iter().position(|(s, _)| *s == ids) {
                    Some(k) => sets[k].1.push(r),
                    None => sets.push((ids, vec![r])),
                },
            }
        }
        let engine = |rules: Vec<CompiledRule>| -> Engine {
            let mut e = Engine::new();
            // The bloom prefilter is off (rsigma's default, and slower here, SIGMA.md
            // §3.3), yet its index is built unless its budget is zero: up to 1 MB per engine.
            e.set_bloom_max_bytes(0);
            if rules.len() < SMALL {
                // Added one by one, rsigma indexes substring and keyword rules only once
                // an engine reaches 64 rules: below that they are simply candidates for
                // every event, and no automaton is built. Their DFA over long needle
                // lists (vulnerable-driver hashes: 10 driver_load rules) took 57 MB. Not
                // for bigger engines: process_creation's 44 hash rules ran 2× slower.
                for r in rules {
                    e.add_compiled_rule(r);
                }
            } else {
                e.extend_compiled_rules(rules);
            }
            e
        };
        let mut by_eid: FxHashMap<i64, Vec<u16>> = FxHashMap::default();
        let mut pinned = Vec::with_capacity(sets.len());
        for (k, (ids, rules)) in sets.into_iter().enumerate() {
            for id in ids {
                by_eid.entry(id).or_default().push(k as u16);
            }
            pinned.push(engine(rules));
        }
        Parts {
            free: (!free.is_empty()).then(|| engine(free)),
            pinned,
            by_eid: by_eid
                .into_iter()
                .map(|(k, v)| (k, v.into_boxed_slice()))
                .collect(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.free.is_none() && self.pinned.is_empty()
    }

    pub(crate) fn rule_count(&self) -> usize {
        self.free.as_ref().map_or(0, Engine::rule_count)
            + self.pinned.iter().map(Engine::rule_count).sum::<usize>()
    }

    /// Rules in pinned engines.
    pub(crate) fn pinned_rules(&self) -> usize {
        self.pinned.iter().map(Engine::rule_count).sum()
    }

    /// Every engine whose rules can fire on an event with `eid`.
    pub(crate) fn each(&self, eid: Eid, mut f: impl FnMut(&Engine)) {
        if let Some(e) = &self.free {
            f(e);
        }
        match eid {
            Eid::None => {}
            Eid::All => self.pinned.iter().for_each(f),
            Eid::Is(id) => {
                for &k in self.by_eid.get(&id).into_iter().flatten() {
                    if let Some(e) = self.pinned.get(k as usize) {
                        f(e);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pins(yaml: &str) -> Option<Vec<i64>> {
        let c = rsigma_parser::parse_sigma_yaml(yaml).unwrap();
        event_ids(&c.rules[0])
    }

    fn rule(detection: &str) -> String {
        format!(
            "title: t\nlogsource:\n  product: windows\n  service: security\ndetection:\n{detection}"
        )
    }

    #[test]
    fn plain_event_id_items_pin() {
        let r = rule("  sel:\n    EventID: 4624\n    LogonType: 3\n  condition: sel\n");
        assert_eq!(pins(&r), Some(vec![4624]));
        let r = rule("  sel:\n    EventID: [4625, 4624]\n  condition: sel\n");
        assert_eq!(pins(&r), Some(vec![4624, 4625]));
        // AND narrows, OR widens, `1 of` is an OR.
        let r = rule(
            "  a:\n    EventID: [1, 2]\n  b:\n    EventID: [2, 3]\n  c:\n    EventID: 7\n  condition: (a and b) or c\n",
        );
        assert_eq!(pins(&r), Some(vec![2, 7]));
        let r = rule(
            "  sel_a:\n    EventID: 1\n  sel_b:\n    EventID: 2\n  filter:\n    User: x\n  condition: 1 of sel_* and not filter\n",
        );
        assert_eq!(pins(&r), Some(vec![1, 2]));
        // A list of maps: each alternative must pin.
        let r = rule("  sel:\n    - EventID: 1\n      A: x\n    - EventID: 5\n  condition: sel\n");
        assert_eq!(pins(&r), Some(vec![1, 5]));
    }

    #[test]
    fn anything_else_does_not_pin() {
        for det in [
            "  sel:\n    EventID: 4624\n  other:\n    A: x\n  condition: sel or other\n",
            "  sel:\n    EventID: 4624\n  condition: not sel\n",
            "  sel:\n    EventID|gt: 4624\n  condition: sel\n",
            "  sel:\n    EventID: '4624'\n  condition: sel\n",
            "  sel:\n    - EventID: 1\n    - A: x\n  condition: sel\n",
            "  sel:\n    - 'mimikatz'\n  condition: sel\n",
            "  sel_a:\n    EventID: 1\n  condition: 0 of sel_*\n",
        ] {
            assert_eq!(pins(&rule(det)), None, "{det}");
        }
    }

    #[test]
    fn eid_reads_like_numeric_equality() {
        use std::borrow::Cow;
        struct One(Option<EventValue<'static>>);
        impl Event for One {
            fn get_field(&self, _: &str) -> Option<EventValue<'_>> {
                self.0.clone()
            }
            fn any_string_value(&self, _: &dyn Fn(&str) -> bool) -> bool {
                false
            }
            fn all_string_values(&self) -> Vec<Cow<'_, str>> {
                Vec::new()
            }
            fn to_json(&self) -> serde_json::Value {
                serde_json::Value::Null
            }
        }
        let of = |v: Option<EventValue<'static>>| Eid::of(&One(v));
        assert_eq!(of(Some(EventValue::Int(4624))), Eid::Is(4624));
        assert_eq!(of(Some(EventValue::Str("04624".into()))), Eid::Is(4624));
        assert_eq!(of(Some(EventValue::Str("x".into()))), Eid::None);
        assert_eq!(of(None), Eid::None);
        assert_eq!(of(Some(EventValue::Str("1.5".into()))), Eid::All);
        assert_eq!(of(Some(EventValue::Array(vec![]))), Eid::All);
    }
}
