//! Paths the user gives for the case file: where they lead and whether their folder takes
//! new files. Used by the effect runner (the case path prompt, `:w PATH`, `:case PATH`;
//! the file itself is written through `crate::output`) and at start (`--case`).

use std::path::{Path, PathBuf};

/// Why a typed case path cannot be used. Short: the path is on the line above.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CasePathError {
    #[error("a path is needed (e.g. ./case.vigil.json)")]
    Empty,
    #[error("that is a folder: add a file name (e.g. case.vigil.json)")]
    TypedFolder,
    #[error("no file name (e.g. case.vigil.json)")]
    NoName,
    #[error("{} is a folder", .0.display())]
    Folder(PathBuf),
    #[error("{} is not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("no folder {}", .0.display())]
    NoFolder(PathBuf),
    #[error("cannot write in {}: {reason}", .dir.display())]
    NotWritable { dir: PathBuf, reason: String },
}

/// Where a case path typed by the user leads: `~/` is the home folder, `.vigil.json` is
/// added when missing, and the folder must exist and take new files. The messages are
/// short: the path is on the line above them.
pub fn case_file_path(typed: &Path) -> Result<PathBuf, CasePathError> {
    let text = typed.to_string_lossy();
    let typed = match (text.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => typed.to_path_buf(),
    };
    if typed.as_os_str().is_empty() {
        return Err(CasePathError::Empty);
    }
    if typed.is_dir() {
        return Err(CasePathError::TypedFolder);
    }
    let name = typed
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or(CasePathError::NoName)?;
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
        return Err(CasePathError::Folder(path));
    }
    check_folder(&path)?;
    Ok(path)
}

/// The folder of `path` exists and takes new files (tried, which is the one reliable
/// test: permissions, read-only mounts).
pub fn check_folder(path: &Path) -> Result<(), CasePathError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(CasePathError::NotAFolder(dir)),
        Err(_) => return Err(CasePathError::NoFolder(dir)),
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
            return Err(CasePathError::NotWritable {
                dir,
                reason: os_reason(&e),
            });
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
