//! Cursor movement over the current view (every event, or the filtered rows).

use super::app::State;

impl State {
    /// Rows in the current view.
    pub fn rows(&self) -> usize {
        match &self.view {
            Some(v) => v.len(),
            None => self.timeline.len(),
        }
    }

    /// The timeline event shown at `row`.
    pub fn event_of_row(&self, row: usize) -> Option<usize> {
        match &self.view {
            Some(v) => v.get(row).map(|&e| e as usize),
            None => (row < self.timeline.len()).then_some(row),
        }
    }

    pub fn cursor_event(&self) -> Option<usize> {
        self.event_of_row(self.cursor)
    }

    pub fn cursor_ts(&self) -> Option<i64> {
        self.cursor_event()
            .and_then(|e| self.timeline.events.get(e))
            .map(|e| e.ts)
    }

    /// The first row showing event `ev` or a later one (clamped to the last row).
    pub fn row_at_or_after(&self, ev: usize) -> usize {
        let row = match &self.view {
            Some(v) => v.partition_point(|&e| (e as usize) < ev),
            None => ev,
        };
        row.min(self.rows().saturating_sub(1))
    }

    /// Moves to the first row at or after `ts`.
    pub fn goto_ts(&mut self, ts: i64) {
        let ev = self.timeline.lower_bound(ts);
        self.cursor = self.row_at_or_after(ev);
    }

    pub fn move_by(&mut self, d: isize) {
        self.cursor = self.cursor.saturating_add_signed(d);
        self.clamp_cursor();
    }

    pub fn clamp_cursor(&mut self) {
        self.cursor = self.cursor.min(self.rows().saturating_sub(1));
    }

    /// Table rows on screen (without the header).
    pub fn page_rows(&self) -> usize {
        super::views::layout(self)
            .table
            .map_or(1, |r| (r.height as usize).saturating_sub(1))
            .max(1)
    }

    /// Scrolls so that the cursor is on screen.
    pub fn ensure_visible(&mut self) {
        let h = self.page_rows();
        if self.cursor < self.top {
            self.top = self.cursor;
        } else if self.cursor >= self.top + h {
            self.top = self.cursor + 1 - h;
        }
        // Do not leave empty rows at the bottom when the view shrank.
        let max_top = self.rows().saturating_sub(h);
        self.top = self.top.min(max_top);
    }
}
