//! The post-incident review from the command line, on a data dir a demo run wrote: HTML with a
//! graph per rule, the key times and the timeline, in English and Korean; Markdown with its
//! graphs beside it; a bad incident number refused in words. `note` adds to a timeline, and is
//! refused while a console holds the data dir. Headless Chromium draws the HTML review.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn console(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_incident-console"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A data dir where the demo opened incident #1 (at 3 s) and exited with it active, so its
/// samples were kept at exit.
fn demo_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--headless", "--demo", "--poll-secs", "1", "--for", "6"];
    let out = console(&args, dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("opened incident #1"));
    assert!(dir.path().join("samples/incident-1.ron").exists());
    dir
}

#[test]
fn a_review_of_a_demo_run_has_a_graph_per_rule_the_key_times_and_the_timeline() {
    let dir = demo_dir();
    let html = dir.path().join("review-1.html");
    let out = console(
        &[
            "review",
            "1",
            "--lang",
            "en",
            "--out",
            html.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    // Incident #1 is http_5xx_surge's: one rule, one graph, with its threshold.
    assert_eq!(page.matches("<svg").count(), 1, "a graph per rule");
    assert!(page.contains("HTTP error rate (threshold 5.00 %)"));
    for heading in ["Key times", "Timeline", "Impact", "Hypotheses and evidence"] {
        assert!(page.contains(&format!("<h2>{heading}</h2>")), "{heading}");
    }
    assert!(
        page.contains("http_5xx_surge opened incident #1"),
        "the timeline"
    );
    // Self-contained: nothing fetched, nothing run.
    for never in ["<script", "src=", "<link", "url("] {
        assert!(!page.contains(never), "{never}");
    }

    let ko = dir.path().join("review-1-ko.html");
    let out = console(
        &["review", "1", "--lang", "ko", "--out", ko.to_str().unwrap()],
        dir.path(),
    );
    assert!(out.status.success());
    let page = std::fs::read_to_string(&ko).unwrap();
    assert!(page.contains("<html lang=\"ko\">"));
    for heading in ["주요 시각", "타임라인", "그래프", "영향"] {
        assert!(page.contains(&format!("<h2>{heading}</h2>")), "{heading}");
    }
    assert!(page.contains("HTTP 오류율 (임계치 5.00 %)"));

    // Markdown keeps the sections, with the graph beside it.
    let md = dir.path().join("review-1.md");
    let out = console(
        &[
            "review",
            "1",
            "--format",
            "md",
            "--lang",
            "en",
            "--out",
            md.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(out.status.success());
    let doc = std::fs::read_to_string(&md).unwrap();
    assert!(doc.contains("## Key times") && doc.contains("## Timeline"));
    assert!(doc.contains("![HTTP error rate (threshold 5.00 %)](review-1-graph-1.svg)"));
    let svg = std::fs::read_to_string(dir.path().join("review-1-graph-1.svg")).unwrap();
    assert!(svg.starts_with("<svg"));

    // A bad number is said in words, and nothing is written.
    let bad = dir.path().join("review-99.html");
    let out = console(
        &["review", "99", "--out", bad.to_str().unwrap()],
        dir.path(),
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("there is no incident #99") && err.contains("#1 to #1"),
        "{err}"
    );
    assert!(!bad.exists());
}

#[test]
fn a_note_from_the_command_line_lands_on_the_timeline_and_is_refused_while_a_console_runs() {
    let dir = demo_dir();
    let out = console(
        &["note", "1", "  checked the LB: 502s from node-01  "],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let store = incident_console::store::Store::new(dir.path());
    let inc = store.peek_incidents().unwrap().remove(0);
    let last = inc.timeline.last().unwrap();
    assert_eq!(
        inc.note_text(last.id),
        Some("checked the LB: 502s from node-01")
    );
    assert!(matches!(
        last.author,
        incident_console::model::Author::Responder(_)
    ));
    assert_ne!(last.id.origin, 0);

    let out = console(&["note", "7", "x"], dir.path());
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("there is no incident #7"));

    // A console holds the data dir: refused in words, and the file is untouched.
    let before = std::fs::read(dir.path().join("incidents.ron")).unwrap();
    let (mut running, _) = common::headless_started(dir.path(), 5);
    let out = console(&["note", "1", "while it runs"], dir.path());
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("the note was not added: a running console holds"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("incidents.ron")).unwrap(),
        before
    );
    assert!(running.wait().unwrap().success());
}

/// Headless Chromium draws the HTML review to a PNG: not blank, and the graph's series are
/// there in their colour.
#[test]
fn chromium_draws_the_review_with_its_graph() {
    let chromium = "chromium";
    if !common::installed(chromium, "chromium") {
        return;
    }
    let dir = demo_dir();
    let html = dir.path().join("review.html");
    let out = console(
        &[
            "review",
            "1",
            "--lang",
            "ko",
            "--out",
            html.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(out.status.success());
    let png = dir.path().join("review.png");
    let shot = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("chromium").display()
        ))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1000,1800")
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(png.exists(), "no screenshot: {}", text(&shot.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let white = pixels.iter().filter(|p| p[..3] == [255, 255, 255]).count();
    assert!(white < pixels.len() * 98 / 100, "the page is not blank");
    // The first series' blue (31, 119, 180), give or take antialiasing.
    let blue = pixels
        .iter()
        .filter(|p| p[0].abs_diff(31) < 25 && p[1].abs_diff(119) < 25 && p[2].abs_diff(180) < 25)
        .count();
    assert!(blue > 200, "the graph's series drew ({blue} pixels)");
}
