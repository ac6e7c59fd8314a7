//! `update(&mut State, Action) -> Vec<Effect>`: the one place state changes. Keys resolve
//! through the keymap layer of the current mode to a command of that layer's handler (one
//! file per layer here); anything slow or touching the disk comes back as an effect, and
//! its result as another action. Nothing here can do I/O: the case file belongs to the
//! effect runner.

mod annlist;
mod annotate;
pub mod case;
mod chooser;
mod command;
mod confirm;
mod counts;
mod detail;
pub mod detections;
mod export;
mod help;
mod hist;
mod ingest;
mod input;
mod jobs;
pub mod nav;
pub mod parse;
mod picker;
mod prompt;
mod quit;
pub mod refresh;
mod sources;
mod table;

#[cfg(test)]
pub use jobs::apply_filter;
#[cfg(test)]
pub use picker::pivot_term;
pub use refresh::refresh;

use crate::tui::action::{Action, Effect};
use crate::tui::commands::commands;
use crate::tui::keymap::{Keymap, UnknownAction};
use crate::tui::state::{Mode, State};
use ratatui::crossterm::event::KeyEvent;

commands! {
    /// Keys that work in every layer.
    pub enum GlobalCmd in Global {
        ForceQuit = "force_quit",
        /// Ctrl-Z: the terminal goes back to the shell until `fg`.
        Suspend = "suspend",
    }
}

/// Applies one action.
pub fn update(st: &mut State, action: Action) -> Vec<Effect> {
    let fx = match action {
        Action::Key(k) => {
            st.table.touched = true;
            key(st, k)
        }
        Action::Paste(text) => {
            st.table.touched = true;
            input::paste(st, &text)
        }
        Action::Mouse(m) => {
            st.table.touched = true;
            input::mouse(st, m)
        }
        Action::Resize(w, h) => {
            st.size = (w, h);
            Vec::new()
        }
        Action::Tick {
            ingest,
            filter_done,
            index_done,
            count_done,
        } => {
            st.counts.progress = count_done;
            ingest::tick(st, ingest, filter_done, index_done)
        }
        Action::CountsDone { job, counts } => {
            if counts::done(st, job, counts) {
                prompt::complete(st)
            } else {
                Vec::new()
            }
        }
        Action::Copied(r) => {
            match r {
                Ok(m) => st.info(m),
                Err(e) => st.error(format!("NOT copied: {e}")),
            }
            Vec::new()
        }
        Action::ExpireMsg(seq) => {
            if st.msg_seq == seq {
                st.msg = None;
            }
            Vec::new()
        }
        Action::HistoryFailed(e) => {
            st.error(format!("prompt history not kept: {e}"));
            Vec::new()
        }
        Action::Loaded(l) => ingest::loaded(st, *l),
        Action::IngestDone(skipped) => ingest::done(st, skipped),
        Action::IndexDone => jobs::index_done(st),
        Action::FieldNames(names) => {
            st.query.fields = Some(names);
            Vec::new()
        }
        Action::FilterDone { job, rows } => {
            jobs::filter_done(st, job, rows);
            Vec::new()
        }
        Action::SearchDone {
            job,
            hit,
            hits,
            view,
        } => {
            jobs::search_done(st, job, hit, hits.map(|h| (h, view)));
            Vec::new()
        }
        Action::ExportDone { path, result } => {
            export::done(st, path, result);
            Vec::new()
        }
        Action::CaseOpened {
            typed,
            result,
            at_start,
        } => case::opened(st, &typed, result, at_start),
        Action::Stopped(why) => {
            // The first reason counts (a hang-up brings SIGHUP and a failed read).
            st.stopped.get_or_insert(why);
            st.quit = true;
            vec![Effect::CancelJobs]
        }
        Action::SavedTo { moved, result } => {
            case::saved_to(st, moved, result);
            Vec::new()
        }
        Action::Journalled { op, result } => case::journalled(st, op, result),
        Action::Saved(result) => {
            case::saved(st, result);
            Vec::new()
        }
        Action::Detect(a) => detections::on_action(st, a),
    };
    let mut fx = fx;
    if !st.quit {
        fx.extend(detections::step(st));
    }
    refresh(st);
    fx
}

fn key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    match st.keymap.command::<GlobalCmd>(&k) {
        Some(GlobalCmd::ForceQuit) => {
            st.quit = true;
            return vec![Effect::CancelJobs];
        }
        Some(GlobalCmd::Suspend) => {
            st.suspend = true;
            return Vec::new();
        }
        None => {}
    }
    if st.too_small() {
        return too_small_key(st, k);
    }
    match st.mode {
        Mode::Normal => table::key(st, k),
        Mode::Prompt(kind) => prompt::key(st, kind, k),
        Mode::Picker => picker::key(st, k),
        Mode::Help => help::key(st, k),
        Mode::Confirm => confirm::key(st, k),
        Mode::Severity => annotate::severity_key(st, k),
        Mode::AnnKind => annotate::kind_key(st, k),
        Mode::AnnEdit => annotate::edit_key(st, k),
        Mode::AnnList => annlist::list_key(st, k),
        Mode::ExportFormat => export::format_key(st, k),
        Mode::Hist => hist::key(st, k),
        Mode::Counts => counts::key(st, k),
        Mode::Sources => sources::key(st, k),
        Mode::Columns => chooser::key(st, k),
        Mode::Quit => quit::key(st, k),
        Mode::Detections => detections::key(st, k),
    }
}

/// Behind the "enlarge terminal" note nothing can be seen, so nothing may change: only
/// `q` acts (and the answer to its question when there are unsaved changes).
fn too_small_key(st: &mut State, k: KeyEvent) -> Vec<Effect> {
    if st.mode == Mode::Quit {
        return quit::key(st, k);
    }
    if st.keymap.command::<table::TableCmd>(&k) == Some(table::TableCmd::Quit) {
        st.form = None;
        quit::request(st);
    }
    Vec::new()
}

/// Every binding of a keymap names a command its layer has (a user file is checked with
/// this before it is used).
pub fn validate_keymap(km: &Keymap) -> Result<(), UnknownAction> {
    km.validate::<GlobalCmd>()?;
    km.validate::<table::TableCmd>()?;
    km.validate::<prompt::PromptCmd>()?;
    km.validate::<annotate::EditorCmd>()?;
    km.validate::<annotate::KindCmd>()?;
    km.validate::<annotate::SeverityCmd>()?;
    km.validate::<annlist::ListCmd>()?;
    km.validate::<picker::PickerCmd>()?;
    km.validate::<export::ExportCmd>()?;
    km.validate::<confirm::ConfirmCmd>()?;
    km.validate::<help::HelpCmd>()?;
    km.validate::<hist::HistCmd>()?;
    km.validate::<counts::CountsCmd>()?;
    km.validate::<sources::SourcesCmd>()?;
    km.validate::<chooser::ChooserCmd>()?;
    km.validate::<quit::QuitCmd>()?;
    km.validate::<detections::DetectCmd>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::{Command, DEFAULT, HelpLine, Layer};

    fn names<C: Command>() -> (Layer, Vec<&'static str>) {
        (C::LAYER, C::ALL.iter().map(|(_, n)| *n).collect())
    }

    /// Every command of every layer has a key, every binding a description, and every
    /// binding names a command of its layer; every layer has commands.
    #[test]
    fn every_command_is_bound_and_every_binding_documented() {
        let km = Keymap::parse(DEFAULT).unwrap();
        validate_keymap(&km).unwrap();
        let layers = [
            names::<GlobalCmd>(),
            names::<table::TableCmd>(),
            names::<prompt::PromptCmd>(),
            names::<annotate::EditorCmd>(),
            names::<annotate::KindCmd>(),
            names::<annotate::SeverityCmd>(),
            names::<annlist::ListCmd>(),
            names::<picker::PickerCmd>(),
            names::<export::ExportCmd>(),
            names::<confirm::ConfirmCmd>(),
            names::<help::HelpCmd>(),
            names::<hist::HistCmd>(),
            names::<counts::CountsCmd>(),
            names::<sources::SourcesCmd>(),
            names::<chooser::ChooserCmd>(),
            names::<quit::QuitCmd>(),
            names::<detections::DetectCmd>(),
        ];
        for l in Layer::ALL {
            assert!(layers.iter().any(|(x, _)| *x == l), "{l:?} has no commands");
        }
        for (layer, cmds) in &layers {
            for c in cmds {
                assert!(
                    km.is_bound(*layer, c),
                    "{c} is not bound in [{}]",
                    layer.name()
                );
            }
        }
        for b in &km.bindings {
            assert!(
                !b.desc.trim().is_empty(),
                "{} in [{}] has no description",
                b.action,
                b.layer.name()
            );
        }
        // Every binding is on the help screen.
        let help = km.help_lines(false);
        for b in &km.bindings {
            let line = HelpLine::Key {
                keys: b.keys_label(false),
                desc: b.desc.clone(),
            };
            assert!(help.contains(&line), "{line:?}");
        }
    }

    /// Every `:` command is on the help screen (the keymap file's `[commands]`), and
    /// everything documented there is a command.
    #[test]
    fn every_colon_command_is_documented() {
        let km = Keymap::parse(DEFAULT).unwrap();
        let items: Vec<String> = km.docs("commands").map(|d| d.item.clone()).collect();
        let documented: Vec<&str> = items
            .iter()
            .flat_map(|i| i.split([' ', ',']))
            .filter_map(|w| w.strip_prefix(':'))
            .collect();
        for (name, _) in command::COMMANDS {
            assert!(documented.contains(name), ":{name} is not in [commands]");
        }
        for d in &documented {
            assert!(
                *d == "N" || command::COMMANDS.iter().any(|(n, _)| n == d),
                ":{d} is documented but no command"
            );
        }
        assert!(km.docs("query").count() >= 8);
        let help = km.help_lines(false);
        assert!(help.contains(&HelpLine::Section("Commands (:)".into())));
    }

    #[test]
    fn a_keymap_naming_a_command_a_layer_lacks_is_refused() {
        let km = Keymap::parse("[list]\nmark  m  mark it\n").unwrap();
        let e = validate_keymap(&km).unwrap_err().to_string();
        assert!(e.contains("\"mark\"") && e.contains("[list]"), "{e}");
    }
}
