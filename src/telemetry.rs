//! Structured logs with `tracing`, as text for people or JSON for collectors, and the
//! operator messages of the command line, which follow the same format.

use std::io::IsTerminal;
use std::sync::OnceLock;

use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, LogSettings};

/// The format in force, once logging is set up.
static FORMAT: OnceLock<LogFormat> = OnceLock::new();

/// Installs the global subscriber; a second call (as in tests) is a no-op. The level
/// was validated with the settings; colours only on a terminal.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_new(&settings.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let installed = match settings.format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
    if installed.is_ok() {
        let _ = FORMAT.set(settings.format);
    }
}

/// A message for the operator: a plain line on stderr, or with `log.format = "json"` a
/// JSON object shaped like the log's, so that stderr stays one JSON object per line.
/// Written whatever `log.level` says: the operator must see it (a generated admin
/// password is shown this way, once).
pub fn say(message: &str) {
    tell("INFO", message, message);
}

/// A fatal error for the operator, in the same way as [`say`].
pub fn say_error(message: &str) {
    tell("ERROR", message, &format!("error: {message}"));
}

fn tell(level: &str, message: &str, text: &str) {
    match FORMAT.get() {
        Some(LogFormat::Json) => eprintln!(
            "{}",
            serde_json::json!({
                "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                "level": level,
                "message": message,
                "target": "buysocial",
            })
        ),
        _ => eprintln!("{text}"),
    }
}
