//! Structured logs to a daily rolling file in the data directory (and to stderr). Logs carry ids
//! and counts, never transcripts, card numbers or tokens.

use std::path::Path;

use tracing_subscriber::{fmt, prelude::*, EnvFilter};

pub fn init(dir: &Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let filter = EnvFilter::try_from_env("HANDOFF_DESK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let (file_layer, guard) = match std::fs::create_dir_all(dir) {
        Ok(()) => {
            let appender = tracing_appender::rolling::daily(dir, "handoff-desk.log");
            let (writer, guard) = tracing_appender::non_blocking(appender);
            (Some(fmt::layer().json().with_writer(writer)), Some(guard))
        }
        Err(e) => {
            eprintln!("logs go to stderr only: cannot create {}: {e}", dir.display());
            (None, None)
        }
    };
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(fmt::layer().with_writer(std::io::stderr).compact())
        .try_init();
    guard
}
