//! The real binary, headless: what an operator sees on stdout, and the exit code.

use std::process::Command;

fn headless(dir: &std::path::Path, secs: &str) -> (String, String) {
    headless_with(dir, secs, &[])
}

fn headless_with(dir: &std::path::Path, secs: &str, extra: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_incident-console"))
        .args(extra)
        .args([
            "--headless",
            "--demo",
            "--poll-secs",
            "1",
            "--for",
            secs,
            "--data-dir",
        ])
        .arg(dir)
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "exit status {:?}", out.status);
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn headless_prints_detections_and_a_second_run_restores_them() {
    let dir = tempfile::tempdir().unwrap();
    let (stdout, _) = headless(dir.path(), "6");
    let detection = stdout
        .lines()
        .find(|l| l.contains(" DETECTED "))
        .unwrap_or_else(|| panic!("no detection in:\n{stdout}"));
    assert!(
        detection.contains(
            "http_5xx_surge opened incident #1: edge-node-01 http_error_rate=10.77 % (threshold 5.00 %)"
        ),
        "{detection}"
    );
    let (stdout, _) = headless(dir.path(), "1");
    assert!(
        stdout.contains("restored 1 incidents (1 active: #1 http_5xx_surge)"),
        "{stdout}"
    );
    // The same events in Korean, restored old ones included.
    let (stdout, _) = headless_with(dir.path(), "3", &["--lang", "ko"]);
    assert!(
        stdout.contains("인시던트 1건 복원 (진행 중 1건: #1 http_5xx_surge)"),
        "{stdout}"
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_incident-console"))
        .args(["--headless", "--lang", "fr"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("use ko or en"));
}

#[test]
fn malformed_runbook_goes_to_stderr_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("scenarios")).unwrap();
    std::fs::write(
        dir.path().join("scenarios/bad.ron"),
        "Scenario(\n  code: \"x\",\n  title: (en: \"a\" ko: \"b\"),\n)",
    )
    .unwrap();
    let (stdout, stderr) = headless(dir.path(), "1");
    assert!(stderr.contains("bad.ron:3:19: Expected comma"), "{stderr}");
    assert!(
        stdout.contains("Console started"),
        "the rest keeps working: {stdout}"
    );
}

#[test]
fn bad_flags_are_refused_in_words() {
    let out = Command::new(env!("CARGO_BIN_EXE_incident-console"))
        .args(["--headless", "--poll-secs", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("--poll-secs"), "{stderr}");
}

#[test]
fn a_second_console_on_the_same_data_dir_is_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    // Started (its first line is out), so it holds the lock.
    let (mut first, line) = common::headless_started(dir.path(), 5);
    assert!(line.contains(" INFO "), "{line}");
    let second = Command::new(env!("CARGO_BIN_EXE_incident-console"))
        .args(["--headless", "--demo", "--for", "1", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!second.status.success());
    let stderr = String::from_utf8(second.stderr).unwrap();
    assert!(
        stderr.contains("is in use by another Incident Response Console"),
        "{stderr}"
    );
    assert!(first.wait().unwrap().success());
}

mod common;

#[test]
fn headless_runs_on_live_data_from_the_environment_and_dotenv() {
    let fake = common::FakeProm::start(
        common::Reply::Json(common::vector(&[("edge-node-07", "0.91")])),
        common::Reply::Json(common::matrix(&["edge-node-07"], "0.2", 5)),
    );
    let dir = tempfile::tempdir().unwrap();
    // The URL comes from .env in the working directory, the token from the real environment
    // (which also beats .env's threshold).
    std::fs::write(
        dir.path().join(".env"),
        format!(
            "INCIDENT_PROMETHEUS_URL={}\nINCIDENT_PROMETHEUS_CPU_THRESHOLD=0.1\n",
            fake.url
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_incident-console"))
        .args(["--headless", "--poll-secs", "1", "--for", "3", "--data-dir"])
        .arg(dir.path().join("data"))
        .current_dir(dir.path())
        .env("INCIDENT_PROMETHEUS_TOKEN", "tok-123")
        .env("INCIDENT_PROMETHEUS_CPU_THRESHOLD", "0.95")
        .env("INCIDENT_PROMETHEUS_HTTP_THRESHOLD", "two")
        .output()
        .unwrap();
    assert!(out.status.success(), "exit status {:?}", out.status);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stdout.contains(&format!("Connected to Prometheus {}", fake.url)),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "INCIDENT_PROMETHEUS_URL, INCIDENT_PROMETHEUS_CPU_THRESHOLD, INCIDENT_PROMETHEUS_TOKEN"
        ),
        "{stdout}"
    );
    assert!(
        stderr.contains("INCIDENT_PROMETHEUS_HTTP_THRESHOLD: \"two\" is not a number; ignored"),
        "{stderr}"
    );
    // 0.91 is under the environment's 0.95 (not .env's 0.1): no CPU incident.
    assert!(!stdout.contains("cpu_spike_core opened"), "{stdout}");
    assert!(!stdout.contains("tok-123") && !stderr.contains("tok-123"));
    let heads = fake.heads.lock().join("\n").to_lowercase();
    assert!(heads.contains("authorization: bearer tok-123"), "{heads}");
    // The run's environment is not saved.
    let saved = std::fs::read_to_string(dir.path().join("data/settings.ron")).unwrap_or_default();
    assert!(
        !saved.contains("tok-123") && !saved.contains(&fake.url),
        "{saved}"
    );
}

#[test]
fn headless_demo_posts_each_new_incident_to_slack_and_mails_it_from_the_environment() {
    use common::notify::{FakeSlack, SmtpSink};
    let token = "xoxb-headless-secret";
    let fake = FakeSlack::start(token);
    let Some(sink) = SmtpSink::start("") else {
        return;
    };
    let port = sink.port;
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_incident-console"))
        .args([
            "--headless",
            "--demo",
            "--poll-secs",
            "1",
            "--for",
            "8",
            "--data-dir",
        ])
        .arg(dir.path().join("data"))
        .current_dir(dir.path())
        .env("INCIDENT_SLACK_TOKEN", token)
        .env("INCIDENT_SLACK_CHANNEL", "ops-alerts")
        .env("INCIDENT_SLACK_API_URL", &fake.url)
        .env(
            "INCIDENT_EMAIL_RECIPIENTS",
            "oncall@example.com, lead@example.com",
        )
        .env("INCIDENT_EMAIL_SMTP_HOST", "127.0.0.1")
        .env("INCIDENT_EMAIL_SMTP_PORT", port.to_string())
        .env("INCIDENT_EMAIL_SMTP_TLS", "0")
        .env("INCIDENT_EMAIL_FROM", "incident-bot@example.com")
        .env("INCIDENT_EMAIL_SMTP_PASSWORD", "smtp-secret-pw")
        .output()
        .unwrap();
    assert!(out.status.success(), "exit status {:?}", out.status);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stdout.contains("http_5xx_surge opened incident #1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Sent: incident #1 report to Slack #ops-alerts"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("Sent: incident #1 report to email to oncall@example.com, lead@example.com"),
        "{stdout}"
    );
    let posted = fake.posted();
    assert_eq!(posted.len(), 1, "{stdout}");
    assert_eq!(posted[0].body["channel"], "#ops-alerts");
    let mail = sink.wait_for(1);
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0]["subject"]
            .as_str()
            .unwrap()
            .starts_with("[장애] #1 ")
    );
    for secret in [token, "smtp-secret-pw"] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }
    // The run's environment is not saved; the outbox on disk holds no secret either.
    let data = dir.path().join("data");
    let saved = std::fs::read_to_string(data.join("settings.ron")).unwrap_or_default();
    assert!(
        !saved.contains(token) && !saved.contains("smtp-secret-pw"),
        "{saved}"
    );
    let outbox = std::fs::read_to_string(data.join("outbox.ron")).unwrap();
    assert!(!outbox.contains(token) && outbox.contains("Delivered"));
}

/// `INCIDENT_INTAKE_ADDR` and `INCIDENT_INTAKE_TOKEN` make a headless run take Alertmanager's
/// webhooks: it prints the alert's arrival, the runbook's incident it opened and why, and the
/// resolution.
#[test]
fn headless_takes_webhooks_from_the_environment_and_prints_alerts() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let mut run = Command::new(env!("CARGO_BIN_EXE_incident-console"))
        .args(["--headless", "--demo", "--poll-secs", "3600", "--for", "4"])
        .arg("--data-dir")
        .arg(dir.path())
        // Port 0: the receiver binds one of its own and prints it.
        .env("INCIDENT_INTAKE_ADDR", "127.0.0.1:0")
        .env("INCIDENT_INTAKE_TOKEN", "s3cret-intake")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(run.stdout.take().unwrap());
    let mut seen = String::new();
    let port: u16 = loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "ended early:\n{seen}"
        );
        seen.push_str(&line);
        if let Some((_, addr)) = line.split_once("Listening for Alertmanager webhooks on http://") {
            let addr: std::net::SocketAddr = addr.trim().trim_end_matches('/').parse().unwrap();
            break addr.port();
        }
    };
    let post = |status: &str, ends: &str| {
        let body = format!(
            r#"{{"version": "4", "groupKey": "g", "status": "{status}", "receiver": "console",
                "alerts": [{{"status": "{status}", "labels": {{"alertname": "HighErrorRate", "severity": "critical"}},
                  "annotations": {{"summary": "5xx above 5 %\u001b]0;owned\u0007\nFAKE LINE"}}, "startsAt": "2026-11-27T06:00:00Z",
                  "endsAt": "{ends}", "fingerprint": "c1"}}]}}"#
        );
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret-intake\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    };
    post("firing", "0001-01-01T00:00:00Z");
    post("resolved", "2026-11-27T06:05:00Z");
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert!(run.wait().unwrap().success());
    seen.push_str(&rest);
    for want in [
        // The summary's escape and newline are shown, not obeyed.
        "Alertmanager alert firing HighErrorRate [critical]: 5xx above 5 %\\u{1b}]0;owned\\u{7}\\u{a}FAKE LINE (c1, from webhook)",
        "Incident #1 opened: alert HighErrorRate matched runbook http_5xx_surge by",
        "Alertmanager alert resolved HighErrorRate (c1) after firing for 5m 00s",
        "Every alert of incident #1 resolved",
    ] {
        assert!(seen.contains(want), "missing {want:?} in:\n{seen}");
    }
    assert!(
        !seen.contains("s3cret-intake"),
        "the token stays out of the output"
    );
    assert!(
        !seen.contains('\u{1b}') && !seen.contains('\u{7}'),
        "{seen:?}"
    );
    assert!(!seen.lines().any(|l| l.starts_with("FAKE LINE")), "{seen}");
}

/// `INCIDENT_LLM_BASE_URL` and `OPENAI_API_KEY` (as in the original) make a headless run write
/// AI reports: it prints the model's summary; the key reaches the server's header and nothing
/// else (not stdout, not a file in the data dir).
#[test]
fn headless_writes_ai_reports_from_the_environment_and_keeps_the_key_out() {
    use common::llm::{ChatReply, FakeChat};
    let answer = serde_json::json!({
        "summary": {"text": "헤드리스 AI 요약입니다.", "cites": ["F1"]},
        "root_cause": {"text": "inconclusive", "cites": []},
        "impact": {"text": "영향", "cites": []},
        "action_plan": [], "follow_up": [], "hypotheses": []
    });
    let fake = FakeChat::start(vec![ChatReply::content(&answer.to_string())]);
    let dir = tempfile::tempdir().unwrap();
    let key = "sk-headless-0123456789";
    let out = Command::new(env!("CARGO_BIN_EXE_incident-console"))
        .args(["--headless", "--demo", "--poll-secs", "1", "--for", "6"])
        .arg("--data-dir")
        .arg(dir.path())
        .env("INCIDENT_LLM_BASE_URL", &fake.url)
        .env("OPENAI_API_KEY", key)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("AI report on incident #1 (gpt-4o-mini): 헤드리스 AI 요약입니다."),
        "{stdout}"
    );
    assert!(!stdout.contains(key));
    let req = fake.requests.lock()[0].clone();
    assert!(req.head.contains(&format!("Bearer {key}")));
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read(&path).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&text).contains(key),
            "{} holds the key",
            path.display()
        );
    }
}

/// `kb import` and `kb search` on a fresh data dir: the original's documents.json and a
/// Markdown file import, an unreadable file is said in words (exit code 1) while the others
/// import, and a Korean query finds the Korean document.
#[test]
fn kb_import_and_search_work_on_a_fresh_data_dir() {
    let files = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    std::fs::write(
        files.path().join("documents.json"),
        r#"{"documents": [{"title": "결제 대행사 타임아웃", "content": "대행사 응답 지연이 게이트웨이 5xx로 번집니다."},
                          {"title": "Cache warm-up", "content": "Warm the autoscaling pool before the peak."}]}"#,
    )
    .unwrap();
    std::fs::write(
        files.path().join("rollback.md"),
        "# 결제 롤백 절차\n이전 버전으로 롤백합니다.\n",
    )
    .unwrap();
    let kb = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_incident-console"))
            .arg("--data-dir")
            .arg(data.path())
            .arg("kb")
            .args(args)
            .output()
            .unwrap()
    };
    let missing = files.path().join("missing.txt");
    let out = kb(&[
        "import",
        files.path().to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("the knowledge base holds 3 document(s)"),
        "{stdout}"
    );
    assert!(
        stderr.contains("missing.txt: cannot read the file"),
        "{stderr}"
    );
    let out = kb(&["search", "타임아웃"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("1. [document] 결제 대행사 타임아웃"),
        "{stdout}"
    );
    let out = kb(&["search", "autoscaling"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("1. [document] Cache warm-up"));
    // The data dir may follow the subcommand too.
    let out = Command::new(env!("CARGO_BIN_EXE_incident-console"))
        .args(["kb", "search", "autoscaling", "--data-dir"])
        .arg(data.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("1. [document] Cache warm-up"),
        "{stdout}"
    );
}
