//! The pod template's `checksum/config`: helm hashes the *text* of
//! `templates/configmap.yaml` as rendered, comments included, so this module rebuilds
//! that text byte for byte. If the template file changes, this must change with it;
//! `e2e/tests/release_render.rs` and the pinned checksums in the tests catch drift.

use sha2::{Digest, Sha256};

use super::names::{MANAGED_BY, ReleaseNames};
use crate::cluster::values::{ChartMeta, Values};

/// `{{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}`.
pub fn config_checksum(values: &Values, release: &str, chart: &ChartMeta) -> String {
    let digest = Sha256::digest(configmap_text(values, release, chart).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// `templates/configmap.yaml` as helm renders it (`nindent` and `quote` included).
pub fn configmap_text(values: &Values, release: &str, chart: &ChartMeta) -> String {
    let names = ReleaseNames::new(&values.namespace, release, chart);
    let version = go_quote(&values.app.version);
    let lines = [
        "# region: configmap".to_owned(),
        "apiVersion: v1".to_owned(),
        "kind: ConfigMap".to_owned(),
        "metadata:".to_owned(),
        format!("  name: {}", names.config_map),
        format!("  namespace: {}", values.namespace),
        "  labels:".to_owned(),
        format!("    app.kubernetes.io/name: {}", chart.name),
        format!("    app.kubernetes.io/instance: {release}"),
        format!("    app.kubernetes.io/version: {version}"),
        format!("    app.kubernetes.io/managed-by: {MANAGED_BY}"),
        format!("    helm.sh/chart: {}-{}", chart.name, chart.version),
        "data:".to_owned(),
        format!("  APP_ENV: {}", go_quote(&values.config.app_env)),
        format!("  APP_VERSION: {version}"),
        format!("  LOG_LEVEL: {}", go_quote(&values.config.log_level)),
        "# endregion: configmap".to_owned(),
    ];
    // The template file ends with a newline, and helm keeps it.
    lines.iter().flat_map(|l| [l.as_str(), "\n"]).collect()
}

/// Sprig's `quote`, i.e. Go's `strconv.Quote`. Printable text (Korean included) stays
/// as is; Go's exact notion of "printable" is approximated by control characters and
/// non-space whitespace, which covers anything a values file realistically holds.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0B}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7F}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() || (c.is_whitespace() && c != ' ') => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
