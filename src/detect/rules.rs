//! Loading rules: vigil's own (embedded) and rule folders (SigmaHQ layout works as is),
//! filtered by level and status, routed to their logsource's targets and compiled into
//! one rsigma engine per logsource (two when part of it can be memoised). Every rule that
//! is not loaded is reported with a reason.

use super::mapping::{Mapping, TargetId};
use super::pin::{self, Parts};
use super::{DetectError, Level, RuleIdx, RuleMeta, Status, attack_ids, builtin};
use rayon::prelude::*;
use rsigma_eval::CompiledRule;
use rsigma_parser::{Detection, Modifier, SigmaCollection, SigmaRule};
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64};

/// Which rules to load.
#[derive(Clone, Debug)]
pub struct RuleOptions {
    /// Rule folders or files (`--rules`, repeatable; else `default_rule_dirs()`).
    pub dirs: Vec<PathBuf>,
    /// vigil's own rules (`assets/rules`, embedded).
    pub builtin: bool,
    /// Rules below this level are skipped.
    pub min_level: Level,
    /// Accepted statuses; empty = stable, test, experimental (and rules without one).
    pub statuses: Vec<Status>,
    /// A mapping file replacing the embedded `assets/sigma-mapping.yml`.
    pub mapping: Option<PathBuf>,
}

impl Default for RuleOptions {
    /// vigil's own rules plus the default folders.
    fn default() -> Self {
        RuleOptions {
            dirs: default_rule_dirs(),
            builtin: true,
            min_level: Level::Informational,
            statuses: Vec::new(),
            mapping: None,
        }
    }
}

/// `$VIGIL_RULES` (folders separated by `:`), else `~/.local/share/vigil/rules` (under
/// `$XDG_DATA_HOME` when set) if it exists.
pub fn default_rule_dirs() -> Vec<PathBuf> {
    if let Some(v) = std::env::var_os("VIGIL_RULES") {
        return std::env::split_paths(&v)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
    data.map(|d| d.join("vigil/rules"))
        .filter(|d| d.is_dir())
        .into_iter()
        .collect()
}

/// A rule (or rule file) that was not loaded, and why.
#[derive(Clone, Debug)]
pub struct RuleNote {
    pub path: String,
    pub title: String,
    pub id: String,
    pub reason: String,
}

/// What loading did.
#[derive(Clone, Debug, Default)]
pub struct LoadReport {
    /// Rule files read (vigil's own included).
    pub files: usize,
    /// Rules loaded.
    pub loaded: usize,
    /// Rules left out by the options (level, status) or as a duplicate id.
    pub skipped: Vec<RuleNote>,
    /// Rules vigil does not evaluate: a logsource no vigil source provides, correlation
    /// rules, filters, placeholders (`expand`).
    pub unsupported: Vec<RuleNote>,
    /// Rule files or rules that are broken: unreadable, unparsable, or rejected by the
    /// engine (a bad regex, a modifier combination it refuses).
    pub invalid: Vec<RuleNote>,
}

/// Notes counted by reason, most common first.
pub fn count_reasons(notes: &[RuleNote]) -> Vec<(&str, usize)> {
    let mut m: FxHashMap<&str, usize> = FxHashMap::default();
    for n in notes {
        *m.entry(n.reason.as_str()).or_default() += 1;
    }
    let mut v: Vec<(&str, usize)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v
}

/// How one memo group did in the last run (benchmarks).
#[derive(Clone, Debug)]
pub struct BucketStats {
    /// `product/service/category`, and the `apart` fields the group's rules read.
    pub name: String,
    pub memo_rules: usize,
    /// Rules of the logsource evaluated per event.
    pub live_rules: usize,
    /// Of both, the rules routed by the EventIDs their detection pins.
    pub pinned_rules: usize,
    pub lookups: u64,
    pub reused: u64,
    /// False once the memo was switched off for rarely repeating values.
    pub memo_on: bool,
}

/// Rules of a logsource evaluated once per distinct tuple of `fields`.
pub(crate) struct MemoGroup {
    pub parts: Parts,
    pub fields: Vec<String>,
    /// The `apart` fields its rules read (empty for the main group).
    pub apart: Vec<String>,
    /// Switched off when it does not pay (see `run`).
    pub on: AtomicBool,
    pub lookups: AtomicU64,
    pub reused: AtomicU64,
}

/// The rules of one logsource, compiled.
pub(crate) struct Bucket {
    /// `product/service/category`.
    pub name: String,
    pub targets: Vec<TargetId>,
    pub memos: Vec<MemoGroup>,
    /// Rules evaluated per event (keywords, volatile fields, field references).
    pub live: Option<Parts>,
}

/// A loaded, compiled rule set. Shared read-only by the workers of `run`.
pub struct RuleSet {
    pub(crate) rules: Vec<RuleMeta>,
    pub(crate) mapping: Mapping,
    pub(crate) buckets: Vec<Bucket>,
    /// Target → buckets routed to it.
    pub(crate) target_buckets: Vec<Vec<u16>>,
    /// Provisional index (in the engines' results) → final index (`u32::MAX`: dropped).
    pub(crate) remap: Vec<u32>,
}

/// The custom attribute carrying a rule's index through rsigma's match results.
pub(crate) const RULE_ATTR: &str = "vigil_rule";

struct Candidate {
    meta: RuleMeta,
    rule: SigmaRule,
    bucket: String,
    targets: Vec<TargetId>,
}

impl RuleSet {
    /// A rule set with no rules (`--no-rules`).
    pub fn empty() -> RuleSet {
        RuleSet {
            rules: Vec::new(),
            mapping: Mapping::default(),
            buckets: Vec::new(),
            target_buckets: Vec::new(),
            remap: Vec::new(),
        }
    }

    /// Loads the rules `opts` names. Fails only on a mapping file or rule folder that
    /// cannot be read at all; every rule not loaded is in the report.
    pub fn load(opts: &RuleOptions) -> Result<(RuleSet, LoadReport), DetectError> {
        let mapping = match &opts.mapping {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| DetectError::Path {
                    path: p.display().to_string(),
                    msg: e.to_string(),
                })?;
                Mapping::parse(&text).map_err(|e| DetectError::Path {
                    path: p.display().to_string(),
                    msg: e.to_string(),
                })?
            }
            None => Mapping::builtin()?,
        };
        let mut sources: Vec<(String, Source)> = Vec::new();
        if opts.builtin {
            for (name, text) in builtin::RULES {
                sources.push((format!("builtin:{name}"), Source::Text(text)));
            }
        }
        for d in &opts.dirs {
            if !d.exists() {
                return Err(DetectError::Path {
                    path: d.display().to_string(),
                    msg: "no such rule folder or file".into(),
                });
            }
            for p in rule_files(d) {
                sources.push((p.display().to_string(), Source::File(p)));
            }
        }
        let mut report = LoadReport {
            files: sources.len(),
            ..LoadReport::default()
        };
        let parsed: Vec<(String, Result<SigmaCollection, String>)> = sources
            .into_par_iter()
            .map(|(path, src)| {
                let text = match src {
                    Source::Text(t) => Ok(t.to_owned()),
                    Source::File(p) => std::fs::read_to_string(&p).map_err(|e| e.to_string()),
                };
                let coll = text
                    .and_then(|t| rsigma_parser::parse_sigma_yaml(&t).map_err(|e| e.to_string()));
                (path, coll)
            })
            .collect();
        let mut cands: Vec<Candidate> = Vec::new();
        let mut ids: FxHashMap<String, String> = FxHashMap::default();
        for (path, coll) in parsed {
            let coll = match coll {
                Ok(c) => c,
                Err(e) => {
                    report
                        .invalid
                        .push(note(&path, "", "", format!("cannot read: {e}")));
                    continue;
                }
            };
            for e in &coll.errors {
                report
                    .invalid
                    .push(note(&path, "", "", format!("parse error: {e}")));
            }
            for c in &coll.correlations {
                let id = c.id.clone().unwrap_or_default();
                report.unsupported.push(note(
                    &path,
                    &c.title,
                    &id,
                    "correlation rules are not evaluated".into(),
                ));
            }
            for f in &coll.filters {
                let id = f.id.clone().unwrap_or_default();
                report.unsupported.push(note(
                    &path,
                    &f.title,
                    &id,
                    "Sigma filters are not applied".into(),
                ));
            }
            for rule in coll.rules {
                let meta = meta_of(&rule, &path);
                let skip = |why: String| note(&path, &meta.title, &meta.id, why);
                if meta.level < opts.min_level {
                    report
                        .skipped
                        .push(skip(format!("level {} below the minimum", meta.level)));
                    continue;
                }
                if !status_accepted(meta.status, &opts.statuses) {
                    let s = meta.status.map_or("none", Status::name);
                    report
                        .skipped
                        .push(skip(format!("status {s} not selected")));
                    continue;
                }
                if !meta.id.is_empty() {
                    if let Some(first) = ids.get(&meta.id) {
                        report
                            .skipped
                            .push(skip(format!("duplicate id (also in {first})")));
                        continue;
                    }
                    ids.insert(meta.id.clone(), path.clone());
                }
                if uses_modifier(&rule, Modifier::Expand) {
                    report.unsupported.push(skip(
                        "the expand modifier needs placeholder values vigil does not have".into(),
                    ));
                    continue;
                }
                let ls = &rule.logsource;
                let targets = match mapping.resolve(
                    ls.product.as_deref(),
                    ls.service.as_deref(),
                    ls.category.as_deref(),
                ) {
                    Ok(t) => t,
                    Err(why) => {
                        report.unsupported.push(skip(why));
                        continue;
                    }
                };
                cands.push(Candidate {
                    bucket: meta.logsource.clone(),
                    meta,
                    rule,
                    targets,
                });
            }
        }
        let set = build(cands, mapping, &mut report);
        report.loaded = set.rules.len();
        // The parsed rules (several times the compiled set) are gone: give their pages back.
        crate::ingest::mmap::release_freed_memory();
        Ok((set, report))
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn rule(&self, r: RuleIdx) -> &RuleMeta {
        &self.rules[r.0 as usize]
    }

    pub fn get(&self, r: RuleIdx) -> Option<&RuleMeta> {
        self.rules.get(r.0 as usize)
    }

    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    /// Per memo group: rule counts and how the memo did in the last run.
    pub fn bucket_stats(&self) -> Vec<BucketStats> {
        use std::sync::atomic::Ordering::Relaxed;
        let mut v = Vec::new();
        for b in &self.buckets {
            let live = b.live.as_ref().map_or(0, Parts::rule_count);
            let live_pinned = b.live.as_ref().map_or(0, Parts::pinned_rules);
            for (k, g) in b.memos.iter().enumerate() {
                v.push(BucketStats {
                    name: match g.apart.is_empty() {
                        true => b.name.clone(),
                        false => format!("{} [{}]", b.name, g.apart.join(",")),
                    },
                    memo_rules: g.parts.rule_count(),
                    live_rules: live,
                    // The live rules are counted with the bucket's first group.
                    pinned_rules: g.parts.pinned_rules() + if k == 0 { live_pinned } else { 0 },
                    lookups: g.lookups.load(Relaxed),
                    reused: g.reused.load(Relaxed),
                    memo_on: g.on.load(Relaxed),
                });
            }
        }
        v
    }

    /// Rules per level (lowest first, as `Level::ALL`).
    pub fn rules_by_level(&self) -> [usize; 5] {
        let mut c = [0; 5];
        for r in &self.rules {
            c[r.level as usize] += 1;
        }
        c
    }
}

enum Source {
    Text(&'static str),
    File(PathBuf),
}

fn note(path: &str, title: &str, id: &str, reason: String) -> RuleNote {
    RuleNote {
        path: path.to_owned(),
        title: title.to_owned(),
        id: id.to_owned(),
        reason,
    }
}

fn status_accepted(s: Option<Status>, accepted: &[Status]) -> bool {
    match (s, accepted.is_empty()) {
        (None, _) => true,
        (Some(s), true) => !matches!(s, Status::Deprecated | Status::Unsupported),
        (Some(s), false) => accepted.contains(&s),
    }
}

/// `*.yml`/`*.yaml` under `dir`, sorted (so rule order and duplicate handling do not
/// depend on the file system); a file is taken as it is.
fn rule_files(dir: &Path) -> Vec<PathBuf> {
    if dir.is_file() {
        return vec![dir.to_path_buf()];
    }
    let mut v = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                // Hidden folders (.git, .github) hold no rules.
                if !e.file_name().to_string_lossy().starts_with('.') {
                    stack.push(p);
                }
            } else if matches!(p.extension().and_then(|x| x.to_str()), Some("yml" | "yaml")) {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

fn meta_of(r: &SigmaRule, path: &str) -> RuleMeta {
    let ls = &r.logsource;
    let level = r
        .level
        .map(|l| Level::parse(l.as_str()).unwrap_or(Level::Informational))
        .unwrap_or(Level::Informational);
    RuleMeta {
        title: r.title.clone(),
        id: r.id.clone().unwrap_or_default(),
        author: r.author.clone().unwrap_or_else(|| "unknown".into()),
        level,
        status: r.status.and_then(|s| {
            let name = format!("{s:?}");
            Status::parse(&name)
        }),
        description: r.description.clone().unwrap_or_default(),
        falsepositives: r.falsepositives.clone(),
        references: r.references.clone(),
        attack: attack_ids(&r.tags),
        tags: r.tags.clone(),
        logsource: format!(
            "{}/{}/{}",
            ls.product.as_deref().unwrap_or(""),
            ls.service.as_deref().unwrap_or(""),
            ls.category.as_deref().unwrap_or("")
        )
        .to_lowercase(),
        path: path.to_owned(),
        date: r.date.clone().unwrap_or_default(),
        modified: r.modified.clone().unwrap_or_default(),
    }
}

/// Walks a rule's detections: `field(name)` for each field read; false when the rule
/// cannot be memoised (keywords, array scopes, field references).
fn fields_read(d: &Detection, field: &mut dyn FnMut(&str), memo: &mut bool) {
    match d {
        Detection::AllOf(items) => {
            for it in items {
                match &it.field.name {
                    Some(n) => field(n),
                    None => *memo = false,
                }
                if it.field.has_modifier(Modifier::FieldRef)
                    || it.field.has_modifier(Modifier::Expand)
                {
                    *memo = false;
                }
            }
        }
        Detection::AnyOf(ds) | Detection::And(ds) => {
            for d in ds {
                fields_read(d, field, memo);
            }
        }
        Detection::Keywords(_) | Detection::ArrayMatch { .. } | Detection::Conditional { .. } => {
            *memo = false
        }
    }
}

fn uses_modifier(r: &SigmaRule, m: Modifier) -> bool {
    fn walk(d: &Detection, m: Modifier) -> bool {
        match d {
            Detection::AllOf(items) => items.iter().any(|i| i.field.has_modifier(m)),
            Detection::AnyOf(ds) | Detection::And(ds) => ds.iter().any(|d| walk(d, m)),
            Detection::ArrayMatch { body, .. } => walk(body, m),
            Detection::Conditional { named, .. } => named.values().any(|d| walk(d, m)),
            Detection::Keywords(_) => false,
        }
    }
    r.detection.named.values().any(|d| walk(d, m))
}

/// Groups candidates by logsource, compiles each group (in parallel), and drops rules the
/// engine rejects (reported): the final indices are the surviving rules in load order.
fn build(cands: Vec<Candidate>, mapping: Mapping, report: &mut LoadReport) -> RuleSet {
    let mut order: Vec<String> = Vec::new();
    let mut groups: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (i, c) in cands.iter().enumerate() {
        groups
            .entry(c.bucket.clone())
            .or_insert_with(|| {
                order.push(c.bucket.clone());
                Vec::new()
            })
            .push(i);
    }
    // Provisional index = position in `cands`, carried in a custom attribute.
    let compiled: Vec<(Bucket, Vec<(usize, String)>)> = order
        .par_iter()
        .map(|name| compile_bucket(name, &groups[name], &cands, &mapping))
        .collect();
    let mut failed: FxHashMap<usize, String> = FxHashMap::default();
    let mut buckets = Vec::with_capacity(compiled.len());
    for (b, errs) in compiled {
        failed.extend(errs);
        buckets.push(b);
    }
    let mut remap = vec![u32::MAX; cands.len()];
    let mut rules = Vec::with_capacity(cands.len());
    for (i, c) in cands.into_iter().enumerate() {
        match failed.remove(&i) {
            Some(why) => report.invalid.push(RuleNote {
                reason: format!("rejected by the engine: {why}"),
                path: c.meta.path,
                title: c.meta.title,
                id: c.meta.id,
            }),
            None => {
                remap[i] = rules.len() as u32;
                rules.push(c.meta);
            }
        }
    }
    let mut target_buckets = vec![Vec::new(); mapping.targets.len()];
    for (bi, b) in buckets.iter().enumerate() {
        for &t in &b.targets {
            if let Some(v) = target_buckets.get_mut(t as usize) {
                v.push(bi as u16);
            }
        }
    }
    RuleSet {
        rules,
        mapping,
        buckets,
        target_buckets,
        remap,
    }
}

fn compile_bucket(
    name: &str,
    members: &[usize],
    cands: &[Candidate],
    mapping: &Mapping,
) -> (Bucket, Vec<(usize, String)>) {
    // Memo groups keyed by the `apart` fields their rules read.
    type Pinned = (CompiledRule, Option<Vec<i64>>);
    let mut groups: Vec<(Vec<String>, Vec<Pinned>, FxHashSet<String>)> = Vec::new();
    let mut live_rules: Vec<Pinned> = Vec::new();
    let mut errors: Vec<(usize, String)> = Vec::new();
    for &i in members {
        let c = &cands[i];
        let mut rule = c.rule.clone();
        rule.custom_attributes.insert(
            RULE_ATTR.into(),
            yaml_serde::Value::Number((i as u64).into()),
        );
        let mut fields: Vec<String> = Vec::new();
        let mut memo = true;
        for d in rule.detection.named.values() {
            fields_read(d, &mut |f| fields.push(f.to_owned()), &mut memo);
        }
        // Compiled here rather than by `Engine::add_rules`, which also keeps each rule's
        // intermediate form (for its cache export): a third of the rule set's memory.
        let mut compiled = match rsigma_eval::compile_rule(&rule) {
            Ok(c) => c,
            Err(e) => {
                errors.push((i, e.to_string()));
                continue;
            }
        };
        // What a match result would copy and vigil keeps in `RuleMeta` anyway.
        compiled.description = None;
        compiled.falsepositives = Vec::new();
        compiled.tags = Vec::new();
        let compiled = (compiled, pin::event_ids(&rule));
        if !memo || fields.iter().any(|f| mapping.volatile.contains(f)) {
            live_rules.push(compiled);
            continue;
        }
        let mut apart: Vec<String> = fields
            .iter()
            .filter(|f| mapping.apart.contains(*f))
            .cloned()
            .collect();
        apart.sort();
        apart.dedup();
        let k = match groups.iter().position(|g| g.0 == apart) {
            Some(k) => k,
            None => {
                groups.push((apart, Vec::new(), FxHashSet::default()));
                groups.len() - 1
            }
        };
        groups[k].1.push(compiled);
        groups[k].2.extend(fields);
    }
    let memos = groups
        .into_iter()
        .map(|(apart, rules, fields)| {
            let mut fields: Vec<String> = fields.into_iter().collect();
            fields.sort();
            MemoGroup {
                parts: Parts::build(rules),
                fields,
                apart,
                on: AtomicBool::new(true),
                lookups: AtomicU64::new(0),
                reused: AtomicU64::new(0),
            }
        })
        .collect();
    let live = Some(Parts::build(live_rules)).filter(|p| !p.is_empty());
    let targets = members
        .first()
        .map(|&i| cands[i].targets.clone())
        .unwrap_or_default();
    let b = Bucket {
        name: name.to_owned(),
        targets,
        memos,
        live,
    };
    (b, errors)
}
