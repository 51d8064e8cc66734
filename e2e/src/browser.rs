//! Debian's headless Chromium, driven through chromedriver (WebDriver).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

/// A running chromedriver; killed on drop.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    port: u16,
    profile: PathBuf,
}

impl Driver {
    pub fn start() -> Driver {
        let port = crate::free_port();
        // Its own process group: Chromium's processes are its children, and they all go
        // with the group on drop (a SIGKILL to chromedriver alone would orphan them).
        let child = Command::new("chromedriver")
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver) must be installed");
        let profile = std::env::temp_dir().join(format!("hk-chrome-{port}"));
        let driver = Driver {
            child,
            port,
            profile,
        };
        let up = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(100));
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        assert!(up, "chromedriver did not start");
        driver
    }

    /// A new browser with its own empty profile (a separate "person": own cookies and storage).
    pub async fn browser(&self, name: &str) -> Client {
        let profile = self.profile.join(name);
        let _ = std::fs::remove_dir_all(&profile);
        // Flags that keep a headless root Chromium quiet on a closed network.
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1360,900".to_owned(),
            "--lang=ko-KR".to_owned(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let caps = json!({ "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args } });
        let caps = caps.as_object().cloned().unwrap_or_default();
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Where screenshots go: `e2e/.work/screenshots/NAME.png`.
pub fn screenshot_path(name: &str) -> PathBuf {
    let dir = crate::repo_root().join("e2e/.work/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    dir.join(format!("{name}.png"))
}

pub async fn save_screenshot(client: &Client, name: &str) -> PathBuf {
    let png = client.screenshot().await.expect("screenshot");
    let path = screenshot_path(name);
    std::fs::write(&path, png).expect("write screenshot");
    path
}

pub fn exists(path: &Path) -> bool {
    path.exists()
}

/// Runs a script in the page and returns its value; a script error fails the test.
pub async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Waits until a JS expression is true, polling every 100 ms; returns how long it took.
/// A script that cannot run yet (the document is being replaced) counts as "not yet".
pub async fn eventually(c: &Client, what: &str, expr: &str, timeout: Duration) -> Duration {
    if let Some(took) = wait_until(c, expr, timeout).await {
        return took;
    }
    let seen = c
        .execute(
            "return [location.href, document.readyState, document.title, document.body?.innerText?.slice(0, 200)];",
            vec![],
        )
        .await;
    panic!("timed out after {timeout:?} waiting for {what}: {expr} (the page: {seen:?})");
}

/// [`eventually`] without the panic: how long it took, or `None` at the timeout, so the
/// caller can say what the page showed in its own terms.
pub async fn wait_until(c: &Client, expr: &str, timeout: Duration) -> Option<Duration> {
    let started = std::time::Instant::now();
    let script = format!("return !!({expr});");
    while started.elapsed() < timeout {
        if c.execute(&script, vec![]).await.ok() == Some(serde_json::Value::Bool(true)) {
            return Some(started.elapsed());
        }
        recover(c).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

/// Clicks the element `css` selects (through the DOM, so a covered button still gets it).
pub async fn click(c: &Client, css: &str) {
    let found = js(
        c,
        &format!("const e = document.querySelector({css:?}); if (e) {{ e.click(); return true; }} return false;"),
    )
    .await;
    assert_eq!(
        found,
        serde_json::Value::Bool(true),
        "nothing to click at {css}"
    );
}

/// Whether the tab shows Chromium's own error page instead of the portal's (WebDriver
/// still reports the address asked for; the document knows better).
pub async fn on_error_page(c: &Client) -> bool {
    c.execute("return location.href", vec![])
        .await
        .is_ok_and(|u| u.as_str().is_some_and(|u| u.starts_with("chrome-error:")))
}

/// `goto` that survives `ERR_NETWORK_CHANGED`: Chromium aborts a page load when the
/// host's interfaces change, and on the test node pods (and their veth interfaces) come
/// and go all the time. The load is simply made again, a few times.
pub async fn goto(c: &Client, url: &str) {
    for _ in 0..5 {
        let _ = c.goto(url).await;
        if !on_error_page(c).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    panic!("{url} did not load: Chromium kept showing its error page");
}

/// [`goto`] for the page the tab is on.
pub async fn reload(c: &Client) {
    let url = c.current_url().await.expect("the tab's address");
    let _ = c.refresh().await;
    if on_error_page(c).await {
        goto(c, url.as_str()).await;
    }
}

/// Loads the page again if a network change broke it after `goto` returned (the wait
/// that follows then sees the page).
pub async fn recover(c: &Client) {
    if on_error_page(c).await {
        let _ = c.refresh().await;
    }
}
