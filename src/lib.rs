//! vigil: a terminal incident-timeline and forensics viewer.
//!
//! The engine (`model`, `ingest`, `timeline`, `query`, `case`, `export`, `output`) never
//! touches the terminal; `tui` is the only module that does. `sanitize` makes log content
//! safe for any terminal output (the TUI and the plain-text commands).

pub mod case;
pub mod commands;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod ingest;
pub mod model;
pub mod output;
pub mod query;
pub mod sample;
pub mod sanitize;
#[cfg(test)]
pub(crate) mod testutil;
pub mod timeline;
pub mod tui;
