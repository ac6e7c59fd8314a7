//! The syslog envelope of the last lines a thread read, kept so that a line repeating
//! their bytes is not parsed again (see [`Last`]).

use super::{Header, Looked, Then, tag};
use crate::ingest::firewall::kept::Kept;
use crate::ingest::firewall::stamp::{self, Civil};

/// The envelopes of the last lines a thread read that opened with their time (most
/// lines of a log). The next line in time order mostly repeats the bytes of one of them
/// but for the seconds' fraction: the same bytes up to the fraction, and from after it to
/// where the parse stopped looking, give the same envelope. What follows the stamp is
/// read relative to where it ends, and the fraction is read again by the stamp readers'
/// own `fraction`. The stamp is one per second; the rest is one of a few hosts and tags,
/// interleaved line by line, so it has a few slots. (The stamp readers' own memo answers
/// for the stamp only; the head here also stands for the path the parse took to it.)
pub(super) struct Last {
    /// The line up to the end of its seconds, where a fraction may follow.
    head: Kept<4>,
    civil: Civil,
    no_year: bool,
    /// An ISO stamp (then only zoned tails follow it).
    zoned: bool,
    tails: [Tail; 8],
    /// The slot the next tail kept replaces.
    evict: usize,
    /// Lookups missed in a row, and lines left before the memo is tried again: more
    /// hosts or shapes interleaved than there are slots would miss on every line and pay
    /// the lookup and the keeping for nothing.
    misses: u16,
    off_for: u16,
}

/// Misses in a row that turn the memo off, and for how many lines (tests turn it off
/// and on often, so that their lines meet it in every state).
const MISSES_OFF: u16 = if cfg!(test) { 6 } else { 32 };
const OFF_FOR: u16 = if cfg!(test) { 5 } else { 4096 };

/// The bytes from the end of a stamp's fraction to where the parse stopped looking, and
/// what they said.
#[derive(Clone, Copy)]
struct Tail {
    bytes: Kept<6>,
    offset: Option<i32>,
    /// `(start, len)` of host, app and pid within `bytes`.
    parts: [(u8, u8); 3],
    /// What follows, at a position within the line from `bytes` on.
    next: Next,
    /// Read after an ISO stamp, whose zone it holds (a BSD stamp has none).
    zoned: bool,
}

/// The message starts at a position, or the tag is read from one.
#[derive(Clone, Copy)]
enum Next {
    Msg(u8),
    Tag(u8),
}

impl Tail {
    const NONE: Tail = Tail {
        bytes: Kept::NONE,
        offset: None,
        parts: [(0, 0); 3],
        next: Next::Msg(0),
        zoned: false,
    };
}

thread_local! {
    static LAST: std::cell::RefCell<Last> = const {
        std::cell::RefCell::new(Last {
            head: Kept::NONE,
            civil: Civil { y: 0, mo: 0, d: 0, h: 0, mi: 0, s: 0, ns: 0 },
            no_year: false,
            zoned: false,
            tails: [Tail::NONE; 8],
            evict: 0,
            misses: 0,
            off_for: 0,
        })
    };
}

impl Last {
    /// The envelope of `line` into `h` if kept; else whether to keep the line's.
    pub(super) fn hit<'a>(line: &'a [u8], h: &mut Header<'a>) -> Result<(), bool> {
        LAST.with_borrow_mut(|m| {
            if m.off_for > 0 {
                m.off_for -= 1;
                return Err(false);
            }
            if m.find(line, h).is_some() {
                m.misses = 0;
                return Ok(());
            }
            m.misses += 1;
            if m.misses >= MISSES_OFF {
                (m.misses, m.off_for) = (0, OFF_FOR);
            }
            Err(true)
        })
    }

    /// Fills `h` when `line` repeats a kept head and tail (`h` untouched otherwise).
    #[inline(always)]
    fn find<'a>(&self, line: &'a [u8], h: &mut Header<'a>) -> Option<()> {
        if !self.head.opens(line) {
            return None;
        }
        let head = self.head.len();
        // The stamp readers read the fraction (or its absence) with this.
        let (ns, used) = stamp::fraction(line, head);
        let rest = line.get(head + used..)?;
        let t = self
            .tails
            .iter()
            .find(|t| t.bytes.len() > 0 && t.zoned == self.zoned && t.bytes.opens(rest))?;
        let part = |(s, n): (u8, u8)| &rest[usize::from(s)..usize::from(s) + usize::from(n)];
        *h = Header {
            civil: Some(Civil { ns, ..self.civil }),
            offset: t.offset,
            no_year: self.no_year,
            host: part(t.parts[0]),
            app: part(t.parts[1]),
            pid: part(t.parts[2]),
            ..Header::default()
        };
        match t.next {
            Next::Tag(at) => tag(h, &rest[usize::from(at)..]),
            Next::Msg(at) => h.msg = &rest[usize::from(at)..],
        }
        Some(())
    }

    /// Keeps `h`, read from `line` as `looked` says. When the tag was found, the message
    /// follows its separator and the tag is kept too.
    pub(super) fn remember(line: &[u8], looked: Looked, h: &Header<'_>) {
        let Some(civil) = h.civil else { return };
        let Looked {
            end,
            key_end,
            then,
            zoned,
        } = looked;
        let base = line.as_ptr() as usize;
        let msg_at = (h.msg.as_ptr() as usize).wrapping_sub(base);
        if msg_at > line.len() {
            return;
        }
        let (key_end, tag_next, at) = match then {
            Then::Tag(_) if !h.app.is_empty() => (msg_at, false, msg_at),
            Then::Tag(at) => (key_end, true, at),
            Then::Msg => (key_end, false, msg_at),
        };
        // The stamp readers end with `HH:MM:SS[.frac]`: digits right before `end` that
        // follow a `.` or `,` are the fraction, else they are the seconds.
        let digits = line[..end]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let frac = digits > 0 && matches!(line.get(end - digits - 1), Some(b'.' | b','));
        let head_len = if frac { end - digits - 1 } else { end };
        let Some(tail) = line.get(end..key_end) else {
            return;
        };
        if at < end || at > key_end {
            return;
        }
        let (Some(head), Some(bytes)) = (Kept::new(&line[..head_len]), Kept::new(tail)) else {
            return;
        };
        let rel = |s: &[u8]| -> Option<(u8, u8)> {
            if s.is_empty() {
                return Some((0, 0));
            }
            let at = (s.as_ptr() as usize).checked_sub(base + end)?;
            (at + s.len() <= tail.len()).then_some((at as u8, s.len() as u8))
        };
        let (Some(host), Some(app), Some(pid)) = (rel(h.host), rel(h.app), rel(h.pid)) else {
            return;
        };
        let t = Tail {
            bytes,
            offset: h.offset,
            parts: [host, app, pid],
            next: match ((at - end) as u8, tag_next) {
                (at, true) => Next::Tag(at),
                (at, false) => Next::Msg(at),
            },
            zoned,
        };
        LAST.with_borrow_mut(|m| {
            if m.head != head {
                m.head = head;
                m.civil = Civil { ns: 0, ..civil };
                m.no_year = h.no_year;
                m.zoned = zoned;
            }
            // A tail already kept (its line missed on the head) is not kept twice.
            if !m
                .tails
                .iter()
                .any(|k| k.bytes == t.bytes && k.zoned == t.zoned)
            {
                let i = m.evict;
                m.tails[i] = t;
                m.evict = (i + 1) % m.tails.len();
            }
        });
    }
}

/// The memo answers as the parse, whatever the thread read before.
#[cfg(test)]
mod tests {
    use super::super::*;
    use proptest::prelude::*;

    const LINES: [&str; 19] = [
        "2026-03-13T05:07:25.006476+01:00 fw-dmz kernel: [1.5] [UFW BLOCK] IN=e SRC=1.2.3.4",
        "2026-03-13T05:07:25.1+01:00 edge-gw kernel: m",
        "2026-03-13T05:07:25Z h app[12]: m",
        "2026-03-13 05:07:25,5 h filterlog: 5,,,",
        "2026-03-13T05:07:25.006476+01:00 h date=2020 time=1",
        "2026-03-13T05:07:25 pan 1,2023/07/06",
        "2026-03-13T05:07:25.5+01:00 h kernel:",
        "2026-03-13T05:07:25.5+01:00 h kernel: ",
        "Mar 13 05:07:25 fw-dmz kernel: [1.5] x",
        "Mar 13 05:07:25.25 h app[1]: x",
        "Mar 13 05:07:25 filterlog: 53,,,",
        "Oct 10 2018 12:34:56 localhost CiscoASA[999]: %ASA-6: Built",
        "Sat Nov 28 10:00:01 2026 kern.warn kernel: x",
        "<134>1 2022-09-06T18:37:34+02:00 opnsense filterlog 69805 - - 10,,,",
        "Sep 23 13:54:55 relay junos-flow: 2017-09-23T13:54:54.803Z srx1 RT_FLOW - X - m",
        "2026-03-13T05:07:25.006476+01:00 h k: 2026-03-13T05:07:25Z x y z - m",
        "Mar 01 2024 10:00:00: %ASA-4-106023: Deny",
        "2026-03-13T05:07:25Z 1,2023/07/06,x",
        "Mar 13 05:07:25 h\tk[1]:\tx",
    ];

    fn variant() -> impl Strategy<Value = Vec<u8>> {
        crate::ingest::firewall::tests::mutated(&LINES, b"0123456789 :-/.,TZ+[]ah=%\t")
    }

    type View<'a> = (Option<Civil>, Option<i32>, bool, [&'a [u8]; 6]);

    fn view<'a>(h: Option<Header<'a>>) -> Option<View<'a>> {
        h.map(|h| {
            let parts = [h.host, h.app, h.pid, h.msgid, h.sd, h.msg];
            (h.civil, h.offset, h.no_year, parts)
        })
    }

    /// What follows an ISO stamp is read after its zone, what follows a BSD one is
    /// not: a kept tail answers for stamps of its own kind only.
    #[test]
    fn a_tail_kept_after_a_bsd_stamp_does_not_answer_for_an_iso_one() {
        let bsd = parse(b"Mar 13 05:07:25Z h app[12], m").unwrap();
        assert_eq!((bsd.offset, bsd.host), (None, &b"Z"[..]));
        for line in [
            &b"2026-03-13T05:07:25Z h app[12], m"[..],
            b"2026-03-13T05:07:25Z h app[12], n",
        ] {
            let iso = parse(line).unwrap();
            assert_eq!((iso.offset, iso.host), (Some(0), &b"h"[..]));
        }
    }

    /// More hosts interleaved than the memo keeps: it misses, turns itself off and on
    /// again, and answers as the parse throughout.
    #[test]
    fn hosts_beyond_the_slots_answer_as_the_parse() {
        for i in 0..400 {
            let line = format!(
                "2026-03-13T05:07:{:02}.{:06}+01:00 host-{:02} kernel: [1.5] IN=e SRC=1.2.3.4",
                i / 50,
                i * 997 % 1_000_000,
                i * 7 % 20 + i / 200
            );
            let b = line.as_bytes();
            let fresh = unmemoized(b);
            assert_eq!(view(parse(b)), view(fresh), "{line}");
        }
    }

    /// The parse without the memo.
    fn unmemoized(b: &[u8]) -> Option<Header<'_>> {
        parse_fresh(b, false).map(|(mut h, _)| {
            relayed(&mut h);
            h
        })
    }

    proptest! {
        // Cheap cases; the memo's state carries over from case to case.
        #![proptest_config(ProptestConfig::with_cases(2048))]
        #[test]
        fn envelope_memo_answers_as_the_parse(seq in prop::collection::vec(variant(), 1..60)) {
            for b in &seq {
                let fresh = unmemoized(b);
                prop_assert_eq!(view(parse(b)), view(fresh));
            }
        }
    }
}
