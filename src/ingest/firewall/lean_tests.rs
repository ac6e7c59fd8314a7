//! Ingest parses in lean mode (no source fields, no message); the detail view parses the
//! same record in full. Both must agree on everything ingest keeps and on rejects, or the
//! timeline would show events the detail view cannot read (or count different rejects).

use super::FORMATS;
use super::tests::{corpus, sniffed};
use crate::ingest::{ParseCtx, RecordParser};
use crate::model::{Fields, Norm};

/// What ingest and filters rely on: Ok/Err, time and the normalised fields.
fn summary(
    p: &dyn RecordParser,
    rec: &[u8],
    lean: bool,
) -> Result<(i64, Vec<Option<String>>), String> {
    let mut f = if lean { Fields::lean() } else { Fields::new() };
    p.parse(rec, &mut f).map_err(|e| e.into_owned())?;
    let norm = Norm::ALL
        .iter()
        .filter(|&&n| n != Norm::Message)
        .map(|&n| f.get(n).map(str::to_owned))
        .collect();
    Ok((f.ts, norm))
}

/// Variants of a line an attacker or a broken relay could produce.
fn damaged(l: &[u8]) -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    for cut in [l.len() / 3, l.len() / 2, l.len() * 9 / 10] {
        v.push(l[..cut].to_vec());
    }
    for at in [l.len() / 4, l.len() / 2, l.len() * 3 / 4] {
        let mut x = l.to_vec();
        x.insert(at, 0xff);
        v.push(x);
        let mut y = l.to_vec();
        if let Some(c) = y.get_mut(at) {
            *c = b' ';
        }
        v.push(y);
    }
    v
}

fn check_file(path: &std::path::Path) -> usize {
    let data = std::fs::read(path).expect("read");
    let (id, score) = sniffed(&data);
    if score < 50 {
        return 0;
    }
    let def = FORMATS.iter().find(|d| d.id == id).expect("registered");
    let ctx = ParseCtx {
        mtime_year: 2024,
        ..ParseCtx::default()
    };
    let prep = (def.prepare)(&data, &ctx).expect("prepare");
    let mut n = 0;
    for line in data.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
        let mut recs = vec![line.to_vec()];
        recs.extend(damaged(line));
        for r in &recs {
            let full = summary(&*prep.parser, r, false);
            let lean = summary(&*prep.parser, r, true);
            assert_eq!(
                full,
                lean,
                "{} ({id}): lean parse differs on {:?}",
                path.display(),
                String::from_utf8_lossy(r)
            );
            n += 1;
        }
    }
    n
}

#[test]
fn lean_parse_agrees_with_full_parse_on_corpus_and_damage() {
    let mut files = corpus("firewall")
        .map(|dir| crate::testutil::files_below(&dir))
        .unwrap_or_default();
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/firewall");
    if let Ok(rd) = std::fs::read_dir(samples) {
        files.extend(rd.flatten().map(|e| e.path()));
    }
    let checked: usize = files.iter().map(|p| check_file(p)).sum();
    assert!(
        files.is_empty() || checked > 1000,
        "only {checked} records compared"
    );
}

#[test]
fn lean_netfilter_keys_inside_values_do_not_count() {
    // `X=SRC=…` is key X; a bracketed inner packet's `[SRC=` is key `[SRC`.
    let l: &[u8] = b"Jan  2 03:04:05 h kernel: DROP IN=e X=SRC=9.9.9.9 SRC=1.1.1.1 DST=2.2.2.2 PROTO=ICMP [SRC=3.3.3.3 DST=4.4.4.4 ]";
    let ctx = ParseCtx {
        year: Some(2024),
        ..ParseCtx::default()
    };
    let p = super::netfilter::Netfilter::new(l, &ctx);
    let full = summary(&p, l, false).expect("parses");
    assert_eq!(full, summary(&p, l, true).expect("parses"));
    assert_eq!(full.1[Norm::SrcIp as usize].as_deref(), Some("1.1.1.1"));
    let no_src: &[u8] = b"Jan  2 03:04:05 h kernel: DROP IN=e X=SRC=9.9.9.9 DST=2.2.2.2";
    assert!(summary(&p, no_src, true).is_err());
    assert!(summary(&p, no_src, false).is_err());
}
