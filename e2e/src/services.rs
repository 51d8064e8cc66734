//! Throwaway servers the tests start themselves, from Debian's packages: redis-server and
//! PostgreSQL, each on a free loopback port with its own data, stopped when dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::free_port;

/// A redis-server without persistence, killed with the test.
#[derive(Debug)]
pub struct Redis {
    child: Child,
    pub url: String,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn listening(port: u16, tries: usize) -> bool {
    (0..tries).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    })
}

pub fn redis() -> Redis {
    let port = free_port();
    let child = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server (Debian package redis-server; ./dev.sh test installs it)");
    let redis = Redis {
        child,
        url: format!("redis://127.0.0.1:{port}/0"),
    };
    assert!(listening(port, 100), "redis-server did not start listening");
    redis
}

/// A PostgreSQL cluster in a temporary directory (`initdb` + `pg_ctl`), trust auth on
/// loopback only, database `hk`. Runs as the `postgres` user when the test runs as root
/// (PostgreSQL refuses to run as root).
#[derive(Debug)]
pub struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    pub url: String,
}

/// `/usr/lib/postgresql/<version>/bin`, the newest installed.
fn pg_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL (Debian package postgresql; ./dev.sh test installs it)")
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("an initdb under /usr/lib/postgresql/*/bin")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Postgres {
    fn pg(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    pub fn start(name: &str) -> Postgres {
        let dir = std::env::temp_dir().join(format!("hk-pg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a directory for PostgreSQL");
        if is_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown {} to postgres", dir.display());
        }
        let port = free_port();
        let mut pg = Postgres {
            dir: dir.clone(),
            bin: pg_bin(),
            url: String::new(),
        };
        let data = dir.join("data");
        let init = pg
            .pg("initdb")
            .args(["-A", "trust", "-U", "hk", "-E", "UTF8", "--no-sync", "-D"])
            .arg(&data)
            .stdout(Stdio::null())
            .status()
            .expect("initdb");
        assert!(init.success(), "initdb failed");
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
            dir.display()
        );
        let started = pg
            .pg("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-w", "-t", "60", "-l"])
            .arg(dir.join("server.log"))
            .arg("start")
            .stdout(Stdio::null())
            .status()
            .expect("pg_ctl start");
        assert!(
            started.success(),
            "PostgreSQL did not start (log: {})",
            dir.join("server.log").display()
        );
        let created = pg
            .pg("createdb")
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "hk", "hk"])
            .status()
            .expect("createdb");
        assert!(created.success(), "createdb hk");
        pg.url = format!("postgres://hk@127.0.0.1:{port}/hk");
        pg
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .pg("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
