//! vigil: a terminal incident-timeline and forensics viewer.
//!
//! The engine (`model`, `ingest`, `timeline`, `query`, `case`, `export`, `output`) never
//! touches the terminal; `tui` is the only module that does. `sanitize` makes log content
//! safe for any terminal output (the TUI and the plain-text commands).
//!
//! The public surface: the engine modules below, [`cli`] (what the `vigil` binary runs:
//! the subcommands, their exit codes and the TUI), and two doc-hidden doors for code
//! outside the crate that drives internals: `TuiHarness` (benchmarks) and `fuzzing` (the
//! fuzz targets' facade, `src/fuzzing.rs`, declared here as `#[doc(hidden)] pub mod`). The TUI's parts, the subcommands'
//! helpers, the sample generator and the per-format parsers are crate-private.

pub mod case;
pub(crate) mod commands;
pub mod detect;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod ingest;
pub mod model;
pub mod output;
pub mod query;
pub(crate) mod sample;
pub mod sanitize;
#[cfg(test)]
pub(crate) mod testutil;
pub mod timeline;
pub(crate) mod tui;

pub use case::{Case, CaseFile};
pub use export::Format;
pub use model::TzSpec;
pub use query::{Query, QueryError};
pub use timeline::Timeline;

/// What the `vigil` binary runs: the subcommands (exit codes as in DESIGN §9), the thread
/// pool, the sample generator and the TUI.
pub mod cli {
    pub use crate::commands::{
        EXIT_OK, EXIT_REJECTS, EXIT_UNUSABLE, ExportOptions, SampleOptions, build_pool, export,
        merge, report, sample, stats, thread_count,
    };
    pub use crate::sample::{SampleSummary, generate as generate_sample};
    pub use crate::tui::theme::{ColorMode, UnknownColorMode};
    pub use crate::tui::trace::mark_process_start;
    pub use crate::tui::{TuiOptions, run as run_tui};

    /// Options of `generate_sample` (the `sample` subcommand's generator).
    pub type GenerateOptions = crate::sample::SampleOptions;
}

#[doc(hidden)]
pub use tui::harness::TuiHarness;
