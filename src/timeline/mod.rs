//! The merged timeline (DESIGN §5): every source's events in one index sorted by
//! `(ts, source, seq)`, with access to each event's fields, message and raw record.

use crate::ingest::{self, Evidence, Kind, Loaded, Rec, SourceReport};
use crate::model::{Event, EventKey, Fields, Interner, Norm, Sym, format_rfc3339};
pub mod blocks;
pub mod filter;
pub mod histogram;
pub mod search;
#[doc(hidden)]
pub mod testing;
pub mod textindex;

use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, AtomicUsize};

/// One loaded source.
pub struct Source {
    pub label: String,
    pub report: SourceReport,
    evidence: Option<Evidence>,
    /// How its events are read again (fields, raw record, locator).
    kind: Kind,
}

impl Source {
    pub fn format(&self) -> &str {
        &self.report.format
    }
    pub fn bytes(&self) -> &[u8] {
        self.evidence.as_ref().map(|e| e.bytes()).unwrap_or(&[])
    }
    /// The EVTX record shapes of this source (None for other sources): detections route
    /// and name the fields of each shape once instead of once per record.
    pub fn evtx_shapes(&self) -> Option<&ingest::batch::Shapes> {
        self.kind.evtx().map(ingest::evtx::Stored::shapes)
    }
}

#[derive(Default)]
pub struct Timeline {
    pub sources: Vec<Source>,
    pub events: Vec<Event>,
    pub strings: Interner,
    sorted: bool,
    /// Length of the prefix of `events` known to be sorted (what the last `sort` left).
    sorted_prefix: usize,
    /// Free-text index of the current events, once built (cleared when events change).
    text_index: std::sync::OnceLock<textindex::TextIndex>,
}

impl Timeline {
    pub fn new() -> Self {
        Timeline {
            strings: Interner::new(),
            sorted: true,
            ..Default::default()
        }
    }

    /// Adds a parsed source; its events join the index (call `sort` once a batch of
    /// sources is in).
    pub fn add(&mut self, loaded: Loaded) -> u16 {
        let id = self.sources.len() as u16;
        self.text_index = Default::default();
        let Loaded {
            label,
            report,
            evidence,
            mut kind,
            batch,
        } = loaded;
        // The source keeps what its kind stores (no copy into a shared store); only its
        // strings move into the timeline's interner, symbols rewritten in place.
        let ingest::Batch {
            events, strings, ..
        } = batch;
        let remap = self.strings.absorb(strings);
        kind.remap(&remap);
        let first_new = self.events.len();
        let mut events = events;
        for e in &mut events {
            e.host = Interner::remap(&remap, e.host);
            e.tag = Interner::remap(&remap, e.tag);
            e.source = id;
        }
        // The first source's events are taken as they are: no second copy at the peak.
        if self.events.is_empty() {
            self.events = events;
        } else {
            self.events.extend_from_slice(&events);
        }
        self.sources.push(Source {
            label,
            report,
            evidence,
            kind,
        });
        if self.sorted {
            self.sorted_prefix = first_new;
        }
        self.sorted = self.events.is_sorted_by_key(sort_key);
        id
    }

    /// Sorts the index by `(ts, source, locator)`: unique keys, so the order is
    /// deterministic whatever order the sources were parsed in.
    ///
    /// Sources arriving one by one (the TUI's streaming start) only sort their own
    /// events and merge them in: O(new · log new + moved) instead of a sort of the whole
    /// index on the UI thread each time.
    pub fn sort(&mut self) {
        self.sort_with(true);
    }

    /// `sort` without the thread pool, for the UI thread: while ingest keeps every pool
    /// thread busy, a parallel sort would wait for them and freeze the screen.
    pub fn sort_here(&mut self) {
        self.sort_with(false);
    }

    fn sort_with(&mut self, parallel: bool) {
        if self.sorted {
            return;
        }
        self.text_index = Default::default();
        let prefix = self.sorted_prefix.min(self.events.len());
        let sort = |v: &mut [Event]| match parallel {
            true => v.par_sort_unstable_by_key(sort_key),
            false => v.sort_unstable_by_key(sort_key),
        };
        if prefix == 0 {
            sort(&mut self.events);
        } else {
            let mut tail = self.events.split_off(prefix);
            sort(&mut tail);
            merge_sorted_tail(&mut self.events, tail);
        }
        self.sorted = true;
        self.sorted_prefix = self.events.len();
    }

    /// Gives back spare capacity once loading is over, and the strings' lookup table
    /// (rebuilt if a source is added later).
    pub fn shrink(&mut self) {
        self.events.shrink_to_fit();
        self.strings.seal();
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn source_of(&self, i: usize) -> Option<&Source> {
        self.events
            .get(i)
            .and_then(|e| self.sources.get(e.source as usize))
    }

    /// The format of event `i`: that of the parser that read it (each line's own in a
    /// mixed syslog file, so `format:panos` finds them), else its source's.
    pub fn event_format(&self, i: usize) -> &str {
        match self.rec(i) {
            Some((src, r)) => src.kind.format_of(r).unwrap_or_else(|| src.format()),
            None => "",
        }
    }

    pub fn host(&self, i: usize) -> Cow<'_, str> {
        self.events
            .get(i)
            .map(|e| self.strings.text(e.host))
            .unwrap_or_default()
    }

    pub fn tag(&self, i: usize) -> Cow<'_, str> {
        self.events
            .get(i)
            .map(|e| self.strings.text(e.tag))
            .unwrap_or_default()
    }

    /// Every field of event `i`: re-parsed from the source for text formats, from the
    /// stored pairs for EVTX.
    pub fn fields(&self, i: usize) -> Fields<'_> {
        self.fields_for(i, true)
    }

    /// As [`fields`](Self::fields); `message: false` lets EVTX events skip building their
    /// message (filters that never read it).
    pub fn fields_for(&self, i: usize, message: bool) -> Fields<'_> {
        match self.rec(i) {
            Some((src, r)) => src.kind.fields(r, message),
            None => Fields::new(),
        }
    }

    /// Event `i`'s fields read into `f` (see `Kind::fields_into`): a reader of many events
    /// passes the same buffer and allocates once.
    pub(crate) fn fields_into<'a>(&'a self, i: usize, f: &mut Fields<'a>) {
        match self.rec(i) {
            Some((src, r)) => src.kind.fields_into(r, f),
            None => f.clear(),
        }
    }

    /// Event `i` with its source, for asking the source's kind.
    pub(crate) fn rec(&self, i: usize) -> Option<(&Source, Rec<'_>)> {
        let event = self.events.get(i)?;
        let src = self.sources.get(event.source as usize)?;
        let r = Rec {
            data: src.bytes(),
            event,
            strings: &self.strings,
        };
        Some((src, r))
    }

    /// The free-text index, if it has been built for the current events.
    pub fn text_index(&self) -> Option<&textindex::TextIndex> {
        self.text_index.get()
    }

    /// Builds the free-text index (in parallel; a second call is a no-op). False when
    /// cancelled. `done` counts events indexed.
    pub fn build_text_index(&self, cancel: &AtomicBool, done: &AtomicUsize) -> bool {
        if self.text_index.get().is_some() {
            return true;
        }
        match textindex::TextIndex::build(self, cancel, done) {
            Some(idx) => {
                let _ = self.text_index.set(idx);
                // The build blocks' interners and tables are freed: give the pages back
                // (they were ≈ 50 B/event of resident memory kept by malloc).
                ingest::mmap::release_freed_memory();
                true
            }
            None => false,
        }
    }

    /// EVTX event `i`'s shape id (in its source's `evtx_shapes`) and stored fields, in
    /// record order; None for other events and for EVTX events stored without fields.
    pub fn evtx_slots(
        &self,
        i: usize,
    ) -> Option<(u32, impl Iterator<Item = (Sym, ingest::evtx::Slot)> + '_)> {
        let (src, r) = self.rec(i)?;
        let stored = src.kind.evtx()?;
        let shape = stored.shape_id(r.event.aux)?;
        Some((shape, stored.slots(r.event.aux)))
    }

    /// The one-line summary of event `i`.
    pub fn message(&self, i: usize) -> String {
        let f = self.fields(i);
        match f.get(Norm::Message) {
            Some(m) => m.to_owned(),
            None => generic_message(&f),
        }
    }

    /// The raw record: EVTX XML re-read from the file, or the original line.
    pub fn raw_record(&self, i: usize) -> String {
        self.rec(i)
            .map(|(src, r)| src.kind.raw_record(r))
            .unwrap_or_default()
    }

    /// Event `i`'s tag is its parsed `event_id` when it has one (see
    /// `ingest::Kind::tag_is_event_id`).
    pub fn tag_is_event_id(&self, i: usize) -> bool {
        self.source_of(i).is_some_and(|s| s.kind.tag_is_event_id())
    }

    /// Raw bytes of a text record (empty for EVTX), for searches over the raw text.
    pub fn raw_bytes(&self, i: usize) -> &[u8] {
        self.rec(i)
            .map(|(src, r)| src.kind.raw_line(r))
            .unwrap_or(&[])
    }

    /// Stable identity (**contract**).
    pub fn key(&self, i: usize) -> Option<EventKey> {
        let (src, r) = self.rec(i)?;
        Some(EventKey {
            sha256: self.sha256_of(i)?.to_owned(),
            locator: src.kind.locator(r.event),
            ts: r.event.ts,
        })
    }

    /// The SHA-256 of the evidence event `i` was read from (its key's), borrowed.
    pub fn sha256_of(&self, i: usize) -> Option<&str> {
        let (src, r) = self.rec(i)?;
        Some(src.kind.origin_sha256(r).unwrap_or(&src.report.sha256))
    }

    /// Appends the locator of event `i` in its evidence (its key's) to `out`; nothing
    /// for a row that is not an event.
    pub fn write_locator(&self, i: usize, out: &mut String) {
        if let Some((src, r)) = self.rec(i) {
            src.kind.write_locator(r.event, out);
        }
    }

    /// RFC 3339 time of event `i`; for times outside the representable range, the
    /// record's own text of it (EVTX SystemTime).
    pub fn time_text(&self, i: usize) -> String {
        match self.events.get(i) {
            Some(e) if e.flags.bad_time() && e.ts == i64::MIN => self
                .rec(i)
                .and_then(|(src, r)| src.kind.written_time(r))
                .unwrap_or_else(|| format_rfc3339(e.ts)),
            Some(e) => format_rfc3339(e.ts),
            None => String::new(),
        }
    }

    /// The table's marker for event `i` when it has no annotation marker: `~` for a
    /// record carved from slack space (`recovered:true`). A bad time shows in the time
    /// column itself.
    pub fn flag_marker(&self, i: usize) -> Option<&'static str> {
        self.events
            .get(i)
            .filter(|e| e.flags.recovered())
            .map(|_| "~")
    }

    /// What the record flags of event `i` mean, for the detail pane.
    pub fn flag_note(&self, i: usize) -> Option<String> {
        let f = self.events.get(i)?.flags;
        let mut v = Vec::new();
        if f.recovered() {
            v.push("carved from slack space (recovered:true)");
        }
        if f.bad_time() {
            v.push("time before 1990, in the future or unreadable (bad_time)");
        }
        (!v.is_empty()).then(|| v.join("; "))
    }

    /// Index of the first event at or after `ts`.
    pub fn lower_bound(&self, ts: i64) -> usize {
        self.events.partition_point(|e| e.ts < ts)
    }

    /// Heap use by part, for memory reports: (events, arena, strings, shapes count).
    pub fn heap_parts(&self) -> (usize, usize, usize, usize) {
        (
            self.events.capacity() * std::mem::size_of::<Event>(),
            self.sources.iter().map(|s| s.kind.heap_bytes()).sum(),
            self.strings.heap_bytes(),
            self.sources.iter().map(|s| s.kind.shape_count()).sum(),
        )
    }

    /// Approximate heap use of the index (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        self.events.capacity() * std::mem::size_of::<Event>()
            + self
                .sources
                .iter()
                .map(|s| s.kind.heap_bytes())
                .sum::<usize>()
            + self.strings.heap_bytes()
    }
}

fn sort_key(e: &Event) -> (i64, u16, u64) {
    (e.ts, e.source, e.loc)
}

/// Merges sorted `tail` into sorted `events`, from the back, so that only events after
/// the first tail event's place move (keys are unique: the result equals a full sort).
fn merge_sorted_tail(events: &mut Vec<Event>, tail: Vec<Event>) {
    // Events of the prefix that sort before every tail event stay where they are.
    let first = match tail.first() {
        Some(t) => events.partition_point(|e| sort_key(e) < sort_key(t)),
        None => return,
    };
    let moved: Vec<Event> = events.split_off(first);
    events.reserve(moved.len() + tail.len());
    let (mut a, mut b) = (moved.into_iter().peekable(), tail.into_iter().peekable());
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => sort_key(x) < sort_key(y),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_a { a.next() } else { b.next() };
        events.extend(next);
    }
}

/// "k=v k=v" from the first fields, for events without a message.
pub fn generic_message(f: &Fields<'_>) -> String {
    let mut s = String::new();
    for (k, v) in f.raw.iter().take(8) {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(k);
        s.push('=');
        s.push_str(v);
        if s.len() > 300 {
            break;
        }
    }
    s
}

/// Loads every path into a sorted timeline (the headless path: all at once, sources in
/// discovery order). Returns the paths passed over (unreadable, or not regular files)
/// with their reasons.
pub fn load_paths(
    paths: &[std::path::PathBuf],
    opts: &ingest::Options,
    progress: &ingest::Progress,
) -> (Timeline, Vec<ingest::discover::Skipped>) {
    let ingest::discover::Discovery {
        mut found,
        skipped: mut errors,
    } = ingest::discover::discover_all(paths);
    errors.extend(ingest::parquet::skip_partitions(
        &mut found,
        opts.pushdown.as_ref(),
    ));
    let (tx, rx) = std::sync::mpsc::channel();
    let mut slots: Vec<Option<Loaded>> = (0..found.len()).map(|_| None).collect();
    let mut t = Timeline::new();
    let mut next = 0;
    std::thread::scope(|s| {
        s.spawn(|| ingest::load_all(&found, opts, progress, tx));
        for (i, l) in rx {
            if let Some(slot) = slots.get_mut(i) {
                *slot = Some(l);
            }
            // Sources join in discovery order (deterministic ids) as soon as they can,
            // so each one's own strings are freed early instead of all held at once.
            while let Some(l) = slots.get_mut(next).and_then(Option::take) {
                let big = l.batch.events.len() >= 10_000;
                t.add(l);
                if big {
                    ingest::mmap::release_freed_memory();
                }
                next += 1;
            }
        }
    });
    t.sort();
    t.shrink();
    ingest::mmap::release_freed_memory();
    (t, errors)
}

#[cfg(test)]
mod merge_tests {
    use super::testing::test_source;
    use super::*;

    /// Interleaved times, equal times across sources, and out-of-order lines.
    fn source_text(k: usize) -> String {
        (0..300)
            .map(|i| {
                let s = (i * 7 + k * 13) % 97 + if i % 50 == 0 { 200 } else { 0 };
                format!("2022-01-01T00:{:02}:{:02}Z|h{k}|1|m{i}|\n", s / 60, s % 60)
            })
            .collect()
    }

    /// The TUI merges on its UI thread while ingest keeps every pool thread busy: that
    /// sort must not wait for the pool (a parallel sort there froze the screen).
    #[test]
    fn sort_here_does_not_wait_for_a_busy_pool() {
        let mut t = Timeline::new();
        t.add(test_source("a", &source_text(0)));
        t.sort();
        // Past the size a parallel sort does on the calling thread alone.
        let many: String = (0..20_000)
            .map(|i| format!("2022-01-01T00:00:{:02}.{:06}Z|h|1|m|\n", (i * 7) % 60, i))
            .collect();
        t.add(test_source("b", &many));
        let (release, held) = std::sync::mpsc::channel::<()>();
        let held = std::sync::Arc::new(std::sync::Mutex::new(held));
        for _ in 0..rayon::current_num_threads() {
            let held = held.clone();
            rayon::spawn(move || {
                if let Ok(rx) = held.lock() {
                    // Capped, so that a failing test ends.
                    let _ = rx.recv_timeout(std::time::Duration::from_secs(10));
                }
            });
        }
        let t0 = std::time::Instant::now();
        t.sort_here();
        let took = t0.elapsed();
        drop(release);
        assert!(took < std::time::Duration::from_secs(5), "{took:?}");
        assert!(t.events.is_sorted_by_key(sort_key));
    }

    /// The first source's events become the index without a copy (a copy doubled the
    /// peak memory per event of a single large log).
    #[test]
    fn first_source_events_are_moved_not_copied() {
        let l = test_source("s0", &source_text(0));
        let ptr = l.batch.events.as_ptr();
        let mut t = Timeline::new();
        t.add(l);
        assert_eq!(t.events.as_ptr(), ptr);
        t.add(test_source("s1", &source_text(1)));
        assert_eq!(t.len(), 600);
    }

    #[test]
    fn streaming_merges_equal_one_full_sort() {
        let texts: Vec<String> = (0..5).map(source_text).collect();
        let mut once = Timeline::new();
        for (k, text) in texts.iter().enumerate() {
            once.add(test_source(&format!("s{k}"), text));
        }
        once.sort();
        assert!(once.events.is_sorted_by_key(sort_key));
        // One source at a time, sorted after each (the TUI), and two at once.
        let mut step = Timeline::new();
        for (k, text) in texts.iter().enumerate() {
            step.add(test_source(&format!("s{k}"), text));
            if k != 2 {
                step.sort();
                assert!(step.events.is_sorted_by_key(sort_key), "after source {k}");
            }
        }
        assert_eq!(step.events, once.events);
        assert_eq!(step.len(), 5 * 300);
    }

    #[test]
    fn merge_keeps_prefix_and_handles_empty_sides() {
        let ev = |ts: i64, loc: u64| Event {
            ts,
            loc,
            aux: 0,
            source: 0,
            flags: crate::model::EventFlags::NONE,
            host: Sym::EMPTY,
            tag: Sym::EMPTY,
        };
        let mut v = vec![ev(1, 0), ev(3, 0), ev(5, 0)];
        merge_sorted_tail(&mut v, Vec::new());
        assert_eq!(v.len(), 3);
        merge_sorted_tail(&mut v, vec![ev(0, 0), ev(4, 0), ev(9, 0)]);
        let ts: Vec<i64> = v.iter().map(|e| e.ts).collect();
        assert_eq!(ts, [0, 1, 3, 4, 5, 9]);
        let mut empty = Vec::new();
        merge_sorted_tail(&mut empty, vec![ev(2, 1), ev(2, 2)]);
        assert_eq!(empty.len(), 2);
    }
}

#[cfg(test)]
mod fields_into_tests {
    use super::*;

    /// One buffer reused for every event of the sample (EVTX, EDR, firewall) reads
    /// each event exactly as a fresh buffer does, in each of the three modes.
    #[test]
    fn a_reused_buffer_reads_every_event_as_a_fresh_one() {
        let (t, _) = load_paths(
            &[crate::testutil::samples()],
            &ingest::Options::default(),
            &ingest::Progress::default(),
        );
        assert!(t.len() > 1000);
        let modes: [fn() -> Fields<'static>; 3] =
            [Fields::new, Fields::without_message, Fields::lean];
        for mode in modes {
            let mut buf = mode();
            for i in 0..t.len() {
                t.fields_into(i, &mut buf);
                let mut fresh = mode();
                t.fields_into(i, &mut fresh);
                assert_eq!(format!("{buf:?}"), format!("{fresh:?}"), "event {i}");
            }
        }
        // `fields_for` is the fresh read of the first two modes.
        let i = t.len() / 2;
        let mut via = Fields::without_message();
        t.fields_into(i, &mut via);
        assert_eq!(format!("{via:?}"), format!("{:?}", t.fields_for(i, false)));
    }
}
