//! EDR export formats (DESIGN §9 format ids).

use super::FormatDef;

/// Registered EDR formats.
pub const FORMATS: &[&FormatDef] = &[];
