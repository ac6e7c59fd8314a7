//! What was typed at each prompt, kept across runs: one file per prompt under
//! `$XDG_STATE_HOME/vigil/history/` (else `~/.local/state/vigil/history/`), mode 0600 in
//! a 0700 folder, at most `MAX` entries, newest last. Queries hold IOCs and account
//! names: nobody else on a shared jump box may read them.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Entries kept per prompt.
pub const MAX: usize = 500;
/// Longer entries are not kept (a paste of a whole log line is no query to recall).
pub const MAX_LEN: usize = 4096;

/// The entries of every prompt, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    lists: HashMap<String, Vec<String>>,
}

/// `entry` added at the end of `list` (an equal earlier entry moves there), bounded.
fn push_to(list: &mut Vec<String>, entry: &str) {
    list.retain(|e| e != entry);
    list.push(entry.to_string());
    let extra = list.len().saturating_sub(MAX);
    list.drain(..extra);
}

fn keep(entry: &str) -> bool {
    !entry.trim().is_empty() && entry.len() <= MAX_LEN && !entry.contains(['\n', '\r'])
}

impl History {
    /// The entries of prompt `kind`, oldest first.
    pub fn entries(&self, kind: &str) -> &[String] {
        self.lists.get(kind).map_or(&[], Vec::as_slice)
    }

    /// Records `entry` for `kind`; false when it is not kept (blank, multi-line, huge).
    pub fn push(&mut self, kind: &str, entry: &str) -> bool {
        if !keep(entry) {
            return false;
        }
        push_to(self.lists.entry(kind.to_string()).or_default(), entry);
        true
    }

    /// Every prompt's file in `dir` (a folder that is not there is an empty history).
    pub fn load(dir: &Path) -> std::io::Result<History> {
        let mut h = History::default();
        let rd = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(h),
            Err(e) => return Err(e),
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !e.path().is_file() {
                continue;
            }
            h.lists.insert(name, read_list(&e.path())?);
        }
        Ok(h)
    }
}

fn read_list(path: &Path) -> std::io::Result<Vec<String>> {
    let text = match std::fs::read(path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let mut list = Vec::new();
    for l in text.lines().filter(|l| keep(l)) {
        push_to(&mut list, l);
    }
    Ok(list)
}

/// `$XDG_STATE_HOME/vigil/history`, else `$HOME/.local/state/vigil/history`.
pub fn default_dir() -> Option<PathBuf> {
    let nonempty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    let base = nonempty("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| nonempty("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("vigil").join("history"))
}

/// Adds `entry` to the file of prompt `kind` in `dir`: re-read first, so that another
/// vigil writing meanwhile keeps its entries; written to a temporary file (0600) and
/// renamed over the old one.
pub fn record(dir: &Path, kind: &str, entry: &str) -> std::io::Result<()> {
    if !keep(entry) || kind.contains(['/', '\\']) || kind.starts_with('.') {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    let path = dir.join(kind);
    let mut list = read_list(&path)?;
    push_to(&mut list, entry);
    // NamedTempFile is created 0600.
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    for l in &list {
        writeln!(tmp, "{l}")?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_kept_across_runs_bounded_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let h = dir.path().join("state/vigil/history");
        record(&h, "filter", "user:alice").unwrap();
        record(&h, "filter", "event_id:4625").unwrap();
        record(&h, "filter", "user:alice").unwrap();
        record(&h, "search", "mimikatz").unwrap();
        record(&h, "search", "two\nlines").unwrap();
        record(&h, "../escape", "x").unwrap();
        let loaded = History::load(&h).unwrap();
        assert_eq!(loaded.entries("filter"), ["event_id:4625", "user:alice"]);
        assert_eq!(loaded.entries("search"), ["mimikatz"]);
        assert!(loaded.entries("time").is_empty());
        assert!(!dir.path().join("state/vigil/escape").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&h.join("filter")), 0o600);
            assert_eq!(mode(&h), 0o700);
        }
        for i in 0..MAX + 20 {
            record(&h, "time", &format!("+{i}m")).unwrap();
        }
        let loaded = History::load(&h).unwrap();
        assert_eq!(loaded.entries("time").len(), MAX);
        assert_eq!(
            loaded.entries("time").last().map(String::as_str),
            Some(format!("+{}m", MAX + 19).as_str())
        );
        // In memory the same rules hold.
        let mut m = History::default();
        assert!(m.push("filter", "a"));
        assert!(!m.push("filter", "  "));
        assert!(m.push("filter", "b"));
        assert!(m.push("filter", "a"));
        assert_eq!(m.entries("filter"), ["b", "a"]);
        assert_eq!(
            History::load(&dir.path().join("none")).unwrap(),
            History::default()
        );
    }
}
