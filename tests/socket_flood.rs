//! A connection flood on the receiver, with this process held to the soft open-file limit
//! most desktops start with (1,024): while another process keeps 1,100 idle sockets open to
//! the receiver, an approved action still writes its audit line and runs, and the incident is
//! still saved. Without the receiver's connection cap every one of those sockets would hold a
//! descriptor here, and the audit log (which must be on disk before a run) would refuse.
#![cfg(target_os = "linux")]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command as Proc, Stdio};
use std::time::{Duration, Instant};

use common::actions::{HookServer, audit_of, runbook, settings, start, webhook};
use incident_console::audit::AuditKind;
use incident_console::integrations::alertmanager::receiver::MAX_CONNECTIONS;
use incident_console::model::{FeedEvent, PlanState};

const SOCKETS: usize = 1100;

/// Sets this process's soft open-file limit to `soft` (the hard limit stays).
fn hold_open_files_to(soft: u64) {
    // SAFETY: getrlimit and setrlimit read and write only the struct given.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = soft.min(limit.rlim_max);
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
}

fn open_descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// A Python child that opens `SOCKETS` connections to `port`, says "open N", and keeps them
/// until its stdin closes.
fn flood(port: u16) -> std::process::Child {
    let script = format!(
        r#"import resource, socket, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
socks = [socket.create_connection(("127.0.0.1", {port})) for _ in range({SOCKETS})]
print("open", len(socks), flush=True)
sys.stdin.read()
"#
    );
    Proc::new("python3")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs")
}

#[tokio::test]
async fn an_action_is_audited_and_saved_while_1100_idle_sockets_sit_on_the_receiver() {
    hold_open_files_to(1024);
    let dir = tempfile::tempdir().unwrap();
    let hook = HookServer::start().await;
    runbook(dir.path(), &webhook(&hook.url, ""));
    let mut s = settings(true, &[], &[&hook.authority()]);
    s.intake.enabled = true;
    s.intake.addr = "127.0.0.1:0".into();
    let console = start(dir.path(), &s, false);
    let port = console.receiver_port().await;

    let mut child = flood(port);
    let stdout = child.stdout.take().unwrap();
    let said = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    assert_eq!(said.trim(), format!("open {SOCKETS}"));
    // The receiver holds at most its cap; the rest were closed as they came.
    let held = open_descriptors();
    assert!(
        held <= MAX_CONNECTIONS + 200,
        "{held} descriptors open here"
    );

    let id = console.open().await;
    console.execute(id, vec![]).await;
    console
        .until_plan(id, "the plan to run", |s| {
            matches!(s, PlanState::Executed(_))
        })
        .await;
    assert_eq!(hook.requests().len(), 1, "the webhook ran");
    let audit = audit_of(dir.path(), id);
    assert!(
        audit.iter().any(|(k, _, _)| *k == AuditKind::Started),
        "{audit:?}"
    );
    // The incident reaches the disk (saves are at most once a second).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(dir.path().join("incidents.ron")).unwrap_or_default();
        if text.contains("Executed") {
            break;
        }
        assert!(Instant::now() < deadline, "the incident was never saved");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let feed = console.feed();
    assert!(
        !feed.iter().any(|e| matches!(
            e,
            FeedEvent::SaveFailed { .. } | FeedEvent::AuditFailed { .. }
        )),
        "{feed:?}"
    );
    drop(child.stdin.take());
    child.wait().unwrap();
    console.stop().await;
}
