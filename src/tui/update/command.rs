//! The `:` command line. Every command is in `COMMANDS` and documented in the keymap
//! file's `[commands]` (a test holds the two together).

use super::parse::parse_goto;
use super::{annotate, case, chooser, counts, export, help, jobs, quit, sources};
use crate::model::TzSpec;
use crate::tui::action::Effect;
use crate::tui::state::State;

/// Every command name, and what it does (the help screen's text is in the keymap file).
pub const COMMANDS: &[(&str, &str)] = &[
    ("q", "quit"),
    ("quit", "quit"),
    ("q!", "quit without asking"),
    ("w", "save"),
    ("wq", "save and quit"),
    ("case", "case file"),
    ("filter", "filter"),
    ("goto", "go to time"),
    ("time", "go to time"),
    ("tz", "display zone"),
    ("top", "value counts"),
    ("cols", "columns"),
    ("sources", "sources panel"),
    ("mark", "mark"),
    ("export", "export"),
    ("help", "help"),
];

pub fn run(st: &mut State, cmd: &str) -> Vec<Effect> {
    let (name, arg) = match cmd.split_once(char::is_whitespace) {
        Some((n, a)) => (n, a.trim()),
        None => (cmd, ""),
    };
    match name {
        "" => {}
        "q" | "quit" => quit::request(st),
        "q!" | "quit!" => st.quit = true,
        "goto" | "time" => match parse_goto(arg, st.cursor_ts(), &st.zone().1) {
            Ok(ts) => st.goto_ts(ts),
            Err(e) => st.error(e.to_string()),
        },
        "filter" => return jobs::apply_filter(st, arg.to_string()),
        "tz" => match arg.parse::<TzSpec>() {
            Ok(z) => {
                st.config.zones.push((z.to_string(), z));
                st.zone = st.config.zones.len() - 1;
                st.info(format!("display zone: {z}"));
            }
            Err(e) => st.error(e.to_string()),
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
        "top" if arg.is_empty() => counts::ask_field(st),
        "top" => return counts::start(st, arg),
        "cols" | "columns" if arg.is_empty() => chooser::open(st),
        "cols" | "columns" => chooser::set(st, arg),
        "sources" => sources::open(st),
        "mark" => annotate::begin_mark(st),
        "export" => export::begin_export(st),
        "help" => help::open(st),
        n if n.bytes().all(|b| b.is_ascii_digit()) => match n.parse::<usize>() {
            Ok(row) if row >= 1 => st.table.cursor = row - 1,
            _ => st.error("rows are numbered from 1"),
        },
        other => {
            // A command the typed name starts (`:so` → `:sources`).
            let near: Vec<String> = COMMANDS
                .iter()
                .filter(|(n, _)| n.starts_with(other) && n.len() > other.len())
                .map(|(n, what)| format!(":{n} ({what})"))
                .collect();
            let hint = match near.as_slice() {
                [] => String::new(),
                v => format!("did you mean {}? ", v.join(", ")),
            };
            st.error(format!(
                "unknown command :{other} ({hint}? lists the commands)"
            ));
        }
    }
    Vec::new()
}
