//! Files a person puts in the data dir (runbooks, rules) or chooses to import (knowledge
//! documents): read only when they are regular files of a bounded size.

use std::path::Path;

/// The largest runbook, rule or knowledge file read, in bytes.
pub const USER_FILE_LIMIT_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a file a person put in the data dir or chose to import: only a regular file (a FIFO
/// or a device named `x.ron` would hang or flood the engine), at most
/// [`USER_FILE_LIMIT_BYTES`], as UTF-8. The error is in words.
pub fn read_user_file(path: &Path) -> Result<String, String> {
    use std::io::Read as _;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO without a writer would block; non-blocking, it opens and is refused.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options
        .open(path)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file (a folder, a pipe or a device); it is skipped".into());
    }
    if meta.len() > USER_FILE_LIMIT_BYTES {
        return Err(format!(
            "{} bytes is more than the {} MiB a file may hold",
            meta.len(),
            USER_FILE_LIMIT_BYTES / 1024 / 1024
        ));
    }
    let mut bytes = Vec::new();
    file.take(USER_FILE_LIMIT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > USER_FILE_LIMIT_BYTES {
        return Err(format!(
            "more than the {} MiB a file may hold",
            USER_FILE_LIMIT_BYTES / 1024 / 1024
        ));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_pipe_named_like_a_runbook_is_refused_at_once_and_a_huge_file_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.ron");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let err = read_user_file(&fifo).unwrap_err();
        assert!(err.starts_with("not a regular file"), "{err}");
        let big = dir.path().join("big.ron");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(USER_FILE_LIMIT_BYTES + 1)
            .unwrap();
        assert!(read_user_file(&big).unwrap_err().contains("4 MiB"));
        std::fs::write(dir.path().join("ok.ron"), "결제").unwrap();
        assert_eq!(read_user_file(&dir.path().join("ok.ron")).unwrap(), "결제");
    }
}
