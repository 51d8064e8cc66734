//! The portal binary, started for a test on a free port with its own database.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::browser::free_port;
use crate::repo_root;

#[derive(Debug)]
pub struct Portal {
    child: Child,
    pub base: String,
    pub database: PathBuf,
}

impl Portal {
    /// Starts `target/release/portal` (built by `portal/build.sh`; `HK_PORTAL_BIN` names
    /// another build); `database` is kept between starts so a restart can be tested.
    pub fn start(database: PathBuf, extra_env: &[(&str, &str)]) -> Portal {
        let port = free_port();
        let root = repo_root();
        let binary = std::env::var_os("HK_PORTAL_BIN")
            .map_or_else(|| root.join("target/release/portal"), PathBuf::from);
        assert!(
            binary.exists(),
            "{} missing: run portal/build.sh first",
            binary.display()
        );
        let mut cmd = Command::new(binary);
        cmd.current_dir(&root)
            .env("PORTAL_ADDR", format!("127.0.0.1:{port}"))
            .env("PORTAL_DATABASE", &database)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start the portal");
        let up = (0..200).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        assert!(up, "the portal did not start listening");
        Portal {
            child,
            base: format!("http://127.0.0.1:{port}"),
            database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
