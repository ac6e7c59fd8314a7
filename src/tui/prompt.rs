//! The input line: search, filter, go-to-time and `:` commands. Enter submits; a bad
//! entry keeps the line open with the error (and a caret at its column); Esc cancels.

use super::app::{self, Effect, Mode, PromptKind, State};
use crate::ingest::options::parse_duration;
use crate::model::{TzSpec, parse_time_prefix};
use crate::timeline::filter::{Filter, FilterError};
use crate::timeline::search::Dir;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

pub fn key(st: &mut State, kind: PromptKind, k: KeyEvent) -> Vec<Effect> {
    match k.code {
        KeyCode::Esc => {
            st.mode = Mode::Normal;
            st.prompt_error = None;
            if kind == PromptKind::CasePath {
                st.case_then = None;
                st.info("cancelled: annotations need a case file");
            }
            Vec::new()
        }
        KeyCode::Enter => submit(st, kind),
        // A tab in a query would be invisible; completion may come later.
        KeyCode::Tab | KeyCode::BackTab => Vec::new(),
        _ => {
            if st.prompt.input(k) {
                st.prompt_error = None;
            }
            Vec::new()
        }
    }
}

pub fn text(st: &State) -> String {
    st.prompt.lines().first().cloned().unwrap_or_default()
}

fn fail(st: &mut State, col: usize, msg: impl Into<String>) -> Vec<Effect> {
    st.prompt_error = Some(FilterError {
        col: col.max(1),
        msg: msg.into(),
    });
    Vec::new()
}

fn submit(st: &mut State, kind: PromptKind) -> Vec<Effect> {
    let text = text(st);
    match kind {
        PromptKind::Search => {
            if text.is_empty() {
                st.mode = Mode::Normal;
                return Vec::new();
            }
            match compile_search(&text) {
                Ok(re) => {
                    st.mode = Mode::Normal;
                    st.search = Some(re);
                    st.search_text = text;
                    app::start_search(st, Dir::Forward)
                }
                Err(e) => fail(st, 1, e),
            }
        }
        PromptKind::Filter => {
            // Parse here so that a bad query keeps the line open; the previous filter stays.
            match Filter::parse(&text, &st.zone().1) {
                Ok(_) => {
                    st.mode = Mode::Normal;
                    app::apply_filter(st, text)
                }
                Err(e) => {
                    st.prompt_error = Some(e);
                    Vec::new()
                }
            }
        }
        PromptKind::Time => match parse_goto(&text, st.cursor_ts(), &st.zone().1) {
            Ok(ts) => {
                st.mode = Mode::Normal;
                st.goto_ts(ts);
                Vec::new()
            }
            Err(e) => fail(st, 1, e),
        },
        PromptKind::Command => {
            st.mode = Mode::Normal;
            run_command(st, text.trim())
        }
        PromptKind::CasePath => {
            let path = text.trim();
            if path.is_empty() {
                return fail(st, 1, "a path is needed (e.g. ./case.vigil.json)");
            }
            st.mode = Mode::Normal;
            let then = st.case_then.take().unwrap_or(super::annotate::Then::Save);
            vec![Effect::OpenCase {
                path: path.into(),
                then,
            }]
        }
        PromptKind::ExportPath => {
            st.mode = Mode::Normal;
            super::annlist::export_to(st, &text)
        }
    }
}

/// Smart case: a pattern without upper-case letters matches either case.
pub fn compile_search(text: &str) -> Result<regex::Regex, String> {
    let insensitive = !text.chars().any(char::is_uppercase);
    regex::RegexBuilder::new(text)
        .case_insensitive(insensitive)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| match e {
            regex::Error::Syntax(s) => s.lines().last().unwrap_or("bad regex").to_string(),
            other => other.to_string(),
        })
}

/// A go-to target: `+5m`/`-1h` from the cursor, or an absolute or partial time in `tz`.
pub fn parse_goto(text: &str, cursor: Option<i64>, tz: &TzSpec) -> Result<i64, String> {
    let t = text.trim();
    if t.starts_with(['+', '-']) {
        let d = parse_duration(t)?;
        let base = cursor.ok_or("no event to go from")?;
        return Ok(base.saturating_add(d));
    }
    parse_time_prefix(t, tz)
        .ok_or_else(|| format!("not a time: {t:?} (try 2022-12-03T18:04, 2022-12-03 18, +5m, -1h)"))
}

fn run_command(st: &mut State, cmd: &str) -> Vec<Effect> {
    let (name, arg) = match cmd.split_once(char::is_whitespace) {
        Some((n, a)) => (n, a.trim()),
        None => (cmd, ""),
    };
    match name {
        "" => {}
        "q" | "quit" => return app::command(st, super::keymap::Cmd::Quit),
        "q!" | "quit!" => st.quit = true,
        "goto" | "time" => match parse_goto(arg, st.cursor_ts(), &st.zone().1) {
            Ok(ts) => st.goto_ts(ts),
            Err(e) => st.error(e),
        },
        "filter" => {
            if let Err(e) = Filter::parse(arg, &st.zone().1) {
                st.error(format!("filter: {e}"));
                return Vec::new();
            }
            return app::apply_filter(st, arg.to_string());
        }
        "tz" => match arg.parse::<TzSpec>() {
            Ok(z) => {
                st.config.zones.push((z.to_string(), z));
                st.zone = st.config.zones.len() - 1;
                st.info(format!("display zone: {z}"));
            }
            Err(e) => st.error(e),
        },
        "w" | "write" => return super::annlist::save(st),
        "wq" => {
            let mut fx = super::annlist::save(st);
            if !fx.is_empty() {
                fx.push(Effect::QuitIfSaved);
            }
            return fx;
        }
        "mark" => super::annotate::begin_mark(st),
        "export" => super::annlist::begin_export(st),
        "help" => st.mode = Mode::Help,
        n if n.bytes().all(|b| b.is_ascii_digit()) => match n.parse::<usize>() {
            Ok(row) if row >= 1 => st.cursor = row - 1,
            _ => st.error("rows are numbered from 1"),
        },
        other => st.error(format!(
            "unknown command :{other} (try :q, :goto TIME, :filter QUERY, :N, :tz ZONE)"
        )),
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ymd_hms;

    #[test]
    fn goto_targets() {
        let base = ymd_hms(2022, 12, 3, 18, 0, 0);
        let u = TzSpec::Utc;
        assert_eq!(
            parse_goto("+5m", base, &u),
            base.map(|b| b + 300_000_000_000).ok_or(String::new())
        );
        assert_eq!(
            parse_goto("-1h", base, &u),
            base.map(|b| b - 3_600_000_000_000).ok_or(String::new())
        );
        assert_eq!(parse_goto("2022-12-03 18", None, &u).ok(), base);
        let paris: TzSpec = "Europe/Paris".parse().unwrap();
        assert_eq!(parse_goto("2022-12-03T19", None, &paris).ok(), base);
        assert!(parse_goto("+5", base, &u).is_err());
        assert!(parse_goto("+5m", None, &u).is_err());
        assert!(
            parse_goto("soon", base, &u)
                .unwrap_err()
                .contains("not a time")
        );
    }

    #[test]
    fn search_is_smart_case() {
        assert!(
            compile_search("powershell")
                .unwrap()
                .is_match("PowerShell.exe")
        );
        assert!(
            !compile_search("PowerShell")
                .unwrap()
                .is_match("powershell.exe")
        );
        assert!(compile_search("a(b").is_err());
    }
}
