//! The CSV EDR readers (Defender and SentinelOne exports with a header).
//! First byte: which format of `vigil::fuzzing::EDR_CSV` (one more: sniffing) and the zone;
//! the rest: the file. See `vigil::fuzzing::text_family`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = vigil::fuzzing::text_family(vigil::fuzzing::EDR_CSV, data) {
        panic!("{e}");
    }
});
