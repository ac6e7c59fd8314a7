//! A whole EVTX file through vigil's ingest (full and index-only), timeline and views.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = vigil::fuzzing::evtx_file(data) {
        panic!("{e}");
    }
});
