//! The case file's side effects, run by the executor on the UI thread (they are small and
//! must finish before anything is shown): open (journal replay), journalled upsert and
//! delete, atomic save. The marker or "saved" appears only after the journal write
//! returned Ok.

use super::annotate::{Then, begin_annotate, begin_mark};
use super::annotations::AnnIndex;
use super::app::{Effect, Mode, State};
use super::jobs::apply_filter;
use crate::case::{Annotation, Case, OpenReport, SavedFilter, SourceEntry, View, default_author};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Annotations by timeline event, for exports.
pub type ExportAnns = Arc<HashMap<u32, Vec<Annotation>>>;

impl State {
    pub fn author(&self) -> String {
        self.config.author.clone().unwrap_or_else(default_author)
    }

    /// Rebuilds the annotation index (after a change or a merge of new sources).
    pub fn rebuild_marks(&mut self) {
        let anns = self.case.as_ref().map(|c| c.annotations()).unwrap_or(&[]);
        self.marks = Arc::new(AnnIndex::build(anns, &self.timeline));
        // The detail pane shows annotations: rebuild it.
        self.detail = None;
        self.unsaved = self.case.as_ref().is_some_and(Case::dirty);
    }

    pub fn export_annotations(&self) -> ExportAnns {
        let mut m: HashMap<u32, Vec<Annotation>> = HashMap::new();
        for a in self.case.as_ref().map(|c| c.annotations()).unwrap_or(&[]) {
            if let Some(ev) = self
                .marks
                .event_of(&a.id)
                .and_then(|e| u32::try_from(e).ok())
            {
                m.entry(ev).or_default().push(a.clone());
            }
        }
        Arc::new(m)
    }

    /// Takes an opened case: its notes go to the status line.
    pub fn set_case(&mut self, case: Case, report: &OpenReport) {
        let n = case.annotations().len();
        let mut msg = if report.existed || report.replayed > 0 {
            format!("case {}: {n} annotation(s)", case.path().display())
        } else {
            format!("new case file {}", case.path().display())
        };
        for note in &report.notes {
            msg.push_str("; ");
            msg.push_str(note);
        }
        self.case = Some(case);
        self.rebuild_marks();
        self.info(msg);
    }
}

/// Whether a filter depends on annotations (it must be re-run when they change).
fn uses_marks(filter: &str) -> bool {
    let f = filter.to_ascii_lowercase();
    f.contains("mark:") || f.contains("tag:") || f.contains("annotated")
}

fn refilter(st: &mut State) -> Vec<Effect> {
    let text = st
        .filter_pending
        .as_ref()
        .map_or(st.filter.clone(), |p| p.text.clone());
    if uses_marks(&text) {
        let msg = st.msg.clone();
        let fx = apply_filter(st, text);
        st.msg = msg;
        fx
    } else {
        Vec::new()
    }
}

/// Runs one case effect; returns what follows from it.
pub fn perform(st: &mut State, e: Effect) -> Vec<Effect> {
    match e {
        Effect::OpenCase { path, then } => open(st, path, then),
        Effect::Upsert(a) => {
            let Some(case) = st.case.as_mut() else {
                st.error("no case file open: annotation not saved");
                return Vec::new();
            };
            let label = a.kind.id();
            match case.upsert(*a) {
                Ok(()) => {
                    let j = case.journal_path().display().to_string();
                    st.rebuild_marks();
                    st.info(format!(
                        "{label} saved (journal {j}); s writes the case file"
                    ));
                    refilter(st)
                }
                Err(e) => {
                    st.error(format!("annotation NOT saved: journal write failed: {e}"));
                    Vec::new()
                }
            }
        }
        Effect::Delete(id) => {
            let Some(case) = st.case.as_mut() else {
                return Vec::new();
            };
            match case.delete(&id) {
                Ok(gone) => {
                    st.rebuild_marks();
                    let n = st.case.as_ref().map_or(0, |c| c.annotations().len());
                    st.list_sel = st.list_sel.min(n.saturating_sub(1));
                    if n == 0 {
                        st.mode = Mode::Normal;
                    }
                    st.info(if gone {
                        "annotation deleted"
                    } else {
                        "annotation was already gone"
                    });
                    refilter(st)
                }
                Err(e) => {
                    st.error(format!("NOT deleted: journal write failed: {e}"));
                    Vec::new()
                }
            }
        }
        Effect::SaveCase => {
            save(st);
            Vec::new()
        }
        Effect::QuitIfSaved => {
            st.quit = !st.unsaved;
            Vec::new()
        }
        other => vec![other],
    }
}

fn open(st: &mut State, path: PathBuf, then: Then) -> Vec<Effect> {
    let author = st.author();
    match Case::open(&path, &author) {
        Ok((case, report)) => {
            st.set_case(case, &report);
            match then {
                Then::Mark => begin_mark(st),
                Then::Annotate => begin_annotate(st),
                Then::Save => save(st),
            }
        }
        Err(e) => st.error(format!("cannot use the case file: {e}")),
    }
    Vec::new()
}

/// Records sources, filter and view, then writes the case file atomically.
pub fn save(st: &mut State) {
    let zone_label = st.zone().1.to_string();
    let cursor_ts = st.cursor_ts();
    let filter = st.filter.clone();
    let t = st.timeline.clone();
    let opts = st.config.ingest.clone();
    let Some(case) = st.case.as_mut() else {
        st.error("no case file to save");
        return;
    };
    for s in &t.sources {
        let r = &s.report;
        case.set_source(SourceEntry {
            path: s.label.clone(),
            sha256: r.sha256.clone(),
            bytes: r.bytes,
            format: r.format.clone(),
            tz: opts.tz_for(&s.label).to_string(),
            skew: opts.skew_for(&s.label).unwrap_or(0),
        });
    }
    if !filter.trim().is_empty() {
        let mut fs = case.file().filters.clone();
        if !fs.iter().any(|f| f.query == filter) {
            fs.push(SavedFilter {
                name: String::new(),
                query: filter.clone(),
            });
            case.set_filters(fs);
        }
    }
    let mut view = case.file().view.clone();
    view.filter = (!filter.trim().is_empty()).then_some(filter);
    view.cursor_ts = cursor_ts;
    view.display_tz = Some(zone_label);
    case.set_view(View { ..view });
    let path = case.path().display().to_string();
    let n = case.annotations().len();
    match case.save() {
        Ok(()) => {
            st.unsaved = false;
            st.info(format!("saved {path} ({n} annotation(s))"));
        }
        Err(e) => {
            st.unsaved = true;
            st.error(format!(
                "NOT saved: {e} (annotations are safe in the journal)"
            ));
        }
    }
}

/// After ingest: recorded sources whose SHA-256 differs from what was loaded (or that
/// were not loaded) join the missing ones found at start; annotations on them are kept.
pub fn check_sources(st: &mut State) {
    for cs in &st.case_sources {
        let loaded = st
            .timeline
            .sources
            .iter()
            .find(|s| s.label == cs.label || s.label == cs.recorded);
        let problem = match loaded {
            Some(s) if !s.report.sha256.eq_ignore_ascii_case(&cs.sha256) => {
                format!("changed (SHA-256 differs) {}", cs.recorded)
            }
            None if cs.expect_loaded => format!("not loaded {}", cs.recorded),
            _ => continue,
        };
        if !st.evidence_problems.contains(&problem) {
            st.evidence_problems.push(problem);
        }
    }
    show_problems(st);
}

/// Puts the first evidence problem (and how many more) in the status line.
pub fn show_problems(st: &mut State) {
    if let Some(first) = st.evidence_problems.first() {
        let n = st.evidence_problems.len();
        let more = if n > 1 {
            format!(" (+{} more)", n - 1)
        } else {
            String::new()
        };
        let msg = format!("evidence {first}{more}: its annotations are kept (A lists them)");
        st.error(msg);
    }
}

/// The case to open at start and the evidence to load.
#[derive(Debug, Default)]
pub struct CaseSetup {
    pub case: Option<(Case, OpenReport)>,
    pub paths: Vec<PathBuf>,
    pub sources: Vec<super::app::CaseSource>,
    /// Recorded sources not found on disk.
    pub problems: Vec<String>,
}

fn is_case_path(p: &std::path::Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".vigil.json"))
}

/// `vigil CASE.vigil.json` reopens a case (its recorded sources are loaded, resolved from
/// the case's directory); `--case FILE` names the case for the evidence given. A leftover
/// journal is replayed by `Case::open`. A case file that cannot be read stops here, before
/// the terminal is taken over.
pub fn prepare(
    paths: Vec<PathBuf>,
    flag: Option<PathBuf>,
    author: &str,
) -> anyhow::Result<CaseSetup> {
    let (cases, mut evidence): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.into_iter().partition(|p| is_case_path(p));
    let reopened = cases.first().cloned();
    if cases.len() > 1 || (reopened.is_some() && flag.is_some()) {
        anyhow::bail!("give one case file (either CASE.vigil.json or --case FILE)");
    }
    let Some(path) = reopened.clone().or(flag) else {
        return Ok(CaseSetup {
            paths: evidence,
            ..Default::default()
        });
    };
    let (case, report) = Case::open(&path, author)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut setup = CaseSetup::default();
    for s in &case.file().sources {
        let resolved = crate::case::resolve_source(&dir, &s.path);
        if !resolved.exists() {
            setup.problems.push(format!("missing {}", s.path));
            continue;
        }
        if reopened.is_some() && !evidence.contains(&resolved) {
            evidence.push(resolved.clone());
        }
        setup.sources.push(super::app::CaseSource {
            recorded: s.path.clone(),
            label: resolved.display().to_string(),
            sha256: s.sha256.clone(),
            expect_loaded: reopened.is_some(),
        });
    }
    setup.paths = evidence;
    setup.case = Some((case, report));
    Ok(setup)
}
