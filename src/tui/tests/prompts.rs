//! The input line: every readline binding, the history (this run and across runs), and
//! Tab completion of field names and values.

use super::*;
use crate::tui::history::History;
use crate::tui::state::{Mode, Msg, PromptKind};

/// The prompt's text with `|` where the cursor is.
fn line(st: &App) -> String {
    let text = st.prompt_text();
    let at = st.prompt_cursor();
    let mut s: String = text.chars().take(at).collect();
    s.push('|');
    s.extend(text.chars().skip(at));
    s
}

#[test]
fn every_readline_binding_edits_the_line() {
    let mut st = state(80, 24);
    keys(&mut st, "fuser:alice event_id:4624");
    assert_eq!(line(&st), "user:alice event_id:4624|");
    let steps = [
        ("<C-a>", "|user:alice event_id:4624"),
        ("<C-e>", "user:alice event_id:4624|"),
        ("<Home>", "|user:alice event_id:4624"),
        ("<End>", "user:alice event_id:4624|"),
        ("<A-b>", "user:alice event_id:|4624"),
        ("<A-b>", "user:alice event_|id:4624"),
        ("<A-f>", "user:alice event_id|:4624"),
        ("<C-Left>", "user:alice event_|id:4624"),
        ("<C-Right>", "user:alice event_id|:4624"),
        ("<Left><Left>", "user:alice event_|id:4624"),
        ("<C-k>", "user:alice event_|"),
        ("<C-w>", "user:alice |"),
        ("x<A-BS>", "user:alice |"),
        ("<C-a><Right><Right><Right><Right>", "user|:alice "),
        ("<C-u>", "|:alice "),
        ("<C-e><BS>", ":alice|"),
    ];
    for (k, want) in steps {
        keys(&mut st, k);
        assert_eq!(line(&st), want, "after {k}");
    }
    // Ctrl-U is never undo: the pre-filled case path goes in one key.
    keys(&mut st, "<Esc>");
    crate::tui::update::case::save(&mut st);
    assert_eq!(st.mode, Mode::Prompt(PromptKind::CasePath));
    keys(&mut st, "<C-u>/tmp/x");
    assert_eq!(st.prompt_text(), "/tmp/x");
    // A tab or a control key never lands in the text.
    keys(&mut st, "<C-e><C-x><C-r>");
    assert_eq!(st.prompt_text(), "/tmp/x");
}

#[test]
fn history_recalls_each_prompt_s_entries_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("state/vigil/history");
    let mut st = state(80, 24);
    st.fx = Effects::inline("test".into()).with_history_dir(hist.clone());
    // (`f` opens on the current filter: Ctrl-U clears it.)
    keys(
        &mut st,
        "fuser:alice<Enter>f<C-u>host:DC01<Enter>/powershell<Enter>",
    );
    assert_eq!(st.query.filter, "host:DC01");
    // ↑ goes back through the filters only, ↓ forward, past the newest to the draft.
    keys(&mut st, "f<C-u>draft<Up>");
    assert_eq!(st.prompt_text(), "host:DC01");
    keys(&mut st, "<Up>");
    assert_eq!(st.prompt_text(), "user:alice");
    keys(&mut st, "<Up>");
    assert_eq!(st.prompt_text(), "user:alice", "the oldest stays");
    keys(&mut st, "<Down>");
    assert_eq!(st.prompt_text(), "host:DC01");
    keys(&mut st, "<Down>");
    assert_eq!(st.prompt_text(), "draft");
    keys(&mut st, "<C-p>");
    assert_eq!(st.prompt_text(), "host:DC01");
    keys(&mut st, "<C-n><Esc>");
    keys(&mut st, "/<Up>");
    assert_eq!(st.prompt_text(), "powershell");
    keys(&mut st, "<Esc>");
    // A filter entered again moves to the end instead of repeating.
    keys(&mut st, "f<C-u>user:alice<Enter>");
    // Another run reads the files.
    let loaded = History::load(&hist).unwrap();
    assert_eq!(loaded.entries("filter"), ["host:DC01", "user:alice"]);
    assert_eq!(loaded.entries("search"), ["powershell"]);
    let mut st = state(80, 24);
    st.history = loaded;
    keys(&mut st, "f<Up>");
    assert_eq!(st.prompt_text(), "user:alice");
    keys(&mut st, "<Up><Enter>");
    assert_eq!(st.query.filter, "host:DC01");
    keys(&mut st, "<Esc>");
    // Go-to-time has a history of its own.
    keys(&mut st, "t<Up>");
    assert_eq!(st.prompt_text(), "");
}

#[test]
fn tab_completes_field_names_then_values_of_the_field() {
    let mut st = state(80, 24);
    apply_sync(&mut st, Action::IngestDone(Vec::new()));
    keys(&mut st, "fus<Tab>");
    assert_eq!(line(&st), "user:|");
    // Values of `user` from the loaded events: collected once (inline here), then used.
    keys(&mut st, "a<Tab>");
    assert_eq!(line(&st), "user:alice|");
    assert!(st.query.values.contains_key("user"));
    keys(&mut st, " AND host:<Tab>");
    // Several candidates with nothing more in common: Tab puts each in turn.
    let first = st.prompt_text();
    keys(&mut st, "<Tab>");
    let second = st.prompt_text();
    assert_ne!(first, second);
    assert!(
        matches!(&st.msg, Some(Msg::Info(m)) if m.contains("(Tab: next)")),
        "{:?}",
        st.msg
    );
    // Values that need quotes get them; a list goes on after a comma.
    keys(&mut st, "<C-u>file:inv<Tab>");
    assert_eq!(line(&st), "file:\"invoice\u{202E}fdp.exe\"|");
    keys(&mut st, "<C-u>event_id:4624, 46<Tab>");
    assert!(st.prompt_text().starts_with("event_id:4624, 46"));
    keys(&mut st, "<C-u>nosuchfield<Tab>");
    assert!(matches!(&st.msg, Some(Msg::Info(m)) if m.contains("no field name")));
    // `:top` completes names too.
    keys(&mut st, "<Esc>:top pro<Tab>");
    assert_eq!(st.prompt_text(), "top process");
}
