//! The portal binary, started for a test on a free port with its own database.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::free_port;
use crate::repo_root;

/// The portal the tests run: `HK_PORTAL_BIN`, else `target/debug/portal`, which the unit
/// phase of `./dev.sh test` has already built with the very features and flags of the
/// tests (one build of the dependency tree serves lint, unit and end-to-end tests).
pub fn binary() -> PathBuf {
    let binary = std::env::var_os("HK_PORTAL_BIN")
        .map_or_else(|| repo_root().join("target/debug/portal"), PathBuf::from);
    assert!(
        binary.exists(),
        "{} missing: run `cargo test --workspace --no-run` and `portal/build.sh --site` first",
        binary.display()
    );
    binary
}

#[derive(Debug)]
pub struct Portal {
    child: Child,
    pub base: String,
    pub database: PathBuf,
}

impl Portal {
    /// Starts the portal binary ([`binary`]); `database` is kept between starts so a
    /// restart can be tested.
    pub fn start(database: PathBuf, extra_env: &[(&str, &str)]) -> Portal {
        let port = free_port();
        let root = repo_root();
        let binary = binary();
        let mut cmd = Command::new(binary);
        cmd.current_dir(&root)
            .env("PORTAL_ADDR", format!("127.0.0.1:{port}"))
            .env("PORTAL_DATABASE", &database)
            // HK_PORTAL_LOG=info (or any filter) shows the portal's log in the test's output.
            .env(
                "RUST_LOG",
                std::env::var("HK_PORTAL_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(if std::env::var_os("HK_PORTAL_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
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

    /// SIGKILL: the process vanishes as a pod does on a node failure (no clean-up).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
