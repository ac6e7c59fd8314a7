use std::borrow::Cow;

/// The normalised field set (**contract**, DESIGN §3). `ts`, `source` and `format` are
/// properties of the event and its source; the rest are carried per event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Norm {
    Host,
    User,
    SrcIp,
    SrcPort,
    DstIp,
    DstPort,
    Proto,
    Action,
    EventId,
    Channel,
    Provider,
    Process,
    Pid,
    Parent,
    Cmdline,
    Hash,
    File,
    Category,
    Severity,
    Message,
    RecordId,
}

pub const NORM_COUNT: usize = 21;
const _: () = assert!(NORM_COUNT <= 32, "Fields::used has a bit per slot");

impl Norm {
    pub const ALL: [Norm; NORM_COUNT] = [
        Norm::Host,
        Norm::User,
        Norm::SrcIp,
        Norm::SrcPort,
        Norm::DstIp,
        Norm::DstPort,
        Norm::Proto,
        Norm::Action,
        Norm::EventId,
        Norm::Channel,
        Norm::Provider,
        Norm::Process,
        Norm::Pid,
        Norm::Parent,
        Norm::Cmdline,
        Norm::Hash,
        Norm::File,
        Norm::Category,
        Norm::Severity,
        Norm::Message,
        Norm::RecordId,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Norm::Host => "host",
            Norm::User => "user",
            Norm::SrcIp => "src_ip",
            Norm::SrcPort => "src_port",
            Norm::DstIp => "dst_ip",
            Norm::DstPort => "dst_port",
            Norm::Proto => "proto",
            Norm::Action => "action",
            Norm::EventId => "event_id",
            Norm::Channel => "channel",
            Norm::Provider => "provider",
            Norm::Process => "process",
            Norm::Pid => "pid",
            Norm::Parent => "parent",
            Norm::Cmdline => "cmdline",
            Norm::Hash => "hash",
            Norm::File => "file",
            Norm::Category => "category",
            Norm::Severity => "severity",
            Norm::Message => "message",
            Norm::RecordId => "record_id",
        }
    }

    pub fn from_name(s: &str) -> Option<Norm> {
        Norm::ALL
            .iter()
            .copied()
            .find(|n| n.name().eq_ignore_ascii_case(s))
    }
}

/// The fields of one event as a parser sees them: normalised slots plus the source's own
/// `(name, value)` pairs, borrowing from the record where it can. Reused across records
/// (`clear` keeps capacity) so the hot path does not allocate per record.
#[derive(Debug, Default, Clone)]
pub struct Fields<'a> {
    pub ts: i64,
    norm: [Option<Cow<'a, str>>; NORM_COUNT],
    /// Which `norm` slots may be set: `clear` empties only those (it runs per record).
    used: u32,
    pub raw: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Lean mode (ingest, the analyzers): the normalised fields and the time are needed,
    /// so a parser may skip its source fields and the message (the detail view re-parses
    /// the record in full). Survives `clear`.
    lean: bool,
    /// For readers that never look at the message (the analyzers): an EDR parser skips
    /// building its summary line. Survives `clear`.
    no_message: bool,
    /// Ingest proper (implies `lean`): only `ts`, host, tag (event id, else action) and
    /// whether the record parses are read, so a parser may also skip the normalised fields
    /// it can tell leave those unchanged. Survives `clear`.
    ingest: bool,
}

impl<'a> Fields<'a> {
    pub fn new() -> Self {
        Fields::default()
    }

    /// Buffer for ingest (see the `lean` field): parsers that honour it skip the work
    /// only the detail view needs.
    pub fn lean() -> Self {
        Fields {
            lean: true,
            ..Fields::default()
        }
    }

    /// Buffer for ingest itself (see the `ingest` field); lean besides.
    pub fn ingest() -> Self {
        Fields {
            lean: true,
            ingest: true,
            ..Fields::default()
        }
    }

    /// Buffer for a reader that never looks at the message (see the `no_message` field).
    pub fn without_message() -> Self {
        Fields {
            no_message: true,
            ..Fields::default()
        }
    }

    /// Whether the summary message may be left out.
    pub fn skips_message(&self) -> bool {
        self.no_message
    }

    /// Whether the source's own fields and the message may be left out.
    pub fn is_lean(&self) -> bool {
        self.lean
    }

    /// Whether only time, host, tag and validity are wanted (ingest).
    pub fn is_ingest(&self) -> bool {
        self.ingest
    }

    pub fn clear(&mut self) {
        self.ts = 0;
        let mut used = std::mem::take(&mut self.used);
        while used != 0 {
            self.norm[used.trailing_zeros() as usize] = None;
            used &= used - 1;
        }
        self.raw.clear();
    }

    /// Sets a normalised field; empty values and `-` placeholders are treated as absent.
    pub fn set(&mut self, n: Norm, v: impl Into<Cow<'a, str>>) {
        let v = v.into();
        if v.is_empty() || v == "-" {
            return;
        }
        self.norm[n as usize] = Some(v);
        self.used |= 1 << n as u32;
    }

    /// Sets a normalised field only if not already set.
    pub fn set_default(&mut self, n: Norm, v: impl Into<Cow<'a, str>>) {
        if self.norm[n as usize].is_none() {
            self.set(n, v);
        }
    }

    pub fn get(&self, n: Norm) -> Option<&str> {
        self.norm[n as usize].as_deref()
    }

    pub fn push_raw(&mut self, k: impl Into<Cow<'a, str>>, v: impl Into<Cow<'a, str>>) {
        self.raw.push((k.into(), v.into()));
    }

    /// A source field by its own name (case-insensitive).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.raw
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| &**v)
    }

    /// A field by any name: normalised first, then the source's own.
    pub fn lookup(&self, name: &str) -> Option<&str> {
        match Norm::from_name(name) {
            Some(n) => self.get(n),
            None => self.raw(name),
        }
    }

    /// Normalised fields that are set, in contract order.
    pub fn norm_iter(&self) -> impl Iterator<Item = (Norm, &str)> {
        Norm::ALL
            .iter()
            .filter_map(|&n| self.norm[n as usize].as_deref().map(|v| (n, v)))
    }

    /// Detaches from the record's lifetime.
    pub fn into_owned(self) -> Fields<'static> {
        Fields {
            ts: self.ts,
            lean: self.lean,
            no_message: self.no_message,
            ingest: self.ingest,
            used: self.used,
            norm: self.norm.map(|o| o.map(|c| Cow::Owned(c.into_owned()))),
            raw: self
                .raw
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.into_owned()), Cow::Owned(v.into_owned())))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for n in Norm::ALL {
            assert_eq!(Norm::from_name(n.name()), Some(n));
        }
        assert_eq!(Norm::ALL.len(), NORM_COUNT);
    }

    #[test]
    fn empty_and_dash_are_absent() {
        let mut f = Fields::new();
        f.set(Norm::User, "-");
        f.set(Norm::Host, "");
        f.set(Norm::Proto, "tcp");
        assert_eq!(f.get(Norm::User), None);
        assert_eq!(f.get(Norm::Host), None);
        assert_eq!(f.lookup("PROTO"), Some("tcp"));
        f.push_raw("LogonType", "3");
        assert_eq!(f.lookup("logontype"), Some("3"));
    }
}
