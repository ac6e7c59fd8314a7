//! EDR export formats (DESIGN §9 format ids). Each format file exports `DEF` and is
//! registered below; what they share lives beside them: `time` (every time form), `json` (record splitting and
//! flattening), `csv` (record ranges and fields), `norm` (lookups, time choice, the summary line, generic parsers).

mod csv;
mod eventxml;
pub(crate) mod json;
mod norm;
pub mod time;

#[cfg(test)]
mod testutil;

// The registered EDR formats (after the firewall ones; see `formats!`).
super::formats![
    winjson,
    mde,
    crowdstrike,
    ecs,
    velociraptor,
    sentinelone,
    carbonblack,
    mapped,
];
