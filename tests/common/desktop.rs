//! A desktop for the notification tests: Xvfb on a display it picks, a private D-Bus session
//! bus, and Debian's `dunst` on both with a rule that logs every notification it shows
//! (summary|body|urgency, one line each) and, for the action tests, a `dmenu` stand-in that
//! picks the context-menu entry containing a chosen word.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::Proc;

/// The running desktop; everything stops when it is dropped.
pub struct Desktop {
    /// The session bus's address (`unix:path=…`).
    pub bus: String,
    /// One line per notification dunst showed.
    pub log: PathBuf,
    /// What the menu stand-in picks: the first entry containing this word.
    pub pick: PathBuf,
    pub dunst: Option<Proc>,
    _dbus: Proc,
    _x: Proc,
    _dir: tempfile::TempDir,
}

/// Whether the programs are there (Xvfb, dbus-daemon, dunst), as [`super::installed`] says.
pub fn available() -> bool {
    super::installed("Xvfb", "xvfb")
        && super::installed("dbus-daemon", "dbus-daemon")
        && super::installed("dunst", "dunst")
}

/// The first line a child writes on its (piped) stdout: these daemons say they are ready so.
fn first_line(child: &mut std::process::Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    line
}

/// A private D-Bus session bus with its socket in `dir`: the daemon and its address.
pub fn session_bus(dir: &Path) -> (Proc, String) {
    let bus = format!("unix:path={}", dir.join("bus").display());
    let mut dbus = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
        .arg(format!("--address={bus}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon starts");
    // It prints its address once it listens; a client started before that cannot connect.
    let said = first_line(&mut dbus);
    assert!(said.starts_with("unix:"), "dbus-daemon said {said:?}");
    (Proc(dbus), bus)
}

impl Desktop {
    /// Starts Xvfb, the bus and dunst, and waits until dunst answers on the bus.
    pub fn start() -> Desktop {
        let dir = tempfile::tempdir().unwrap();
        let mut x = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "800x600x24",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let display = format!(":{}", first_line(&mut x).trim());
        let x = Proc(x);
        let (dbus, bus) = session_bus(dir.path());
        let log = dir.path().join("shown.log");
        let script = dir.path().join("log.sh");
        write_script(
            &script,
            // One line per notification: summary|body (its lines joined)|urgency.
            &format!(
                "#!/bin/sh\nbody=$(printf '%s' \"$3\" | tr '\\n' ' ')\nprintf '%s|%s|%s\\n' \"$2\" \"$body\" \"$5\" >> {}\n",
                log.display()
            ),
        );
        let pick = dir.path().join("pick");
        std::fs::write(&pick, "Acknowledge").unwrap();
        let menu = dir.path().join("menu.sh");
        write_script(
            &menu,
            &format!(
                "#!/bin/sh\ncat > {dir}/menu.in\ngrep -F -m1 \"$(cat {pick})\" {dir}/menu.in\n",
                dir = dir.path().display(),
                pick = pick.display()
            ),
        );
        let rc = dir.path().join("dunstrc");
        std::fs::write(
            &rc,
            format!(
                "[global]\n    font = Monospace 8\n    dmenu = {}\n[log]\n    summary = \"*\"\n    script = {}\n",
                menu.display(),
                script.display()
            ),
        )
        .unwrap();
        let dunst_log = dir.path().join("dunst.log");
        let dunst = Proc(
            Command::new("dunst")
                .arg("-config")
                .arg(&rc)
                .env("DISPLAY", &display)
                .env("DBUS_SESSION_BUS_ADDRESS", &bus)
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&dunst_log).unwrap())
                .spawn()
                .expect("dunst starts"),
        );
        super::wait_ready("dunst", &dunst_log, || {
            dunstctl(&bus, &["is-paused"]).is_ok_and(|o| o.status.success())
        });
        Desktop {
            bus,
            log,
            pick,
            dunst: Some(dunst),
            _dbus: dbus,
            _x: x,
            _dir: dir,
        }
    }

    /// Waits until dunst logged `lines` notifications; the lines.
    pub fn logged(&self, lines: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            let got: Vec<String> = text.lines().map(str::to_string).collect();
            if got.len() >= lines {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "gave up waiting for {lines} notifications; dunst logged {got:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Opens dunst's context menu, where the stand-in picks the entry with `word`; the menu's
    /// entries as dunst offered them.
    pub fn choose(&self, word: &str) -> String {
        std::fs::write(&self.pick, word).unwrap();
        let offered = self.pick.with_file_name("menu.in");
        let _ = std::fs::remove_file(&offered);
        let out = dunstctl(&self.bus, &["context"]).expect("dunstctl runs");
        assert!(out.status.success(), "dunstctl context: {out:?}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(text) = std::fs::read_to_string(&offered)
                && !text.is_empty()
            {
                return text;
            }
            assert!(Instant::now() < deadline, "dunst opened no menu");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn dunstctl(bus: &str, args: &[&str]) -> std::io::Result<std::process::Output> {
    Command::new("dunstctl")
        .args(args)
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .output()
}

fn write_script(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
}
