//! One EVTX chunk (the input, zero-padded to 64 KiB) behind a valid file header.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = vigil::fuzzing::evtx_chunk(data) {
        panic!("{e}");
    }
});
