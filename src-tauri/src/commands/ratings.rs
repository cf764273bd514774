use desk_core::ratings::Ratings;
use desk_core::analytics::{Analytics, AnalyticsFilter, ExportTable};
use desk_core::ipc::IpcError;
use desk_core::people::now_ms;
use desk_core::ratings::{Rating, RatingInput};
use tauri::{AppHandle, State};

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command]
pub async fn claim_handoff(app: AppHandle, state: State<'_, AppState>, handoff_id: String) -> CmdResult<()> {
    if let Some(r) = &state.remote {
        return r.claim_handoff(&handoff_id).await;
    }
    let s = state.sessions.require("claim_handoff").await?;
    desk_core::claims::claim(&state.store, &s, &handoff_id, now_ms()).await?;
    crate::events::queue_changed(&app, vec![handoff_id], 0);
    Ok(())
}

#[tauri::command]
pub async fn release_handoff(app: AppHandle, state: State<'_, AppState>, handoff_id: String) -> CmdResult<()> {
    if let Some(r) = &state.remote {
        return r.release_handoff(&handoff_id).await;
    }
    let s = state.sessions.require("release_handoff").await?;
    desk_core::claims::release(&state.store, &s, &handoff_id, now_ms()).await?;
    crate::events::queue_changed(&app, vec![handoff_id], 0);
    Ok(())
}

#[tauri::command]
pub async fn rate_handoff(app: AppHandle, state: State<'_, AppState>, handoff_id: String, input: RatingInput) -> CmdResult<Rating> {
    if let Some(r) = &state.remote {
        return r.rate_handoff(&handoff_id, &input).await;
    }
    let s = state.sessions.require("rate_handoff").await?;
    let r = state.store.rate(&s, &handoff_id, input, now_ms()).await?;
    crate::events::queue_changed(&app, vec![handoff_id], 0);
    Ok(r)
}

#[tauri::command]
pub async fn handoff_ratings(state: State<'_, AppState>, handoff_id: String) -> CmdResult<Vec<Rating>> {
    if let Some(r) = &state.remote {
        return r.handoff_ratings(&handoff_id).await;
    }
    let s = state.sessions.require("handoff_ratings").await?;
    Ok(state.store.ratings_of(&s, &handoff_id, now_ms()).await?)
}

#[tauri::command]
pub async fn next_unrated(state: State<'_, AppState>, after_seq: Option<i64>) -> CmdResult<Option<String>> {
    if let Some(r) = &state.remote {
        return r.next_unrated(after_seq).await;
    }
    let s = state.sessions.require("next_unrated").await?;
    Ok(state.store.next_unrated(&s, after_seq, now_ms()).await?)
}

#[tauri::command]
pub async fn analytics(state: State<'_, AppState>, filter: AnalyticsFilter) -> CmdResult<Analytics> {
    if let Some(r) = &state.remote {
        return r.analytics(&filter).await;
    }
    let s = state.sessions.require("analytics").await?;
    Ok(state.analytics.analytics(&s, &filter, now_ms()).await?)
}

async fn write_export(path: &str, body: String) -> CmdResult<i64> {
    let path = path.trim();
    if path.is_empty() {
        return Err(IpcError::invalid_input("Choose where to save the export."));
    }
    let n = body.len() as i64;
    tokio::fs::write(path, body).await.map_err(|e| IpcError::invalid_input(format!("Cannot write {path}: {e}")))?;
    Ok(n)
}

/// Writes a table of the analytics as CSV to `path`; returns the bytes written.
#[tauri::command]
pub async fn export_csv(state: State<'_, AppState>, table: ExportTable, filter: AnalyticsFilter, path: String) -> CmdResult<i64> {
    let body = match &state.remote {
        Some(r) => r.export_csv(table, &filter).await?,
        None => {
            let s = state.sessions.require("export_csv").await?;
            state.analytics.export_csv(&s, table, &filter, now_ms()).await?
        }
    };
    write_export(&path, body).await
}

/// Writes rated handoffs as JSON Lines evaluation cases to `path`; returns the bytes written.
#[tauri::command]
pub async fn export_eval_cases(state: State<'_, AppState>, filter: AnalyticsFilter, path: String) -> CmdResult<i64> {
    let body = match &state.remote {
        Some(r) => r.export_eval_cases(&filter).await?,
        None => {
            let s = state.sessions.require("export_eval_cases").await?;
            state.analytics.export_eval_cases(&s, &filter, now_ms()).await?
        }
    };
    write_export(&path, body).await
}
