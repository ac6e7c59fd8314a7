//! Exports of the (filtered) timeline: jsonl, csv, timesketch, and the Markdown report
//! (DESIGN §8, contract). With a case loaded, `annotated` decides the lines and adds the
//! annotations to them.

pub mod annotated;
pub mod csv;
pub mod jsonl;
pub mod report;
pub mod timesketch;

pub use annotated::{Annotated, Item, plan};

use std::io::{self, Write};

/// Runs a writer, treating a closed pipe (`| head`) as a normal end.
pub fn quiet_pipe(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Buffered stdout. Files are written through `crate::output` (never onto evidence or an
/// existing file unasked).
pub fn stdout() -> Box<dyn Write> {
    Box::new(io::BufWriter::with_capacity(1 << 16, io::stdout().lock()))
}

#[cfg(test)]
mod tests;
