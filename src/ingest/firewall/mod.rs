//! Firewall log formats (DESIGN §9 format ids).

use super::FormatDef;

/// Registered firewall formats.
pub const FORMATS: &[&FormatDef] = &[];
