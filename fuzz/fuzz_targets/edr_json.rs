//! The JSON EDR readers (arrays, NDJSON, wrapped objects).
//! First byte: which format of `vigil::fuzzing::EDR_JSON` (one more: sniffing) and the zone;
//! the rest: the file. See `vigil::fuzzing::text_family`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = vigil::fuzzing::text_family(vigil::fuzzing::EDR_JSON, data) {
        panic!("{e}");
    }
});
