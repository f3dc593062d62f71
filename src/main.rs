//! `incident-console`: the window by default, `--headless` for the same engine without one.

// On Windows a double-click opens no console window behind the GUI; `attach_console` gives
// `--headless`, `kb` and `--help` the terminal they were started from.
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;

use incident_console::engine::EngineConfig;
use incident_console::model::{Lang, Settings};
use incident_console::store::Store;
use incident_console::ui::{Renderer, WindowOptions};

/// Incident Response Console: watch metrics, open incidents, run the runbook.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// Run without a window and print each feed entry on stdout.
    #[arg(long)]
    headless: bool,
    /// With --headless: stop after this many seconds (default: run until Ctrl-C).
    #[arg(long = "for", value_name = "SECS")]
    run_for_secs: Option<u64>,
    /// Use the built-in demo metric source whatever the settings say.
    #[arg(long)]
    demo: bool,
    /// Poll interval in seconds for this run (not saved).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=Settings::MAX_POLL_INTERVAL_SECS))]
    poll_secs: Option<u64>,
    /// Where settings, incidents and the feed live (default: the OS data dir). Before or after
    /// a subcommand.
    #[arg(long, value_name = "DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Seed of the demo source.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// With --headless: the language of the printed feed, `ko` or `en` (default: the settings'
    /// language, then the locale's).
    #[arg(long, value_name = "ko|en", value_parser = parse_lang, global = true)]
    lang: Option<Lang>,
    /// Which renderer draws the window: `auto` (glow, then wgpu if OpenGL cannot start),
    /// `glow` or `wgpu`.
    #[arg(long, value_enum, default_value_t = Renderer::Auto)]
    renderer: Renderer,
    /// Write one line per frame the window draws to FILE (when, which frame, why): for
    /// `scripts/measure-window` and for finding out what wakes the window.
    #[arg(long, value_name = "FILE")]
    frame_log: Option<PathBuf>,
    /// Start in the tray with the window hidden (as the login entry does); without a tray
    /// icon the window shows anyway.
    #[arg(long)]
    minimised: bool,
    #[command(subcommand)]
    command: Option<Sub>,
}

/// What else the binary does besides the console.
#[derive(clap::Subcommand, Debug)]
enum Sub {
    /// The local knowledge base in the data dir.
    Kb {
        #[command(subcommand)]
        action: KbAction,
    },
    /// Write incident N's post-incident review (summary, key times, graphs, timeline, plan,
    /// notifications). Reads the data dir only: it works while a console runs.
    Review {
        /// The incident's number.
        id: u64,
        /// `html` (one self-contained file) or `md` (Markdown, the graphs as SVG files beside
        /// it).
        #[arg(long, value_enum, default_value_t = Format::Html)]
        format: Format,
        /// Where to write it.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Add a note to incident N's timeline, as the responder (refused while a console holds
    /// the data dir: add it in that console's note box).
    Note {
        /// The incident's number.
        id: u64,
        /// The note.
        text: String,
    },
}

/// How a review is written.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Format {
    /// One self-contained HTML file.
    Html,
    /// Markdown, with the graphs as SVG files beside it.
    Md,
}

/// `review N`: the review in the language asked (else the settings', else the locale's).
fn review(
    store: &Store,
    id: u64,
    lang: Option<Lang>,
    format: Format,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    use incident_console::review::{self, ReviewFormat};
    let lang = lang
        .or_else(|| store.peek_settings().map(|s| s.language))
        .unwrap_or_else(|| Lang::from_locale(sys_locale::get_locale().as_deref()));
    let made = review::from_store(store, id, lang, chrono::Utc::now(), |inc| {
        range_samples(store, inc)
    })?;
    let format = match format {
        Format::Html => ReviewFormat::Html,
        Format::Md => ReviewFormat::Markdown,
    };
    let written = review::write(&made, format, out)
        .with_context(|| format!("cannot write the review to {}", out.display()))?;
    for path in written {
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// An incident's samples from the Prometheus the settings (and the environment) name, for a
/// review of an incident whose samples were not kept; `None` in demo mode, and said on stderr
/// when the query fails (the review is written without graphs).
fn range_samples(
    store: &Store,
    inc: &incident_console::model::Incident,
) -> Option<incident_console::model::KeptSamples> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let env = incident_console::envconfig::from_environment(&cwd);
    let settings = env.overrides.apply(&store.peek_settings()?);
    if settings.demo_mode || settings.prometheus.base_url.trim().is_empty() {
        return None;
    }
    let client =
        incident_console::integrations::prometheus::PromClient::new(&settings.prometheus).ok()?;
    let loaded = incident_console::rules::load(Some(&store.rules_dir()));
    let rules = incident_console::rules::effective(&loaded.rules, &settings.prometheus);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    let now = chrono::Utc::now();
    let fetched = runtime.block_on(incident_console::engine::range_samples(
        &client, inc, &rules, now,
    ));
    match fetched {
        Ok(kept) => Some(kept),
        Err(e) => {
            eprintln!(
                "no samples were kept for incident #{}, and {} did not give them: {e}; the review has no graphs",
                inc.id,
                client.url()
            );
            None
        }
    }
}

/// `note N "text"`: appended to the incident's timeline under the data dir's lock.
fn note(store: &Store, id: u64, text: &str) -> anyhow::Result<()> {
    use incident_console::model::{Author, FeedEvent, IncidentEventKind, cap_note};
    let _lock = store.lock().map_err(|e| match e {
        incident_console::store::StoreError::InUse(dir) => anyhow::anyhow!(
            "the note was not added: a running console holds {}; add it in that console's note box on incident #{id}, or close the console first",
            dir.display()
        ),
        e => e.into(),
    })?;
    let text = cap_note(text);
    anyhow::ensure!(!text.is_empty(), "the note is empty: nothing was added");
    let settings = store.peek_settings().unwrap_or_default();
    let mut incidents = store.peek_incidents()?;
    let Some(inc) = incidents.iter_mut().find(|i| i.id == id) else {
        anyhow::bail!("there is no incident #{id} in {}", store.dir().display());
    };
    let who = Author::Responder(incident_console::envconfig::responder_name(&settings));
    let event = FeedEvent::NoteAdded { id, text };
    inc.log(chrono::Utc::now(), who, IncidentEventKind::Note, event);
    inc.number_new_events(incident_console::engine::random_origin(), &mut 1);
    store.save_incidents(&incidents)?;
    println!("note added to incident #{id}");
    Ok(())
}

#[derive(clap::Subcommand, Debug)]
enum KbAction {
    /// Import .md, .txt and .json files (or directories of them); the original's
    /// {"documents": [...]} shape is read too.
    Import {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Search the knowledge base (Korean or English words).
    Search {
        /// What to look for.
        query: String,
        /// How many hits to print.
        #[arg(long, default_value_t = 5)]
        limit: usize,
    },
}

/// `kb import` and `kb search`: prints what happened; an unreadable file is said on stderr and
/// makes the exit code 1, after the others have imported.
fn kb(store: &Store, action: KbAction) -> anyhow::Result<()> {
    let kb = incident_console::knowledge::KnowledgeBase::open(&store.knowledge_dir())?;
    match action {
        KbAction::Import { paths } => {
            let report = kb.import(&paths);
            for (file, n) in &report.imported {
                println!("imported {n} document(s) from {}", file.display());
            }
            for e in &report.errors {
                eprintln!("not imported: {e}");
            }
            println!("the knowledge base holds {} document(s)", kb.count());
            if !report.errors.is_empty() {
                std::process::exit(1);
            }
        }
        KbAction::Search { query, limit } => {
            let hits = kb.search(&query, limit)?;
            if hits.is_empty() {
                println!("no document matches \"{query}\"");
            }
            for (i, h) in hits.iter().enumerate() {
                println!(
                    "{}. [{}] {} ({:.2}) — {}",
                    i + 1,
                    h.kind,
                    h.title,
                    h.score,
                    h.source
                );
                let snippet: String = h.snippet.split_whitespace().collect::<Vec<_>>().join(" ");
                println!("   {snippet}");
            }
        }
    }
    Ok(())
}

/// Without a GPU, Mesa's software renderer allocates and frees a few MiB per frame; glibc
/// gave that back to the kernel after each frame (a `brk` shrink) and took it again, page by
/// zeroed page, on the next: about 15 % of a frame's CPU. Keeping up to 64 MiB of freed heap
/// costs no resident memory that the next frame would not take again anyway.
fn keep_freed_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning value; it is called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
}

/// The soft limit on open files raised to the hard one (often 1,024 against 524,288): a flood
/// of connections to the receiver must not leave saves and audit lines without a descriptor.
fn raise_open_file_limit() {
    #[cfg(unix)]
    // SAFETY: getrlimit and setrlimit only read and write the struct given; no other thread
    // exists yet.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "ko" | "kr" | "korean" | "한국어" => Ok(Lang::Ko),
        "en" | "english" => Ok(Lang::En),
        other => Err(format!("\"{other}\" is not a language here: use ko or en")),
    }
}

/// A GUI-subsystem program has no standard handles unless its parent gave it some (a pipe, a
/// file). Started from a terminal, it borrows that terminal so what it prints is seen there;
/// double-clicked, there is none and nothing changes.
fn attach_console() {
    #[cfg(windows)]
    // SAFETY: plain Win32 calls on this process's own standard handles, before any thread.
    unsafe {
        use windows_sys::Win32::System::Console::{
            ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_OUTPUT_HANDLE,
        };
        let out = GetStdHandle(STD_OUTPUT_HANDLE);
        if out.is_null() {
            AttachConsole(ATTACH_PARENT_PROCESS);
        }
    }
}

fn main() -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    attach_console();
    keep_freed_heap();
    raise_open_file_limit();
    let cli = Cli::parse();
    let data_dir = match cli.data_dir {
        Some(d) => d,
        None => {
            Store::default_dir().context("the OS data dir cannot be found; pass --data-dir DIR")?
        }
    };
    let store = Store::new(data_dir);
    match &cli.command {
        Some(Sub::Review { id, format, out }) => {
            return review(&store, *id, cli.lang, *format, out);
        }
        Some(Sub::Note { id, text }) => return note(&store, *id, text),
        _ => {}
    }
    // Held until exit; dropped last.
    let _data_dir_lock = store.lock()?;
    if let Some(Sub::Kb { action }) = cli.command {
        return kb(&store, action);
    }
    // INCIDENT_PROMETHEUS_*, INCIDENT_SLACK_*, INCIDENT_EMAIL_* from the environment or ./.env
    // override saved settings for this run.
    let cwd = std::env::current_dir().unwrap_or_default();
    let env = incident_console::envconfig::from_environment(&cwd);
    let config = EngineConfig {
        overrides: env.overrides,
        action_secrets: env.secrets,
        startup_problems: env.problems,
        force_demo: cli.demo,
        poll_override_secs: cli.poll_secs,
        seed: cli.seed,
        headless: cli.headless,
        // A headless run has no desktop to notify.
        desktop_notifications: !cli.headless,
        default_language: Lang::from_locale(sys_locale::get_locale().as_deref()),
        ..EngineConfig::new(store)
    };
    if cli.headless {
        return incident_console::headless::run(
            config,
            cli.run_for_secs.map(Duration::from_secs),
            cli.lang,
        );
    }
    if cli.run_for_secs.is_some() {
        anyhow::bail!("--for only applies with --headless");
    }
    let window = WindowOptions {
        started,
        frame_log: cli.frame_log,
        renderer: cli.renderer,
        minimised: cli.minimised,
    };
    incident_console::ui::run_window(config, window)
}
