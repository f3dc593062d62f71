//! The audit log of actions that act: every approval, dry run, run, refusal and result, one JSON
//! line each, appended to `audit.jsonl` in the data dir, fsynced line by line, readable by its
//! owner only. A crash can cut only the line being written: reading skips a torn last line and
//! says so, and a run that started without a result is "outcome unknown", never succeeded.
//! Blocking: call it off the engine's thread.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The file's name in the data dir.
pub const AUDIT_FILE: &str = "audit.jsonl";

/// What a line records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// The responder approved (the plan, a high-risk action with its confirmation, a real run
    /// after a dry run).
    Approved,
    /// A run (`dry_run` says which) is about to start.
    Started,
    /// A run finished (see `outcome`).
    Finished,
    /// The engine refused (allow-list, missing confirmation, headless).
    Refused,
    /// The responder did not approve the real run after its dry run.
    Declined,
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditLine {
    /// When.
    pub at: DateTime<Utc>,
    /// The responder's name from settings.
    pub who: String,
    /// The incident.
    pub incident: u64,
    /// The action's index in the runbook (from 0); `None` for the plan as a whole.
    pub action: Option<usize>,
    /// What happened.
    pub kind: AuditKind,
    /// Whether this is about the dry run.
    #[serde(default)]
    pub dry_run: bool,
    /// What exactly ran, with every secret masked (`POST https://…`, `/usr/bin/kubectl …`).
    #[serde(default)]
    pub what: String,
    /// The exit code or HTTP status, once finished.
    #[serde(default)]
    pub status: Option<i64>,
    /// Milliseconds the run took, once finished.
    #[serde(default)]
    pub duration_ms: Option<u64>,
    /// `succeeded`, `failed: …`, `timed out`, or the refusal's reason.
    #[serde(default)]
    pub outcome: String,
}

/// A failed append, in words.
#[derive(Debug, thiserror::Error)]
#[error("the audit log {path}: {source}")]
pub struct AuditError {
    /// The file.
    pub path: PathBuf,
    /// The OS error.
    pub source: std::io::Error,
}

/// Appends `line` to the log in `dir`, as one JSON line, and fsyncs it before returning.
pub fn append(dir: &Path, line: &AuditLine) -> Result<(), AuditError> {
    let path = dir.join(AUDIT_FILE);
    let err = |source| AuditError {
        path: path.clone(),
        source,
    };
    crate::store::create_private_dir(dir).map_err(err)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // What ran, against which incident, is for its owner's eyes only.
        options.mode(0o600);
    }
    let new = !path.exists();
    let mut f = options.open(&path).map_err(err)?;
    if new {
        crate::store::restrict_to_owner(&path);
    }
    let mut text = String::new();
    // After a crash cut the last line, start on a line of our own: the torn one stays alone
    // (reading skips it) instead of swallowing this one.
    if ends_torn(&mut f).map_err(err)? {
        text.push('\n');
    }
    text.push_str(&serde_json::to_string(line).map_err(|e| err(std::io::Error::other(e)))?);
    text.push('\n');
    // One write of the whole line: a crash leaves it whole or torn at the end, never mixed.
    f.write_all(text.as_bytes()).map_err(err)?;
    f.sync_data().map_err(err)
}

/// Whether the file's last byte is not a newline (a line torn by a crash).
fn ends_torn(f: &mut std::fs::File) -> std::io::Result<bool> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    if f.metadata()?.len() == 0 {
        return Ok(false);
    }
    f.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    f.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// What reading the log found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditRead {
    /// Every whole line, in order.
    pub lines: Vec<AuditLine>,
    /// Lines that could not be read (a torn last line after a crash), in words.
    pub problems: Vec<String>,
}

/// Reads the log in `dir` (none yet: empty).
pub fn read(dir: &Path) -> AuditRead {
    let path = dir.join(AUDIT_FILE);
    let mut out = AuditRead::default();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return out,
        Err(e) => {
            out.problems
                .push(format!("{}: cannot read it ({e})", path.display()));
            return out;
        }
    };
    for (n, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<AuditLine>(raw) {
            Ok(line) => out.lines.push(line),
            Err(e) => out.problems.push(format!(
                "{} line {}: not a whole audit line ({e}); a crash while writing it?",
                path.display(),
                n + 1
            )),
        }
    }
    out
}

/// The runs that started and never finished (the console stopped in the middle): their
/// outcome is unknown, and must never be shown as succeeded.
pub fn in_flight(lines: &[AuditLine]) -> Vec<&AuditLine> {
    let mut open: Vec<&AuditLine> = Vec::new();
    for l in lines {
        match l.kind {
            AuditKind::Started => open.push(l),
            AuditKind::Finished => {
                if let Some(i) = open.iter().position(|o| {
                    o.incident == l.incident && o.action == l.action && o.dry_run == l.dry_run
                }) {
                    open.remove(i);
                }
            }
            _ => {}
        }
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: AuditKind, action: usize, outcome: &str) -> AuditLine {
        AuditLine {
            at: DateTime::parse_from_rfc3339("2026-11-27T06:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            who: "kim.oncall".into(),
            incident: 3,
            action: Some(action),
            kind,
            dry_run: false,
            what: "POST https://rundeck.example.com/api/41/job/x/run (X-Rundeck-Auth-Token: ***)"
                .into(),
            status: None,
            duration_ms: None,
            outcome: outcome.into(),
        }
    }

    #[test]
    fn lines_append_whole_owner_only_and_a_torn_line_or_unfinished_run_is_said() {
        let dir = tempfile::tempdir().unwrap();
        append(dir.path(), &line(AuditKind::Approved, 0, "")).unwrap();
        append(dir.path(), &line(AuditKind::Started, 0, "")).unwrap();
        let mut done = line(AuditKind::Finished, 0, "succeeded");
        done.status = Some(200);
        done.duration_ms = Some(84);
        append(dir.path(), &done).unwrap();
        append(dir.path(), &line(AuditKind::Started, 1, "")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(AUDIT_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A crash in the middle of the next line.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(AUDIT_FILE))
            .unwrap();
        f.write_all(br#"{"at":"2026-11-27T06:01:00Z","who":"kim"#)
            .unwrap();
        drop(f);
        // The next line after the crash starts on its own line and reads whole.
        append(dir.path(), &line(AuditKind::Finished, 1, "outcome unknown")).unwrap();
        let read = read(dir.path());
        assert_eq!(read.lines.len(), 5);
        assert_eq!(read.lines[4].outcome, "outcome unknown");
        assert_eq!(read.lines[2], done);
        assert_eq!(read.problems.len(), 1);
        assert!(
            read.problems[0].contains("line 5: not a whole audit line"),
            "{:?}",
            read.problems
        );
        let unknown = in_flight(&read.lines[..4]);
        assert_eq!(unknown.len(), 1);
        assert_eq!(
            unknown[0].action,
            Some(1),
            "action 2 started and never finished"
        );
        assert!(
            in_flight(&read.lines).is_empty(),
            "closed by the line after"
        );
        assert!(read.lines.iter().all(|l| !l.what.contains("secret")));
    }
}
