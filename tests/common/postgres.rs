//! A throwaway PostgreSQL cluster for one test: its own data folder, port and socket folder,
//! `fsync=off`, stopped and deleted on drop. Needs the server binaries (Debian's `postgresql`
//! package; `scripts/setup.sh` installs it). As root, the server runs as the `postgres` user.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The database every cluster starts with (besides PostgreSQL's own).
const DATABASE: &str = "parley";
/// How long `pg_ctl` may wait for the server to accept connections.
const START_SECS: &str = "30";

pub struct PgServer {
    bin: PathBuf,
    port: u16,
    /// Holds `data/`, the socket and `log`; owned by the user the server runs as.
    dir: tempfile::TempDir,
    run_as: Option<String>,
}

impl PgServer {
    /// Starts a cluster with an empty database `parley`; panics, with the server's log, if it
    /// cannot.
    pub fn start() -> PgServer {
        let bin = bin_dir();
        let run_as = is_root().then(|| "postgres".to_owned());
        let dir = tempfile::Builder::new()
            .prefix("parley-pg-")
            .tempdir()
            .unwrap();
        if let Some(user) = &run_as {
            chown(dir.path(), user);
        }
        let mut s = PgServer {
            bin,
            port: 0,
            dir,
            run_as,
        };
        let data = s.data();
        s.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        // A port found free may be taken before the server binds it: then try another.
        let mut last = None;
        for _ in 0..3 {
            s.port = free_port();
            let opts = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c full_page_writes=off -c synchronous_commit=off",
                s.port,
                s.dir.path().display()
            );
            let log = s.dir.path().join("log").display().to_string();
            // -w: pg_ctl polls until the server accepts connections, for at most -t seconds.
            let out = s
                .command("pg_ctl")
                .args([
                    "-D", &data, "-l", &log, "-w", "-t", START_SECS, "-o", &opts, "start",
                ])
                .output()
                .unwrap();
            if out.status.success() {
                s.run_client("createdb", &[DATABASE]);
                return s;
            }
            last = Some(out);
        }
        panic!(
            "PostgreSQL did not start: {}\n--- server log ---\n{}",
            describe(&last.unwrap()),
            std::fs::read_to_string(s.dir.path().join("log")).unwrap_or_default()
        );
    }

    /// `postgres://` URL of the `parley` database, over TCP without a password.
    pub fn url(&self) -> String {
        self.url_of(DATABASE)
    }

    /// Creates another empty database; returns its URL.
    pub fn create_database(&self, name: &str) -> String {
        self.run_client("createdb", &[name]);
        self.url_of(name)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    fn url_of(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// `tool` from the server's bin folder, as the server's user, in a folder it may read.
    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        let mut c = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(path);
                c
            }
            None => Command::new(path),
        };
        c.current_dir(self.dir.path());
        c
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self.command(tool).args(args).output().unwrap();
        assert!(out.status.success(), "{tool}: {}", describe(&out));
    }

    /// A client tool (`createdb`, `psql`, …) against this server.
    fn run_client(&self, tool: &str, args: &[&str]) {
        let port = self.port.to_string();
        let mut all = vec!["-h", "127.0.0.1", "-p", &port, "-U", "postgres"];
        all.extend_from_slice(args);
        self.run(tool, &all);
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if self.port != 0 {
            let data = self.data();
            // Immediate: nothing in a throwaway cluster needs a clean shutdown.
            let _ = self
                .command("pg_ctl")
                .args(["-D", &data, "-m", "immediate", "-w", "stop"])
                .output();
        }
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` (Debian's layout), or `PG_BIN` if set.
fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        return dir.into();
    }
    let found = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .max();
    match found {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: run \
             scripts/setup.sh (it installs Debian's postgresql), or set PG_BIN"
        ),
    }
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn chown(path: &Path, user: &str) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id").args([flag, user]).output().unwrap();
        assert!(out.status.success(), "id {flag} {user}: {}", describe(&out));
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    std::os::unix::fs::chown(path, Some(id("-u")), Some(id("-g"))).unwrap();
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn describe(out: &Output) -> String {
    format!(
        "{}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
