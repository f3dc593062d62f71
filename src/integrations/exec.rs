//! The wire of actions that act: one HTTP request, or one program without a shell. Each run
//! has a timeout, its output is kept up to [`OUTPUT_LIMIT_BYTES`], and nothing is ever sent
//! or started twice: actions are not idempotent, so the client neither retries nor follows a
//! redirect (which could also lead to a host off the allow-list).

use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt as _;

use crate::model::{ActionOutcome, OUTPUT_LIMIT_BYTES, PreparedKind};

/// What one run came back with (the caller masks secrets in `output` and `detail`).
#[derive(Clone, Debug, PartialEq)]
pub struct RunReport {
    /// Succeeded (exit 0, a 2xx answer), failed, or timed out.
    pub outcome: ActionOutcome,
    /// The exit code, or the HTTP status.
    pub status: Option<i64>,
    /// stdout then stderr, or the answer's body; at most [`OUTPUT_LIMIT_BYTES`].
    pub output: String,
    /// Why it failed, in the words of the OS or the client; empty on success.
    pub detail: String,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
}

/// Runs `kind` once, giving up after `timeout`.
pub async fn run(kind: &PreparedKind, timeout: Duration) -> RunReport {
    let started = Instant::now();
    let mut report = match kind {
        PreparedKind::Webhook {
            method,
            url,
            headers,
            body,
        } => webhook(method, url, headers, body, timeout).await,
        PreparedKind::Command {
            program,
            args,
            cwd,
            env,
        } => command(program, args, cwd.as_deref(), env, timeout).await,
    };
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}

fn report(
    outcome: ActionOutcome,
    status: Option<i64>,
    output: String,
    detail: String,
) -> RunReport {
    RunReport {
        outcome,
        status,
        output,
        detail,
        duration_ms: 0,
    }
}

async fn webhook(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &str,
    timeout: Duration,
) -> RunReport {
    let failed = |detail: String| report(ActionOutcome::Failed, None, String::new(), detail);
    let client = match reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .user_agent(concat!("incident-console/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            return failed(format!(
                "cannot build an HTTP client: {}",
                super::http::innermost(&e)
            ));
        }
    };
    let Ok(method) = reqwest::Method::from_bytes(method.as_bytes()) else {
        return failed(format!("`{method}` is not an HTTP method"));
    };
    let mut request = client.request(method, url);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    if !body.is_empty() {
        request = request.body(body.to_string());
    }
    let mut response = match request.send().await {
        Ok(r) => r,
        Err(e) if e.is_timeout() => {
            return report(
                ActionOutcome::TimedOut,
                None,
                String::new(),
                format!("no answer within {} s", timeout.as_secs()),
            );
        }
        Err(e) => return failed(super::http::innermost(&e)),
    };
    let status = response.status();
    let mut kept = Vec::new();
    let mut cut = 0u64;
    let mut detail = String::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = OUTPUT_LIMIT_BYTES.saturating_sub(kept.len());
                kept.extend_from_slice(&chunk[..room.min(chunk.len())]);
                cut += chunk.len().saturating_sub(room) as u64;
                // Past the limit there is nothing more to keep: stop reading.
                if cut > 0 {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                detail = format!("the answer broke off: {}", super::http::innermost(&e));
                break;
            }
        }
    }
    let mut output = String::from_utf8_lossy(&kept).into_owned();
    if cut > 0 {
        output.push_str(&format!("\n[… cut at {} KiB]", OUTPUT_LIMIT_BYTES / 1024));
    }
    let outcome = if status.is_success() {
        ActionOutcome::Succeeded
    } else {
        if detail.is_empty() {
            detail = format!("the server answered {status}");
        }
        ActionOutcome::Failed
    };
    report(outcome, Some(i64::from(status.as_u16())), output, detail)
}

/// What a command's environment keeps of the console's: what a program needs to start, find
/// its files and read text; nothing else (the runbook's `env` adds what an action needs).
const SAFE_ENV: &[&str] = if cfg!(windows) {
    &[
        "PATH",
        "PATHEXT",
        "SYSTEMROOT",
        "SYSTEMDRIVE",
        "WINDIR",
        "COMSPEC",
        "TEMP",
        "TMP",
        "USERPROFILE",
        "HOMEDRIVE",
        "HOMEPATH",
        "APPDATA",
        "LOCALAPPDATA",
        "USERNAME",
    ]
} else {
    &[
        "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR",
    ]
};

async fn command(
    program: &str,
    args: &[String],
    cwd: Option<&str>,
    env: &[(String, String)],
    timeout: Duration,
) -> RunReport {
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    // A clean environment: the console's holds its secrets (`INCIDENT_*`, API keys), and a
    // program that printed them would put them in the incident, the audit log and Slack.
    cmd.env_clear();
    for name in SAFE_ENV {
        if let Some(v) = std::env::var_os(name) {
            cmd.env(name, v);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    // Its own process group (on Windows, a job object below), so a timeout stops whatever it
    // started too.
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return report(
                ActionOutcome::Failed,
                None,
                String::new(),
                format!("cannot start {program}: {e}"),
            );
        }
    };
    #[cfg(windows)]
    let job = windows_job::Job::holding(&child);
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let readers = tokio::spawn(async move { tokio::join!(bounded(stdout), bounded(stderr)) });
    let waited = tokio::time::timeout(timeout, child.wait()).await;
    let (outcome, status, detail) = match waited {
        Ok(Ok(exit)) => match exit.code() {
            Some(0) => (ActionOutcome::Succeeded, Some(0), String::new()),
            Some(code) => (
                ActionOutcome::Failed,
                Some(i64::from(code)),
                format!("exit code {code}"),
            ),
            None => (
                ActionOutcome::Failed,
                None,
                format!("ended by a signal ({exit})"),
            ),
        },
        Ok(Err(e)) => (
            ActionOutcome::Failed,
            None,
            format!("cannot wait for it: {e}"),
        ),
        Err(_) => {
            #[cfg(windows)]
            if let Some(job) = &job {
                job.terminate();
            }
            kill_group(&mut child).await;
            (
                ActionOutcome::TimedOut,
                None,
                format!("killed after its timeout of {} s", timeout.as_secs()),
            )
        }
    };
    // A grandchild may hold the pipes open after the program ended: keep what arrived.
    let (out, err) = match tokio::time::timeout(Duration::from_secs(2), readers).await {
        Ok(Ok(pair)) => pair,
        _ => (Bounded::default(), Bounded::default()),
    };
    let mut output = String::from_utf8_lossy(&out.bytes).into_owned();
    let mut cut = out.cut + err.cut;
    if !err.bytes.is_empty() || err.cut > 0 {
        if !output.is_empty() && !output.ends_with('\n') {
            output.push('\n');
        }
        output.push_str("--- stderr ---\n");
        output.push_str(&String::from_utf8_lossy(&err.bytes));
    }
    if output.len() > OUTPUT_LIMIT_BYTES {
        let mut end = OUTPUT_LIMIT_BYTES;
        while !output.is_char_boundary(end) {
            end -= 1;
        }
        cut += (output.len() - end) as u64;
        output.truncate(end);
    }
    if cut > 0 {
        output.push_str(&format!("\n[… {cut} more bytes not kept]"));
    }
    report(outcome, status, output, detail)
}

async fn kill_group(child: &mut tokio::process::Child) {
    #[cfg(unix)]
    if let Some(pid) = child.id() {
        // SAFETY: kill(2) with a negative pid signals the process group we created; it
        // touches no memory of ours.
        unsafe {
            libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
        }
    }
    let _ = child.kill().await;
}

/// Windows has no process groups: a job object holds the program and what it starts, so a
/// timeout ends them all. A program that starts another in its very first instant, before it
/// is put in the job, escapes it.
#[cfg(windows)]
mod windows_job {
    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, TerminateJobObject,
    };

    pub struct Job(HANDLE);

    // SAFETY: a job handle may be used and closed from any thread.
    unsafe impl Send for Job {}
    unsafe impl Sync for Job {}

    impl Job {
        /// A new job holding `child`; `None` if Windows refuses (the program then runs as
        /// it would without one, and only it is stopped at the timeout).
        pub fn holding(child: &tokio::process::Child) -> Option<Self> {
            let process = child.raw_handle()?;
            // SAFETY: plain Win32 calls; the job handle is owned by the returned value.
            unsafe {
                let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
                if job.is_null() {
                    return None;
                }
                if AssignProcessToJobObject(job, process as HANDLE) == 0 {
                    CloseHandle(job);
                    return None;
                }
                Some(Self(job))
            }
        }

        /// Ends every process in the job.
        pub fn terminate(&self) {
            // SAFETY: the handle is open for as long as `self` lives.
            unsafe {
                TerminateJobObject(self.0, 1);
            }
        }
    }

    impl Drop for Job {
        fn drop(&mut self) {
            // SAFETY: closed once, here.
            unsafe {
                CloseHandle(self.0);
            }
        }
    }
}

/// One stream's first [`OUTPUT_LIMIT_BYTES`], and how much more came.
#[derive(Default)]
struct Bounded {
    bytes: Vec<u8>,
    cut: u64,
}

/// Reads a pipe to its end, keeping the first bytes: draining the rest keeps a chatty
/// program from blocking on a full pipe.
async fn bounded(pipe: Option<impl tokio::io::AsyncRead + Unpin>) -> Bounded {
    let mut out = Bounded::default();
    let Some(mut pipe) = pipe else {
        return out;
    };
    let mut buf = [0u8; 8192];
    while let Ok(n) = pipe.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let room = OUTPUT_LIMIT_BYTES.saturating_sub(out.bytes.len());
        out.bytes.extend_from_slice(&buf[..room.min(n)]);
        out.cut += n.saturating_sub(room) as u64;
    }
    out
}

// They run Unix programs (/bin/echo, /bin/sh) and read /proc.
#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn cmd(program: &str, args: &[&str]) -> PreparedKind {
        PreparedKind::Command {
            program: program.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            cwd: None,
            env: vec![],
        }
    }

    #[tokio::test]
    async fn a_command_runs_without_a_shell_and_its_output_is_kept() {
        let r = run(
            &cmd("/bin/echo", &["incident", "7", "$HOME;", "rm"]),
            Duration::from_secs(10),
        )
        .await;
        assert_eq!(r.outcome, ActionOutcome::Succeeded);
        assert_eq!(r.status, Some(0));
        // No shell: `$HOME;` reaches the program as it was written.
        assert_eq!(r.output, "incident 7 $HOME; rm\n");
    }

    #[tokio::test]
    async fn a_command_starts_from_a_clean_environment_plus_what_the_action_declares() {
        // `cargo test` gives this process variables a program has no business seeing.
        assert!(std::env::var_os("CARGO_MANIFEST_DIR").is_some());
        let kind = PreparedKind::Command {
            program: "/usr/bin/env".into(),
            args: vec![],
            cwd: None,
            env: vec![("DEPLOYMENT".into(), "checkout".into())],
        };
        let r = run(&kind, Duration::from_secs(10)).await;
        assert_eq!(r.outcome, ActionOutcome::Succeeded, "{r:?}");
        let names: Vec<&str> = r
            .output
            .lines()
            .filter_map(|l| l.split('=').next())
            .collect();
        assert!(names.contains(&"PATH"), "{names:?}");
        assert!(names.contains(&"DEPLOYMENT"), "{names:?}");
        assert!(!names.contains(&"CARGO_MANIFEST_DIR"), "{names:?}");
        assert!(
            names.iter().all(|n| !n.starts_with("INCIDENT_")),
            "{names:?}"
        );
        assert!(
            names
                .iter()
                .all(|n| SAFE_ENV.contains(n) || *n == "DEPLOYMENT"),
            "{names:?}"
        );
    }

    #[tokio::test]
    async fn a_failing_command_says_its_exit_code_and_keeps_stderr() {
        let r = run(&cmd("/bin/ls", &["/no/such/dir"]), Duration::from_secs(10)).await;
        assert_eq!(r.outcome, ActionOutcome::Failed);
        assert_eq!(r.status, Some(2));
        assert!(r.output.starts_with("--- stderr ---\n"), "{}", r.output);
        assert!(r.output.contains("/no/such/dir"));
        let missing = run(&cmd("/no/such/program", &[]), Duration::from_secs(10)).await;
        assert_eq!(missing.outcome, ActionOutcome::Failed);
        assert!(missing.detail.starts_with("cannot start /no/such/program"));
    }

    #[tokio::test]
    async fn output_is_cut_at_the_limit_and_the_cut_is_said() {
        // 200,000 bytes on stdout: most of them are drained, not kept.
        let r = run(
            &cmd("/usr/bin/head", &["-c", "200000", "/dev/zero"]),
            Duration::from_secs(10),
        )
        .await;
        assert_eq!(r.outcome, ActionOutcome::Succeeded);
        assert!(
            r.output.len() <= OUTPUT_LIMIT_BYTES + 64,
            "{}",
            r.output.len()
        );
        let kept = OUTPUT_LIMIT_BYTES;
        assert!(
            r.output
                .ends_with(&format!("[… {} more bytes not kept]", 200_000 - kept)),
            "{}",
            &r.output[kept..]
        );
    }

    #[tokio::test]
    async fn a_command_that_outlives_its_timeout_is_killed_with_what_it_started() {
        // The shell starts a sleeper, says its pid, and waits: both must die at the timeout.
        let r = run(
            &cmd("/bin/sh", &["-c", "sleep 30 & echo $!; wait"]),
            Duration::from_secs(1),
        )
        .await;
        assert_eq!(r.outcome, ActionOutcome::TimedOut);
        assert!(
            r.detail.contains("killed after its timeout of 1 s"),
            "{}",
            r.detail
        );
        let pid = r.output.trim();
        assert!(!pid.is_empty(), "the shell said its sleeper's pid first");
        // The group was sent SIGKILL; the sleeper (reparented to init) is reaped promptly.
        let gone = (0..50).any(|_| {
            let alive = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|s| !s.contains(") Z "));
            if alive {
                std::thread::sleep(Duration::from_millis(100));
            }
            !alive
        });
        assert!(gone, "sleeper {pid} outlived the timeout");
    }
}
