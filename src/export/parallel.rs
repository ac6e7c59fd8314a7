//! Lines rendered in blocks on the rayon pool and written in order: a producer thread
//! renders a round of blocks at a time (`par_chunks`) and hands them over a bounded
//! channel; the caller's thread writes them as they come (the writer never leaves it:
//! stdout's lock is not `Send`). At most two rounds of blocks exist at once, so memory
//! stays bounded whatever the export's size.

use super::annotated::Item;
use super::{Format, Lines, write_items};
use rayon::prelude::*;
use std::io::{self, Write};
use std::sync::mpsc;

/// Lines per block: enough work to dwarf the hand-off, few enough that the blocks in
/// flight (a few per thread) stay a few MB.
pub(super) const BLOCK: usize = 1024;

/// Writes the lines of `items` to `out` as [`write_items`] over all of them would, rendered
/// `block` lines at a time in parallel.
pub(super) fn write<W: Write + ?Sized>(
    format: Format,
    cx: &Lines<'_>,
    items: &[Item],
    out: &mut W,
    block: usize,
) -> io::Result<()> {
    let block = block.max(1);
    let per_round = rayon::current_num_threads().max(1) * 4;
    if items.len() <= block {
        let mut buf = Vec::new();
        write_items(format, cx, items, &mut buf)?;
        return out.write_all(&buf);
    }
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(per_round);
        s.spawn(move || {
            for round in items.chunks(block * per_round) {
                let blocks: Vec<io::Result<Vec<u8>>> = round
                    .par_chunks(block)
                    .map(|lines| {
                        let mut buf = Vec::with_capacity(lines.len() * 512);
                        write_items(format, cx, lines, &mut buf).map(|_| buf)
                    })
                    .collect();
                for b in blocks {
                    let failed = b.is_err();
                    // The writer stopped (an error): nothing more is wanted.
                    if tx.send(b).is_err() || failed {
                        return;
                    }
                }
            }
        });
        for b in rx {
            out.write_all(&b?)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::super::annotated::{Annotated, MissingLines, plan};
    use super::super::{Format, Lines, oracle};
    use crate::case::{Annotation, Case, CaseMarks, Kind, Severity};
    use crate::timeline::Timeline;

    fn annotate(t: &Timeline, i: usize, kind: Kind, tags: &[&str], note: &str) -> Annotation {
        let mut a = super::super::tests::annotate(t, i, kind, "tester", 1_000 + i as i64);
        a.tags = tags.iter().map(|t| t.to_string()).collect();
        a.note = note.into();
        a.severity = Some(Severity::High);
        a
    }

    /// Every format through the parallel writer, for 1 and 3 threads and several block
    /// sizes, against the serial `Map`-based writer it replaced.
    fn check_against_serial(t: &Timeline, cx: &Lines<'_>, items: &[super::Item]) {
        for format in Format::LINES {
            let mut serial = Vec::new();
            oracle::write_items(format, cx, items, &mut serial).unwrap();
            assert!(!serial.is_empty());
            for threads in [1, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                for block in [1, 7, 100, super::BLOCK, items.len() + 1] {
                    let mut out = Vec::new();
                    pool.install(|| super::write(format, cx, items, &mut out, block))
                        .unwrap();
                    if out != serial {
                        let (a, b) = (
                            String::from_utf8_lossy(&out),
                            String::from_utf8_lossy(&serial),
                        );
                        let at = a.lines().zip(b.lines()).position(|(x, y)| x != y);
                        let line = at.map(|n| (a.lines().nth(n), b.lines().nth(n)));
                        panic!("{format}, {threads} threads, blocks of {block}: {line:?}");
                    }
                }
            }
        }
        let _ = t;
    }

    /// The sample incident (EVTX, firewall, EDR) with the built-in Sigma rules and a case
    /// whose annotations sit on detected and undetected events (tags that repeat a rule's
    /// `sigma:` tag included), plus an annotated event whose evidence is missing.
    #[test]
    fn parallel_blocks_write_the_serial_bytes_on_the_samples() {
        let t = crate::timeline::load_paths(
            &[crate::testutil::samples()],
            &crate::ingest::Options {
                threads: 2,
                ..Default::default()
            },
            &crate::ingest::Progress::default(),
        )
        .0;
        assert!(t.len() > 2000, "{}", t.len());
        let ro = crate::detect::RuleOptions {
            dirs: Vec::new(),
            ..Default::default()
        };
        let (rules, _) = crate::detect::RuleSet::load(&ro).unwrap();
        let hits = crate::detect::hunt::detect_with_progress(&t, &rules);
        let det = crate::detect::Detected {
            rules: &rules,
            hits: &hits,
        };
        let hit_rows: Vec<usize> = (0..t.len()).filter(|&i| !hits.of(i).is_empty()).collect();
        assert!(hit_rows.len() > 5, "{}", hit_rows.len());
        let dir = tempfile::tempdir().unwrap();
        let mut case = Case::new(dir.path().join("c.vigil.json"), "tester");
        let first_title = format!(
            "sigma:{}",
            rules.get(hits.of(hit_rows[0])[0]).unwrap().title
        );
        for (n, &i) in hit_rows
            .iter()
            .take(4)
            .chain([&0, &(t.len() / 2)])
            .enumerate()
        {
            let tags: &[&str] = if n == 0 {
                &[&first_title, "x"]
            } else {
                &["=a", "b"]
            };
            case.upsert(annotate(&t, i, Kind::Ioc, tags, "+note\n\"q\""))
                .unwrap();
        }
        let mut gone = annotate(&t, 1, Kind::EarlyDetection, &[], "gone");
        gone.key.sha256 = "00".repeat(32);
        case.upsert(gone).unwrap();
        let marks = CaseMarks::new(&case, &t);
        let ann = Annotated::new(&marks, case.file());
        assert!(!marks.missing().is_empty());
        let all = super::super::tests::plan_all(&t, Some(&ann), false);
        let rows = plan(&t, (0..t.len()).collect(), None, false, MissingLines::None);
        for (cx, items) in [
            (
                Lines {
                    timeline: &t,
                    ann: None,
                    det: None,
                },
                &rows,
            ),
            (
                Lines {
                    timeline: &t,
                    ann: Some(&ann),
                    det: Some(&det),
                },
                &all,
            ),
            (
                Lines {
                    timeline: &t,
                    ann: Some(&ann),
                    det: None,
                },
                &all,
            ),
        ] {
            check_against_serial(&t, &cx, items);
        }
    }
}
