//! The TUI without a terminal, for benchmarks: the app on a timeline (loading done, jobs
//! inline), drawn into an in-memory backend. What a benchmark may set is what a key would.

use super::action::Action;
use super::app::App;
use super::state::Config;
use super::theme::Theme;
use super::update::refresh;
use super::views;
use crate::timeline::Timeline;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use regex::Regex;
use std::sync::Arc;

pub struct TuiHarness {
    app: App,
    term: Terminal<TestBackend>,
}

impl TuiHarness {
    /// The app on `t` in a `w`×`h` screen, in colour.
    pub fn new(t: Arc<Timeline>, w: u16, h: u16) -> TuiHarness {
        let config = Config {
            theme: Theme::new(true, false),
            ..Config::default()
        };
        let app = App::loaded_inline(t, config, String::new(), w, h);
        let term = match Terminal::new(TestBackend::new(w, h)) {
            Ok(t) => t,
            Err(never) => match never {},
        };
        TuiHarness { app, term }
    }

    /// Moves the cursor to row `row` of the view (without refreshing).
    pub fn set_cursor(&mut self, row: usize) {
        self.app.st.table.cursor = row;
    }

    /// Shows only these events (a filter's result), or all of them.
    pub fn set_view(&mut self, rows: Option<Vec<u32>>) {
        self.app.st.table.view = rows.map(Arc::new);
    }

    /// Highlights matches of `re` as a `/` search would.
    pub fn set_search(&mut self, re: Option<Regex>) {
        self.app.st.query.search = re;
    }

    pub fn set_detail(&mut self, open: bool) {
        self.app.st.detail.open = open;
    }

    /// What follows a key: histogram and detail pane brought up to date.
    pub fn refresh(&mut self) {
        refresh(&mut self.app.st);
    }

    /// Types `keys` as a user would (`\n` is Enter, `\x1b` Esc), each through update and
    /// its effects.
    pub fn type_keys(&mut self, keys: &str) {
        for c in keys.chars() {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\x1b' => KeyCode::Esc,
                c => KeyCode::Char(c),
            };
            self.app
                .apply(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        }
    }

    /// The value counts on screen: (distinct values, events counted), once counted.
    pub fn counts_shown(&self) -> Option<(usize, usize)> {
        let c = self.app.st.counts.result.as_ref()?;
        Some((c.values.len(), c.events))
    }

    /// One frame.
    pub fn draw(&mut self) {
        let st = &self.app.st;
        if let Err(never) = self.term.draw(|f| views::render(st, f)) {
            match never {}
        }
    }
}
