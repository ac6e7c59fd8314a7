//! A case file and its journal (split at the first NUL byte), opened and saved again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = vigil::fuzzing::case(data) {
        panic!("{e}");
    }
});
