//! The `:` command line.

use super::parse::parse_goto;
use super::{annotate, case, confirm, export, help, jobs};
use crate::model::TzSpec;
use crate::tui::action::Effect;
use crate::tui::state::State;

pub fn run(st: &mut State, cmd: &str) -> Vec<Effect> {
    let (name, arg) = match cmd.split_once(char::is_whitespace) {
        Some((n, a)) => (n, a.trim()),
        None => (cmd, ""),
    };
    match name {
        "" => {}
        "q" | "quit" => confirm::request_quit(st),
        "q!" | "quit!" => st.quit = true,
        "goto" | "time" => match parse_goto(arg, st.cursor_ts(), &st.zone().1) {
            Ok(ts) => st.goto_ts(ts),
            Err(e) => st.error(e),
        },
        "filter" => return jobs::apply_filter(st, arg.to_string()),
        "tz" => match arg.parse::<TzSpec>() {
            Ok(z) => {
                st.config.zones.push((z.to_string(), z));
                st.zone = st.config.zones.len() - 1;
                st.info(format!("display zone: {z}"));
            }
            Err(e) => st.error(e),
        },
        "w" | "write" if arg.is_empty() => return case::save(st),
        "w" | "write" => return case::save_to(st, arg, false),
        "case" if arg.is_empty() => match &st.case.info {
            Some(c) => {
                let m = format!("case file {} (:case PATH moves it)", c.path.display());
                st.info(m);
            }
            None => st.info("no case file yet (:case PATH makes one)"),
        },
        "case" => return case::save_to(st, arg, true),
        "wq" => {
            let fx = case::save(st);
            // Quit once the save has succeeded (a failed save keeps the session).
            st.case.quit_after_save = !fx.is_empty();
            return fx;
        }
        "mark" => annotate::begin_mark(st),
        "export" => export::begin_export(st),
        "help" => help::open(st),
        n if n.bytes().all(|b| b.is_ascii_digit()) => match n.parse::<usize>() {
            Ok(row) if row >= 1 => st.table.cursor = row - 1,
            _ => st.error("rows are numbered from 1"),
        },
        other => st.error(format!(
            "unknown command :{other} (try :q, :w [PATH], :case PATH, :goto TIME, :filter QUERY, :N, :tz ZONE)"
        )),
    }
    Vec::new()
}
