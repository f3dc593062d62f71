//! A real PostgreSQL for the team-mode tests: Debian's server binaries, a cluster in a
//! temporary directory run by the `postgres` user (the server refuses root), listening on
//! 127.0.0.1 with passwords checked, and a database set up as the README says: a login role
//! that owns one schema and nothing else.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The role the consoles log in as, and its password.
pub const ROLE: &str = "incident_console";
const PASSWORD: &str = "s3cret-pw";
/// The database the consoles use.
pub const DATABASE: &str = "incidents";

/// A running cluster; stopped (immediately) when dropped.
pub struct Postgres {
    /// Its port on 127.0.0.1.
    pub port: u16,
    bin: PathBuf,
    data: PathBuf,
    dir: tempfile::TempDir,
    as_postgres: bool,
}

fn bin_dir() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("pg_ctl").exists())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Postgres {
    /// Starts a cluster, or returns `None` (skipping) when the server is not installed;
    /// under CI=true that fails instead.
    pub fn start() -> Option<Self> {
        let Some(bin) = bin_dir() else {
            assert!(
                !super::ci(),
                "PostgreSQL's server is needed under CI=true (apt-get install postgresql)"
            );
            eprintln!("skipped: no PostgreSQL server; apt-get install postgresql");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let as_postgres = is_root();
        let data = dir.path().join("data");
        if as_postgres {
            // The server runs as `postgres`: it must reach and own its directory.
            std::fs::set_permissions(
                dir.path(),
                std::os::unix::fs::PermissionsExt::from_mode(0o755),
            )
            .unwrap();
            std::fs::create_dir(&data).unwrap();
            chown_postgres(&data);
        }
        let pw_file = dir.path().join("pw");
        std::fs::write(&pw_file, "postgres-pw\n").unwrap();
        if as_postgres {
            chown_postgres(&pw_file);
        }
        let mut pg = Postgres {
            port: 0,
            bin,
            data,
            dir,
            as_postgres,
        };
        let out = pg
            .run("initdb")
            .args(["-D"])
            .arg(&pg.data)
            .args([
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--pwfile",
            ])
            .arg(&pw_file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        pg.start_on_free_port();
        pg.setup();
        Some(pg)
    }

    fn run(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn pg_ctl_start(&self) -> bool {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            self.port,
            self.data.display()
        );
        self.run("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self.data.join("log"))
            .args(["-o", &options, "-w", "-t", "30", "start"])
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success()
    }

    fn start_on_free_port(&mut self) {
        for _ in 0..5 {
            self.port = super::port_to_try();
            if self.pg_ctl_start() {
                return;
            }
        }
        let log = std::fs::read_to_string(self.data.join("log")).unwrap_or_default();
        panic!("PostgreSQL did not start: {log}");
    }

    /// Runs `sql` as the superuser over the local socket, in database `db`; its output.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = self
            .run("psql")
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.data)
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                db,
                "-c",
                sql,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The README's one-time setup: a login role, a database nobody else may use, and a
    /// schema named after the role (first on its search path) that it owns.
    fn setup(&self) {
        self.psql(
            "postgres",
            &format!("CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'"),
        );
        self.psql("postgres", &format!("CREATE DATABASE {DATABASE}"));
        self.psql(
            DATABASE,
            &format!(
                "REVOKE ALL ON DATABASE {DATABASE} FROM PUBLIC; \
                 GRANT CONNECT ON DATABASE {DATABASE} TO {ROLE}; \
                 CREATE SCHEMA AUTHORIZATION {ROLE}"
            ),
        );
    }

    /// The URL a console uses (TLS off: the test cluster has no certificate).
    pub fn url(&self) -> String {
        format!(
            "postgres://{ROLE}:{PASSWORD}@127.0.0.1:{}/{DATABASE}?sslmode=disable",
            self.port
        )
    }

    /// The password in [`Self::url`], to check it appears nowhere.
    pub fn password(&self) -> &'static str {
        PASSWORD
    }

    /// A crash: the server stops at once, without a clean shutdown.
    pub fn crash(&self) {
        assert!(self.stop_immediately(), "pg_ctl stop");
    }

    fn stop_immediately(&self) -> bool {
        self.run("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Starts the server again on the same port.
    pub fn restart(&self) {
        assert!(self.pg_ctl_start(), "PostgreSQL started again");
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

fn chown_postgres(path: &Path) {
    let status = Command::new("chown")
        .arg("postgres:postgres")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop_immediately();
    }
}

/// A TCP proxy on 127.0.0.1:0 in front of a server, to cut one console off while the others
/// keep the store: `cut` drops every connection through it and refuses new ones, `heal`
/// lets them through again.
pub struct Proxy {
    /// The port to connect to instead of the server's.
    pub port: u16,
    open: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Bumped by `cut`: a connection ends when it sees a newer cut than its own.
    cuts: std::sync::Arc<std::sync::atomic::AtomicU64>,
    _runtime: tokio::runtime::Runtime,
}

impl Proxy {
    /// A proxy to `target_port` on 127.0.0.1.
    pub fn start(target_port: u16) -> Self {
        use std::sync::atomic::Ordering;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let cuts = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (o, c) = (open.clone(), cuts.clone());
        runtime.spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !o.load(Ordering::SeqCst) {
                    continue; // dropped: refused
                }
                let (c, born) = (c.clone(), c.load(Ordering::SeqCst));
                tokio::spawn(async move {
                    let Ok(mut server) =
                        tokio::net::TcpStream::connect(("127.0.0.1", target_port)).await
                    else {
                        return;
                    };
                    let copy = tokio::io::copy_bidirectional(&mut client, &mut server);
                    let cut = async {
                        while c.load(Ordering::SeqCst) == born {
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! {
                        _ = copy => {}
                        _ = cut => {}
                    }
                });
            }
        });
        Self {
            port,
            open,
            cuts,
            _runtime: runtime,
        }
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        self.open.store(false, std::sync::atomic::Ordering::SeqCst);
        self.cuts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Lets connections through again.
    pub fn heal(&self) {
        self.open.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}
