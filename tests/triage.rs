//! `vigil triage` on the bundled sample: ranked candidates as JSON lines and Markdown, an
//! existing output refused, and a case file's reviews shown beside their candidates.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use vigil::model::EventKey;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn vigil(args: &[&str], paths: &[&Path]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    c.env("VIGIL_RULES", "").args(args);
    for p in paths {
        c.arg(p);
    }
    c.output().unwrap()
}

fn jsonl(p: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn triage_ranks_refuses_to_overwrite_and_shows_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.jsonl");
    let o = vigil(
        &["triage", "-F", "jsonl", "-o", out.to_str().unwrap()],
        &[&samples()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = jsonl(&out);
    assert!(rows.len() >= 25, "{} candidates", rows.len());
    let scores: Vec<f64> = rows.iter().map(|r| r["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first");
    assert!(rows.iter().any(|r| r["what"] == "tamper:log-cleared"));
    assert!(
        rows.iter()
            .any(|r| r["candidate"].as_str().unwrap().starts_with("sigma:"))
    );
    assert!(rows.iter().all(|r| r["review"].is_null()));

    // The output exists now: refused, left as it was.
    let before = std::fs::read(&out).unwrap();
    let again = vigil(
        &["triage", "-F", "jsonl", "-o", out.to_str().unwrap()],
        &[&samples()],
    );
    assert!(!again.status.success());
    assert_eq!(std::fs::read(&out).unwrap(), before);

    // Dismiss the first candidate in a case; triage with the case says so.
    let case_path = dir.path().join("c.vigil.json");
    let key: EventKey = serde_json::from_value(rows[0]["key"].clone()).unwrap();
    let cand = rows[0]["candidate"].as_str().unwrap();
    let (mut case, _) = vigil::Case::open(&case_path, "ann").unwrap();
    case.dismiss(key, cand).unwrap();
    case.save().unwrap();
    drop(case);
    let md = dir.path().join("c.md");
    let o = vigil(
        &[
            "triage",
            "--case",
            case_path.to_str().unwrap(),
            "-o",
            md.to_str().unwrap(),
        ],
        &[&samples()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 reviewed"));
    let text = std::fs::read_to_string(&md).unwrap();
    let first = text.lines().find(|l| l.starts_with("| 1 |")).unwrap();
    assert!(first.contains("dismissed by ann"), "{first}");
    assert_eq!(text.matches("dismissed by").count(), 1);
}
