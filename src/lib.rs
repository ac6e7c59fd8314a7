//! vigil: a terminal incident-timeline and forensics viewer.
//!
//! The engine (`model`, `ingest`, `timeline`, `query`, `case`, `export`) never touches the
//! terminal; `tui` is the only module that does.

pub mod case;
pub mod commands;
pub mod detect;
pub mod export;
pub mod ingest;
pub mod model;
pub mod query;
pub mod sample;
pub mod timeline;
pub mod tui;
