//! Firewall line formats with their own grammar (ASA, netfilter/journal, SRX).
//! First byte: which format of `vigil::fuzzing::FIREWALL_LINES` (one more: sniffing) and the zone;
//! the rest: the file. See `vigil::fuzzing::text_family`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = vigil::fuzzing::text_family(vigil::fuzzing::FIREWALL_LINES, data) {
        panic!("{e}");
    }
});
