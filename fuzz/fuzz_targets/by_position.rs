//! W3C `#Fields:` and CSV-by-position firewall formats (Windows Firewall, pf filterlog, PAN-OS).
//! First byte: which format of `vigil::fuzzing::BY_POSITION` (one more: sniffing) and the zone;
//! the rest: the file. See `vigil::fuzzing::text_family`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = vigil::fuzzing::text_family(vigil::fuzzing::BY_POSITION, data) {
        panic!("{e}");
    }
});
