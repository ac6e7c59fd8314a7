use std::time::Instant;
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let data = std::fs::read(&p).unwrap();
    let mut best = [f64::MAX; 3];
    for _ in 0..15 {
        let t = Instant::now();
        let mut r = vigil::ingest::SourceReport::default();
        let b = vigil::ingest::evtx::load(&data, &mut r);
        best[0] = best[0].min(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        use sha2::Digest;
        let _ = sha2::Sha256::digest(&data);
        best[1] = best[1].min(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let mut tl = vigil::timeline::Timeline::new();
        let _ = b.events.len();
        drop(tl.strings.absorb(b.strings));
        best[2] = best[2].min(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "evtx::load {:.2} ms, sha {:.2} ms, absorb {:.2} ms",
        best[0], best[1], best[2]
    );
}
