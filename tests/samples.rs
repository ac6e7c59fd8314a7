//! The bundled sample incident: every file ingests with zero rejects, and it matches what
//! `vigil sample` writes today.
#![cfg(test)] // test code: clippy.toml lets it unwrap, expect and panic

mod common;

use std::path::Path;

#[test]
fn bundled_samples_ingest_without_rejects() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let t = common::load(&[dir]);
    assert!(t.len() > 4_000, "{} events", t.len());
    let mut formats = std::collections::BTreeSet::new();
    for s in &t.sources {
        assert_eq!(s.report.rejected, 0, "{}: {:?}", s.label, s.report.reasons);
        formats.insert(s.report.format.clone());
    }
    for f in [
        "evtx",
        "asa",
        "fortigate",
        "netfilter",
        "mde",
        "crowdstrike",
    ] {
        assert!(formats.contains(f), "{f} missing from {formats:?}");
    }
}

#[test]
fn bundled_samples_are_what_the_generator_writes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let tmp = tempfile::tempdir().unwrap();
    let s = vigil::cli::generate_sample(
        tmp.path(),
        &vigil::cli::GenerateOptions { scale: 1, seed: 7 },
    )
    .unwrap();
    assert!(!s.files.is_empty());
    for (p, _) in &s.files {
        let rel = p.strip_prefix(tmp.path()).unwrap();
        let committed = std::fs::read(dir.join(rel)).unwrap_or_default();
        let fresh = std::fs::read(p).unwrap();
        assert!(
            committed == fresh,
            "samples/{} differs from `vigil sample -o samples`",
            rel.display()
        );
    }
}

/// The evtx crate's own record walk (what its `evtx_dump` CLI runs; called directly so the
/// test needs no installed tool) reads every generated file without an error and with the
/// record count vigil reads.
#[test]
fn the_evtx_crate_reads_the_sample_evtx_files() {
    let files = common::files(&common::samples().join("evtx"), "evtx");
    assert!(files.len() > 10);
    for f in files {
        let mut parser = evtx::EvtxParser::from_path(&f).unwrap();
        let mut records = 0;
        for r in parser.records() {
            if let Err(e) = r {
                panic!("{}: {e}", f.display());
            }
            records += 1;
        }
        let t = common::load(std::slice::from_ref(&f));
        assert_eq!(t.len(), records, "{}", f.display());
    }
}

/// python-evtx (a separate EVTX implementation) reads every generated file with the
/// record count vigil reads (`pip install python-evtx`; `.ci/run` does).
#[test]
fn python_evtx_reads_the_sample_evtx_files() {
    let script = "import sys\nfrom Evtx.Evtx import Evtx\nfor f in sys.argv[1:]:\n    with Evtx(f) as log:\n        print(sum(1 for _ in log.records()))\n";
    let Some(python) = common::python_with("Evtx") else {
        return;
    };
    let files = common::files(&common::samples().join("evtx"), "evtx");
    assert!(files.len() > 10);
    let mut args: Vec<std::ffi::OsString> = vec!["-c".into(), script.into()];
    args.extend(files.iter().map(|f| f.clone().into_os_string()));
    let out = common::python_ok(&python, &args);
    let counts: Vec<usize> = String::from_utf8_lossy(&out)
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(counts.len(), files.len());
    for (f, n) in files.iter().zip(counts) {
        let t = common::load(std::slice::from_ref(f));
        assert_eq!(t.len(), n, "{}", f.display());
    }
}
