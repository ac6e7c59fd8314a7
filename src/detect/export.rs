//! The Sigma hits of an event as exports write them: jsonl `rules` (title, id, author,
//! level, ATT&CK: DRL 1.1 wants title, id and author wherever a hit is written), the csv
//! `rules` cell, Timesketch `sigma:TITLE` tags.

use super::{Hits, RuleSet};
use crate::timeline::filter::Marks;
use serde_json::{Map, Value, json};

/// Hits and their rules, for an export.
#[derive(Clone, Copy)]
pub struct Detected<'a> {
    pub rules: &'a RuleSet,
    pub hits: &'a Hits,
}

/// Annotations (`mark:`, `tag:`, `annotated`) and Sigma hits (`detected`, `rule:`,
/// `level>=`, `attack:`) for the filter, in one.
pub struct WithHits<'a> {
    pub marks: &'a dyn Marks,
    pub det: Detected<'a>,
}

impl Marks for WithHits<'_> {
    fn annotated(&self, i: usize) -> bool {
        self.marks.annotated(i)
    }
    fn has_mark(&self, i: usize, kind: &str) -> bool {
        self.marks.has_mark(i, kind)
    }
    fn has_tag(&self, i: usize, tag: &str) -> bool {
        self.marks.has_tag(i, tag)
    }
    fn candidate(&self, i: usize) -> bool {
        self.marks.candidate(i)
    }
    fn reviewed(&self, i: usize) -> bool {
        self.marks.reviewed(i)
    }
    fn dismissed(&self, i: usize) -> bool {
        self.marks.dismissed(i)
    }
    fn any_rule(&self, i: usize, f: &mut dyn FnMut(&super::RuleMeta) -> bool) -> bool {
        self.det
            .hits
            .of(i)
            .iter()
            .filter_map(|r| self.det.rules.get(*r))
            .any(f)
    }
}

impl Detected<'_> {
    fn metas(&self, i: usize) -> Vec<&super::RuleMeta> {
        let mut v: Vec<&super::RuleMeta> = self
            .hits
            .of(i)
            .iter()
            .filter_map(|r| self.rules.get(*r))
            .collect();
        v.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.title.cmp(&b.title)));
        v
    }

    /// The titles of the rules that fired on event `i`, as `rules_json` orders them.
    pub fn titles(&self, i: usize) -> Vec<&str> {
        self.metas(i)
            .into_iter()
            .map(|m| m.title.as_str())
            .collect()
    }

    /// Adds `rules` (jsonl) to event `i`'s object when it has hits.
    pub fn add_json(&self, i: usize, obj: &mut Map<String, Value>) {
        if let Some(rules) = self.rules_json(i) {
            obj.insert("rules".into(), rules);
        }
    }

    /// The jsonl `rules` array of event `i`, None without hits.
    pub fn rules_json(&self, i: usize) -> Option<Value> {
        let rules: Vec<Value> = self
            .metas(i)
            .into_iter()
            .map(|m| {
                json!({
                    "title": m.title,
                    "id": m.id,
                    "author": m.author,
                    "level": m.level.name(),
                    "attack": m.attack,
                })
            })
            .collect();
        (!rules.is_empty()).then(|| rules.into())
    }

    /// The Timesketch `sigma:TITLE` tags of event `i`, in the order `add_timesketch` adds
    /// them (empty without hits).
    pub fn sigma_tags(&self, i: usize) -> Vec<String> {
        self.metas(i)
            .into_iter()
            .map(|m| format!("sigma:{}", m.title))
            .collect()
    }

    /// The csv `rules` cell: `level: title [id] (author)`, `; `-separated.
    pub fn cell(&self, i: usize) -> String {
        self.metas(i)
            .into_iter()
            .map(|m| format!("{}: {} [{}] ({})", m.level.name(), m.title, m.id, m.author))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Adds `sigma:TITLE` to the Timesketch `tag` list of event `i`'s object, and the
    /// rules (as jsonl's `rules`) so that id and author travel with the tag.
    pub fn add_timesketch(&self, i: usize, obj: &mut Map<String, Value>) {
        let metas = self.metas(i);
        if metas.is_empty() {
            return;
        }
        let mut tags: Vec<Value> = match obj.remove("tag") {
            Some(Value::Array(v)) => v,
            _ => Vec::new(),
        };
        for m in &metas {
            let t = Value::String(format!("sigma:{}", m.title));
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        obj.insert("tag".into(), tags.into());
        self.add_json(i, obj);
    }
}
