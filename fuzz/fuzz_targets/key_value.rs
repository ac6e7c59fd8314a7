//! key=value firewall formats (FortiGate, Sophos XG, Check Point).
//! First byte: which format of `vigil::fuzzing::KEY_VALUE` (one more: sniffing) and the zone;
//! the rest: the file. See `vigil::fuzzing::text_family`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = vigil::fuzzing::text_family(vigil::fuzzing::KEY_VALUE, data) {
        panic!("{e}");
    }
});
