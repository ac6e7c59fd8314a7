//! Any JSON/NDJSON/CSV export read through a `--map` mapping file (format `mapped`).
//! First byte: the zone (high nibble); then the mapping JSON, a NUL byte and the file.
//! See `vigil::fuzzing::edr_mapped`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = vigil::fuzzing::edr_mapped(data) {
        panic!("{e}");
    }
});
