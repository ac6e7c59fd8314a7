//! The module graph of `src/tui` read from the source: a module depends on the modules it
//! declares (`mod x;`) and on every module a path in it names (`use super::…`,
//! `crate::tui::…`, `child::…`, through `pub use` re-exports). The graph must have no
//! cycle, effects must not know `State`, `update` must do no I/O, views must import only
//! state, layout and display helpers.

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type ModPath = Vec<String>;

struct Module {
    text: String,
    children: Vec<String>,
    /// `pub use` names: name → path (relative to this module).
    reexports: BTreeMap<String, Vec<String>>,
    /// Paths named in the module, as written.
    paths: Vec<Vec<String>>,
}

/// Source text without comments, string and char literals (their content cannot name
/// modules), and without `#[cfg(test)]` items.
fn strip(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        match c[i] {
            '/' if next == Some('/') => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                let mut depth = 0;
                while i < c.len() {
                    if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                out.push(' ');
            }
            'r' if (next == Some('"') || next == Some('#'))
                && !c
                    .get(i.wrapping_sub(1))
                    .is_some_and(|p| p.is_alphanumeric() || *p == '_') =>
            {
                let mut j = i + 1;
                let mut hashes = 0;
                while c.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if c.get(j) != Some(&'"') {
                    out.push(c[i]);
                    i += 1;
                    continue;
                }
                j += 1;
                loop {
                    if j >= c.len() {
                        break;
                    }
                    if c[j] == '"' && (1..=hashes).all(|k| c.get(j + k) == Some(&'#')) {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                out.push_str("\"\"");
                i = j;
            }
            '"' => {
                i += 1;
                while i < c.len() && c[i] != '"' {
                    i += if c[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            '\'' if next == Some('\\') => {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            }
            '\'' if c.get(i + 2) == Some(&'\'') => {
                i += 3;
                out.push_str("' '");
            }
            ch => {
                out.push(ch);
                i += 1;
            }
        }
    }
    drop_test_items(&out)
}

/// Removes each `#[cfg(test)]` item: up to its `;`, or its whole `{ … }` block.
fn drop_test_items(s: &str) -> String {
    let mut out = s.to_string();
    while let Some(at) = out.find("#[cfg(test)]") {
        let rest = &out[at..];
        let end = match (rest.find(';'), rest.find('{')) {
            (Some(semi), Some(brace)) if semi < brace => at + semi + 1,
            (_, Some(brace)) => {
                let mut depth = 0;
                let mut end = out.len();
                for (k, ch) in out[at + brace..].char_indices() {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = at + brace + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (Some(semi), None) => at + semi + 1,
            (None, None) => out.len(),
        };
        out.replace_range(at..end, " ");
    }
    out
}

/// `a::{b, c::{d, e as f}, self}` → `a::b`, `a::c::d`, `a::c::e`, `a`; with the name each
/// brings into scope.
fn expand_use(tree: &str) -> Vec<(Vec<String>, String)> {
    fn split_top(s: &str) -> Vec<&str> {
        let (mut depth, mut start, mut out) = (0, 0, Vec::new());
        for (i, ch) in s.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(&s[start..]);
        out
    }
    fn go(prefix: &[String], tree: &str, out: &mut Vec<(Vec<String>, String)>) {
        let tree = tree.trim();
        if tree.is_empty() {
            return;
        }
        if let Some(open) = tree.find('{') {
            let head = tree[..open].trim().trim_end_matches("::");
            let mut p = prefix.to_vec();
            p.extend(
                head.split("::")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            );
            let inner = tree[open + 1..].trim_end().trim_end_matches('}');
            for part in split_top(inner) {
                go(&p, part, out);
            }
            return;
        }
        let (path, alias) = match tree.split_once(" as ") {
            Some((p, a)) => (p.trim(), Some(a.trim())),
            None => (tree, None),
        };
        let mut p = prefix.to_vec();
        p.extend(path.split("::").map(str::trim).map(String::from));
        if p.last().is_some_and(|l| l == "self") {
            p.pop();
        }
        let name = alias
            .map(String::from)
            .or_else(|| p.last().cloned())
            .unwrap_or_default();
        out.push((p, name));
    }
    let mut out = Vec::new();
    go(&[], tree, &mut out);
    out
}

fn parse(text: String) -> Module {
    let mod_re =
        Regex::new(r"(?m)^\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+([a-z_][a-z0-9_]*)\s*;").unwrap();
    let use_re = Regex::new(r"(?s)\b(pub(?:\([a-z]+\))?\s+)?use\s+([^;]+);").unwrap();
    let path_re =
        Regex::new(r"\b([A-Za-z_][A-Za-z0-9_]*)(?:\s*::\s*[A-Za-z_][A-Za-z0-9_]*)+").unwrap();
    let children: Vec<String> = mod_re
        .captures_iter(&text)
        .map(|c| c[1].to_string())
        .collect();
    let mut reexports = BTreeMap::new();
    let mut paths = Vec::new();
    for c in use_re.captures_iter(&text) {
        for (p, name) in expand_use(&c[2]) {
            if c.get(1).is_some() {
                reexports.insert(name, p.clone());
            }
            paths.push(p);
        }
    }
    let without_uses = use_re.replace_all(&text, " ");
    for m in path_re.find_iter(&without_uses) {
        let segs: Vec<String> = m
            .as_str()
            .split("::")
            .map(|s| s.trim().to_string())
            .collect();
        let first = segs[0].as_str();
        if matches!(first, "crate" | "super" | "self") || children.iter().any(|c| c == first) {
            paths.push(segs);
        }
    }
    Module {
        text,
        children,
        reexports,
        paths,
    }
}

struct Graph {
    modules: BTreeMap<ModPath, Module>,
    edges: BTreeMap<ModPath, BTreeSet<ModPath>>,
}

/// Reads every module file under `dir` (the `tui` folder; its `tests/` left out).
fn load(dir: &Path) -> Graph {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "tests") {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    let mut modules = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(dir).unwrap().with_extension("");
        let mut path: ModPath = vec!["tui".into()];
        path.extend(rel.iter().map(|s| s.to_string_lossy().into_owned()));
        if path.last().is_some_and(|l| l == "mod") {
            path.pop();
        }
        let text = strip(&std::fs::read_to_string(&f).unwrap());
        modules.insert(path, parse(text));
    }
    let mut g = Graph {
        modules,
        edges: BTreeMap::new(),
    };
    let mut edges = BTreeMap::new();
    for (m, module) in &g.modules {
        let mut out: BTreeSet<ModPath> = BTreeSet::new();
        for c in &module.children {
            let mut child = m.clone();
            child.push(c.clone());
            if g.modules.contains_key(&child) {
                out.insert(child);
            }
        }
        for p in &module.paths {
            if let Some(target) = g.resolve(m, p, 0)
                && &target != m
            {
                out.insert(target);
            }
        }
        edges.insert(m.clone(), out);
    }
    g.edges = edges;
    g
}

impl Graph {
    /// The deepest module of `tui` a path written in module `from` leads to, if any.
    fn resolve(&self, from: &ModPath, path: &[String], depth: usize) -> Option<ModPath> {
        if depth > 8 || path.is_empty() {
            return None;
        }
        let mut base: ModPath;
        let mut rest = path;
        match path[0].as_str() {
            "crate" => {
                base = Vec::new();
                rest = &path[1..];
            }
            "super" | "self" => {
                base = from.clone();
                while let Some(s) = rest.first() {
                    match s.as_str() {
                        "super" => {
                            base.pop();
                        }
                        "self" => {}
                        _ => break,
                    }
                    rest = &rest[1..];
                }
            }
            c if self
                .modules
                .get(from)
                .is_some_and(|m| m.children.iter().any(|x| x == c)) =>
            {
                base = from.clone();
            }
            _ => return None,
        }
        let mut found = None;
        for (i, seg) in rest.iter().enumerate() {
            let mut next = base.clone();
            next.push(seg.clone());
            if self.modules.contains_key(&next) {
                base = next;
                found = Some(base.clone());
                continue;
            }
            // A name the module re-exports: follow it.
            if let Some(m) = self.modules.get(&base)
                && let Some(target) = m.reexports.get(seg)
            {
                // Whatever it names, not this module (outside `tui`: no edge at all).
                let mut p = target.clone();
                p.extend(rest[i + 1..].iter().cloned());
                return self.resolve(&base, &p, depth + 1);
            }
            break;
        }
        found.filter(|f| f.first().is_some_and(|x| x == "tui"))
    }

    /// A cycle, as the modules along it, if there is one.
    fn cycle(&self) -> Option<Vec<ModPath>> {
        fn visit(
            g: &Graph,
            m: &ModPath,
            state: &mut BTreeMap<ModPath, u8>,
            stack: &mut Vec<ModPath>,
        ) -> Option<Vec<ModPath>> {
            state.insert(m.clone(), 1);
            stack.push(m.clone());
            for n in g.edges.get(m).into_iter().flatten() {
                match state.get(n).copied().unwrap_or(0) {
                    1 => {
                        let at = stack.iter().position(|x| x == n).unwrap_or(0);
                        let mut c = stack[at..].to_vec();
                        c.push(n.clone());
                        return Some(c);
                    }
                    0 => {
                        if let Some(c) = visit(g, n, state, stack) {
                            return Some(c);
                        }
                    }
                    _ => {}
                }
            }
            stack.pop();
            state.insert(m.clone(), 2);
            None
        }
        let mut state = BTreeMap::new();
        for m in self.modules.keys() {
            if !state.contains_key(m)
                && let Some(c) = visit(self, m, &mut state, &mut Vec::new())
            {
                return Some(c);
            }
        }
        None
    }

    fn deps(&self, m: &str) -> Vec<String> {
        let key: ModPath = m.split("::").map(String::from).collect();
        self.edges
            .get(&key)
            .into_iter()
            .flatten()
            .map(|p| p.join("::"))
            .collect()
    }

    fn under(&self, prefix: &str) -> Vec<String> {
        self.modules
            .keys()
            .map(|p| p.join("::"))
            .filter(|p| p == prefix || p.starts_with(&format!("{prefix}::")))
            .collect()
    }
}

fn show(c: &[ModPath]) -> String {
    c.iter()
        .map(|p| p.join("::"))
        .collect::<Vec<_>>()
        .join(" -> ")
}

fn tui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui")
}

#[test]
fn tui_module_graph_has_no_cycle() {
    let g = load(&tui_dir());
    assert!(g.modules.len() > 20, "{} modules read", g.modules.len());
    // The parser sees the known edges.
    assert!(
        g.deps("tui::update::table")
            .contains(&"tui::update::jobs".to_string())
    );
    assert!(
        g.deps("tui::views::status")
            .contains(&"tui::state".to_string())
    );
    assert!(
        g.deps("tui::update")
            .contains(&"tui::update::table".to_string())
    );
    if let Some(c) = g.cycle() {
        panic!("import cycle in src/tui: {}", show(&c));
    }
}

#[test]
fn layers_import_only_downwards() {
    let g = load(&tui_dir());
    let allowed_for_views = [
        "tui::state",
        "tui::case_state",
        "tui::layout",
        "tui::theme",
        "tui::sanitize",
        "tui::keymap",
        "tui::annotations",
        "tui::cells",
        "tui::columns",
        "tui::panels",
        "tui::window",
        "tui::detect",
        "tui::cands",
    ];
    for v in g.under("tui::views") {
        for d in g.deps(&v) {
            assert!(
                d.starts_with("tui::views") || allowed_for_views.contains(&d.as_str()),
                "{v} imports {d}"
            );
        }
    }
    let leaves = [
        "tui::state",
        "tui::case_state",
        "tui::action",
        "tui::layout",
        "tui::keymap",
        "tui::theme",
        "tui::sanitize",
        "tui::annotations",
        "tui::cells",
        "tui::columns",
        "tui::panels",
        "tui::counts",
        "tui::complete",
        "tui::decode",
        "tui::clipboard",
        "tui::history",
        "tui::window",
        "tui::detect",
        "tui::cands",
    ];
    let upper = ["tui::update", "tui::effects", "tui::views", "tui::app"];
    for l in leaves {
        for d in g.deps(l) {
            assert!(!upper.iter().any(|u| d.starts_with(u)), "{l} imports {d}");
            assert!(d != "tui", "{l} imports tui/mod.rs");
        }
    }
    // Effects answer with actions; they never see the state.
    let word = Regex::new(r"\bState\b").unwrap();
    let effects = &g.modules[&vec!["tui".to_string(), "effects".to_string()]];
    assert!(!word.is_match(&effects.text), "effects.rs names State");
    for d in g.deps("tui::effects") {
        assert!(
            !d.starts_with("tui::update") && !d.starts_with("tui::views"),
            "effects imports {d}"
        );
    }
    // Update does no I/O: it cannot reach the effect runner or the file system.
    let io = Regex::new(r"std::fs\b|\bFile::|OpenOptions|\bCase::open|tui::effects").unwrap();
    for u in g.under("tui::update") {
        for d in g.deps(&u) {
            assert!(
                d != "tui::effects" && d != "tui::app" && d != "tui",
                "{u} imports {d}"
            );
        }
        let key: ModPath = u.split("::").map(String::from).collect();
        let text = &g.modules[&key].text;
        assert!(
            !io.is_match(text),
            "{u} does I/O: {:?}",
            io.find(text).map(|m| m.as_str())
        );
    }
}

/// The checker finds a cycle through `super::`, a child path and a re-export.
#[test]
fn the_checker_finds_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let tui = dir.path();
    let w = |p: &str, s: &str| {
        let p = tui.join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, s).unwrap();
    };
    w(
        "mod.rs",
        "mod a;\nmod b;\npub mod up;\n#[cfg(test)]\nmod tests;\n",
    );
    w(
        "a.rs",
        "// use super::b;\nuse super::{up::X, b::Y};\nfn f() { let s = \"super::b\"; }\n",
    );
    w("b.rs", "pub struct Y;\n");
    w("up/mod.rs", "mod inner;\npub use inner::X;\n");
    w("up/inner.rs", "pub struct X;\n");
    let g = load(tui);
    assert_eq!(g.deps("tui::a"), ["tui::b", "tui::up::inner"]);
    assert!(g.cycle().is_none());
    // b reaches back to a through a path in code, not a `use`.
    w("b.rs", "pub struct Y;\nfn g() { crate::tui::a::f(); }\n");
    let g = load(tui);
    let c = g.cycle().expect("a cycle");
    assert_eq!(show(&c), "tui::a -> tui::b -> tui::a");
    // A name the parent re-exports from outside `tui` (as `sanitize` may be) is no edge.
    w(
        "mod.rs",
        "mod a;\nmod b;\npub mod up;\npub use crate::engine::clean;\n",
    );
    w(
        "b.rs",
        "pub struct Y;\nfn g() { crate::tui::clean::line(); }\n",
    );
    let g = load(tui);
    assert!(g.deps("tui::b").is_empty(), "{:?}", g.deps("tui::b"));
    assert!(g.cycle().is_none());
    // A child importing its parent's own items is a cycle too.
    w("b.rs", "pub struct Y;\n");
    w(
        "up/inner.rs",
        "pub struct X;\nuse super::super::up::helper;\n",
    );
    w(
        "up/mod.rs",
        "mod inner;\npub use inner::X;\npub fn helper() {}\n",
    );
    let g = load(tui);
    let c = show(&g.cycle().expect("a cycle"));
    assert!(
        c == "tui::up -> tui::up::inner -> tui::up"
            || c == "tui::up::inner -> tui::up -> tui::up::inner",
        "{c}"
    );
}
