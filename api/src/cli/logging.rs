//! Log output of `msez serve`: plain text for people, or one JSON object per line for log
//! pipelines (`--log-format json`).
//!
//! Owns [`LogFormat`], [`init_logging`] and the JSON layer. A JSON line is
//! `{"timestamp","level","target","message","fields":{…},"request_id"?,"spans":[…]}`:
//! `timestamp` is UTC with milliseconds, `fields` holds the event's own fields, `request_id`
//! is the id of the request span the event happened in (absent outside requests), and
//! `spans` names the spans from the outermost in. Events below INFO are not logged.
//!
//! Never: writes a line in pieces (each line is one `write` to standard error, so lines from
//! worker threads never interleave), holds the standard error lock between lines (see
//! `main_exit_code`), or logs a token (no caller passes one).

use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use msez_protocol::time::Timestamp;
use serde_json::{Map, Value, json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

/// The span field whose value is a JSON line's `request_id` (set by the node's request
/// middleware).
pub const REQUEST_ID_FIELD: &str = "request_id";

/// How `msez serve` writes its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (tracing's default format).
    Text,
    /// One JSON object per line.
    Json,
}

/// Installs the process's log subscriber, writing to standard error at INFO. A second call
/// keeps the first subscriber (tests may run `serve` twice in one process).
pub fn init_logging(format: LogFormat) {
    // Err only when a subscriber is already installed; keep that one.
    let _ = match format {
        LogFormat::Text => tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing::Level::INFO)
            .try_init()
            .is_ok(),
        LogFormat::Json => tracing_subscriber::registry()
            .with(LevelFilter::INFO)
            .with(JsonLayer)
            .try_init()
            .is_ok(),
    };
}

/// Writes each event as one JSON line (see the module docs).
struct JsonLayer;

/// A span's fields, kept in the span's extensions for the events inside it.
struct SpanFields(Map<String, Value>);

impl<S> tracing_subscriber::Layer<S> for JsonLayer
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
{
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, context: Context<'_, S>) {
        let mut fields = JsonFields::default();
        attributes.record(&mut fields);
        if let Some(span) = context.span(id) {
            span.extensions_mut().insert(SpanFields(fields.0));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, context: Context<'_, S>) {
        let Some(span) = context.span(id) else {
            return;
        };
        let mut fields = JsonFields::default();
        values.record(&mut fields);
        let mut extensions = span.extensions_mut();
        match extensions.get_mut::<SpanFields>() {
            Some(SpanFields(existing)) => existing.extend(fields.0),
            None => extensions.insert(SpanFields(fields.0)),
        }
    }

    fn on_event(&self, event: &Event<'_>, context: Context<'_, S>) {
        let mut fields = JsonFields::default();
        event.record(&mut fields);
        let mut fields = fields.0;
        let message = fields.remove("message").unwrap_or(Value::Null);
        let mut spans = Vec::new();
        let mut request_id = None;
        for span in context.event_scope(event).into_iter().flatten() {
            spans.push(span.name());
            if request_id.is_none()
                && let Some(SpanFields(span_fields)) = span.extensions().get::<SpanFields>()
            {
                request_id = span_fields.get(REQUEST_ID_FIELD).cloned();
            }
        }
        spans.reverse();
        let metadata = event.metadata();
        let mut line = json!({
            "timestamp": timestamp_now(),
            "level": metadata.level().as_str(),
            "target": metadata.target(),
            "message": message,
            "fields": fields,
            "spans": spans,
        });
        if let (Some(request_id), Some(object)) = (request_id, line.as_object_mut()) {
            object.insert(REQUEST_ID_FIELD.to_owned(), request_id);
        }
        let mut text = line.to_string();
        text.push('\n');
        // Nothing sensible can be done if standard error is closed.
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
}

/// Fields as JSON values: numbers and booleans stay typed, everything else is its text.
#[derive(Default)]
struct JsonFields(Map<String, Value>);

impl Visit for JsonFields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        let value = serde_json::Number::from_f64(value)
            .map_or_else(|| Value::String(value.to_string()), Value::Number);
        self.0.insert(field.name().to_owned(), value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_owned(), format!("{value:?}").into());
    }
}

/// Now as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC). A clock before 1970 prints the epoch.
fn timestamp_now() -> String {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = i64::try_from(elapsed.as_secs()).unwrap_or(0);
    let whole = Timestamp::from_unix_seconds(seconds)
        .map(|timestamp| timestamp.to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned());
    let millis = elapsed.subsec_millis();
    match whole.strip_suffix('Z') {
        Some(prefix) => format!("{prefix}.{millis:03}Z"),
        None => whole,
    }
}
