use desk_core::ingest::ImportReport;
use desk_core::people::now_ms;
use desk_core::ipc::IpcError;
use tauri::{AppHandle, Emitter, State};

use crate::error::CmdResult;
use crate::events;
use crate::AppState;

/// Imports a `handoff/v1` JSON Lines file (or a single JSON document), reporting progress.
#[tauri::command]
pub async fn import_file(app: AppHandle, state: State<'_, AppState>, path: String) -> CmdResult<ImportReport> {
    let s = match state.remote {
        None => Some(state.sessions.require("import_file").await?),
        Some(_) => None,
    };
    let path = path.trim();
    if path.is_empty() {
        return Err(IpcError::invalid_input("Choose a file to import."));
    }
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| IpcError::invalid_input(format!("Cannot read {path}: {e}")))?;
    if let Some(r) = &state.remote {
        // The server imports it into the team's queue; its events tell every desk.
        let _ = app.emit(events::IMPORT_PROGRESS, desk_core::ingest::ImportProgress { lines_done: 0, bytes_done: 0, bytes_total: bytes.len() as i64 });
        return r.import_file(path, bytes).await;
    }
    let source = format!("import:{path}");
    let mut progress = |p| {
        let _ = app.emit(events::IMPORT_PROGRESS, p);
    };
    let report = state.queue.import(s.as_ref().expect("authorized above"), &bytes, &source, &mut progress, now_ms()).await?;
    events::arrivals(&app, report.changed_ids.clone(), report.quarantined);
    Ok(report)
}
