//! The filter language: first byte the zone of naive times, then the query text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = vigil::fuzzing::query(data) {
        panic!("{e}");
    }
});
