//! The ranked early-detection candidate list (issue 14): Sigma hits, grouped per rule and
//! host (the first hit is the candidate, the rest its count), and analyzer findings, in
//! one list ordered by score = strength × rarity × earliness:
//!
//! - strength: the rule's level (critical 1, high .8, medium .5, low .3, informational
//!   .1) or the analyzer kind's strength (tampering high, first-seen process lower…);
//! - rarity: how few hosts (and, for analyzers, how few events) share it; a rule's hit on
//!   the host it reached an hour or more before any other counts as on one host;
//! - earliness: how early the candidate is among its host's candidates (the earliest
//!   keeps all its score, the latest 60 %), so the first sign on each host rises.
//!
//! Each candidate has an id its reviews are kept under: `sigma:<rule id>` (the title when
//! the rule has no id) or the analyzer's id (`tamper:log-cleared`).

use super::analyze::{self, Analysis, Kind};
use super::{Hits, Level, RuleIdx, RuleSet};
use crate::timeline::Timeline;
use crate::timeline::filter::Marks;
use rustc_hash::FxHashMap;

/// Where a candidate comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    Sigma { rule: RuleIdx, level: Level },
    Analyzer(Kind),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The id reviews are kept under (see the module doc).
    pub id: String,
    /// Timeline index of the event to look at.
    pub event: usize,
    pub ts: i64,
    /// Short host name (`FS-01`); empty when unknown.
    pub host: String,
    /// Rule title or analyzer reason (attacker-controlled parts included).
    pub why: String,
    pub origin: Origin,
    /// Events this candidate stands for (hits of the rule on the host; 1 for findings).
    pub count: usize,
    pub score: f64,
    /// The earliest candidate of its host.
    pub earliest: bool,
}

impl Candidate {
    /// `critical` … `informational` for Sigma, the analyzer id otherwise.
    pub fn label(&self) -> &'static str {
        match &self.origin {
            Origin::Sigma { level, .. } => level.name(),
            Origin::Analyzer(k) => k.id(),
        }
    }
}

/// The ranked list.
#[derive(Clone, Debug, Default)]
pub struct Candidates {
    /// Best first.
    pub list: Vec<Candidate>,
    /// Candidate events, sorted (for the `candidate` filter term).
    rows: Vec<usize>,
}

impl Candidates {
    /// Whether event `i` is some candidate's event.
    pub fn is_candidate(&self, i: usize) -> bool {
        self.rows.binary_search(&i).is_ok()
    }

    /// The candidates of one host, best first (host compared case-insensitively).
    pub fn of_host<'a>(&'a self, host: &'a str) -> impl Iterator<Item = &'a Candidate> + 'a {
        self.list
            .iter()
            .filter(move |c| c.host.eq_ignore_ascii_case(host))
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Annotations and reviews from `marks`, and which events are candidates (`candidate`).
pub struct WithCandidates<'a> {
    pub marks: &'a dyn Marks,
    pub cands: &'a Candidates,
}

impl Marks for WithCandidates<'_> {
    fn annotated(&self, i: usize) -> bool {
        self.marks.annotated(i)
    }
    fn has_mark(&self, i: usize, kind: &str) -> bool {
        self.marks.has_mark(i, kind)
    }
    fn has_tag(&self, i: usize, tag: &str) -> bool {
        self.marks.has_tag(i, tag)
    }
    fn any_rule(&self, i: usize, f: &mut dyn FnMut(&super::RuleMeta) -> bool) -> bool {
        self.marks.any_rule(i, f)
    }
    fn candidate(&self, i: usize) -> bool {
        self.cands.is_candidate(i)
    }
    fn reviewed(&self, i: usize) -> bool {
        self.marks.reviewed(i)
    }
    fn dismissed(&self, i: usize) -> bool {
        self.marks.dismissed(i)
    }
}

fn level_weight(l: Level) -> f64 {
    match l {
        Level::Critical => 1.0,
        Level::High => 0.8,
        Level::Medium => 0.5,
        Level::Low => 0.3,
        Level::Informational => 0.1,
    }
}

/// The Sigma candidate id of a rule.
pub fn sigma_id(rules: &RuleSet, r: RuleIdx) -> String {
    let m = rules.rule(r);
    if m.id.is_empty() {
        format!("sigma:{}", m.title)
    } else {
        format!("sigma:{}", m.id)
    }
}

/// Ranks Sigma hits (when given) and analyzer findings into one list.
pub fn rank(t: &Timeline, sigma: Option<(&Hits, &RuleSet)>, analysis: &Analysis) -> Candidates {
    let mut list = Vec::new();
    if let Some((hits, rules)) = sigma {
        list.extend(sigma_candidates(t, hits, rules));
    }
    // Findings without a rarity of their own (tampering, silence) are as rare as the hosts
    // their kind shows up on: a log cleared on one host stands out more than on twelve.
    let mut kind_hosts: FxHashMap<Kind, rustc_hash::FxHashSet<String>> = FxHashMap::default();
    for f in &analysis.findings {
        kind_hosts
            .entry(f.kind)
            .or_default()
            .insert(analyze::host_key(&f.host));
    }
    let acts = tampering_acts(analysis);
    for (k, f) in analysis.findings.iter().enumerate() {
        let count = if f.kind.is_tampering_act() {
            match acts.get(&k) {
                Some(&n) => n,
                None => continue,
            }
        } else {
            1
        };
        let rarity = match (f.kind, f.rarity) {
            (Kind::Beacon, Some(r)) => r.spread(),
            (_, Some(r)) => r.factor(),
            (k, None) => 1.0 / (kind_hosts.get(&k).map_or(1, |h| h.len().max(1)) as f64).sqrt(),
        };
        list.push(Candidate {
            id: f.kind.id().to_owned(),
            event: f.event,
            ts: t.events.get(f.event).map_or(0, |e| e.ts),
            host: f.host.clone(),
            why: f.reason.clone(),
            origin: Origin::Analyzer(f.kind),
            count,
            score: f.strength * rarity,
            earliest: false,
        });
    }
    let mut list = one_per_event(list);
    apply_earliness(&mut list);
    list.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.ts.cmp(&b.ts))
            .then(a.event.cmp(&b.event))
            .then(a.id.cmp(&b.id))
    });
    let mut rows: Vec<usize> = list.iter().map(|c| c.event).collect();
    rows.sort_unstable();
    rows.dedup();
    Candidates { list, rows }
}

/// The same tampering act on one host (every log cleared in one go, Defender switched off
/// twice) is one candidate: its first finding (findings and timeline indices are in time
/// order), with how many it stands for. Finding index → count.
fn tampering_acts(analysis: &Analysis) -> FxHashMap<usize, usize> {
    let mut groups: FxHashMap<(Kind, String), (usize, usize)> = FxHashMap::default();
    for (k, f) in analysis.findings.iter().enumerate() {
        if f.kind.is_tampering_act() {
            let g = groups
                .entry((f.kind, analyze::host_key(&f.host)))
                .or_insert((k, 0));
            if f.event < analysis.findings.get(g.0).map_or(usize::MAX, |x| x.event) {
                g.0 = k;
            }
            g.1 += 1;
        }
    }
    groups.into_values().collect()
}

/// A rule that reached one host this long before any other host is taken to have started
/// there and spread later (PsExec on the first server a day before the mass push): that
/// host's hit is not discounted for the hosts that came after. Rules that fire on many
/// hosts at once (noise, or a mass push) keep their discount everywhere.
const STARTED_HERE: i64 = 3600 * 1_000_000_000;

/// One candidate per (rule, host): the first hit, with the number of hits.
fn sigma_candidates(t: &Timeline, hits: &Hits, rules: &RuleSet) -> Vec<Candidate> {
    let mut groups: FxHashMap<(RuleIdx, String), (usize, String, usize)> = FxHashMap::default();
    for (i, on) in hits.iter() {
        let h = t.host(i);
        let key = analyze::host_key(&h);
        for &r in on {
            let g = groups
                .entry((r, key.clone()))
                .or_insert_with(|| (i, analyze::host_short(&h), 0));
            g.2 += 1;
        }
    }
    let ts = |i: usize| t.events.get(i).map_or(0, |e| e.ts);
    // Per rule: its number of hosts, and the first hit of the host it reached first when
    // that was an hour or more before any other host (see `STARTED_HERE`).
    let mut per_rule: FxHashMap<RuleIdx, Vec<usize>> = FxHashMap::default();
    for (&(r, _), g) in &groups {
        per_rule.entry(r).or_default().push(g.0);
    }
    let started: FxHashMap<RuleIdx, (usize, Option<usize>)> = per_rule
        .into_iter()
        .map(|(r, mut firsts)| {
            firsts.sort_unstable_by_key(|&i| (ts(i), i));
            let alone = match firsts.as_slice() {
                [a, b, ..] if ts(*b).saturating_sub(ts(*a)) >= STARTED_HERE => Some(*a),
                _ => None,
            };
            (r, (firsts.len(), alone))
        })
        .collect();
    groups
        .into_iter()
        .map(|((r, _), (event, host, count))| {
            let m = rules.rule(r);
            let (spread, first) = started.get(&r).copied().unwrap_or((1, None));
            let hosts = if first == Some(event) {
                1.0
            } else {
                spread.max(1) as f64
            };
            // Repetition lowers a rule's hit only a little: a noisy rule is still a rule.
            let rarity = 1.0 / hosts.sqrt() / (1.0 + 0.25 * (count.max(1) as f64).log10());
            Candidate {
                id: sigma_id(rules, r),
                event,
                ts: t.events.get(event).map_or(0, |e| e.ts),
                host,
                why: m.title.clone(),
                origin: Origin::Sigma {
                    rule: r,
                    level: m.level,
                },
                count,
                score: level_weight(m.level) * rarity,
                earliest: false,
            }
        })
        .collect()
}

/// One candidate per event: the best of those pointing at it, raised by a quarter for each
/// other rule or analyzer that agrees (a Sigma hit on a service that is also first-seen),
/// whose reasons follow in `why` (`… (also: …)`). Reviews are kept under the best one's id.
fn one_per_event(list: Vec<Candidate>) -> Vec<Candidate> {
    let mut by_event: FxHashMap<usize, Vec<Candidate>> = FxHashMap::default();
    for c in list {
        by_event.entry(c.event).or_default().push(c);
    }
    by_event
        .into_values()
        .filter_map(|mut v| {
            v.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
            let n = v.len();
            let mut it = v.into_iter();
            let mut best = it.next()?;
            let others: Vec<String> = it.map(|c| c.why).collect();
            if !others.is_empty() {
                best.why = format!("{} (also: {})", best.why, others.join("; "));
            }
            best.score *= 1.0 + 0.25 * n.saturating_sub(1) as f64;
            Some(best)
        })
        .collect()
}

/// Scales each score by how early the candidate is on its host and marks the earliest.
fn apply_earliness(list: &mut [Candidate]) {
    let mut by_host: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (k, c) in list.iter().enumerate() {
        by_host
            .entry(analyze::host_key(&c.host))
            .or_default()
            .push(k);
    }
    for ks in by_host.values_mut() {
        ks.sort_by_key(|&k| list.get(k).map(|c| (c.ts, c.event)));
        let n = ks.len().max(2) - 1;
        let first_ts = ks.first().and_then(|&k| list.get(k)).map(|c| c.ts);
        for (p, &k) in ks.iter().enumerate() {
            if let Some(c) = list.get_mut(k) {
                c.score *= 1.0 - 0.4 * (p as f64 / n as f64);
                c.earliest = Some(c.ts) == first_ts;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::analyze::Finding;

    fn finding(kind: Kind, event: usize, host: &str) -> Finding {
        Finding {
            kind,
            event,
            host: host.to_owned(),
            reason: String::new(),
            rarity: None,
            strength: kind.strength(),
        }
    }

    #[test]
    fn one_tampering_act_per_kind_and_host_the_first_standing_for_the_rest() {
        let a = Analysis {
            findings: vec![
                finding(Kind::LogCleared, 5, "FS-01"),
                finding(Kind::LogCleared, 3, "fs-01.corp.local"),
                finding(Kind::LogCleared, 4, "DC-01"),
                finding(Kind::DefenderDisabled, 6, "FS-01"),
                // Gaps are per place in a file, not acts: never grouped.
                finding(Kind::RecordGap, 7, "FS-01"),
                finding(Kind::RecordGap, 8, "FS-01"),
            ],
            ..Analysis::default()
        };
        let acts = tampering_acts(&a);
        let mut got: Vec<(usize, usize)> = acts.into_iter().collect();
        got.sort_unstable();
        assert_eq!(got, vec![(1, 2), (2, 1), (3, 1)]);
    }
}
