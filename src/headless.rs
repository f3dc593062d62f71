//! `--headless`: the same engine with no window. Every feed entry is printed as one line on
//! stdout; the run ends after `--for SECS` or on Ctrl-C, saving state either way.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::engine::{Engine, EngineConfig};
use crate::model::Lang;

/// Runs the engine headless until `run_for` has passed (or forever) or Ctrl-C, printing the
/// feed in `lang` (`None`: the language in the settings, which falls back to the locale's).
pub fn run(
    mut config: EngineConfig,
    run_for: Option<Duration>,
    lang: Option<Lang>,
) -> anyhow::Result<()> {
    let (tap_tx, mut tap_rx) = mpsc::unbounded_channel();
    config.feed_tap = Some(tap_tx);
    config.headless = true;
    let mut handle = Engine::spawn(config)?;
    let lang = lang.unwrap_or_else(|| handle.snapshot().settings.language);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let deadline = async {
            match run_for {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                entry = tap_rx.recv() => match entry {
                    Some(e) => print_entry(&e, lang),
                    None => break,
                },
                _ = &mut deadline => break,
                _ = tokio::signal::ctrl_c() => break,
            }
        }
    });
    handle.shutdown();
    // Lines written while shutting down (e.g. a failed save) still reach stdout.
    while let Ok(e) = tap_rx.try_recv() {
        print_entry(&e, lang);
    }
    Ok(())
}

/// Every entry goes to stdout; errors (a malformed runbook, a failed save) also go to stderr,
/// so a wrapper script sees them without parsing the feed.
fn print_entry(entry: &crate::model::FeedEntry, lang: Lang) {
    // Alert summaries, server answers and refusals reach the terminal as text, never as
    // escapes or extra lines.
    let line = crate::text::terminal_safe(&crate::text::feed::line(entry, lang));
    println!("{line}");
    if entry.kind == crate::model::FeedKind::Error {
        eprintln!("{line}");
    }
}
