//! The detail pane: its lines (most telling fields first, codes resolved, encoded
//! PowerShell decoded), and with the focus, keys move its selected line (the scroll
//! follows) and `y` copies what the selected line holds, as the evidence has it.

use super::nav::Nav;
use crate::model::{Norm, format_display};
use crate::tui::action::Effect;
use crate::tui::decode;
use crate::tui::state::{Detail, DetailLine, State};

/// Moves the selected line; the pane scrolls to keep it in view.
pub fn nav(st: &mut State, nav: Nav) {
    let h = st.detail_rows();
    let n = st.detail.lines.as_ref().map_or(0, |d| d.lines.len());
    let d = &mut st.detail;
    d.sel = nav.apply(d.sel, n, h);
    if d.sel < d.scroll {
        d.scroll = d.sel;
    } else if d.sel >= d.scroll + h {
        d.scroll = d.sel + 1 - h;
    }
}

/// `y`: the detail pane's selected field when it has the focus, else the selected
/// event's message, to the clipboard (OSC 52).
pub fn copy(st: &mut State) -> Vec<Effect> {
    if st.detail.open && st.detail.focused {
        let Some(d) = &st.detail.lines else {
            st.error("nothing to copy");
            return Vec::new();
        };
        let what = match d.lines.get(st.detail.sel) {
            Some(DetailLine::Field(k, _)) => k.trim_matches([' ', '↳']).to_string(),
            Some(DetailLine::Raw(_)) => "the raw record line".to_string(),
            _ => String::new(),
        };
        return match d.copy.get(st.detail.sel).cloned().flatten() {
            Some(text) => vec![Effect::Copy { what, text }],
            None => {
                st.error("nothing to copy on this line: j/k select a field");
                Vec::new()
            }
        };
    }
    match st.cursor_event() {
        Some(ev) => vec![Effect::Copy {
            what: "the message".into(),
            text: st.timeline.message(ev),
        }],
        None => {
            st.error("no event to copy");
            Vec::new()
        }
    }
}

/// Longest line of a raw record shown in the detail pane.
const MAX_RAW_LINE: usize = 4096;

/// The pane's lines, and what `y` copies from each.
struct Lines {
    ascii: bool,
    lines: Vec<DetailLine>,
    copy: Vec<Option<String>>,
    /// Scripts decoded already (the command line and the message often hold the same).
    decoded: Vec<String>,
}

impl Lines {
    fn clean(&self, s: &str) -> String {
        crate::tui::sanitize::line(s, MAX_RAW_LINE, self.ascii).into_owned()
    }

    fn heading(&mut self, s: &str) {
        self.lines.push(DetailLine::Heading(s.to_string()));
        self.copy.push(None);
    }

    /// A line `name value` that copies `value` as it is; `%%NNNN` codes are shown with
    /// their words, and a PowerShell `-enc` payload decoded on the next line.
    fn field(&mut self, name: &str, value: &str) {
        let shown = decode::resolve_codes(value).unwrap_or_else(|| value.to_string());
        let line = DetailLine::Field(self.clean(name), self.clean(&shown));
        self.lines.push(line);
        self.copy.push(Some(value.to_string()));
        // The message is a summary (EVTX cuts long command lines in it): the payload is
        // decoded from the command line and the source's own fields.
        if name != "message"
            && let Some(script) = decode::decode_enc(value)
            && !self.decoded.contains(&script)
        {
            let label = if self.ascii {
                "  decoded -enc"
            } else {
                "  ↳ decoded -enc"
            };
            let line = DetailLine::Field(label.into(), self.clean(&script));
            self.lines.push(line);
            self.copy.push(Some(script.clone()));
            self.decoded.push(script);
        }
    }

    /// A line of its own that copies `copy`.
    fn raw(&mut self, shown: String, copy: &str) {
        self.lines.push(DetailLine::Raw(shown));
        self.copy.push(Some(copy.to_string()));
    }
}

/// The fields shown first, in this order (what happened, by whom, where).
const FIRST: [Norm; 6] = [
    Norm::Message,
    Norm::Cmdline,
    Norm::User,
    Norm::Host,
    Norm::Process,
    Norm::Parent,
];

/// The detail pane of event `ev`: the message, command line, user, host, process and
/// parent, addresses first; then its annotations, when and where it was read, the other
/// fields, the source's own fields; the raw record last.
pub fn build(st: &State, ev: usize) -> Detail {
    let t = &st.timeline;
    let mut b = Lines {
        ascii: st.theme().ascii,
        lines: Vec::new(),
        copy: Vec::new(),
        decoded: Vec::new(),
    };
    let f = t.fields(ev);
    let kind = format!(
        "{}/{}",
        t.source_of(ev).map_or("", |s| s.format()),
        t.tag(ev)
    );
    b.heading("event");
    for n in FIRST {
        let v = match (n, f.get(n)) {
            (_, Some(v)) => v.to_string(),
            (Norm::Message, None) => crate::timeline::generic_message(&f),
            (Norm::Host, None) => t.host(ev).into_owned(),
            _ => continue,
        };
        if !v.is_empty() {
            b.field(n.name(), &v);
        }
    }
    let addr = |ip: Norm, port: Norm| {
        f.get(ip).map(|a| match f.get(port) {
            Some(p) if a.contains(':') => format!("[{a}]:{p}"),
            Some(p) => format!("{a}:{p}"),
            None => a.to_string(),
        })
    };
    if let Some(a) = addr(Norm::SrcIp, Norm::SrcPort) {
        b.field("source address", &a);
    }
    if let Some(a) = addr(Norm::DstIp, Norm::DstPort) {
        b.field("destination address", &a);
    }
    if let Some(case) = &st.case.info {
        for m in st.case.marks.on(ev) {
            let Some(a) = case.get(&m.id) else { continue };
            let sev = a
                .severity
                .map_or(String::new(), |s| format!(" ({})", s.label()));
            b.heading(&format!("annotation: {}{sev}", a.kind.id()));
            if !a.tags.is_empty() {
                b.field("tags", &a.tags.join(", "));
            }
            for l in a.note.lines() {
                let shown = b.clean(l);
                b.raw(shown, l);
            }
            b.field("by", &format!("{} {}", a.author, a.modified));
        }
    }
    // The Sigma rules that hit it (already sanitised by `detail_lines`).
    for l in super::detections::detail_lines(st, ev, MAX_RAW_LINE) {
        let copy = match &l {
            DetailLine::Field(_, v) | DetailLine::Raw(v) => Some(v.clone()),
            DetailLine::Heading(_) => None,
        };
        b.lines.push(l);
        b.copy.push(copy);
    }
    let (zlabel, zone) = st.zone();
    let ts = t.events.get(ev).map_or(0, |e| e.ts);
    b.field(&format!("time ({zlabel})"), &format_display(ts, &zone));
    b.field("time (RFC 3339)", &t.time_text(ev));
    if let Some(n) = t.flag_note(ev) {
        b.field("record", &n);
    }
    if let Some(src) = t.source_of(ev) {
        b.field("source", &format!("{} ({})", src.label, src.format()));
    }
    if let Some(k) = t.key(ev) {
        let sha = k.sha256.get(..16).unwrap_or(&k.sha256);
        let ell = if b.ascii { "~" } else { "…" };
        b.field("key", &format!("{sha}{ell} {}", k.locator));
    }
    let shown_first = |n: Norm| {
        FIRST.contains(&n) || matches!(n, Norm::SrcIp | Norm::SrcPort | Norm::DstIp | Norm::DstPort)
    };
    let rest: Vec<(Norm, &str)> = f.norm_iter().filter(|(n, _)| !shown_first(*n)).collect();
    if !rest.is_empty() {
        b.heading("other fields");
        for (n, v) in rest {
            b.field(n.name(), v);
        }
    }
    if !f.raw.is_empty() {
        b.heading("source fields");
        for (k, v) in &f.raw {
            b.field(k, v);
        }
    }
    b.heading("raw record");
    let raw = t.raw_record(ev);
    let shown = crate::tui::sanitize::lines(&raw, MAX_RAW_LINE, b.ascii);
    for (s, r) in shown.into_iter().zip(raw.split('\n')) {
        b.raw(s, r.strip_suffix('\r').unwrap_or(r));
    }
    Detail {
        event: ev,
        zone: st.zone,
        lines: b.lines,
        copy: b.copy,
        kind,
    }
}
