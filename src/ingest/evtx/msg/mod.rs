//! Event-dependent normalised fields and one-line messages for Windows event log records.
//!
//! The EVTX ingest fills the System fields and pushes every EventData/UserData value as a
//! raw field; [`normalise`] reads those by name, fills `user`, `process`, `src_ip`, … and
//! writes a responder-oriented summary into `message`. Dispatch is on provider (then
//! channel), because the same event id means different things under different providers.

use crate::model::{Fields, NORM_COUNT, Norm};
use std::borrow::Cow;

mod apps;
mod audit;
mod codes;
mod logon;
mod objects;
mod sysmon;

/// Process and logon ids as Windows logs render them (hex or decimal), for lineage too.
pub use codes::parse_num;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_apps;

/// Longest message in characters; the rest is cut with an ellipsis.
const MSG_CAP: usize = 500;
/// Longest single value in a message, so a huge command line leaves room for the parent/user.
const VAL_CAP: usize = 200;
/// How many EventData pairs the generic message shows.
const GENERIC_FIELDS: usize = 6;
/// Longest value in the generic message.
const GENERIC_VAL_CAP: usize = 60;

/// Fills the normalised fields that depend on the event (user, process, pid, parent, cmdline,
/// hash, file, src_ip, src_port, dst_ip, dst_port, proto, action, category) from the raw
/// EventData names, then sets `Norm::Message` to a one-line summary. Idempotent; never
/// panics. Values are moved over as clones of their `Cow` (free when the ingest borrowed
/// them); beyond that only the message and a few composed values (`DOMAIN\user`) allocate.
pub fn normalise(f: &mut Fields<'_>) {
    normalise_with(f, true);
}

/// As [`normalise`] without building the message: for filters that never look at it.
pub fn normalise_without_message(f: &mut Fields<'_>) {
    normalise_with(f, false);
}

fn normalise_with(f: &mut Fields<'_>, message: bool) {
    let (out, msg) = {
        let ev = Ev::new(f);
        let mut out = Out::default();
        let mut m = Msg::new();
        m.off = !message;
        dispatch(&ev, &mut out, &mut m);
        (out, m.finish())
    };
    for (n, v) in Norm::ALL.iter().zip(out.norm) {
        if let Some(v) = v {
            f.set(*n, v);
        }
    }
    if message {
        f.set(Norm::Message, msg);
    }
}

fn dispatch<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) {
    let handled = match ev.provider {
        "Microsoft-Windows-Security-Auditing" => security(ev, out, m),
        "Microsoft-Windows-Eventlog" => apps::eventlog(ev, out, m),
        "Service Control Manager" => apps::scm(ev, out, m),
        "Microsoft-Windows-Sysmon" => sysmon::sysmon(ev, out, m),
        "Microsoft-Windows-PowerShell" | "PowerShell" => apps::powershell(ev, out, m),
        "Microsoft-Windows-Windows Defender" => apps::defender(ev, out, m),
        "Microsoft-Windows-TerminalServices-LocalSessionManager"
        | "Microsoft-Windows-TerminalServices-RemoteConnectionManager" => apps::rdp(ev, out, m),
        // Without a provider (odd exports), fall back on the channel.
        "" => match ev.channel {
            "Security" => security(ev, out, m),
            "Microsoft-Windows-Sysmon/Operational" => sysmon::sysmon(ev, out, m),
            _ => false,
        },
        _ => false,
    };
    if !handled {
        out.clear();
        m.clear();
        generic_fields(ev, out);
        generic(ev, m);
    }
}

/// The first of several data fields that is set.
fn first<'a>(ev: &Ev<'_, 'a>, names: &[&str]) -> Option<Cow<'a, str>> {
    names.iter().find_map(|n| ev.cow(n))
}

/// Normalised fields of an event without a template, from the usual Windows field names.
fn generic_fields<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>) {
    let user = ev
        .subject()
        .or_else(|| ev.user("TargetUserName", "TargetDomainName"))
        .or_else(|| first(ev, &["User", "UserName", "AccountName"]));
    out.set(Norm::User, user);
    let process = [
        "NewProcessName",
        "Image",
        "ProcessName",
        "Application",
        "CallerProcessName",
    ];
    out.set(Norm::Process, first(ev, &process));
    out.set(Norm::Pid, first(ev, &["NewProcessId", "ProcessId"]));
    out.set(
        Norm::Parent,
        first(ev, &["ParentProcessName", "ParentImage"]),
    );
    out.set(Norm::Cmdline, ev.cow("CommandLine"));
    out.set(Norm::Hash, first(ev, &["Hashes", "Hash"]));
    let file = [
        "TargetFilename",
        "ImageLoaded",
        "ObjectName",
        "ServiceFileName",
        "ImagePath",
        "ShareName",
        "FileName",
    ];
    out.set(Norm::File, first(ev, &file));
    let src = [
        "IpAddress",
        "SourceIp",
        "SourceAddress",
        "ClientAddress",
        "Address",
    ];
    out.set(Norm::SrcIp, src.iter().find_map(|n| ev.ip(n)));
    out.set(
        Norm::SrcPort,
        ["IpPort", "SourcePort", "ClientPort"]
            .iter()
            .find_map(|n| ev.port(n)),
    );
    out.set(
        Norm::DstIp,
        ["DestinationIp", "DestAddress"]
            .iter()
            .find_map(|n| ev.ip(n)),
    );
    out.set(
        Norm::DstPort,
        ["DestinationPort", "DestPort"]
            .iter()
            .find_map(|n| ev.port(n)),
    );
    out.set(Norm::Proto, ev.cow("Protocol"));
}

/// Fields the generic message leaves out: identifiers a responder does not read in a
/// one-line summary (they stay in the detail view).
fn noisy(k: &str, v: &str) -> bool {
    let k = k.as_bytes();
    let ends = |s: &str| {
        k.len() >= s.len()
            && k.get(k.len() - s.len()..)
                .is_some_and(|t| t.eq_ignore_ascii_case(s.as_bytes()))
    };
    ends("Sid")
        || ends("LogonId")
        || ends("Binary")
        || ends("UtcTime")
        || ends("RuleName")
        || v.trim() == "(NULL)"
}

fn security<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> bool {
    logon::security(ev, out, m) || audit::security(ev, out, m) || objects::security(ev, out, m)
}

/// "Provider EID: k=v k=v …" from the first few non-empty data fields.
fn generic(ev: &Ev<'_, '_>, m: &mut Msg) {
    let p = [ev.provider, ev.channel]
        .into_iter()
        .find(|s| !blank(s))
        .unwrap_or("event");
    m.val(p);
    m.opt(" ", Some(ev.eid_text));
    let mut shown = 0;
    let mut more = false;
    for (k, v) in ev.data() {
        if blank(v) || noisy(k, v) {
            continue;
        }
        if shown == GENERIC_FIELDS {
            more = true;
            break;
        }
        m.lit(if shown == 0 { ": " } else { " " });
        m.val_n(k, 40);
        m.lit("=");
        m.val_n(v, GENERIC_VAL_CAP);
        shown += 1;
    }
    if more {
        m.lit(" …");
    }
}

fn blank(v: &str) -> bool {
    let t = v.trim();
    t.is_empty() || t == "-"
}

/// Read-only view of one record's fields: System values plus the event's own data.
pub(super) struct Ev<'f, 'a> {
    raw: &'f [(Cow<'a, str>, Cow<'a, str>)],
    /// Index of the first EventData/UserData pair in `raw`.
    data: usize,
    pub provider: &'f str,
    pub channel: &'f str,
    pub eid: u32,
    pub eid_text: &'f str,
}

impl<'f, 'a> Ev<'f, 'a> {
    fn new(f: &'f Fields<'a>) -> Self {
        let raw = f.raw.as_slice();
        // The System block is a run of distinct System names at the front; an EventData
        // field that shares a System name (`Channel` in 104, `ProcessId` in Sysmon) is past
        // it, so it is never mistaken for the System one.
        let mut seen = 0u32;
        let mut data = 0;
        for (k, _) in raw {
            match super::schema::NAMES
                .iter()
                .position(|s| s.eq_ignore_ascii_case(k))
            {
                Some(i) if seen & (1 << i) == 0 => {
                    seen |= 1 << i;
                    data += 1;
                }
                _ => break,
            }
        }
        let sys = |name: &str| {
            raw.get(..data)
                .and_then(|s| s.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
                .map(|(_, v)| &**v)
        };
        let provider = f
            .get(Norm::Provider)
            .or_else(|| sys("Provider"))
            .unwrap_or("");
        let channel = f
            .get(Norm::Channel)
            .or_else(|| sys("Channel"))
            .unwrap_or("");
        let eid_text = f
            .get(Norm::EventId)
            .or_else(|| sys("EventID"))
            .unwrap_or("")
            .trim();
        Ev {
            raw,
            data,
            provider,
            channel,
            eid: eid_text.parse().unwrap_or(u32::MAX),
            eid_text,
        }
    }

    /// The event's own (EventData/UserData) pairs.
    pub fn data(&self) -> impl Iterator<Item = (&'f str, &'f str)> + use<'f, 'a> {
        self.raw
            .get(self.data..)
            .unwrap_or(&[])
            .iter()
            .map(|(k, v)| (&**k, &**v))
    }

    /// The value of the `i`-th data pair.
    pub fn data_cow(&self, i: usize) -> Option<Cow<'a, str>> {
        self.raw
            .get(self.data.checked_add(i)?)
            .map(|(_, v)| v.clone())
    }

    fn find(&self, name: &str) -> Option<&'f Cow<'a, str>> {
        self.raw
            .get(self.data..)?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
            .filter(|v| !blank(v))
    }

    /// A data value, `None` when absent, empty or `-`.
    pub fn get(&self, name: &str) -> Option<&'f str> {
        self.find(name).map(|v| v.trim())
    }

    /// A data value as a `Cow` for a normalised field (a copy of the pointer when borrowed).
    pub fn cow(&self, name: &str) -> Option<Cow<'a, str>> {
        self.find(name).map(|v| sub(v.clone(), str::trim))
    }

    /// `DOMAIN\user` from a user and a domain field; the user alone when it is already
    /// qualified (`alice@CORP`, `CORP\alice`) or there is no domain.
    pub fn user(&self, user: &str, domain: &str) -> Option<Cow<'a, str>> {
        let u = self.cow(user)?;
        match self.get(domain) {
            Some(d) if !u.contains(['\\', '@']) => Some(Cow::Owned(format!("{d}\\{u}"))),
            _ => Some(u),
        }
    }

    /// The acting account (`Subject*`).
    pub fn subject(&self) -> Option<Cow<'a, str>> {
        self.user("SubjectUserName", "SubjectDomainName")
    }

    /// An address with the IPv4-mapped `::ffff:` prefix removed, so it compares as IPv4.
    pub fn ip(&self, name: &str) -> Option<Cow<'a, str>> {
        self.cow(name).map(|c| sub(c, unmap_ip))
    }

    /// A port, `None` for 0 (Windows logs 0 when there is no port).
    pub fn port(&self, name: &str) -> Option<Cow<'a, str>> {
        self.cow(name).filter(|p| p != "0")
    }
}

fn unmap_ip(s: &str) -> &str {
    match s.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("::ffff:") && s.contains('.') => s.get(7..).unwrap_or(s),
        _ => s,
    }
}

/// Applies a sub-slicing function to a `Cow`, keeping it borrowed when it was.
pub(super) fn sub<'a>(c: Cow<'a, str>, f: impl for<'x> FnOnce(&'x str) -> &'x str) -> Cow<'a, str> {
    match c {
        Cow::Borrowed(s) => Cow::Borrowed(f(s)),
        Cow::Owned(s) => {
            let t = f(&s);
            if t.len() == s.len() {
                Cow::Owned(s)
            } else {
                Cow::Owned(t.to_owned())
            }
        }
    }
}

/// The normalised fields a template decided on, applied to `Fields` at the end.
#[derive(Default)]
pub(super) struct Out<'a> {
    norm: [Option<Cow<'a, str>>; NORM_COUNT],
}

impl<'a> Out<'a> {
    pub fn set(&mut self, n: Norm, v: Option<Cow<'a, str>>) {
        if let Some(v) = v {
            self.norm[n as usize] = Some(v);
        }
    }

    pub fn set_str(&mut self, n: Norm, v: &'static str) {
        self.norm[n as usize] = Some(Cow::Borrowed(v));
    }

    fn clear(&mut self) {
        for n in &mut self.norm {
            *n = None;
        }
    }
}

/// ASCII without whitespace but single spaces: text [`Msg::push`] keeps as it is.
fn plain_ascii(s: &str) -> bool {
    let b = s.as_bytes();
    // ASCII whitespace (`char::is_whitespace`) is 9..=13 and the space.
    b.iter().all(|&c| c < 0x80 && !(9..=13).contains(&c)) && !b.windows(2).any(|w| w == b"  ")
}

/// A one-line message under construction: values have whitespace runs (newlines, tabs)
/// folded to one space and are capped; the whole message is capped at [`MSG_CAP`].
pub(super) struct Msg {
    s: String,
    chars: usize,
    full: bool,
    /// Build nothing (the caller wants the fields only).
    off: bool,
}

impl Msg {
    fn new() -> Self {
        Msg {
            s: String::with_capacity(160),
            chars: 0,
            full: false,
            off: false,
        }
    }

    fn clear(&mut self) {
        self.s.clear();
        self.chars = 0;
        self.full = false;
    }

    /// Literal template text.
    pub fn lit(&mut self, s: &str) -> &mut Self {
        self.push(s, usize::MAX);
        self
    }

    /// A value from the event.
    pub fn val(&mut self, s: &str) -> &mut Self {
        self.push(s.trim(), VAL_CAP);
        self
    }

    /// A value with its own cap in characters.
    pub fn val_n(&mut self, s: &str, max: usize) -> &mut Self {
        self.push(s.trim(), max);
        self
    }

    /// Text from the event kept as is at its edges (pieces of one value), with its own cap.
    pub fn text_n(&mut self, s: &str, max: usize) -> &mut Self {
        self.push(s, max);
        self
    }

    /// `prefix` and the value, only when there is a value.
    pub fn opt(&mut self, prefix: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v.filter(|v| !blank(v)) {
            self.lit(prefix);
            self.val(v);
        }
        self
    }

    /// Literal text only when `cond` holds (closing an `opt` bracket).
    pub fn lit_if(&mut self, cond: bool, s: &str) -> &mut Self {
        if cond {
            self.lit(s);
        }
        self
    }

    fn push(&mut self, s: &str, max: usize) {
        if self.off {
            return;
        }
        // Most pieces are short ASCII with single spaces, within both caps: the loop below
        // would copy them unchanged, char by char (every export line builds a message).
        if !self.full && s.len() <= max && self.chars + s.len() < MSG_CAP && plain_ascii(s) {
            self.s.push_str(s);
            self.chars += s.len();
            return;
        }
        self.push_chars(s, max);
    }

    fn push_chars(&mut self, s: &str, max: usize) {
        let mut ws = false;
        for (taken, c) in s.chars().enumerate() {
            if self.full {
                return;
            }
            if taken == max {
                self.put('…');
                return;
            }
            if c.is_whitespace() {
                // Fold whitespace runs; this is what removes newlines and tabs.
                if !ws {
                    self.put(' ');
                }
                ws = true;
            } else {
                ws = false;
                self.put(c);
            }
        }
    }

    fn put(&mut self, c: char) {
        if self.chars + 1 >= MSG_CAP {
            self.s.push('…');
            self.full = true;
            return;
        }
        self.s.push(c);
        self.chars += 1;
    }

    fn finish(mut self) -> String {
        let t = self.s.trim_end().len();
        self.s.truncate(t);
        self.s
    }
}
