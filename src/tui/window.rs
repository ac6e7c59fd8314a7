//! The table's window onto the rows: which rows and day separators fit on screen from
//! the top row, how tall the selected row is when wrapped, and scrolling so that the
//! cursor's row shows. Methods of `State`, kept apart from its definition.

use super::cells::{self, CellOpts};
use super::layout::{self, TableLine};
use super::sanitize;
use super::state::{SearchHits, State};
use crate::model::{TzSpec, format_display};
use std::sync::Arc;

/// A row of the sources panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceRow {
    /// `timeline.sources[i]`.
    Loaded(usize),
    /// `ingest.skipped[i]`.
    Passed(usize),
}

impl State {
    /// The sources panel's rows: loaded sources by path, then the paths passed over.
    pub fn source_rows(&self) -> Vec<SourceRow> {
        let mut loaded: Vec<usize> = (0..self.timeline.sources.len()).collect();
        loaded.sort_by(|&a, &b| {
            self.timeline.sources[a]
                .label
                .cmp(&self.timeline.sources[b].label)
        });
        let mut rows: Vec<SourceRow> = loaded.into_iter().map(SourceRow::Loaded).collect();
        rows.extend((0..self.ingest.skipped.len()).map(SourceRow::Passed));
        rows
    }

    /// Rows in the current view.
    pub fn rows(&self) -> usize {
        match &self.table.view {
            Some(v) => v.len(),
            None => self.timeline.len(),
        }
    }

    /// The timeline event shown at `row`.
    pub fn event_of_row(&self, row: usize) -> Option<usize> {
        match &self.table.view {
            Some(v) => v.get(row).map(|&e| e as usize),
            None => (row < self.timeline.len()).then_some(row),
        }
    }

    pub fn cursor_event(&self) -> Option<usize> {
        self.event_of_row(self.table.cursor)
    }

    pub fn cursor_ts(&self) -> Option<i64> {
        self.cursor_event()
            .and_then(|e| self.timeline.events.get(e))
            .map(|e| e.ts)
    }

    /// The first row showing event `ev` or a later one (clamped to the last row).
    pub fn row_at_or_after(&self, ev: usize) -> usize {
        let row = match &self.table.view {
            Some(v) => v.partition_point(|&e| (e as usize) < ev),
            None => ev,
        };
        row.min(self.rows().saturating_sub(1))
    }

    /// The row showing event `ev`, if the view shows it.
    pub fn row_of_event(&self, ev: usize) -> Option<usize> {
        match &self.table.view {
            Some(v) => u32::try_from(ev)
                .ok()
                .and_then(|e| v.binary_search(&e).ok()),
            None => (ev < self.timeline.len()).then_some(ev),
        }
    }

    /// Moves to the first row at or after `ts`, that row at the top of the table.
    pub fn goto_ts(&mut self, ts: i64) {
        let ev = self.timeline.lower_bound(ts);
        self.table.cursor = self.row_at_or_after(ev);
        self.table.top = self.table.cursor;
    }

    pub fn clamp_cursor(&mut self) {
        self.table.cursor = self.table.cursor.min(self.rows().saturating_sub(1));
    }

    /// Table rows on screen (without the header).
    pub fn page_rows(&self) -> usize {
        self.areas()
            .table
            .map_or(1, |r| (r.height as usize).saturating_sub(1))
            .max(1)
    }

    /// Lines of the detail pane on screen (below its title).
    pub fn detail_rows(&self) -> usize {
        self.areas()
            .detail
            .map_or(1, |r| (r.height as usize).saturating_sub(1))
            .max(1)
    }

    /// The table's time format at this width.
    pub fn time_fmt(&self) -> layout::TimeFmt {
        layout::time_fmt(self.size.0)
    }

    /// How rows are written at this width and with these columns.
    pub fn cell_opts(&self) -> CellOpts {
        CellOpts {
            id_shown: self.table.cols.id,
            tag: layout::source_is_tag(self.size.0),
            ascii: self.theme().ascii,
        }
    }

    /// The date (in the display zone) of the event at `row`: a separator row comes
    /// before the first row of each day.
    fn day_of_row(&self, row: usize) -> Option<String> {
        let e = self.timeline.events.get(self.event_of_row(row)?)?;
        let s = format_display(e.ts, &self.zone().1);
        Some(s.get(..10).unwrap_or(&s).to_string())
    }

    /// Lines the row takes: the selected row's whole message when wrapping is on (`w`),
    /// else one.
    pub fn row_height(&self, row: usize) -> u16 {
        if !self.table.wrap || row != self.table.cursor {
            return 1;
        }
        let Some(ev) = self.event_of_row(row) else {
            return 1;
        };
        let utc = self.zone().1 == TzSpec::Utc;
        let w = layout::message_width_min(self.size.0, self.table.cols, utc) as usize;
        let text = cells::row_text(&self.timeline, ev, self.cell_opts()).message;
        let text = sanitize::line(&text, 1 << 16, self.theme().ascii);
        let max = self.page_rows().saturating_sub(1).max(1);
        layout::wrap(&text, w.max(1), max).len().clamp(1, max) as u16
    }

    /// The table body from row `top`: rows, and a separator before each new day (when
    /// the time column shows no date).
    pub fn table_lines_from(&self, top: usize) -> Vec<TableLine> {
        let days = self.time_fmt() != layout::TimeFmt::Full;
        layout::table_lines(
            top,
            self.rows(),
            self.page_rows(),
            |r| if days { self.day_of_row(r) } else { None },
            |r| self.row_height(r),
        )
    }

    /// The table body as it shows now.
    pub fn table_lines(&self) -> Vec<TableLine> {
        self.table_lines_from(self.table.top)
    }

    /// Scrolls so that the cursor's row is on screen, whole.
    pub fn ensure_visible(&mut self) {
        let h = self.page_rows();
        let rows = self.rows();
        let t = &mut self.table;
        if t.cursor < t.top {
            t.top = t.cursor;
        } else if t.cursor >= t.top + h {
            t.top = t.cursor + 1 - h;
        }
        // Do not leave empty rows at the bottom when the view shrank.
        self.table.top = self.table.top.min(rows.saturating_sub(h));
        // Separators and a wrapped row take lines too: move on until the row shows.
        for _ in 0..h {
            let cursor = self.table.cursor;
            let shown = self
                .table_lines()
                .iter()
                .any(|l| matches!(l, TableLine::Row { row, .. } if *row == cursor));
            if shown || self.table.top >= cursor {
                break;
            }
            self.table.top += 1;
        }
    }

    /// The hits the search listed, when they are those of the current pattern in the
    /// current view (hits of another pattern or view say nothing about this one).
    pub fn listed_hits(&self) -> Option<&SearchHits> {
        let q = &self.query;
        q.search_hits.as_ref().filter(|h| {
            h.pattern == q.search_text
                && match (&h.view, &self.table.view) {
                    (None, None) => true,
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                    _ => false,
                }
        })
    }

    /// Where the search stands: the number of the hit the cursor is on (if it is on
    /// one) and how many hits the view has, when the search listed them.
    pub fn search_position(&self) -> Option<(Option<usize>, usize)> {
        let h = self.listed_hits()?;
        let cur = u32::try_from(self.table.cursor).ok()?;
        Some((h.rows.binary_search(&cur).ok().map(|i| i + 1), h.rows.len()))
    }
}
