//! What both benches read off the portal process: its `/metrics`, CPU time and RSS
//! (from `/proc`), and the API server's count of open watches.

// Shared by both benches; each uses part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::time::Duration;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub async fn metrics(http: &reqwest::Client, url: &str) -> Result<HashMap<String, f64>> {
    let request = http
        .get(format!("{url}/metrics"))
        .timeout(Duration::from_secs(10));
    let text = request.send().await?.error_for_status()?.text().await?;
    let value = |l: &str| {
        let (k, v) = l.split_once(' ')?;
        Some((k.to_owned(), v.trim().parse().ok()?))
    };
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(value)
        .collect())
}

/// utime + stime of a process in clock ticks (proc(5) fields 14 and 15).
pub fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after_comm = stat.rsplit_once(')').ok_or("odd /proc stat")?.1;
    // Field 3 (state) comes first.
    let mut fields = after_comm.split_whitespace().skip(11);
    let mut next = || -> Result<u64> { Ok(fields.next().ok_or("short /proc stat")?.parse()?) };
    Ok(next()? + next()?)
}

pub fn rss_mb(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS")?;
    let kb: f64 = line.split_whitespace().nth(1).ok_or("odd VmRSS")?.parse()?;
    Ok(kb / 1024.0)
}

pub fn clock_ticks() -> f64 {
    let out = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output();
    let ticks = out
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok());
    ticks.unwrap_or(100.0)
}

/// Watches the API server is serving now, all clients together
/// (`apiserver_longrunning_gauge{verb="WATCH"}` summed; `apiserver_longrunning_requests`
/// on newer API servers), read with kubectl.
pub fn apiserver_watches() -> Result<f64> {
    let out = std::process::Command::new("kubectl")
        .args(["get", "--raw", "/metrics"])
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "kubectl get --raw /metrics: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let text = String::from_utf8(out.stdout)?;
    Ok(text
        .lines()
        .filter(|l| {
            (l.starts_with("apiserver_longrunning_gauge{")
                || l.starts_with("apiserver_longrunning_requests{"))
                && l.contains("verb=\"WATCH\"")
        })
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum())
}
