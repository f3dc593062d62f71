//! Starting at login: an XDG autostart entry (`~/.config/autostart/incident-console.desktop`)
//! on Linux and the BSDs, a value under `HKCU\Software\Microsoft\Windows\CurrentVersion\Run` on
//! Windows. Each runs this very executable, with `--minimised` when asked to start in the tray,
//! and `--data-dir` when the console runs on a data dir other than the OS's default one.
//! Blocking file or registry I/O, a few bytes, only when the setting changes.

/// The autostart entry's and the Run value's name.
const NAME: &str = "incident-console";

/// How the login's run starts: minimised or not, and on which data dir (`None`: the OS's
/// default one).
#[derive(Clone, Copy, Debug)]
pub struct Start<'a> {
    /// With `--minimised`.
    pub minimised: bool,
    /// With `--data-dir` (an absolute path).
    pub data_dir: Option<&'a std::path::Path>,
}

/// Writes (`on`) or removes the entry; in words why not.
pub fn set(on: bool, start: Start<'_>) -> Result<(), String> {
    let exe = std::env::current_exe()
        .map_err(|e| format!("this program's own path is not known ({e})"))?;
    platform::set(on, start, &exe)
}

/// An argument quoted for a desktop entry's `Exec` key, then escaped as the entry's string
/// values are (the spec's two levels: `\"`, `` \` ``, `\$`, `\\` inside the quotes, and every
/// backslash doubled again for the file).
pub fn exec_arg(arg: &str) -> String {
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted.replace('\\', "\\\\")
}

/// `arg` quoted for a Windows command line (the Run value): backslashes before the closing
/// quote are doubled, so that they do not escape it (`C:\data\` becomes `"C:\data\\"`).
/// Paths hold no `"` on Windows.
#[cfg_attr(not(windows), allow(dead_code))]
fn windows_arg(arg: &str) -> String {
    let trailing = arg.len() - arg.trim_end_matches('\\').len();
    format!("\"{arg}{}\"", "\\".repeat(trailing))
}

/// The autostart entry's text for `exe`.
pub fn desktop_entry(exe: &std::path::Path, start: Start<'_>) -> String {
    let mut exec = exec_arg(&exe.display().to_string());
    if start.minimised {
        exec.push_str(" --minimised");
    }
    if let Some(dir) = start.data_dir {
        exec.push_str(" --data-dir ");
        exec.push_str(&exec_arg(&dir.display().to_string()));
    }
    format!(
        "[Desktop Entry]\nType=Application\nName=Incident Response Console\nComment=Watches Prometheus alerts from the tray\nExec={exec}\nIcon={NAME}\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
    )
}

#[cfg(not(windows))]
mod platform {
    use std::path::{Path, PathBuf};

    /// `$XDG_CONFIG_HOME/autostart`, else `~/.config/autostart`.
    fn dir() -> Result<PathBuf, String> {
        let base = directories::BaseDirs::new()
            .ok_or_else(|| "no home directory is known for this user".to_string())?;
        Ok(base.config_dir().join("autostart"))
    }

    pub(super) fn set(on: bool, start: super::Start<'_>, exe: &Path) -> Result<(), String> {
        let path = dir()?.join(format!("{}.desktop", super::NAME));
        if !on {
            return match std::fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(format!("{} could not be removed ({e})", path.display())),
            };
        }
        let text = super::desktop_entry(exe, start);
        crate::store::write_atomic(&path, text.as_bytes())
            .map_err(|e| format!("{} could not be written ({e})", path.display()))
    }
}

#[cfg(windows)]
mod platform {
    use std::path::Path;

    use windows_sys::Win32::System::Registry::{
        HKEY_CURRENT_USER, REG_SZ, RegDeleteKeyValueW, RegSetKeyValueW,
    };

    const RUN: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";
    /// ERROR_FILE_NOT_FOUND: there was no value to delete.
    const NOT_FOUND: u32 = 2;

    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain(std::iter::once(0)).collect()
    }

    pub(super) fn set(on: bool, start: super::Start<'_>, exe: &Path) -> Result<(), String> {
        let key = wide(RUN);
        let name = wide("IncidentResponseConsole");
        if !on {
            // SAFETY: both strings are NUL-terminated UTF-16 and outlive the call.
            let rc = unsafe { RegDeleteKeyValueW(HKEY_CURRENT_USER, key.as_ptr(), name.as_ptr()) };
            return match rc {
                0 | NOT_FOUND => Ok(()),
                rc => Err(format!("the Run key refused the change (error {rc})")),
            };
        }
        let mut command = super::windows_arg(&exe.display().to_string());
        if start.minimised {
            command.push_str(" --minimised");
        }
        if let Some(dir) = start.data_dir {
            command.push_str(" --data-dir ");
            command.push_str(&super::windows_arg(&dir.display().to_string()));
        }
        let value = wide(&command);
        let bytes = (value.len() * 2) as u32;
        // SAFETY: as above; `value` is `bytes` long, a NUL-terminated REG_SZ.
        let rc = unsafe {
            RegSetKeyValueW(
                HKEY_CURRENT_USER,
                key.as_ptr(),
                name.as_ptr(),
                REG_SZ,
                value.as_ptr().cast(),
                bytes,
            )
        };
        match rc {
            0 => Ok(()),
            rc => Err(format!("the Run key refused the change (error {rc})")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exec_argument_is_quoted_and_escaped_twice() {
        assert_eq!(
            exec_arg("/usr/bin/incident-console"),
            r#""/usr/bin/incident-console""#
        );
        assert_eq!(exec_arg("/opt/my $app"), r#""/opt/my \\$app""#);
        assert_eq!(exec_arg(r#"/a"b\c"#), r#""/a\\"b\\\\c""#);
        let start = Start {
            minimised: true,
            data_dir: None,
        };
        let entry = desktop_entry(std::path::Path::new("/usr/bin/incident-console"), start);
        assert!(entry.contains("\nExec=\"/usr/bin/incident-console\" --minimised\n"));
        let start = Start {
            minimised: false,
            data_dir: Some(std::path::Path::new("/srv/on call")),
        };
        let entry = desktop_entry(std::path::Path::new("/usr/bin/incident-console"), start);
        let exec = "\nExec=\"/usr/bin/incident-console\" --data-dir \"/srv/on call\"\n";
        assert!(entry.contains(exec), "{entry}");
        assert!(entry.starts_with("[Desktop Entry]\nType=Application\n"));
    }

    #[test]
    fn a_windows_argument_keeps_its_trailing_backslashes_inside_the_quotes() {
        assert_eq!(
            windows_arg(r"C:\Program Files\ic.exe"),
            r#""C:\Program Files\ic.exe""#
        );
        assert_eq!(windows_arg(r"D:\on call\"), r#""D:\on call\\""#);
    }
}
