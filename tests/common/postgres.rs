//! Throwaway PostgreSQL clusters for tests: a data folder of their own, a free port, a socket
//! folder, `fsync=off`. Needs the server binaries (Debian's `postgresql` package;
//! `scripts/setup.sh` installs it); as root, the server runs as the `postgres` user.
//!
//! The server runs under a small shell that reads our end of a pipe: when the `PgServer` is
//! dropped, or the test process ends however it ends, the pipe closes and the shell stops the
//! server at once and deletes its folder. So [`PgServer::shared`], one cluster for the whole
//! test process (each test takes a fresh database in it), leaves nothing behind either.
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The database every cluster starts with (besides PostgreSQL's own).
const DATABASE: &str = "parley";
/// How long a server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the server until its standard input closes, then stops it (SIGQUIT: immediate
/// shutdown) and deletes the folder; a Ctrl-C to the tests does not stop it short of that. `$1` the bin folder, `$2` our folder, the rest the
/// server's options.
const KEEPER: &str = r#"
trap '' INT
bin=$1; dir=$2; shift 2
"$bin/postgres" -D "$dir/data" "$@" >"$dir/log" 2>&1 &
pid=$!
read -r _
kill -QUIT "$pid" 2>/dev/null
wait "$pid"
rm -rf "$dir"
"#;

pub struct PgServer {
    bin: PathBuf,
    port: u16,
    /// Holds `data/`, the socket and `log`; owned by the user the server runs as.
    dir: tempfile::TempDir,
    run_as: Option<String>,
    keeper: Option<(Child, ChildStdin)>,
}

impl PgServer {
    /// Starts a cluster of its own with an empty database `parley`; it is stopped and deleted
    /// on drop. Panics, with the server's log, if it cannot start.
    pub fn start() -> PgServer {
        let dir = tempfile::Builder::new()
            .prefix("parley-pg-")
            .tempdir()
            .unwrap();
        let mut s = PgServer {
            bin: bin_dir(),
            port: 0,
            dir,
            run_as: is_root().then(|| "postgres".to_owned()),
            keeper: None,
        };
        if let Some(user) = &s.run_as {
            chown(s.dir.path(), user);
        }
        let data = s.dir.path().join("data").display().to_string();
        // A UTF-8 locale, as servers have: its lower() folds more than A-Z, which the name
        // rules must not follow.
        let args = ["-D", &data, "-U", "postgres", "-A", "trust", "--no-sync"];
        s.run(
            "initdb",
            &[&args[..], &["-E", "UTF8", "--locale=C.UTF-8"]].concat(),
        );
        // A port found free may be taken before the server binds it: then try another.
        for _ in 0..3 {
            s.port = free_port();
            if s.launch() {
                s.run_client("createdb", &[DATABASE]);
                return s;
            }
        }
        panic!("PostgreSQL did not start:\n{}", s.log());
    }

    /// One cluster for the whole test process, started on first use.
    pub fn shared() -> &'static PgServer {
        static SHARED: OnceLock<PgServer> = OnceLock::new();
        SHARED.get_or_init(PgServer::start)
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

    /// A new empty database with a name no other caller in this process gets; its URL.
    pub fn fresh_database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        self.create_database(&format!("test_{n}"))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    fn url_of(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Starts the server on `self.port` and waits until it accepts connections; false if it
    /// exited instead (e.g. the port was taken).
    fn launch(&mut self) -> bool {
        let opts = [
            "-p".to_owned(),
            self.port.to_string(),
            "-k".to_owned(),
            self.dir.path().display().to_string(),
        ];
        let settings = [
            "listen_addresses=127.0.0.1",
            "fsync=off",
            "synchronous_commit=off",
            "full_page_writes=off",
            "max_connections=200",
        ];
        let mut keeper = self.command("sh");
        keeper
            .args(["-c", KEEPER, "keeper"])
            .arg(&self.bin)
            .arg(self.dir.path())
            .args(opts);
        for s in settings {
            keeper.args(["-c", s]);
        }
        let mut child = keeper.stdin(Stdio::piped()).spawn().unwrap();
        let stdin = child.stdin.take().unwrap();
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                return false;
            }
            let port = self.port.to_string();
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &port, "-t", "1"])
                .status()
                .unwrap();
            if ready.success() {
                self.keeper = Some((child, stdin));
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(stdin);
        let _ = child.wait();
        panic!(
            "PostgreSQL did not accept connections within {START_TIMEOUT:?}:\n{}",
            self.log()
        );
    }

    /// `tool` from the server's bin folder, as the server's user, in a folder it may read.
    fn command(&self, tool: &str) -> Command {
        let path = if tool == "sh" {
            PathBuf::from("sh")
        } else {
            self.bin.join(tool)
        };
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

    fn log(&self) -> String {
        let mut log = String::new();
        let _ = std::fs::File::open(self.dir.path().join("log"))
            .map(|mut f| f.read_to_string(&mut log));
        log
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if let Some((mut child, stdin)) = self.keeper.take() {
            drop(stdin);
            let _ = child.wait();
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
