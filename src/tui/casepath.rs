//! Paths the user gives for the case file: where they lead and whether their folder takes
//! new files. Used by the effect runner (the case path prompt, `:w PATH`, `:case PATH`;
//! the file itself is written through `crate::output`) and at start (`--case`).

use std::path::{Path, PathBuf};

/// Where a case path typed by the user leads: `~/` is the home folder, `.vigil.json` is
/// added when missing, and the folder must exist and take new files. The messages are
/// short: the path is on the line above them.
pub fn case_file_path(typed: &Path) -> Result<PathBuf, String> {
    let text = typed.to_string_lossy();
    let typed = match (text.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => typed.to_path_buf(),
    };
    if typed.as_os_str().is_empty() {
        return Err("a path is needed (e.g. ./case.vigil.json)".into());
    }
    if typed.is_dir() {
        return Err("that is a folder: add a file name (e.g. case.vigil.json)".into());
    }
    let name = typed
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or("no file name (e.g. case.vigil.json)")?;
    let path = if name.ends_with(".vigil.json") {
        typed
    } else {
        let stem = name
            .strip_suffix(".json")
            .or_else(|| name.strip_suffix(".vigil"))
            .unwrap_or(&name);
        typed.with_file_name(format!("{stem}.vigil.json"))
    };
    if path.is_dir() {
        return Err(format!("{} is a folder", path.display()));
    }
    check_folder(&path)?;
    Ok(path)
}

/// The folder of `path` exists and takes new files (tried, which is the one reliable
/// test: permissions, read-only mounts).
pub fn check_folder(path: &Path) -> Result<(), String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(format!("{} is not a folder", dir.display())),
        Err(_) => return Err(format!("no folder {}", dir.display())),
    }
    let probe = dir.join(format!(".vigil-write-check-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => {
            return Err(format!(
                "cannot write in {}: {}",
                dir.display(),
                os_reason(&e)
            ));
        }
    }
    Ok(())
}

/// An I/O error's reason, without the error number.
fn os_reason(e: &std::io::Error) -> String {
    let s = match e.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code).to_string(),
        None => e.kind().to_string(),
    };
    match s.find(" (os error") {
        Some(at) => s[..at].to_lowercase(),
        None => s.to_lowercase(),
    }
}

/// The same file, however it is named (`./x` and `x`, links).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
