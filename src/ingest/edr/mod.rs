//! EDR export formats (DESIGN §9 format ids). Each format file exports `DEF`; what they
//! share lives beside them: `time` (every time form), `json` (record splitting and
//! flattening), `csv` (record ranges and fields), `norm` (lookups, time choice, the summary line, generic parsers).

use super::FormatDef;

pub mod carbonblack;
pub mod crowdstrike;
mod csv;
pub mod ecs;
mod eventxml;
pub(crate) mod json;
pub mod mapped;
pub mod mde;
mod norm;
pub mod sentinelone;
pub mod time;
pub mod velociraptor;
pub mod winjson;

#[cfg(test)]
mod testutil;

/// Registered EDR formats.
pub const FORMATS: &[&FormatDef] = &[
    &winjson::DEF,
    &mde::DEF,
    &crowdstrike::DEF,
    &ecs::DEF,
    &velociraptor::DEF,
    &sentinelone::DEF,
    &carbonblack::DEF,
    &mapped::DEF,
];
