use super::*;

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn default_keymap_parses_and_resolves_per_layer() {
    let k = Keymap::parse(DEFAULT).unwrap();
    for (c, name) in [
        ('j', "down"),
        ('G', "last"),
        ('/', "search"),
        ('=', "pivot"),
        ('T', "cycle_zone"),
        ('?', "help"),
        ('m', "mark"),
        ('d', "day_forward"),
    ] {
        assert_eq!(k.resolve(Layer::Table, &key(c)), Some(name), "{c}");
    }
    // The same key means another thing in another layer.
    assert_eq!(k.resolve(Layer::List, &key('d')), Some("delete"));
    assert_eq!(k.resolve(Layer::Severity, &key('m')), Some("medium"));
    // Shift arrives with upper-case letters; it must not matter.
    let shift_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(k.resolve(Layer::Table, &shift_g), Some("last"));
    let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
    assert_eq!(k.resolve(Layer::Table, &ctrl_d), Some("half_down"));
    assert_eq!(k.resolve(Layer::Editor, &ctrl_d), Some("finish"));
    let alt_enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT);
    assert_eq!(k.resolve(Layer::Editor, &alt_enter), Some("finish"));
    // An unbound Alt-key reads as the plain key.
    let alt_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::ALT);
    assert_eq!(k.resolve(Layer::Table, &alt_j), Some("down"));
    assert_eq!(k.resolve(Layer::Table, &key('x')), None);
    let help = k.help_lines(false);
    assert!(help.contains(&HelpLine::Section("Move".into())));
    assert!(help.contains(&HelpLine::Key {
        keys: "j ↓".into(),
        desc: "next event".into()
    }));
    assert!(help.contains(&HelpLine::Key {
        keys: "1-8".into(),
        desc: "choose a kind by number".into()
    }));
}

#[test]
fn hint_lines_come_from_the_bindings() {
    let k = Keymap::parse(DEFAULT).unwrap();
    assert_eq!(
        k.hint(Layer::Severity, false),
        "early-detection severity: l low  m medium  h high  c critical  Esc cancels"
    );
    assert_eq!(
        k.hint(Layer::List, false),
        "Enter go to  e edit  d delete  j/k move  Esc closes"
    );
    assert_eq!(
        k.hint(Layer::Kind, false),
        "kind: j/k/1-8 choose  Enter next  Esc cancels"
    );
    assert_eq!(
        k.hint(Layer::Editor, false),
        "F2/Ctrl-d save  Tab tags/note  Enter new line (note)  Esc cancels"
    );
    assert_eq!(k.keys(Layer::Help, "down", false), "j");
    assert_eq!(k.keys(Layer::Editor, "finish", false), "F2/Ctrl-d");
}

/// The README's key table names every key of the timeline (and the global ones).
#[test]
fn readme_key_table_lists_every_timeline_key() {
    let readme = include_str!("../../../README.md");
    let table: String = readme
        .lines()
        .skip_while(|l| !l.starts_with("| keys | what |"))
        .take_while(|l| l.starts_with('|'))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!table.is_empty(), "no key table in README.md");
    let mut listed = Vec::new();
    for (i, part) in table.split('`').enumerate() {
        if i % 2 == 1 {
            listed.extend(part.split_whitespace());
        }
    }
    let k = Keymap::parse(DEFAULT).unwrap();
    for b in k
        .bindings
        .iter()
        .filter(|b| matches!(b.layer, Layer::Table | Layer::Global))
    {
        for key in &b.keys {
            let label = key.label(false);
            assert!(
                listed.contains(&label.as_str()),
                "README.md key table lacks `{label}` ({})",
                b.action
            );
        }
    }
}

#[test]
fn bad_keymaps_are_refused_with_the_line() {
    let e = Keymap::parse("[table]\ndown  Fn  x").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(Keymap::parse("down j  a").is_err(), "no layer");
    assert!(Keymap::parse("[nowhere]\ndown j  a").is_err());
    let e = Keymap::parse("[table]\ndown j  a\nup j  b").unwrap_err();
    assert!(e.msg.contains("already bound"), "{e}");
    let e = Keymap::parse("[global]\nquit C-c  q\n[table]\nx C-c  y").unwrap_err();
    assert!(e.msg.contains("taken by [global]"), "{e}");
}

#[test]
fn user_file_overrides_key_by_key() {
    let d = Keymap::parse(DEFAULT).unwrap();
    let u = d
        .with_user("# mine\n[table]\nlast  x\ndown  G\nnone  k\n[list]\nclose  Q\n")
        .unwrap();
    assert_eq!(u.resolve(Layer::Table, &key('x')), Some("last"));
    assert_eq!(u.resolve(Layer::Table, &key('G')), Some("down"));
    assert_eq!(
        u.resolve(Layer::Table, &key('j')),
        Some("down"),
        "others kept"
    );
    assert_eq!(u.resolve(Layer::Table, &key('k')), None);
    assert_eq!(u.resolve(Layer::List, &key('Q')), Some("close"));
    assert_eq!(u.resolve(Layer::List, &key('G')), Some("last"), "per layer");
    assert!(u.help_lines(false).contains(&HelpLine::Key {
        keys: "End x".into(),
        desc: "last event".into()
    }));
    let e = d.with_user("[table]\nfly  x\n").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.msg.contains("no action \"fly\""), "{e}");
    assert!(d.with_user("[table]\ndown  C-c\n").is_err());
}
