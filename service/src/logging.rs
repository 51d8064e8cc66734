//! One JSON object per log line on stdout, the way log collectors (Fluent Bit, Vector…)
//! expect container logs: `timestamp`, `level`, `message`, `logger`, `pod`, plus any
//! structured fields of the event.

use std::fmt;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

// region: json-format
#[derive(Debug, Clone)]
pub struct JsonLines {
    pod: String,
}

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut fields = FieldsToJson::default();
        event.record(&mut fields);
        let meta = event.metadata();
        let mut line = Map::new();
        line.insert(
            "timestamp".into(),
            jiff::Timestamp::now().to_string().into(),
        );
        line.insert("level".into(), meta.level().as_str().into());
        line.insert(
            "message".into(),
            fields.message.take().unwrap_or_default().into(),
        );
        line.insert("logger".into(), meta.target().into());
        line.insert("pod".into(), self.pod.clone().into());
        line.extend(fields.extra);
        let text = serde_json::to_string(&line).map_err(|_| fmt::Error)?;
        writeln!(writer, "{text}")
    }
}
// endregion: json-format

#[derive(Default)]
struct FieldsToJson {
    message: Option<String>,
    extra: Map<String, Value>,
}

impl FieldsToJson {
    fn put(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.extra.insert(field.name().to_owned(), value);
        }
    }
}

impl Visit for FieldsToJson {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, format!("{value:?}").into());
    }
}

/// Maps `LOG_LEVEL` to a filter. Unknown words fall back to `info` (reported by the
/// caller once logging is up) rather than stopping the pod from starting.
pub fn parse_level(raw: &str) -> Option<LevelFilter> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "trace" => Some(LevelFilter::TRACE),
        "debug" => Some(LevelFilter::DEBUG),
        "info" => Some(LevelFilter::INFO),
        "warn" | "warning" => Some(LevelFilter::WARN),
        "error" | "critical" => Some(LevelFilter::ERROR),
        _ => None,
    }
}

/// Installs the JSON subscriber for the process. Returns false when `LOG_LEVEL` was not
/// understood.
pub fn init(log_level: &str, pod: &str) -> bool {
    let level = parse_level(log_level);
    tracing_subscriber::fmt()
        .with_max_level(level.unwrap_or(LevelFilter::INFO))
        .event_format(JsonLines {
            pod: pod.to_owned(),
        })
        .with_writer(std::io::stdout)
        .init();
    level.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::fmt::MakeWriter;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl<'a> MakeWriter<'a> for Buf {
        type Writer = Buf;
        fn make_writer(&'a self) -> Buf {
            self.clone()
        }
    }

    #[test]
    fn every_line_is_one_json_object_with_the_fixed_keys() {
        let buf = Buf::default();
        let sub = tracing_subscriber::fmt()
            .event_format(JsonLines {
                pod: "hello-abc".into(),
            })
            .with_writer(buf.clone())
            .finish();
        tracing::subscriber::with_default(sub, || {
            tracing::info!(path = "/", status = 200u64, "요청 처리 \"끝\"");
            tracing::warn!("second");
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["message"], "요청 처리 \"끝\"");
        assert_eq!(lines[0]["level"], "INFO");
        assert_eq!(lines[0]["pod"], "hello-abc");
        assert_eq!(lines[0]["status"], 200);
        assert!(lines[0]["timestamp"].as_str().unwrap().ends_with('Z'));
        assert_eq!(lines[1]["level"], "WARN");
    }

    #[test]
    fn levels_parse_like_python_names() {
        assert_eq!(parse_level("DEBUG"), Some(LevelFilter::DEBUG));
        assert_eq!(parse_level("warning"), Some(LevelFilter::WARN));
        assert_eq!(parse_level("loud"), None);
    }
}
