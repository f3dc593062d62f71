//! Persistence in RON under the data dir: settings, incidents, the feed and the outbox. Every write is
//! atomic (temp file, fsync, rename, fsync of the folder), so a crash leaves either the old or
//! the new file, never half of one. A file that cannot be read is moved aside, not deleted.

mod samples;
mod user_files;
pub use user_files::{USER_FILE_LIMIT_BYTES, read_user_file};

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::{FeedEntry, Incident, Outbox, Settings};

/// The feed keeps at most this many entries, on disk and in memory.
pub const FEED_LIMIT: usize = 10_000;
/// At most this many incidents are kept: past it the oldest closed or recovered ones go (an
/// active incident always stays).
pub const INCIDENT_LIMIT: usize = 500;

const SETTINGS_FILE: &str = "settings.ron";
const INCIDENTS_FILE: &str = "incidents.ron";
const FEED_FILE: &str = "feed.ron";
const OUTBOX_FILE: &str = "outbox.ron";
const ALERT_HISTORY_FILE: &str = "alert_history.ron";

/// Resolved alert episodes kept (the oldest go first).
pub const ALERT_HISTORY_LIMIT: usize = 5_000;

/// A failed read or write, in words.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file system refused.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Another console holds the data dir.
    #[error(
        "{0} is in use by another Incident Response Console; close it or pass another --data-dir"
    )]
    InUse(PathBuf),
    /// A file could not be read as RON (`message`: line:column and the parser's words).
    #[error("{path}:{message}")]
    Decode {
        /// The file involved.
        path: PathBuf,
        /// Where and what.
        message: String,
    },
    /// The data could not be written as RON.
    #[error("{path}: cannot encode: {message}")]
    Encode {
        /// The file involved.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// What was found on disk at start.
#[derive(Debug, Default)]
pub struct Restored {
    /// Saved settings, if there were any.
    pub settings: Option<Settings>,
    /// Saved incidents, oldest first.
    pub incidents: Vec<Incident>,
    /// Saved feed, oldest first.
    pub feed: Vec<FeedEntry>,
    /// Saved notification jobs (queued, pending and the sent history).
    pub outbox: Outbox,
    /// Resolved Alertmanager alerts, oldest first.
    pub alert_history: Vec<crate::model::ResolvedAlert>,
    /// Problems met (corrupt files moved aside), in words.
    pub problems: Vec<String>,
}

/// The data dir and the files in it.
#[derive(Clone, Debug)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// A store rooted at `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The OS data dir for this app (e.g. `~/.local/share/incident-console`).
    pub fn default_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "incident-console").map(|d| d.data_dir().into())
    }

    /// The data dir.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the user's detection rules live: `DATA_DIR/rules`.
    pub fn rules_dir(&self) -> PathBuf {
        self.dir.join("rules")
    }

    /// Where the knowledge base's index lives: `DATA_DIR/knowledge`.
    pub fn knowledge_dir(&self) -> PathBuf {
        self.dir.join("knowledge")
    }

    /// Where the user's runbooks live: `DATA_DIR/scenarios`.
    pub fn scenarios_dir(&self) -> PathBuf {
        self.dir.join("scenarios")
    }

    /// Takes the data dir for this process: two consoles writing the same files would undo
    /// each other's saves. The lock lasts as long as the returned file is open.
    pub fn lock(&self) -> Result<std::fs::File, StoreError> {
        let path = self.dir.join(".lock");
        let io = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        create_private_dir(&self.dir).map_err(io)?;
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::InUse(self.dir.clone())),
            Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
        }
    }

    /// Reads everything saved; corrupt files are moved aside and reported in `problems`.
    pub fn restore(&self) -> Restored {
        let mut r = Restored::default();
        r.settings = self.read(SETTINGS_FILE, &mut r.problems);
        r.incidents = self
            .read(INCIDENTS_FILE, &mut r.problems)
            .unwrap_or_default();
        for incident in &mut r.incidents {
            incident.upgrade();
        }
        r.feed = self.read(FEED_FILE, &mut r.problems).unwrap_or_default();
        r.outbox = self.read(OUTBOX_FILE, &mut r.problems).unwrap_or_default();
        r.alert_history = self
            .read(ALERT_HISTORY_FILE, &mut r.problems)
            .unwrap_or_default();
        r
    }

    /// The saved settings if they can be read as they are, without reporting or moving
    /// anything aside (that is [`Self::restore`]'s job, which follows): the window's first
    /// frame uses them for its language and theme while the rest is restored.
    pub fn peek_settings(&self) -> Option<Settings> {
        let text = std::fs::read_to_string(self.dir.join(SETTINGS_FILE)).ok()?;
        ron::from_str(&text).ok()
    }

    fn read<T: DeserializeOwned>(&self, name: &str, problems: &mut Vec<String>) -> Option<T> {
        let path = self.dir.join(name);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                problems.push(format!("{}: cannot read ({e})", path.display()));
                return self.move_aside(&path, problems);
            }
        };
        match ron::from_str(&text) {
            Ok(v) => Some(v),
            Err(e) => {
                problems.push(format!(
                    "{}:{}:{}: unreadable ({})",
                    path.display(),
                    e.span.start.line,
                    e.span.start.col,
                    e.code
                ));
                self.move_aside(&path, problems)
            }
        }
    }

    fn move_aside<T>(&self, path: &Path, problems: &mut [String]) -> Option<T> {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
        let aside = path.with_extension(format!("ron.corrupt-{stamp}"));
        let note = match std::fs::rename(path, &aside) {
            Ok(()) => format!("moved it aside to {} and started clean", aside.display()),
            Err(e) => format!("could not move it aside ({e}); started clean"),
        };
        if let Some(last) = problems.last_mut() {
            last.push_str("; ");
            last.push_str(&note);
        }
        None
    }

    /// Saves settings.
    pub fn save_settings(&self, settings: &Settings) -> Result<(), StoreError> {
        self.write(SETTINGS_FILE, settings)
    }

    /// Saves incidents: all of them when within [`INCIDENT_LIMIT`], else without the oldest
    /// closed or recovered ones ([`crate::model::trim_incidents`]; an active one is always
    /// written).
    pub fn save_incidents(&self, incidents: &[Incident]) -> Result<(), StoreError> {
        if incidents.len() <= INCIDENT_LIMIT {
            return self.write(INCIDENTS_FILE, incidents);
        }
        let mut kept = incidents.to_vec();
        crate::model::trim_incidents(&mut kept, INCIDENT_LIMIT);
        self.write(INCIDENTS_FILE, &kept)
    }

    /// Saves the feed (the newest [`FEED_LIMIT`] entries).
    pub fn save_feed(&self, feed: &VecDeque<FeedEntry>) -> Result<(), StoreError> {
        let start = feed.len().saturating_sub(FEED_LIMIT);
        let slice: Vec<&FeedEntry> = feed.range(start..).collect();
        self.write(FEED_FILE, &slice)
    }

    /// Saves the alert history (the newest [`ALERT_HISTORY_LIMIT`] episodes).
    pub fn save_alert_history(
        &self,
        history: &[crate::model::ResolvedAlert],
    ) -> Result<(), StoreError> {
        let start = history.len().saturating_sub(ALERT_HISTORY_LIMIT);
        self.write(ALERT_HISTORY_FILE, &history[start..])
    }

    /// Saves every notification job; called before a job's first attempt and after each.
    pub fn save_outbox(&self, outbox: &Outbox) -> Result<(), StoreError> {
        self.write(OUTBOX_FILE, outbox)
    }

    fn write<T: Serialize + ?Sized>(&self, name: &str, value: &T) -> Result<(), StoreError> {
        let path = self.dir.join(name);
        // Strings unescaped (raw `r#"…"#` where they hold a quote or backslash): escaping
        // looked up every character's printability and made a save of 500 incidents take
        // 64 ms instead of 13. Both forms read back the same, and old files still load.
        let pretty = ron::ser::PrettyConfig::default().escape_strings(false);
        let text = ron::ser::to_string_pretty(value, pretty).map_err(|e| StoreError::Encode {
            path: path.clone(),
            message: e.to_string(),
        })?;
        write_atomic(&path, text.as_bytes()).map_err(|source| StoreError::Io { path, source })
    }
}

/// Makes a file we create readable by its owner only: on Unix the mode (0600) given when it is
/// opened does it; on Windows this sets an ACL with one entry, the current user with full
/// control, that does not inherit the folder's entries. Best effort on Windows: a file system
/// without ACLs (FAT, some network shares) keeps the folder's permissions.
pub fn restrict_to_owner(path: &Path) {
    #[cfg(windows)]
    let _ = windows_acl::owner_only(path);
    #[cfg(not(windows))]
    let _ = path;
}

#[cfg(windows)]
mod windows_acl {
    use std::os::windows::ffi::OsStrExt as _;
    use std::path::Path;
    use std::ptr::{null, null_mut};

    use windows_sys::Win32::Foundation::{
        CloseHandle, ERROR_SUCCESS, GENERIC_ALL, HANDLE, LocalFree,
    };
    use windows_sys::Win32::Security::Authorization::{
        EXPLICIT_ACCESS_W, NO_MULTIPLE_TRUSTEE, SE_FILE_OBJECT, SET_ACCESS, SetEntriesInAclW,
        SetNamedSecurityInfoW, TRUSTEE_IS_SID, TRUSTEE_IS_USER, TRUSTEE_W,
    };
    use windows_sys::Win32::Security::{
        ACL, DACL_SECURITY_INFORMATION, GetTokenInformation, NO_INHERITANCE,
        PROTECTED_DACL_SECURITY_INFORMATION, TOKEN_QUERY, TOKEN_USER, TokenUser,
    };
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

    pub fn owner_only(path: &Path) -> std::io::Result<()> {
        // SAFETY: every pointer handed to Win32 points into a buffer that outlives the call;
        // the token handle and the ACL are released before returning.
        unsafe {
            let mut token: HANDLE = null_mut();
            if OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) == 0 {
                return Err(std::io::Error::last_os_error());
            }
            let mut len = 0u32;
            GetTokenInformation(token, TokenUser, null_mut(), 0, &mut len);
            // u64s: TOKEN_USER holds pointers and must be aligned for them.
            let mut buf = vec![0u64; (len as usize).div_ceil(8).max(1)];
            let ok = GetTokenInformation(token, TokenUser, buf.as_mut_ptr().cast(), len, &mut len);
            CloseHandle(token);
            if ok == 0 {
                return Err(std::io::Error::last_os_error());
            }
            let user = &*(buf.as_ptr() as *const TOKEN_USER);
            let access = EXPLICIT_ACCESS_W {
                grfAccessPermissions: GENERIC_ALL,
                grfAccessMode: SET_ACCESS,
                grfInheritance: NO_INHERITANCE,
                Trustee: TRUSTEE_W {
                    pMultipleTrustee: null_mut(),
                    MultipleTrusteeOperation: NO_MULTIPLE_TRUSTEE,
                    TrusteeForm: TRUSTEE_IS_SID,
                    TrusteeType: TRUSTEE_IS_USER,
                    ptstrName: user.User.Sid.cast(),
                },
            };
            let mut acl: *mut ACL = null_mut();
            let rc = SetEntriesInAclW(1, &access, null(), &mut acl);
            if rc != ERROR_SUCCESS {
                return Err(std::io::Error::from_raw_os_error(rc as i32));
            }
            let wide: Vec<u16> = path.as_os_str().encode_wide().chain(Some(0)).collect();
            let rc = SetNamedSecurityInfoW(
                wide.as_ptr(),
                SE_FILE_OBJECT,
                DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                null_mut(),
                null_mut(),
                acl,
                null(),
            );
            LocalFree(acl.cast());
            if rc != ERROR_SUCCESS {
                return Err(std::io::Error::from_raw_os_error(rc as i32));
            }
            Ok(())
        }
    }
}

/// Renames `from` over `to`, replacing it in one step (on Windows `MoveFileExW` with
/// `MOVEFILE_REPLACE_EXISTING`). Windows refuses while another program (a virus scanner, an
/// indexer, an editor) holds `to` open without sharing delete: tried again for up to a second.
fn rename_over(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut tries = 0;
    loop {
        match std::fs::rename(from, to) {
            Err(e)
                if cfg!(windows)
                    && e.kind() == std::io::ErrorKind::PermissionDenied
                    && tries < 20 =>
            {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// Creates `dir` and its missing parents readable by their owner only (0700 on Unix; folders
/// that exist already are left as they are).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// A temporary file's name nobody can guess ahead: another local user cannot plant a file or a
/// link there first.
fn temp_name(file_name: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    h.write_u128(nanos);
    format!(
        ".{file_name}.tmp-{}-{:016x}",
        std::process::id(),
        h.finish()
    )
}

/// Writes `bytes` to `path` atomically, readable only by its owner (see [`restrict_to_owner`]).
/// The temporary file is created new under a random name, never through a link.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(temp_name(&file_name));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Settings will hold tokens; nothing we write is for other users' eyes.
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    // Created new: if something stands there already, it is not ours to overwrite or remove.
    let mut f = options.open(&tmp)?;
    let result = (|| {
        restrict_to_owner(&tmp);
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        rename_over(&tmp, path)?;
        // The rename is durable only once the folder entry is on disk.
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_data_dir_is_the_owners_alone_and_a_write_leaves_no_temporary_file() {
        use std::os::unix::fs::PermissionsExt;
        let top = tempfile::tempdir().unwrap();
        let dir = top.path().join("a/data");
        let store = Store::new(&dir);
        let _lock = store.lock().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&top.path().join("a")), 0o700);
        assert_eq!(mode(&dir.join(".lock")), 0o600);
        let path = dir.join("x.ron");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(mode(&path), 0o600);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
        assert_ne!(
            temp_name("x.ron"),
            temp_name("x.ron"),
            "never the same name twice"
        );
    }
    use crate::model::Lang;

    #[test]
    fn settings_and_feed_round_trip_with_korean_text() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let mut s = Settings {
            language: Lang::Ko,
            ..Settings::default()
        };
        s.prometheus.http_query = "sum(rate(요청_오류[5m]))".into();
        store.save_settings(&s).unwrap();
        let feed: VecDeque<FeedEntry> = (0..3)
            .map(|i| {
                // Everything an unescaped string must survive: quotes, backslashes, a raw
                // string's own terminator, new lines, tabs, control characters.
                let words = format!(
                    "결제 API 오류 {i} \"quoted\"\n두 번째 줄\t\\d+ \"# \"## r#\"x\"# \u{0}\u{1b}[31m"
                );
                FeedEntry::new(
                    chrono::Utc::now(),
                    crate::model::FeedEvent::RestoreProblem(words),
                )
            })
            .collect();
        store.save_feed(&feed).unwrap();
        let r = store.restore();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.settings, Some(s));
        assert_eq!(r.feed, Vec::from(feed));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SETTINGS_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn corrupt_file_is_moved_aside_and_the_rest_loads() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        store.save_settings(&Settings::default()).unwrap();
        std::fs::write(dir.path().join(INCIDENTS_FILE), "[ (id: 1, garbage").unwrap();
        let r = store.restore();
        assert!(r.settings.is_some());
        assert!(r.incidents.is_empty());
        assert_eq!(r.problems.len(), 1);
        assert!(
            r.problems[0].contains("incidents.ron:1:"),
            "{}",
            r.problems[0]
        );
        assert!(
            r.problems[0].contains("moved it aside"),
            "{}",
            r.problems[0]
        );
        assert!(!dir.path().join(INCIDENTS_FILE).exists());
        let aside = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().contains("corrupt"));
        assert!(aside, "the corrupt file is kept for the user");
        // A second start is clean.
        assert!(store.restore().problems.is_empty());
    }

    #[test]
    fn a_second_console_cannot_take_the_same_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let held = store.lock().unwrap();
        let err = store.lock().unwrap_err();
        assert!(err.to_string().contains("is in use by another"), "{err}");
        drop(held);
        assert!(store.lock().is_ok(), "released when the first one exits");
    }

    #[test]
    fn feed_is_bounded_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let feed: VecDeque<FeedEntry> = (0..FEED_LIMIT + 5)
            .map(|i| {
                let event = crate::model::FeedEvent::UnknownIncident { id: i as u64 };
                FeedEntry::new(chrono::Utc::now(), event)
            })
            .collect();
        store.save_feed(&feed).unwrap();
        let r = store.restore();
        assert_eq!(r.feed.len(), FEED_LIMIT);
        assert_eq!(
            r.feed[0].event,
            crate::model::FeedEvent::UnknownIncident { id: 5 }
        );
    }
}
